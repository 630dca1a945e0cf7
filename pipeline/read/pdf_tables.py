"""A page's ruled tables: found as pdfplumber's table finder finds them and read as pdfplumber's
`Table.extract` reads them, the same tables and the same text, in a fraction of its time.

`find_tables` is `page.find_tables` for the "lines" strategies. pdfplumber finds each cell by testing, for
every intersection of ruling lines, every later intersection in its column against every later one in its
row, and for each pair makes sets of the edges' boxes again (`intersections_to_cells`); it copies an edge's
dictionary each time it snaps or joins it. Here the edges are tuples, snapped and joined with pdfplumber's
arithmetic, each intersection's edge boxes are made once, a column's and a row's intersections are looked
up rather than searched for, and cells sharing corners are grouped into tables in one pass. `extract_table`
reads the cells' characters once per table, not once per row from the whole page; a number's raised
footnote mark is no part of its cell's text (`_value_text`).
"""
from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from functools import cached_property

from pdfplumber.table import Row, Table, TableSettings
from pdfplumber.utils.text import LIGATURES as _LIGATURES

from pipeline.read.cells import FOOTNOTE_MARK

Box = tuple[float, float, float, float]
Point = tuple[float, float]


def find_tables(page, settings: dict) -> list[Table]:
    """`page.find_tables(settings)` for settings whose strategies are "lines": the same tables, with the same
    rows and cells (their cells listed in another order). Other strategies: pdfplumber's own."""
    s = TableSettings.resolve(settings)
    if (s.vertical_strategy, s.horizontal_strategy) != ("lines", "lines") or s.explicit_vertical_lines \
            or any(isinstance(y, dict) for y in s.explicit_horizontal_lines or []):
        return page.find_tables(s)
    vs, hs = _intersections(_merged_edges(page, s), s.intersection_x_tolerance, s.intersection_y_tolerance)
    return [_Table(page, group) for group in _tables(_cells(vs, hs))]


# an edge: (orientation, x0, top, x1, bottom, width, height), the keys of pdfplumber's edges that its table
# finder reads
Edge = tuple


def page_edges(page) -> list[Edge]:
    """pdfplumber's `page.edges`: the page's lines, then its rectangles' four sides (top, bottom, left,
    right: pdfplumber's `rect_to_edges`, whose bottom side keeps the rectangle's bottom and takes its top plus
    its height for its top), then its curves' segments; made once per page."""
    got = getattr(page, "_edge_tuples", None)
    if got is not None:
        return got
    out: list[Edge] = [("h" if e["top"] == e["bottom"] else "v", e["x0"], e["top"], e["x1"], e["bottom"],
                        e["width"], e["height"]) for e in page.lines]
    for r in page.rects:
        x0, top, x1, bottom, w, h = r["x0"], r["top"], r["x1"], r["bottom"], r["width"], r["height"]
        out += [("h", x0, top, x1, top, w, 0), ("h", x0, top + h, x1, bottom, w, 0),
                ("v", x0, top, x0, bottom, 0, h), ("v", x1, top, x1, bottom, 0, h)]
    for c in page.curves:
        pts = c["pts"]
        for p0, p1 in zip(pts, pts[1:]):
            orientation = "v" if p0[0] == p1[0] else ("h" if p0[1] == p1[1] else None)
            out.append((orientation, min(p0[0], p1[0]), min(p0[1], p1[1]), max(p0[0], p1[0]), max(p0[1], p1[1]),
                        abs(p0[0] - p1[0]), abs(p0[1] - p1[1])))
    page._edge_tuples = out
    return out


def _merged_edges(page, s: TableSettings) -> list[Edge]:
    """pdfplumber's `TableFinder.get_edges` for the "lines" strategies: the page's vertical edges at least
    `edge_min_length_prefilter` high, its horizontal ones as wide and the explicit horizontal lines across
    the page, snapped (each cluster of positions moved to its mean) and joined (edges on one line that touch
    or overlap become one, pdfplumber's arithmetic kept), then those at least `edge_min_length` long."""
    pre = s.edge_min_length_prefilter
    edges = page_edges(page)
    v = [e for e in edges if e[0] == "v" and e[6] >= pre]
    x0, _, x1, _ = page.bbox
    h = [e for e in edges if e[0] == "h" and e[5] >= pre]
    h += [("h", x0, y, x1, y, x1 - x0, 0) for y in s.explicit_horizontal_lines or []]
    if not (s.snap_x_tolerance > 0 or s.snap_y_tolerance > 0):  # pdfplumber snaps only then
        snapped = v + h
    else:
        snapped = _snapped(v, s.snap_x_tolerance, 1) + _snapped(h, s.snap_y_tolerance, 2)
    snapped.sort(key=lambda e: (e[0], e[2] if e[0] == "h" else e[1]))
    out: list[Edge] = []
    for (kind, _), line in itertools.groupby(snapped, key=lambda e: (e[0], e[2] if e[0] == "h" else e[1])):
        out += _joined(list(line), kind, s.join_x_tolerance if kind == "h" else s.join_y_tolerance)
    return [e for e in out if (e[6] if e[0] == "v" else e[5]) >= s.edge_min_length]


def _snapped(edges: list[Edge], tolerance: float, at: int) -> list[Edge]:
    """pdfplumber's `snap_objects`: the edges' positions (x0 of vertical ones, `at` 1; top of horizontal ones,
    2) clustered, each edge moved to its cluster's mean (pdfplumber's `move_object`: both ends by one
    amount), cluster by cluster."""
    index = cluster_index([e[at] for e in edges], tolerance)
    clusters: dict[int, list[Edge]] = {}
    for e in edges:
        clusters.setdefault(index[e[at]], []).append(e)
    out = []
    for k in sorted(clusters):
        cluster = clusters[k]
        avg = sum(e[at] for e in cluster) / len(cluster)
        for e in cluster:
            d = avg - e[at]
            out.append((e[0], e[1] + d, e[2], e[3] + d, e[4], e[5], e[6]) if at == 1
                       else (e[0], e[1], e[2] + d, e[3], e[4] + d, e[5], e[6]))
    return out


def _joined(line: list[Edge], kind: str, tolerance: float) -> list[Edge]:
    """pdfplumber's `join_edge_group`: a line's edges by their start, each one that starts within `tolerance`
    of the end of the one before extending it (pdfplumber's `resize_object`)."""
    lo, hi = (1, 3) if kind == "h" else (2, 4)
    line.sort(key=lambda e: e[lo])
    joined = [line[0]]
    for e in line[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + tolerance:
            if e[hi] > last[hi]:
                joined[-1] = (last[:3] + (e[3], last[4], e[3] - last[1], last[6]) if kind == "h"
                              else last[:4] + (e[4], last[5], last[6] + (e[4] - last[4])))
        else:
            joined.append(e)
    return joined


class _Table(Table):
    """pdfplumber's table, its rows made once (the reader asks for them several times)."""

    @cached_property
    def rows(self):
        return self._get_rows_or_cols(Row)


def _tables(cells: list[Box]) -> list[list[Box]]:
    """pdfplumber's `cells_to_tables`: the cells grouped into tables of cells that share corners (each table
    all the cells reached from its first through shared corners), the tables ordered by their top left cell,
    a table of one cell left out. A table's cells may be listed in another order than pdfplumber's: its
    rows, columns and box are the same (they are sorted or bounded from them, and no two cells share a top
    left corner)."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Point, int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Box]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = sorted(groups.values(), key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def outside_tables(chars: list[dict], bboxes: list) -> list[dict]:
    """The characters whose centre is in none of the boxes (pdf.py's `outside`, in one loop)."""
    out = []
    for c in chars:
        x, y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        for b in bboxes:
            if b[0] <= x <= b[2] and b[1] <= y <= b[3]:
                break
        else:
            out.append(c)
    return out


def _intersections(edges: list[Edge], x_tol: float, y_tol: float) -> tuple[dict, dict]:
    """pdfplumber's `edges_to_intersections`: for each point where a vertical edge meets a horizontal one
    (within the tolerances), the boxes of the vertical edges and of the horizontal edges through it."""
    h_edges = [(e[2], e[1] - x_tol, e[3] + x_tol, e[1:5]) for e in edges if e[0] == "h"]
    vs: dict[Point, set[Box]] = {}
    hs: dict[Point, set[Box]] = {}
    for v in edges:
        if v[0] != "v":
            continue
        x, vtop, vbottom = v[1], v[2], v[4]
        vbox = v[1:5]
        for top, left, right, hbox in h_edges:
            if vtop <= top + y_tol and vbottom >= top - y_tol and left <= x <= right:
                p = (x, top)
                if p in vs:
                    vs[p].add(vbox)
                    hs[p].add(hbox)
                else:
                    vs[p] = {vbox}
                    hs[p] = {hbox}
    return vs, hs


def _cells(vs: dict[Point, set[Box]], hs: dict[Point, set[Box]]) -> list[Box]:
    """pdfplumber's `intersections_to_cells`: from each intersection (in sorted order), the smallest cell
    whose four corners are intersections joined by common edges: the first point below joined to it, then
    the first point to its right joined to it, whose corner below right is joined to both."""
    points = sorted(vs)
    column: dict[float, list[Point]] = {}
    row: dict[float, list[Point]] = {}
    for p in points:  # in sorted order: each column's points top-down, each row's left to right
        column.setdefault(p[0], []).append(p)
        row.setdefault(p[1], []).append(p)
    place = {p: k for line in row.values() for k, p in enumerate(line)}
    cells: list[Box] = []
    for col in column.values():  # the points in sorted order, column by column
        for k, pt in enumerate(col):
            if k + 1 < len(col):
                cell = _smallest(pt, col[k + 1:], row[pt[1]][place[pt] + 1:], vs, hs)
                if cell is not None:
                    cells.append(cell)
    return cells


def _smallest(pt: Point, below: list[Point], right: list[Point], vs: dict, hs: dict) -> Box | None:
    """The first cell from `pt` down to a point `below` and across to a point `right`, each joined to it
    by an edge, whose corner below right is an intersection joined to both (pdfplumber's
    `find_smallest_cell`; the points to the right joined to `pt` found once)."""
    pv, ph = vs[pt], hs[pt]
    joined = None
    for b in below:
        if pv.isdisjoint(vs[b]):
            continue
        if joined is None:
            joined = [r for r in right if not ph.isdisjoint(hs[r])]
        hb = hs[b]
        for r in joined:
            corner = (r[0], b[1])
            vc = vs.get(corner)
            if vc is not None and not vc.isdisjoint(vs[r]) and not hs[corner].isdisjoint(hb):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def cluster_index(values, tolerance: float) -> dict[float, int]:
    """pdfplumber's `make_cluster_dict`: each distinct value's cluster, the values sorted and chained while each
    is within `tolerance` of the one before."""
    index: dict[float, int] = {}
    k, last = 0, None
    for v in sorted(set(values)):
        if last is not None and v > last + tolerance:
            k += 1
        index[v] = k
        last = v
    return index


def clusters(objs: list, key: str, tolerance: float) -> list[list]:
    """pdfplumber's `cluster_objects(objs, itemgetter(key), tolerance)`: the objects grouped by cluster
    (`cluster_index`), in their order."""
    index = cluster_index([o[key] for o in objs], tolerance)
    groups: list[list] = [[] for _ in range(max(index.values(), default=0) + 1)]
    for o in objs:
        groups[index[o[key]]].append(o)
    return groups


def _cell_text(chars: list) -> str:
    """pdfplumber's `utils.extract_text(chars)` with its default settings (x and y tolerance 3, blank
    characters ending words, ligatures expanded, text left to right in lines top to bottom), for upright
    characters: the words of each line, the lines clustered by their words' tops."""
    lo = hi = chars[0]["top"]
    for c in chars:
        if not c["upright"]:
            from pdfplumber.utils import extract_text

            return extract_text(chars)
        top = c["top"]
        if top < lo:
            lo = top
        elif top > hi:
            hi = top
    if hi <= lo + 3:
        # one line (most cells): every top within 3 of the lowest, so that pdfplumber's clusters of the
        # characters and of the words are one each (its chaining tests `top > previous + 3`)
        return " ".join(word_text(w) for w in words(sorted(chars, key=x0_key), 3, 3))
    found = [{"text": word_text(w), "top": min(c["top"] for c in w)}
             for line in clusters(chars, "top", 3) for w in words(sorted(line, key=x0_key), 3, 3)]
    return "\n".join(" ".join(w["text"] for w in line) for line in clusters(found, "top", 3))


def _value_text(chars: list) -> str:
    """A cell's text, a number's raised mark apart: smaller characters set above the baseline after a number
    (18 and a raised 2, which pdfplumber reads 182 or 218) are a footnote's mark, left out, or, when they are
    no mark, kept after a ^ (0^123: no number). Cells of words are pdfplumber's text as they are."""
    big = max(c["size"] for c in chars)
    if all(c["size"] >= 0.85 * big for c in chars):
        return _cell_text(chars)  # one size throughout (most cells): nothing raised
    base = max((c["bottom"] for c in chars if c["size"] > 0.85 * big), default=0)
    # smaller digits or mark characters, raised or wrapped onto a line of their own (1 / 123): not the number's
    raised = [c for c in chars if c["size"] < 0.85 * big and (c["bottom"] < base - 0.2 * big or _MARK_CHAR.match(c["text"]))]
    if not raised or len(raised) == len(chars):
        return _cell_text(chars)
    rest = _cell_text([c for c in chars if not any(c is r for r in raised)])
    if not _PLAIN_NUMBER.match(rest):
        return _cell_text(chars)
    mark = _cell_text(raised).replace("\n", "")
    return rest if FOOTNOTE_MARK.match(mark) else f"{rest}^{mark}"


_MARK_CHAR = re.compile(r"[\d\[\]()（）［］*#†‡※\u2460-\u2473\u2776-\u277f]$")
_PLAIN_NUMBER = re.compile(r"^[-+]?[\d,.\s]+$")


def x0_key(c: dict) -> float:
    return c["x0"]


def word_text(chars: list[dict]) -> str:
    return "".join([_LIGATURES.get(c["text"], c["text"] or "") for c in chars])


def words(line: list[dict], x_tol: float, y_tol: float) -> list[list[dict]]:
    """pdfplumber's `WordExtractor.iter_chars_to_words` on a line's characters sorted left to right (blank
    characters not kept, no punctuation splitting): a new word after a blank, at a gap wider than `x_tol`
    or a top more than `y_tol` away; a character without text a word alone."""
    out: list[list[dict]] = []
    cur: list[dict] = []
    for c in line:
        t = c["text"]
        if t.isspace():
            if cur:
                out.append(cur)
            cur = []
        elif t == "":  # pdfplumber: a character "in" the empty split_at_punctuation string is a word alone
            if cur:
                out.append(cur)
            out.append([c])
            cur = []
        elif cur and (c["x0"] < cur[-1]["x0"] or c["x0"] > cur[-1]["x1"] + x_tol or abs(c["top"] - cur[-1]["top"]) > y_tol):
            out.append(cur)
            cur = [c]
        else:
            cur.append(c)
    if cur:
        out.append(cur)
    return out


def extract_table(table) -> list[list[str | None]]:
    """pdfplumber's `table.extract()`, faster: the characters whose centre lies in the table's box are found
    once (pdfplumber tests every character of the page against every row; a row takes the characters whose
    centre is in its box, which is inside the table's), and each cell's text is `_cell_text`'s."""
    x0, top, x1, bottom = table.bbox
    mids = []  # (vertical centre, place on the page, horizontal centre, character), top down
    for i, c in enumerate(table.page.chars):
        h, v = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if x0 <= h < x1 and top <= v < bottom:
            mids.append((v, i, h, c))
    mids.sort()
    vs = [m[0] for m in mids]
    out = []
    for row in table.rows:
        rx0, rtop, rx1, rbottom = row.bbox
        # the row's characters (centre in its box) in their order on the page, as pdfplumber lists them
        in_row = sorted((m[1], m[2], m[0], m[3]) for m in mids[bisect_left(vs, rtop):bisect_left(vs, rbottom)]
                        if rx0 <= m[2] < rx1)
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            chars = [m[3] for m in in_row if cx0 <= m[1] < cx1 and ctop <= m[2] < cbottom]
            texts.append(_value_text(chars) if chars else "")
        out.append(texts)
    return out
