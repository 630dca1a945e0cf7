"""Tables laid out one cell per line (text saved from a page) or one cell per paragraph (HTML)."""
from __future__ import annotations

import html
import math
import random

import pytest

from pipeline.extract import extract_bytes
from pipeline.demo.render import Layout, random_facts, render
from tests.conftest import CORPUS, NO_CORPUS


def _as_paragraphs(text: str) -> bytes:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>".encode()


@pytest.mark.parametrize("seed", range(16))
def test_one_cell_per_line_reads_back(seed):
    rng = random.Random(seed)
    template = rng.choice(["2019", "2021"])
    year = 2020 if template == "2019" else 2023
    blanks = 0.1 if seed % 4 == 3 else 0.0
    facts = random_facts(rng, template, size=rng.choice([0.05, 1.0, 20.0]), blank_rate=blanks)
    lay = Layout("txt", txt_sep="lines", split_labels=seed % 2 == 1)
    text = render(facts, "某市生态环境局", year, template, lay, seed=seed)
    for data, name in ((text, "r.txt"), (_as_paragraphs(text.decode("utf-8")), "r.html")):
        report = extract_bytes(data, name)
        got = report.values()
        assert report.template == template
        wrong = [(k, got[k], facts[k]) for k in got if k in facts and not math.isclose(float(got[k]), float(facts[k]), abs_tol=1e-9)]
        extra = [k for k in got if k not in facts]
        assert not wrong and not extra, (name, wrong[:5], extra[:5])
        table = [k for k in facts if k.startswith(("app.", "review", "litigation", "active."))]
        missing = [k for k in table if k not in got]
        if not blanks:  # with every cell printed the placement is certain: everything comes back
            assert not missing, (name, missing[:10])


def test_corpus_dumps_give_table_facts():
    """The corpus's one-cell-per-line dumps (18, 24, 25) now give their 表二 and 表三 rows."""
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    from pipeline.extract import extract

    for prefix in ("18_", "24_", "25_"):
        path = next((CORPUS / "unlabeled").glob(prefix + "*"))
        r = extract(path)
        assert sum(1 for f in r.facts if f.metric.startswith("app.")) >= 7, path.name
        assert sum(1 for f in r.facts if f.metric.startswith("active.")) >= 5, path.name
