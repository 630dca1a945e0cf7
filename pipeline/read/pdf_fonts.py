"""A stand-in for the fonts a PDF names but does not embed, while its text layer is read by PDFium.

A PDF that names a font without embedding it (reportlab's STSong-Light, iText's STSongStd-Light, a 宋体
that was not embedded) sends PDFium to the installed fonts. With a CJK font there (Noto CJK: a 20 MB
file of CFF outlines), loading a page and its text page loads the outline of every character to measure
its ink: about 14 ms a page on this machine against 1.5 ms with the stand-in below, and most of a
national year's PDF time (`bench/national.py`'s PDFs name STSong-Light).

The text layer needs none of those outlines: a character's Unicode comes from the PDF's own maps, its
origin from the PDF's widths, its box (`pdf_layer._chars`) from the same widths, the font size and the
descent of the PDF's font descriptor. What PDFium does need is a box of ink of about the right size
for each character: its text page drops a text object it takes for a copy drawn twice over another
(bold faked by overprinting), and with no ink at all (no font to draw it, no box) two one-character
objects of the same text on one line, two cells holding 0, look alike. So the stand-in is a font of
one glyph, a full-width square from the descent to the ascent, for every character: cheap to load, and
every character has a box where it stands. It stands in only for CJK fonts (PDFium asks for a GB2312,
Big5, Shift-JIS or Hangul character set); other fonts the PDF does not embed get PDFium's own built-in
fonts. `pdf_layer.PdfiumPages` reads a page again with the system's fonts wherever a text object in a font
the PDF does not embed still gives no character. Read with the stand-in and with the system's fonts, the
layer's objects were the same, object for object and in the same order, over 497 PDFs (the corpus, its
LibreOffice and Chromium variants, the demo, the renderer's and a tenth of the national bench's: 3,567
pages, none read again), in 27.0 CPU-seconds against 75.4.

PDFium reads one document at a time in a process (it is not thread-safe), so the switch is
process-wide: the stand-in while a text layer is open, PDFium's own default (the platform's font
folders) again when it is closed, so that pages rendered for OCR are drawn with real fonts.
"""
from __future__ import annotations

import ctypes
import io
from functools import lru_cache

import pypdfium2.raw as R

CJK_CHARSETS = {128, 129, 134, 136}  # Shift-JIS, Hangul, GB2312, Big5 (Windows character set numbers)
_HANDLE = 1  # the one font the stand-in has


@lru_cache(maxsize=1)
def box_font() -> bytes:
    """A TrueType font whose every character (U+0020 to U+FFFF) is one full-width square, from 120 under
    the baseline to 880 over it (units of 1,000 an em), made with fontTools."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    pen = TTGlyphPen(None)
    for point in ((0, -120), (0, 880), (1000, 880), (1000, -120)):
        (pen.lineTo if pen.points else pen.moveTo)(point)
    pen.closePath()
    square = pen.glyph()
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "box"])
    fb.setupCharacterMap({})
    fb.setupGlyf({".notdef": square, "box": square})
    fb.setupHorizontalMetrics({".notdef": (1000, 0), "box": (1000, 0)})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "nianbao box", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    many_to_one = CmapSubtable.newSubtable(13)  # format 13: ranges of characters to one glyph
    many_to_one.platformID, many_to_one.platEncID, many_to_one.language = 3, 10, 0
    many_to_one.cmap = {cp: "box" for cp in range(0x20, 0x10000) if not 0xD800 <= cp <= 0xDFFF}
    fb.font["cmap"].tables = [many_to_one]
    out = io.BytesIO()
    fb.font.save(out)
    return out.getvalue()


class SystemFonts:
    """PDFium's font lookup: the stand-in (`use(False)`) or the platform's font folders (`use(True)`, as
    PDFium starts)."""

    def __init__(self):
        self.on = True
        self._installed = None  # the default font info PDFium was last given (freed once replaced)
        self._stand_in = None
        self._given: list = []  # every stand-in PDFium was given, kept alive: it holds their callbacks

    def _make_stand_in(self):
        data = box_font()
        buffer = ctypes.create_string_buffer(data, len(data))
        name = b"nianbao box\0"

        def map_font(_this, _weight, _italic, charset, _pitch, _face, _exact):
            return _HANDLE if charset in CJK_CHARSETS else None

        def font_data(_this, _font, table, out, size):
            if table != 0:  # a single table: not asked for by PDFium's loader, which takes the whole file
                return 0
            if out and size >= len(data):
                ctypes.memmove(out, buffer, len(data))
            return len(data)

        def face_name(_this, _font, out, size):
            if out and size >= len(name):
                ctypes.memmove(out, name, len(name))
            return len(name)

        S = R.FPDF_SYSFONTINFO
        kinds = dict(S._fields_)
        info = S(version=1)
        callbacks = {"Release": lambda _this: None, "EnumFonts": lambda _this, _mapper: None,
                     "MapFont": map_font, "GetFont": lambda _this, _face: None, "GetFontData": font_data,
                     "GetFaceName": face_name, "GetFontCharset": lambda _this, _font: 134,
                     "DeleteFont": lambda _this, _font: None}
        keep = {field: kinds[field](fn) for field, fn in callbacks.items()}  # ctypes callbacks kept alive
        for field, fn in keep.items():
            setattr(info, field, fn)
        return info, keep, buffer

    def use(self, on: bool) -> None:
        if on == self.on:
            return
        self.on = on
        if on:
            self._installed = R.FPDF_GetDefaultSystemFontInfo()
            R.FPDF_SetSystemFontInfo(self._installed)
        else:
            if self._stand_in is None:
                self._stand_in = self._make_stand_in()
                self._given.append(self._stand_in)
            R.FPDF_SetSystemFontInfo(ctypes.byref(self._stand_in[0]))
            if self._installed is not None:  # replaced (and released) by PDFium: its struct is ours to free
                R.FPDF_FreeDefaultSystemFontInfo(self._installed)
                self._installed = None
