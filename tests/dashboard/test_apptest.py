"""Every page headless (AppTest): no exception; a filter changes what is shown; downloads are CSV
with a BOM and the expected header; language switch; links carry the filters; swaps are picked up."""
from __future__ import annotations

import csv
import io
import re
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import PAGES, ROOT, media_bytes

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
        header = data[3:].split(b"\n", 1)[0].decode("utf-8")
        assert header and "," in header or header


@pytest.mark.parametrize("page", PAGES)
def test_a_filter_changes_what_is_shown(demo_db, monkeypatch, page):
    before = downloads(open_page(app(demo_db, monkeypatch), page))
    after = downloads(open_page(app(demo_db, monkeypatch, prov="河南省"), page))
    assert before != after


def test_overview_tiles_and_coverage_header(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "overview")
    labels = [m.label for m in at.metric]
    assert "机构报告数" in labels and "公开率" in labels
    cov = next(d for d in downloads(at) if d[3:].startswith(b"agency,year,state"))
    lines = cov.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "agency,year,state,state_label,published_on,deadline,errors,warnings"
    # the deliberately missing report: no file, and no list page read, so "not collected" (not "not published")
    assert any(",not_collected,未收集," in line for line in lines)
    assert any(",failing_checks," in line for line in lines)


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
    ranking = list(csv.DictReader(io.StringIO(downloads(at)[-1].decode("utf-8-sig"))))
    assert list(ranking[0])[:3] == ["rank", "agency", "agency_id"]
    small = [r for r in ranking if r["small_sample"] == "True"]
    assert small and all(float(r["denominator"]) < 30 for r in small)  # the demo's small agencies are marked
    assert all(float(r["denominator"]) >= 30 for r in ranking if r["small_sample"] == "False")
    flags = [r["small_sample"] == "True" for r in ranking]
    assert flags == sorted(flags)  # every small sample after every other agency, none hidden
    with duckdb.connect(str(demo_db), read_only=True) as con:
        year = int(ranking[0]["year"])
        n = con.execute("select count(*) from measures where year = ? and grant_rate is not null", [year]).fetchall()[0][0]
    assert len(ranking) == n


def test_lowest_first_shows_the_lowest_agency(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, metric="app.received_new:total", order="asc"), "compare")
    assert at.radio(key="cmp_order").value is True
    ranking = list(csv.DictReader(io.StringIO(downloads(at)[-1].decode("utf-8-sig"))))
    values = [float(r["app.received_new:total"]) for r in ranking]
    assert values == sorted(values)
    import json

    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    bars = spec["data"][0]
    assert _array(bars["y"])[0].rstrip(" *") == ranking[0]["agency"]  # the lowest agency is the first bar


def test_a_copied_url_reproduces_a_comparison(demo_db, monkeypatch):
    url = dict(metric="grant_rate", agencies=["demo-03", "demo-05"], year="2022", order="asc")
    at = open_page(app(demo_db, monkeypatch, **url), "compare")
    assert at.selectbox(key="cmp_measure").value == "grant_rate"
    assert at.multiselect(key="cmp_agencies").value == ["demo-03", "demo-05"]
    assert at.selectbox(key="cmp_year").value == 2022 and at.radio(key="cmp_order").value is True
    lines = downloads(at)[0].decode("utf-8-sig").splitlines()
    assert {line.split(",")[1] for line in lines[1:]} == {"demo-03", "demo-05"}
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


def test_profile_page_from_the_url(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, agency="demo-14"), "profile")
    assert at.selectbox(key="pf_agency").value == "demo-14"
    body = " ".join(c.value for c in at.caption)
    assert "同级机关" in body and "已在机关名录登记" in body
    reports = at.dataframe[0].value
    assert "2022" not in set(reports.iloc[:, 0])  # the missing year has no row
    assert reports.iloc[:, -1].str.startswith("report?report=").all()  # each year links to its report
    measures = list(csv.DictReader(io.StringIO(downloads(at)[0].decode("utf-8-sig"))))
    assert {r["agency_id"] for r in measures} == {"demo-14"} and all(r["peer_median"] for r in measures
                                                                      if r["measure"] == "applications")


def test_tiles_compare_the_same_agencies(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "overview")
    assert any("个机关" in c.value and "同一批" in c.value for c in at.caption)
    tiles = list(csv.DictReader(io.StringIO(downloads(at)[0].decode("utf-8-sig"))))
    apps = next(t for t in tiles if t["label"] == "收到申请")
    assert float(apps["change"]) == float(apps["current_same"]) - float(apps["previous"])


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
    tmp.replace(db)  # what a refresh does: one rename
    at.run()
    second = next(m.value for m in at.metric if m.label == "机构报告数")
    assert first != second


def test_report_page_draws_tables_and_marks_failing_cells(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch), "report")
    with duckdb.connect(str(demo_db), read_only=True) as con:
        bad = con.execute("select report_id from check_results where check_id = 'review_sum'").fetchall()[0][0]
    at.selectbox(key="rp_report").set_value(bad).run()
    assert not at.exception
    assert any(":material/error:" in c.value for c in at.caption)  # failing cells are marked
    html = "".join(m.value for m in at.markdown if "nb-t" in m.value)
    # as printed: the header groups, the numbering, full labels, 表四's fifteen columns
    assert "法人或其他组织" in html and "（七）总计" in html and "三、本年度办理结果" in html
    assert "5.要求行政机关确认或重新出具已获取信息" in html
    table4 = html[html.rindex('<table class="nb-t">'):]
    assert table4.count("<th>结果纠正</th>") == 3 and "复议后起诉" in table4
    assert 'class="n bad" title="检查项: review_sum' in html  # the failing cell names its check
    assert "e+" not in html
    with duckdb.connect(str(demo_db), read_only=True) as con:
        agency, year = con.execute("select a.name, r.year from reports r join agencies a using (agency_id) "
                                   "where report_id = ?", [bad]).fetchall()[0]
    tables = [d for d in downloads(at) if d[3:].startswith(b"agency,year,")]
    assert len(tables) >= 3 and all(f"{agency},{year},".encode() in d for d in tables)
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
    """Severities and check names in Chinese, metric codes in the messages written as their labels."""
    import io
    import re

    import pandas as pd

    at = open_page(app(demo_db, monkeypatch), "quality")
    table = next(t for t in (pd.read_csv(io.BytesIO(d), encoding="utf-8-sig", keep_default_na=False)
                             for d in downloads(at)) if "发现编号" in t.columns)
    assert set(table["严重程度"]) <= {"错误", "警告", "提示"} and set(table["复核状态"]) == {"未处理"}
    codes = re.compile(r"\b(app|review|litigation|website|newmedia|active)\.[a-z_.]+")
    assert len(table) and not any(codes.search(str(m)) for m in table["问题"])


def test_reviewing_a_finding_takes_it_out_of_the_score(demo_db, tmp_path, monkeypatch):
    """An analyst dismisses a finding: it is written to reviews.csv beside the warehouse, it no longer
    counts in the report's score, and it is still listed under its new status."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    at = open_page(app(db, monkeypatch), "quality")

    def score_of(at, agency, year):
        scores = list(csv.DictReader(io.StringIO(next(
            d for d in downloads(at) if d[3:].startswith(b"agency_id,agency,level,year")).decode("utf-8-sig"))))
        return next(float(r["score"]) for r in scores if r["agency"] == agency and r["year"] == str(year))

    with duckdb.connect(str(db), read_only=True) as con:
        key, agency, year, sev = con.execute(
            "select finding_key, agency, year, severity from v_check_results where check_id = 'review_sum'").fetchall()[0]
    before = score_of(at, agency, year)
    at.selectbox(key="dq_review_key").set_value(key)
    at.radio(key="dq_review_status").set_value("dismissed")
    at.text_input(key="dq_review_note").set_value("表四总计含上年结转，已与机关核实")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    lines = (tmp_path / "reviews.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "finding_key,status,note,reviewed_at" and lines[1].startswith(f"{key},dismissed,表四总计含上年结转")
    assert score_of(at, agency, year) == before + 20
    at.multiselect(key="dq_status").set_value(["dismissed"]).run()
    found = next(t for t in (list(csv.DictReader(io.StringIO(d.decode("utf-8-sig")))) for d in downloads(at))
                 if t and "发现编号" in t[0])
    assert [r["发现编号"] for r in found] == [key] and found[0]["复核状态"] == "已排除"


def test_findings_in_english_when_the_interface_is_english(demo_db, monkeypatch):
    at = open_page(app(demo_db, monkeypatch, lang="en"), "quality")
    table = next(t for t in (list(csv.DictReader(io.StringIO(d.decode("utf-8-sig")))) for d in downloads(at))
                 if t and "Finding key" in t[0])
    problems = " ".join(r["Problem"] for r in table)
    assert "upheld + corrected + other + pending" in problems and "carried forward in" in problems
    assert not re.search(r"[结维纠总计采用正文]", problems)  # no Chinese wording of a message (names aside)
