"""An unverified number (one its report's arithmetic does not confirm) is marked † everywhere it is shown,
as the captions promise: the overview's tiles, the bars of sums, the quality page's facts."""
from __future__ import annotations

import json

import duckdb
import pandas as pd

from pipeline.spec import catalog

from tests.dashboard.test_apptest import _array, app, open_page


def _unverified_years(demo_db, where: str) -> set[int]:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        return {r[0] for r in con.execute(f"select distinct year from v_values where not verified and {where}").fetchall()}


def _marked_years(chart) -> set[int]:
    spec = json.loads(chart.proto.spec)
    return {int(x) for t in spec["data"] for x, m in zip(_array(t.get("x") or []), _array(t.get("text") or [])) if m == "†"}


def test_a_tile_including_unverified_values_is_marked(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        cy = con.execute("select year from measures_verified where not correction_rate").fetchall()[0][0]
    at = open_page(app(demo_db, monkeypatch, year=str(cy)), "overview")
    assert next(m for m in at.metric if m.label == "复议诉讼纠错率").value.endswith("†")
    assert not next(m for m in at.metric if m.label == "收到申请").value.endswith("†")
    at = open_page(app(demo_db, monkeypatch, year=str(cy), verified="1"), "overview")
    assert not next(m for m in at.metric if m.label == "复议诉讼纠错率").value.endswith("†")


def test_bars_of_sums_including_unverified_values_carry_the_mark(demo_db, monkeypatch):
    outcomes = ("metric in ('app.granted', 'app.partial', 'app.other') or metric like 'app.denied.%' or metric like "
                "'app.unavailable.%' or metric like 'app.not_processed.%'")
    expected = _unverified_years(demo_db, f"dim = 'total' and ({outcomes})")
    assert expected, "the demo has an unverified 表三 total"
    at = open_page(app(demo_db, monkeypatch, same="0"), "applications")
    assert _marked_years(at.get("plotly_chart")[0]) == expected
    expected = _unverified_years(demo_db, "(metric like 'review%' or metric like 'litigation.%') and dim <> 'total'")
    assert expected, "the demo has an unverified 表四 cell"
    at = open_page(app(demo_db, monkeypatch, same="0"), "review")
    assert _marked_years(at.get("plotly_chart")[0]) == expected
    at = open_page(app(demo_db, monkeypatch, same="0", verified="1"), "review")
    assert _marked_years(at.get("plotly_chart")[0]) == set()


def test_quality_facts_mark_unverified_values_and_name_columns_in_chinese(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rid, n = con.execute("select report_id, count(*) from v_values where not verified group by 1 limit 1").fetchall()[0]
    at = open_page(app(demo_db, monkeypatch, report=rid), "quality")
    facts = next(d.value for d in at.dataframe if "指标代码" in d.value.columns)
    assert "metric:dim" not in facts.columns
    assert facts["标记"].eq("†").sum() == n
    assert pd.api.types.is_numeric_dtype(facts["数值"])  # numbers, sorted as numbers
    assert any(c.value.startswith("† 未经核验") for c in at.caption)


def test_the_narrative_readers_notes_are_written_in_chinese_on_a_chinese_page():
    """From the reader's issue (its fields, not its English words) to the finding on a Chinese page."""
    import re

    from pipeline.extract import extract_bytes
    from pipeline.spec import findings
    from pipeline.warehouse.checks import extraction_notes

    head = "某县人民政府2023年政府信息公开工作年度报告\n一、总体情况\n"
    for text, words in (("网站总访问量为1,560,000次（第三方统计平台数据为1,498,230次）。", "访问"),
                        ("全年未收到局长信箱来信。\n二、主动公开政府信息情况\n局长信箱收到来信8件。", "信箱")):
        r = extract_bytes((head + text + "\n").encode("utf-8"), "case.txt")
        issues = [i.to_json() for i in r.issues if i.code == "ambiguous_narrative"]
        assert issues, text
        for _, d, _ in extraction_notes(None, {"issues": issues}):
            zh = findings.message("extraction", [], d, "zh")
            assert not re.search(r"[A-Za-z]", zh), zh
            assert "正文数字有歧义" in zh and words in zh, zh
            assert findings.message("extraction", [], d, "en").endswith(d["note"])


def test_every_line_of_the_active_charts_has_its_own_colour(demo_db, monkeypatch):
    """表二's counts in one chart per kind (documents, decisions, items), each line its own colour."""
    at = open_page(app(demo_db, monkeypatch), "active")
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    line_charts = [[t for t in c["data"] if t.get("mode", "").startswith("lines")] for c in charts]
    line_charts = [c for c in line_charts if c]
    assert len(line_charts) == 3 and sum(map(len, line_charts)) > 10
    for lines in line_charts:
        assert len({t["line"]["color"] for t in lines}) == len(lines)


def test_the_new_media_table_shows_a_platform_not_listed_as_a_dash(demo_db, monkeypatch):
    """Its values are numbers (sorted as numbers); a platform not listed is missing, written — (not None)."""
    at = open_page(app(demo_db, monkeypatch), "web_media")
    table = at.dataframe[-1].value.drop(columns="标记")
    assert all(pd.api.types.is_numeric_dtype(table[c]) for c in table.columns)
    assert table.isna().to_numpy().any()  # the demo has agencies that list some platforms only
    assert at.dataframe[-1].proto.placeholder == "—"


def test_rate_axes_start_at_zero(demo_db, monkeypatch):
    """A rate's line or points drawn from 0, so a change of a point does not fill the chart."""
    at = open_page(app(demo_db, monkeypatch, agency="demo-07", measure="grant_rate"), "profile")
    axes = [json.loads(c.proto.spec)["layout"].get("yaxis", {}) for c in at.get("plotly_chart")]
    assert any(a.get("tickformat") == ".1%" for a in axes)
    assert all(a.get("rangemode") == "tozero" for a in axes if a.get("tickformat") == ".1%")
    at = open_page(app(demo_db, monkeypatch), "review")
    axes = [json.loads(c.proto.spec)["layout"].get("yaxis", {}) for c in at.get("plotly_chart")]
    rates = [a for a in axes if a.get("tickformat") == ".1%"]
    assert len(rates) >= 2 and all(a.get("rangemode") == "tozero" for a in rates)


def test_downloads_of_marked_bars_count_their_unverified_values(demo_db, monkeypatch):
    """A bar marked † is a row of its download with how many unverified values it includes; with only
    verified values summed there is nothing to count and no such column."""
    import io

    import pandas as pd

    from tests.dashboard.test_apptest import downloads

    for page, section in (("applications", "app.%"), ("review", "review%")):
        with duckdb.connect(str(demo_db), read_only=True) as con:
            n = con.execute(f"select count(*) from v_values where not verified and metric like '{section}'").fetchall()[0][0]
        assert n, page
        at = open_page(app(demo_db, monkeypatch, same="0"), page)
        frames = [pd.read_csv(io.BytesIO(b), encoding="utf-8-sig") for b in downloads(at)]
        counted = [f for f in frames if any(c.startswith("未经核验的数值个数") for c in f.columns)]
        assert counted, page
        assert any(f[next(c for c in f.columns if c.startswith("未经核验的数值个数"))].sum() > 0 for f in counted), page
        at = open_page(app(demo_db, monkeypatch, same="0", verified="1"), page)
        frames = [pd.read_csv(io.BytesIO(b), encoding="utf-8-sig") for b in downloads(at)]
        assert not any(c.startswith("未经核验的数值个数") for f in frames for c in f.columns), page


def test_per_agency_values_of_new_media_and_procurement_are_marked_and_left_out_when_asked(demo_db, monkeypatch, tmp_path):
    """The new-media table of every agency and the procurement bars show each agency's own values: an
    unverified one carries †, and 'verified only' leaves it out (it was shown there unmarked)."""
    import shutil

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:
        nm_year = con.execute("select max(year) from facts where metric like 'newmedia.%'").fetchall()[0][0]
        aid, name, metric = con.execute(
            "select f.agency_id, a.name, f.metric from facts f join agencies a using (agency_id) where f.year = ? and "
            "f.metric like 'newmedia.%.followers' order by 1, 3 limit 1", [nm_year]).fetchall()[0]
        con.execute("update facts set verified = false where agency_id = ? and year = ? and metric = ?", [aid, nm_year, metric])
        paid, pname = con.execute(
            "select f.agency_id, a.name from facts f join agencies a using (agency_id) where f.year = 2020 and "
            "f.metric = 'active.procurement' and f.dim = 'amount_wan_yuan' order by f.value desc limit 1").fetchall()[0]
        con.execute("update facts set verified = false where agency_id = ? and year = 2020 and metric = 'active.procurement' "
                    "and dim = 'amount_wan_yuan'", [paid])
    at = open_page(app(db, monkeypatch), "web_media")
    table = next(d.value for d in at.dataframe if name in d.value.index)
    marked = table[table["标记"] != ""]
    assert list(marked.index) == [name] and marked["标记"].iloc[0] == "† " + catalog.label(metric, "zh")
    assert all(pd.api.types.is_numeric_dtype(table[c]) for c in table.columns if c != "标记")  # sorted as numbers
    assert any("† 未经核验" in c.value for c in at.caption)
    at = open_page(app(db, monkeypatch, verified="1"), "web_media")
    table = next(d.value for d in at.dataframe if name in d.value.index)
    assert not table["标记"].str.contains("†").any()
    assert pd.isna(table.loc[name, catalog.label(metric, "zh")])  # its unverified platform left out
    at = open_page(app(db, monkeypatch), "active")
    bar = next(json.loads(c.proto.spec)["data"][0] for c in at.get("plotly_chart")
               if json.loads(c.proto.spec)["data"][0].get("type") == "bar")
    assert f"{pname} †" in _array(bar["y"]) and sum(str(t).endswith("†") for t in _array(bar["text"])) == 1
    at = open_page(app(db, monkeypatch, verified="1"), "active")
    bar = next(json.loads(c.proto.spec)["data"][0] for c in at.get("plotly_chart")
               if json.loads(c.proto.spec)["data"][0].get("type") == "bar")
    assert pname not in " ".join(map(str, _array(bar["y"])))


def test_verified_only_with_the_same_agencies_says_how_many_agencies_it_left_out(demo_db, monkeypatch):
    """With both switches on, an agency whose section has an unverified value is not among the same agencies;
    the page says how many were left out so (it said "the same 7" where 8 report, and nothing more)."""
    import re

    at = open_page(app(demo_db, monkeypatch), "applications")
    n_all = int(re.search(r"同一批 (\d+) 个机关", " ".join(c.value for c in at.caption)).group(1))
    at = open_page(app(demo_db, monkeypatch, verified="1"), "applications")
    said = " ".join(c.value for c in at.caption)
    n_verified = int(re.search(r"同一批 (\d+) 个机关", said).group(1))
    assert n_verified < n_all, "the demo has an agency with an unverified 表三 value"
    assert f"另有 {n_all - n_verified} 个机关因有未经核验的数值未计入" in said


def test_a_readers_finding_in_chinese_has_no_english_note():
    """The reader writes its technical notes in English: the Chinese interface says the kind of problem and
    where, not the English note inside a Chinese sentence; the English interface keeps the note."""
    from pipeline.spec import findings

    data = {"code": "row_without_label", "note": "a row of table 三 with values but no label of its own was left out"}
    zh = findings.message("extraction", [], data, "zh")
    en = findings.message("extraction", [], data, "en")
    assert zh == "表格行没有自己的标签，按位置无法证明是哪一行，未读取" and not any("a" <= c <= "z" for c in zh)
    assert "no label of its own" in en
    assert findings.where_text([], "(no label) 0 0 0", "zh") == "（无标签） 0 0 0"
    assert findings.where_text([], "(no label) 0 0 0", "en") == "(no label) 0 0 0"
