"""The Document every reader returns: text blocks and tables, in reading order.

A table is a grid: every row has one `Cell` per grid column, a merged cell (rowspan/colspan)
appears at each position it covers, with `origin` True only at its top-left position, so a
reader of values can take each merged cell once while a reader of labels sees the group label
beside every row it spans.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Cell:
    text: str
    origin: bool = True  # False where this position is covered by a cell that starts elsewhere
    from_above: bool = False  # covered by a rowspan from an earlier row (a group label)
    confidence: float | None = None  # OCR's recognition confidence; None when read from a text layer


@dataclass
class Table:
    rows: list[list[Cell]]
    page: int | None = None  # PDF page the table (or its first row) is on
    row_pages: list[int | None] | None = None  # page of each row, when known
    # True when the grid's columns are the document's own (HTML, Word, a ruled PDF table): a cell's
    # column is its place in the grid. False for tables rebuilt from lines of text, whose cells are
    # numbered in the order they are printed.
    aligned: bool = True

    def texts(self) -> list[list[str]]:
        return [[c.text for c in r] for r in self.rows]


@dataclass
class Paragraph:
    text: str
    page: int | None = None
    confidence: float | None = None  # OCR's recognition confidence (the line read with the least)


@dataclass
class Document:
    path: str
    format: str
    blocks: list[Paragraph | Table] = field(default_factory=list)
    title: str | None = None  # from metadata (HTML <title>, PDF info) when the reader found one
    sha256: str = ""
    published: str | None = None  # ISO date from the file's metadata, when it has one
    issues: list[tuple[str, str, str, str]] = field(default_factory=list)  # the reader's (code, severity, message, where)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def text(self) -> str:
        return "\n".join(b.text for b in self.paragraphs)


class TableTooBig(ValueError):
    """A table past the cell limit (NIANBAO_MAX_TABLE_CELLS)."""


def grid_from_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[Cell]]:
    """Expand rows of (text, rowspan, colspan) into a rectangular grid of Cells; a table whose grid
    would pass the cell limit raises TableTooBig before it is built. A span past NIANBAO_MAX_SPAN is cut to
    it (as browsers cut theirs); a rowspan past the last row is dropped."""
    from pipeline.limits import current

    lim = current()
    span = lim.span
    spans = [cs for row in rows for _, _, cs in row]
    if spans and (min(spans) < 1 or max(spans) > span):
        cells = sum(min(max(1, cs), span) for cs in spans)
    else:  # every span within 1 … the limit: the cells are their sum
        cells = sum(spans)
    if cells > lim.table_cells or len(rows) * max((len(r) for r in rows), default=0) > lim.table_cells * 4:
        raise TableTooBig(f"a table of more than {lim.table_cells:,} cells (NIANBAO_MAX_TABLE_CELLS)")
    grid: list[list[Cell | None]] = []
    pending: dict[tuple[int, int], Cell] = {}
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        out = grid[r]
        c = 0
        for text, rowspan, colspan in row:
            if pending:
                while (r, c) in pending:
                    out.append(pending.pop((r, c)))
                    c += 1
            if rowspan == 1 and colspan == 1:  # most cells: one position, nothing pending below
                out.append(Cell(text))
                c += 1
                continue
            rowspan = max(1, min(rowspan, span))
            colspan = max(1, min(colspan, span))
            for dc in range(colspan):
                out.append(Cell(text, origin=dc == 0))
                for dr in range(1, rowspan):
                    pending[(r + dr, c + dc)] = Cell(text, origin=False, from_above=True)
            c += colspan
        if pending:
            for key in sorted(k for k in pending if k[0] == r):
                while c < key[1]:
                    out.append(Cell("", origin=False))
                    c += 1
                out.append(pending.pop(key))
                c += 1
    # rowspans running past the last row are dropped; ragged rows are padded with positions that
    # no source cell covers (origin False, so they are never read as blank values)
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend(Cell("", origin=False) for _ in range(width - len(row)))
    return grid  # type: ignore[return-value]
