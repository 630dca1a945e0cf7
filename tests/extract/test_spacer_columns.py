"""A column without text in any row (a spacer between 表四's 行政复议 and 行政诉讼 groups, as a site's template or
a Word table may have) is no column: a format probe found the whole of 表四 lost to it in HTML, .docx and .doc
(its readers found no 行政复议 group where the header said). A column that a heading spans (行政诉讼 over a
spacer between its two groups) is kept, and the table left out as before: a table cut from its header by a page
break is told by its width, which dropping columns would change (tests/extract/test_table_layouts.py)."""
from __future__ import annotations

import pytest

from pipeline.extract import extract_bytes

HEAD = "某某市财政局2023年政府信息公开工作年度报告"
VALUES = ["1", "2", "0", "1", "4", "3", "0", "1", "0", "4", "0", "1", "0", "0", "1"]
RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def _table(gap_at: int | None) -> str:
    def cells(texts, **attrs):
        a = "".join(f' {k}="{v}"' for k, v in attrs.items())
        return "".join(f"<td{a}>{t}</td>" for t in texts)

    gap = "<td></td>"
    groups = [cells(["行政复议"], colspan=5), cells(["行政诉讼"], colspan=10)]
    subs = [cells(RESULTS, rowspan=2), cells(["未经复议直接起诉"], colspan=5) + cells(["复议后起诉"], colspan=5)]
    if gap_at == 5:  # between 复议 and 诉讼
        row1, row2, row3 = groups[0] + gap + groups[1], subs[0] + '<td rowspan="2"></td>' + subs[1], cells(RESULTS * 2)
        values = cells(VALUES[:5]) + gap + cells(VALUES[5:])
    else:  # between the two 诉讼 groups
        row1 = cells(["行政复议"], colspan=5) + cells(["行政诉讼"], colspan=11)
        row2 = subs[0] + cells(["未经复议直接起诉"], colspan=5) + '<td rowspan="2"></td>' + cells(["复议后起诉"], colspan=5)
        row3 = cells(RESULTS * 2)  # (the spacer is covered from the row above)
        values = cells(VALUES[:10]) + gap + cells(VALUES[10:])
    return f"<table border='1'><tr>{row1}</tr><tr>{row2}</tr><tr>{row3}</tr><tr>{values}</tr></table>"


@pytest.mark.parametrize("gap_at", [5], ids=["between-review-and-litigation"])
def test_table_four_with_a_spacer_column_is_read(gap_at):
    page = (f"<html><body><h1>{HEAD}</h1><p>一、总体情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p>"
            f"{_table(gap_at)}<p>五、存在的主要问题及改进情况</p></body></html>")
    got = extract_bytes(page.encode("utf-8"), "spacer.html").values()
    keys = ["review:upheld", "review:corrected", "review:other", "review:pending", "review:total",
            *(f"litigation.{g}:{d}" for g in ("direct", "after_review") for d in ("upheld", "corrected", "other", "pending", "total"))]
    assert {k: float(got[k]) for k in keys if k in got} == {k: float(v) for k, v in zip(keys, VALUES)}
