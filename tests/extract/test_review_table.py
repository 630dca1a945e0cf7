"""表四 is read by its header, in whatever order or shape it is printed; what cannot be placed is an issue."""
from __future__ import annotations

import random

import pytest

from pipeline.extract import extract_bytes

BLOCKS = ("review", "litigation.direct", "litigation.after_review")
DIMS = ("upheld", "corrected", "other", "pending", "total")
DIM_ZH = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
BLOCK_ZH = {"review": "行政复议", "litigation.direct": "未经复议直接起诉", "litigation.after_review": "复议后起诉"}


def _values(seed):
    rng = random.Random(seed)
    out = {}
    for b in BLOCKS:
        parts = [rng.randint(0, 9) for _ in range(4)]
        out.update({f"{b}:{d}": v for d, v in zip(DIMS, parts + [sum(parts)])})
    return out


def _td(t, rs=1, cs=1):
    return f"<td rowspan='{rs}' colspan='{cs}'>{t}</td>"


def _page(table_html: str) -> bytes:
    return ("<html><head><meta charset='utf-8'><title>某市某局2023年政府信息公开工作年度报告</title></head><body>"
            "<h1>某市某局2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>本年度工作平稳推进。</p>"
            "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + table_html +
            "<p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>").encode()


def official(v, dims=DIMS):
    h1 = _td("行政复议", 1, 5) + _td("行政诉讼", 1, 10)
    h2 = "".join(_td(DIM_ZH[d], 2) for d in dims) + _td("未经复议直接起诉", 1, 5) + _td("复议后起诉", 1, 5)
    h3 = "".join(_td(DIM_ZH[d]) for d in dims) * 2
    row = "".join(_td(v[f"{b}:{d}"]) for b in BLOCKS for d in dims)
    return f"<table><tr>{h1}</tr><tr>{h2}</tr><tr>{h3}</tr><tr>{row}</tr></table>"


def split_blocks(v):
    t1 = ("<table><tr>" + _td("行政复议", 1, 5) + "</tr><tr>" + "".join(_td(DIM_ZH[d]) for d in DIMS) + "</tr><tr>"
          + "".join(_td(v[f"review:{d}"]) for d in DIMS) + "</tr></table>")
    t2 = ("<table><tr>" + _td("行政诉讼", 1, 10) + "</tr><tr>" + _td("未经复议直接起诉", 1, 5) + _td("复议后起诉", 1, 5)
          + "</tr><tr>" + "".join(_td(DIM_ZH[d]) for d in DIMS) * 2 + "</tr><tr>"
          + "".join(_td(v[f"{b}:{d}"]) for b in BLOCKS[1:] for d in DIMS) + "</tr></table>")
    return t1 + "<p>（续）</p>" + t2


def transposed(v):
    head = "<tr>" + _td("类别") + "".join(_td(DIM_ZH[d]) for d in DIMS) + "</tr>"
    rows = "".join("<tr>" + _td(("行政诉讼" if b != "review" else "") + BLOCK_ZH[b]) + "".join(_td(v[f"{b}:{d}"]) for d in DIMS) + "</tr>"
                   for b in BLOCKS)
    return f"<table>{head}{rows}</table>"


def results_as_rows(v):
    head = "<tr>" + _td("结果") + "".join(_td(BLOCK_ZH[b]) for b in BLOCKS) + "</tr>"
    rows = "".join("<tr>" + _td(DIM_ZH[d]) + "".join(_td(v[f"{b}:{d}"]) for b in BLOCKS) + "</tr>" for d in DIMS)
    return f"<table>{head}{rows}</table>"


SHAPES = {
    "official": official,
    "reordered": lambda v: official(v, ("total", "upheld", "corrected", "other", "pending")),
    "split": split_blocks,
    "transposed": transposed,
    "results as rows": results_as_rows,
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", range(3))
def test_review_table_shapes(shape, seed):
    v = _values(seed)
    r = extract_bytes(_page(SHAPES[shape](v)), "r.html")
    got = {k: val for k, val in r.values().items() if k.split(":")[0] in BLOCKS}
    assert got == v, shape


def test_a_review_row_without_a_header_is_an_issue_not_a_guess():
    v = _values(1)
    row = "".join(_td(v[f"{b}:{d}"]) for b in BLOCKS for d in DIMS)
    r = extract_bytes(_page(f"<table><tr>{row}</tr></table>"), "r.html")
    assert not any(f.metric in BLOCKS for f in r.facts)
    assert any(i.code == "row_cells" and ("表四" in i.message or "table 四" in i.message) for i in r.issues)


def test_a_clipped_application_table_reads_the_columns_that_are_there():
    """A 表三 cut at the page's right edge (其他 and 总计 lost): the columns present are read by their
    headers, the lost ones are named in the issues, nothing is shifted."""
    head = ("<tr><td colspan='2' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
            "<td colspan='5'>申请人情况</td></tr>"
            "<tr><td rowspan='2'>自然人</td><td colspan='4'>法人或其他组织</td></tr>"
            "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td></tr>")
    rows = ("<tr><td colspan='2'>一、本年新收政府信息公开申请数量</td><td>12</td><td>3</td><td>0</td><td>1</td><td>2</td></tr>"
            "<tr><td colspan='2'>二、上年结转政府信息公开申请数量</td><td>1</td><td>0</td><td></td><td>0</td><td>0</td></tr>")
    page = ("<html><head><meta charset='utf-8'></head><body><p>某市某局2023年政府信息公开工作年度报告</p>"
            "<p>三、收到和处理政府信息公开申请情况</p><table>" + head + rows + "</table></body></html>").encode()
    r = extract_bytes(page, "r.html")
    v = r.values()
    assert {k: x for k, x in v.items() if k.startswith("app.received_new")} == {
        "app.received_new:natural_person": 12, "app.received_new:commercial": 3, "app.received_new:research": 0,
        "app.received_new:social_org": 1, "app.received_new:legal_service": 2}
    assert v["app.carried_in:natural_person"] == 1 and "app.carried_in:research" not in v
    assert any(i.code == "columns_missing" for i in r.issues)
