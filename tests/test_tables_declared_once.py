"""The official tables' printed labels are declared once (pipeline/spec/tables.py): the parser, the
readers (the PDF's column anchors), the demo renderer, the dashboard's queries and its printed report
page read them from there and never spell one out again."""
from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from pipeline.spec import tables

ROOT = Path(__file__).resolve().parent.parent
# the modules that lay out or read the tables: they must name each label through pipeline.spec.tables
READERS_OF_LABELS = ["pipeline/read", "pipeline/extract", "pipeline/demo", "pipeline/serve", "app_pages",
                     "dashboard.py"]


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def spelt_again(paths, labels) -> list[str]:
    """Every string literal (docstrings aside) equal to one of `labels`, as 'file:line label'."""
    found = []
    for top in paths:
        files = [top] if top.suffix == ".py" else sorted(top.rglob("*.py"))
        for path in files:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            found += [f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{n.lineno} {n.value}"
                      for n in ast.walk(tree)
                      if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in labels
                      and id(n) not in skip]
    return found


def test_the_declaration_holds_every_printed_label():
    labels = tables.every_label()
    # the section headings, a 表二 caption and header, 表三's rows, groups and header groups, 表四's groups
    for word in ("二、主动公开政府信息情况", "第二十条第（一）项", "信息内容", "本年制发件数", "规章", "行政规范性文件",
                 "（一）予以公开", "（三）不予公开", "1.属于国家秘密", "四、结转下年度继续办理", "申请人情况",
                 "法人或其他组织", "自然人", "商业企业", "行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉",
                 "结果维持", "尚未审结"):
        assert word in labels, word


def test_no_label_is_spelt_outside_the_declaration():
    found = spelt_again([ROOT / p for p in READERS_OF_LABELS], tables.every_label())
    assert not found, "labels spelt outside pipeline/spec/tables.py:\n" + "\n".join(found)


def test_the_check_finds_a_label_spelt_again(tmp_path):
    """Not vacuous: a module writing 法人或其他组织 itself, or a 表三 row label, is reported; a docstring is not."""
    (tmp_path / "bad.py").write_text('"""法人或其他组织 in prose."""\nHEAD = ["法人或其他组织", "（二）部分公开（区分处理的，只计'
                                     '这一情形，不计其他情形）", "法人"]\n', encoding="utf-8")
    found = spelt_again([tmp_path / "bad.py"], tables.every_label())
    assert [f.split(" ", 1)[1] for f in found] == ["法人或其他组织", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]


def test_the_pdf_anchors_are_the_tables_column_words():
    from pipeline.read import pdf

    assert pdf._ANCHORS == tables.column_words()
    assert {"自然人", "结果维持", "本年制发件数", "采购总金额", "本年收费金额"} <= pdf._ANCHORS


def test_the_catalog_reads_the_printed_labels():
    from pipeline.spec import catalog

    printed = tables.printed_row_labels()
    for m in catalog.METRICS:
        if m.is_table:
            assert m.report_label == printed[m.code]
    assert catalog.BY_CODE["app.denied.state_secret"].report_label == "（三）不予公开 1.属于国家秘密"
    assert [catalog.DIM_LABELS[d][0] for d in catalog.APPLICANT] == list(tables.APPLICANT_HEAD)
    assert [catalog.DIM_LABELS[d][0] for d in catalog.REVIEW] == list(tables.REVIEW_HEAD)


def test_renderer_and_printed_page_draw_the_same_declared_labels(monkeypatch):
    """A label changed in the declaration changes what the demo renderer writes and what the dashboard's
    printed page draws, in both languages: both read the one object."""
    import random

    from app_pages import printed
    from pipeline.demo import render

    monkeypatch.setattr(tables, "LEGAL_PERSONS", ("甲乙丙法人", "ABC legal persons"))
    monkeypatch.setattr(tables, "LITIGATION_BLOCKS", {"litigation.direct": ("甲乙直接起诉", "AB direct"),
                                                      "litigation.after_review": ("丙丁复议后", "CD after")})
    monkeypatch.setattr(tables, "HEADINGS", {**tables.HEADINGS, "applications": ("三、甲乙丙丁", "3. ABCD")})
    facts = render.random_facts(random.Random(3), "2021")
    drawn = render._tables(facts, "2021", render.Layout())
    words = {c.text for _, t in drawn for row in t for c in row}
    assert {"甲乙丙法人", "甲乙直接起诉", "丙丁复议后"} <= words
    assert "三、甲乙丙丁" in [heading for heading, _ in drawn]
    values = printed.Values(facts)
    for lang, legal, direct in (("zh", "甲乙丙法人", "甲乙直接起诉"), ("en", "ABC legal persons", "AB direct")):
        html3, _ = printed.table3(values, {}, "2021", lang)
        html4, frame = printed.table4(values, {}, lang)
        assert legal in html3 and direct in html4
        assert isinstance(frame, pd.DataFrame)
