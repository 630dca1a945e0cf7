"""PDF tables without ruling lines: a page's words put back into text lines in which every table row is
tab-separated with each number under its column (the header words' positions, or the columns the table's
complete rows agree on), so a blank cell keeps its place. Used by `pdf.py` for pages without a ruled table.
"""
from __future__ import annotations

import itertools
import re

from pipeline.spec import tables

_ANCHORS = tables.column_words()  # every column header word of the three tables
_VALUE_WORD = re.compile(r"^[-+−]?[\d.,，]+(?:万元|元|万)?$|^[/／—–-]$")


def _centre(w) -> float:
    return (w["x0"] + w["x1"]) / 2


def _values(row) -> list[dict]:
    return [w for w in row if _VALUE_WORD.match(w["text"])]


def _is_anchor(w) -> bool:
    return re.sub(r"[\s（）()：:单位万元]", "", w["text"]) in _ANCHORS or w["text"].split("（")[0] in _ANCHORS


def _word_rows(words: list[dict]) -> list[list[dict]]:
    """The page's words in rows (tops within 5 pt), each row left to right."""
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - w["top"]) <= 5:
            rows[-1].append(w)
        else:
            rows.append([w])
    for row in rows:
        row.sort(key=lambda w: w["x0"])
    return rows


def _regions(rows: list[list[dict]]) -> list[tuple[list[int], list[int]]]:
    """Header lines (a column header word, no value), then the rows with values under them until the next."""
    regions: list[tuple[list[int], list[int]]] = []
    for i, row in enumerate(rows):
        if any(_is_anchor(w) for w in row) and not _values(row):
            if regions and not regions[-1][1] and regions[-1][0][-1] == i - 1:
                regions[-1][0].append(i)
            else:
                regions.append(([i], []))
        elif regions and _values(row):
            regions[-1][1].append(i)
    return regions


def _columns(rows: list[list[dict]], heads: list[int], body: list[int]) -> list[float] | None:
    """A region's column centres: its header words', or where they run together the complete rows' numbers'
    (at least two rows that agree); None when neither gives two columns."""
    anchors = sorted(_centre(w) for i in heads for w in rows[i] if _is_anchor(w))
    full = max(len(_values(rows[i])) for i in body)
    full_rows = [i for i in body if len(_values(rows[i])) == full]
    cols = anchors
    if len(anchors) != full and len(full_rows) >= 2 and full >= 2:
        xs = [[_centre(w) for w in _values(rows[i])] for i in full_rows]
        cols = [sum(c) / len(c) for c in zip(*xs)]
        spread = max(max(c) - min(c) for c in zip(*xs))
        if len(cols) >= 2 and spread > min(b - a for a, b in itertools.pairwise(cols)) / 3:
            return None  # the complete rows do not agree on where the columns are
    return cols if len(cols) >= 2 else None


def _placed_row(row: list[dict], cols: list[float]) -> str | None:
    """A row as its label and one tab-separated field per column, or None when a number falls between
    columns, two fall in one, or a word stands among the numbers."""
    gap = min(b - a for a, b in itertools.pairwise(cols)) / 2
    vals = _values(row)
    cells: dict[int, str] = {}
    for w in vals:
        k = min(range(len(cols)), key=lambda j: abs(cols[j] - _centre(w)))
        if abs(cols[k] - _centre(w)) > gap or k in cells:
            return None
        cells[k] = w["text"]
    first_x = min(w["x0"] for w in vals)
    if any(w["x0"] > first_x and w not in vals for w in row):
        return None
    label = " ".join(w["text"] for w in row if w["x1"] <= first_x and w not in vals)
    return "\t".join([label] + [cells.get(j, "") for j in range(len(cols))])


def lines_by_header(page) -> list[str] | None:
    """A page whose tables have no ruling lines, as text lines in which every table row is written
    tab-separated with each number in its column: a blank cell keeps its place (an empty field) instead
    of shifting the numbers after it. The columns are the header words' positions, or, where the header's
    words run together, the positions of the numbers in the table's complete rows (at least two rows
    that agree). A row whose numbers do not each fall in one column is given as printed (the parser then
    reads it only when its count fits). None when the page holds no such table."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=5, keep_blank_chars=False)
    if not words:
        return None
    rows = _word_rows(words)
    placed: dict[int, str] = {}
    for heads, body in _regions(rows):
        cols = _columns(rows, heads, body) if body else None
        if cols is None:
            continue
        for i in body:
            line = _placed_row(rows[i], cols)
            if line is not None:
                placed[i] = line
    if not placed:
        return None
    return [placed.get(i, " ".join(w["text"] for w in row)) for i, row in enumerate(rows)]
