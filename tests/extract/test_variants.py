"""Every labelled report of the corpus, as agencies' own tools export it: LibreOffice (HTML -> DOCX,
DOCX -> PDF) and Chromium (print to PDF), made at test time. Each variant must give its golden facts,
minus the cells the variant really lost (declared below with the reason), and never a wrong value.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from pipeline.extract import extract
from tests.conftest import NO_CORPUS, CORPUS, golden_pairs, load_json
from tests.extract.office import office_and_browser

SOURCES = [(r, e) for r, e in golden_pairs((".html", ".htm"))]

# variant -> {golden key: why the variant does not hold it}. Empty today: every variant gives every
# golden fact. A loss is declared here only after checking the variant's file itself.
LOST: dict[str, dict[str, str]] = {}


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Path]:
    """name -> file: for each labelled HTML report its .docx and .pdf through LibreOffice and its
    Chromium print, converted once for the module."""
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    out = tmp_path_factory.mktemp("variants")
    office_and_browser([src for src, _ in SOURCES], out)
    files = {}
    for src, _ in SOURCES:
        for suffix in (".docx", ".pdf", ".chromium.pdf"):
            p = out / (src.stem + suffix)
            assert p.exists() and p.stat().st_size > 1000, f"conversion gave no {p.name}"
            files[p.name] = p
    return files


CASES = [(src.stem + suffix, exp) for src, exp in SOURCES for suffix in (".docx", ".pdf", ".chromium.pdf")]


@pytest.mark.slow
@pytest.mark.parametrize("name,expected", CASES, ids=[c[0] for c in CASES])
def test_variant_gives_the_golden_facts(variants, name, expected):
    want = load_json(expected)
    report = extract(variants[name])
    got = report.values()
    assert report.year == want["year"] and report.template == want["template"]
    wrong = [(k, got[k], v) for k, v in want["facts"].items()
             if k in got and not math.isclose(float(got[k]), float(v), abs_tol=1e-6)]
    assert not wrong, f"wrong values in {name}: {wrong[:10]}"
    lost = LOST.get(name, {})
    missing = [k for k in want["facts"] if k not in got and k not in lost]
    assert not missing, f"{name} misses {len(missing)} golden facts: {missing[:12]}"
    present_but_declared = [k for k in lost if k in got]
    assert not present_but_declared, f"declared lost but read: {present_but_declared}"
    absent = [k for k in want.get("absent", []) if k in got]
    assert not absent, f"{name} reports facts the golden says are absent: {absent}"
