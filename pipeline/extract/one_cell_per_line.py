"""Tables laid out one cell per line (or per paragraph): text saved from a web page, archive dumps,
pasted text. The cells come one after another:

    一、本年新收政府信息公开申请数量
    64
    0
    ...

A run of short lines that holds a table's marker words and runs of values becomes a `Table` again:
each row is its label lines followed by its value lines. Label lines are joined where a label or a
header word is broken over lines (`（二）部分公开（区分处理` + `的，只计这一情形…`). The parser then
reads these rows like any other table, with the same rules: a row is read only when its label
names one metric and its cells are exactly as many as the table's columns, and the flattened
tables' identities are checked as for every table. Blank cells leave no line behind, so a row with
a blank cell has too few values and is left out (never shifted).
"""
from __future__ import annotations

import re

from pipeline.spec import catalog, tables
from pipeline.read.cells import TEXT, classify
from pipeline.read.document import Cell, Paragraph, Table

_PIPES = re.compile(r"^[\s|｜]*$")
_EDGE_PIPES = re.compile(r"^[\s|｜]+|[\s|｜]+$")
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）]|\d{1,2}\s*[.．、](?!\d))")
# words that start a table of the official format (a header the tables declare, or a row label's beginning)
_MARKERS = re.compile("|".join(map(re.escape, (tables.ACTIVE_LABEL_HEAD, tables.APPLICANTS[0], "本年新收",
                                               tables.REVIEW_GROUP[0], "本年制发", "本年新制作"))))
_VALUE = re.compile(r"^[-+—–−]*\s*[\d.,，]+\s*(?:万元|亿元|元|万|件|个|条|项)?$")
_MAX_TOKEN = 60


# an item number standing alone on its line: 1. 1、 （一） 一、 (1) — part of the label after it, never a value
_ITEM_ALONE = re.compile(r"^\s*(?:\d{1,2}\s*[.．、]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]?)\s*$")
# a label line that starts with the punctuation of an item number whose digits stand on the line before
_NUMBER_TAIL = re.compile(r"^\s*[.．、]\s*[\u4e00-\u9fff“\"]")
# every header word of the official tables, as printed: a header word broken over lines is joined
# while the joined text is still the beginning of one of them (本年增 / / / 减 -> 本年增/减)
_HEADER_WORDS = tuple({w for w, _ in catalog.ACTIVE_HEADER_DIMS} | tables.header_words())


def _unclosed(text: str) -> bool:
    """A line that opens a parenthesis it does not close: its words go on on the next line."""
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _value_like(t: str) -> bool:
    if _ITEM_ALONE.match(t):
        return False
    return classify(t).kind != TEXT or bool(_VALUE.match(t))


def _join_broken_words(tokens: list[str], is_heading=lambda t: False) -> list[str]:
    """Words broken over lines joined before anything is read as a value: an item number on its own
    line with the label line after it (`1.` + `属于国家秘密`, or `1` + `.属于国家秘密`), and a header word
    whose pieces stand on lines of their own (`本年增` + `/` + `减`: the `/` is no not-applicable cell)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        prev = out[-1] if out else None
        if prev is not None and not _value_like(prev) and not _value_like(t) and not is_heading(prev) \
                and _NUMBERED.match(prev) and is_heading(prev + t):
            # a section heading broken over lines (四、政府信息公开行政复 + 议、行政诉讼情况): joined, so that the
            # lines do not become a row label reaching into the next table
            out[-1] = prev + t.strip()
            i += 1
            while i < len(tokens) and not _value_like(tokens[i]) and is_heading(out[-1] + tokens[i]) \
                    and len(tokens[i]) <= 8 and not _is_header_start(tokens[i]) and not _NUMBERED.match(tokens[i]):
                out[-1] += tokens[i].strip()
                i += 1
            continue
        if prev is not None and not _value_like(prev) and not _value_like(t) and _unclosed(prev):
            out[-1] = prev + t.strip()  # `第二十条第（` + `一）项`, `（单位：万元` + `）`
            i += 1
            continue
        if prev is not None and not _value_like(prev) and _is_header_start(prev) and _is_header_start(prev + t):
            out[-1] = prev + t.strip()
            i += 1
            continue
        if nxt is not None and not _value_like(nxt) and (
                _ITEM_ALONE.match(t) or (t.strip().isdigit() and len(t.strip()) <= 2 and _NUMBER_TAIL.match(nxt))):
            out.append(t.strip() + nxt.strip())
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def _token(block) -> str | None:
    """The one cell a block holds, '' for a block of empty cells, None when it is not a cell."""
    if isinstance(block, Paragraph):
        t = _EDGE_PIPES.sub("", block.text)
        if len(t) > _MAX_TOKEN or "。" in t:
            return None
        return t
    if all(not c.text.strip() for row in block.rows for c in row):
        return ""
    return None


def fold_streams(blocks: list, is_heading) -> list:
    """Blocks with every one-cell-per-line table turned back into a Table; `is_heading(text)` tells
    the section headings, which stay paragraphs between the tables."""
    # most documents have no such run: a cheap look for a dozen short paragraphs in a row first
    streak = numbers = 0
    found = False
    for block in blocks:
        if isinstance(block, Paragraph) and len(block.text) <= _MAX_TOKEN + 4:
            streak += 1
            numbers += block.text.strip(" |").isdigit()
        elif not isinstance(block, Paragraph) and len(block.rows) <= 1:
            continue  # a row of empty cells between the lines
        else:
            streak = numbers = 0
        if streak >= 12 and numbers >= 6:
            found = True
            break
    if not found:
        return blocks
    out: list = []
    run: list = []  # (block, token)

    def flush():
        if not run:
            return
        tokens = [t for _, t in run if t]
        values = sum(1 for t in tokens if _value_like(t))
        if values >= 8 and any(_MARKERS.search(t) for t in tokens):
            page = next((b.page for b, _ in run if isinstance(b, Paragraph)), None)
            out.extend(_tables(_join_broken_words(tokens, is_heading), page, is_heading))
        else:
            out.extend(b for b, _ in run)
        run.clear()

    for block in blocks:
        t = _token(block)
        if t is None:
            flush()
            out.append(block)
        else:
            run.append((block, t))
    flush()
    return out


def _label_cells(texts: list[str]) -> tuple[list[str], list[str]]:
    """(header cells, label cells) of the text lines before a row's values."""
    firsts = [i for i, t in enumerate(texts) if _NUMBERED.match(t)]
    if firsts:
        head, body = texts[:firsts[0]], texts[firsts[0]:]
        cells: list[str] = []
        for t in body:
            if _NUMBERED.match(t) or not cells:
                cells.append(t)
            else:
                cells[-1] += t  # a label broken over lines
        return head, cells
    # 表二 labels are not numbered: the shortest tail of the lines that names a row of the table
    for k in range(len(texts) - 1, -1, -1):
        label = "".join(texts[k:])
        norm = catalog.normalise_label(label)
        if catalog.match_row(catalog.strip_numbering(norm), "active"):
            return texts[:k], [label]
        if len(norm) > 40:
            break
    return texts, []


def _is_header_start(text: str) -> bool:
    t = text.replace(" ", "")
    return any(w.startswith(t) for w in _HEADER_WORDS)


def _header_cells(texts: list[str]) -> list[str]:
    """Header words broken over lines joined (本年新公开 + 数量, 本年增 + / + 减), so each column has one
    cell: a line is joined to the one before while together they begin a header word of the tables."""
    cells: list[str] = []
    for t in texts:
        if cells and (t in ("数量", "件数", "总数量", "总计数", "机构", "企业", "组织")
                      or (t.startswith(("（", "(")) and not _NUMBERED.match(t))
                      or t.startswith("单位")
                      or (_is_header_start(cells[-1]) and _is_header_start(cells[-1] + t))):
            cells[-1] += t
        else:
            cells.append(t)
    return cells


def _tables(tokens: list[str], page, is_heading) -> list:
    out: list = []
    rows: list[list[str]] = []
    texts: list[str] = []
    values: list[str] = []

    def emit():
        nonlocal texts, values
        if values:
            head, label = _label_cells(texts)
            if head:
                rows.append(_header_cells(head))
            rows.append(label + values if label else [""] + values)
        elif texts:
            rows.append(_header_cells(texts))
        texts, values = [], []

    def table():
        emit()
        if rows:
            width = max(len(r) for r in rows)
            grid = [[Cell(t) for t in r] + [Cell("", origin=False) for _ in range(width - len(r))] for r in rows]
            out.append(Table(grid, page=page, row_pages=[page] * len(grid) if page else None, aligned=False))
            rows.clear()

    for t in tokens:
        if _value_like(t):
            values.append(t)
            continue
        if is_heading(t):
            table()
            out.append(Paragraph(t, page=page))
            continue
        if values:
            emit()
        texts.append(t)
    table()
    return out
