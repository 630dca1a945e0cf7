"""The warehouse holds one value of a key for an agency and a year, which the sums' agency counts rely on
(`query_sections`: rows counted, not distinct agencies): one report per agency and year (the others of
that agency and year are runners-up, `test_choice_reason.py`), one fact per metric and dimension."""
from __future__ import annotations

from tests.warehouse.conftest import write_report


def test_one_value_of_a_key_per_agency_and_year(env):
    facts = write_report(env.inbox, "a.html", "某市财政局", 2022, seed=1)
    write_report(env.inbox, "a.pdf", "某市财政局", 2022, facts=facts, fmt="pdf", seed=1)  # the same report twice
    write_report(env.inbox, "b.txt", "某市财政局", 2022, seed=2)  # and another file of the same agency and year
    write_report(env.inbox, "c.html", "某市财政局", 2023, seed=3)
    assert env.refresh().exit_code == 0
    assert env.query("select count(*) from reports") == [(2,)]
    n, distinct = env.query("select count(*), count(distinct (agency_id, year, metric, dim)) from v_values")[0]
    assert n == distinct and n > 100
