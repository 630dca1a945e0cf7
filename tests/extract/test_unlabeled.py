"""Reports without golden answers (rough OCR, flattened tables, excerpts) are read without a crash,
and no fact read from them breaks a table identity the document itself keeps."""
from __future__ import annotations

import pytest

from pipeline.extract import extract
from pipeline.identities import all_violations
from tests.conftest import CORPUS, NO_CORPUS, unlabeled

FILES = unlabeled((".txt", ".html", ".htm", ".shtml", ".md", ".pdf", ".docx", ".doc", ".wps"))


def test_corpus_has_unlabeled_reports():
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    assert FILES


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_read_without_crash_and_identities_hold(path):
    report = extract(path)  # a report, even a partial one, is read: no exception
    doc = report.to_json()
    assert doc["source"]["sha256"] and isinstance(doc["facts"], list)
    violations = all_violations(report.values())
    assert not violations, [(v.check, v.where, v.message) for v in violations]
    for f in report.facts:
        assert isinstance(f.value, (int, float))
