"""A table row split into its label and its value cells, the parser's state, and the rules every table
reader shares: a row is named by its own label (with its group label and its own earlier lines, never
by its place), its values fit the columns or the row is left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pipeline.spec import catalog
from pipeline.read.cells import BLANK, NA, NUMBER, TEXT, UNREADABLE, CellValue, classify, plain
from pipeline.spec.numbers import as_written
from pipeline.spec.model import PARSER_VERSION, Fact, Issue, Report, fact_key  # noqa: F401  (re-exported)



_APP_HEADER = re.compile(r"申请人|自然人|法人|商业企业|科研机构|公益组织|法律服务|勾稽")


_GROUPS = (("不予公开", "不予公开"), ("无法提供", "无法提供"), ("不予处理", "不予处理"), ("其他处理", "其他处理"))


_GROUP_OF = (("app.denied.", "不予公开"), ("app.unavailable.", "无法提供"), ("app.not_processed.", "不予处理"),
             ("app.other.", "其他处理"))


_GROUP_START = {key: re.compile(r"^(\([三四五六]\)|[三四五六])?" + key + ".+") for key, _ in _GROUPS}


@dataclass
class Row:
    own: str  # the row's own label (last text cell), as printed
    context: list[str]  # group labels before it (spanned from above or earlier cells)
    values: list[CellValue]  # cells after the label, each merged cell once
    texts: list[str]  # every distinct text in the row, for heading detection
    positions: list[int] = field(default_factory=list)  # grid column of each value cell
    label_end: int = -1  # grid column of the last text cell
    reach: dict[int, int] = field(default_factory=dict)  # a value cell merged over later grid columns: its last

    @property
    def label(self) -> str:
        return "".join(self.context + [self.own])

    @property
    def printed(self) -> str:
        """The row's label as printed, for evidence (computed once per row)."""
        p = self.__dict__.get("_printed")
        if p is None:
            p = self.__dict__["_printed"] = " ".join(x for x in self.context + [self.own] if x) or "(no label)"
        return p


def split_row(cells) -> Row:
    kinds = [classify(c.text) for c in cells]
    last_text = max((i for i, cv in enumerate(kinds) if cv.kind == TEXT), default=-1)
    remark = _remark_start(cells, kinds, last_text)
    if remark is not None:  # a remark column after the values (备注: 含转办件): not the row's label
        last_text = max((i for i in range(remark) if kinds[i].kind == TEXT), default=-1)
    texts = _texts(kinds[:last_text + 1])
    end = len(cells) if remark is None else remark
    positions = [i for i in range(last_text + 1, end) if cells[i].origin and not cells[i].from_above]
    values = [kinds[i] for i in positions]
    if len(values) < 3 and all(v.kind == BLANK for v in values):
        values, positions = [], []  # a header or caption row with an empty cell or two after its text
    own = texts[-1] if texts else ""
    reach = {}
    for i in positions:  # a number merged over the next grid columns (a colspan, a gridSpan)
        j = i
        while j + 1 < end and not cells[j + 1].origin and not cells[j + 1].from_above:
            j += 1
        if j > i and kinds[i].kind == NUMBER:
            reach[i] = j
    return Row(own=own, context=texts[:-1], values=values, texts=texts, positions=positions, label_end=last_text,
               reach=reach)


def spanning_down(rows: list[Row], grid: list) -> None:
    """A number merged down over a row below it that holds numbers of its own (a rowspan, a vMerge over two
    rows of values) is no one row's value: which row holds it cannot be told. It is made unreadable in its row,
    in place. A row below without numbers of its own (a label's second line in a PDF's grid) takes nothing."""
    for k, row in enumerate(rows[:-1]):
        below = grid[k + 1]
        if not any(v.kind == NUMBER for v in rows[k + 1].values):
            continue
        for n, pos in enumerate(row.positions):
            if row.values[n].kind == NUMBER and pos < len(below) and below[pos].from_above:
                row.values[n] = CellValue(UNREADABLE, row.values[n].text)


def _texts(kinds) -> list[str]:
    out: list[str] = []
    for cv in kinds:
        if cv.kind == TEXT and (not out or out[-1] != cv.text):
            out.append(cv.text)
    return out


def _remark_start(cells, kinds, last_text: int) -> int | None:
    """Where a remark column starts: the row's last text cells (their own, or a remark merged down the
    rows), with only blanks after them, right after a run of value cells holding at least three numbers;
    None for any other row."""
    if last_text < 0 or any(k.kind != BLANK for k in kinds[last_text + 1:]):
        return None
    start = last_text
    while start > 0 and kinds[start - 1].kind == TEXT:
        start -= 1
    numbers = 0
    for i in range(start - 1, -1, -1):
        if kinds[i].kind == TEXT:
            break
        if cells[i].origin and not cells[i].from_above:
            numbers += kinds[i].kind == NUMBER
    return start if numbers >= 3 else None


def _strip_blanks(v: list[CellValue]) -> list[CellValue]:
    lo, hi = 0, len(v)
    while lo < hi and v[lo].kind == BLANK:
        lo += 1
    while hi > lo and v[hi - 1].kind == BLANK:
        hi -= 1
    return v[lo:hi]


def fit(values: list[CellValue], n: int) -> list[CellValue] | None:
    """Exactly n cells from a row's value cells, dropping surplus blank cells at one end.

    Surplus blanks at both ends make the row ambiguous (is the first cell a filler or a blank
    自然人?): None, so the caller can place the cells by column or leave the row out.
    """
    v = list(values)
    if len(v) > n and v[0].kind == BLANK and v[-1].kind == BLANK:
        inner = _strip_blanks(v)
        return inner if len(inner) == n else None  # every column printed: the blanks are padding
    while len(v) > n and v[-1].kind == BLANK:
        v.pop()
    while len(v) > n and v[0].kind == BLANK:
        v.pop(0)
    return v if len(v) == n else None


def at_columns(row: Row, cols: list[int]) -> list[CellValue] | None:
    """The row's value cells at these grid columns, when each holds exactly one."""
    by_pos = dict(zip(row.positions, row.values))
    if not cols or min(cols) <= row.label_end or any(c not in by_pos for c in cols):
        return None
    return [by_pos[c] for c in cols]


def value_anchor(rows: list[Row], n: int) -> int | None:
    """The grid column where a table's n-value rows start, from its unambiguous rows (n cells,
    numbers at both ends)."""
    from collections import Counter

    starts: Counter = Counter()
    for r in rows:
        if len(r.values) == n and r.values[0].kind == NUMBER and r.values[-1].kind == NUMBER:
            starts[r.positions[0]] += 1
    if not starts:
        return None
    col, count = starts.most_common(1)[0]
    return col if count >= 2 else None


_COUNTS = ("app.", "review", "litigation.")


_MAX_COUNT = 10_000_000  # no agency receives ten million applications a year


class _State:
    def __init__(self, report: Report):
        self.report = report
        self.section: str | None = None
        self.group: str | None = None  # 不予公开 / 无法提供 / 不予处理 / 其他处理 in 表三
        self.pending: list[str] = []  # label text on lines without values (a label broken over lines)
        self.dims: list[tuple[str, str | None, str, int]] | None = None  # 表二 header: (dim, unit, text, column)
        self.dims_complete = True  # the 表二 header names every column it prints
        self.aligned = True  # the current table's grid columns are the document's own (Table.aligned)
        self.orphan: dict | None = None  # a 表三 row of values waiting for its label's last lines (text tables)
        self.active_text_row: list | None = None  # the 表二 row without values just above (a header's first line)
        self.votes = {"2019": 0, "2021": 0}
        self.seen: dict[str, Fact] = {}
        self.conflicts: set[str] = set()
        self.blank_cells: list[str] = []
        self.blank_keys: set[str] = set()  # `metric:dim` of 表三/表四 cells printed blank or not applicable
        self.review_head: list = []  # 表四 header rows (grid cells) above the values
        self.table_width = 0  # the current table's grid width (its widest row)
        self.review_head_widths: set[int] = set()  # the widths of the tables the 表四 header rows came from
        self.review_after_values = False  # a 表四 values row was read: a header row after it starts a new header
        self.app_unofficial = False  # a 表三 header of this section printed its columns out of the format's order
        self.review_filled: tuple = (None, 0, [])
        self.app_head: list = []  # 表三 header rows (grid cells), for rows whose cells are not seven
        self.page: int | None = None
        self.anchor7: int | None = None  # grid column where 表三's seven value cells start
        # 表三's last data row before a table break (a row split over two pages continues in the next table)
        self.carry: dict | None = None
        self.table_start = False  # no data row of the current table read yet

    def clear_review_head(self) -> None:
        self.review_head, self.review_head_widths = [], set()

    def add(self, metric: str, dim: str | None, value: Decimal, evidence: dict):
        key = fact_key(metric, dim)
        if key in self.conflicts:
            return
        if (value < 0 or value > _MAX_COUNT) and metric.startswith(_COUNTS):
            self.report.issues.append(Issue(
                "implausible_value", "warning",
                f"{key} is printed as {as_written(value)}, which cannot be a count of applications or cases; left out",
                f"{evidence.get('row', '')} / {evidence.get('column', '')}"))
            self.conflicts.add(key)
            self.seen.pop(key, None)
            return
        fact = Fact(metric, dim, plain(value), evidence)
        prev = self.seen.get(key)
        if prev is not None:
            if prev.value != fact.value:
                self.conflicts.add(key)
                del self.seen[key]
                self.report.issues.append(Issue(
                    "conflicting_values", "warning",
                    f"{key} is printed twice with different values ({prev.value} and {fact.value}); neither is reported",
                    f"{prev.evidence.get('row', '')} / {evidence.get('row', '')}"))
            return
        self.seen[key] = fact


def _evidence(table: str, row: Row, column: str, page: int | None) -> dict:
    ev = {"table": table, "row": row.printed, "column": column}
    if page is not None:
        ev["page"] = page
    return ev


def note_unreadable(st: _State, row: Row, cv: CellValue, col: str) -> None:
    """A cell holding numbers apart (26 13, two lines of one cell): which is the value cannot be told."""
    st.report.issues.append(Issue("cell_unreadable", "warning", f"no value was read from the cell under '{col}' "
                                  f"('{cv.text}'): it holds more than one number, or one number merged over other "
                                  "rows or columns", row.label))


def _note_blanks(st: _State, row: Row, cells: list[CellValue], columns: list[str], keys: list[str] | None = None):
    for i, (cv, col) in enumerate(zip(cells, columns)):
        if cv.kind == UNREADABLE:
            note_unreadable(st, row, cv, col)
        if cv.kind in (BLANK, NA):
            st.blank_cells.append(f"{row.own or row.label} / {col}" + (f" ('{cv.text}')" if cv.text else ""))
            if keys:
                st.blank_keys.add(keys[i])


# an item number at the start of a label as printed: （三） 三、 1. 1、 (1)
ITEM_NUMBER = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]"
                         r"|\d{1,2}\s*[.．、](?!\d))")


def _own_lines(pending: list[str], own: str) -> list[str]:
    """The lines before a row that are its own label's first lines: a label broken over lines starts
    with its item number, so lines before the last numbered one belong to an earlier label, and a row
    whose own text starts with a number owns none of them."""
    if ITEM_NUMBER.match(own):
        return []
    start = 0
    for i, line in enumerate(pending):
        if ITEM_NUMBER.match(line):
            start = i
    return pending[start:]


def _match(st: _State, row: Row, section: str) -> catalog.Metric | None:
    """The metric a row's own label names, read with the group label spanning it and the label's own
    earlier lines. A row without a label of its own (its label lost, or only an item number left) is
    never matched: the metric it would get would come from the rows around it, not from its text."""
    own = catalog.normalise_label(row.own)
    if not catalog.strip_numbering(own):
        return None
    if section == "active":
        own = catalog.strip_numbering(own)
    m = catalog.match_row(own, section)
    if m:
        return m
    for ctx in (row.context, [st.group] if st.group else [], _own_lines(st.pending, row.own)):
        if ctx:
            m = catalog.match_row(catalog.normalise_label("".join(ctx) + row.own), section)
            if m:
                return m
    return None


def _fill_right(head) -> list[str]:
    """A header row's texts, a blank cell taking the text to its left: in text files a merged header
    cell (行政诉讼 over ten columns) is printed once and followed by blank cells."""
    out: list[str] = []
    for c in head:
        t = c.text.strip()
        out.append(t if t or not out else out[-1])
    return out
