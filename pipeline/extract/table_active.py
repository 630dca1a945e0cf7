"""表二 (主动公开政府信息情况): the column header of each block (every column named, or the row left
out), each row's numbers under the header's columns, amounts in 万元.
"""
from __future__ import annotations

import re
from pipeline.spec import catalog
from pipeline.read.cells import BLANK, NUMBER, CellValue, amount_unit, to_wan_yuan
from pipeline.read.document import Cell
from pipeline.spec.model import PARSER_VERSION, Fact, Issue, Report  # noqa: F401  (re-exported)
from pipeline.extract.rows import Row, _State, _evidence, _match, _note_blanks, at_columns


_HEADER_RX = re.compile("|".join(re.escape(p) for p, _ in catalog.ACTIVE_HEADER_DIMS))


_HEADER_DIM = dict(catalog.ACTIVE_HEADER_DIMS)


_LABEL_HEADER = re.compile(r"信息内容|^内容$|^项目$|^类别$|第二十条")


_UNIT_NOTE = re.compile(r"^\(?(单位)?(万元|元|亿元|件|个|项)?\)?$")  # (单位：万元) on a line of its own


def _header_dims(row: Row, cells) -> tuple[list[tuple[str, str | None, str, int]] | None, bool]:
    """表二's column header: (dim, unit, header text, grid column) for each column it names, and whether
    it names every column it prints (a header word broken over cells, `本年增` | `减`, names none)."""
    dims: list[tuple[str, str | None, str, int]] = []
    complete = True
    last_text = None
    for col, c in enumerate(cells):
        if not c.origin or c.from_above:
            continue
        t = catalog.normalise_label(c.text)
        if not t or t == last_text:
            continue
        last_text = t
        found = list(_HEADER_RX.finditer(t))
        if not found and not _LABEL_HEADER.search(t) and not _UNIT_NOTE.match(t):
            complete = False
        for m in found:
            dim = _HEADER_DIM[m.group(0)]
            dims.append((dim, amount_unit(c.text) if dim == "amount_wan_yuan" else None, c.text, col))
    return (dims or None), complete


def _active_cells(st: _State, row: Row) -> list[CellValue] | None:
    """A 表二 row's cells under the header's columns. In a table whose grid is the document's own (HTML,
    Word, a ruled PDF), the cells standing in the header's grid columns, when every number of the row
    stands in one of them; in a table rebuilt from lines of text, also as many cells as the header names
    columns when it names every column it prints. Otherwise None: the numbers do not fit the header."""
    if not st.aligned and st.dims_complete and len(row.values) == len(st.dims):
        return list(row.values)
    cols = [col for *_, col in st.dims]
    by_col = at_columns(row, cols)
    if by_col is None:
        return None
    if any(v.kind == NUMBER and pos not in cols for pos, v in zip(row.positions, row.values)):
        return None
    return by_col


def _label_above(st: _State, row: Row) -> Row:
    """A row of numbers without a label in a table rebuilt from text lines takes the line right above it as
    its label when that line is one text alone (规章 / 2 2 8, as text copied from a PDF gives it); the label
    still has to name a row of the format."""
    if st.aligned or row.own or st.active_text_row is None:
        return row
    above = [c.text for c in st.active_text_row if c.origin and c.text.strip()]
    return Row(above[0], row.context, row.values, row.texts, row.positions, row.label_end) if len(above) == 1 else row


def _own_text(cell) -> str:
    return cell.text if cell.origin and not cell.from_above else ""


def _row_active(st: _State, row: Row, cells):
    """One row of 表二: a header row sets the columns (and votes for the format), a labelled row gives its
    facts, each cell checked against the columns. Past 60 lines: the steps share the row, its match and
    the parser's state, and each ends the row with its own issue."""
    norm = catalog.normalise_label(row.label)
    if "第二十条" in norm and not row.values:
        st.dims = None
    if not row.values or all(v.kind == BLANK for v in row.values):
        dims, complete = _header_dims(row, cells)
        upper, st.active_text_row = st.active_text_row, cells
        if upper is not None and len(upper) == len(cells) and (not dims or not complete):
            # header words broken over two rows of the grid (采购 | 项目数量): each column's words joined
            joined = [Cell(_own_text(a) + _own_text(b), origin=a.origin or b.origin) for a, b in zip(upper, cells)]
            dims2, complete2 = _header_dims(row, joined)
            if dims2 and complete2 and len(dims2) >= len(dims or []):
                dims, complete = dims2, complete2
        if dims:
            st.dims, st.dims_complete = dims, complete
            for tpl, markers in catalog.TEMPLATE_MARKERS.items():
                if any(mk in norm for mk in markers):
                    st.votes[tpl] += 1
            return
        if not row.values:
            return
    if any(v.kind == NUMBER for v in row.values):
        row = _label_above(st, row)
        st.active_text_row = None
    m = _match(st, row, "active")
    if m is None:
        if any(v.kind == NUMBER for v in row.values) and row.own:
            st.report.issues.append(Issue("unmatched_row", "info",
                                          "a row of table 二 that is not in the official format was left out", row.label))
        return
    if m.code in ("active.procurement", "active.other_services"):
        st.votes["2019"] += 1
    if not st.dims:
        st.report.issues.append(Issue("no_header", "warning", f"{m.code}: no column header above the row; left out",
                                      row.label))
        return
    cells_v = _active_cells(st, row)
    if cells_v is None:
        st.report.issues.append(Issue("row_cells", "warning",
                                      f"{m.code}: {len(row.values)} cells under a header of {len(st.dims)}"
                                      + ("" if st.dims_complete else " that does not name every column it prints")
                                      + "; the numbers do not fit its columns, left out", row.label))
        return
    _note_blanks(st, row, cells_v, [h for _, _, h, _ in st.dims])
    for (dim, unit, header, _), cv in zip(st.dims, cells_v):
        if cv.kind != NUMBER:
            continue
        if dim not in m.dims:
            st.report.issues.append(Issue("unexpected_column", "warning",
                                          f"{m.code} has no column '{header}' in the official format; left out",
                                          row.label))
            continue
        value = cv.value
        ev = _evidence("active", row, header, st.page)
        if dim == "amount_wan_yuan":
            u = cv.unit if cv.unit in ("元", "万元", "亿元") else unit
            if u is None:
                u = "万元"
                st.report.issues.append(Issue("unit_assumed", "info",
                                              f"{m.code}: no unit printed for '{cv.text}'; read as 万元 as in the official format",
                                              row.label))
            elif u != "万元":
                ev["original"] = cv.text + ("" if cv.unit else u)
            value = to_wan_yuan(value, u)
        st.add(m.code, dim, value, ev)
