"""The geometry of a page image for OCR: its ink, its ruling lines (morphology), the skew that straightens it,
and the ruled tables' cell boxes (the lines joined into cells by pdfplumber's edge-to-cell functions)."""
from __future__ import annotations

import numpy as np


def _ink(gray: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)


def _line_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import cv2

    h, w = ink.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 40), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 60))))
    return horiz, vert


def deskew(gray: np.ndarray) -> np.ndarray:
    """The page turned back by the skew of its long horizontal lines (ruling lines, or text lines when
    it has none); unchanged when the skew is under 0.05° or cannot be told."""
    import cv2

    h, w = gray.shape
    ink = _ink(gray)
    mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 60), 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    angles, weights = [], []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if bw < w // 5 or bh > bw * 0.1:
            continue
        ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == i)
        if len(xs) < 50:
            continue
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append(np.degrees(np.arctan(slope)))
        weights.append(bw)
    if not angles:
        return gray
    angle = float(np.median(angles))
    if abs(angle) < 0.05 or abs(angle) > 5:
        return gray
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def _edges(ink: np.ndarray) -> list[dict]:
    """Ruling lines as pdfplumber edges (pixel coordinates); a frame open at the page's top or bottom
    (a table broken over pages) is closed where its vertical lines end."""
    import cv2

    horiz, vert = _line_masks(ink)
    edges: list[dict] = []
    for mask, orient in ((horiz, "h"), (vert, "v")):
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, _ = stats[i]
            if orient == "h" and bw >= 30:
                yc = y + bh / 2
                edges.append({"x0": float(x), "x1": float(x + bw), "top": yc, "bottom": yc, "width": float(bw),
                              "height": 0.0, "orientation": "h", "object_type": "line"})
            elif orient == "v" and bh >= 20:
                xc = x + bw / 2
                edges.append({"x0": xc, "x1": xc, "top": float(y), "bottom": float(y + bh), "width": 0.0,
                              "height": float(bh), "orientation": "v", "object_type": "line"})
    edges += _frame_closed(edges)
    ruled = _ruling_lines(edges)
    return ruled + [e for e in _frame_closed(ruled) if e not in ruled]


def _frame_closed(edges: list[dict]) -> list[dict]:
    """A horizontal edge where the vertical lines' topmost tops (bottommost bottoms) end together: a frame
    open at the page's top or bottom (a table broken over pages), drawn or not (pdfplumber's merge joins
    the overlap)."""
    verts = [e for e in edges if e["orientation"] == "v"]
    if len(verts) < 2 or not any(e["orientation"] == "h" for e in edges):
        return []
    out = []
    for y in (min(e["top"] for e in verts), max(e["bottom"] for e in verts)):
        at = [e for e in verts if abs(e["top"] - y) < 6 or abs(e["bottom"] - y) < 6]
        if len(at) >= 2:
            x0, x1 = min(e["x0"] for e in at), max(e["x0"] for e in at)
            out.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0,
                        "orientation": "h", "object_type": "line"})
    return out


def _lines_of(edges: list[dict], orient: str, tol: float = 6) -> list[list[dict]]:
    """Segments of one orientation grouped into the lines they are pieces of (collinear within 2 px, gaps
    up to `tol`: a ruling line broken by a faded scan is one line)."""
    along, across, end = ("x0", "top", "bottom") if orient == "v" else ("top", "x0", "x1")
    groups: list[list[dict]] = []
    for e in sorted((e for e in edges if e["orientation"] == orient), key=lambda e: (e[along], e[across])):
        for g in groups:
            if abs(g[0][along] - e[along]) <= 2 and e[across] <= max(x[end] for x in g) + tol:
                g.append(e)
                break
        else:
            groups.append([e])
    return groups


def _ruling_lines(edges: list[dict], tol: float = 6) -> list[dict]:
    """The edges that are a table's ruling lines: a vertical line meets at least two horizontal lines (the
    top and bottom of a cell, or crosses them), a horizontal line at least one such vertical. The strokes
    of characters long enough to pass for lines (a prose paragraph's, a heading's) meet none or one; left
    in, they would be snapped together with a ruling line near them and move it (pdfplumber's snapping
    chains values within its tolerance), putting a column's border inside its neighbour's cell."""
    hs = [e for e in edges if e["orientation"] == "h"]

    def meets(v, h):
        return h["x0"] - tol <= v["x0"] <= h["x1"] + tol and v["top"] - tol <= h["top"] <= v["bottom"] + tol

    verts = [e for line in _lines_of(edges, "v", tol)
             if sum(1 for h in hs if any(meets(v, h) for v in line)) >= 2 for e in line]
    horiz = [e for line in _lines_of(hs, "h", tol) if any(meets(v, h) for h in line for v in verts) for e in line]
    return horiz + verts


def _tables(ink: np.ndarray) -> list[list[tuple[float, float, float, float]]]:
    from pdfplumber.table import (
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )

    edges = merge_edges(_edges(ink), snap_x_tolerance=4, snap_y_tolerance=4, join_x_tolerance=6, join_y_tolerance=6)
    cells = intersections_to_cells(edges_to_intersections(edges, 4, 4))
    return [t for t in cells_to_tables(cells) if len(t) >= 2]


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out
