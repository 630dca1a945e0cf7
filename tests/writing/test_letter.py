"""The review letter: exactly the report's open and confirmed findings (a dismissed one disappears), its
publication date against the deadline with the days late, and the figures that moved most, each equal to
the warehouse's; a template in the data folder replaces the shipped one."""
from __future__ import annotations

import re

import pytest

from pipeline.serve.reviews import add_review
from pipeline.serve.writing.letter import MISSING_CHECKS, letter_bytes
from pipeline.spec import catalog
from tests.writing.conftest import YEAR, doc_tables, doc_text, table_with

HEADER = ["序号", "问题", "涉及单元格", "格式要求", "状态"]


def _msg(m: str) -> str:
    """A finding's message as the letter prints it, without spaces (a PDF's text extraction places spaces by
    the glyphs' gaps, not as written): the Chinese record the refresh wrote from the finding's fields, by the
    function the letter writes it with."""
    return re.sub(r"\s+", "", m)


def _cells(rows, k: int = 1) -> list[str]:
    return [re.sub(r"\s+", "", r[k]) for r in rows]


def _report_with_findings(con, n: int = 2) -> str:
    return con.execute("""select report_id from check_results where check_id not in (select unnest(?::varchar[]))
                          group by report_id having count(*) >= ? order by count(*) desc, report_id limit 1""",
                       [list(MISSING_CHECKS), n]).fetchone()[0]


def _findings(con, rid: str) -> list[tuple[str, str]]:
    return con.execute("select finding_key, message from v_check_results where report_id = ? and check_id not in "
                       "(select unnest(?::varchar[]))", [rid, list(MISSING_CHECKS)]).fetchall()


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_letter_lists_exactly_the_open_and_confirmed_findings(con, tmp_path, fmt):
    rid = _report_with_findings(con)
    found = _findings(con, rid)
    rows = table_with(doc_tables(letter_bytes(con, rid, fmt, tmp_path), fmt), HEADER)
    assert sorted(_cells(rows)) == sorted(_msg(m) for _, m in found)
    assert {r[4] for r in rows} == {"待核实"}
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]

    (dismissed, dmsg), (confirmed, cmsg) = found[0], found[1]
    add_review(tmp_path / "reviews.csv", dismissed, "dismissed", "机构合并，属实")
    add_review(tmp_path / "reviews.csv", confirmed, "confirmed")
    data = letter_bytes(con, rid, fmt, tmp_path)
    rows = table_with(doc_tables(data, fmt), HEADER)
    assert sorted(_cells(rows)) == sorted(_msg(m) for k, m in found if k != dismissed)
    assert dict(zip(_cells(rows), _cells(rows, 4)))[_msg(cmsg)] == "已确认"
    assert _msg(dmsg) not in re.sub(r"\s+", "", doc_text(data, fmt))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_letter_states_the_deadline_and_the_days_late(con, tmp_path, fmt):
    rid, name, deadline, published, days = con.execute("""
        select r.report_id, a.name, r.deadline, r.published_on, date_diff('day', r.deadline, r.published_on)
        from reports r join agencies a using (agency_id) where r.year = ? and r.published_on > r.deadline
        order by r.report_id limit 1""", [YEAR]).fetchone()
    data = letter_bytes(con, rid, fmt, tmp_path)
    basics = dict(table_with(doc_tables(data, fmt), ["项目", "内容"]))
    assert basics["机关"] == name and basics["报告年度"] == str(YEAR)
    assert (basics["发布日期"], basics["法定期限"]) == (str(published), str(deadline))
    assert basics["是否按期"] == f"逾期发布，晚 {days} 天"
    late_finding = con.execute("select message from check_results where report_id = ? and check_id = 'published_late'",
                               [rid]).fetchone()[0]
    assert _msg(late_finding) in _cells(table_with(doc_tables(data, fmt), HEADER))


def test_letter_cites_the_report_by_its_address_and_names_the_file_only_in_its_table(wh, tmp_path):
    """The opening names the report and, where known, where it was published; the file the office read
    (an internal name such as 10-2019.txt) is in the table of particulars, not in the letter's sentence."""
    import shutil

    import duckdb

    shutil.copy(wh, tmp_path / "w.duckdb")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for table in ("reports", "mart_reports"):  # a report put in the inbox by hand: no address known
        con.execute(f"update {table} set source_url = null where report_id = (select max(report_id) from reports "
                    "where year = ?)", [YEAR])
    rows = con.execute("select report_id, source_name, source_url from reports where year = ? and report_id in "
                       "((select min(report_id) from reports where year = ? and source_url is not null), "
                       "(select max(report_id) from reports where year = ?))", [YEAR] * 3).fetchall()
    assert len(rows) == 2 and sum(url is None for _, _, url in rows) == 1
    for rid, source, url in rows:
        data = letter_bytes(con, rid, "docx", tmp_path)
        opening = next(p for p in doc_text(data, "docx").splitlines() if "进行了审查" in p)
        cited = opening.split("工作年度报告", 1)[1].split("进行了审查")[0]
        assert cited == (f"（{url}）" if url else "")
        basics = dict(table_with(doc_tables(data, "docx"), ["项目", "内容"]))
        assert basics["审查所据文件"] == source


def test_letter_of_an_on_time_report_and_one_without_a_date(con, tmp_path):
    rid, deadline = con.execute("select report_id, deadline from reports where year = ? and published_on <= deadline "
                                "order by report_id limit 1", [YEAR]).fetchone()
    basics = dict(table_with(doc_tables(letter_bytes(con, rid, "docx", tmp_path), "docx"), ["项目", "内容"]))
    assert basics["是否按期"] == "按期发布" and basics["法定期限"] == str(deadline)
    rid = con.execute("select report_id from reports where published_on is null and deadline is not null "
                      "order by report_id limit 1").fetchone()[0]
    basics = dict(table_with(doc_tables(letter_bytes(con, rid, "docx", tmp_path), "docx"), ["项目", "内容"]))
    assert basics["发布日期"] == "未知" and basics["是否按期"].startswith("无法判断")


def test_figures_that_moved_most_are_the_warehouses(con, tmp_path):
    rid, aid, year = con.execute("select report_id, agency_id, year from reports where year = ? order by report_id "
                                 "limit 1", [YEAR]).fetchone()
    prev = con.execute("select report_id from reports where agency_id = ? and year = ?", [aid, year - 1]).fetchone()[0]
    now = dict(con.execute("select key, value from v_values where report_id = ?", [rid]).fetchall())
    before = dict(con.execute("select key, value from v_values where report_id = ?", [prev]).fetchall())
    labels = {catalog.label(k, "zh"): k for k in now if k.split(":")[0] in catalog.BY_CODE}
    rows = table_with(doc_tables(letter_bytes(con, rid, "docx", tmp_path), "docx"),
                      ["指标", f"{year - 1}年", f"{year}年", "变化", "变化率"])
    assert 1 <= len(rows) <= 5
    rel = {}
    for label, b, n, change, _ in rows:
        k = labels[label]
        assert (float(b.replace(",", "")), float(n.replace(",", ""))) == (before[k], now[k])
        assert float(change.replace(",", "").replace("+", "")) == now[k] - before[k]
        rel[k] = abs(now[k] - before[k]) / max(abs(now[k]), abs(before[k]))
    # no figure left out moved more than the least of those listed
    others = [abs(now[k] - before[k]) / max(abs(now[k]), abs(before[k])) for k in set(now) & set(before)
              if k not in rel and max(abs(now[k]), abs(before[k])) >= 10 and now[k] != before[k]]
    assert not others or max(others) <= min(rel.values())


def test_a_template_in_the_data_folder_replaces_the_shipped_one(con, tmp_path):
    rid = _report_with_findings(con)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "letter.zh.md.j2").write_text(
        "# 关于{{ agency }}年报的意见\n\n共 {{ findings | length }} 个问题。\n", encoding="utf-8")
    text = doc_text(letter_bytes(con, rid, "docx", tmp_path), "docx")
    name = con.execute("select a.name from reports r join agencies a using (agency_id) where report_id = ?", [rid]).fetchone()[0]
    assert f"关于{name}年报的意见" in text and f"共 {len(_findings(con, rid))} 个问题。" in text
    # the English letter is still the shipped one
    assert "Points to check or correct" in doc_text(letter_bytes(con, rid, "docx", tmp_path, "en"), "docx")


def test_cli_letter(wh, con, tmp_path):
    from pipeline.cli import main

    rid = _report_with_findings(con)
    for suffix in ("docx", "pdf"):
        out = tmp_path / f"letter.{suffix}"
        assert main(["letter", "--report", rid, "--db", str(wh), "--out", str(out)]) == 0
        assert out.read_bytes()[:4] in (b"PK\x03\x04", b"%PDF")
    assert main(["letter", "--report", "no-such-report", "--db", str(wh), "--out", str(tmp_path / "x.pdf")]) == 2
    assert main(["letter", "--report", rid, "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x.pdf")]) == 2


def test_a_pdf_tables_short_columns_are_not_broken_a_character_a_line():
    """序号 and 状态 beside two long columns: each short column is as wide as its widest cell at the table's
    font size (待核实 was printed one character a line), and the widths fill the page's width."""
    from pipeline.serve.writing.render import _text_width, column_widths

    rows = [["序号", "问题", "涉及单元格", "格式要求", "状态"]] + \
        [[str(i), "表三 自然人：各项办理结果之和为 88，但（七）总计为 84" * 2, "部分公开 · 自然人、不予公开：属于国家秘密 · 自然人" * 3,
          "2021 年格式", "待核实"] for i in range(1, 12)]
    widths = column_widths(rows, 470.0, 9)
    assert abs(sum(widths) - 470.0) < 1e-6
    assert widths[4] >= _text_width("待核实", 9) + 12 and widths[0] >= _text_width("序号", 9) + 12
    assert widths[3] >= _text_width("2021 年格式", 9) + 12
    assert widths[1] > widths[4] * 2 and widths[2] > widths[4] * 2


def test_a_pdf_tables_long_english_label_and_dates_take_their_printed_width():
    """An English measure's long name gets most of the width, dates (10 narrow characters) are short columns."""
    from pipeline.serve.writing.render import _text_width, column_widths

    rows = [["Measure", "This year", "Agencies", "Change"],
            ["Correction rate (reconsideration and litigation)", "12.3%", "40", "+2.1 pp"],
            ["Applications received", "14,641", "40", "+16"]]
    widths = column_widths(rows, 470.0, 9)
    assert widths[0] > 200 and all(w >= _text_width(c, 9) + 12 for w, c in zip(widths[1:], ("This year", "Agencies", "+2.1 pp")))
    late = [["机关", "法定期限", "发布日期", "逾期天数"], ["南京市玄武区梅园新村街道办事处", "2024-01-31", "2024-03-02", "31"]]
    widths = column_widths(late, 470.0, 9)
    assert widths[1] < widths[0] and widths[2] < widths[0] and widths[1] >= _text_width("2024-01-31", 9) + 12


def test_a_pdf_line_never_starts_with_a_comma_nor_breaks_a_figure():
    """The PDF's lines follow the Chinese rules: no line starts with ，；：！？ (reportlab's wrap knew only the
    Japanese list); a column of figures (+427,806,325（+101.7%）) is not broken inside a number."""
    import io

    import pdfplumber

    from pipeline.serve.writing.render import to_bytes

    sentence = "网站访问量较上年增加，" * 3 + "其中一个机关的数据变化超过十倍，尚待核实，已在数据质量页标出，请各单位核实后更正。"
    text = "\n\n".join(["# 通报", *(sentence[k:] + sentence[:k] for k in range(0, 40) if sentence[k] not in "，。"),
                       "| 指标 | 上年 | 本年 | 变化 |", "|---|---|---|---|",
                       "| 网站访问量（同一批机关）的全年合计 | 420,673,741 | 848,480,066 | +427,806,325（+101.7%） |"])
    pdf = to_bytes(text, {}, "pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        lines = [ln.strip() for page in doc.pages for ln in (page.extract_text() or "").splitlines()]
    assert lines and not [ln for ln in lines if ln[:1] in "，；：！？、。"], lines
    assert any("+427,806,325" in ln for ln in lines), lines
