"""pdfplumber's table finder for ruling lines (`page.find_tables` with the "lines" strategies), the same
tables cell for cell, without its quadratic search: pdfplumber finds each cell by testing, for every
intersection of ruling lines, every later intersection in its column against every later one in its row,
and for each pair makes sets of the edges' boxes again (`intersections_to_cells`). Here each
intersection's edge boxes are made once, and the intersections of a column and of a row are looked up
rather than searched for. The edges (merged and snapped as pdfplumber merges them) and the grouping of
cells into tables are pdfplumber's own functions.
"""
from __future__ import annotations

from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables

Box = tuple[float, float, float, float]
Point = tuple[float, float]


def find_tables(page, settings: dict) -> list[Table]:
    """`page.find_tables(settings)` for settings whose strategies are "lines" (or "explicit"): the same
    tables, their cells in the same order."""
    finder = TableFinder.__new__(TableFinder)  # its edges only: the rest is done below
    finder.page = page
    finder.settings = s = TableSettings.resolve(settings)
    if "text" in (s.vertical_strategy, s.horizontal_strategy):
        return page.find_tables(s)
    vs, hs = _intersections(finder.get_edges(), s.intersection_x_tolerance, s.intersection_y_tolerance)
    return [Table(page, group) for group in cells_to_tables(_cells(vs, hs))]


def _intersections(edges: list[dict], x_tol: float, y_tol: float) -> tuple[dict, dict]:
    """pdfplumber's `edges_to_intersections`: for each point where a vertical edge meets a horizontal one
    (within the tolerances), the boxes of the vertical edges and of the horizontal edges through it."""
    v_edges = [e for e in edges if e["orientation"] == "v"]
    h_edges = [(e["top"], e["x0"] - x_tol, e["x1"] + x_tol, (e["x0"], e["top"], e["x1"], e["bottom"]))
               for e in edges if e["orientation"] == "h"]
    vs: dict[Point, set[Box]] = {}
    hs: dict[Point, set[Box]] = {}
    for v in v_edges:
        x, vtop, vbottom = v["x0"], v["top"], v["bottom"]
        vbox = (x, vtop, v["x1"], vbottom)
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
    cells: list[Box] = []
    for pt in points:
        x, y = pt
        col, line = column[x], row[y]
        below = col[col.index(pt) + 1:]
        if not below:
            continue
        pv, ph = vs[pt], hs[pt]
        right = [r for r in line[line.index(pt) + 1:] if not ph.isdisjoint(hs[r])]
        if not right:
            continue
        cell = _smallest(pt, below, right, pv, vs, hs)
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest(pt: Point, below: list[Point], right: list[Point], pv: set, vs: dict, hs: dict) -> Box | None:
    for b in below:
        if pv.isdisjoint(vs[b]):
            continue
        hb = hs[b]
        for r in right:
            corner = (r[0], b[1])
            vc = vs.get(corner)
            if vc is not None and not vc.isdisjoint(vs[r]) and not hs[corner].isdisjoint(hb):
                return (pt[0], pt[1], corner[0], corner[1])
    return None
