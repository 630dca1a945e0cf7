"""The page's paths, as pdfminer's lines, rectangles and curves, and its images, read from PDFium's page
objects for the text layer (`pdf_layer.py`); the handles of its text objects in fonts the PDF does not
embed, which the layer checks against its text page. Also what the layer's modules share: the PDFium
functions called with plain handles, and `Unsupported`, a page left to pdfminer."""
from __future__ import annotations

import ctypes

import pypdfium2.raw as R

_TEXT, _PATH, _IMAGE, _FORM = R.FPDF_PAGEOBJ_TEXT, R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_IMAGE, R.FPDF_PAGEOBJ_FORM
_MOVE, _LINE, _BEZIER = R.FPDF_SEGMENT_MOVETO, R.FPDF_SEGMENT_LINETO, R.FPDF_SEGMENT_BEZIERTO


class Unsupported(Exception):
    """PDFium's reading of this page is not pdfminer's: the page is read by pdfminer."""


def _f(x: float) -> float:
    """A float32 from PDFium as the decimal the PDF most likely wrote (pdfminer parses the decimal into a
    float64): 74.3 rather than 74.30000305."""
    return round(x, 4)


def _fast(fn, restype, *argtypes):
    """A PDFium function called with plain integers for its handles (no pointer objects made per call)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)


_P, _I = ctypes.c_void_p, ctypes.c_int


_page_count, _page_object = _fast(R.FPDFPage_CountObjects, _I, _P), _fast(R.FPDFPage_GetObject, _P, _P, _I)
_form_count, _form_object = _fast(R.FPDFFormObj_CountObjects, _I, _P), _fast(R.FPDFFormObj_GetObject, _P, _P, ctypes.c_ulong)
_obj_type = _fast(R.FPDFPageObj_GetType, _I, _P)
_draw_mode = _fast(R.FPDFPath_GetDrawMode, _I, _P, _P, _P)
_obj_matrix = _fast(R.FPDFPageObj_GetMatrix, _I, _P, _P)
_seg_count, _segment = _fast(R.FPDFPath_CountSegments, _I, _P), _fast(R.FPDFPath_GetPathSegment, _P, _P, _I)
_seg_point = _fast(R.FPDFPathSegment_GetPoint, _I, _P, _P, _P)
_seg_type, _seg_close = _fast(R.FPDFPathSegment_GetType, _I, _P), _fast(R.FPDFPathSegment_GetClose, _I, _P)
_obj_font = _fast(R.FPDFTextObj_GetFont, _P, _P)
_font_embedded = _fast(R.FPDFFont_GetIsEmbedded, _I, _P)


def graphics(raw_page, height: float, doctop: float, pno: int, out: dict, texts: set) -> None:
    """The page's paths as pdfminer's lines, rectangles and curves, and its images (anywhere); the handles
    of its text objects in fonts the PDF does not embed added to `texts`."""
    matrix = R.FS_MATRIX()
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    px, py = ctypes.c_float(), ctypes.c_float()
    pfill, pstroke, pmatrix, ppx, ppy = (ctypes.addressof(fillmode), ctypes.addressof(stroke), ctypes.addressof(matrix),
                                         ctypes.addressof(px), ctypes.addressof(py))

    def walk(count, get, parent, in_form: bool):
        for i in range(count):
            obj = get(parent, i)
            kind = _obj_type(obj)
            if kind == _TEXT:
                font = _obj_font(obj)
                if font and not _font_embedded(font):  # its characters' boxes depend on the stand-in font
                    texts.add(obj)
            elif kind == _IMAGE:
                out["image"].append({"object_type": "image", "page_number": pno})
            elif kind == _FORM:
                walk(_form_count(obj), _form_object, obj, True)
            elif kind == _PATH:
                if not _draw_mode(obj, pfill, pstroke):
                    raise Unsupported("path draw mode")
                if not fillmode.value and not stroke.value:
                    continue
                if in_form:
                    raise Unsupported("a path inside a form XObject")
                if not _obj_matrix(obj, pmatrix):
                    raise Unsupported("path matrix")
                a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
                plain = a == 1 and b == 0 and c == 0 and d == 1 and e == 0 and f == 0
                segs = []
                for s in range(_seg_count(obj)):
                    seg = _segment(obj, s)
                    _seg_point(seg, ppx, ppy)
                    x, y = px.value, py.value
                    if not plain:
                        x, y = a * x + c * y + e, b * x + d * y + f
                    segs.append((_seg_type(seg), x, y, _seg_close(seg)))
                _paint(segs, height, doctop, pno, out)

    raw = ctypes.cast(raw_page, ctypes.c_void_p).value
    walk(_page_count(raw), _page_object, raw, False)


def _paint(segs: list, height: float, doctop: float, pno: int, out: dict) -> None:
    """pdfminer's `paint_path` on PDFium's segments: each subpath a line, a rectangle or a curve."""
    sub: list = []
    for seg in segs:
        if seg[0] == _MOVE and sub:
            _subpath(sub, height, doctop, pno, out)
            sub = []
        sub.append(seg)
    if sub:
        _subpath(sub, height, doctop, pno, out)


def _subpath(sub: list, height: float, doctop: float, pno: int, out: dict) -> None:
    if sub[0][0] != _MOVE:
        raise Unsupported("a path not starting with a move")
    shape, pts = "m", [(sub[0][1], sub[0][2])]
    closed = sub[0][3]
    k = 1
    while k < len(sub):
        kind = sub[k][0]
        if kind == _LINE:
            shape += "l"
            pts.append((sub[k][1], sub[k][2]))
            closed = sub[k][3]
            k += 1
        elif kind == _BEZIER and k + 2 < len(sub) + 0 and all(s[0] == _BEZIER for s in sub[k:k + 3]):
            shape += "c"
            pts.append((sub[k + 2][1], sub[k + 2][2]))
            closed = sub[k + 2][3]
            k += 3
        else:
            raise Unsupported("an unexpected path segment")
    if closed:  # pdfminer's h: back to the start
        shape += "h"
        pts.append(pts[0])
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    pts = [(round(x, 4), round(y, 4)) for x, y in pts]  # as the PDF wrote them (PDFium's are float32)
    top_down = [(x, height - y) for x, y in pts]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    base = {"page_number": pno}
    if shape in ("mlh", "ml"):
        (x0, y0), (x1, y1) = pts[0], pts[1]
        kind, box = "line", (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        top_down = top_down[:2]
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            kind, box = "rect", (min(x0, x2), min(y0, y2), max(x0, x2), max(y0, y2))
        else:
            kind, box = "curve", (min(xs), min(ys), max(xs), max(ys))
    else:
        kind, box = "curve", (min(xs), min(ys), max(xs), max(ys))
    x0, y0, x1, y1 = box
    top = height - y1
    base.update({"object_type": kind, "x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0,
                 "height": y1 - y0, "top": top, "bottom": height - y0, "doctop": doctop + top, "pts": top_down})
    out[kind].append(base)
