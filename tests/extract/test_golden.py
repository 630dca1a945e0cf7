"""Every report of the shared corpus with a golden answer (TXT, HTML, PDF, Word) is read exactly."""
from __future__ import annotations

import re

import pytest

from pipeline.extract import extract
from tests.conftest import NO_CORPUS, CORPUS, compare, golden_pairs, load_json

PAIRS = golden_pairs((".txt", ".html", ".htm", ".shtml", ".md", ".pdf", ".docx", ".doc", ".wps"))


def test_corpus_has_text_and_html_goldens():
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    assert PAIRS, "the shared corpus holds no report with a golden answer"


@pytest.mark.parametrize("report,expected", PAIRS, ids=[p[0].name for p in PAIRS])
def test_golden(report, expected):
    want = load_json(expected)
    got = extract(report)
    assert got.year == want["year"]
    assert got.template == want["template"]
    ga, wa = re.sub(r"\s", "", got.agency or ""), re.sub(r"\s", "", want["agency"])
    assert ga and (ga == wa or (len(ga) >= 4 and (ga in wa or wa in ga))), f"agency {ga!r} vs {wa!r}"
    problems = compare(got.values(), want)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("report,expected", PAIRS, ids=[p[0].name for p in PAIRS])
def test_every_fact_has_evidence(report, expected):
    got = extract(report)
    for f in got.facts:
        ev = f.evidence
        assert ("text" in ev and ev["text"]) or {"table", "row", "column"} <= set(ev), f.key()
