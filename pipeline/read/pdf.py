"""PDF reports with a text layer: tables from the ruling lines and word positions, prose from the words
outside the tables, both in reading order page by page. Each page's characters, lines and rectangles come
from PDFium's text layer (`pdf_layer.py`, as pdfminer would give them) and pdfplumber's table finder and
word grouping run on them; pdfminer (through pdfplumber) reads a page only where PDFium cannot read it as
pdfminer would, and the report's issues say so.

A table's grid comes from pdfplumber's cell boxes: a position left empty by pdfplumber is covered by
a merged cell, to its left (colspan) or above (rowspan), which the boxes tell apart. A table that
continues on the next page becomes a second table; the parser carries the section across. Words in
a table's box (a page number printed inside it, say) stay out of the prose. A page without text but
with an image (a scan) is read by OCR (`ocr.py`); a PDF without usable text otherwise (CJK fonts without
a Unicode map that come out as (cid:123) and that PDFium cannot map either, blank pages) is refused.
"""
from __future__ import annotations

import io
import logging
import re

from pipeline.read.common import ReadError
from pipeline.read.document import Cell, Document, Paragraph, Table
from pipeline.read.pdf_borderless import _ANCHORS, lines_by_header  # noqa: F401  (_ANCHORS: the header words)
from pipeline.read.pdf_breaks import join_broken_rows, open_edges
from pipeline.read.pdf_tables import extract_table, find_tables, outside_tables

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CID = re.compile(r"\(cid:\d+\)")
_PARA_START = re.compile(r"^\s*([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\(?\d+[.、)）]|第[一二三四五六七八九十]+[条章])")
_SENTENCE_END = ("。", "！", "？", "；", "：", ":")
_PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*\d{1,3}\s*[-—–]?\s*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")
# inside a table cell a bare number is a value: only a page number written with its dashes is dropped
_CELL_PAGE_NUMBER = re.compile(r"^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")


def _grid(table) -> list[list[Cell]]:
    """Rows of Cells from a pdfplumber table, merged cells told apart by their boxes."""
    texts = extract_table(table) if LAYER == "pdfium" else table.extract()
    boxes = [row.cells for row in table.rows]
    n_rows = len(texts)
    n_cols = max((len(r) for r in texts), default=0)
    col_x0 = [min((b[c][0] for b in boxes if c < len(b) and b[c]), default=None) for c in range(n_cols)]
    row_top = [row.bbox[1] for row in table.rows]
    grid: list[list[Cell]] = []
    for r in range(n_rows):
        out: list[Cell] = []
        for c in range(n_cols):
            box = boxes[r][c] if c < len(boxes[r]) else None
            if box is not None:
                text = texts[r][c] if c < len(texts[r]) else ""
                out.append(Cell(_clean(text), origin=True))
                continue
            # covered: by the cell to the left when that cell's box reaches this column
            left = next((k for k in range(c - 1, -1, -1) if boxes[r][k] is not None), None)
            if left is not None and col_x0[c] is not None and boxes[r][left][2] > col_x0[c] + 1:
                out.append(Cell(out[left].text, origin=False))
                continue
            up = next((k for k in range(r - 1, -1, -1) if c < len(boxes[k]) and boxes[k][c] is not None), None)
            if up is not None and boxes[up][c][3] > row_top[r] + 1:
                out.append(Cell(grid[up][c].text, origin=False, from_above=True))
                continue
            out.append(Cell("", origin=False))
        grid.append(out)
    return grid


_ROW_LIKE = re.compile(r"\S\s+[-+]?\d[\d,.]*\s+[-+]?\d[\d,.]*(\s|$)")


def _join_prose(items: list, page: int) -> list:
    """Consecutive one-line paragraphs joined into paragraphs (sentences run over PDF lines)."""
    out: list = []
    run: list[str] = []
    for key, block in items:
        if isinstance(block, Paragraph):
            run.append(block.text)
            continue
        if run:
            out += [(len(out), Paragraph(p, page=page)) for p in _paragraphs(run)]
            run = []
        out.append((len(out), block))
    if run:
        out += [(len(out), Paragraph(p, page=page)) for p in _paragraphs(run)]
    return out


# a group's name over a table of its own (表四 printed as two tables, 行政复议 and 行政诉讼): the header's top
_GROUP_HEAD = re.compile(r"^\s*行\s*政\s*(?:复\s*议|诉\s*讼)\s*$")


def _split_prose(grid: list[list[Cell]], page: int) -> list:
    """Rows that are one cell across the whole width and read as running text (a page frame drawn
    around the prose, a caption) become paragraphs; the rest stays a table."""
    out: list = []
    rows: list[list[Cell]] = []
    prose: list[str] = []

    def flush_rows():
        if rows:
            out.append(Table(list(rows), page=page, row_pages=[page] * len(rows)))
            rows.clear()

    def flush_prose():
        if prose:
            out.extend(Paragraph(p, page=page) for p in _paragraphs(list(prose)))
            prose.clear()

    for k, row in enumerate(grid):
        origins = [c for c in row if c.origin]
        if len(origins) == 1 and row[0].origin and all(not c.origin for c in row[1:]) and row[0].text \
                and not any(c.from_above for c in row) and not (k == 0 and len(grid) > 1 and _GROUP_HEAD.match(row[0].text)):
            flush_rows()
            prose.append(row[0].text)
        else:
            flush_prose()
            rows.append(row)
    flush_prose()
    flush_rows()
    return out


_END_NUMBER = re.compile(r"^([^\d]*[\u4e00-\u9fff][^\d]*?)\s+(\d{1,2}\s*[.．、])$")
_MID_NUMBER = re.compile(r"^([^\d]+?)\s+(\d{1,2}\s*[.．、])\s*(\S.*)$")


_NUMBER_PIECE = re.compile(r"^[\d,，.]+$")
_NUMBER_END = re.compile(r"^[\d,，.]+[件条个项次人篇份场家元万亿]*$")


def _clean(text: str | None) -> str:
    if not text:
        return ""
    lines = [line.strip() for line in text.split("\n") if line.strip() and not _CELL_PAGE_NUMBER.match(line)]
    if len(lines) > 1 and all(_NUMBER_PIECE.match(line) for line in lines[:-1]) and _NUMBER_END.match(lines[-1]):
        return "".join(lines)  # a number wrapped in a narrow cell (10, / 83 / 0.7 / 32): one number, as printed
    joined = " ".join(lines)
    # a row number centred beside a label broken over lines lands between its lines
    # (属于三类内部事 5. 务信息): it belongs in front
    m = _MID_NUMBER.match(joined)
    if m and not re.search(r"\d", m.group(3)):
        joined = f"{m.group(2)} {m.group(1)} {m.group(3)}"
    else:
        m = _END_NUMBER.match(joined)
        if m:
            joined = f"{m.group(2)} {m.group(1)}"
    return joined


def _paragraphs(lines: list[str]) -> list[str]:
    """Join the lines of running text into paragraphs (a PDF breaks lines anywhere)."""
    if not lines:
        return []
    full = max(len(line) for line in lines)
    out: list[str] = []
    buf = ""
    for line in lines:
        if buf and _PARA_START.match(line):
            out.append(buf)
            buf = ""
        buf += line
        if line.endswith(_SENTENCE_END) or len(line) < 0.7 * full:
            out.append(buf)
            buf = ""
    if buf:
        out.append(buf)
    return out


def _pdfium_text(data: bytes, name: str) -> Document | None:
    """The PDF's text through PDFium, page by page, as lines: tables come back from their text lines
    (as for PDFs without ruling lines, cells that cannot be placed are left out)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a dependency of pdfplumber
        return None
    from pipeline.read.txt import blocks_from_lines

    doc = Document(path=name, format="pdf")
    cjk = 0
    try:
        pdf = pdfium.PdfDocument(data)
        try:
            for pno in range(len(pdf)):
                text = pdf[pno].get_textpage().get_text_range()
                lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
                lines = [ln for ln in lines if ln and not _PAGE_NUMBER.match(ln)]
                cjk += sum(len(_CJK.findall(ln)) for ln in lines)
                doc.blocks.extend(b for _, b in _join_prose(list(enumerate(blocks_from_lines(lines, page=pno + 1))), pno + 1))
        finally:
            pdf.close()
    except MemoryError:  # the file's memory limit: said as such by the caller
        raise
    except Exception:  # noqa: BLE001 - whatever PDFium fails on, the caller refuses the file
        return None
    if cjk < 20:
        return None
    return doc


# "pdfium": pages read through PDFium's text layer (pdf_layer.py), pdfminer only where PDFium cannot read
# a page; "pdfminer": every page through pdfminer, as before the text layer (kept to compare the two)
LAYER = "pdfium"


def _open_pdfplumber(data: bytes, name: str):
    """The PDF opened by pdfplumber (pdfminer), or the ReadError saying why it cannot be."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 - the page tree parsed now, so that its errors are the file's
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReadError(name, "the PDF is encrypted (password-protected); save an unprotected copy") from None
    except PDFSyntaxError:
        raise ReadError(name, "a corrupt PDF (its structure cannot be parsed)") from None
    except Exception as e:  # noqa: BLE001 - pdfplumber wraps pdfminer's errors in its own
        inner = e.args[0] if e.args and isinstance(e.args[0], Exception) else e  # pdfplumber wraps pdfminer's errors
        if isinstance(inner, MemoryError):  # the file's memory limit, not a corrupt file
            raise inner from None
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in repr(inner).lower():
            raise ReadError(name, "the PDF is encrypted (password-protected); save an unprotected copy") from None
        raise ReadError(name, f"a corrupt PDF ({type(inner).__name__})") from None
    return pdf


class _Source:
    """The PDF's pages, each read through PDFium's text layer (`pdf_layer.py`) where PDFium reads it, and
    through pdfplumber (pdfminer) otherwise: a page PDFium cannot read, or every page when PDFium cannot open
    the file or `LAYER` is "pdfminer". pdfminer opens the file only when it reads a page; the report's
    issues say which pages it read and why."""

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name
        self.layer = None
        self.plumber = None
        if LAYER == "pdfium":
            from pipeline.read.pdf_layer import open_layer

            self.layer = open_layer(data)
        if self.layer is None:
            self.plumber = _open_pdfplumber(data, name)
        self.count = len(self.layer) if self.layer is not None else len(self.plumber.pages)
        self.left: list[str] = []

    def title(self) -> str | None:
        if self.layer is not None:
            meta_title = self.layer.title()
        else:
            meta_title = (self.plumber.metadata or {}).get("Title")
            if isinstance(meta_title, str) and meta_title[:2] in ("\xfe\xff", "\xff\xfe"):
                # UTF-16 (little-endian) that pdfminer decoded as PDFDocEncoding: its bytes back
                from pdfminer.utils import PDFDocEncoding

                back: dict[str, int] = {}
                for i, ch in enumerate(PDFDocEncoding):
                    back.setdefault(ch, i)
                meta_title = bytes(back.get(ch, 0x3F) for ch in meta_title)
            if isinstance(meta_title, bytes):
                meta_title = meta_title.decode("utf-16" if meta_title[:2] in (b"\xfe\xff", b"\xff\xfe") else "utf-8",
                                               "ignore")
        return str(meta_title).strip() if meta_title and str(meta_title).strip() else None

    def pages(self):
        """(page number, page) of every page, in order."""
        for pno in range(1, self.count + 1):
            fast, why = self.layer.page(pno - 1) if self.layer is not None else (None, None)
            if fast is not None:
                yield pno, fast
                fast.close()
                continue
            if why:
                self.left.append(f"{pno} ({why})")
            if self.plumber is None:
                self.plumber = _open_pdfplumber(self.data, self.name)
                if len(self.plumber.pages) != self.count:
                    raise ReadError(self.name, "a corrupt PDF (PDFium and pdfminer count different pages)")
            page = self.plumber.pages[pno - 1]
            yield pno, page
            page.flush_cache()

    def close(self, doc: Document) -> None:
        if self.layer is not None:
            self.layer.close()
        if self.plumber is not None:
            self.plumber.close()
        if LAYER == "pdfium" and (self.layer is None or self.left):
            where = "every page (PDFium cannot open the file)" if self.layer is None else "page " + ", ".join(self.left)
            doc.issues.append(("pdf_read_by_pdfminer", "info", f"read by pdfminer, not PDFium's text layer: {where}",
                               self.name))


def _prose_lines(page, bboxes: list) -> list[tuple[float, str]]:
    """(top, text) of the page's text lines outside the tables' boxes."""
    def outside(obj, bboxes=bboxes):
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in bboxes)

    # y tolerance 5: Latin digits set in another font sit 3–4 pt off the CJK baseline (Chromium)
    if hasattr(page, "text_lines"):  # PDFium's page: the lines of the characters outside the tables
        return page.text_lines(outside_tables(page.chars, bboxes) if bboxes else page.chars)
    prose = page.filter(outside) if bboxes else page
    return [(ln["top"], ln["text"]) for ln in prose.extract_text_lines(return_chars=False, y_tolerance=5)]


def _read_page(page, pno: int, doc: Document) -> tuple[int, int]:
    """One page with a text layer into `doc`'s blocks: its ruled tables and the prose between them in
    reading order, or, without ruling lines, its lines read as a text file's. Returns the CJK characters and
    the unmapped (cid:NNN) characters seen, which decide whether the text layer is usable."""
    cjk = cid = 0
    found = find_tables(page, {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                               "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3,
                               "explicit_horizontal_lines": open_edges(page), "text_y_tolerance": 5})
    found = [t for t in found if t.rows]
    bboxes = [t.bbox for t in found]
    items: list[tuple[float, object]] = []
    lines = []
    for top, text in _prose_lines(page, bboxes):
        text = text.strip()
        if not text or _PAGE_NUMBER.match(text):
            continue
        cjk += len(_CJK.findall(text))
        cid += len(_CID.findall(text))
        lines.append((top, text))
    if not bboxes and any(_ROW_LIKE.search(t) for _, t in lines):
        # a table without ruling lines: read the page's lines as a text file's (label, then
        # cells separated by spaces); cells that cannot be placed are left out by the parser
        from pipeline.read.txt import blocks_from_lines

        placed = lines_by_header(page)
        for k, block in enumerate(blocks_from_lines(placed or [t for _, t in lines], page=pno)):
            items.append((k, block))
        items = _join_prose(items, pno)
        doc.blocks.extend(b for _, b in items)
        return cjk, cid
    # prose between tables: group lines by the table they come before
    cuts = sorted(b[1] for b in bboxes)
    groups: dict[int, list[str]] = {}
    for top, text in lines:
        k = sum(1 for c in cuts if c < top)
        groups.setdefault(k, []).append(text)
    for k, group in groups.items():
        anchor = cuts[k - 1] + 0.5 if k else -1.0
        for para in _paragraphs(group):
            items.append((anchor, Paragraph(para, page=pno)))
    for t in found:
        grid = _grid(t)
        for row in grid:
            for c in row:
                cjk += len(_CJK.findall(c.text))
                cid += len(_CID.findall(c.text))
        for k, block in enumerate(_split_prose(grid, pno)):
            items.append((t.bbox[1] + k * 1e-3, block))
    items.sort(key=lambda it: it[0])
    doc.blocks.extend(b for _, b in items)
    return cjk, cid


def _read_scanned(data: bytes, name: str, scanned: list[tuple[int, int]], doc: Document) -> int:
    """The pages without text (`scanned`: their place in the blocks and their number) read by OCR and put
    in their places; returns the CJK characters OCR found."""
    from pipeline.read.ocr import ocr_pdf_pages

    read = ocr_pdf_pages(data, name, [p for _, p in scanned], doc)
    for at, pno in reversed(scanned):
        doc.blocks[at:at] = read[pno]
    cjk = sum(len(_CJK.findall(b.text)) for blocks in read.values() for b in blocks if isinstance(b, Paragraph))
    return cjk + sum(len(_CJK.findall(c.text)) for blocks in read.values() for b in blocks if isinstance(b, Table)
                     for row in b.rows for c in row)


def read_pdf(data: bytes, name: str) -> Document:
    for logger in ("pdfminer", "pdfplumber", "pypdfium2"):  # FontBBox and similar warnings: not the user's concern
        logging.getLogger(logger).setLevel(logging.ERROR)
    from pipeline import limits

    lim = limits.current()  # before the source is open: nothing may raise between its opening and its try
    source = _Source(data, name)
    if source.count > lim.pdf_pages:
        source.close(Document(path=name, format="pdf"))
        raise ReadError(name, f"has {source.count} pages; the limit is {lim.pdf_pages} (NIANBAO_MAX_PDF_PAGES): not a report")
    doc = Document(path=name, format="pdf")
    try:
        doc.title = source.title()
        cjk = cid = 0
        scanned: list[tuple[int, int]] = []  # (position in the blocks, page number) of pages without text
        for pno, page in source.pages():
            if len(page.chars) < 10 and page.images:  # a scanned page: read by OCR below
                scanned.append((len(doc.blocks), pno))
                continue
            page_cjk, page_cid = _read_page(page, pno, doc)
            cjk, cid = cjk + page_cjk, cid + page_cid
    finally:
        source.close(doc)
    if scanned and not (cid > 20 and cid > cjk):
        cjk += _read_scanned(data, name, scanned, doc)
    if cid > 20 and cid > cjk:
        # pdfminer cannot map these fonts; PDFium (pypdfium2, installed with pdfplumber) carries Adobe's
        # CJK character maps and often can: its text lines are read as a text file's
        fallback = _pdfium_text(data, name)
        if fallback is None:
            raise ReadError(name, "the PDF's Chinese fonts have no Unicode map (text comes out as (cid:NNN)); "
                                  "its text cannot be read reliably")
        return fallback
    if cjk < 20:
        if scanned:
            raise ReadError(name, "the PDF has no usable text layer, and OCR of its page images found no Chinese text")
        raise ReadError(name, "the PDF has no usable text layer and no page images to read by OCR")
    join_broken_rows(doc.blocks)
    return doc
