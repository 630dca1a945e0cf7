"""Reports without golden answers (rough OCR, flattened tables, excerpts) are read without a crash,
and no fact read from them breaks a table identity the document itself keeps."""
from __future__ import annotations

import pytest

from pipeline.extract import extract
from pipeline.extract.identities import all_violations
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


def _goldens_by_report():
    from tests.conftest import golden_pairs, load_json

    out = {}
    for _, exp in golden_pairs((".txt", ".html", ".htm", ".shtml", ".md", ".pdf", ".docx")):
        g = load_json(exp)
        out[(g["agency"], g["year"])] = g
    return out


def test_facts_agree_with_the_golden_of_the_same_report():
    """Several unlabeled files are other renderings of a golden report (the 平潭 pages flattened into
    one line): every fact read from them that the golden states must have the golden's value."""
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    golds = _goldens_by_report()
    compared = 0
    for path in FILES:
        report = extract(path)
        gold = golds.get((report.agency, report.year))
        if gold is None:
            continue
        got = report.values()
        wrong = [(k, v, gold["facts"][k]) for k, v in got.items()
                 if k in gold["facts"] and abs(gold["facts"][k] - v) > 1e-6]
        assert not wrong, (path.name, wrong[:5])
        assert not [k for k in gold.get("absent", []) if k in got], path.name
        compared += 1
    assert compared >= 1


def test_flattened_tables_are_read():
    """The four flattened 平潭 reports: most table cells are recovered, each matching the golden."""
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    golds = _goldens_by_report()
    for name in ("04_pingtan-2019.txt", "06_pingtan-2021.txt", "08_pingtan-2023.txt", "10_pingtan-2025.txt"):
        path = CORPUS / "unlabeled" / name
        assert path.is_file(), f"{name} is not in the corpus's unlabeled/ any more: name its new place here"
        report = extract(path)
        gold = golds[(report.agency, report.year)]["facts"]
        confirmed = [k for k, v in report.values().items() if k in gold and abs(gold[k] - v) < 1e-6]
        assert len(confirmed) >= 150, (name, len(confirmed))
