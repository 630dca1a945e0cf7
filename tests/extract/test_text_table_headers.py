"""表三 in text (tab-separated) whose columns are not the format's: the 总计 column printed first under a
one-row header whose first cell is the table's note, or no 总计 column at all. A blind probe found both read
by the format's column order: every value one column off (自然人 given the 总计, 总计 the 其他), 57 wrong
values in two reports. Now the header's words decide or the row is left out, saying why; a row whose
cells are all one number (zeros) is the same in any order and is read."""
from __future__ import annotations

import math

from pipeline.extract import extract_bytes

FORMAT = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
WORDS = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "social_org": "社会公益组织",
         "legal_service": "法律服务机构", "other_org": "其他", "total": "总计"}
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
# (label fields, metric, values by applicant: natural person … other; the total is their sum)
ROWS = (
    (["一、本年新收政府信息公开申请数量", "", ""], "app.received_new", (8, 2, 0, 0, 1, 2)),
    (["二、上年结转政府信息公开申请数量", "", ""], "app.carried_in", (2, 0, 0, 0, 1, 1)),
    (["三、本年度办理结果", "（一）予以公开", ""], "app.granted", (4, 0, 0, 0, 0, 2)),
    (["", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ""], "app.partial", (0, 0, 0, 0, 0, 0)),
    (["", "（三）不予公开", "1.属于国家秘密"], "app.denied.state_secret", (0, 0, 0, 0, 0, 0)),
    (["", "（四）无法提供", "1.本机关不掌握相关政府信息"], "app.unavailable.not_held", (2, 0, 0, 0, 0, 0)),
    (["", "（七）总计", ""], "app.total", (6, 0, 0, 0, 0, 2)),
    (["四、结转下年度继续办理", "", ""], "app.carried_out", (0, 1, 0, 0, 1, 0)),
)


def _report(columns: tuple[str, ...], header: list[list[str]]) -> tuple[str, dict]:
    lines = ["南昌市某某局2025年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况"]
    lines += ["\t".join(h) for h in header]
    truth = {}
    for labels, metric, vals in ROWS:
        by_dim = dict(zip(FORMAT, vals + (sum(vals),)))
        lines.append("\t".join(labels + [str(by_dim[d]) for d in columns]))
        truth |= {f"{metric}:{d}": by_dim[d] for d in columns}
    return "\n".join(lines + ["四、政府信息公开行政复议、行政诉讼情况"]), truth


def _read(text: str):
    report = extract_bytes(text.encode("utf-8"), "r.txt")
    return report, {k: v for k, v in report.values().items() if k.startswith("app.")}


def _wrong(got: dict, truth: dict) -> list:
    return [(k, v, truth.get(k)) for k, v in got.items() if k not in truth or not math.isclose(float(v), truth[k])]


def test_total_first_under_a_one_row_header_gives_no_value_in_another_column():
    columns = ("total",) + FORMAT[:-1]
    text, truth = _report(columns, [[NOTE, "", ""] + [WORDS[d] for d in columns]])
    report, got = _read(text)
    assert not _wrong(got, truth)
    zeros = [m for _, m, vals in ROWS if not any(vals)]
    assert all(f"{m}:{d}" in got for m in zeros for d in FORMAT)  # a row of zeros is the same in any order
    assert "app.received_new:natural_person" not in got
    assert any(i.code == "row_cells" and i.where.startswith("一、本年新收") for i in report.issues)


def test_a_table_without_its_total_column_reads_its_columns_by_their_header_or_not_at_all():
    columns = FORMAT[:-1]
    header = [[NOTE, "", "", "申请人情况", "", "", "", "", ""],
              ["", "", "", "自然人", "法人或其他组织", "", "", "", ""],
              ["", "", ""] + [""] + [WORDS[d] for d in columns[1:]]]
    text, truth = _report(columns, header)
    report, got = _read(text)
    assert not _wrong(got, truth)
    assert not any(k.endswith(":total") for k in got)
    assert got.get("app.denied.state_secret:natural_person") == 0  # a row whose labels fill the label fields
    said = " ".join(i.where for i in report.issues if i.code == "row_cells")
    for labels, metric, _ in ROWS:  # each row read whole, or left out saying so
        read = [d for d in FORMAT[:-1] if f"{metric}:{d}" in got]
        assert len(read) in (0, 6) and (read or labels[0] + labels[1] + labels[2] in said), metric


def test_the_format_order_under_its_own_header_is_read_whole():
    header = [[NOTE, "", "", "申请人情况", "", "", "", "", "", ""],
              ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
              ["", "", "", ""] + [WORDS[d] for d in FORMAT[1:-1]] + [""]]
    text, truth = _report(FORMAT, header)
    _, got = _read(text)
    assert not _wrong(got, truth) and set(got) == set(truth)


def test_the_formats_two_header_rows_in_one_line_are_the_formats_order():
    """自然人 法人或其他组织 总计 商业企业 … 其他: a page's text gives the two header rows in one line, 总计 (which
    spans both) before the second row's words; the columns are the format's, and every row is read."""
    head = [NOTE, "", "", "自然人", "法人或其他组织", "总计"] + [WORDS[d] for d in FORMAT[1:-1]]
    text, truth = _report(FORMAT, [head])
    _, got = _read(text)
    assert not _wrong(got, truth) and set(got) == set(truth)
