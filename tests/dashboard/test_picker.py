"""The report picker (report and data-quality pages): agencies listed a bounded number at a time, narrowed
by typing, then one of the agency's reports; a linked report is reached whatever the filters."""
from __future__ import annotations

import duckdb

from pipeline.serve import queries
from tests.dashboard.test_apptest import app, open_page


def test_the_picker_lists_a_bounded_number_of_agencies_and_says_how_many_match(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        every = con.execute("select count(distinct agency_id) from reports").fetchall()[0][0]
        some = queries.report_agencies(con, queries.Filters(), "", limit=3)
        assert len(some) == 3 and set(some.matches) == {every}
        assert list(some.agency) == sorted(some.agency)
        name = some.agency.iloc[1]
        found = queries.report_agencies(con, queries.Filters(), name[1:4])
        assert name in set(found.agency) and all(name[1:4] in a for a in found.agency)
        assert queries.report_agencies(con, queries.Filters(), "100%_").empty  # literal text, no wildcards


def test_typing_narrows_the_agencies_and_a_report_is_chosen_among_the_agencys(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "report")
    with duckdb.connect(str(demo_db), read_only=True) as con:
        aid, part = con.execute("select agency_id, substr(name, 2, 3) from agencies where agency_id in "
                                "(select agency_id from reports) order by name desc limit 1").fetchall()[0]
        years = [r[0] for r in con.execute("select year from reports where agency_id = ? order by year", [aid]).fetchall()]
    at.text_input(key="rp_find").input(part).run()
    assert not at.exception
    at.selectbox(key="rp_agency").set_value(aid).run()
    assert not at.exception
    assert at.selectbox(key="rp_report").options == [str(y) for y in years]


def test_a_linked_report_outside_the_filters_is_shown(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rid, province = con.execute("select r.report_id, a.province from reports r join agencies a using (agency_id) "
                                    "where a.province is not null order by r.report_id limit 1").fetchall()[0]
        other = con.execute("select province from agencies where province is not null and province <> ? limit 1",
                            [province]).fetchall()[0][0]
    at = open_page(app(demo_db, monkeypatch, report=rid, prov=other), "report")
    assert not at.exception and not [w for w in at.warning if "link_off" in str(w.icon)]
    assert at.selectbox(key="rp_report").value == rid
