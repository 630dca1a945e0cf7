"""Tables laid out as other sites print them, with values whose places are known: 表三's applicant
columns in another order (the header decides, never the format's order), a 表三 continued in a second
table without its header, and a fee table after a heading run into its paragraph (not read as 表四).
The values come from the demo generator, different in every column, so a cell placed by position under
a reordered header gives a wrong value the test sees."""
from __future__ import annotations

import random

import pytest

from pipeline.demo.render import random_facts
from pipeline.extract import extract_bytes
from pipeline.spec import catalog, tables

AGENCY, YEAR = "某某市某某局", 2022
ORDERS = {
    "official": catalog.APPLICANT,
    "legal_first": ("commercial", "research", "social_org", "legal_service", "other_org", "natural_person", "total"),
    "total_first": ("total", "natural_person", "commercial", "research", "social_org", "legal_service", "other_org"),
    "swapped": ("total", "commercial", "research", "social_org", "legal_service", "other_org", "natural_person"),
    "commercial_last": ("natural_person", "research", "social_org", "legal_service", "other_org", "commercial", "total"),
}


def _facts(seed: int) -> dict:
    facts = random_facts(random.Random(seed), "2021")
    for i, d in enumerate(catalog.APPLICANT[:-1]):  # every column apart, so a misplaced cell shows
        facts[f"app.received_new:{d}"] = 100 + i
    facts["app.received_new:total"] = sum(100 + i for i in range(6))
    return facts


def _app_rows():
    return list(tables.APP_HEAD) + list(tables.app_rows("2021")) + [(None, *tables.APP_CARRIED_OUT)]


def _table3(facts: dict, order, rows, header: bool = True) -> str:
    head = ('<tr><td>申请人情况</td>' + "".join(f"<td>{catalog.DIM_LABELS[d][0]}</td>" for d in order) + "</tr>"
            if header else "")
    body = "".join(f"<tr><td>{label}</td>" + "".join(f"<td>{facts.get(f'{metric}:{d}', '')}</td>" for d in order)
                   + "</tr>" for _, label, metric in rows)
    return f"<table>{head}{body}</table>"


def _table3_remarks(facts: dict, rows, merged: bool) -> str:
    """The official order with a 备注 column: a remark on one row, or one remark merged down every row."""
    order = catalog.APPLICANT
    head = '<tr><td>申请人情况</td>' + "".join(f"<td>{catalog.DIM_LABELS[d][0]}</td>" for d in order) + "<td>备注</td></tr>"
    body = []
    for i, (_, label, metric) in enumerate(rows):
        remark = (f'<td rowspan="{len(rows)}">本表数据截至12月31日，含转办件</td>' if i == 0 else "") if merged \
            else ("<td>含转办件3件</td>" if i == 2 else "<td></td>")
        body.append(f"<tr><td>{label}</td>" + "".join(f"<td>{facts[f'{metric}:{d}']}</td>" for d in order)
                    + remark + "</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _table3_split_header(facts: dict, rows) -> str:
    """商业企业's header cell over two grid columns, the body's rows with an empty cell under its second."""
    order = catalog.APPLICANT
    head = ('<tr><td>申请人情况</td>' + "".join(f'<td colspan="2">{catalog.DIM_LABELS[d][0]}</td>' if d == "commercial"
                                              else f"<td>{catalog.DIM_LABELS[d][0]}</td>" for d in order) + "</tr>")
    body = "".join(f"<tr><td>{label}</td>" + "".join(f"<td>{facts[f'{metric}:{d}']}</td>" + ("<td></td>" if d == "commercial" else "")
                                                      for d in order) + "</tr>" for _, label, metric in rows)
    return f"<table>{head}{body}</table>"


def _table4(facts: dict) -> str:
    blocks = tables.REVIEW_BLOCKS
    head = ('<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
            '<tr><td rowspan="2">' + '</td><td rowspan="2">'.join(tables.REVIEW_HEAD) + '</td>'
            '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>'
            "<tr>" + "".join(f"<td>{h}</td>" for h in tables.REVIEW_HEAD * 2) + "</tr>")
    values = "<tr>" + "".join(f"<td>{facts[f'{b}:{d}']}</td>" for b in blocks for d in catalog.REVIEW) + "</tr>"
    return f"<table>{head}{values}</table>"


def _page(*parts: str) -> bytes:
    return (f"<html><body><h1>{AGENCY}{YEAR}年政府信息公开工作年度报告</h1>" + "".join(parts)
            + "</body></html>").encode("utf-8")


def _app_facts(report) -> dict:
    return {f.key(): float(f.value) for f in report.facts if f.metric.startswith("app.")}


def _want(facts: dict) -> dict:
    return {k: float(v) for k, v in facts.items() if k.startswith("app.")}


@pytest.mark.parametrize("order", ORDERS, ids=list(ORDERS))
def test_applicant_columns_are_read_by_their_header_in_any_order(order):
    facts = _facts(3)
    page = _page("<p>三、收到和处理政府信息公开申请情况</p>", _table3(facts, ORDERS[order], _app_rows()))
    assert _app_facts(extract_bytes(page, "r.html")) == _want(facts)


@pytest.mark.parametrize("merged", [False, True], ids=["remark on a row", "remark merged down the rows"])
def test_a_remark_column_after_the_values_is_not_a_label(merged):
    facts = _facts(9)
    page = _page("<p>三、收到和处理政府信息公开申请情况</p>", _table3_remarks(facts, _app_rows(), merged))
    assert _app_facts(extract_bytes(page, "r.html")) == _want(facts)


def test_a_header_cell_over_two_columns_with_an_empty_one_under_it():
    facts = _facts(11)
    page = _page("<p>三、收到和处理政府信息公开申请情况</p>", _table3_split_header(facts, _app_rows()))
    assert _app_facts(extract_bytes(page, "r.html")) == _want(facts)


def test_a_table_continued_without_its_header_keeps_the_headers_columns():
    facts, rows = _facts(5), _app_rows()
    order = ORDERS["legal_first"]
    page = _page("<p>三、收到和处理政府信息公开申请情况</p>", _table3(facts, order, rows[:10]),
                 _table3(facts, order, rows[10:], header=False))
    got = _app_facts(extract_bytes(page, "r.html"))
    assert got == _want(facts)


def test_a_fee_table_after_a_run_in_heading_is_not_table_four():
    """表四 with its 复议 纠正 and 其他 cells printed "/", then sections 五 and 六 with their headings run into
    their paragraphs, then a three-column fee table: its 2 and 300 sit at the grid columns of 表四's blank cells."""
    facts = _facts(7)
    for d in ("corrected", "other"):
        facts[f"review:{d}"] = "/"
    fee = ("<table><tr><td>收费项目</td><td>收费件数</td><td>收费金额（元）</td></tr>"
           "<tr><td>信息处理费</td><td>2</td><td>300</td></tr></table>")
    page = _page("<p>四、政府信息公开行政复议、行政诉讼情况</p>", _table4(facts),
                 "<p><strong>五、存在的主要问题及改进情况</strong>一是政务公开工作机制仍需完善，二是信息发布的及时性有待提高，"
                 "下一步将加强培训和督查。</p><p><strong>六、其他需要报告的事项</strong>本年度依申请提供政府信息，"
                 "按规定收取信息处理费，收费情况如下表所列，已全部上缴国库。</p>", fee)
    report = extract_bytes(page, "r.html")
    review = {f.key(): float(f.value) for f in report.facts if f.metric.startswith(("review", "litigation"))}
    assert review == {k: float(v) for k, v in facts.items() if k.startswith(("review", "litigation")) and v != "/"}


def test_rows_cut_off_from_a_header_out_of_the_formats_order_are_left_out():
    """A PDF that breaks 表三 over a page makes its second part a table of another width, without the
    header: when that header printed the columns out of the format's order, the rows below it on the next
    page are left out (with an issue), not placed in the format's order."""
    facts, rows = _facts(13), _app_rows()
    order = ORDERS["legal_first"]
    second = "".join(f"<tr><td>{label}</td><td></td>" + "".join(f"<td>{facts[f'{metric}:{d}']}</td>" for d in order)
                     + "</tr>" for _, label, metric in rows[10:])
    page = _page("<p>三、收到和处理政府信息公开申请情况</p>", _table3(facts, order, rows[:10]), f"<table>{second}</table>")
    report = extract_bytes(page, "r.html")
    # a row whose cells are all one number (zeros) gives the same facts in any order: it is read
    alike = [metric for _, _, metric in rows[10:] if len({str(facts[f"{metric}:{d}"]) for d in order}) == 1]
    first = {f"{metric}:{d}" for _, _, metric in rows[:10] for d in catalog.APPLICANT} | \
        {f"{metric}:{d}" for metric in alike for d in catalog.APPLICANT}
    assert _app_facts(report) == {k: v for k, v in _want(facts).items() if k in first}
    assert sum(i.code == "row_cells" for i in report.issues) == len(rows) - 10 - len(alike) > 0


def test_a_header_after_values_starts_a_new_header():
    """表四 printed as two tables run together (a PDF's one grid): 诉讼's header and values (the direct
    suits' cells blank), then 复议's result words without its block's name and its values. The first
    header's block names must not place the second's values (under 未经复议直接起诉, whose cells are blank)."""
    facts = _facts(15)
    facts.update({"review:upheld": 7, "review:corrected": 2, "review:other": 1, "review:pending": 0, "review:total": 10})
    lit = tables.REVIEW_BLOCKS[1:]
    first = "".join(f"<td>{facts[f'{b}:{d}'] if b != 'litigation.direct' else ''}</td>" for b in lit for d in catalog.REVIEW)
    page = _page("<p>四、政府信息公开行政复议、行政诉讼情况</p>", "<table>"
                 '<tr><td colspan="10">行政诉讼</td></tr><tr><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>'
                 "<tr>" + "".join(f"<td>{h}</td>" for h in tables.REVIEW_HEAD * 2) + f"</tr><tr>{first}</tr>"
                 "<tr>" + "".join(f"<td>{h}</td>" for h in tables.REVIEW_HEAD) + '<td colspan="5"></td></tr>'
                 "<tr>" + "".join(f"<td>{facts[f'review:{d}']}</td>" for d in catalog.REVIEW) + '<td colspan="5"></td></tr>'
                 "</table>")
    report = extract_bytes(page, "r.html")
    got = {f.key(): float(f.value) for f in report.facts if f.metric.startswith(("review", "litigation"))}
    assert {k: v for k, v in got.items() if k.startswith("litigation")} == \
        {f"litigation.after_review:{d}": float(facts[f"litigation.after_review:{d}"]) for d in catalog.REVIEW}
    assert all(v == float(facts[k]) for k, v in got.items())


def test_a_broken_header_with_totals_first_is_not_read_in_the_formats_order():
    """表四 with 总计 first in every block, its header broken over a page (as LibreOffice prints it from
    Word): the top rows in a table of 7 columns, the rest and the values in one of 15. The header's words
    in print order are not the format's, so no value is placed by their order."""
    facts = _facts(17)
    facts.update({"review:upheld": 7, "review:corrected": 2, "review:other": 1, "review:pending": 0, "review:total": 10})
    first_total = ("total", "upheld", "corrected", "other", "pending")
    words = ("总计", "结果维持", "结果纠正", "其他结果", "尚未审结")
    page = _page("<p>四、政府信息公开行政复议、行政诉讼情况</p>",
                 '<table><tr><td colspan="5">行政复议</td><td colspan="2">行政诉讼</td></tr>'
                 "<tr><td>总计</td><td>结果</td><td>结果</td><td>其他</td><td>尚未</td><td>未经复议直接起诉</td>"
                 "<td>复议后起诉</td></tr></table>",
                 '<table><tr><td></td><td>维持</td><td>纠正</td><td>结果</td><td>审结</td><td colspan="5"></td>'
                 '<td colspan="5"></td></tr><tr>' + "<td></td>" * 5 + "".join(f"<td>{w}</td>" for w in words * 2)
                 + "</tr><tr>" + "".join(f"<td>{facts[f'{b}:{d}']}</td>" for b in tables.REVIEW_BLOCKS
                                         for d in first_total) + "</tr></table>")
    report = extract_bytes(page, "r.html")
    got = {f.key(): float(f.value) for f in report.facts if f.metric.startswith(("review", "litigation"))}
    assert all(v == float(facts[k]) for k, v in got.items()), got
