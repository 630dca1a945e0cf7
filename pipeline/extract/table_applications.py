"""表三 (收到和处理政府信息公开申请情况): each row by its label, its seven applicant columns by count, by the
header's columns in the document's own grid, or by the column the table's complete rows start in; a
row broken over a page joined; labels wrapped around their values in tables rebuilt from text.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pipeline.spec import catalog, tables
from pipeline.read.cells import BLANK, NA, NUMBER, TEXT, UNREADABLE, CellValue, classify
from pipeline.spec.model import PARSER_VERSION, Fact, Issue, Report, fact_key  # noqa: F401  (re-exported)
from pipeline.extract.rows import ITEM_NUMBER, Row, _APP_HEADER, _GROUPS, _GROUP_OF, _GROUP_START, _State, _evidence, _fill_right, _match, _note_blanks, note_unreadable, _own_lines, at_columns, fit


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
            key = fact_key(metric.code, dim)
            if key in st.seen and carry["metric"] is not None:
                continue  # read already from the first half
            st.add(metric.code, dim, cv.value, _evidence("applications", ev_row, col, st.page))
    return True


_APPLICANT_WORDS = (("natural_person", re.compile(tables.APPLICANT_HEAD[0])), ("commercial", re.compile(r"商业企业|商业")),
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
    """表三 cells placed under their header cells (自然人, 商业企业, … 总计): in the document's own grid for
    every row (the header decides, in whatever order it prints the columns); elsewhere for a row whose
    cells are not seven (a table clipped at the page's edge keeps the columns that are there)."""
    if not st.app_head:
        return None
    # a header printed once over blank cells stands for them in text; in the document's own grid a merged
    # cell already repeats its text, and a blank header cell names no column
    heads = [_fill_right(h) if not st.aligned else [c.text.strip() for c in h] for h in st.app_head]
    out = []
    for pos, cv in zip(row.positions, row.values):
        dim = _dim_at(heads, pos)
        over = {_dim_at(heads, p) for p in range(pos + 1, row.reach.get(pos, pos) + 1)} - {dim, None}
        if over and dim is not None:  # a number merged over two columns the header names apart: neither's
            out += [(d, CellValue(UNREADABLE, cv.text)) for d in [dim, *sorted(over, key=catalog.APPLICANT.index)]]
            continue
        if dim is None:
            if cv.kind == BLANK:
                continue  # a padding cell outside the columns
            return None
        if out and out[-1][0] == dim and st.aligned and (out[-1][1].kind == BLANK or cv.kind == BLANK):
            # one merged header cell over two grid columns, a value under one and an empty cell under the other
            out[-1] = (dim, cv if out[-1][1].kind == BLANK else out[-1][1])
            continue
        out.append((dim, cv))
    dims = [d for d, _ in out]
    if len(set(dims)) != len(dims) or not dims:
        return None
    order = {d: i for i, d in enumerate(catalog.APPLICANT)}
    if not st.aligned and dims != sorted(dims, key=order.get):
        return None  # header words placed by text positions, out of the official order: not understood
    return out  # in the document's own grid the header's cells decide, in whatever order it prints them


def _dim_at(heads: list[list[str]], pos: int) -> str | None:
    """The applicant column the lowest header row naming one says grid column `pos` is."""
    for head in reversed(heads):
        if pos < len(head):
            dim = _applicant_dim(head[pos])
            if dim:
                return dim
    return None


_RANK = {d: i for i, d in enumerate(catalog.APPLICANT)}


def _out_of_order(head) -> bool:
    """A 表三 header row whose column words run out of the format's order (法人或其他组织 before 自然人,
    总计 first, 商业企业 after 其他): the format's order then proves nothing of where a row's cells belong."""
    ranks = []
    for c in head:
        t = catalog.normalise_label(c.text)
        dim = _applicant_dim(c.text.strip())
        rank = _RANK[dim] if dim else (1 if "法人" in t else None)  # the legal persons' group: after 自然人
        if rank is not None and (not ranks or ranks[-1] != rank):
            ranks.append(rank)
    total = _RANK["total"]
    if total in ranks and any("申请人" in c.text or "法人" in c.text for c in head):
        # 申请人情况 总计 自然人 法人或其他组织 商业企业 … / 自然人 法人或其他组织 总计 商业企业 …: the format's header
        # rows run into one line, as a page's text gives them; 总计 spans them, so where it is printed says
        # nothing of its column: the other words' order decides
        rest = [r for r in ranks if r != total]
        return [r for i, r in enumerate(rest) if i == 0 or rest[i - 1] != r] != sorted(set(rest))
    return ranks != sorted(ranks)


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


def _text_row(st: _State, row: Row) -> Row:
    """A row of a table rebuilt from text lines: its label without a group label's pieces, a value glued to its
    label apart, and the row waiting for its label's last lines (st.orphan) closed or given this line."""
    own = _line_label(row.own)
    # (a header's last word, 其他, is no piece of a group label printed down a column)
    if own != row.own and (row.values or not _APP_HEADER.search(catalog.normalise_label(row.label))):
        row = Row(own, row.context, row.values, row.texts, row.positions, row.label_end)
    if any(v.kind == NUMBER for v in row.values):
        row = _unglue(row)
    if st.orphan is not None:
        numbered = bool(ITEM_NUMBER.match(row.own))
        if any(v.kind == NUMBER for v in row.values) or numbered or _APP_HEADER.search(catalog.normalise_label(row.own)):
            _resolve_orphan(st, ended_by_label=numbered)
        elif row.own:
            st.orphan["after"].append(row.own)
    return row


def _row_applications(st: _State, row: Row, cells_grid=None):
    if not st.aligned:
        row = _text_row(st, row)
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
    # header words (申请人, 自然人, …) in a numbered label's first line (1.申请人无正当理由…) make no header
    header = bool(_APP_HEADER.search(norm)) and not ITEM_NUMBER.match(row.own)
    if not row.values or (cells_grid is not None and not any(v.kind == NUMBER for v in row.values) and header):
        if header:
            st.pending = []  # column headers, not a label broken over lines
            if cells_grid is not None:
                st.app_head.append(cells_grid)
                st.app_unofficial = st.app_unofficial or _out_of_order(cells_grid)
        elif row.own and not any(k in catalog.normalise_label(row.own) for k, _ in _GROUPS):
            st.pending.append(row.own)
        elif row.own and not st.aligned:
            # （三）不予公开 1.属于国家秘密 on one line, its numbers on the next: the item's label; a group's label
            # alone (the 2019 format's （六）其他处理 is a row) is a label only where it names a row itself
            st.pending = [_item_after_group(row.own) or row.own]
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


def _item_after_group(own: str) -> str | None:
    """The numbered item a group's label line goes on to name (（三）不予公开 1.属于国家秘密 → 1.属于国家秘密)."""
    text = re.sub(r"\s", "", own)
    for key, _ in _GROUPS:
        at = text.find(key)
        rest = text[at + len(key):] if at >= 0 else ""
        if rest and ITEM_NUMBER.match(rest):
            return rest
    return None


def _same_whatever_the_order(cells: list[CellValue]) -> bool:
    """Every cell the same number (a row of zeros): any order of the columns gives the same facts."""
    return all(c.kind == NUMBER for c in cells) and len({c.value for c in cells}) == 1


def _header_disagrees(st: _State, row: Row, cells: list[CellValue]) -> bool:
    """In a table rebuilt from text, the header's words place a value under another column than the format's
    order does (a 表三 without its 总计 column, whose padding cell the order would take for a blank 自然人)."""
    if st.aligned or not st.app_head:
        return False
    placed = _app_by_header(st, row)
    if placed is None:
        return False  # the header's words place nothing: the format's order stands, as before
    official, by_header = dict(zip(catalog.APPLICANT, cells)), dict(placed)
    # a disagreement that changes a value (both readings of a row of zeros give the same facts)
    return any(official[d].kind != cv.kind or official[d].value != cv.value for d, cv in placed
               if NUMBER in (cv.kind, official[d].kind)) or \
        any(cv.kind == NUMBER for d, cv in official.items() if d not in by_header)


def _add_placed(st: _State, row: Row, m: catalog.Metric, placed: list[tuple[str, CellValue]]) -> None:
    """A row's cells placed by their header cells, some columns perhaps not in the table (said)."""
    got = {d for d, _ in placed}
    lost = [catalog.DIM_LABELS[d][0] for d in catalog.APPLICANT if d not in got]
    if lost:
        st.report.issues.append(Issue("columns_missing", "warning",
                                      f"{m.code}: the columns {'、'.join(lost)} are not in the table (cut off at the "
                                      "page's edge?); the others are read by their headers", row.label))
    for dim, cv in placed:
        col = catalog.DIM_LABELS[dim][0]
        if cv.kind == UNREADABLE:
            note_unreadable(st, row, cv, col)
        if cv.kind in (BLANK, NA):
            st.blank_keys.add(fact_key(m.code, dim))
        if cv.kind == NUMBER:
            st.add(m.code, dim, cv.value, _evidence("applications", row, col, st.page))


def _place_app_row(st: _State, row: Row, m: catalog.Metric):
    """A 表三 row's cells under the seven applicant columns, once its metric is known."""
    if m.code == "app.total":
        st.group = None
    else:  # a group label broken over a page (（六）其 | 他处理) is known from its rows
        st.group = next((name for prefix, name in _GROUP_OF if m.code.startswith(prefix)), st.group)
    cells = fit(row.values, 7)
    placed, by_header = None, False
    if st.aligned:  # in the document's own grid the header's columns decide, whatever their order
        placed = _app_by_header(st, row)
        if placed is not None and {d for d, _ in placed} == set(catalog.APPLICANT):
            cells, placed, by_header = [dict(placed)[d] for d in catalog.APPLICANT], None, True
        elif placed is not None and cells is not None:
            official = dict(zip(catalog.APPLICANT, cells))
            if any(official[d] is not cv for d, cv in placed):
                st.report.issues.append(Issue("row_cells", "warning",
                                              f"{m.code}: the header's columns and the format's column order "
                                              "disagree on where the cells belong; row left out", row.label))
                return
            placed = None  # the header names some columns, each where the format has it
    if cells is not None and _header_disagrees(st, row, cells):
        st.report.issues.append(Issue("row_cells", "warning",
                                      f"{m.code}: the header's columns and the format's column order disagree on "
                                      "where the cells belong (a column the format has is not in the table?); row "
                                      "left out", row.label))
        return
    if cells is None and placed is None and st.anchor7 is not None and not (st.aligned and st.app_head):
        # the column where the table's complete rows start (text split at tabs; a grid without a header)
        cells = at_columns(row, list(range(st.anchor7, st.anchor7 + 7)))
    if cells is None and placed is None and not st.aligned and len(row.values) < 7:
        placed = _app_by_header(st, row)
    if cells is not None and st.app_unofficial and not by_header and not _same_whatever_the_order(cells):
        st.report.issues.append(Issue("row_cells", "warning",
                                      f"{m.code}: the table's header prints the applicant columns out of the format's "
                                      "order, and this row's cells are not under that header (a table continued on "
                                      "another page?); their order proves nothing, row left out", row.label))
        return
    if cells is None:
        if placed is None:
            st.report.issues.append(Issue("row_cells", "warning",
                                          f"{m.code}: {len(row.values)} cells where 7 were expected and no column "
                                          "alignment places them; row left out", row.label))
        else:
            _add_placed(st, row, m, placed)
        return
    cols = [catalog.DIM_LABELS[d][0] for d in catalog.APPLICANT]
    st.carry = {"row": row, "metric": m, "page": st.page}
    _note_blanks(st, row, cells, cols, [fact_key(m.code, d) for d in catalog.APPLICANT])
    for dim, col, cv in zip(catalog.APPLICANT, cols, cells):
        if cv.kind == NUMBER:
            st.add(m.code, dim, cv.value, _evidence("applications", row, col, st.page))
    if m.code.startswith("app.other.") and m.code != "app.other":
        st.votes["2021"] += 1
