"""Issue 18, part 1: PDFium's text layer (pipeline/read/pdf_layer.py) gives the facts pdfminer's gave.

Every PDF of the corpus, every LibreOffice and Chromium variant of the labelled reports (test_variants.py's),
the narrow-label and Traditional-script LibreOffice PDFs (test_proof_variants.py's) and PDFs made by the
project's renderer are read twice: through PDFium (`pdf.LAYER = "pdfium"`, the default) and through
pdfminer alone (`"pdfminer"`, the reader as it was). The same facts must come out of both, each with the
same value, verified flag, and evidence's table, column and page; the report's year, template, agency and
title must be the same, and its statements (kind and value).

The evidence's row and column labels and a statement's sentence are compared without their spaces: the two
layers place the space characters a PDF draws apart from its words (LibreOffice draws them one by one, over
the glyphs) differently, so a label may read "3. 要求" on one and "3 . 要求" on the other. Beyond spaces, a row
label may differ only in the variants declared in LABELS (with the reason, checked on the file), and must
differ there.
"""
from __future__ import annotations

import io
import random
import re

import pytest

from pipeline.extract import extract
from pipeline.read import pdf as pdf_reader
from pipeline.read import pdf_layer, pdf_tables
from tests.conftest import CORPUS, NO_CORPUS
from tests.extract.test_proof_variants import office_variants, workdir  # noqa: F401 (fixtures)
from tests.extract.test_variants import CASES as VARIANT_CASES
from tests.extract.test_variants import variants  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

_SPACE = re.compile(r"\s+")

# file -> why its row labels differ between the layers (values, flags, tables, columns and pages do not).
# pdfminer takes a descent of 0 for the CJK font of Chromium's prints, PDFium the font's own (-120/1000):
# pdfminer boxes those characters from the baseline up, PDFium about 2 pt lower, so a character on a cell's or a
# line's edge can fall on the other side of it.
# (pingtan-2019's Chromium print differed too, by the vertical 三、本年度办理结果 at the left of 表三's rows, until the
# rule at the top of a page's table was put where its lines down end, not above the page's first characters)
LABELS = {
    "pingtan-2021.chromium.pdf": "表三's 3.危及“三安全一稳定”: pdfminer puts the opening quote mark after 一 "
                                 "(危及三安全一“稳定”), PDFium where it is printed",
}


def _summary(report) -> dict:
    facts, rows = {}, {}
    for f in report.facts:
        j = f.to_json()
        ev = dict(j.get("evidence") or {})
        key = (j["metric"], j.get("dim"))
        assert key not in facts, f"two facts for {key}"
        rows[key] = _SPACE.sub("", ev.pop("row", "") or "")
        for k in ("column", "text", "sentence"):
            if isinstance(ev.get(k), str):
                ev[k] = _SPACE.sub("", ev[k])
        facts[key] = (j["value"], j["verified"], tuple(sorted(ev.items())))
    j = report.to_json()
    statements = sorted((s.get("kind"), s.get("value"), _SPACE.sub("", s.get("text") or ""))
                        for s in j.get("statements") or [])
    head = {k: j.get(k) for k in ("year", "template", "agency", "title", "format")}
    return {"head": head, "facts": facts, "rows": rows, "statements": statements}


def _both(path, monkeypatch) -> tuple[dict, dict, list]:
    monkeypatch.setattr(pdf_reader, "LAYER", "pdfminer")
    old = extract(path)
    monkeypatch.setattr(pdf_reader, "LAYER", "pdfium")
    new = extract(path)
    return _summary(old), _summary(new), [i.message for i in new.issues if i.code == "pdf_read_by_pdfminer"]


def _assert_same(name, old, new):
    assert old["head"] == new["head"], f"{name}: {old['head']} != {new['head']}"
    assert old["facts"], f"{name}: no facts read"
    only_old = sorted(set(old["facts"]) - set(new["facts"]))
    only_new = sorted(set(new["facts"]) - set(old["facts"]))
    assert not only_old and not only_new, f"{name}: facts only pdfminer's {only_old[:8]}, only PDFium's {only_new[:8]}"
    differ = [(k, old["facts"][k], new["facts"][k]) for k in old["facts"] if old["facts"][k] != new["facts"][k]]
    assert not differ, f"{name}: {len(differ)} facts differ, e.g. {differ[:4]}"
    assert [s[:2] for s in old["statements"]] == [s[:2] for s in new["statements"]], f"{name}: statements differ"
    labels = [(k, old["rows"][k], new["rows"][k]) for k in old["rows"] if old["rows"][k] != new["rows"][k]]
    labels += [("statement", a[2], b[2]) for a, b in zip(old["statements"], new["statements"]) if a[2] != b[2]]
    if name in LABELS:
        assert labels, f"{name}: declared in LABELS but its labels are the same ({LABELS[name]})"
    else:
        assert not labels, f"{name}: {len(labels)} row labels or sentences differ, e.g. {labels[:3]}"


def _corpus_pdfs():
    return sorted(CORPUS.rglob("*.pdf")) if CORPUS else []


@pytest.mark.parametrize("path", _corpus_pdfs(), ids=lambda p: p.name)
def test_corpus_pdf_same_facts_through_pdfium(path, monkeypatch):
    old, new, fallback = _both(path, monkeypatch)
    _assert_same(path.name, old, new)
    # huaian's page 3 prints 三、本年度办理结果 in vertical writing: that page is pdfminer's
    assert all("page 1 " not in m for m in fallback), fallback


@pytest.mark.parametrize("name", [c[0] for c in VARIANT_CASES if c[0].endswith(".pdf")])
def test_office_and_browser_variant_same_facts_through_pdfium(variants, name, monkeypatch):  # noqa: F811
    old, new, fallback = _both(variants[name], monkeypatch)
    _assert_same(name, old, new)
    assert not fallback, fallback


def test_narrow_and_traditional_variants_same_facts_through_pdfium(office_variants, monkeypatch):  # noqa: F811
    pdfs = {n: v for n, v in office_variants.items() if n.endswith(".pdf")}
    assert pdfs
    for name, v in sorted(pdfs.items()):
        old, new, _ = _both(v.path, monkeypatch)
        _assert_same(name, old, new)


@pytest.mark.parametrize("seed", range(12))
def test_rendered_pdf_same_facts_through_pdfium(seed, tmp_path, monkeypatch):
    from pipeline.demo.render import Layout, random_facts, render

    rng = random.Random(seed)
    tpl = rng.choice(["2019", "2021"])
    p = tmp_path / f"r{seed}.pdf"
    p.write_bytes(render(random_facts(rng, tpl), f"某市第{seed}局", 2020 if tpl == "2019" else 2022, tpl,
                         Layout("pdf"), seed=seed))
    old, new, fallback = _both(p, monkeypatch)
    _assert_same(p.name, old, new)
    assert not fallback, fallback


def test_the_comparison_can_fail(monkeypatch):
    """A misread value on one side is caught (the comparison is not vacuous)."""
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    path = _corpus_pdfs()[0]
    old, new, _ = _both(path, monkeypatch)
    k = next(iter(new["facts"]))
    value, verified, ev = new["facts"][k]
    new["facts"][k] = (value + 1, verified, ev)
    with pytest.raises(AssertionError, match="facts differ"):
        _assert_same(path.name, old, new)


_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3, "join_tolerance": 3,
             "intersection_tolerance": 3, "text_y_tolerance": 5}


def _cells(tables) -> list:
    """Each table's cells (in any order), rows and box."""
    return [(sorted(t.cells), [r.cells for r in t.rows], t.bbox) for t in tables]


def _tables_both_ways(pages):
    n = 0
    for page in pages:
        found = page.find_tables(_SETTINGS)
        assert _cells(pdf_tables.find_tables(page, _SETTINGS)) == _cells(found), \
            f"page {page.page_number}: the table finder's cells differ from pdfplumber's"
        for t in found:
            assert pdf_tables.extract_table(t) == t.extract(), f"page {page.page_number}: a table's text differs"
            n += 1
    return n


@pytest.mark.parametrize("seed", range(4))
def test_table_text_is_pdfplumbers(seed):
    """`find_tables` finds pdfplumber's tables, cell for cell, and `extract_table` (the characters in the
    table's box, `_cell_text` for each cell) gives exactly pdfplumber's `Table.extract()`, on PDFium's pages
    and on pdfminer's."""
    import pdfplumber

    from pipeline.demo.render import Layout, random_facts, render

    rng = random.Random(seed)
    tpl = rng.choice(["2019", "2021"])
    data = render(random_facts(rng, tpl), "某市某局", 2022, tpl, Layout("pdf"), seed=seed)
    layer = pdf_layer.open_layer(data)
    fast = [layer.page(i)[0] for i in range(len(layer))]
    assert all(fast) and _tables_both_ways(fast) >= 2
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert _tables_both_ways(pdf.pages) >= 2


def test_cell_text_is_pdfplumbers_on_awkward_characters():
    """Spaces, empty texts, ligatures, characters out of order and overlapping, lines a little apart."""
    from pdfplumber.utils import extract_text

    rng = random.Random(7)
    for _ in range(400):
        chars = []
        for _ in range(rng.randint(1, 30)):
            x0 = rng.choice([rng.uniform(0, 80), round(rng.uniform(0, 80))])
            top = rng.choice([0, 0, 2.5, 3, 3.5, 6, rng.uniform(0, 12)])
            text = rng.choice(["一", "二", "1", "2", " ", "\u3000", "", "ﬁ", "."])
            chars.append({"text": text, "x0": x0, "x1": x0 + rng.choice([3, 6, 12]), "top": top,
                          "bottom": top + 12, "doctop": top, "upright": True})
        assert pdf_tables._cell_text(chars) == extract_text(chars), chars


def test_text_lines_are_pdfplumbers_on_awkward_characters():
    """`text_lines` (the prose's lines of PDFium's pages) gives pdfplumber's `extract_text_lines` with a y
    tolerance of 5: spaces, empty texts, ligatures, characters out of order, overlapping, lines a little apart."""
    rng = random.Random(11)
    for _ in range(400):
        chars = []
        for _ in range(rng.randint(0, 40)):
            x0 = rng.choice([rng.uniform(0, 120), round(rng.uniform(0, 120))])
            top = rng.choice([0, 0, 4.5, 5, 5.5, 9, 10, rng.uniform(0, 30)])
            text = rng.choice(["一", "二", "1", "2", " ", "\u3000", "", "ﬁ", "."])
            chars.append({"text": text, "x0": x0, "x1": x0 + rng.choice([3, 6, 12]), "top": top,
                          "bottom": top + 12, "doctop": top, "upright": True})
        page = pdf_layer.LayerPage(1, 200, 100, {"char": chars})
        want = [(ln["top"], ln["text"]) for ln in page.extract_text_lines(return_chars=False, y_tolerance=5)]
        assert pdf_layer.text_lines(chars) == want, chars
