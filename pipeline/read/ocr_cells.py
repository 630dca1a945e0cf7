"""OCR of a table's cells: each cell's text recognised from its own ink (`_cell_texts`), with the
underline some exports draw under every cell taken off (apart from the text, or touching it where the
table shows its lines apart), and the detector's text lines that run on over a cell border read in each
cell they cover. `ocr.py` builds the tables from these cells."""
from __future__ import annotations

import numpy as np

from pipeline.read.recognise import _crop, recognise

OCR_MIN_CONFIDENCE = 0.9  # a number cell under this is left out (blank) with an issue


def _underline_top(sub: np.ndarray) -> int | None:
    """The first row of a line drawn under a cell's text and apart from it, or None (`_underline`)."""
    found = _underline(sub)
    return None if found is None else found[0]


def _underline(sub: np.ndarray) -> tuple[int, int] | None:
    """(first row, thickness) of a line drawn under a cell's text, in the cell's ink (an underlined value:
    some exports underline every cell), or None. The line is ink of its own (not touching the text: a
    digit's strokes, a 2's base, are part of the digit), flat (at most 6 rows, four times as wide as it is
    tall), at least half as wide as the text, and wholly below it; the text above it is at least twice as tall."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats((sub > 0).astype(np.uint8), connectivity=8)
    parts = [tuple(int(v) for v in stats[i]) for i in range(1, n) if stats[i][4] >= 4]  # x, y, w, h, area
    flat = [p for p in parts if p[3] <= 6 and p[2] >= 4 * p[3]]
    text = [p for p in parts if p not in flat]
    if not flat or not text:
        return None
    bottom = max(p[1] + p[3] for p in text)
    top = min(p[1] for p in text)
    left, right = min(p[0] for p in text), max(p[0] + p[2] for p in text)
    under = [p for p in flat if p[1] >= bottom and p[0] < right and p[0] + p[2] > left]
    if not under or max(p[0] + p[2] for p in under) - min(p[0] for p in under) < 0.5 * (right - left):
        return None
    line = min(p[1] for p in under)
    end = max(p[1] + p[3] for p in under)
    if bottom - top < 2 * (end - line):
        return None
    return line, end - line


def _longest_run(row: np.ndarray) -> tuple[int, int]:
    """(start, length) of the longest run of ink in one row of pixels."""
    xs = np.flatnonzero(row)
    if not len(xs):
        return 0, 0
    cuts = np.flatnonzero(np.diff(xs) > 1)
    starts = np.concatenate(([0], cuts + 1))
    ends = np.concatenate((cuts, [len(xs) - 1]))
    k = int(np.argmax(ends - starts))
    return int(xs[starts[k]]), int(ends[k] - starts[k] + 1)


def _touching_underline(sub: np.ndarray, thickness: int) -> int | None:
    """The first row of an underline that touches the text above it (at 150 dpi a digit's foot meets
    it), in a table whose other cells show their underline apart from the text, which says that the
    document underlines its cells and how thick the line is. The line is the ink's bottom rows (below
    them at most two rows of its blurred edge), at most one row more than that thickness, each a run of
    ink reaching across the whole text above it; the text is at least twice as tall as the line. Where a
    digit's round foot meets the line, that row is not solid across the text and stays the digit's;
    where a base solid across the text rests on the line (a lone 2), the solid rows are thicker than the
    line and nothing is taken. None where the bottom of the ink is not such a line."""
    rows = np.flatnonzero(sub.any(axis=1))
    if not len(rows):
        return None
    bottom = int(rows[-1])
    ys_, xs_ = np.nonzero(sub[:max(0, bottom - thickness - 2)])
    if not len(ys_):
        return None
    left, right = int(xs_.min()), int(xs_.max()) + 1
    band, ragged = [], 0
    for r in range(bottom, max(-1, bottom - thickness - 4), -1):
        start, length = _longest_run(sub[r])
        if start <= left + 1 and start + length >= right - 1:
            band.append(r)
        elif not band and ragged < 2:  # the line's blurred lower edge
            ragged += 1
        else:
            break
    if not band or len(band) > thickness + 1:
        return None
    first = band[-1]
    if first - int(ys_.min()) < 2 * len(band):
        return None
    return first


def _underlines(subs: list) -> list[tuple[int, bool] | None]:
    """Each cell's underline, (its first row in the cell's ink, whether it touches the text), or None. A
    line apart from the text is found in any cell; one touching the text only in a table where at least
    three cells show it apart (the document underlines its cells: the line's thickness is theirs)."""
    found = [None if sub is None else _underline(sub) for sub in subs]
    apart = sorted(f[1] for f in found if f is not None)
    out: list[tuple[int, bool] | None] = [None if f is None else (f[0], False) for f in found]
    if len(apart) >= 3:
        thickness = apart[len(apart) // 2]
        for n, sub in enumerate(subs):
            if out[n] is None and sub is not None:
                first = _touching_underline(sub > 0, thickness)
                out[n] = None if first is None else (first, True)
    return out


def _reading_order(boxes: list) -> list:
    """Text lines in reading order: into lines by their vertical centres (a box half its height or more
    below the line's first box starts the next line), each line left to right."""
    lines: list[list] = []
    for b in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        first = lines[-1][0] if lines else None
        if first is not None and (b[1] + b[3]) / 2 - (first[1] + first[3]) / 2 < 0.5 * (first[3] - first[1]):
            lines[-1].append(b)
        else:
            lines.append([b])
    return [b for line in lines for b in sorted(line, key=lambda b: b[0])]


def _boxes_in(cell, boxes, ink) -> list:
    """The detector's text lines in a cell: those centred in it, and those run on into it from a
    neighbour (justified header words reaching the border: 本 年 新|本 年 新 detected as one line) by at
    least three quarters of the line's height, with ink there, and not over a line already the cell's.
    Each is cropped to the cell by the caller, so a cell only ever reads its own ink."""
    x0, y0, x1, y1 = cell
    mine = [b for b in boxes if x0 <= (b[0] + b[2]) / 2 <= x1 and y0 <= (b[1] + b[3]) / 2 <= y1]
    for b in boxes:
        if b in mine or not y0 <= (b[1] + b[3]) / 2 <= y1:
            continue
        a, z = max(b[0], x0 + 5), min(b[2], x1 - 5)
        if z - a < 0.75 * (b[3] - b[1]) or int((ink[int(b[1]):int(b[3]), int(a):int(z)] > 0).sum()) < 12:
            continue
        if any(m[1] < b[3] and b[1] < m[3] and min(m[2], z) - max(m[0], a) > 0.3 * (z - a) for m in mine):
            continue
        mine.append(b)
    return mine


def _cell_texts(cells, boxes, rgb, ink) -> list[tuple[str, float]]:
    """Each cell's text. A cell holding one line of text (most cells: every value) is recognised from its
    ink alone, cropped inside its borders; a cell whose text runs over several lines from the lines the
    detector found in it, in reading order. An empty cell gives ("", 1.0)."""
    crops: list = []
    owners: list[tuple[int, bool]] = []  # (cell, read as printed: with a touching underline)
    m = 5
    subs = [ink[int(y0) + m:int(y1) - m, int(x0) + m:int(x1) - m] for x0, y0, x1, y1 in cells]
    subs = [sub if sub.size and int((sub > 0).sum()) >= 12 else None for sub in subs]
    lines = _underlines(subs)
    for n, (x0, y0, x1, y1) in enumerate(cells):
        sub = subs[n]
        if sub is None:
            continue
        mine = _boxes_in((x0, y0, x1, y1), boxes, ink)
        if len(mine) > 1:
            for b in _reading_order(mine):
                crops.append(_crop(rgb, (max(b[0], x0 + 2), max(b[1], y0 + 2), min(b[2], x1 - 2), min(b[3], y1 - 2)), pad=3))
                owners.append((n, False))
            continue
        line = lines[n]
        text = sub if line is None else sub[:line[0]]
        ys_, xs_ = np.nonzero(text)
        box = (x0 + m + xs_.min(), y0 + m + ys_.min(), x0 + m + xs_.max() + 1, y0 + m + ys_.max() + 1)
        crop = _crop(rgb, box, pad=4, widen=False)
        if line is not None:  # the text alone: its underline whitened where the crop's margin reaches it
            if line[1]:  # a line touching the text: the cell as printed is read too (`_agreed`)
                ys_, xs_ = np.nonzero(sub)
                whole = (x0 + m + xs_.min(), y0 + m + ys_.min(), x0 + m + xs_.max() + 1, y0 + m + ys_.max() + 1)
                crops.append(_crop(rgb, whole, pad=4, widen=False))
                owners.append((n, True))
            first = int(y0 + m + line[0]) - max(0, int(round(box[1])) - 4)
            if first < crop.shape[0]:
                crop = crop.copy()
                crop[max(0, first):] = 255
        crops.append(crop)
        owners.append((n, False))
    read = recognise(crops, cells=True)
    out: list[list[tuple[str, float]]] = [[] for _ in cells]
    printed: dict[int, tuple[str, float]] = {}
    for (n, as_printed), res in zip(owners, read):
        if as_printed:
            printed[n] = res
        elif res[0].strip():
            out[n].append(res)
    for n, res in printed.items():
        out[n] = [_agreed(out[n][0] if out[n] else ("", 0.0), res)]
    return [(" ".join(t for t, _ in parts), min(c for _, c in parts)) if parts else ("", 1.0) for parts in out]


def _agreed(cut: tuple[str, float], printed: tuple[str, float]) -> tuple[str, float]:
    """A cell read without the underline that touches its text, checked against the cell read as
    printed. Taking the line away could take a digit's base with it where the line was misjudged (a
    serif 25 cut at its foot reads 2.5); so the reading without it stands where both agree, or where the
    printed reading is itself under the confidence bar (the line spoiling it, the common case); where a
    confident printed reading says otherwise the cell is read as the printed, with the lower confidence
    of the two, so that it is left out."""
    if cut[0].replace(" ", "") == printed[0].replace(" ", "") or printed[1] < OCR_MIN_CONFIDENCE:
        return cut
    return printed[0], min(cut[1], printed[1], OCR_MIN_CONFIDENCE / 2)
