"""Text copied or saved from a web page by a browser: Chromium's innerText of every labelled corpus page
must give the golden facts, as the page does. Where the cells hold paragraphs (<p> in <td>, as pages
pasted from Word have), the browser puts each cell on lines of its own and the tabs between cells on
lines of their own (规章 / \\t0\\t / 0 / \\t / 0); the rows are joined back (txt.join_spread_rows), and the
unit tests below pin how, including what must stay apart (a table's last value and the heading under
it, plain tab rows)."""
from __future__ import annotations

import math
import shutil

import pytest

from pipeline.extract import extract, extract_bytes
from pipeline.read.txt import join_spread_rows
from tests.conftest import NO_CORPUS, CORPUS, golden_pairs, load_json

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SOURCES = golden_pairs((".html", ".htm"))


def _spread(rows: list[list[list[str]]]) -> str:
    """A table as Chromium's innerText gives it when every cell holds paragraphs: each cell's paragraphs
    between blank lines, a tab on a line of its own between cells, rows apart by four blank lines."""
    return "\n\n\n\n".join("\n\n\t\n\n".join("\n\n".join(cell) for cell in row) for row in rows)


def test_a_spread_table_is_joined_into_rows():
    text = _spread([[["信息内容"], ["本年新", "制作数量"], ["对外公开总数量"]],
                    [["规章"], ["0"], ["0"]],
                    [["规范性文件"], ["89"], ["89"]]])
    got = [line for line in join_spread_rows(text.split("\n")) if line]
    assert got == ["信息内容\t本年新制作数量\t对外公开总数量", "规章\t0\t0", "规范性文件\t89\t89"]


def test_a_cell_on_the_tabs_line_and_a_br_in_a_cell():
    lines = ["规章", "", "\t0\t", "", "0", "", "\t", "", "0", "", "", "", "", "信息内容", "", "\t", "", "本年新", "制作数量",
             "", "", "", "", "规范性文件", "", "\t", "", "89"]
    assert [x for x in join_spread_rows(lines) if x] == ["规章\t0\t0\t0", "信息内容\t本年新制作数量", "规范性文件\t89"]


def test_the_heading_under_a_tables_last_value_stays_apart():
    lines = ["行政事业性收费", "", "\t", "", "5949.088667", "", "三、收到和处理政府信息公开申请情况", "",
             "自然人", "", "\t", "", "商业", "", "企业", "", "\t", "", "其他"]
    assert [x for x in join_spread_rows(lines) if x] == [
        "行政事业性收费\t5949.088667", "三、收到和处理政府信息公开申请情况", "自然人\t商业企业\t其他"]


def test_plain_tab_rows_and_text_without_tab_lines_are_as_they_were():
    plain = ["规章\t0\t0\t0", "规范性文件\t89\t89\t89", "", "正文一段。"]
    assert join_spread_rows(plain) == plain
    few = ["a", "\t", "b", "\t", "c"]  # two tab-only lines: not the spread form
    assert join_spread_rows(few) == few


def test_a_numbered_labels_first_line_with_applicant_words_is_no_header():
    """1.申请人无正当理由逾期不补正、行政机关 / 不再处理其政府信息公开申请: the label's first line holds 申请人,
    a word of 表三's header; it is the label's first line, and the row is read whole."""
    head = "\t".join(["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])
    text = "\n".join([
        "某某局2023年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况", head,
        "\t".join(["一、本年新收政府信息公开申请数量", "8", "0", "0", "0", "0", "0", "8"]),
        "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关",
        "\t".join(["不再处理其政府信息公开申请", "3", "0", "0", "0", "0", "0", "3"]),
    ])
    got = extract_bytes(text.encode(), "r.txt").values()
    assert got.get("app.other.overdue_correction:natural_person") == 3
    assert got.get("app.other.overdue_correction:total") == 3


def test_a_menu_indented_by_tabs_is_lines_of_text_not_a_table():
    """A page's text dumped with its source's indentation: the menu's words behind tabs are lines, the
    title before them names the agency, and no row is joined."""
    lines = ["    某某县交通运输局2023年政府信息公开工作年度报告_年报_某某县人民政府", "\t", "\t\t",
             "\t\t\t\t首页", "\t\t\t\t政务公开", "\t", "\t\t\t\t\t登录", "\t", "\t\t\t\t\t注册",
             "一、总体情况", "2023年，本局网站访问量12.5万次。"]
    assert join_spread_rows(lines) == lines
    report = extract_bytes("\n".join(lines).encode(), "page.txt")
    assert report.agency == "某某县交通运输局" and report.year == 2023
    assert report.values().get("website.visits") == 125000


@pytest.fixture(scope="module")
def inner_texts(tmp_path_factory):
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    if CHROMIUM is None:
        pytest.skip("no Chromium (tests/install_prerequisites.py installs Debian's package)")
    from playwright.sync_api import sync_playwright

    out = tmp_path_factory.mktemp("inner")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page()
        for src, _ in SOURCES:
            page.goto(src.resolve().as_uri())
            (out / f"{src.stem}.txt").write_text(page.inner_text("body"), encoding="utf-8")
        b.close()
    return out


def _source_text(src) -> str:
    """The page's text as a tool that dumps the source's text gives it: every text node in order, with
    the source's own indentation, a line break after each cell, paragraph and row."""
    import lxml.html

    root = lxml.html.parse(str(src)).getroot()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for el in root.iter("td", "th", "p", "div", "br", "tr", "li", "h1", "h2", "h3"):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


def _assert_golden(report, expected):
    want = load_json(expected)
    got = report.values()
    assert (report.agency, report.year, report.template) == (want["agency"], want["year"], want["template"])
    wrong = [(k, got[k], v) for k, v in want["facts"].items()
             if k in got and not math.isclose(float(got[k]), float(v), abs_tol=1e-6)]
    assert not wrong, f"wrong values: {wrong[:10]}"
    missing = [k for k in want["facts"] if k not in got]
    assert not missing, f"misses {len(missing)} golden facts: {missing[:12]}"


@pytest.mark.slow
@pytest.mark.parametrize("src,expected", SOURCES, ids=[s.stem for s, _ in SOURCES])
def test_a_pages_text_from_the_browser_gives_the_golden_facts(inner_texts, src, expected):
    _assert_golden(extract(inner_texts / f"{src.stem}.txt"), expected)


@pytest.mark.parametrize("src,expected", SOURCES, ids=[s.stem for s, _ in SOURCES])
def test_a_pages_source_text_gives_the_golden_facts(src, expected):
    _assert_golden(extract_bytes(_source_text(src).encode(), f"{src.stem}.txt"), expected)
