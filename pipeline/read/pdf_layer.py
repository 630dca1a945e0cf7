"""The PDF text layer through PDFium: characters with their boxes, ruling lines, rectangles and images of
each page, as the objects pdfplumber makes of pdfminer's layout (same keys, same top-down coordinates), on
a page that pdfplumber's own table finder and word extraction run on unchanged.

pdfminer's layout analysis is pure Python and costs most of a PDF's reading time; PDFium parses the page in
C. The boxes are pdfminer's, not PDFium's: a character's box is its advance (x) by its font size (y) from
the font's descent under the baseline, not the glyph's ink, so words, lines and cells group as they did.
Paths are classified as pdfminer classifies them (one segment: a line; a closed axis-aligned four-sided
subpath: a rectangle; anything else: a curve, its end points kept), every subpath on its own.

A page is left to pdfminer (`None` from `PdfiumPages.page`) where PDFium's reading of it could differ from
pdfminer's in ways the boxes do not repair: characters without a Unicode map (pdfminer writes them
`(cid:N)`, which the reader's refusal of unmapped fonts counts), rotated or vertical text, a rotated page or
one whose media box does not start at the origin, paths inside form XObjects.
"""
from __future__ import annotations

import ctypes
import itertools
import re
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as R
from pdfplumber.page import Page

from pipeline.read.pdf_fonts import SystemFonts
from pipeline.read.pdf_paths import _I, _P, Unsupported, _f, _fast, _font_embedded, _obj_font, graphics

_get_obj = _fast(R.FPDFText_GetTextObject, _P, _P, _I)
# pointers to results passed as addresses (ctypes.addressof): no pointer check per call
_get_origin = _fast(R.FPDFText_GetCharOrigin, _I, _P, _I, _P, _P)
_get_loose = _fast(R.FPDFText_GetLooseCharBox, _I, _P, _I, _P)
_map_error = _fast(R.FPDFText_HasUnicodeMapError, _I, _P, _I)
_is_generated = _fast(R.FPDFText_IsGenerated, _I, _P, _I)
_get_matrix = _fast(R.FPDFText_GetMatrix, _I, _P, _I, ctypes.POINTER(R.FS_MATRIX))
_get_font_size = _fast(R.FPDFText_GetFontSize, ctypes.c_double, _P, _I)
_font_descent = _fast(R.FPDFFont_GetDescent, _I, _P, ctypes.c_float, ctypes.POINTER(ctypes.c_float))
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_glyph_width = _fast(R.FPDFFont_GetGlyphWidth, _I, _P, ctypes.c_uint, ctypes.c_float, ctypes.POINTER(ctypes.c_float))


class LayerPage(Page):
    """A pdfplumber page whose objects come from PDFium: `find_tables`, `filter`, `extract_words`,
    `extract_text_lines` and the rest are pdfplumber's own, run on these objects."""

    def __init__(self, page_number: int, width: float, height: float, objects: dict, initial_doctop: float = 0):
        self.pdf = None
        self.root_page = self
        self.page_obj = None
        self.page_number = page_number
        self.initial_doctop = initial_doctop
        self.rotation = 0
        self.mediabox = self.cropbox = self.bbox = (0, 0, width, height)
        self._objects = objects
        self.get_textmap = lru_cache()(self._get_textmap)

    def close(self) -> None:
        self.get_textmap.cache_clear()

    def text_lines(self, chars: list[dict]) -> list[tuple[float, str]]:
        """(top, text) of each of pdfplumber's text lines of these characters of the page (a subset of its
        characters): `extract_text_lines(y_tolerance=5)` on a page of these characters only."""
        return text_lines(chars)


def text_lines(chars: list[dict], y_tol: float = 5, x_tol: float = 3) -> list[tuple[float, str]]:
    """pdfplumber's `extract_text_lines(return_chars=False, y_tolerance=5)` on a page of these characters,
    as (top, text), without its text map: the characters clustered into lines by their tops, words split at
    blanks and gaps as `WordExtractor` splits them, the words clustered by their tops in their order (a new
    line where the cluster changes), each line its words joined by a space (none after words without text),
    stripped of spaces, its top the lowest top of its characters with text. Upright characters only (all
    of PDFium's pages'); others: pdfplumber's own."""
    if not chars:
        return []
    if any(not c["upright"] for c in chars):
        page = LayerPage(1, 0, 0, {"char": chars})
        return [(ln["top"], ln["text"]) for ln in page.extract_text_lines(return_chars=False, y_tolerance=y_tol)]
    from pipeline.read.pdf_tables import x0_key, clusters, cluster_index, word_text, words as split

    words = [(min(c["top"] for c in w), word_text(w), w)
             for line in clusters(chars, "top", y_tol) for w in split(sorted(line, key=x0_key), x_tol, y_tol)]
    index = cluster_index([w[0] for w in words], y_tol)  # the text map's lines: consecutive words of a cluster
    out = []
    for _, group in itertools.groupby(words, key=lambda w: index[w[0]]):
        text, tops = "", []
        for _, word, cs in group:
            text += (" " if text else "") + word
            tops += [c["top"] for c in cs if c["text"]]
        text = text.strip(" ")
        if text.strip():
            out.append((min(tops), text))
    return out


_system_fonts = SystemFonts()


class _Unproven(Exception):
    """The page's reading with the stand-in font is not shown to be right: a text object in a font the PDF
    does not embed has no character in PDFium's text page, or a character's advance by the PDF's widths
    is not confirmed by where the next character of its text object starts."""


class PdfiumPages:
    """A PDF opened by PDFium, read page by page into `LayerPage`s, with a stand-in for the fonts it does
    not embed (`pdf_fonts.py`) until it is closed. A page where a text object gives no character is read
    again from the document opened with the system's fonts; `with_fonts` counts those pages."""

    def __init__(self, data: bytes):
        _system_fonts.use(False)
        try:
            self.pdf = pdfium.PdfDocument(data)  # raises pdfium.PdfiumError: not readable by PDFium
        except BaseException:
            _system_fonts.use(True)
            raise
        self.data = data
        self._fonts_pdf = None  # the same document opened with the system's fonts, when a page needs them
        self._doctop = 0.0
        self._closed = False
        self.with_fonts = 0
        self._confirmed: set = set()  # (font, character): advances confirmed by the next character (`_chars`)

    def __len__(self) -> int:
        return len(self.pdf)

    def title(self) -> str | None:
        return self.pdf.get_metadata_value("Title") or None

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self.pdf.close()
                if self._fonts_pdf is not None:
                    self._fonts_pdf.close()
            finally:
                _system_fonts.use(True)

    def page(self, index: int) -> tuple[LayerPage | None, str | None]:
        """Page `index` (from 0) as pdfplumber objects, or (None, why) when pdfminer must read it. Call in
        page order (a page's `doctop` counts the heights of the pages before it, as pdfplumber's do)."""
        doctop = self._doctop
        try:
            return self._page(self.pdf, index, True)
        except _Unproven:
            self.with_fonts += 1
            _system_fonts.use(True)
            try:
                if self._fonts_pdf is None:
                    self._fonts_pdf = pdfium.PdfDocument(self.data)
                self._doctop = doctop
                return self._page(self._fonts_pdf, index, False)
            finally:
                _system_fonts.use(False)

    def _page(self, pdf, index: int, check: bool) -> tuple[LayerPage | None, str | None]:
        try:
            page = pdf[index]
        except MemoryError:
            raise
        except Exception as e:  # noqa: BLE001 - PDFium cannot load the page: pdfminer reads it
            return None, f"PDFium cannot load it: {type(e).__name__}"
        try:
            x0, y0, x1, y1 = page.get_mediabox()
            width, height = _f(x1 - x0), _f(y1 - y0)
            doctop = self._doctop
            self._doctop += height
            if (x0, y0) != (0, 0):
                return None, "its media box does not start at the origin"
            if page.get_rotation() % 360:
                return None, "a rotated page"
            objects: dict[str, list] = {"char": [], "line": [], "rect": [], "curve": [], "image": []}
            texts: set = set()
            try:
                graphics(page.raw, height, doctop, index + 1, objects, texts)
                textpage = page.get_textpage()
                try:
                    seen: dict = {}
                    objects["char"] = _chars(textpage.raw, height, doctop, index + 1, seen,
                                             self._confirmed if check else None)
                finally:
                    textpage.close()
            except Unsupported as e:
                return None, str(e)
            except (_Unproven, MemoryError):
                raise
            except Exception as e:  # noqa: BLE001 - whatever PDFium trips on, pdfminer reads the page as before
                return None, f"PDFium failed on it ({type(e).__name__})"
            if check and not texts <= seen.keys():
                raise _Unproven
            return LayerPage(index + 1, width, height, {k: v for k, v in objects.items() if v}, doctop), None
        finally:
            page.close()


def open_layer(data: bytes) -> PdfiumPages | None:
    """The PDF opened by PDFium, or None when PDFium cannot open it (encrypted, corrupt: pdfminer then reads
    it, or says why it cannot)."""
    try:
        return PdfiumPages(data)
    except MemoryError:  # the file's memory limit (the stand-in font is made at the first PDF): said as such
        raise
    except Exception:  # noqa: BLE001 - PDFium cannot open it: pdfminer reads it (or says why not)
        return None


def _advance(font, ch: str, size: float, loose: float) -> float:
    """The advance of `ch` at `size` by the widths of a font the PDF names but does not embed (PDFium maps
    the character back to its code through the font's encoding or CMap); `loose`, PDFium's loose box,
    where it cannot."""
    width = ctypes.c_float()
    if len(ch) == 1 and _glyph_width(font, ord(ch), size, ctypes.byref(width)):
        return width.value
    return loose


def _chars(tp, height: float, doctop: float, pno: int, per_object: dict, confirmed: set | None) -> list[dict]:
    """The page's characters with pdfminer's boxes; PDFium's generated spaces and line breaks left out.
    `per_object` gets the handle of every text object a character comes from.

    A font the PDF does not embed, read with the stand-in font (`confirmed` given): each character's
    advance is the PDF's width of its Unicode (`_advance`). PDFium finds the width through the font's
    code for that Unicode, which may not be the code drawn (two codes of one Unicode: a proportional and
    a half-width 1 of Adobe-GB1), so every advance must be confirmed by where the next character of its
    text object starts, raising `_Unproven` where it is not (the page is then read with the system's
    fonts and PDFium's loose boxes). A character last in its text object must have been confirmed
    elsewhere in the document (`confirmed`, kept by `PdfiumPages`), unless it is a CJK ideograph (no
    character set gives an ideograph two codes of different widths). A space (code 32) is exempt: word
    spacing widens the gap after it.

    Past 60 lines on purpose: the loop over every character is the PDF reader's hot path, kept in one
    function so its PDFium calls and locals are not paid for again per character."""
    n = R.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    raw = (ctypes.c_ushort * (n + 1))()
    got = R.FPDFText_GetText(tp, 0, n, raw)
    text = bytes(raw)[: 2 * max(0, got - 1)].decode("utf-16-le", "surrogatepass")
    if len(text) != n:  # characters beyond the BMP: one per index, not two
        text = "".join(chr(R.FPDFText_GetUnicode(tp, i)) for i in range(n))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    box = R.FS_RECTF()
    m = R.FS_MATRIX()
    shapes: dict = {}
    out = []
    tpi = ctypes.cast(tp, ctypes.c_void_p).value
    pox, poy, pbox, pm = ctypes.addressof(ox), ctypes.addressof(oy), ctypes.addressof(box), ctypes.byref(m)
    desc = ctypes.c_float()
    pdesc = ctypes.byref(desc)
    get_obj, get_origin, get_loose, map_error, is_generated = _get_obj, _get_origin, _get_loose, _map_error, _is_generated
    prev = None  # the last character in a font not embedded: (text object, character, x, advance, a, widths)
    last: list = []  # (font, character) of characters last in their text object
    skip = -1
    for i in range(n):
        ch = text[i]
        if i == skip:  # the low half of a character beyond the BMP, joined to its high half below
            continue
        if "\ud800" <= ch <= "\udfff":  # PDFium gives a character beyond the BMP as two indices, its halves
            if ch <= "\udbff" and i + 1 < n and "\udc00" <= text[i + 1] <= "\udfff":
                ch, skip = (ch + text[i + 1]).encode("utf-16-le", "surrogatepass").decode("utf-16-le"), i + 1
            else:
                ch = "\ufffd"  # a half alone cannot be written (UTF-8 has no surrogates)
        if (ch.isspace() or ch in "\x02\ufffe") and is_generated(tpi, i):
            continue
        if map_error(tpi, i):
            raise Unsupported("a character without a Unicode map")
        key = get_obj(tpi, i)
        get_origin(tpi, i, pox, poy)
        get_loose(tpi, i, pbox)
        info = per_object.get(key)
        if info is None:
            if not _get_matrix(tpi, i, pm):
                raise Unsupported("character matrix")
            if m.b != 0 or m.a <= 0 or m.d <= 0:
                raise Unsupported("rotated or mirrored text")
            size = _get_font_size(tpi, i)
            if abs(ox.value - m.e) > 0.01 or abs(oy.value - m.f) > 0.01:
                # vertical writing: PDFium's origin is the pen position less the font's vertical origin;
                # with the default metrics (half the width across, 880/1000 of the height down: no W2 of
                # its own) that is the lower left corner of pdfminer's box, a square of the font size
                # (pdfminer's `size` for vertical text is the box's width). Other metrics: pdfminer's
                if m.c != 0 or abs(m.e - ox.value - 0.5 * size * m.a) > 0.01 or abs(m.f - oy.value - 0.88 * size * m.d) > 0.01:
                    raise Unsupported("vertical writing with metrics of its own")
                info = per_object[key] = (None, _f(size * m.a), _f(size * m.d))
            else:
                info = None
        if info is None:
            font = _obj_font(key)
            shape = (font, size, m.a, m.c, m.d)
            info = shapes.get(shape)  # per font, size and matrix: most text objects share one
            if info is None:
                if not font or not _font_descent(font, size, pdesc):
                    raise Unsupported("font descent")
                lo = _f(desc.value)
                # pdfminer: the box from the descent to the descent plus the font size in text space, through
                # the character's matrix (a skew, c, widens it). A font the PDF does not embed: each
                # character's advance from the PDF's widths (PDFium's loose box takes it from the font
                # that stands in for it), looked up once per character
                info = shapes[shape] = (_f(m.a), _f(m.c), _f(m.d), lo, lo + _f(size),
                                        None if confirmed is None or _font_embedded(font) else ({}, font, size))
            per_object[key] = info
        ex, ey = ox.value, oy.value
        if prev is not None and (info[0] is None or info[5] is None or prev[0] != key):
            if prev[1] != " " and not _IDEOGRAPH.match(prev[1]):
                last.append((prev[5][1], prev[1]))
            prev = None
        if info[0] is None:  # vertical writing
            x0, x1, y0, y1 = ex, ex + info[1], ey, ey + info[2]
            top = height - y1
            out.append({"object_type": "char", "page_number": pno, "text": ch, "x0": x0, "x1": x1, "y0": y0,
                        "y1": y1, "top": top, "bottom": height - y0, "doctop": doctop + top, "width": x1 - x0,
                        "height": y1 - y0, "size": x1 - x0, "upright": True})
            continue
        a, c, d, lo, hi, widths = info
        if widths is None:
            adv = (box.right - box.left) / a
        else:
            adv = widths[0].get(ch)
            if adv is None:
                adv = widths[0][ch] = _advance(widths[1], ch, widths[2], (box.right - box.left) / a)
            if prev is not None and prev[1] != " ":  # the same text object: its advance is the gap
                if abs((ex - prev[2]) / prev[4] - prev[3]) > 0.01:
                    raise _Unproven
                confirmed.add((prev[5][1], prev[1]))
            prev = (key, ch, ex, adv, a, widths)
        if c:
            xs = (ex + c * lo, ex + c * hi, ex + a * adv + c * lo, ex + a * adv + c * hi)
            x0, x1 = min(xs), max(xs)
        else:
            x0, x1 = ex, ex + a * adv
        y0 = ey + d * lo
        y1 = ey + d * hi
        size_d = y1 - y0
        top = height - y1
        out.append({"object_type": "char", "page_number": pno, "text": ch, "x0": x0, "x1": x1, "y0": y0,
                    "y1": y1, "top": top, "bottom": height - y0, "doctop": doctop + top, "width": x1 - x0,
                    "height": size_d, "size": size_d, "upright": True})
    if prev is not None and prev[1] != " " and not _IDEOGRAPH.match(prev[1]):
        last.append((prev[5][1], prev[1]))
    if last and not confirmed.issuperset(last):
        raise _Unproven
    return out
