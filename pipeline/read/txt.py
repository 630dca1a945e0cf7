"""Plain-text reports: narrative lines, and tables written as tab-, pipe- or space-separated lines.

A line is a table row when it splits into cells (tabs, markdown pipes, runs of two or more spaces)
or ends in several numbers. Blank cells between tabs stay blank. Consecutive rows, with the short
label or heading lines between them, make one table; a long prose line ends it.
"""
from __future__ import annotations

import re

from pipeline.read.cells import TEXT, classify
from pipeline.read.document import Cell, Document, Paragraph, Table
from pipeline.read.common import ReadError, decode

_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MULTISPACE = re.compile(r"[ \u3000\u00a0]{2,}")
_SENTENCE_END = re.compile(r"[。！？；]")


def split_cells(line: str) -> list[str] | None:
    """The cells of a table-like line, or None for prose."""
    s = line.rstrip("\r\n")
    if not s.strip():
        return None
    if s.count("|") >= 2:
        inner = s.strip()
        inner = inner[1:] if inner.startswith("|") else inner
        inner = inner[:-1] if inner.endswith("|") else inner
        return [c.strip() for c in inner.split("|")]
    if "\t" in s:
        cells = [c.strip() for c in s.split("\t")]
        filled = [c for c in cells if c]
        if len(filled) == 1 and classify(filled[0]).kind == TEXT:
            return None  # one text indented by tabs (a page's menu saved as text): a line, not a row
        return cells
    tokens = s.split()
    # trailing run of value-like tokens (numbers, /, —): a label followed by its cells
    n = 0
    for tok in reversed(tokens):
        if classify(tok).kind == TEXT:
            break
        n += 1
    if n >= 2 and (n == len(tokens) or len(" ".join(tokens[:-n])) <= 80):
        head = " ".join(tokens[:-n])
        return ([head] if head else []) + tokens[-n:]
    if len(s) <= 160 and not _SENTENCE_END.search(s):
        parts = _MULTISPACE.split(s.strip())
        if len(parts) >= 2:
            return parts
    return None


def blocks_from_lines(lines, page: int | None = None) -> list[Paragraph | Table]:
    """Lines of text in, paragraphs and tables out (used for text files and for PDF pages whose
    tables have no ruling lines)."""
    blocks: list[Paragraph | Table] = []
    rows: list[list[str]] = []
    gap: list[str] = []  # short text lines seen since the last row
    # short lines right before a table's first row (its header, a label whose numbers are on the next line),
    # not a section's heading: the table's first rows when a row follows, paragraphs otherwise
    lead: list[str] = []

    def paragraphs(texts):
        blocks.extend(Paragraph(t, page=page) for t in texts)
        texts.clear()

    def flush():
        nonlocal rows, gap
        if rows:
            width = max(len(r) for r in rows)
            grid = [[Cell(t) for t in r] + [Cell("", origin=False) for _ in range(width - len(r))] for r in rows]
            blocks.append(Table(grid, page=page, row_pages=[page] * len(grid) if page else None, aligned=False))
        blocks.extend(Paragraph(g, page=page) for g in gap)
        rows, gap = [], []

    for raw in lines:
        line = raw.strip(" \u3000\u00a0")
        if "-" in line and _MD_SEPARATOR.match(line):
            continue
        cells = split_cells(raw) if line else None
        if cells is not None and len(cells) >= 2 and any(cells):
            rows.extend([g] for g in lead + gap)  # headings and broken labels between rows stay with the table
            gap, lead = [], []
            rows.append(cells)
            continue
        if not line:
            continue
        if rows and len(line) <= 60 and not _SENTENCE_END.search(line):
            gap.append(line.strip())
            continue
        if not rows and len(line) <= 60 and not _SENTENCE_END.search(line) and not _SECTION_HEADING.match(line):
            lead.append(line.strip())
            continue
        flush()
        paragraphs(lead)
        blocks.append(Paragraph(line.strip(), page=page))
    flush()
    paragraphs(lead)
    return blocks


_SECTION_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


def join_spread_rows(lines: list[str]) -> list[str]:
    """A table copied from a browser whose cells hold paragraphs (<p> in <td>) comes out with each cell on
    lines of its own, between blank lines, and the tabs between cells on lines of their own or at the ends
    of a cell's line: 规章 / \t0\t / 0 / \t / 0. Such rows are joined back into one line each (规章\t0\t0\t0):
    a line starting with a tab, or after a line ending with one, goes on the row; so does a line under a
    cell's own line with at most one blank line between (a <br> or a second paragraph in the cell: 本年新 /
    制作数量, 商业 / (blank) / 企业). Rows are apart by two blank lines or more. Text with fewer than three
    lines of a lone tab, or with many lines of words indented by tabs (a page's source), is as it was."""
    tabs = sum(1 for line in lines if line == "\t")
    indented = sum(1 for line in lines if line[:1] == "\t" and line.strip() and classify(line.strip()).kind == TEXT)
    if tabs < 3 or indented * 4 > tabs:
        return lines  # not the browser's form: a page's source, indented by tabs, is not
    out: list[str] = []
    cur: str | None = None
    glue = last_plain = False  # the row ends in a tab; its last line had no tab (a cell's own line)
    blanks = 0  # blank lines since the last line
    for line in lines:
        s = line.strip(" \u3000\u00a0")
        if not s:
            blanks += 1
            continue
        if cur is not None and (s.startswith("\t") or glue or (blanks <= 1 and last_plain and "\t" in cur
                                                                and _cell_goes_on(cur, s))):
            cur += s
        else:
            if cur is not None:
                out.append(cur)
            cur = s
        glue, blanks, last_plain = s.endswith("\t"), 0, "\t" not in s
    if cur is not None:
        out.append(cur)
    return out


_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．])")


def _cell_goes_on(row: str, line: str) -> bool:
    """A short line of words under a cell of words goes on in that cell (商业 / 企业, 本年新 / 制作数量); a
    number, a numbered heading or a longer line starts something else (a table's last value, then 三、…)."""
    last = row.rsplit("\t", 1)[-1]
    return (len(line) <= 12 and classify(line).kind == TEXT and classify(last).kind == TEXT
            and not _HEADING_START.match(line) and not _SENTENCE_END.search(line))


def read_txt(data: bytes, name: str) -> Document:
    text = decode(data, name).replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ReadError(name, "the file holds no text")
    doc = Document(path=name, format="txt", blocks=blocks_from_lines(join_spread_rows(text.split("\n"))))
    doc.title = next((b.text for b in doc.blocks if isinstance(b, Paragraph) and b.text.strip()), None)
    return doc
