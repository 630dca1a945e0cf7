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
        return [c.strip() for c in s.split("\t")]
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
            rows.extend([g] for g in gap)  # headings and broken labels between rows stay with the table
            gap = []
            rows.append(cells)
            continue
        if not line:
            continue
        if rows and len(line) <= 60 and not _SENTENCE_END.search(line):
            gap.append(line)
            continue
        flush()
        blocks.append(Paragraph(line, page=page))
    flush()
    return blocks


def read_txt(data: bytes, name: str) -> Document:
    text = decode(data, name).replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ReadError(name, "the file holds no text")
    doc = Document(path=name, format="txt", blocks=blocks_from_lines(text.split("\n")))
    doc.title = next((b.text for b in doc.blocks if isinstance(b, Paragraph) and b.text.strip()), None)
    return doc
