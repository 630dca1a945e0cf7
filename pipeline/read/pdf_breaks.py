"""Where a PDF's table meets a page's end: the rules a page break leaves out, and a row broken over two pages.

A table broken over pages often has no ruling line above its first row on the next page, or below its last
row; and a table whose first row has no top rule (Word's border-top:none) starts where its lines down start.
Without a line there, pdfplumber leaves that row out of the table. Word and LibreOffice also let a row break
across pages: its label's last characters start the next page's table, its cells blank there (行政许 | 120 |
-3 | 920, then 可 | | |).
"""
from __future__ import annotations

from operator import itemgetter

from pipeline.read.document import Cell, Table
from pipeline.read.pdf_tables import page_edges
from pipeline.spec import catalog

_SECTIONS = ("active", "applications", "review")


def open_edges(page) -> list[float]:
    """Horizontal lines at the top and the bottom of the page's text where none is drawn.

    A table broken over pages often has no ruling line above its first row on the next page (or
    below its last row): without one, pdfplumber leaves that row out of the table."""
    chars = page.chars
    if not chars:
        return []
    top = min(map(itemgetter("top"), chars)) - 1.5
    bottom = max(map(itemgetter("bottom"), chars)) + 1.5
    edges = page_edges(page)
    drawn = [e[2] for e in edges if e[0] == "h" and e[3] - e[1] > 10]
    if not drawn:
        return []
    ends = _open_ends(edges)  # where the lines down a table end, a better edge than the text's own end
    return [y for y in (top, bottom) if not any(abs(h - y) < 5 for h in drawn) and not any(abs(e - y) < 10 for e in ends)] + ends


def _open_ends(edges: list) -> list[float]:
    """The heights where two or more ruling lines down a table end with no line across them: a row whose
    top (or bottom) rule is not drawn (Word's border-top:none on a table's first row), which pdfplumber
    would leave out of the table."""
    across = [e for e in edges if e[0] == "h" and e[3] - e[1] > 10]
    down = [e for e in edges if e[0] == "v" and e[4] - e[2] >= 8]
    ends: dict[float, int] = {}
    for e in down:
        for y, way in ((e[2], -1), (e[4], 1)):  # a line that goes on past y (another segment) does not end there
            if not any(abs(h[2] - y) < 3 and h[1] - 3 <= e[1] <= h[3] + 3 for h in across) \
                    and not any(abs(o[1] - e[1]) < 2 and o[2] < y + 2 * way < o[4] for o in down):
                key = next((k for k in ends if abs(k - y) < 2), y)
                ends[key] = ends.get(key, 0) + 1
    return [y for y, n in ends.items() if n >= 2]


def join_broken_rows(blocks: list) -> None:
    """A row broken over two pages joined again, in place: the first row of a table that starts a page, whose
    cells hold text only where the last row of the table ending the page before holds its label, and blanks
    elsewhere, is the rest of that row's label when the joined label names a row of the format and the first
    part alone does not (a parent row such as （三）不予公开 at the top of a page is no rest of any label)."""
    for k in range(len(blocks) - 1, 0, -1):
        a, b = blocks[k - 1], blocks[k]
        if not (isinstance(a, Table) and isinstance(b, Table)) or not a.rows or not b.rows:
            continue
        last, first = a.rows[-1], b.rows[0]
        a_page = a.row_pages[-1] if a.row_pages else a.page
        if a_page is None or b.page != a_page + 1 or len(last) != len(first):
            continue
        joined = _joined(last, first)
        if joined is None:
            continue
        a.rows[-1] = joined
        del b.rows[0]
        if b.row_pages:
            del b.row_pages[0]
        if not b.rows:
            del blocks[k]


def _joined(last: list[Cell], first: list[Cell]) -> list[Cell] | None:
    rest = [j for j, c in enumerate(first) if c.text.strip()]
    if not rest or any(not _label_like(first[j].text) or not _label_like(last[j].text) for j in rest):
        return None
    if rest[-1] + 1 >= len(last) or not any(_number_like(c.text) for c in last[rest[-1] + 1:]):
        return None  # the row ending the page holds its values right of the label
    before = catalog.normalise_label(last[rest[-1]].text)
    after = catalog.normalise_label(last[rest[-1]].text + first[rest[-1]].text)
    if not any(catalog.match_row(after, s) and not catalog.match_row(before, s) for s in _SECTIONS):
        return None
    return [Cell(c.text + first[j].text, origin=c.origin, from_above=c.from_above) if j in rest else c
            for j, c in enumerate(last)]


def _label_like(text: str) -> bool:
    return bool(text.strip()) and not _number_like(text)


def _number_like(text: str) -> bool:
    t = text.strip().replace(",", "")
    return bool(t) and t.lstrip("+-").replace(".", "", 1).isdigit()
