"""表四 (行政复议、行政诉讼): each value's block and result named by the header words above it or in its
row; where the header is not aligned with the values, taken in print order only when it names the
blocks and results in the official order.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pipeline.spec import catalog, tables
from pipeline.read.cells import BLANK, NA, NUMBER, UNREADABLE, CellValue
from pipeline.spec.model import PARSER_VERSION, Fact, Issue, Report, fact_key  # noqa: F401  (re-exported)
from pipeline.extract.rows import Row, _State, _evidence, _fill_right, fit, note_unreadable


_REVIEW_BLOCK_WORDS = (("litigation.after_review", re.compile(r"复议后起诉|(?<!未)经复议后?起诉")),
                      ("litigation.direct", re.compile(r"未经复议|直接起诉")),
                      ("review", re.compile(r"行政复议|复议")))


_REVIEW_DIM_WORDS = (("pending", re.compile(r"尚未审结|未审结|未结|尚未审|未审")), ("upheld", re.compile(r"维持")),
                     ("corrected", re.compile(r"纠正")), ("other", re.compile(r"其他|其它")),
                     ("total", re.compile(r"总计|合计|小计")))


_REVIEW_BLOCK_LABEL = tables.REVIEW_BLOCK_LABELS


_REVIEW_WORDS = re.compile(r"(?P<after>复议后起诉)|(?P<direct>未经复议直接起诉|未经复议|直接起诉)|(?P<review>行政复议)"
                           r"|(?P<pending>尚未审结|未审结)|(?P<upheld>维持)|(?P<corrected>纠正)|(?P<other>其他|其它)"
                           r"|(?P<total>总计|合计)")


@lru_cache(maxsize=4096)
def _review_kind(text: str) -> tuple[str | None, str | None]:
    """(block, result) a header or label text names; None where it names none or several."""
    t = catalog.normalise_label(text)
    blocks = []
    for code, rx in _REVIEW_BLOCK_WORDS:
        if rx.search(t):
            blocks.append(code)
            t = rx.sub("", t)  # 复议后起诉 is not also 行政复议
    dims = [d for d, rx in _REVIEW_DIM_WORDS if rx.search(t)]
    return (blocks[0] if len(blocks) == 1 else None), (dims[0] if len(dims) == 1 else None)


def _review_by_grid(st: _State, row: Row) -> list[tuple[str, str]] | None:
    """Each value cell's (block, result) from the header cells above it in its grid column and the
    row's own label (a transposed table names the block or the result in the row)."""
    rb, rd = _review_kind(row.label) if row.label else (None, None)
    cached_for, cached_len, heads = st.review_filled
    if cached_for is not st.review_head or cached_len != len(st.review_head):  # filled once per header
        heads = [_fill_right(head) for head in st.review_head]
        st.review_filled = (st.review_head, len(st.review_head), heads)
    out = []
    for pos in row.positions:
        texts = []
        for head in heads:
            if pos < len(head):
                t = head[pos].strip()
                if t and (not texts or texts[-1] != t):
                    texts.append(t)
        b, d = None, None
        for t in texts:  # the nearest header row that names a block or a result decides it
            tb, td = _review_kind(t)
            b, d = tb or b, td or d
        b, d = rb or b, rd or d
        if b is None or d is None:
            return None
        out.append((b, d))
    return out if len(set(out)) == len(out) else None


def _review_by_sequence(st: _State, row: Row) -> list[tuple[CellValue, str, str]] | None:
    """Header words that are not aligned with the values (a text dump, one cell per line, a PDF whose
    header cells lost their words): the blocks and results in the order the header prints them.

    Read only for 15 cells with no label of their own, under a header that either names three blocks
    and repeats the same five results for each (in any order), or names 行政复议 before 行政诉讼 and
    whose result words, as far as they can be read, follow the official order."""
    cells = fit(row.values, 15)
    if cells is None or row.label:
        return None
    text = catalog.normalise_label(" ".join(c.text for head in st.review_head for c in head
                                            if c.origin and c.text.strip()))
    blocks: list[str] = []
    dims: list[str] = []
    for m in _REVIEW_WORDS.finditer(text):
        kind = m.lastgroup
        if kind in ("review", "direct", "after"):
            b = {"review": "review", "direct": "litigation.direct", "after": "litigation.after_review"}[kind]
            if b not in blocks:
                blocks.append(b)
        else:
            dims.append(kind)
    if len(blocks) == 3 and len(dims) == 15 and dims[:5] == dims[5:10] == dims[10:] and len(set(dims[:5])) == 5:
        order = [(b, d) for b in blocks for d in dims[:5]]
    else:
        official = [d for _ in range(3) for d in catalog.REVIEW]

        def follows_official(head) -> bool:  # the result words of one header row, in the official order
            found = [m.lastgroup for m in _REVIEW_WORDS.finditer(catalog.normalise_label(
                " ".join(c.text for c in head if c.origin and c.text.strip())))]
            found = [d for d in found if d in catalog.REVIEW]
            if found[:2] == ["total", "upheld"]:
                return False  # 总计 then a block's first result (总计 first in each block): not the official order
            it = iter(official)
            return all(any(d == o for o in it) for d in found)

        in_order = all(follows_official(head) for head in st.review_head)
        known = [b for b in tables.REVIEW_BLOCKS if b in blocks]
        review, litigation = tables.REVIEW_GROUP[0], tables.LITIGATION_GROUP[0]
        if not (review in text and litigation in text and text.index(review) < text.index(litigation)
                and blocks == known and in_order):
            return None
        order = [(b, d) for b in tables.REVIEW_BLOCKS for d in catalog.REVIEW]
    return [(cv, b, d) for cv, (b, d) in zip(cells, order)]


def _without_spanning(st: _State, row: Row, placed: list) -> list:
    """A number in a cell merged over the columns of two results (a colspan over 结果维持 and 结果纠正) is
    neither's: left out with an issue, the row's other cells read."""
    heads = st.review_filled[2]
    out = []
    for (cv, b, d), pos in zip(placed, row.positions):
        covered = list(range(pos + 1, row.reach.get(pos, pos) + 1))  # split_row's reach of a merged number
        names = {next((h[k].strip() for h in reversed(heads) if k < len(h) and h[k].strip()), "") for k in [pos, *covered]}
        if cv.kind == NUMBER and covered and len(names) > 1:
            st.report.issues.append(Issue("row_cells", "warning", f"a value of table 四 in a cell merged over {len(covered) + 1} "
                                          "columns (" + " / ".join(sorted(names)) + "): whose it is cannot be told; left out",
                                          (row.label + " " if row.label else "") + cv.text))
            continue
        out.append((cv, b, d))
    return out


def _row_review(st: _State, row: Row, cells):
    if not any(v.kind == NUMBER for v in row.values):
        if row.texts:
            if st.review_after_values:  # a header after values (表四 printed as two tables 复议 | 诉讼): a new header
                st.clear_review_head()
                st.review_after_values = False
            st.review_head.append(cells)  # header rows: read for the columns of the values below
            st.review_head_widths.add(st.table_width)
        return
    st.review_after_values = True
    # the header's grid columns are this row's only when they come from a table of the same width (a header
    # broken over a page into a table of another width names its columns in print order only)
    same_grid = not st.aligned or st.review_head_widths == {st.table_width}
    grid = _review_by_grid(st, row) if same_grid else None
    placed = [(cv, b, d) for cv, (b, d) in zip(row.values, grid)] if grid else _review_by_sequence(st, row)
    if grid and placed:
        placed = _without_spanning(st, row, placed)
    if placed is None:
        st.report.issues.append(Issue("row_cells", "warning",
                                      f"a row of table 四 with {len(row.values)} cells whose columns the header does not "
                                      "name (行政复议 / 未经复议直接起诉 / 复议后起诉 × 维持 / 纠正 / 其他 / 尚未审结 / 总计); left out",
                                      (row.label + " " if row.label else "") + " ".join(v.text for v in row.values)))
        return
    for cv, block, dim in placed:
        col = f"{_REVIEW_BLOCK_LABEL[block]} {catalog.DIM_LABELS[dim][0]}"
        if cv.kind == UNREADABLE:
            note_unreadable(st, row, cv, col)
        if cv.kind in (BLANK, NA):
            st.blank_cells.append(f"{row.own or '表四'} / {col}" + (f" ('{cv.text}')" if cv.text else ""))
            st.blank_keys.add(fact_key(block, dim))
        elif cv.kind == NUMBER:
            st.add(block, dim, cv.value, _evidence("review_litigation", row, col, st.page))
