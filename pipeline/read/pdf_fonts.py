"""A stand-in for the fonts a PDF names but does not embed, while its text layer is read by PDFium.

A PDF that names a font without embedding it (reportlab's STSong-Light, iText's STSongStd-Light, a 宋体
that was not embedded) sends PDFium to the installed fonts. With a CJK font there (Noto CJK: a 20 MB
file of CFF outlines), loading a page and its text page loads the outline of every character to measure
its ink: about 14 ms a page on this machine against 1.5 ms with the stand-in below, and most of a
national year's PDF time (`bench/national.py`'s PDFs name STSong-Light).

The text layer needs none of those outlines: a character's Unicode comes from the PDF's own maps, its
origin from the PDF's widths, its box (`pdf_layer._chars`) from the same widths (each advance confirmed
by where the next character starts), the font size and the descent of the PDF's font descriptor. What
PDFium does need is a box of ink of about the right size for each character: its text page drops a
text object it takes for a copy drawn twice over another (bold faked by overprinting), and with no ink
at all two one-character objects of the same text on one line, two cells holding 0, look alike. So the
stand-in is a font of one glyph, a full-width square from the descent to the ascent, for every
character but the spaces (no ink, as in a real font): cheap to load, and every character has a box
where it stands. It stands in only for CJK fonts (PDFium asks for a GB2312, Big5, Shift-JIS or Hangul
character set); every other font goes to the platform's fonts as before.

`pdf_layer.PdfiumPages` reads a page again with the system's fonts (and PDFium's loose boxes, as before
the stand-in) wherever a text object in a font the PDF does not embed gives no character or an advance
is not confirmed. Read with the stand-in and with the system's fonts, the layer's objects were the same,
object for object and in the same order, over 497 PDFs (the corpus, its LibreOffice and Chromium
variants, the demo, the renderer's and a tenth of the national bench's: 3,567 pages, 17 read again), in
26.0 CPU-seconds against 73.6.

PDFium reads one document at a time in a process (it is not thread-safe), so the switch is
process-wide: the stand-in while a text layer is open, the platform's fonts alone again when it is
closed, so that pages rendered for OCR are drawn with real fonts.
"""
from __future__ import annotations

import ctypes
import io
from functools import lru_cache

import pypdfium2.raw as R

CJK_CHARSETS = {128, 129, 134, 136}  # Shift-JIS, Hangul, GB2312, Big5 (Windows character set numbers)
_HANDLE = 1  # the one font the stand-in has
_NO_INK = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}  # zero-width characters (spaces are found by isspace)


@lru_cache(maxsize=1)
def box_font() -> bytes:
    """A TrueType font whose every character (U+0020 to U+FFFF) is one full-width square, from 120 under
    the baseline to 880 over it (units of 1,000 an em), made with fontTools; spaces and zero-width
    characters have no ink, as in a real font (PDFium leaves a text object of spaces alone out)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    pen = TTGlyphPen(None)
    for point in ((0, -120), (0, 880), (1000, 880), (1000, -120)):
        (pen.lineTo if pen.points else pen.moveTo)(point)
    pen.closePath()
    square = pen.glyph()
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "box", "blank"])
    fb.setupCharacterMap({})
    fb.setupGlyf({".notdef": square, "box": square, "blank": TTGlyphPen(None).glyph()})
    fb.setupHorizontalMetrics({".notdef": (1000, 0), "box": (1000, 0), "blank": (1000, 0)})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "nianbao box", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    many_to_one = CmapSubtable.newSubtable(13)  # format 13: ranges of characters to one glyph
    many_to_one.platformID, many_to_one.platEncID, many_to_one.language = 3, 10, 0
    many_to_one.cmap = {cp: "blank" if chr(cp).isspace() or cp in _NO_INK else "box"
                        for cp in range(0x20, 0x10000) if not 0xD800 <= cp <= 0xDFFF}
    fb.font["cmap"].tables = [many_to_one]
    out = io.BytesIO()
    fb.font.save(out)
    return out.getvalue()


class SystemFonts:
    """PDFium's font lookup: the stand-in for CJK fonts (`use(False)`) or the platform's font folders
    (`use(True)`, as PDFium starts).

    One font info is given to PDFium, once: it asks the platform's default for everything (the list of
    installed fonts, every font that is not a CJK one) and answers a CJK font with the stand-in while
    `on` is False. Giving PDFium a new font info at each switch made it list the installed fonts again
    each time, slower and bigger the longer a worker ran."""

    def __init__(self):
        self.on = True
        self._installed = None  # (our font info, the default's, what must stay alive), once given

    def _install(self):
        data = box_font()
        buffer = ctypes.create_string_buffer(data, len(data))
        name = b"nianbao box\0"
        default = R.FPDF_GetDefaultSystemFontInfo()  # kept for the process: PDFium calls it through ours
        d = default.contents

        def map_font(_this, weight, italic, charset, pitch, face, exact):
            if not self.on and charset in CJK_CHARSETS:
                return _HANDLE
            return d.MapFont(default, weight, italic, charset, pitch, face, exact)

        def font_data(_this, font, table, out, size):
            if font != _HANDLE:
                return d.GetFontData(default, font, table, out, size)
            if table != 0:  # a single table: not asked for by PDFium's loader, which takes the whole file
                return 0
            if out and size >= len(data):
                ctypes.memmove(out, buffer, len(data))
            return len(data)

        def face_name(_this, font, out, size):
            if font != _HANDLE:
                return d.GetFaceName(default, font, out, size)
            if out and size >= len(name):
                ctypes.memmove(out, name, len(name))
            return len(name)

        S = R.FPDF_SYSFONTINFO
        kinds = dict(S._fields_)
        info = S(version=1)
        callbacks = {"Release": lambda _this: None,
                     "EnumFonts": lambda _this, mapper: d.EnumFonts(default, mapper),
                     "MapFont": map_font,
                     "GetFont": lambda _this, face: d.GetFont(default, face),
                     "GetFontData": font_data, "GetFaceName": face_name,
                     "GetFontCharset": lambda _this, font: 134 if font == _HANDLE else d.GetFontCharset(default, font),
                     "DeleteFont": lambda _this, font: None if font == _HANDLE else d.DeleteFont(default, font)}
        keep = {field: kinds[field](fn) for field, fn in callbacks.items()}  # ctypes callbacks kept alive
        for field, fn in keep.items():
            setattr(info, field, fn)
        R.FPDF_SetSystemFontInfo(ctypes.byref(info))
        self._installed = (info, default, keep, buffer)

    def use(self, on: bool) -> None:
        if not on and self._installed is None:
            self._install()
        self.on = on
