"""Issue 18: the stand-in for fonts a PDF does not embed (pipeline/read/pdf_fonts.py) makes PDFium's text
layer cheaper without changing it, and the layer boxes such fonts' characters as pdfminer does.

The PDFs are the project's renderer's (reportlab, with its built-in STSong-Light, which it names and does
not embed, as the national bench's PDFs do)."""
from __future__ import annotations

import io
import random

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pytest

from pipeline.read import pdf_fonts, pdf_layer


def _pdf(seed: int) -> bytes:
    from pipeline.demo.render import Layout, random_facts, render

    rng = random.Random(seed)
    tpl = rng.choice(["2019", "2021"])
    return render(random_facts(rng, tpl), f"某市第{seed}局", 2022 if tpl == "2021" else 2020, tpl, Layout("pdf"),
                  seed=seed)


def _layer(data: bytes) -> tuple[list, int]:
    """Every page's objects through the layer, and how many pages it read again with the system's fonts."""
    layer = pdf_layer.open_layer(data)
    try:
        pages = []
        for i in range(len(layer)):
            page, why = layer.page(i)
            assert page is not None, why
            pages.append(page._objects)
        return pages, layer.with_fonts
    finally:
        layer.close()


def _with_system_fonts(data: bytes, monkeypatch) -> list:
    """The layer as it reads with the system's fonts throughout (the switch made to do nothing)."""
    assert pdf_layer._system_fonts.on  # (a test that left the stand-in on would make this the stand-in's)
    with monkeypatch.context() as m:
        m.setattr(pdf_layer._system_fonts, "use", lambda on: None)
        return _layer(data)[0]


def _loose_boxes(data: bytes, monkeypatch) -> list:
    """Every page as a page read again is read: with the system's fonts and PDFium's loose boxes."""
    with monkeypatch.context() as m:
        m.setattr(pdf_layer._system_fonts, "use", lambda on: None)
        layer = pdf_layer.open_layer(data)
        try:
            return [layer._page(layer.pdf, i, False)[0]._objects for i in range(len(layer))]
        finally:
            layer.close()


def _read_again(got: list, want: list, loose: list) -> int:
    """How many pages are the loose boxes' reading; every other page must be the stand-in's."""
    assert all(g in (w, lo) for g, w, lo in zip(got, want, loose))
    return sum(g != w for g, w in zip(got, want))


def test_the_renderers_pdfs_name_a_cjk_font_they_do_not_embed():
    """What the rest of this file relies on: the characters come from a font the PDF does not embed."""
    pdf = pdfium.PdfDocument(_pdf(0))
    try:
        textpage = pdf[0].get_textpage()
        font = pdfium.raw.FPDFTextObj_GetFont(pdfium.raw.FPDFText_GetTextObject(textpage.raw, 0))
        assert not pdfium.raw.FPDFFont_GetIsEmbedded(font)
    finally:
        pdf.close()


@pytest.mark.parametrize("seed", range(3))
def test_a_font_not_embedded_is_boxed_as_pdfminer_boxes_it(seed):
    """Each character's box is pdfminer's: the advance from the PDF's widths (PDFium's loose box takes it
    from whatever font stands in: 7.665 for a 2 at 15 pt where the PDF's widths give 6.93)."""
    data = _pdf(seed)
    ours, _ = _layer(data)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page, theirs in zip(ours, pdf.pages):
            got = sorted((c["text"], round(c["top"], 2), round(c["x0"], 2), round(c["x1"], 2), round(c["bottom"], 2))
                         for c in page["char"])
            want = sorted((c["text"], round(c["top"], 2), round(c["x0"], 2), round(c["x1"], 2), round(c["bottom"], 2))
                          for c in theirs.chars)
            assert got == want


@pytest.mark.parametrize("seed", range(4))
def test_the_stand_in_reads_what_the_system_fonts_read(seed, monkeypatch):
    """Object for object, in the same order, and without reading any page again."""
    data = _pdf(seed)
    got, again = _layer(data)
    assert again == 0
    assert got == _with_system_fonts(data, monkeypatch)


def test_a_text_object_without_characters_sends_its_page_to_the_system_fonts(monkeypatch):
    """Where PDFium's text page leaves out a text object (with no ink, two one-character objects of one
    text on a line look like a copy drawn twice), the layer sees the object without characters and reads
    that page again with the system's fonts, so the result is still theirs."""
    data = _pdf(1)
    want = _with_system_fonts(data, monkeypatch)
    real = pdf_layer._chars

    def dropping(tp, height, doctop, pno, per_object, confirmed):
        out = real(tp, height, doctop, pno, per_object, confirmed)
        if confirmed is not None and pno == 1:  # the stand-in's reading of page 1 loses an object
            per_object.pop(next(iter(per_object)))
        return out

    monkeypatch.setattr(pdf_layer, "_chars", dropping)
    got, again = _layer(data)
    assert again == 1
    assert _read_again(got, want, _loose_boxes(data, monkeypatch)) == 1
    assert pdf_layer._system_fonts.on


def test_an_advance_its_neighbour_does_not_confirm_sends_its_page_to_the_system_fonts(monkeypatch):
    """The advance by the PDF's widths is looked up by Unicode; where the code drawn has another width (two
    codes of one Unicode), the next character's origin says so, and the page is read with the system's
    fonts."""
    data = _pdf(1)
    want = _with_system_fonts(data, monkeypatch)
    real = pdf_layer._advance
    monkeypatch.setattr(pdf_layer, "_advance", lambda font, ch, size, loose: real(font, ch, size, loose) + (ch == "2"))
    got, again = _layer(data)
    assert again >= 1
    assert _read_again(got, want, _loose_boxes(data, monkeypatch)) == again


def test_an_advance_is_confirmed_across_the_document(monkeypatch):
    """A digit last in its text object (a cell holding 0) takes the advance its other occurrences
    confirmed; one never confirmed sends its page to the system's fonts."""
    data = _pdf(1)
    want = _with_system_fonts(data, monkeypatch)
    got, again = _layer(data)
    assert again == 0 and got == want
    monkeypatch.setattr(pdf_layer, "_IDEOGRAPH", __import__("re").compile(r"(?!)"))  # ideographs must be confirmed too
    got, again = _layer(data)
    assert again >= 1 and _read_again(got, want, _loose_boxes(data, monkeypatch)) == again


def _ink(data: bytes) -> int:
    pdf = pdfium.PdfDocument(data)
    try:
        return int((np.asarray(pdf[0].render(scale=1, grayscale=True).to_pil().convert("L")) < 128).sum())
    finally:
        pdf.close()


def test_pages_are_rendered_with_the_system_fonts_after_a_read():
    """OCR renders pages after the text layer is closed: with the system's fonts, not the stand-in's
    squares."""
    data = _pdf(2)
    before = _ink(data)
    layer = pdf_layer.open_layer(data)
    layer.page(0)
    during = _ink(data)
    layer.close()
    assert pdf_layer._system_fonts.on
    assert _ink(data) == before
    assert during != before  # the stand-in was in use while the layer was open (its squares are ink)


def test_the_stand_in_font_is_one_square_for_every_character():
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(pdf_fonts.box_font()))
    cmap = font.getBestCmap()
    assert {cmap[ord(ch)] for ch in "0１二，國A"} == {"box"}
    assert {cmap[ord(ch)] for ch in " \u3000\u00a0\u200b"} == {"blank"}
    assert font["hmtx"]["box"] == (1000, 0) and font["glyf"]["box"].numberOfContours == 1


def _raw_pdf(text: str) -> bytes:
    """One page showing `text` in STSong-Light (not embedded) coded UniGB-UTF16-H: a character beyond the
    BMP is four bytes, as a surrogate pair."""
    font = (b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H /DescendantFonts "
            b"[<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (GB1) /Supplement 5 >> /DW 1000 /W [1 95 500] /FontDescriptor << /Type /FontDescriptor "
            b"/FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 "
            b"/CapHeight 880 /StemV 80 >> >>] >>")
    content = b"BT /F1 12 Tf 72 700 Td <" + text.encode("utf-16-be").hex().encode() + b"> Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
               b"/Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream", font]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_character_beyond_the_bmp_is_one_character_not_two_halves():
    """PDFium gives 𠀀 (U+20000) as two indices, its UTF-16 halves; a half alone cannot be written as UTF-8
    (the report's JSON, the warehouse), so the layer joins them."""
    pages, _ = _layer(_raw_pdf("申请𠀀件12"))
    text = "".join(c["text"] for c in pages[0]["char"])
    assert "𠀀" in text and not any("\ud800" <= ch <= "\udfff" for ch in text)
    text.encode("utf-8")
