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
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - w["top"]) <= 5:
            rows[-1].append(w)
        else:
            rows.append([w])
    for row in rows:
        row.sort(key=lambda w: w["x0"])

    def centre(w):
        return (w["x0"] + w["x1"]) / 2

    def values(row):
        return [w for w in row if _VALUE_WORD.match(w["text"])]

    def is_header(row):
        return sum(1 for w in row if re.sub(r"[\s（）()：:单位万元]", "", w["text"]) in _ANCHORS
                   or w["text"].split("（")[0] in _ANCHORS) >= 1 and not values(row)

    # regions: header lines, then the rows under them until the next header
    regions: list[tuple[list[int], list[int]]] = []
    for i, row in enumerate(rows):
        if is_header(row):
            if regions and not regions[-1][1] and regions[-1][0][-1] == i - 1:
                regions[-1][0].append(i)
            else:
                regions.append(([i], []))
        elif regions and values(row):
            regions[-1][1].append(i)
    placed: dict[int, str] = {}
    for heads, body in regions:
        if not body:
            continue
        anchors = sorted(centre(w) for i in heads for w in rows[i]
                         if re.sub(r"[\s（）()：:单位万元]", "", w["text"]) in _ANCHORS or w["text"].split("（")[0] in _ANCHORS)
        counts = [len(values(rows[i])) for i in body]
        full = max(counts)
        full_rows = [i for i in body if len(values(rows[i])) == full]
        cols = anchors
        if len(anchors) != full and len(full_rows) >= 2 and full >= 2:
            xs = [[centre(w) for w in values(rows[i])] for i in full_rows]
            cols = [sum(c) / len(c) for c in zip(*xs)]
            spread = max(max(c) - min(c) for c in zip(*xs))
            if len(cols) >= 2 and spread > min(b - a for a, b in itertools.pairwise(cols)) / 3:
                continue  # the complete rows do not agree on where the columns are
        if len(cols) < 2:
            continue
        gap = min(b - a for a, b in itertools.pairwise(cols)) / 2
        for i in body:
            row = rows[i]
            vals = values(row)
            cells: dict[int, str] = {}
            ok = True
            for w in vals:
                k = min(range(len(cols)), key=lambda j: abs(cols[j] - centre(w)))
                if abs(cols[k] - centre(w)) > gap or k in cells:
                    ok = False
                    break
                cells[k] = w["text"]
            first_x = min(w["x0"] for w in vals)
            if not ok or any(w["x0"] > first_x and w not in vals for w in row):
                continue
            label = " ".join(w["text"] for w in row if w["x1"] <= first_x and w not in vals)
            placed[i] = "\t".join([label] + [cells.get(j, "") for j in range(len(cols))])
    if not placed:
        return None
    return [placed.get(i, " ".join(w["text"] for w in row)) for i, row in enumerate(rows)]
