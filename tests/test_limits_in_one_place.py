"""Every limit in pipeline/limits.py: the README's limits table lists exactly them, each with its default and
its environment variable; each variable is the one `Limits.from_env` reads; and the limits bound what they
say where no other test of its reader shows it (an HTML span; the others: tests/warehouse/test_limits.py,
tests/robustness, tests/extract/test_flattened.py)."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from pipeline import limits
from pipeline.limits import ENV, Limits
from pipeline.read.document import grid_from_spans

README = Path(__file__).resolve().parent.parent / "README.md"


def _table() -> dict[str, str]:
    """variable -> default as the README's limits table prints it."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| limit | default | variable |")
    out = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == 3, line
        var = cells[2].strip("`")
        assert var not in out, f"{var} twice in the README's limits table"
        out[var] = cells[1]
    return out


def test_readme_lists_exactly_the_limits():
    table = _table()
    assert set(ENV) == {f.name for f in fields(Limits)}, "every limit has its variable"
    assert sorted(table) == sorted(ENV.values())


def test_readme_defaults_are_the_code_s():
    table = _table()
    for f in fields(Limits):
        printed = table[ENV[f.name]]
        number = re.match(r"[\d,.]+", printed)
        assert number, f"{ENV[f.name]}: no number in {printed!r}"
        assert float(number.group(0).replace(",", "")) == getattr(Limits(), f.name), ENV[f.name]


def test_each_variable_is_read(monkeypatch):
    for f in fields(Limits):
        default = getattr(Limits(), f.name)
        monkeypatch.setenv(ENV[f.name], str(type(default)(default * 2)))
    doubled = Limits.from_env()
    assert all(getattr(doubled, f.name) == getattr(Limits(), f.name) * 2 for f in fields(Limits))


@pytest.fixture
def span_limit(monkeypatch):
    def set_to(n: int):
        monkeypatch.setenv("NIANBAO_MAX_SPAN", str(n))
        limits.current.cache_clear()

    yield set_to
    monkeypatch.undo()
    limits.current.cache_clear()


def test_an_html_span_is_cut_at_the_span_limit(span_limit):
    rows = [[("头", 1, 5000)], [("1", 5000, 1), ("2", 1, 1)], [("3", 1, 1)]]
    span_limit(Limits().span)
    assert len(grid_from_spans(rows)[0]) == Limits().span
    span_limit(7)
    grid = grid_from_spans(rows)
    assert [len(r) for r in grid] == [7, 7, 7]
    assert [c.text for c in grid[2][:2]] == ["1", "3"]  # the rowspan runs down; past the last row it is dropped
