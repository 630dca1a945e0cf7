"""The warehouse keeps each fact's `verified`, every export carries it, and an analyst's correction makes
a fact verified."""
from __future__ import annotations

import csv
import io
import random

import duckdb

from pipeline.demo.render import random_facts
from pipeline.serve.export import export
from tests.warehouse.conftest import write_report

AG = "洛阳市生态环境局"


def test_unverified_facts_are_kept_marked_and_exported(env, tmp_path):
    f = random_facts(random.Random(4), "2021", size=2)
    f["review:total"] = f.get("review:total", 0) + 3  # 表四's 行政复议 block no longer adds up
    write_report(env.inbox, "a.html", AG, 2023, f, seed=1)
    write_report(env.inbox, "b.html", "南京市财政局", 2023, random_facts(random.Random(5), "2021"), seed=2)
    env.refresh()
    rows = env.query("select agency, key, value, verified from v_facts")
    unverified = {(a, k) for a, k, _, v in rows if not v}
    assert unverified == {(AG, f"review:{d}") for d in ("upheld", "corrected", "other", "pending", "total")
                          if f"review:{d}" in f}
    # published as printed, marked
    assert dict(((a, k), v) for a, k, v, _ in rows)[(AG, "review:total")] == f["review:total"]
    assert env.query("select count(*) from v_values where verified is null")[0][0] == 0
    with duckdb.connect(str(env.db), read_only=True) as con:
        long_path, wide_path = export(con, tmp_path / "out", "csv")
    long = list(csv.DictReader(io.StringIO(long_path.read_bytes().decode("utf-8-sig"))))
    flags = {(r["agency"], r["key"]): r["verified"] for r in long}
    assert flags[(AG, "review:total")] == "False" and flags[(AG, "app.total:total")] == "True"
    wide = list(csv.DictReader(io.StringIO(wide_path.read_bytes().decode("utf-8-sig"))))
    by_agency = {r["agency"]: r["unverified"] for r in wide}
    assert set(by_agency[AG].split()) == {k for _, k in unverified} and by_agency["南京市财政局"] == ""


def test_a_correction_makes_its_fact_verified(env):
    f = random_facts(random.Random(4), "2021", size=2)
    f["review:total"] = f.get("review:total", 0) + 3
    write_report(env.inbox, "a.html", AG, 2023, f, seed=1)
    env.refresh()
    assert env.query("select verified from v_values where key = 'review:total'")[0][0] is False
    (env.data / "corrections.csv").write_text(
        "agency,year,metric,dim,value,note\n"
        f"{AG},2023,review,total,{f['review:total'] - 3},原件核对：总计印错\n", encoding="utf-8")
    env.refresh()
    assert env.query("select verified, provenance from v_values where key = 'review:total'")[0] == (True, "correction")
