"""What the browser walk found misleading, on a warehouse with holes as real ones have: years no agency
reported, agencies that report in some years only, a platform only some agencies use, a registered agency
with no report. A missing year must be a gap, a dropped part must be said, a median of one or two agencies
is not given, a chart's note counts what that chart shows."""
from __future__ import annotations

import json
import random
import re

import duckdb
import pandas as pd
import plotly.express as px
import pytest

from pipeline.demo.render import random_facts
from pipeline.refresh.run import refresh
from pipeline.serve import queries
from tests.dashboard.test_apptest import _array, app, frames, open_page
from tests.warehouse.conftest import write_report

REGISTER = """agency_id,name,aliases,region_code,level,parent_id,list_url,report_urls,note
t-a,南京市交通运输局,,320100,department,,,,test
t-b,苏州市交通运输局,,320500,department,,,,test
t-c,南京市生态环境局,,320100,department,,,,test
t-d,北京市生态环境局,,110000,department,,,,registered; no report held
"""


def _without(facts: dict, prefix: str) -> dict:
    return {k: v for k, v in facts.items() if not k.startswith(prefix)}


@pytest.fixture(scope="module")
def gappy_db(tmp_path_factory):
    """Reports in 2019, 2021 and 2023 only (no report of 2020 or 2022 anywhere); 南京市交通运输局 in 2021 and
    2023 (without a Douyin account), 苏州市交通运输局 in 2021, 南京市生态环境局 in 2019 (the format
    with procurement); 北京市生态环境局 registered, no report."""
    base = tmp_path_factory.mktemp("gappy")
    inbox = base / "inbox"
    for year, seed in ((2021, 1), (2023, 2)):
        facts = _without(random_facts(random.Random(seed), "2021"), "newmedia.douyin")
        write_report(inbox, f"a-{year}.html", "南京市交通运输局", year, facts=facts, seed=seed)
    write_report(inbox, "b-2021.html", "苏州市交通运输局", 2021, seed=3)
    write_report(inbox, "c-2019.html", "南京市生态环境局", 2019, seed=4)
    register = base / "agencies.csv"
    register.write_text(REGISTER, encoding="utf-8")
    db = base / "data" / "warehouse.duckdb"
    assert refresh(inbox, db, quiet=True, workers=1, agencies=register).exit_code == 0
    return db


def test_the_coverage_has_a_column_for_a_year_no_agency_reported(gappy_db):
    with duckdb.connect(str(gappy_db), read_only=True) as con:
        years = [y for (y,) in con.execute("select distinct year from coverage order by 1").fetchall()]
        states = {s for (s,) in con.execute("select distinct status from coverage where year in (2020, 2022)").fetchall()}
    assert years == [2019, 2020, 2021, 2022, 2023]
    assert states == {"not_collected"}


def test_bars_are_a_year_wide_and_the_axis_shows_every_year_in_scope():
    """Two bars three years apart: plotly would make each three years wide, covering the years between."""
    import streamlit as st

    from app_pages.common import yearly

    fig = yearly(px.bar(pd.DataFrame({"year": [2020, 2023], "value": [5, 7]}), x="year", y="value"))
    assert all(t.width == 0.8 for t in fig.data)
    assert list(fig.layout.xaxis.range) == [2019.5, 2023.5] and fig.layout.xaxis.dtick == 1
    st.session_state["filters"] = queries.Filters(2019, 2025)
    try:
        fig = yearly(px.bar(pd.DataFrame({"year": [2020, 2023], "value": [5, 7]}), x="year", y="value"))
    finally:
        del st.session_state["filters"]
    assert list(fig.layout.xaxis.range) == [2018.5, 2025.5]  # the sidebar's years, empty ones included


def test_a_platform_left_out_of_the_same_agencies_sums_is_named(gappy_db, monkeypatch):
    from pipeline.spec import catalog

    with duckdb.connect(str(gappy_db), read_only=True) as con:  # platforms 南京市交通运输局 lacks in a year
        left = {p for (p,) in con.execute("""
            select split_part(metric, '.', 2) from facts where metric like 'newmedia.%' and year in (2021, 2023)
            group by 1 having count(distinct year) filter (where agency_id = 't-a') < 2""").fetchall()}
    assert left, "the fixture leaves a platform out of one agency's years"
    names = {p: re.sub(r"(发布量|发稿量|发文量)$", "", next(m.zh for m in catalog.METRICS if m.code == f"newmedia.{p}.posts"))
             for p in left}
    at = open_page(app(gappy_db, monkeypatch, y0="2021", y1="2023"), "web_media")
    notes = [c.value for c in at.caption if "未计入" in c.value]
    assert len(notes) == 1 and all(n in notes[0] for n in names.values()), (notes, names)
    heads = [h.value for h in at.subheader]
    assert any("2023" in h for h in heads), heads  # the accounts table is of the latest year, switch or not


def test_procurement_stays_when_no_agency_reports_every_year(gappy_db, monkeypatch):
    at = open_page(app(gappy_db, monkeypatch), "active")
    assert any("没有每年都有数据的机关" in i.value for i in at.info)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)  # the per-agency procurement chart
    assert any("南京市生态环境局" in str(_array(t["y"])) for t in spec["data"])


def test_the_profile_opens_on_an_agency_with_a_report_and_gives_no_all_clear_without_one(gappy_db, monkeypatch):
    at = open_page(app(gappy_db, monkeypatch), "profile")
    assert at.selectbox(key="pf_agency").value != "t-d"  # 北京… sorts first but has no report
    at = open_page(app(gappy_db, monkeypatch, agency="t-d"), "profile")
    assert not at.success, [s.value for s in at.success]  # no green "no failing checks" for nothing read
    assert any("尚未收到该机关的报告" in i.value for i in at.info)


def test_a_search_matching_no_agency_is_said_on_the_profile(gappy_db, monkeypatch):
    at = open_page(app(gappy_db, monkeypatch, q="不存在的机关"), "profile")
    assert any("当前筛选条件下没有机关" in c.value for c in at.caption)


def test_a_peer_median_needs_three_agencies(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        df = queries.ranking(con, queries.Filters(), 2022, measure="grant_rate")
    few, enough = df[df.peers < queries.MIN_PEERS], df[df.peers >= queries.MIN_PEERS]
    assert len(few) and len(enough), "the demo has both"
    assert few.peer_median.isna().all() and enough.peer_median.notna().all()


def test_each_charts_note_counts_the_unverified_values_it_shows(demo_db, monkeypatch):
    """The note under a chart of sums counts that chart's unverified values, as its download does, not the
    whole section's."""
    at = open_page(app(demo_db, monkeypatch), "applications")
    expected = set()
    for f in frames(at):
        if "unverified" in f and "year" in f and len(f):
            per = f.groupby("year").unverified.sum()
            if per.sum():
                expected.add("，".join(f"{y}: 含 {int(u)} 个未经核验的数值（标 †）" for y, u in per.items() if u))
    shown = {c.value for c in at.caption if "未经核验的数值" in c.value and c.value[:4].isdigit()}
    assert expected and shown == expected, (shown, expected)


def test_every_panel_of_the_review_chart_shows_its_bars(demo_db, monkeypatch):
    """The review page's results are one panel per block (facets). A range set on their matched year axes
    made plotly hide every bar (a browser walk saw empty panels, the value axis at -1 to 4): the panels get
    a tick a year and bars a year wide, and no set range."""
    at = open_page(app(demo_db, monkeypatch), "review")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    axes = {k: v for k, v in spec["layout"].items() if k.startswith("xaxis")}
    assert len(axes) >= 3 and all(v.get("dtick") == 1 and "range" not in v for v in axes.values()), axes
    assert all(t.get("width") == 0.8 for t in spec["data"] if t["type"] == "bar")


def test_the_refusal_reasons_chart_has_a_title(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "applications")
    assert "不予公开、无法提供、不予处理的理由" in [h.value for h in at.subheader]


def test_the_profile_lists_every_year_from_the_agencys_first_even_one_no_agency_reported(gappy_db, monkeypatch):
    at = open_page(app(gappy_db, monkeypatch, agency="t-a"), "profile")  # reports of 2021 and 2023
    years = next(d.value for d in at.dataframe if "截止日期" in d.value.columns)  # each year's report
    assert [str(y) for y in years.iloc[:, 0]] == ["2021", "2022", "2023"], years.iloc[:, 0].tolist()
    # its downloads hold the missing year too: the reports' table and the measures (2022 was left out of the CSV)
    reports = next(f for f in frames(at) if "deadline" in f.columns)
    assert reports.year.tolist() == [2021, 2022, 2023]
    measures = next(f for f in frames(at) if "peers" in f.columns)
    assert 2022 in set(measures.year) and set(measures[measures.year == 2022].label) == {"未收到报告"}


def test_the_overview_gives_no_all_clear_on_timeliness_it_cannot_judge(gappy_db, monkeypatch):
    """Reports put in the inbox by hand have no date the site showed, and two registered agencies have no
    2023 report: the overview says what it cannot judge, not that no agency is late."""
    at = open_page(app(gappy_db, monkeypatch, year="2023"), "overview")
    said = [w.value for w in at.warning] + [i.value for i in at.info]
    assert not any("没有已知逾期" in s for s in said), said
    assert any("无法完整判断是否按期" in s and "1 份报告没有发布日期" in s and "3 个机关尚未收集到报告" in s
               for s in said), said


def test_the_count_of_agencies_reporting_is_no_like_for_like_change(gappy_db, monkeypatch):
    """The tile counts the agencies with a report each year; its change is the difference of the counts,
    and no arrow calls it a comparison of the same agencies."""
    at = open_page(app(gappy_db, monkeypatch, year="2023"), "overview")
    tile = next(m for m in at.metric if m.label == "机构报告数")
    assert tile.value == "1" and "同口径" not in (tile.delta or "")


def test_files_in_no_report_are_named_on_the_quality_page_and_in_the_run_report(tmp_path, monkeypatch):
    """A file read whose year cannot be told is in no report: the run report and the data-quality page name
    it, where before only a count in the run's summary said anything."""
    inbox = tmp_path / "inbox"
    write_report(inbox, "a-2023.html", "南京市交通运输局", 2023, seed=1)
    (inbox / "无年度.txt").write_text("某某县财政局政府信息公开工作年度报告\n一、总体情况\n本局门户网站访问量为12.5万次。\n",
                                     encoding="utf-8")
    db = tmp_path / "data" / "warehouse.duckdb"
    rr = refresh(inbox, db, quiet=True, workers=1)
    assert rr.unplaced == ["无年度.txt"] and "not placed, agency or year not told (1): 无年度.txt" in rr.summary()
    at = open_page(app(db, monkeypatch), "quality")
    assert any("1 个文件已读取" in w.value and "无年度.txt" in w.value.replace("\\", "") for w in at.warning), \
        [w.value for w in at.warning]


def test_a_ranking_of_one_agency_gives_no_rank(gappy_db, monkeypatch):
    """In 2023 only one agency reports: it is listed with its value, not ranked "1" (the best, or with worst
    first, the worst), and the page says why."""
    at = open_page(app(gappy_db, monkeypatch, year="2023"), "compare")  # 收到申请数, a count: every value ranked
    said = [w.value for w in at.warning]
    assert any("只有 1 个机关可以排名" in s for s in said), said
    table = at.dataframe[-1].value
    assert len(table) == 1 and table["名次"].isna().all()


def test_a_year_no_agency_reported_is_counted_as_none_under_the_sums(gappy_db, monkeypatch):
    """With the same-agencies switch off, 2022 has no agency: its empty slot is said (2022: 0) in the count
    of agencies under the chart, not left out of it as if the year did not exist."""
    at = app(gappy_db, monkeypatch, same="0")
    at = open_page(at, "applications")
    counts = [c.value for c in at.caption if c.value.startswith("各年合计所含机关数")]
    assert counts and all("2022: 0" in c for c in counts), counts


def test_a_report_whose_tables_were_not_read_says_so_over_each_blank_form(tmp_path, monkeypatch):
    """A report of prose only: each of 表二, 表三, 表四 is drawn as the blank standard form, with a warning
    over it that nothing of it was read (not a table the report left empty)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "prose.txt").write_text("某某县财政局2023年政府信息公开工作年度报告\n一、总体情况\n"
                                     "2023年，本局门户网站访问量为12.5万次。\n", encoding="utf-8")
    db = tmp_path / "data" / "warehouse.duckdb"
    refresh(inbox, db, quiet=True, workers=1)
    at = open_page(app(db, monkeypatch), "report")
    said = [w.value for w in at.warning if "未能从报告中读取本表的任何数值" in w.value]
    assert len(said) == 3
    assert not any("当前筛选条件下没有数据" in i.value for i in at.info)  # its prose was read: 网站访问量


def test_a_profile_chart_of_one_year_is_drawn_over_that_year_from_zero(gappy_db, monkeypatch):
    """苏州市交通运输局 reports 2021 only: its chart spans that year (not 2020 to 2022 by plotly's padding)
    and starts at zero (a count of one year was drawn from 1,294 to 1,296, a tick at half an application)."""
    at = open_page(app(gappy_db, monkeypatch, agency="t-b"), "profile")
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert spec["layout"]["xaxis"]["range"] == [2020.5, 2021.5]
    assert spec["layout"]["yaxis"]["rangemode"] == "tozero"
