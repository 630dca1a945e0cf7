"""Reports without a text layer, made at test time from the labelled corpus, read by OCR:

- every labelled PDF rasterised by PDFium at 150 and 200 dpi into an image-only PDF (no text at all);
- the same at 150 dpi turned by 0.5–1° and saved as JPEG, as a scanner gives;
- every labelled HTML report with each of its tables replaced by a PNG screenshot of itself (Chromium).

Bars (issue 17): image-only PDFs at least 95% of each report's golden facts, rotated scans 90%, table
screenshots 95%; never a wrong value. Every fact read by OCR says so in its evidence, with its confidence.
OCR is the slow part: each variant is made and read once per session.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.extract import ReadError, extract
from tests.conftest import found_without_wrong, NO_CORPUS, golden_pairs, load_json

PDFS = golden_pairs((".pdf",))
HTMLS = golden_pairs((".html", ".htm"))
BARS = {"150dpi": 0.95, "200dpi": 0.95, "scan": 0.90, "screenshots": 0.95}


def _rasterise(src: Path, out: Path, dpi: int, turn: float = 0.0, jpeg: bool = False) -> Path:
    """An image-only PDF of `src`: each page rendered by PDFium, optionally turned and JPEG-compressed."""
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(str(src))
    pages = []
    try:
        for i in range(len(pdf)):
            img = pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if turn:
                img = img.rotate(turn if i % 2 == 0 else -turn, resample=Image.BICUBIC, expand=False, fillcolor=255)
            if jpeg:
                buf = io.BytesIO()
                img.save(buf, format="JPEG", quality=70)
                img = Image.open(io.BytesIO(buf.getvalue()))
            pages.append(img)
    finally:
        pdf.close()
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=dpi)
    return out


def _screenshots(src: Path, out: Path, chromium: str, borderless: bool = False) -> Path:
    """The page with each of its tables replaced by a PNG screenshot of that table; `borderless`: drawn
    without any ruling line (its border attributes and styles dropped, none drawn), as some pages lay
    their tables out."""
    from lxml import etree
    from PIL import Image, ImageChops

    from pipeline.read.common import decode

    text = decode(src.read_bytes(), src.name, html=True)
    tree = etree.fromstring(text, etree.HTMLParser())
    folder = out / (src.stem + (".borderless" if borderless else ""))
    folder.mkdir()
    leaf = [t for t in tree.iter("table") if t.find(".//table") is None]
    no_lines = "table,tr,td,th{border:none!important}td,th{padding:4px 10px}" if borderless else ""
    for n, table in enumerate(leaf):
        if borderless:
            for e in table.iter():
                for att in ("border", "style", "cellspacing", "bordercolor", "class", "rules", "frame"):
                    e.attrib.pop(att, None)
        page = folder / f"table{n}.html"
        page.write_text('<html><head><meta charset="utf-8"><style>body{margin:20px;background:#fff;'
                        'font-family:"Noto Serif CJK SC","Noto Sans CJK SC",serif;font-size:14px}' + no_lines
                        + '</style></head><body>'
                        + etree.tostring(table, encoding=str, method="html") + "</body></html>", encoding="utf-8")
        png = folder / f"table{n}.png"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={out / 'chromium-profile'}", "--window-size=1100,2600",
                        f"--screenshot={png}", page.as_uri()], check=True, capture_output=True, timeout=120)
        img = Image.open(png).convert("RGB")
        box = ImageChops.difference(img, Image.new("RGB", img.size, "white")).getbbox()
        assert box, f"the screenshot of table {n} of {src.name} is blank"
        img.crop((max(0, box[0] - 10), max(0, box[1] - 10), box[2] + 10, box[3] + 10)).save(png)
        page.unlink()
        img_el = etree.Element("img", src=png.name)
        img_el.tail = table.tail
        table.getparent().replace(table, img_el)
    path = folder / src.name
    path.write_bytes(etree.tostring(tree, encoding="utf-8", method="html"))
    return path


@pytest.fixture(scope="session")
def ocr_reports(tmp_path_factory) -> dict[str, tuple]:
    """name -> (report, expected, bar) for every variant, each made and read once."""
    if not PDFS and not HTMLS:
        pytest.skip(NO_CORPUS)
    out = tmp_path_factory.mktemp("ocr")
    made: dict[str, tuple[Path, Path, float]] = {}
    for src, exp in PDFS:
        made[f"{src.stem}.150dpi"] = (_rasterise(src, out / f"{src.stem}.150dpi.pdf", 150), exp, BARS["150dpi"])
        made[f"{src.stem}.200dpi"] = (_rasterise(src, out / f"{src.stem}.200dpi.pdf", 200), exp, BARS["200dpi"])
        made[f"{src.stem}.scan"] = (_rasterise(src, out / f"{src.stem}.scan.pdf", 150, turn=0.8, jpeg=True), exp,
                                    BARS["scan"])
    chromium = shutil.which("chromium")
    if chromium is None and os.environ.get("CI") == "true":
        pytest.fail("chromium is missing in CI (tests/install_prerequisites.py should have installed it)")
    if chromium:
        for src, exp in HTMLS:
            made[f"{src.stem}.screenshots"] = (_screenshots(src, out, chromium), exp, BARS["screenshots"])
    out_reports = {}
    for name, (path, exp, bar) in made.items():
        try:
            out_reports[name] = (extract(path), exp, bar)
        except ReadError as e:  # failed here, reported by each of the variant's tests
            out_reports[name] = (e, exp, bar)
    return out_reports


CASES = [f"{s.stem}.{v}" for s, _ in PDFS for v in ("150dpi", "200dpi", "scan")] + \
        [f"{s.stem}.screenshots" for s, _ in HTMLS]


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_ocr_reads_the_golden_facts(ocr_reports, name):
    if name not in ocr_reports:
        pytest.skip("chromium is not installed (tests/install_prerequisites.py installs it)")
    report, expected, bar = ocr_reports[name]
    assert not isinstance(report, Exception), f"{name} was not read: {report}"
    want = load_json(expected)
    got = report.values()
    found = found_without_wrong(name, report, want)
    assert found >= bar * len(want["facts"]), \
        f"{name}: {found} of {len(want['facts'])} golden facts; missing {[k for k in want['facts'] if k not in got][:15]}"


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_ocr_facts_carry_their_confidence(ocr_reports, name):
    if name not in ocr_reports:
        pytest.skip("chromium is not installed")
    report = ocr_reports[name][0]
    assert not isinstance(report, Exception), f"{name} was not read: {report}"
    table_facts = [f for f in report.facts if "row" in f.evidence]
    assert table_facts
    unmarked = [f.key() for f in table_facts if f.evidence.get("read_by") != "ocr"]
    assert not unmarked, f"table facts of {name} not marked as read by OCR: {unmarked[:10]}"
    confs = [f.evidence["ocr_confidence"] for f in table_facts]
    assert all(0.0 < c <= 1.0 for c in confs)
    from pipeline.read.ocr import OCR_MIN_CONFIDENCE

    assert min(confs) >= OCR_MIN_CONFIDENCE, "a number under the confidence bar was given"


def _image_pdf(path: Path, pages: int) -> Path:
    from PIL import Image, ImageDraw

    imgs = []
    for _ in range(pages):
        img = Image.new("L", (600, 800), 255)
        ImageDraw.Draw(img).rectangle((50, 50, 550, 300), outline=0, width=2)
        imgs.append(img)
    imgs[0].save(path, save_all=True, append_images=imgs[1:], resolution=72)
    return path


def test_scans_past_the_page_limit_are_refused_naming_it(tmp_path, monkeypatch):
    from pipeline import limits
    from pipeline.read import ReadError, read

    monkeypatch.setenv("NIANBAO_MAX_OCR_PAGES", "2")
    limits.current.cache_clear()
    try:
        with pytest.raises(ReadError, match="NIANBAO_MAX_OCR_PAGES") as e:
            read(_image_pdf(tmp_path / "long-scan.pdf", 3))
        assert "long-scan.pdf" in str(e.value) and "3 pages" in str(e.value)
    finally:
        monkeypatch.delenv("NIANBAO_MAX_OCR_PAGES")
        limits.current.cache_clear()


def test_a_scan_too_long_for_the_time_per_file_fails_naming_its_pages_and_the_rest_goes_on(tmp_path, monkeypatch):
    """A refresh with a small time limit per file: a scan whose pages, at the pace of the first, cannot
    fit in it fails as soon as that is seen, naming its pages and the limit; the other file is loaded. The
    recogniser is slowed to a known pace (the workers are forked, so they have the slow one)."""
    import time

    import duckdb

    from pipeline.limits import Limits
    from pipeline.read import ocr
    from pipeline.refresh.run import refresh
    from tests.fetch.site import DEMO

    def slow(gray, page, where, issues):
        time.sleep(2.5)
        return []

    monkeypatch.setattr(ocr, "read_image", slow)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _image_pdf(inbox / "long-scan.pdf", 20)
    (inbox / "02-2023.txt").write_bytes((DEMO / "02-2023.txt").read_bytes())
    rr = refresh(inbox, tmp_path / "data" / "wh.duckdb", workers=1, limits=Limits(seconds=30))
    (failed,) = rr.files_failed
    assert failed["path"] == "long-scan.pdf"
    assert "20 pages without a text layer" in failed["reason"] and "30 s limit per file (NIANBAO_FILE_TIMEOUT)" in \
        failed["reason"] and "stopped before the limit" in failed["reason"], failed["reason"]
    with duckdb.connect(str(tmp_path / "data" / "wh.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from reports").fetchone()[0] == 1


def test_pictures_are_read_only_beside_the_page(tmp_path, monkeypatch):
    """Only files in the page's folder are read: not another site's address, not a path out of the
    folder, not a data: URI; and never where the page has its tables."""
    from pipeline.read import html as html_reader
    from pipeline.read import read

    (tmp_path / "site").mkdir()
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "site" / "t.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    seen = []
    monkeypatch.setattr("pipeline.read.ocr.ocr_image_bytes", lambda data, name, image, doc: seen.append(image) or [])
    body = "<p>一、总体情况</p>" + "<p>本机关2023年政府信息公开工作年度报告。</p>" * 30
    imgs = ('<img src="http://example.invalid/a.png"><img src="../outside.png"><img src="/etc/passwd">'
            '<img src="data:image/png;base64,AAAA"><img src="t.png">')
    page = tmp_path / "site" / "r.html"
    page.write_text(f"<html><body><div>{body}{imgs}</div></body></html>", encoding="utf-8")
    read(page)
    assert seen == ["t.png"]
    seen.clear()
    page.write_text(f"<html><body><div>{body}<table><tr><td>本年新收政府信息公开申请数量</td><td>3</td></tr></table>"
                    f"{imgs}</div></body></html>", encoding="utf-8")
    read(page)
    assert seen == [], "a page with its tables has its pictures left alone"
    assert html_reader._local_image("t.png", tmp_path / "site") is not None


def _drawn_table(rows: list[list[str]], widths: list[int], height: int = 60):
    """A ruled table drawn at test time in a CJK font, as a grayscale image (numpy)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    font_file = subprocess.run(["fc-match", "Noto Sans CJK SC", "-f", "%{file}"], capture_output=True, text=True).stdout
    if "CJK" not in font_file:
        pytest.skip("no CJK font (tests/install_prerequisites.py installs fonts-noto-cjk)")
    font = ImageFont.truetype(font_file, 26)
    img = Image.new("L", (sum(widths) + 80, height * len(rows) + 80), 255)
    d = ImageDraw.Draw(img)
    y = 40
    for row in rows:
        x = 40
        for text, w in zip(row, widths):
            d.rectangle((x, y, x + w, y + height), outline=0, width=2)
            d.text((x + w / 2, y + height / 2), text, font=font, fill=0, anchor="mm")
            x += w
        y += height
    return np.asarray(img)


ROWS = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "3", "0", "12"],
        ["行政规范性文件", "5", "1", "47"]]


def test_a_drawn_table_becomes_its_grid_with_confidences():
    from pipeline.read.document import Table
    from pipeline.read.ocr import read_image

    issues: list = []
    blocks = read_image(_drawn_table(ROWS, [260, 200, 200, 200]), 1, "drawn.png", issues)
    (table,) = [b for b in blocks if isinstance(b, Table)]
    assert table.texts() == ROWS
    assert all(c.confidence is not None and c.confidence >= 0.9 for row in table.rows for c in row)
    assert not issues


def test_a_number_read_without_confidence_is_left_out_with_an_issue(monkeypatch):
    """The recogniser's confidence for one cell forced low: that cell is blank (no value, never 0), an
    issue names it, the parser reads the rest of its row."""
    from pipeline.read import ocr

    real = ocr.recognise

    def doubtful(crops, **kw):
        return [(t, 0.5) if t == "47" else (t, c) for t, c in real(crops, **kw)]

    report = _read_drawn_table(monkeypatch, doubtful)
    got = report.values()
    assert "active.normative_docs:in_force" not in got
    assert got["active.normative_docs:made"] == 5 and got["active.regulations:in_force"] == 12
    assert any(i.code == "ocr_low_confidence" and "'47'" in i.message and "page 2" in i.where for i in report.issues)
    fact = next(f for f in report.facts if f.key() == "active.regulations:in_force")
    assert fact.evidence["read_by"] == "ocr" and fact.evidence["ocr_confidence"] >= 0.9


def _read_drawn_table(monkeypatch, recognise):
    """表二's first block drawn as a ruled table on page 2 of a document, read by OCR with `recognise` in place
    of the recogniser, parsed and marked."""
    from pipeline.extract.ocr_marks import mark_ocr
    from pipeline.extract.parse import parse
    from pipeline.read import ocr, ocr_cells
    from pipeline.read.document import Document, Paragraph

    monkeypatch.setattr(ocr, "recognise", recognise)  # the text lines outside tables
    monkeypatch.setattr(ocr_cells, "recognise", recognise)  # the cells
    doc = Document(path="drawn.pdf", format="pdf")
    doc.blocks = [Paragraph("某区人民政府2023年政府信息公开工作年度报告"), Paragraph("二、主动公开政府信息情况"),
                  Paragraph("第二十条第（一）项")]
    doc.blocks += ocr.read_image(_drawn_table(ROWS, [260, 200, 200, 200]), 2, "drawn.pdf", doc.issues)
    report = parse(doc)
    mark_ocr(doc, report)
    return report


def test_a_digit_read_as_a_letter_is_left_out_and_its_row_still_read(monkeypatch):
    """A lone 0 read as the letter o (or 6 as b…) is no label: the cell is left out with an issue, and
    the row's label and other values are read as they are (the letter is not taken into the label, which
    would leave the whole row out)."""
    from pipeline.read import ocr

    real = ocr.recognise

    def misread(crops, **kw):
        return [("o", 0.6) if t == "0" else (t, c) for t, c in real(crops, **kw)]

    report = _read_drawn_table(monkeypatch, misread)
    got = report.values()
    assert got["active.regulations:made"] == 3 and got["active.regulations:in_force"] == 12
    assert not [k for k in got if k.startswith("active.regulations:") and got[k] == 0]
    assert got["active.normative_docs:made"] == 5 and got["active.normative_docs:in_force"] == 47
    assert any(i.code == "ocr_low_confidence" and "'o'" in i.message and "page 2" in i.where for i in report.issues)


def _ruled_with_strokes() -> tuple:
    """A ruled table (column lines at known x) above a paragraph whose characters' vertical strokes, long
    enough to pass for ruling lines, stand thick beside one column line: the ink, and the lines' x."""
    import numpy as np

    ink = np.zeros((1200, 900), np.uint8)
    xs, ys = [100, 300, 500, 700], [100, 160, 220]
    for y in ys:
        ink[y - 1:y + 1, xs[0]:xs[-1] + 1] = 255
    for x in xs:
        ink[ys[0]:ys[-1] + 1, x - 1:x + 1] = 255
    for k, x in enumerate(range(490, 540, 3)):  # a paragraph's lines below it, a character's stroke on each
        top = 300 + 45 * k  # near the column line, the strokes a few px apart from line to line
        ink[top:top + 32, x:x + 2] = 255
        ink[top + 14:top + 16, x - 16:x + 18] = 255  # a stroke across it, as 十 has
    return ink, xs, ys


def test_character_strokes_near_a_ruling_line_do_not_move_it():
    """Strokes of characters long enough to pass for lines meet no ruling line (or one): they are not
    taken as lines, so pdfplumber's snapping (which chains values within its tolerance) cannot move the
    table's column line towards them and put that border inside the next cell."""
    from pipeline.read.ocr_geometry import _tables

    ink, xs, ys = _ruled_with_strokes()
    (cells,) = _tables(ink)
    assert len(cells) == 6
    for x0, top, x1, bottom in cells:
        assert min(abs(x0 - x) for x in xs) <= 2 and min(abs(x1 - x) for x in xs) <= 2, (x0, x1)
        assert min(abs(top - y) for y in ys) <= 2 and min(abs(bottom - y) for y in ys) <= 2


def test_an_underline_touching_the_text_is_taken_only_where_the_table_shows_its_lines_apart():
    """At 150 dpi a digit's foot meets its underline; the line is taken off only in a table where three
    cells show it apart (so the document underlines its cells, and the line's thickness is known), and
    only where the rows solid across the text are no thicker than that line (and one row): a 2's base
    resting on the line makes them thicker, and the cell is then read as printed."""
    import numpy as np

    from pipeline.read.ocr import _touching_underline, _underlines

    def zero(img, y0, x0, h=26, w=16):  # a 0: round, so its top and bottom are narrower than its sides
        img[y0 + 3:y0 + h - 3, x0:x0 + 3] = img[y0 + 3:y0 + h - 3, x0 + w - 3:x0 + w] = 255
        img[y0:y0 + 3, x0 + 4:x0 + w - 4] = img[y0 + h - 3:y0 + h, x0 + 4:x0 + w - 4] = 255

    apart = np.zeros((40, 30), np.uint8)
    zero(apart, 2, 6)
    apart[32:34, 4:26] = 255  # two rows of line, apart from the digit
    touching = np.zeros((40, 30), np.uint8)
    zero(touching, 2, 6)
    touching[28:30, 4:26] = 255  # the line right under the 0's foot: one component
    touching[30, 10:14] = 255  # its blurred lower edge
    assert _touching_underline(touching > 0, 2) == 28
    two = np.zeros((40, 30), np.uint8)
    zero(two, 2, 6)
    two[24:28, 6:22] = 255  # a 2's base, four rows, solid across the digit, resting on the line
    two[28:30, 4:26] = 255
    assert _touching_underline(two > 0, 2) is None
    base = np.zeros((40, 30), np.uint8)
    zero(base, 2, 6)
    base[24:28, 6:22] = 255  # the same 2 with no line under it: its base is not taken for one
    assert _touching_underline(base > 0, 2) is None
    dash = np.zeros((40, 30), np.uint8)
    dash[18:20, 4:26] = 255  # a lone dash: nothing above it
    assert _touching_underline(dash > 0, 2) is None
    # the table decides: with fewer than three cells showing the line apart, a touching line is not sought
    assert _underlines([apart, apart, touching]) == [(32, False), (32, False), None]
    assert _underlines([apart, apart, apart, touching, None]) == [(32, False)] * 3 + [(28, True), None]


def test_a_cell_read_without_its_touching_underline_must_agree_with_the_cell_as_printed():
    from pipeline.read.ocr import OCR_MIN_CONFIDENCE, _agreed

    assert _agreed(("0", 0.99), ("0", 0.40)) == ("0", 0.99)  # the same digits: the clean reading
    assert _agreed(("0", 0.99), ("D", 0.30)) == ("0", 0.99)  # the printed reading spoilt by the line
    text, conf = _agreed(("2.5", 0.94), ("25", 0.99))  # a confident printed reading says otherwise
    assert text == "25" and conf < OCR_MIN_CONFIDENCE  # left out by the confidence bar, never 2.5


def test_a_text_line_run_on_from_the_next_cell_is_read_in_the_cell_it_covers():
    """Justified header words reach the border (本 年 新|本 年 新 detected as one line): the part over
    a cell is read in that cell, in reading order; a sliver over a neighbour is not."""
    import numpy as np

    from pipeline.read.ocr import _boxes_in, _reading_order

    ink = np.zeros((200, 400), np.uint8)
    ink[20:40, 10:30] = ink[20:40, 80:100] = ink[20:40, 160:190] = 255  # 本, 年, 新 of the first cell
    ink[20:40, 210:230] = 255  # the next cell's first word
    ink[60:80, 10:120] = 255  # the first cell's second line
    own = [(10, 21, 30, 41), (80, 18, 100, 38), (10, 60, 120, 80)]
    run_on = (160, 19, 240, 41)  # one detected line from 新 over the border to the next cell's 本
    sliver = (195, 20, 260, 40)  # over the border by 5 px only
    cell = (0, 0, 200, 100)
    got = _boxes_in(cell, own + [run_on], ink)
    assert run_on in got and len(got) == 4
    assert _reading_order(got) == [own[0], own[1], run_on, own[2]]  # 本 年 新, then the second line
    assert sliver not in _boxes_in(cell, own + [sliver], ink)


def test_an_underline_apart_from_the_text_is_found_and_a_digits_own_base_is_not():
    import numpy as np

    from pipeline.read.ocr import _underline_top

    def ring(img, y0, x0, h=26, w=16):
        img[y0:y0 + h, x0:x0 + 3] = img[y0:y0 + h, x0 + w - 3:x0 + w] = 255
        img[y0:y0 + 3, x0:x0 + w] = img[y0 + h - 3:y0 + h, x0:x0 + w] = 255

    underlined = np.zeros((40, 30), np.uint8)
    ring(underlined, 2, 6)
    underlined[32:34, 2:28] = 255  # the line, two rows of no ink under the digit
    assert _underline_top(underlined) == 32
    two = np.zeros((40, 30), np.uint8)
    ring(two, 2, 6)
    two[28:31, 6:22] = 255  # a base touching the glyph (a 2's): part of the digit
    assert _underline_top(two) is None
    dash = np.zeros((40, 30), np.uint8)
    dash[18:20, 4:26] = 255  # a lone dash (not applicable): nothing above it
    assert _underline_top(dash) is None
    bars = np.zeros((40, 30), np.uint8)
    bars[8:10, 4:26] = bars[28:30, 4:26] = 255  # 二: two bars, the upper no taller than the lower
    assert _underline_top(bars) is None
