"""The circular, opened as the office opens it (python-docx, pdfplumber, lxml): every number and name
in it equals what the warehouse holds, computed here by SQL of its own."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.serve import queries
from pipeline.serve.i18n import t
from pipeline.serve.writing.brief import KEY_MEASURES, STATES, brief_bytes
from tests.writing.conftest import NOT_COLLECTED, NOT_PUBLISHED, YEAR, doc_tables, doc_text, table_with

FORMATS = ("docx", "pdf", "html")


@pytest.fixture(scope="module")
def docs(wh, tmp_path_factory):
    import duckdb

    data_dir = tmp_path_factory.mktemp("nodata")  # no reviews, shipped templates
    with duckdb.connect(str(wh), read_only=True) as con:
        return {fmt: brief_bytes(con, YEAR, queries.Filters(), fmt, data_dir) for fmt in FORMATS}


def _num(s: str) -> float:
    return float(s.replace(",", "").replace("%", "").replace("+", "").split()[0].split("（")[0])


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_late_agency_with_its_days(docs, con, fmt):
    want = con.execute("""
        select a.name, date_diff('day', r.deadline, r.published_on), r.deadline, r.published_on
        from reports r join agencies a using (agency_id) where r.year = ? and r.published_on > r.deadline""",
                       [YEAR]).fetchall()
    assert len(want) >= 5, "the fixture should make several reports late"
    rows = table_with(doc_tables(docs[fmt], fmt), ["机关", "法定期限", "发布日期", "逾期天数"])
    assert sorted((r[0], int(r[3]), r[1], r[2]) for r in rows) == sorted(
        (n, d, str(dl), str(p)) for n, d, dl, p in want)


@pytest.mark.parametrize("fmt", FORMATS)
def test_agencies_not_published_and_not_collected_are_named(docs, con, fmt):
    text = doc_text(docs[fmt], fmt)
    not_pub = [r[0] for r in con.execute("select agency from coverage where year = ? and status = 'not_published'",
                                         [YEAR]).fetchall()]
    not_col = [r[0] for r in con.execute("select agency from coverage where year = ? and status = 'not_collected'",
                                         [YEAR]).fetchall()]
    names = dict(con.execute("select agency_id, name from agencies").fetchall())
    assert not_pub == [names[f"demo-{NOT_PUBLISHED}"]] and not_col == [names[f"demo-{NOT_COLLECTED}"]]
    section = text[text.index("截止日期后仍未发布的机关"):]
    assert "以下 1 个机关" in section and not_pub[0] in section
    assert f"1 个机关的 {YEAR} 年度报告未收集到" in text and not_col[0] in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_counts_per_coverage_state(docs, con, fmt):
    want = dict(con.execute("""
        select case when status = 'loaded' and timeliness in ('on_time', 'late') then timeliness else status end, count(*)
        from coverage where year = ? group by 1""", [YEAR]).fetchall())
    rows = dict(table_with(doc_tables(docs[fmt], fmt), ["状态", "机关数"]))
    got = {s: int(rows[t(f"status_{s}", "zh")]) for s in STATES}
    assert got == {s: want.get(s, 0) for s in STATES}
    assert sum(got.values()) == con.execute("select count(*) from coverage where year = ?", [YEAR]).fetchone()[0]


def _scores(con) -> pd.DataFrame:
    return con.execute("""
        select a.name as agency, greatest(0, 100 - 20 * count(c.check_id) filter (where c.severity = 'error')
                                             - 5 * count(c.check_id) filter (where c.severity = 'warning')) as score,
            count(c.check_id) filter (where c.severity = 'error') as e, count(c.check_id) filter (where c.severity = 'warning') as w
        from reports r join agencies a using (agency_id) left join check_results c using (report_id)
        where r.year = ? group by a.name""", [YEAR]).fetchdf()


@pytest.mark.parametrize("fmt", FORMATS)
def test_lowest_scored_agencies_and_score_bands(docs, con, fmt):
    sc = _scores(con).sort_values(["score", "agency"])
    assert sc.score.nunique() > 1
    tables = doc_tables(docs[fmt], fmt)
    rows = table_with(tables, ["机关", "得分", "扣分错误", "扣分警告"])
    assert [(r[0].removesuffix("*"), int(r[1]), int(r[2]), int(r[3])) for r in rows] == [
        (r.agency, r.score, r.e, r.w) for r in sc[sc.score < sc.score.max()].head(5).itertuples()]
    # an agency with unverified values is marked, never ranked silently
    unverified = {r[0] for r in con.execute("""select distinct a.name from v_values v join agencies a using (agency_id)
                                               where v.year = ? and not v.verified""", [YEAR]).fetchall()}
    assert [r[0].endswith("*") for r in rows] == [r[0].removesuffix("*") in unverified for r in rows]
    bands = dict(table_with(tables, ["得分", "报告数"]))
    assert int(bands["100"]) == (sc.score == 100).sum()
    assert int(bands["90–99"]) == sc.score.between(90, 99).sum()
    assert int(bands["0–59"]) == (sc.score < 60).sum()
    top = sc[sc.score == sc.score.max()]
    assert f"得分最高（{sc.score.max()} 分）的机关共 {len(top)} 个" in doc_text(docs[fmt], fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_most_frequent_problems_count_agencies(docs, con, fmt):
    want = con.execute("""
        select k.zh, count(distinct c.agency_id), count(*) from check_results c join checks k using (check_id)
        where c.year = ? and c.check_id not in ('agency_unregistered', 'extraction') group by k.zh""", [YEAR]).fetchall()
    rows = table_with(doc_tables(docs[fmt], fmt), ["问题", "类别", "涉及机关数", "问题数"])
    # spaces compared out: a PDF's text extraction places them by the glyphs' gaps, not as written
    assert {(re.sub(r"\s+", "", r[0]), int(r[2]), int(r[3])) for r in rows} == {
        (re.sub(r"\s+", "", label), agencies, findings) for label, agencies, findings in want}


def _pooled(df: pd.DataFrame, num: str, den: str | None) -> float:
    return df.eval(num).sum() / df.eval(den).sum() if den else df.eval(num).sum()


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_key_measure_value_and_change(docs, con, fmt):
    m = con.execute("select * from measures where year in (?, ?)", [YEAR - 1, YEAR]).fetchdf()
    rows = {r[0].removesuffix("（小样本）"): r for r in table_with(doc_tables(docs[fmt], fmt), [
        "指标", "本年", "机关数", f"{YEAR - 1}年（相同机关）", f"{YEAR}年（相同机关）", "变化", "相同机关数"])}
    assert len(rows) == len(KEY_MEASURES)
    for key in KEY_MEASURES:
        d = queries.MEASURES[key]
        cols = re.findall(r"[a-z_]+", f"{d.num} {d.den}") if d.rate else [key]
        ok = m.dropna(subset=cols)
        if d.rate:
            ok = ok[ok.eval(d.den) > 0]
        cur, prev = ok[ok.year == YEAR], ok[ok.year == YEAR - 1]
        same = set(cur.agency_id) & set(prev.agency_id)
        c_same, p_same = cur[cur.agency_id.isin(same)], prev[prev.agency_id.isin(same)]
        num, den = (d.num, d.den) if d.rate else (key, None)
        value, before, after = _pooled(cur, num, den), _pooled(p_same, num, den), _pooled(c_same, num, den)
        row = rows[d.zh]
        if key == "followers_total":  # a sum over platforms: compared over the same agency's same platform
            pairs = con.execute("""
                with v as (select agency_id, key, year, value from v_values
                           where metric like 'newmedia.%.followers' and value is not null)
                select c.agency_id, p.value, c.value from v c join v p using (agency_id, key)
                where c.year = ? and p.year = ?""", [YEAR, YEAR - 1]).fetchall()
            same = {a for a, _, _ in pairs}
            before, after = sum(p for _, p, _ in pairs), sum(c for _, _, c in pairs)
            assert f"同一平台{len(pairs)}组" in row[6].replace(" ", "") and "同一平台" in doc_text(docs[fmt], fmt), key
        assert int(row[2]) == len(cur) and int(row[6].split("（")[0]) == len(same), key
        if d.rate:
            assert _num(row[1]) == pytest.approx(value * 100, abs=0.05), key
            # what the rate divides by, beside it (the circular gave agency counts only)
            assert f"分母{cur.eval(den).sum():,.0f}件" in re.sub(r"\s", "", row[1]), (key, row[1])
            assert _num(row[3]) == pytest.approx(before * 100, abs=0.05), key
            assert _num(row[4]) == pytest.approx(after * 100, abs=0.05), key
            assert _num(row[5].replace("个百分点", "")) == pytest.approx((after - before) * 100, abs=0.051), key
        else:
            assert (_num(row[1]), _num(row[3]), _num(row[4])) == (value, before, after), key
            assert _num(row[5]) == after - before, key


def test_region_and_level_narrow_the_circular(wh, con, tmp_path):
    from pipeline.cli import main

    out = tmp_path / "js.html"
    assert main(["brief", "--year", str(YEAR), "--region", "320000", "--db", str(wh), "--out", str(out)]) == 0
    n = con.execute("select count(*) from agencies where adcode like '32%'").fetchone()[0]
    text = doc_text(out.read_bytes(), "html")
    assert f"江苏省{YEAR}年度" in text and f"本次审查范围内共有 {n} 个机关" in text
    others = [r[0] for r in con.execute("select name from agencies where adcode not like '32%'").fetchall()]
    assert not [x for x in others if x in text]
    out = tmp_path / "county.md"
    assert main(["brief", "--year", str(YEAR), "--level", "county", "--db", str(wh), "--out", str(out)]) == 0
    n = con.execute("select count(*) from agencies where level = 'county'").fetchone()[0]
    md = out.read_text(encoding="utf-8")
    assert f"本次审查范围内共有 {n} 个机关" in md
    assert sorted(p.name for p in (tmp_path / "county_charts").iterdir()) == ["coverage.png", "rates.png", "scores.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in (tmp_path / "county_charts").iterdir())
    assert main(["brief", "--year", str(YEAR), "--region", "990000", "--db", str(wh), "--out", str(out)]) == 2
    assert main(["brief", "--year", str(YEAR), "--db", str(wh), "--out", str(tmp_path / "x.txt")]) == 2


def test_charts_are_in_every_format(docs):
    import io
    import zipfile

    assert sum(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(docs["docx"])).namelist()) == 3
    assert docs["html"].count(b'src="data:image/png;base64,') == 3
    import pdfplumber

    with pdfplumber.open(io.BytesIO(docs["pdf"])) as pdf:
        assert sum(len(p.images) for p in pdf.pages) == 3


def test_english(wh, con, tmp_path):
    from pipeline.cli import main

    out = tmp_path / "en.html"
    assert main(["brief", "--year", str(YEAR), "--lang", "en", "--db", str(wh), "--out", str(out)]) == 0
    tables = doc_tables(out.read_bytes(), "html")
    late = table_with(tables, ["Agency", "Deadline", "Published on", "Days late"])
    n_late = con.execute("select count(*) from reports where year = ? and published_on > deadline", [YEAR]).fetchone()[0]
    assert len(late) == n_late
    text = doc_text(out.read_bytes(), "html")
    assert "逾期" not in text and "Correction rate" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_table_row_of_unknown_timeliness_covers_what_the_text_counts_apart(docs, fmt):
    """The text counts reports with no known date and those of agencies outside the register (no deadline)
    apart; the table's one row for both says so (it read 发布日期未知 where the text said 0 had no date)."""
    text = doc_text(docs[fmt], fmt)
    row = table_with(doc_tables(docs[fmt], fmt), ["状态", "机关数"])
    assert any(r[0] == "已读取（无法判断是否按期）" for r in row)
    assert "或机关未在名录中登记、无法确定期限" in text and "已读取（发布日期未知）" not in text


def test_the_data_date_is_chinas_as_the_dashboards(docs, con):
    """The warehouse keeps the refresh's end in UTC; the circular prints its date in China's time, as the
    dashboard's sidebar does (a refresh at 22:41 UTC is dated the next day there)."""
    import datetime as dt

    from pipeline.serve.queries import _beijing

    finished = con.execute("select max(finished_at) from runs").fetchall()[0][0]
    local = (finished + dt.timedelta(hours=8)).date()
    assert f"数据截至 {local:%Y-%m-%d}" in doc_text(docs["html"], "html")
    assert _beijing(dt.datetime(2026, 12, 6, 22, 41)).strftime("%Y-%m-%d %H:%M") == "2026-12-07 06:41"


def test_a_rate_change_says_it_is_computed_from_the_unrounded_rates(docs):
    """9.8% to 11.8% written +2.1 个百分点 (9.76 to 11.84) is right, and the circular says why it may differ from
    the difference of the two figures shown."""
    text = doc_text(docs["html"], "html")
    assert "比率的变化按未经四舍五入的比率计算" in text
