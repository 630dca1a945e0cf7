"""Document in, a report out: agency, statistical year, template version, facts and issues.

Table rows are read one at a time in document order. Each row is split into its label (the text
cells, with the group labels that span it) and its value cells (the cells after the label, each
merged cell once). The label is matched against the catalog's row patterns; columns follow the
official format (表三: 自然人 … 总计; 表四: 复议, 直接起诉, 复议后起诉 × 结果维持 … 总计) and, for
表二, the header row above the values. A row whose cells cannot be placed with confidence gives
no fact and an issue instead.
"""
from __future__ import annotations

import datetime
import re
from functools import lru_cache
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.spec import catalog, tables
from pipeline.read.cells import BLANK, NA, NUMBER, TEXT, CellValue, amount_unit, chinese_year, classify, plain, to_wan_yuan
from pipeline.read.document import Cell, Document, Paragraph, Table
from pipeline.extract import identities
from pipeline.extract.digits_run_together import read_flattened
from pipeline.spec.numbers import CN_YEAR, as_written
from pipeline.spec.model import PARSER_VERSION, Fact, Issue, Report  # noqa: F401  (re-exported)
from pipeline.extract.narrative import read_narrative
from pipeline.extract.one_cell_per_line import fold_streams


_HEADINGS = (
    ("active", re.compile(r"^(二|一)?\.?(\(?[二一]\)?)?主动公开政府信息(情况)?$|^二\.?主动公开")),
    ("applications", re.compile(r"^(三|二)?\.?收到和处理政府信息公开申请|^三\.?收到和处理")),
    ("review", re.compile(r"^(四|三)?\.?(因)?政府信息公开.*(复议|诉讼)|^四\.?.*行政复议|^(四|三)\.?.*行政诉讼")),
    (None, re.compile(r"^(五|四)\.?.*(存在的主要问题|改进情况)|^六\.?其他需要报告")),
)
_ACTIVE_ROW = re.compile(r"第二十条|信息内容")
_APP_ROW = re.compile(r"本年新收|申请人情况|勾稽关系")
_APP_HEADER = re.compile(r"申请人|自然人|法人|商业企业|科研机构|公益组织|法律服务|勾稽")
_GROUPS = (("不予公开", "不予公开"), ("无法提供", "无法提供"), ("不予处理", "不予处理"), ("其他处理", "其他处理"))
_GROUP_OF = (("app.denied.", "不予公开"), ("app.unavailable.", "无法提供"), ("app.not_processed.", "不予处理"),
             ("app.other.", "其他处理"))
_GROUP_START = {key: re.compile(r"^(\([三四五六]\)|[三四五六])?" + key + ".+") for key, _ in _GROUPS}


# --- a row, split into label and values ---------------------------------------------------------

@dataclass
class Row:
    own: str  # the row's own label (last text cell), as printed
    context: list[str]  # group labels before it (spanned from above or earlier cells)
    values: list[CellValue]  # cells after the label, each merged cell once
    texts: list[str]  # every distinct text in the row, for heading detection
    positions: list[int] = field(default_factory=list)  # grid column of each value cell
    label_end: int = -1  # grid column of the last text cell

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
    texts: list[str] = []
    last_text = -1
    kinds = []
    for i, c in enumerate(cells):
        cv = classify(c.text)
        kinds.append(cv)
        if cv.kind == TEXT:
            last_text = i
            if not texts or texts[-1] != cv.text:
                texts.append(cv.text)
    positions = [i for i in range(last_text + 1, len(cells)) if cells[i].origin and not cells[i].from_above]
    values = [kinds[i] for i in positions]
    if len(values) < 3 and all(v.kind == BLANK for v in values):
        values, positions = [], []  # a header or caption row with an empty cell or two after its text
    own = texts[-1] if texts else ""
    return Row(own=own, context=texts[:-1], values=values, texts=texts, positions=positions, label_end=last_text)


def fit(values: list[CellValue], n: int) -> list[CellValue] | None:
    """Exactly n cells from a row's value cells, dropping surplus blank cells at one end.

    Surplus blanks at both ends make the row ambiguous (is the first cell a filler or a blank
    自然人?): None, so the caller can place the cells by column or leave the row out.
    """
    v = list(values)
    if len(v) > n and v[0].kind == BLANK and v[-1].kind == BLANK:
        return None
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


# --- the parser ---------------------------------------------------------------------------------

_THIS_YEAR = datetime.date.today().year
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
        self.review_filled: tuple = (None, 0, [])
        self.app_head: list = []  # 表三 header rows (grid cells), for rows whose cells are not seven
        self.page: int | None = None
        self.anchor7: int | None = None  # grid column where 表三's seven value cells start
        # 表三's last data row before a table break (a row split over two pages continues in the next table)
        self.carry: dict | None = None
        self.table_start = False  # no data row of the current table read yet

    def add(self, metric: str, dim: str | None, value: Decimal, evidence: dict):
        key = metric if dim is None else f"{metric}:{dim}"
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


def _heading_section(text: str) -> tuple[bool, str | None]:
    t = catalog.normalise_label(text)
    if len(t) > 40:
        return False, None
    for section, rx in _HEADINGS:
        if rx.search(t):
            return True, section
    return False, None


def _evidence(table: str, row: Row, column: str, page: int | None) -> dict:
    ev = {"table": table, "row": row.printed, "column": column}
    if page is not None:
        ev["page"] = page
    return ev


def _note_blanks(st: _State, row: Row, cells: list[CellValue], columns: list[str], keys: list[str] | None = None):
    for i, (cv, col) in enumerate(zip(cells, columns)):
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


_NUMBERED = re.compile(r"^(\(?[一二三四五六七八九十]+\)?[、.]?|\d{1,2}[.、]|\(\d{1,2}\))")


def _continues(st: _State, row: Row) -> bool:
    """The first row of a table on a new page that finishes the last row of the previous page's table.

    Word processors break a tall row over a page: the label's last words (反复申请, 开申请数量) and any
    cells not printed before the break (a 总计 left for the next page) come as the next table's first row.
    Joined only when the fragment is no label of its own and its cells fill blanks of the row before."""
    carry, st.carry = st.carry, None
    if carry is None or carry["page"] is None or st.page is None or st.page <= carry["page"]:
        return False
    own = catalog.normalise_label(row.own)
    if not own or _NUMBERED.match(own) or _APP_HEADER.search(own):
        return False
    alone = catalog.match_row(own, "applications")
    if alone is not None and (carry["metric"] is not None or any(v.kind == NUMBER for v in row.values)):
        return False  # a row of its own
    head = carry["row"]
    metric = carry["metric"]
    if metric is None:  # the first part alone matched nothing: try the whole label
        joined = Row(head.own + row.own, head.context, head.values, head.texts)
        metric = _match(st, joined, "applications")
        if metric is None or (alone is not None and alone is not metric):
            return False
        if carry.get("issue") in st.report.issues:
            st.report.issues.remove(carry["issue"])
    first = fit(head.values, 7)
    second = fit(row.values, 7) if any(v.kind == NUMBER for v in row.values) else [CellValue(BLANK, "")] * 7
    if first is None or second is None:
        return False
    if any(a.kind == NUMBER and b.kind == NUMBER for a, b in zip(first, second)):
        return False  # both halves print a value in one column: not one row
    label = f"{head.own} {row.own}"
    ev_row = Row(label, head.context, head.values, head.texts)
    cols = [catalog.DIM_LABELS[d][0] for d in catalog.APPLICANT]
    for dim, col, a, b in zip(catalog.APPLICANT, cols, first, second):
        cv = a if a.kind == NUMBER else b
        if cv.kind == NUMBER:
            key = f"{metric.code}:{dim}"
            if key in st.seen and carry["metric"] is not None:
                continue  # read already from the first half
            st.add(metric.code, dim, cv.value, _evidence("applications", ev_row, col, st.page))
    return True


_APPLICANT_WORDS = (("natural_person", re.compile(r"自然人")), ("commercial", re.compile(r"商业企业|商业")),
                    ("research", re.compile(r"科研机构|科研")), ("social_org", re.compile(r"公益组织|公益")),
                    ("legal_service", re.compile(r"法律服务")), ("total", re.compile(r"总计|合计")),
                    ("other_org", re.compile(r"^其他$|^其它$")))


@lru_cache(maxsize=2048)
def _applicant_dim(text: str) -> str | None:
    t = catalog.normalise_label(text)
    if not t or "法人" in t or "申请人" in t:
        return None
    hits = [d for d, rx in _APPLICANT_WORDS if rx.search(t)]
    return hits[0] if len(hits) == 1 else None


def _app_by_header(st: _State, row: Row) -> list[tuple[str, CellValue]] | None:
    """表三 cells placed under their header cells (自然人, 商业企业, … 总计), for a row whose cells are not
    seven: a table clipped at the page's edge keeps the columns that are there."""
    if not st.app_head:
        return None
    # a header printed once over blank cells stands for them in text; in the document's own grid a merged
    # cell already repeats its text, and a blank header cell names no column
    heads = [_fill_right(h) if not st.aligned else [c.text.strip() for c in h] for h in st.app_head]
    out = []
    for pos, cv in zip(row.positions, row.values):
        dim = None
        for head in reversed(heads):  # the lowest header row that names a column decides
            if pos < len(head):
                dim = _applicant_dim(head[pos])
                if dim:
                    break
        if dim is None:
            if cv.kind == BLANK:
                continue  # a padding cell outside the columns
            return None
        out.append((dim, cv))
    dims = [d for d, _ in out]
    if len(set(dims)) != len(dims) or not dims:
        return None
    order = {d: i for i, d in enumerate(catalog.APPLICANT)}
    if dims != sorted(dims, key=order.get):
        return None  # columns out of the official order: not a header we understand
    return out


# the characters of 表三's group labels printed down a column of their own: （三）不予公开, 三、本年度办理结果
_GROUP_CHARS = set("（）()三四五六七一二、.本年度办理结果不予公开无法提供处理其他")
_GLUED_NUMBER = re.compile(r"^(.*[\u4e00-\u9fff”\"）)])(\d+)$")
_INNER_NUMBER = re.compile(r"^(\S{1,3}?)\s*(\d{1,2}\s*[.．、]\s*[\u4e00-\u9fff].*)$")


def _group_fragment(text: str) -> bool:
    """A piece of a group label printed down its own column beside the row labels (`（ 三`, `） 不`, `予 公`):
    no part of any row's label."""
    t = re.sub(r"\s", "", text)
    return 0 < len(t) <= 3 and all(ch in _GROUP_CHARS for ch in t)


def _line_label(text: str) -> str:
    """A label line of a table rebuilt from text lines, without the group label's pieces printed before
    it on the same line (`（ 五1.信访举报` -> `1.信访举报`)."""
    m = _INNER_NUMBER.match(text)
    if m and _group_fragment(m.group(1)):
        return m.group(2)
    return "" if _group_fragment(text) else text


def _unglue(row: Row) -> Row:
    """A row of a table rebuilt from text whose first value is glued to its label (`内部事务信1` and six
    more values): the digits are the first value, as a label never ends in a number."""
    m = _GLUED_NUMBER.match(row.own)
    if m and len(row.values) == 6 and row.positions:
        return Row(m.group(1), row.context, [classify(m.group(2))] + row.values, row.texts,
                   [row.positions[0] - 1] + row.positions, row.label_end)
    return row


def _resolve_orphan(st: _State, ended_by_label: bool):
    """A row of values whose label lines stand above and below it (a label wrapped over lines, the values
    printed beside its middle): its label is its unit's lines, from the one with its item number down to
    the line before the next item number. Read only when the unit is closed by the next numbered label;
    otherwise left out with an issue."""
    orphan, st.orphan = st.orphan, None
    if orphan is None:
        return
    row, before, after = orphan["row"], orphan["before"], orphan["after"]
    lines = [x for x in before + [row.own] + after if x]
    m = None
    if ended_by_label and lines and ITEM_NUMBER.match(lines[0]):
        m = catalog.match_row(catalog.normalise_label("".join(lines)), "applications")
    if m is None:
        st.report.issues.append(Issue("row_without_label", "warning",
                                      "a row of table 三 with values but no label of its own was left out (its place "
                                      "among the rows is not proof of which row it is)",
                                      (" ".join(lines) or "(no label)") + " | " + " ".join(v.text for v in row.values)))
        return
    whole = Row(" ".join(lines), [], row.values, row.texts, row.positions, row.label_end)
    _place_app_row(st, whole, m)


def _row_applications(st: _State, row: Row, cells_grid=None):
    if not st.aligned:
        own = _line_label(row.own)
        if own != row.own:
            row = Row(own, row.context, row.values, row.texts, row.positions, row.label_end)
        if any(v.kind == NUMBER for v in row.values):
            row = _unglue(row)
        if st.orphan is not None:
            numbered = bool(ITEM_NUMBER.match(row.own))
            if any(v.kind == NUMBER for v in row.values) or numbered \
                    or _APP_HEADER.search(catalog.normalise_label(row.own)):
                _resolve_orphan(st, ended_by_label=numbered)
            elif row.own:
                st.orphan["after"].append(row.own)
    norm = catalog.normalise_label(row.label)
    own = catalog.normalise_label(row.own)
    if not row.own and not any(v.kind in (NUMBER, TEXT) for v in row.values):
        return  # an empty row (a table's bottom edge drawn below its last row)
    if st.table_start:
        st.table_start = False
        if row.values and _continues(st, row):
            return
    for key, name in _GROUPS:
        if (key in catalog.normalise_label("".join(row.context)) or (key in norm and not row.values)
                or _GROUP_START[key].match(own)):
            st.group = name
    if not row.values or (cells_grid is not None and not any(v.kind == NUMBER for v in row.values)
                          and _APP_HEADER.search(norm)):
        if _APP_HEADER.search(norm):
            st.pending = []  # column headers, not a label broken over lines
            if cells_grid is not None:
                st.app_head.append(cells_grid)
        elif row.own and not any(k in catalog.normalise_label(row.own) for k, _ in _GROUPS):
            st.pending.append(row.own)
        return
    m = _match(st, row, "applications")
    before = _own_lines(st.pending, row.own)
    st.pending = []
    st.carry = None
    if m is None and not st.aligned and any(v.kind == NUMBER for v in row.values) \
            and (ITEM_NUMBER.match(row.own) or (before and ITEM_NUMBER.match(before[0]))):
        st.orphan = {"row": row, "before": before, "after": []}  # its label may go on below it
        return
    if m is None:
        if any(v.kind == NUMBER for v in row.values):
            if catalog.strip_numbering(catalog.normalise_label(row.own)):
                issue = Issue("unmatched_row", "warning", "a row of table 三 whose label matches no metric was left out",
                              row.label)
            else:
                issue = Issue("row_without_label", "warning",
                              "a row of table 三 with values but no label of its own was left out (its place among "
                              "the rows is not proof of which row it is)", "(no label) " + " ".join(v.text for v in row.values))
            st.report.issues.append(issue)
            st.carry = {"row": row, "metric": None, "page": st.page, "issue": issue}
        return
    _place_app_row(st, row, m)


def _place_app_row(st: _State, row: Row, m: catalog.Metric):
    """A 表三 row's cells under the seven applicant columns, once its metric is known."""
    if m.code == "app.total":
        st.group = None
    else:  # a group label broken over a page (（六）其 | 他处理) is known from its rows
        st.group = next((name for prefix, name in _GROUP_OF if m.code.startswith(prefix)), st.group)
    cells = fit(row.values, 7)
    if cells is None and st.anchor7 is not None:  # blanks at both ends: place the cells by column
        cells = at_columns(row, list(range(st.anchor7, st.anchor7 + 7)))
    if cells is None:
        placed = _app_by_header(st, row) if len(row.values) < 7 or st.aligned else None
        if placed is None:
            st.report.issues.append(Issue("row_cells", "warning",
                                          f"{m.code}: {len(row.values)} cells where 7 were expected and no column "
                                          "alignment places them; row left out", row.label))
            return
        got = {d for d, _ in placed}
        lost = [catalog.DIM_LABELS[d][0] for d in catalog.APPLICANT if d not in got]
        if lost:
            st.report.issues.append(Issue("columns_missing", "warning",
                                          f"{m.code}: the columns {'、'.join(lost)} are not in the table (cut off at the "
                                          "page's edge?); the others are read by their headers", row.label))
        for dim, cv in placed:
            col = catalog.DIM_LABELS[dim][0]
            if cv.kind in (BLANK, NA):
                st.blank_keys.add(f"{m.code}:{dim}")
            if cv.kind == NUMBER:
                st.add(m.code, dim, cv.value, _evidence("applications", row, col, st.page))
        return
    cols = [catalog.DIM_LABELS[d][0] for d in catalog.APPLICANT]
    st.carry = {"row": row, "metric": m, "page": st.page}
    _note_blanks(st, row, cells, cols, [f"{m.code}:{d}" for d in catalog.APPLICANT])
    for dim, col, cv in zip(catalog.APPLICANT, cols, cells):
        if cv.kind == NUMBER:
            st.add(m.code, dim, cv.value, _evidence("applications", row, col, st.page))
    if m.code.startswith("app.other.") and m.code != "app.other":
        st.votes["2021"] += 1


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


def _fill_right(head) -> list[str]:
    """A header row's texts, a blank cell taking the text to its left: in text files a merged header
    cell (行政诉讼 over ten columns) is printed once and followed by blank cells."""
    out: list[str] = []
    for c in head:
        t = c.text.strip()
        out.append(t if t or not out else out[-1])
    return out


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
            it = iter(official)
            return all(any(d == o for o in it) for d in found if d in catalog.REVIEW)

        in_order = all(follows_official(head) for head in st.review_head)
        known = [b for b in tables.REVIEW_BLOCKS if b in blocks]
        if not ("行政复议" in text and "行政诉讼" in text and text.index("行政复议") < text.index("行政诉讼")
                and blocks == known and in_order):
            return None
        order = [(b, d) for b in tables.REVIEW_BLOCKS for d in catalog.REVIEW]
    return [(cv, b, d) for cv, (b, d) in zip(cells, order)]


def _row_review(st: _State, row: Row, cells):
    if not any(v.kind == NUMBER for v in row.values):
        if row.texts:
            st.review_head.append(cells)  # header rows: read for the columns of the values below
        return
    grid = _review_by_grid(st, row)
    placed = [(cv, b, d) for cv, (b, d) in zip(row.values, grid)] if grid else _review_by_sequence(st, row)
    if placed is None:
        st.report.issues.append(Issue("row_cells", "warning",
                                      f"a row of table 四 with {len(row.values)} cells whose columns the header does not "
                                      "name (行政复议 / 未经复议直接起诉 / 复议后起诉 × 维持 / 纠正 / 其他 / 尚未审结 / 总计); left out",
                                      (row.label + " " if row.label else "") + " ".join(v.text for v in row.values)))
        return
    for cv, block, dim in placed:
        col = f"{_REVIEW_BLOCK_LABEL[block]} {catalog.DIM_LABELS[dim][0]}"
        if cv.kind in (BLANK, NA):
            st.blank_cells.append(f"{row.own or '表四'} / {col}" + (f" ('{cv.text}')" if cv.text else ""))
            st.blank_keys.add(f"{block}:{dim}")
        elif cv.kind == NUMBER:
            st.add(block, dim, cv.value, _evidence("review_litigation", row, col, st.page))


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


def _own_text(cell) -> str:
    return cell.text if cell.origin and not cell.from_above else ""


def _row_active(st: _State, row: Row, cells):
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


def _rows_of(table: Table):
    for i, cells in enumerate(table.rows):
        page = table.row_pages[i] if table.row_pages else table.page
        yield cells, page


def parse(doc: Document) -> Report:
    report = Report(path=doc.path, sha256=doc.sha256, format=doc.format, title=doc.title, published=doc.published)
    st = _State(report)
    blocks = fold_streams(doc.blocks, lambda t: _heading_section(t)[0])
    for block in blocks:
        if isinstance(block, Paragraph):
            is_heading, section = _heading_section(block.text)
            if is_heading:
                _resolve_orphan(st, ended_by_label=True)
                st.section, st.group, st.pending, st.dims, st.review_head, st.app_head = section, None, [], None, [], []
            continue
        rows = [split_row(cells) for cells in block.rows]
        st.anchor7 = value_anchor(rows, 7)
        st.aligned = block.aligned
        st.table_start = True
        for (cells, page), row in zip(_rows_of(block), rows):
            st.page = page
            if st.orphan is not None and st.section != "applications":
                _resolve_orphan(st, ended_by_label=True)  # a new section closes the last label
            if not row.values and row.texts:
                is_heading, section = _heading_section(" ".join(row.texts))
                if is_heading:
                    _resolve_orphan(st, ended_by_label=True)
                    st.section, st.group, st.pending, st.dims, st.review_head, st.app_head = section, None, [], None, [], []
                    continue
            norm = catalog.normalise_label(" ".join(row.texts))
            if _ACTIVE_ROW.search(norm) and st.section != "active" and not row.values:
                st.section, st.dims = "active", None
            elif _APP_ROW.search(norm) and st.section != "applications":
                st.section, st.group, st.pending, st.app_head = "applications", None, [], []
            elif "行政复议" in norm and "行政诉讼" in norm and not any(v.kind == NUMBER for v in row.values):
                st.section, st.review_head = "review", []
            if st.section == "active":
                _row_active(st, row, cells)
            elif st.section == "applications":
                _row_applications(st, row, cells)
            elif st.section == "review":
                _row_review(st, row, cells)
    _resolve_orphan(st, ended_by_label=True)
    if not any(k.startswith("app.") for k in st.seen):
        for block in doc.paragraphs:
            if read_flattened(block.text, report, st.add):
                norm = catalog.normalise_label(block.text)
                for tpl, markers in catalog.TEMPLATE_MARKERS.items():
                    st.votes[tpl] += sum(1 for mk in markers if mk in norm)
                if any(k.startswith("app.other.") for k in st.seen):
                    st.votes["2021"] += 1
                break
    report.facts = list(st.seen.values())
    if st.blank_cells:
        report.issues.append(Issue("blank_cells", "warning",
                                   f"{len(st.blank_cells)} table cells are blank or marked not applicable; no fact was reported for them",
                                   "; ".join(st.blank_cells[:60]), data={"count": len(st.blank_cells)}))
    v = st.votes
    if v["2019"] or v["2021"]:
        report.template = "2021" if v["2021"] > v["2019"] else "2019" if v["2019"] > v["2021"] else None
        if report.template is None:
            report.issues.append(Issue("template_unclear", "warning",
                                       "the tables carry markers of both the 2019 and the 2021 format"))
    else:
        report.issues.append(Issue("template_unknown", "warning",
                                   "no table header shows which format (2019 or 2021) the report follows"))
    _drop_foreign_dims(report)
    identities.verify(report.facts, st.blank_keys)
    _identify(doc, report)
    read_narrative(doc, report)
    _missing_tables(report)
    _sections(doc, report)
    return report


_SECTION = re.compile(r"^\s*(?P<n>[一二三四五六七八])\s*[、.．]\s*(?P<title>.{0,40})")
_FEES = re.compile(r"处理费|收费|收取.{0,6}费|费用")


def _sections(doc, report: Report):
    """Section 五 (problems and improvements) that says nothing, and a 2021-format report whose section 六
    says nothing about 信息处理费 (the 2021 format asks for it): issues for the office, not errors."""
    heads: list[tuple[int, str, str]] = []
    paras = doc.paragraphs
    for i, p in enumerate(paras):
        m = _SECTION.match(p.text)
        if m and len(p.text) <= 60:
            heads.append((i, m.group("n"), m.group("title")))

    def body(number: str, words: str) -> str | None:
        for k, (i, n, title) in enumerate(heads):
            if n == number and re.search(words, title):
                end = next((j for j, n2, _ in heads[k + 1:] if n2 != number), len(paras))
                return "".join(p.text for p in paras[i + 1:end])
        return None

    five = body("五", r"问题|改进")
    if five is not None and len(re.findall(r"[\u4e00-\u9fff]", five)) < 30:
        report.issues.append(Issue("section_five_empty", "info",
                                   "section 五 (problems and improvements) is empty or says only a few words",
                                   five[:200]))
    if report.template == "2021":
        six = body("六", r"其他|报告")
        text = six if six is not None else "".join(p.text for p in paras)
        if not _FEES.search(text):
            report.issues.append(Issue("fees_not_stated", "info",
                                       "the 2021 format asks section 六 to state the information-processing fees "
                                       "(信息处理费) charged; the report says nothing about them", (six or "")[:200]))


def _drop_foreign_dims(report: Report):
    """Facts whose dim is not in the metric's columns for the report's format are left out."""
    if report.template is None:
        return
    keep = []
    for f in report.facts:
        m = catalog.BY_CODE[f.metric]
        if f.dim is not None and m.dims_by_template and f.dim not in m.dims_for(report.template):
            report.issues.append(Issue("unexpected_column", "warning",
                                       f"{f.key()} is not a column of the {report.template} format; left out",
                                       f.evidence.get("row", "")))
            continue
        keep.append(f)
    report.facts = keep


def _missing_tables(report: Report):
    sections = {catalog.BY_CODE[f.metric].section for f in report.facts}
    names = {"active": "表二 主动公开", "applications": "表三 依申请公开", "review_litigation": "表四 复议诉讼"}
    for s, name in names.items():
        if s not in sections:
            report.issues.append(Issue("table_missing", "warning", f"no value of {name} could be read",
                                       data={"table": name}))


# --- agency and year ----------------------------------------------------------------------------

_YEAR = r"(?P<year>(?:19|20)\d{2}|" + CN_YEAR + ")"
_TAIL = r"\s*年\s*(?:度)?\s*(?:的)?\s*(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
_AGENCY = r"(?P<agency>[\u4e00-\u9fff（）()·\s]{2,60}?)"
_TITLE_A = re.compile(_AGENCY + r"\s*" + _YEAR + _TAIL)
_TITLE_B = re.compile(_YEAR + r"\s*年\s*(?:度)?\s*" + _AGENCY
                      + r"\s*(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)")
_TITLE_C = re.compile(_AGENCY + r"\s*(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)\s*[（(]\s*"
                      + _YEAR + r"\s*年?\s*(?:度)?\s*[)）]")
_PERIOD = re.compile(r"统计(?:期限|时限|期间|时间)[^。]{0,12}?(?:自|为|从)?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_PREFIX = re.compile(r"^(?:标题|题目|title)\s*[:：]\s*", re.I)
_AGENCY_PREFIX = re.compile(r"^(?:关于|当前位置|首页|发布机构|来源)[:：]?")
_BY = re.compile(r"(?:本报告|本年度报告|本年报|本年度年报|报告)(?:是)?由\s*([\u4e00-\u9fff（）()]{4,40}?)(?:办公室|办公厅)?\s*(?:编制|负责编制|根据|依据|按照)")
_ISSUER = re.compile(r"^(?:发布机构|发文机关|来源)\s*[:：]\s*([\u4e00-\u9fff（）()]{4,40})\s*$")


_PUBLISHED = re.compile(r"(?:发布时间|发布日期|时间|日期|成文日期)\s*[:：]\s*((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_BOOK_TITLE = re.compile(r"《[^》]*》?|<[^>]*>")
_OPENING_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年(?:度)?\s*[，,]")
_GENERIC = re.compile(r"关于|^(本|我|全)?(本|我|全)?(单位|机关|部门|局|区|县|市|镇|乡|街道|政府|委|办)?$|政府信息公开|年度报告|公开工作|^现|^根据|^按照|^依据")


def _plausible_agency(a: str) -> bool:
    return 3 <= len(a) <= 40 and not _GENERIC.search(a)


def _clean_agency(a: str) -> str:
    a = re.sub(r"\s+", "", a)
    a = _AGENCY_PREFIX.sub("", a)
    a = re.sub(r"(关于|的)$", "", a)  # 某局关于2021年度政府信息公开工作年度报告
    return a.strip("（）()·")


def _identify(doc: Document, report: Report):
    candidates = []
    if doc.title:
        candidates.append(doc.title)
    first = [p.text.strip() for p in doc.paragraphs[:40]]
    for i, t in enumerate(first):
        candidates.append(t)
        if len(t) <= 40 and i + 1 < len(first):
            candidates.append(t + first[i + 1][:40])  # a title broken over two lines
    for raw in candidates:
        text = _BOOK_TITLE.sub(" ", _PREFIX.sub("", raw.strip()))  # 《…》 names another document
        for rx in (_TITLE_A, _TITLE_B, _TITLE_C):
            m = rx.search(text)
            if not m:
                continue
            y = m.group("year")
            year = int(y) if y.isdigit() else chinese_year(y)
            agency = _clean_agency(m.group("agency"))
            if year and report.year is None:
                report.year = year
            if report.agency is None and _plausible_agency(agency):
                report.agency = agency
            if report.year is not None and report.agency is not None:
                break
        if report.year is not None and report.agency is not None:
            break
    text = doc.text()
    m = _PERIOD.search(text)
    if m:
        period_year = int(m.group(1))
        if report.year is None:
            report.year = period_year
        elif period_year != report.year:
            report.issues.append(Issue("year_mismatch", "warning",
                                       f"the title says {report.year} but the statistical period starts in {period_year}",
                                       m.group(0)))
    if report.year is None:
        paras = [p.text.strip() for p in doc.paragraphs[:80]]
        for i, t in enumerate(paras[:-1]):
            if re.search(r"总体情况$", t) or re.fullmatch(r".{0,6}总体情况.{0,4}", t):
                m = _OPENING_YEAR.match(paras[i + 1])
                if m:
                    report.year = int(m.group(1))
                    report.issues.append(Issue("year_from_text", "info",
                                               f"no title or statistical period; the year {report.year} is the one the 总体情况 section opens with",
                                               paras[i + 1][:80]))
                break
    if report.agency is None:
        for p in doc.paragraphs[:60]:
            m = _BY.search(p.text) or _ISSUER.search(p.text.strip())
            if m:
                report.agency = _clean_agency(m.group(1))
                break
    if report.published is None:
        for p in doc.paragraphs[:30]:
            m = _PUBLISHED.search(p.text)
            if m:
                report.published = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                break
    if report.year is not None and not (2008 <= report.year <= _THIS_YEAR + 1):
        report.issues.append(Issue("year_implausible", "error",
                                   f"the year {report.year} cannot be a report's statistical year (the regulation "
                                   f"took effect in 2008); the report is not placed in any year"))
        report.year = None
    elif report.year is None:
        report.issues.append(Issue("year_unknown", "error", "the statistical year could not be found"))
    if report.agency is None:
        report.issues.append(Issue("agency_unknown", "error", "the issuing agency could not be found"))
