"""Every page headless (AppTest): no exception; a filter changes what is shown; downloads are CSV
with a BOM and the expected header; language switch; links carry the filters; swaps are picked up."""
from __future__ import annotations

import json
import io
import re
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import pandas as pd

from tests.dashboard.conftest import PAGES, ROOT, by_code, media_bytes
from pipeline.warehouse.marts import build as build_marts

TIMEOUT = 120


def app(db, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("NIANBAO_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _as_list(v):
    return v if isinstance(v, list) else [v]


def downloads(at: AppTest) -> list[bytes]:
    return [media_bytes(d.proto.url) for d in at.get("download_button") if d.proto.url.endswith(".csv")]


def workbooks(at: AppTest) -> list[bytes]:
    return [media_bytes(d.proto.url) for d in at.get("download_button") if d.proto.url.endswith(".xlsx")]


def choose_report(at: AppTest, db, rid: str, prefix: str = "rp") -> AppTest:
    """Choose a report as a user does: its agency, then the report among the agency's."""
    with duckdb.connect(str(db), read_only=True) as con:
        aid = con.execute("select agency_id from reports where report_id = ?", [rid]).fetchall()[0][0]
    at.selectbox(key=f"{prefix}_agency").set_value(aid).run()
    return at.selectbox(key=f"{prefix}_report").set_value(rid).run()


def frames(at: AppTest) -> list[pd.DataFrame]:
    """Every CSV download of the page, read by pandas, columns named by their codes."""
    return [by_code(pd.read_csv(io.BytesIO(d), encoding="utf-8-sig", keep_default_na=False, na_values=[""]))
            for d in downloads(at)]


def frame_with(at: AppTest, *codes: str) -> pd.DataFrame:
    return next(f for f in frames(at) if set(codes) <= set(f.columns))


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_and_offers_csv(demo_db, monkeypatch, page):
    at = open_page(app(demo_db, monkeypatch), page)
    assert at.title and at.title[0].value
    files = downloads(at)
    assert files, "every page offers its data as CSV"
    xlsx = [d for d in at.get("download_button") if d.label == "下载 XLSX"]
    assert len(xlsx) == len(files) - sum(1 for d in at.get("download_button") if d.label == "下载原始文件"
                                         and d.proto.url.endswith(".csv"))  # and each as XLSX
    for data in files:
        assert data.startswith(b"\xef\xbb\xbf")
        df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        codes = set(by_code(df).columns)
        # every file says which year (or the worst year of an agency) its rows are, with labelled headers
        assert codes & {"year", "worst_year"}, list(df.columns)
        assert any(re.search(r"[\u4e00-\u9fff].* \[[a-z_.:]+\]$", c) for c in df.columns), list(df.columns)
        assert not any(str(c).startswith("Unnamed") for c in df.columns)
    for data, d in zip(files, xlsx):  # every XLSX opens in openpyxl with its CSV's header, numbers as numbers
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(media_bytes(d.proto.url)), read_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        assert list(rows[0]) == list(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").columns)
        year_col = next(i for i, h in enumerate(rows[0]) if h.endswith(("[year]", "[worst_year]")))
        assert all(isinstance(r[year_col], int) for r in rows[1:] if r[year_col] is not None)


@pytest.mark.parametrize("page", PAGES)
def test_every_table_writes_a_missing_value_as_a_dash(demo_db, monkeypatch, page):
    """Streamlit writes "None" for a missing value in a column of numbers (kept numbers so that a click on
    its header sorts them as numbers): every table of every page says — instead."""
    at = open_page(app(demo_db, monkeypatch), page)
    tables = at.dataframe
    assert tables or page not in {"overview", "compare", "profile", "web_media", "quality", "report"}
    assert all(t.proto.placeholder == "—" for t in tables), page


@pytest.mark.parametrize("page", PAGES)
def test_a_filter_changes_what_is_shown(demo_db, monkeypatch, page):
    before = downloads(open_page(app(demo_db, monkeypatch), page))
    after = downloads(open_page(app(demo_db, monkeypatch, prov="河南省"), page))
    assert before != after


def test_overview_tiles_and_coverage_two_marks(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "overview")
    labels = [m.label for m in at.metric]
    assert "机构报告数" in labels and "公开率" in labels
    cov = frame_with(at, "timeliness", "findings")
    assert {"agency", "agency_id", "year", "published_on", "deadline", "days_late"} <= set(cov.columns)
    # the deliberately missing report: its list page was read after the deadline without it
    assert "not_published" in set(cov.timeliness) and "截止日期后仍未发布" in " ".join(cov.iloc[:, 4].astype(str))
    failing = cov[cov.findings == "failing_checks"]
    assert len(failing) and set(failing.timeliness) <= {"on_time", "late", "date_unknown", "deadline_unknown"}  # two states, not one
    assert "on_time" in set(failing.timeliness)
    assert any("格子颜色" in c.value for c in at.caption)


def test_the_late_list_names_the_demos_late_agencies(demo_db, monkeypatch):
    from pipeline.demo.generator import LATE, NOT_PUBLISHED
    from pipeline.demo.render import agency_name

    for year in sorted({y for _, y in LATE} | {NOT_PUBLISHED[1]}):
        at = open_page(app(demo_db, monkeypatch, year=str(year)), "overview")
        assert at.selectbox(key="ov_year").value == year
        late = at.dataframe[0].value
        expected = {agency_name(i)[0] for (i, y) in LATE if y == year}
        if NOT_PUBLISHED[1] == year:
            expected.add(agency_name(NOT_PUBLISHED[0])[0])
        assert set(late.iloc[:, 0]) == expected
        for (i, y), days in LATE.items():
            if y == year:
                assert str(days) in set(late[late.iloc[:, 0] == agency_name(i)[0]].iloc[:, 4])
        n_late = sum(1 for (_, y) in LATE if y == year)
        assert any(f"逾期发布 {n_late} 个" in m.value for m in at.markdown)
        listed = frame_with(at, "days_late", "timeliness")
        assert set(listed.agency) == expected and pd.api.types.is_numeric_dtype(listed.days_late)


def test_filters_in_the_url_reproduce_the_view(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, prov="河南省", lang="en"), "overview")
    assert at.title[0].value == "Overview"
    assert at.multiselect(key="f_prov").value == ["河南省"]
    at.multiselect(key="f_prov").set_value(["湖北省"]).run()
    assert _as_list(at.query_params["prov"]) == ["湖北省"]


def test_language_switch(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "compare")
    assert at.title[0].value == "机构对比"
    at.radio(key="lang_choice").set_value("English").run()
    assert at.title[0].value == "Compare"
    assert _as_list(at.query_params["lang"]) == ["en"]


def test_small_samples_are_marked_listed_last_and_left_out_of_the_median(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "compare")
    at.selectbox(key="cmp_section").set_value("derived").run()
    at.selectbox(key="cmp_measure").set_value("grant_rate").run()
    assert not at.exception
    assert any("办理结果总计" in c.value for c in at.caption)  # the definition is on screen
    assert any("公开率越低越差" in c.value for c in at.caption)  # the direction is stated
    ranking = frame_with(at, "rank", "small_sample")
    assert list(ranking.columns)[:3] == ["rank", "agency", "agency_id"]
    small = ranking[ranking.small_sample == "是"]
    assert len(small) and (small.denominator < 30).all()  # the demo's small agencies are marked
    assert (ranking[ranking.small_sample == "否"].denominator >= 30).all()
    flags = list(ranking.small_sample == "是")
    assert flags == sorted(flags)  # every small sample after every other agency, none hidden
    assert small["rank"].isna().all()  # and unranked
    ranked = ranking[ranking.small_sample == "否"]
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))  # ranks ascend down the table
    assert list(ranked.grant_rate) == sorted(ranked.grant_rate)  # worst (lowest) first
    # rates as on screen: percentages rounded to one decimal, the change in percentage points
    assert all(abs(v * 10 - round(v * 10)) < 1e-6 for v in ranked.grant_rate)
    assert any("（%） [grant_rate]" in c for c in pd.read_csv(io.BytesIO(downloads(at)[-1]), encoding="utf-8-sig").columns)
    table = at.dataframe[-1].value
    # on screen numbers are numbers (a click on a header sorts by value), each written by its column's format
    assert list(table["名次"].iloc[:len(ranked)]) == list(range(1, len(ranked) + 1))
    assert table["名次"].iloc[len(ranked):].isna().all()
    assert pd.api.types.is_float_dtype(table["公开率"]) and pd.api.types.is_float_dtype(table["变化（个百分点）"])
    cols = list(table.columns)  # what the rate divides by sits beside it, in view at a laptop's width
    assert cols[cols.index("公开率") + 1: cols.index("公开率") + 3] == ["分母", "小样本"]
    change = table["变化（个百分点）"].dropna()
    assert len(change) and ((change * 10).round() == change * 10).all()  # one decimal, as "+6.9 个百分点" writes it
    assert set(table["标记"].iloc[len(ranked):]) <= {"*", "* †"} and not table["标记"].iloc[:len(ranked)].str.contains(r"\*").any()
    config = json.loads(at.dataframe[-1].proto.columns)
    assert config["变化（个百分点）"]["type_config"]["format"] == "%+.1f 个百分点"
    assert config["公开率"]["type_config"]["format"] == "%.1f%%"
    with duckdb.connect(str(demo_db), read_only=True) as con:
        year = int(ranking.year.iloc[0])
        n = con.execute("select count(*) from measures where year = ? and grant_rate is not null", [year]).fetchall()[0][0]
    assert len(ranking) == n


def test_worst_first_is_highest_first_for_a_correction_rate(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, metric="correction_rate"), "compare")
    assert any("复议诉讼纠错率越高越差" in c.value for c in at.caption)
    ranked = frame_with(at, "rank", "correction_rate")
    ranked = ranked[ranked.small_sample == "否"]
    assert list(ranked.correction_rate) == sorted(ranked.correction_rate, reverse=True)
    at.radio(key="cmp_order").set_value(False).run()
    assert _as_list(at.query_params["order"]) == ["best"]
    ranked = frame_with(at, "rank", "correction_rate")
    ranked = ranked[ranked.small_sample == "否"]
    assert list(ranked.correction_rate) == sorted(ranked.correction_rate)


def test_lowest_first_shows_the_lowest_agency(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, metric="app.received_new:total", order="best"), "compare")
    assert at.radio(key="cmp_order").value is False
    ranking = frame_with(at, "rank", "app.received_new:total")
    values = list(ranking["app.received_new:total"])
    assert values == sorted(values)
    import json

    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    bars = spec["data"][0]
    assert _array(bars["y"])[0].rstrip(" *") == ranking.agency.iloc[0]  # the lowest agency is the first bar


def test_a_copied_url_reproduces_a_comparison(demo_db, monkeypatch):
    url = dict(metric="grant_rate", agencies=["demo-03", "demo-05"], year="2022", order="best", bars="10")
    at = open_page(app(demo_db, monkeypatch, **url), "compare")
    assert at.selectbox(key="cmp_measure").value == "grant_rate"
    assert at.multiselect(key="cmp_agencies").value == ["demo-03", "demo-05"]
    assert at.selectbox(key="cmp_year").value == 2022 and at.radio(key="cmp_order").value is False
    assert at.number_input(key="cmp_n").value == 10
    assert set(frames(at)[0].agency_id) == {"demo-03", "demo-05"}
    at.number_input(key="cmp_n").set_value(15).run()
    assert _as_list(at.query_params["bars"]) == ["15"]
    # the page writes its state back, so what is on screen is what a copied link holds
    assert _as_list(at.query_params["agencies"]) == ["demo-03", "demo-05"]
    at.multiselect(key="cmp_agencies").set_value([]).run()
    assert _as_list(at.query_params["agencies"]) == ["none"]  # cleared stays cleared, no six defaults
    assert any("请选择机关" in i.value for i in at.info)


def test_switching_metric_keeps_the_chosen_agencies(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, agencies=["demo-09"]), "compare")
    at.selectbox(key="cmp_measure").set_value("correction_rate").run()
    assert at.multiselect(key="cmp_agencies").value == ["demo-09"]


def test_a_group_adds_all_departments_of_a_government(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, agencies="none"), "compare")
    at.selectbox(key="cmp_group").set_value("parent:demo-07").run()
    assert set(at.multiselect(key="cmp_agencies").value) == {"demo-08", "demo-09"}
    assert not [w for w in at.warning if "趋势图最多" in w.value]


def test_a_large_group_adds_agencies_up_to_the_trends_limit_and_says_how_many_it_left(demo_db, monkeypatch):
    """A group of thousands (every city-level agency) would draw a line each; it fills the trend up to its
    limit (20) and says how many of the group it left out."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        city = [r[0] for r in con.execute("select agency_id from agencies where level = 'city' order by 1").fetchall()]
        chosen = [r[0] for r in con.execute("select agency_id from agencies where level <> 'city' and agency_id like "
                                            "'demo-%' order by 1 limit 10").fetchall()]
    assert len(city) > 20 - len(chosen), "the demo has more city-level agencies than the room left"
    at = open_page(app(demo_db, monkeypatch, agencies=chosen), "compare")
    at.selectbox(key="cmp_group").set_value("level:city").run()
    now = at.multiselect(key="cmp_agencies").value
    assert len(now) == 20 and set(chosen) <= set(now) and len(set(now) & set(city)) == 20 - len(chosen)
    left = len(city) - (20 - len(chosen))
    assert [w.value for w in at.warning if f"该组 {len(city)} 个机关中有 {left} 个未加入" in w.value]


def test_profile_page_from_the_url(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, agency="demo-14"), "profile")
    assert at.selectbox(key="pf_agency").value == "demo-14"
    body = " ".join(c.value for c in at.caption)
    assert "同级同类机关" in body and "已在机关名录登记" in body
    reports = at.dataframe[0].value
    assert list(reports.iloc[:, 0]) == sorted(reports.iloc[:, 0])  # oldest first, as the measures' columns
    gap = reports[reports.iloc[:, 0] == "2022"]  # the missing year is a row that says so, linked to its coverage
    # each link says where it goes: the report, or that year's overview (no report), not the same 打开 for both
    assert len(gap) == 1 and "未收到报告" in set(gap.iloc[0]) and gap.iloc[0, -1] == "overview?year=2022#查看当年概况（无报告）"
    assert not gap.iloc[0].isna().any() and "None" not in set(gap.iloc[0].astype(str))  # blanks, never None
    held = reports[reports.iloc[:, 0] != "2022"]
    assert held.iloc[:, -1].str.match(r"report\?report=\w+#打开报告$").all()  # each year held links to its report
    assert "" not in set(held["是否按期"])  # 是否按期: said for every report (发布日期未知 where no date), never blank
    assert any("2022" in c.value and "不是零" in c.value for c in at.caption)
    grid = next(d.value for d in at.dataframe if "2022" in d.value.columns and "2021" in d.value.columns)
    assert set(grid["2022"]) == {"未收到报告"}
    measures = frame_with(at, "measure", "rate_value")
    assert set(measures.agency_id) == {"demo-14"}
    apps = measures[measures.measure == "applications"]
    assert apps.count_median.notna().all() and (apps.peers > 0).all()  # the median says over how many
    at.selectbox(key="pf_measure").set_value("grant_rate").run()
    assert _as_list(at.query_params["measure"]) == ["grant_rate"]  # the chart's measure in the URL
    again = open_page(app(demo_db, monkeypatch, agency="demo-14", measure="grant_rate"), "profile")
    assert again.selectbox(key="pf_measure").value == "grant_rate"


def test_tiles_compare_the_same_agencies(demo_db, monkeypatch):
    """The applications tile's change is computed over the agencies with a value in both years: checked
    against the warehouse's facts directly (not against the tile's own numbers)."""
    at = open_page(app(demo_db, monkeypatch), "overview")
    assert any("个机关" in c.value and "同一批" in c.value for c in at.caption)
    tiles = frame_with(at, "tile", "count_change")
    apps = tiles[tiles.tile == "applications"].iloc[0]
    year = int(apps.year)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        now, before, n = con.execute("""
            with v as (select agency_id, year, value from v_values where metric = 'app.received_new' and dim = 'total')
            select sum(c.value), sum(p.value), count(*) from v c join v p on p.agency_id = c.agency_id and p.year = c.year - 1
            where c.year = ?""", [year]).fetchall()[0]
    assert float(apps.count_change) == now - before and int(apps.same_agencies) == n
    metric = next(m for m in at.metric if m.label == "收到申请")
    assert metric.delta == ("+" if now >= before else "-") + f"{abs(now - before):,.0f}"


def test_no_warehouse_shows_how_to_build_one(tmp_path, monkeypatch):
    at = app(tmp_path / "none.duckdb", monkeypatch)
    at.run()
    assert not at.exception
    assert any("nianbao refresh" in c.value for c in at.code)


def test_a_swapped_warehouse_is_picked_up_without_restart(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db, db)
    at = open_page(app(db, monkeypatch), "overview")
    first = next(m.value for m in at.metric if m.label == "机构报告数")
    tmp = tmp_path / "w2.duckdb"
    shutil.copyfile(demo_db, tmp)
    with duckdb.connect(str(tmp)) as con:
        year = con.execute("select max(year) from reports").fetchall()[0][0]
        con.execute("delete from measures where year = ? and agency_id in (select agency_id from agencies limit 5)", [year])
        build_marts(con)  # the marts made from the changed measures, as a refresh's build makes them
    tmp.replace(db)  # what a refresh does: one rename
    at.run()
    second = next(m.value for m in at.metric if m.label == "机构报告数")
    assert first != second


def test_report_page_draws_tables_and_marks_failing_cells(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "report")
    with duckdb.connect(str(demo_db), read_only=True) as con:
        bad = con.execute("select report_id from check_results where check_id = 'review_sum'").fetchall()[0][0]
    choose_report(at, demo_db, bad)
    assert not at.exception
    assert any(":material/error:" in c.value for c in at.caption)  # failing cells are marked
    # and the failing check is stated under its table, in words (not only in the cell's tooltip)
    from pipeline.spec import findings

    with duckdb.connect(str(demo_db), read_only=True) as con:
        cells, data = con.execute("select cells, data from check_results where check_id = 'review_sum' "
                                  "and report_id = ?", [bad]).fetchall()[0]
    said = findings.message("review_sum", cells, data, "zh")
    captions = [c.value for c in at.caption]
    assert said and any(said.replace("*", "") in c.replace("\\", "") for c in captions), (said, captions)
    html = "".join(m.value for m in at.markdown if "nb-t" in m.value)
    # as printed: the header groups, the numbering, full labels, 表四's fifteen columns
    assert "法人或其他组织" in html and "（七）总计" in html and "三、本年度办理结果" in html
    assert "5.要求行政机关确认或重新出具已获取信息" in html
    table4 = html[html.rindex('<table class="nb-t">'):]
    assert table4.count("<th>结果纠正</th>") == 3 and "复议后起诉" in table4
    assert re.search(r'class="n bad( unv)?" title="检查项: review_sum', html)  # the failing cell names its check
    assert "e+" not in html
    with duckdb.connect(str(demo_db), read_only=True) as con:
        agency, year = con.execute("select a.name, r.year from reports r join agencies a using (agency_id) "
                                   "where report_id = ?", [bad]).fetchall()[0]
    tables = frames(at)
    assert len(tables) >= 5 and all(set(t.agency) == {agency} and set(t.year) == {year} for t in tables)
    # the prose's figures with thousands separators, every digit kept (3,985,758)
    shown = [d.value for d in at.dataframe if "来源" in d.value.columns and "数值" in d.value.columns]
    big = [v for v in shown[0]["数值"] if len(v.replace(",", "").split(".")[0]) > 3]
    assert big and all(re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", v) for v in big), big
    # the printed tables' exports: numbers as numbers (an XLSX whose cells SUM), not text
    import openpyxl

    xlsx = [d for d in at.get("download_button") if d.label == "下载 XLSX"]
    wb = openpyxl.load_workbook(io.BytesIO(media_bytes(xlsx[1].proto.url)))  # 表三
    rows = list(wb.active.iter_rows(values_only=True))
    numbers = [v for r in rows[1:] for v in r[4:] if v is not None]
    assert numbers and all(isinstance(v, (int, float)) for v in numbers)
    assert any(b.label == "下载原始文件" for b in at.get("download_button"))
    assert _as_list(at.query_params["report"]) == [bad]


def test_a_report_from_the_url(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rid = con.execute("select report_id from reports order by report_id limit 1 offset 7").fetchall()[0][0]
    at = open_page(app(demo_db, monkeypatch, report=rid), "report")
    assert at.selectbox(key="rp_report").value == rid


@pytest.mark.parametrize("value", ["²", "①", "abc", "99999", "-1"])
def test_a_bad_year_in_the_url_is_a_message_not_a_trace(demo_db, monkeypatch, value):
    at = app(demo_db, monkeypatch, y0=value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("y0" in w.value for w in at.warning)


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage"])
def test_an_unreadable_warehouse_is_a_message_not_a_trace(demo_db, monkeypatch, tmp_path, damage):
    bad = tmp_path / "warehouse.duckdb"
    data = demo_db.read_bytes()
    bad.write_bytes({"truncated": data[: len(data) // 3], "empty": b"", "garbage": b"\x00garbage" * 1000}[damage])
    at = app(bad, monkeypatch)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "rebuild" in " ".join(c.value for c in at.code)


def test_a_warehouse_of_an_older_schema_asks_for_a_refresh(demo_db, monkeypatch, tmp_path):
    """A warehouse written before check results carried their fields (schema 6: no cells, no data): the
    dashboard says to refresh (which rebuilds it) instead of breaking on a page."""
    old = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, old)
    with duckdb.connect(str(old)) as con:
        con.execute("update meta set value = '6' where key = 'schema_version'")
        con.execute("drop view v_check_results")
        con.execute("alter table check_results drop column cells")
    for page in ("quality", "report"):
        at = app(old, monkeypatch)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.warning and "nianbao refresh" in " ".join(c.value for c in at.code)
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.dataframe  # stopped before any page read a table of the older shape


def test_ten_sessions_keep_rendering_through_swaps(demo_db, tmp_path, monkeypatch):
    """Ten sessions (each its own AppTest) on different pages while the warehouse is swapped under them
    eleven times, including once for an unreadable file and back: every run renders, none shows a trace."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db, db)
    sessions = [open_page(app(db, monkeypatch), PAGES[i % len(PAGES)]) for i in range(10)]
    for swap in range(11):
        tmp = tmp_path / f"next{swap}.duckdb"
        if swap == 5:
            tmp.write_bytes(demo_db.read_bytes()[:100_000])  # a truncated file, as a botched copy would leave
        else:
            shutil.copyfile(demo_db, tmp)
        tmp.replace(db)
        for at in sessions[swap % 2::2]:
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            if swap == 5:
                assert at.error  # the message, not a trace


def test_a_missing_year_is_a_gap_in_the_chart(demo_db, monkeypatch):
    """The demo's agency 14 has no 2022 report: its line has a point with no value there, so the chart
    breaks instead of drawing a straight line from 2021 to 2023."""
    import json

    from pipeline.demo.render import agency_name

    name = agency_name(14)[0]
    at = open_page(app(demo_db, monkeypatch), "compare")
    at.multiselect(key="cmp_agencies").set_value(["demo-14"]).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    trace = next(t for t in spec["data"] if t.get("name") == name)
    points = dict(zip(_array(trace["x"]), _array(trace["y"])))
    assert 2022 in points and _blank(points[2022])
    assert not _blank(points.get(2021)) and not _blank(points.get(2023))


def _array(v):
    """A plotly array as JSON gives it: a list, or typed binary ({dtype, bdata})."""
    import base64

    import numpy as np

    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v)


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and x != x)


def test_with_gaps_adds_the_missing_years_only_inside_each_line():
    import pandas as pd

    from app_pages.common import with_gaps

    df = pd.DataFrame({"agency": ["a", "a", "b", "b"], "year": [2019, 2022, 2020, 2021], "value": [1, 2, 3, 4]})
    out = with_gaps(df, "agency")
    a = out[out.agency == "a"].set_index("year").value
    assert list(a.index) == [2019, 2020, 2021, 2022] and a.isna().tolist() == [False, True, True, False]
    assert len(out[out.agency == "b"]) == 2


def test_quality_findings_speak_the_interface_language(demo_db, monkeypatch):
    """Severities and check names in Chinese, metric codes in the messages written as their labels; the
    check's explanation and the reviewer's note are two columns with two names."""
    at = open_page(app(demo_db, monkeypatch), "quality")
    table = frame_with(at, "finding_key", "explanation", "note")
    assert set(table.severity) <= {"错误", "警告", "提示"} and set(table.status) == {"未处理"}
    codes = re.compile(r"\b(app|review|litigation|website|newmedia|active)\.[a-z_.]+")
    assert len(table) and not any(codes.search(str(m)) for m in table.message)
    assert table.explanation.str.len().gt(0).all() and table.note.isna().all()
    assert table.page_report.str.match(r"^https?://[^/]+(/[^?]*)?/report\?report=[0-9a-f]{64}$").all()  # absolute
    header = at.dataframe[1].value.columns
    assert "检查说明" in header and "复核备注" in header and len(set(header)) == len(header)


def _score_of(at, agency, year):
    scores = frame_with(at, "score", "report_id" if False else "dismissed")
    return float(scores[(scores.agency == agency) & (scores.year == year)].score.iloc[0])


def _review(at, key, status, note=""):
    at.selectbox(key="dq_review_key").set_value(key).run()
    at.radio(key="dq_review_status").set_value(status)
    at.text_input(key="dq_review_note").set_value(note)
    next(b for b in at.button if b.label == "保存复核").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_saving_a_review_without_a_status_saves_nothing(demo_db, tmp_path, monkeypatch):
    """The review form starts with no status chosen: saving it as it opens confirms nothing."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    at = open_page(app(db, monkeypatch), "quality")
    assert at.radio(key="dq_review_status").value is None
    next(b for b in at.button if b.label == "保存复核").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("请先选择复核状态" in w.value for w in at.warning)
    assert not (tmp_path / "reviews.csv").exists()


def test_a_confirmed_finding_counts_a_dismissed_one_does_not(demo_db, tmp_path, monkeypatch):
    """Confirming a finding keeps it against the score (it is a real problem: the agency stays worst-first);
    dismissing it takes it out. Each is written to reviews.csv and stays findable under its status, with
    the filters in the URL."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    at = open_page(app(db, monkeypatch), "quality")
    with duckdb.connect(str(db), read_only=True) as con:
        key, agency, year = con.execute(
            "select finding_key, agency, year from v_check_results where check_id = 'review_sum'").fetchall()[0]
    open_score = _score_of(at, agency, year)
    worst = list(frame_with(at, "min_score", "mean_score").agency)
    # the form shows the check's explanation, the cells and a link to the report of the chosen finding
    at.selectbox(key="dq_review_key").set_value(key).run()
    shown = " ".join(m.value for m in at.markdown)
    assert "检查说明" in shown and "涉及单元格" in shown
    assert any(getattr(p, "label", "").startswith("报告：" + agency) for p in at.get("page_link"))
    labels = at.selectbox(key="dq_review_key").options
    assert len(labels) == len(set(labels))  # distinct labels in the picker
    _review(at, key, "dismissed", "  ")  # a dismissal without its reason is refused, nothing saved
    assert any("须在复核备注中写明理由" in w.value for w in at.warning) and not (tmp_path / "reviews.csv").exists()
    assert at.radio(key="dq_review_status").value == "dismissed"  # a refused save keeps what was chosen
    _review(at, key, "confirmed", "已与机关核实，确有错误")
    assert at.radio(key="dq_review_status").value is None and at.text_input(key="dq_review_note").value == ""
    assert [s.value for s in at.success if s.value.startswith("已保存复核（已确认）")]  # said after the rerun
    assert at.selectbox(key="dq_review_key").value == key and any("复核状态：已确认（已与机关核实" in m.value for m in at.markdown)
    assert _score_of(at, agency, year) == open_score  # still counts: confirming does not raise the score
    assert list(frame_with(at, "min_score", "mean_score").agency).index(agency) <= worst.index(agency)
    assert any("已确认的发现都计入" in c.value for c in at.caption)  # the rule is stated
    _review(at, key, "dismissed", "表四总计含上年结转，已与机关核实")
    assert _score_of(at, agency, year) == open_score + 20
    # it left the default list: the picker and the form below now show one same other finding
    picked = at.selectbox(key="dq_review_key").value
    assert picked != key and picked == list(frame_with(at, "finding_key", "note").finding_key)[0]
    assert open_score < open_score + 20  # a confirmed finding scores lower than a dismissed one
    lines = (tmp_path / "reviews.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "finding_key,status,note,reviewed_at" and lines[1].startswith(f"{key},confirmed,已与机关核实")
    assert lines[2].startswith(f"{key},dismissed,表四总计含上年结转")
    at.multiselect(key="dq_status").set_value(["dismissed"]).run()
    assert _as_list(at.query_params["status"]) == ["dismissed"]
    found = frame_with(at, "finding_key", "note")
    assert list(found.finding_key) == [key] and found.status.iloc[0] == "已排除"
    assert found.note.iloc[0] == "表四总计含上年结转，已与机关核实"
    # a copied link finds it again
    again = open_page(app(db, monkeypatch, status="dismissed", sev=["error", "warning"], check="review_sum"), "quality")
    assert again.multiselect(key="dq_status").value == ["dismissed"]
    assert again.multiselect(key="dq_checks").value == ["review_sum"]
    assert list(frame_with(again, "finding_key", "note").finding_key) == [key]
    # a link to it under the default filters (which leave dismissed findings out): that finding, said so, never
    # another one in its place (a review saved then went to the other finding)
    linked = open_page(app(db, monkeypatch, finding=key), "quality")
    assert linked.selectbox(key="dq_review_key").value == key
    assert any("不在当前筛选条件内" in i.value for i in linked.info)
    # a filter that keeps nothing is no all-clear
    none = open_page(app(db, monkeypatch, status="confirmed", check="app_balance"), "quality")
    assert not [x for x in none.success if "没有未通过的检查" in x.value]


def test_findings_in_english_when_the_interface_is_english(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, lang="en"), "quality")
    table = frame_with(at, "finding_key", "message")
    problems = " ".join(table.message)
    assert "upheld + corrected + other + pending" in problems and "carried forward in" in problems
    assert not re.search(r"[结维纠总计采用正文]", problems)  # no Chinese wording of a message (names aside)
    assert "Check's explanation" in at.dataframe[1].value.columns and "Reviewer's note" in at.dataframe[1].value.columns


# -- small samples everywhere a rate is shown -----------------------------------------------------------

SMALL = "石牌街道"  # the demo's township street office of 广州市天河区: a handful of applications a year


def test_a_small_sample_rate_is_marked_on_every_page_that_shows_it(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        aid, year, handled = con.execute(
            "select agency_id, year, handled from measures join agencies using (agency_id) "
            "where name like ? and handled < 30 and grant_rate is not null order by year desc limit 1",
            [f"%{SMALL}%"]).fetchall()[0]
    # overview: the tile over this one agency is marked, with its denominator
    at = open_page(app(demo_db, monkeypatch, q=SMALL, year=str(year)), "overview")
    tile = next(m for m in at.metric if m.label == "公开率")
    assert tile.value.endswith("*")
    assert any(f"小样本：分母 {handled:,.0f}，不足 30" in c.value for c in at.caption)
    # profile: the cell says n= and small sample
    at = open_page(app(demo_db, monkeypatch, agency=aid), "profile")
    grid = at.dataframe[1].value
    cell = grid.loc["公开率", str(year)]
    assert cell.startswith("* ") and f"n={handled:,.0f}，小样本" in cell
    # compare: the trend marks the point, the ranking marks and does not rank it
    at = open_page(app(demo_db, monkeypatch, metric="grant_rate", agencies=[aid], year=str(year)), "compare")
    assert any("空心点为小样本" in c.value for c in at.caption)
    ranking = frame_with(at, "rank", "small_sample")
    row = ranking[ranking.agency_id == aid].iloc[0]
    assert row.small_sample == "是" and pd.isna(row["rank"])
    # the medians leave it out and say over how many agencies they are
    assert (ranking.peers >= 0).all() and "peers" in ranking.columns


def test_units_procurement_and_sums(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, year="2020"), "overview")
    tile = next(m for m in at.metric if m.label == "集中采购金额")
    assert tile.value.endswith(("亿元", "万元"))
    with duckdb.connect(str(demo_db), read_only=True) as con:
        total = con.execute("select sum(procurement_wan_yuan) from measures where year = 2020").fetchall()[0][0]
    expected = (f"{total / 1e4:,.2f}".rstrip("0").rstrip(".") + "亿元" if total >= 1e4
                else f"{total:,.2f}".rstrip("0").rstrip(".") + "万元")
    assert tile.value == expected
    at = open_page(app(demo_db, monkeypatch, year="2023"), "overview")
    assert next(m for m in at.metric if m.label == "集中采购金额").value == "—"
    assert any("只有 2019 年格式" in c.value for c in at.caption)  # the reason, not "0 个机关" alone
    at = open_page(app(demo_db, monkeypatch, same="0"), "applications")
    assert any(c.value.startswith("各年合计所含机关数") and "2022: 39" in c.value for c in at.caption)
    at.toggle(key="app_same").set_value(True).run()
    assert "same" not in at.query_params  # on is the default: the link says nothing
    assert any("同一批 39 个机关" in c.value for c in at.caption)
    import json

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["yaxis"].get("tickformat") == ",~r"
    at = open_page(app(demo_db, monkeypatch), "review")
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert spec["layout"]["yaxis"]["tickformat"] == ".1%"  # enough decimals for rates that differ by tenths


@pytest.mark.parametrize("page", PAGES)
def test_huge_numbers_and_markup_in_the_url_are_plain_messages(demo_db, monkeypatch, page):
    digits = "9" * 5000
    at = app(demo_db, monkeypatch, y0=digits, y1=digits, year=digits, page=digits, bars=digits,
             agency="[x](http://example.com/) ![i](http://example.com/i.png) www.example.com")
    at.switch_page(f"app_pages/{page}.py")
    at.run()  # the first run on the page, with the link's parameters as given
    assert not at.exception, [e.value for e in at.exception]
    warned = " ".join(w.value for w in at.warning)
    assert "y0=" in warned and "y1=" in warned
    if page in ("overview", "compare", "review", "active"):
        assert "year=" in warned
    if page == "profile":
        assert "agency=" in warned
    for w in at.warning:  # Markdown in a value is escaped: no link, no image, no bare www. address
        assert "](http" not in w.value and "www.example" not in w.value


def test_unverified_values_are_marked_counted_and_can_be_left_out(demo_db, monkeypatch):
    """A value whose facts the report's own identities do not confirm (the demo's 表三 that does not add up)
    is marked † in the ranking, the profile and the printed report; every aggregate says how many it
    includes; the sidebar's switch (kept in the URL) leaves them out and says how many."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        aid, year = con.execute("select agency_id, year from measures_verified where not grant_rate").fetchall()[0]
        rid = con.execute("select report_id from reports where agency_id = ? and year = ?", [aid, year]).fetchall()[0][0]
        n_facts = con.execute("select count(*) from facts where report_id = ? and not verified", [rid]).fetchall()[0][0]
        cy = con.execute("select year from measures_verified where not correction_rate").fetchall()[0][0]
    at = open_page(app(demo_db, monkeypatch, metric="grant_rate", year=str(year)), "compare")
    ranking = frame_with(at, "rank", "verified")
    assert ranking[ranking.agency_id == aid].verified.iloc[0] == "否" and (ranking.verified == "否").sum() == 1
    table = at.dataframe[-1].value
    assert table[table["机关档案"].str.endswith(aid)]["标记"].iloc[0].endswith("†")
    assert any("含 1 个未经核验的数值" in c.value for c in at.caption)
    at.toggle(key="f_verified").set_value(True).run()
    assert _as_list(at.query_params["verified"]) == ["1"]
    assert aid not in set(frame_with(at, "rank", "verified").agency_id)
    assert any("已略去 1 个未经核验的数值" in c.value for c in at.caption)
    at = open_page(app(demo_db, monkeypatch, agency=aid), "profile")
    assert at.dataframe[1].value.loc["公开率", str(year)].startswith("† ")
    at = open_page(app(demo_db, monkeypatch, report=rid), "report")
    html = "".join(m.value for m in at.markdown if "nb-t" in m.value)
    assert html.count(' unv"') == n_facts  # every unverified cell of the printed tables
    # and their exports name the same cells (the walk found 28 † on screen, none in the table's CSV)
    named = [n for t in frames(at) if "unverified" in t.columns and "row" in t.columns
             for v in t.unverified.dropna() for n in v.split("; ")]
    assert len(named) == n_facts, named
    assert any(f"含 {n_facts} 个未经核验的数值" in c.value for c in at.caption)
    at = open_page(app(demo_db, monkeypatch, year=str(cy)), "overview")
    assert any("含 1 个未经核验的数值" in c.value for c in at.caption)  # the correction-rate tile
    at = open_page(app(demo_db, monkeypatch, year=str(cy), verified="1"), "overview")
    assert any("已略去 1 个未经核验的数值" in c.value for c in at.caption)


def test_unusable_review_lines_are_named_on_the_quality_page(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    (tmp_path / "reviews.csv").write_text('finding_key,status,note,reviewed_at\nabc,confirmed,"broken,x\nzzz,weird,,\n',
                                          encoding="utf-8")
    at = open_page(app(db, monkeypatch), "quality")
    assert any("2 行无法使用" in w.value for w in at.warning)
    listed = " ".join(t.value for t in at.text)
    assert "line 2" in listed and "line 3" in listed


@pytest.fixture(scope="module")
def ocr_db(tmp_path_factory):
    """A warehouse of two reports: a page whose 表二 is a picture beside it (read by OCR), and a text report."""
    from PIL import Image

    from pipeline.refresh.run import refresh
    from tests.extract.test_ocr import ROWS, _drawn_table
    from tests.fetch.site import DEMO, _pictures_page

    base = tmp_path_factory.mktemp("ocr-db")
    page = base / "inbox" / "scan" / "r.html"
    (page.parent / "img").mkdir(parents=True)
    page.write_bytes(_pictures_page())
    Image.fromarray(_drawn_table(ROWS, [260, 200, 200, 200])).save(page.parent / "img" / "t2.png")
    (base / "inbox" / "02-2023.txt").write_bytes((DEMO / "02-2023.txt").read_bytes())
    db = base / "data" / "warehouse.duckdb"
    rr = refresh(base / "inbox", db, workers=1)
    assert not rr.files_failed
    return db


def test_report_page_marks_a_report_read_by_ocr_and_not_a_text_report(ocr_db, monkeypatch):
    with duckdb.connect(str(ocr_db), read_only=True) as con:
        ids = dict(con.execute("select source_format, report_id from reports").fetchall())
    at = open_page(app(ocr_db, monkeypatch, report=ids["html"]), "report")
    mark = [c.value for c in at.caption if "OCR" in c.value]
    assert len(mark) == 1 and mark[0].startswith(":material/document_scanner: 由 OCR 识别：本报告 6/"), mark
    assert re.search(r"最低识别置信度 (0\.9\d|1\.00)", mark[0])
    facts = frame_with(at, "read_by_ocr", "ocr_confidence")
    ocr = facts[facts.read_by_ocr.astype(str) == "是"]  # 是/否, as every yes-or-no column of a download
    assert set(ocr.key) == {"active.regulations:made", "active.regulations:repealed", "active.regulations:in_force",
                            "active.normative_docs:made",
                            "active.normative_docs:repealed", "active.normative_docs:in_force"}
    assert (ocr.ocr_confidence.astype(float) >= 0.9).all()
    at.radio(key="lang_choice").set_value("English").run()
    assert any(c.value.startswith(":material/document_scanner: Read by OCR: 6 of ") for c in at.caption)
    at.radio(key="lang_choice").set_value("中文").run()
    choose_report(at, ocr_db, ids["txt"])
    assert not at.exception
    assert not [c.value for c in at.caption if "OCR" in c.value]
    facts = frame_with(at, "read_by_ocr")
    assert not (facts.read_by_ocr.astype(str) == "是").any()


def test_the_review_letter_says_a_report_was_read_by_ocr(ocr_db):
    from pipeline.serve.writing.letter import letter_text

    with duckdb.connect(str(ocr_db), read_only=True) as con:
        ids = dict(con.execute("select source_format, report_id from reports").fetchall())
        zh, _ = letter_text(con, ids["html"], None, "zh")
        en, _ = letter_text(con, ids["html"], None, "en")
        text, _ = letter_text(con, ids["txt"], None, "zh")
    assert "| 读取方式 | 由 OCR 识别（扫描页或图片）：6/" in zh and "| Read by | OCR (scanned pages or pictures): 6 of " in en
    assert "OCR" not in text


def test_profile_says_when_the_only_peer_is_the_agency_itself(demo_db, monkeypatch):
    """demo-07 is the only one of its level and kind with a 2020 correction rate: its median would be itself."""
    at = open_page(app(demo_db, monkeypatch, agency="demo-07"), "profile")
    measures = frame_with(at, "measure", "rate_value")
    assert (measures.peers == 1).any(), "the demo has a measure whose only peer is the agency"
    grid = next(d.value for d in at.dataframe if "2021" in d.value.columns and "2019" in d.value.columns)
    cells = [c for c in grid.to_numpy().ravel() if isinstance(c, str)]
    assert any("同级同类仅本机关" in c for c in cells)
    assert not any(c.endswith("（1）") for c in cells)  # no median 'over 1 agency' that is itself


def test_a_peer_outside_the_agencys_region_is_not_taken_for_the_agency_itself(demo_db, monkeypatch):
    """With the sidebar on another province, demo-07's one 2020 peer is not demo-07: its median is shown."""
    import duckdb

    with duckdb.connect(str(demo_db), read_only=True) as con:
        own = con.execute("select province from agencies where agency_id = 'demo-07'").fetchall()[0][0]
        other = [p for (p,) in con.execute("select distinct province from agencies where province is not null")
                 .fetchall() if p != own]
    assert other
    for province in other:
        at = open_page(app(demo_db, monkeypatch, agency="demo-07", prov=province), "profile")
        measures = frame_with(at, "measure", "rate_value")
        if (measures.peers == 1).any():
            grid = next(d.value for d in at.dataframe if "2021" in d.value.columns and "2019" in d.value.columns)
            assert not any("同级同类仅本机关" in c for c in grid.to_numpy().ravel() if isinstance(c, str))
            return
    raise AssertionError("no province gives demo-07 a single peer")


def test_the_review_picker_lists_a_bounded_number_and_the_finding_clicked(demo_db, monkeypatch):
    """The picker lists the table's first PICK_LIMIT findings (never all 3,850 at 100,000 reports) and says
    so; a finding chosen beyond them (a row clicked in the table, or ?finding= in a link) is listed and
    reviewed."""
    from pipeline.serve import queries

    monkeypatch.setattr(queries, "PICK_LIMIT", 5)
    at = open_page(app(demo_db, monkeypatch), "quality")
    keys = list(frame_with(at, "finding_key", "explanation").finding_key)
    assert len(keys) > 6
    assert len(at.selectbox(key="dq_review_key").options) == 5
    assert any(c.value.startswith("下拉框列出上表前 5 个问题") and f"共 {len(keys)} 个" in c.value for c in at.caption)
    at = open_page(app(demo_db, monkeypatch, finding=keys[-1]), "quality")  # as a click on the last row chooses it
    assert len(at.selectbox(key="dq_review_key").options) == 6 and at.selectbox(key="dq_review_key").value == keys[-1]
    assert any(getattr(p, "label", "").startswith("报告：") for p in at.get("page_link"))


def test_a_scope_with_no_agency_says_no_data_never_all_clear(demo_db, monkeypatch):
    """Filters that match nothing: no "no agency late", no "no failing checks", no circular of 0 agencies saying
    every report was collected."""
    at = open_page(app(demo_db, monkeypatch, q="不存在的机关"), "overview")
    said = " ".join(e.value for e in [*at.info, *at.success])
    assert "没有已知逾期" not in said and "当前筛选条件下没有数据" in said
    assert not [b for b in at.get("download_button") if "通报" in b.label]
    at = open_page(app(demo_db, monkeypatch, q="不存在的机关"), "quality")
    assert not [s for s in at.success if "没有未通过的检查" in s.value]
    at = open_page(app(demo_db, monkeypatch), "overview")  # the whole demo: the circular is offered
    assert [b for b in at.get("download_button") if "通报" in b.label]


def test_a_dismissed_error_fails_the_report_nowhere(demo_db, tmp_path, monkeypatch):
    """A report whose only error an analyst dismissed: the data-quality page stopped counting it, but the
    overview still drew ✕, the profile counted 错误 1, and the circular counted it among the reports with errors
    (a walk through the pages found all three). Every page applies the reviews now."""
    from pipeline.serve import queries
    from pipeline.serve.reviews import add_review, read_reviews
    from pipeline.serve.writing.brief import brief_context

    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    with duckdb.connect(str(db), read_only=True) as con:
        key, rid, aid, year = con.execute("""
            select any_value(finding_key), report_id, any_value(agency_id), any_value(year) from v_check_results
            group by report_id having count(*) filter (where severity = 'error') = 1
               and count(*) filter (where check_id = 'table_missing') = 0 order by report_id limit 1""").fetchall()[0]
        key = con.execute("select finding_key from v_check_results where report_id = ? and severity = 'error'",
                          [rid]).fetchall()[0][0]
        before = brief_context(con, year, queries.Filters())
    add_review(tmp_path / "reviews.csv", key, "dismissed", "机构合并，数据确有变化")
    reviews = read_reviews(tmp_path / "reviews.csv")
    with duckdb.connect(str(db), read_only=True) as con:
        cells = queries.coverage(con, queries.Filters(), (key,))
        after = brief_context(con, year, queries.Filters(), reviews)
    assert set(cells[cells.report_id == rid].findings) == {"ok"}
    failing = {s["state"]: s["count"] for s in before["states"]}["failing_checks"]
    assert {s["state"]: s["count"] for s in after["states"]}["failing_checks"] == failing - 1
    at = open_page(app(db, monkeypatch, year=str(year)), "overview")
    matrix = frame_with(at, "timeliness", "findings")
    assert set(matrix[(matrix.agency_id == aid) & (matrix.year == year)].findings) == {"ok"}
    at = open_page(app(db, monkeypatch, agency=aid), "profile")
    reports = frame_with(at, "deadline", "errors")
    assert reports[reports.year == year].errors.tolist() == [0]
    findings = next(d.value for d in at.dataframe if "复核状态" in d.value.columns)
    assert "已排除" in set(findings["复核状态"])


def test_the_correction_rates_say_what_they_divide_by_on_the_page(demo_db, monkeypatch):
    """The pooled correction rates' cases and agencies were only in the hover: now beside each rate."""
    at = open_page(app(demo_db, monkeypatch), "review")
    cells = [str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()]
    assert any(re.fullmatch(r"\d+\.\d%（[\d,]+ 件，\d+ 个机关）", c) for c in cells), cells[:6]


@pytest.mark.parametrize("check_id", ["files_disagree", "text_vs_table"])
def test_a_cell_a_warning_names_is_marked_on_the_report_page(demo_db, monkeypatch, check_id):
    """Two files of a report stating another value, the text stating another count than the table: the report
    page showed those cells plain (a walk found 结果维持 14 vs 15 unmarked); now yellow, the finding under the table."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rows = con.execute("select report_id, cells from v_check_results where check_id = ? limit 1", [check_id]).fetchall()
    assert rows, f"the demo has a {check_id} finding"
    rid, cells = rows[0]
    at = open_page(app(demo_db, monkeypatch, report=rid), "report")
    html = "".join(m.value for m in at.markdown if "nb-t" in m.value)
    assert html.count(' warn') + html.count(' bad') >= len(cells) and " warn" in html
    flagged = [n for t in frames(at) if "flagged" in t.columns for v in t.flagged.dropna() for n in v.split("; ")]
    assert len(flagged) >= len(cells), flagged  # the tables' CSVs name the cells the screen colours
    assert any("黄色单元格" in c.value for c in at.caption)


def test_a_profile_says_the_deadline_not_the_date_is_unknown(demo_db, monkeypatch):
    """An agency outside the register: its reports' dates are shown, its deadline is what is unknown (the profile
    said 发布日期未知 beside a date)."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        aid = con.execute("""select a.agency_id from agencies a join reports r using (agency_id)
                             where not a.registered and r.published_on is not null limit 1""").fetchall()[0][0]
    at = open_page(app(demo_db, monkeypatch, agency=aid), "profile")
    years = next(d.value for d in at.dataframe if "截止日期" in d.value.columns)
    dated = years[years["发布日期"] != ""]
    assert len(dated) and all("截止日期未知" in v for v in dated["是否按期"]), dated["是否按期"].tolist()


def test_the_review_pages_rates_say_when_they_pool_the_same_agencies(demo_db, monkeypatch):
    """The same-agencies switch at the top of the review page applies to its pooled rates too, and the note
    under them says so (with how many agencies); switched off, the note does not claim it."""
    at = open_page(app(demo_db, monkeypatch), "review")
    said = " ".join(c.value for c in at.caption)
    assert "只合并每年都有复议诉讼数据的同一批" in said
    at.toggle(key="rv_same").set_value(False).run()
    assert not at.exception
    assert "只合并每年都有复议诉讼数据的同一批" not in " ".join(c.value for c in at.caption)


def test_a_one_year_trend_has_one_year_on_its_axis(demo_db, monkeypatch):
    """The years in scope and no more on the compare page's and the review page's lines: with one year
    chosen, plotly's own range spanned three (2022 to 2024 for 2023 alone, a year that has no report)."""
    import json

    for page, params in (("compare", dict(metric="grant_rate", agencies=["demo-03", "demo-05"], y0="2023", y1="2023")),
                         ("review", dict(y0="2023", y1="2023"))):
        at = open_page(app(demo_db, monkeypatch, **params), page)
        lines = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
                 if any(d.get("mode", "").startswith("lines") for d in json.loads(c.proto.spec)["data"])]
        assert lines, page
        for spec in lines:
            assert spec["layout"]["xaxis"].get("range") == [2022.5, 2023.5], (page, spec["layout"]["xaxis"])


def test_the_pooled_rates_say_what_they_pool(demo_db, monkeypatch):
    """The review page's rate table: a row a year, newest first (the newest in view at any width); † on a rate
    whose pool holds unverified values, with how many agencies under the table (the overview tile marks the same
    year †; the table did not); a small sample said in its cell; with verified values only, what was left out."""
    from pipeline.serve import query_measures as qm
    from pipeline.serve.queries import Filters

    with duckdb.connect(str(demo_db), read_only=True) as con:
        want = qm.pooled_series(con, Filters(), "correction_rate", "review_litigation")
    at = open_page(app(demo_db, monkeypatch), "review")
    table = next(t.value for t in at.dataframe if "复议诉讼纠错率" in " ".join(map(str, t.value.columns)))
    years = [int(y) for y in table.index]
    assert years == sorted(want.year.astype(int).tolist(), reverse=True)
    for y, n, small in zip(want.year, want.unverified, want.small_sample):
        cell = table.loc[str(int(y)), next(c for c in table.columns if "复议诉讼纠错率" == c)]
        assert ("†" in cell) == bool(n) and ("小样本" in cell) == bool(small), (y, cell)
    said = " ".join(c.value for c in at.caption)
    assert want.unverified.sum() and "合并了未经核验的数值" in said
    at = open_page(app(demo_db, monkeypatch, verified="1"), "review")
    said = " ".join(c.value for c in at.caption)
    assert "各比率略去的机关数" in said and "合并了未经核验的数值" not in said


def test_sums_over_different_agencies_say_so(demo_db, monkeypatch):
    """With the same-agencies switch off, a section whose years are summed over different agencies says so
    under its chart (a walk read 1, 1, 1 agencies a year as one agency: they were three); on, it does not."""
    from pipeline.serve import query_sections as qs
    from pipeline.serve.queries import Filters

    with duckdb.connect(str(demo_db), read_only=True) as con:
        kept = len(qs.same_agencies(con, Filters(), "active"))
    at = open_page(app(demo_db, monkeypatch, same="0"), "active")
    said = " ".join(c.value for c in at.caption)
    assert f"每年都有数据的只有 {kept} 个" in said
    at = open_page(app(demo_db, monkeypatch), "active")
    assert "各年合计的机关不尽相同" not in " ".join(c.value for c in at.caption)


def test_the_compare_trend_marks_unverified_values_and_follows_the_switch(demo_db, monkeypatch):
    """An agency's unverified value on the compare page's trend carries † as the ranking's bar does, the trend's
    CSV says which values are verified, and with verified values only the unverified ones are left out (they
    were drawn and downloaded unmarked)."""
    import json

    with duckdb.connect(str(demo_db), read_only=True) as con:
        aid = con.execute("select agency_id from measures_verified where not correction_rate "
                          "order by agency_id limit 1").fetchone()[0]
    at = open_page(app(demo_db, monkeypatch, metric="correction_rate", agencies=[aid]), "compare")
    trend = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                 if any(d.get("mode", "").startswith("lines") for d in json.loads(c.proto.spec)["data"]))
    assert any(d.get("mode") == "text" and "†" in _array(d["text"]) for d in trend["data"])
    csv = frame_with(at, "agency_id", "year", "verified")
    assert set(csv.agency_id) == {aid} and (csv.verified == "否").any()
    at = open_page(app(demo_db, monkeypatch, metric="correction_rate", agencies=[aid], verified="1"), "compare")
    csv = frame_with(at, "agency_id", "year", "verified")
    assert (csv.verified == "是").all()


def test_the_quality_pages_agency_csv_names_its_columns_as_the_page_does(demo_db, monkeypatch):
    """The download's header says 报告数 as the table above it does (it said 份报告, the word for counting)."""
    at = open_page(app(demo_db, monkeypatch), "quality")
    f = next(f for f in frames(at) if "min_score" in f.columns and "reports" in f.columns)
    assert f is not None
    raw = [pd.read_csv(io.BytesIO(d), encoding="utf-8-sig", nrows=0).columns.tolist() for d in downloads(at)]
    assert any("报告数 [reports]" in cols for cols in raw), raw


def test_the_new_media_agency_csv_keeps_codes_and_marks(demo_db, monkeypatch):
    """The per-agency new-media download: each column's header with its code ([newmedia.wechat.posts]) as every
    other download has, and the marks column that names an agency's unverified values (it had neither)."""
    at = open_page(app(demo_db, monkeypatch), "web_media")
    f = next(f for f in frames(at) if "agency" in f.columns and any(c.startswith("newmedia.") for c in f.columns))
    assert "marks" in f.columns and any(c.endswith(".posts") for c in f.columns)
