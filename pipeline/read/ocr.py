"""OCR of page images (scanned PDF pages, tables pasted into a web page as pictures), into the same
blocks every reader gives: tables as grids of cells, prose as paragraphs.

Recognition is RapidOCR's (PP-OCR models shipped inside the `rapidocr-onnxruntime` wheel, run by
onnxruntime on one CPU thread; nothing is downloaded). A page is straightened first (the skew of its
long ruling lines), then:

- **ruled tables** come from the ruling lines (found by morphology, a line kept only where it meets lines
  across it, so strokes of text are not taken for lines; joined into cells by pdfplumber's own
  edge-to-cell functions, the same geometry the PDF reader uses): each cell box is a grid position,
  a box spanning several columns or rows a merged cell. Each cell's text is recognised from the cell
  alone (the text lines detected inside it, or its ink, a line drawn apart under it left out), so a value
  is only ever the content of its own cell, under its own row label and column header;
- **text outside the tables** is grouped into lines by vertical position and given as prose; a page
  whose table has no ruling lines is given as text lines, cells separated by tabs where the gaps are
  wide, and read as a text file's table is (a row that does not fit its columns is left out).

Every cell carries its recognition confidence (`recognise.py`: a number's is the probability of its
digits against the other digits); a number under `OCR_MIN_CONFIDENCE` is left blank (never guessed)
and the document records an issue naming the cell.
"""
from __future__ import annotations

import re
import time

import numpy as np

from pipeline.read.document import Cell, Paragraph, Table
from pipeline.read.recognise import _DIGIT_LIKE, _crop, engine, recognise  # noqa: F401  (engine: the bench and tests)
from pipeline.read.ocr_cells import (  # noqa: F401  (re-exported: callers use ocr.<name>)
    OCR_MIN_CONFIDENCE, _agreed, _boxes_in, _cell_texts, _reading_order, _touching_underline, _underline_top,
    _underlines)
from pipeline.read.ocr_geometry import (  # noqa: F401  (re-exported: callers use ocr.<name>)
    _ink, _line_masks, deskew, _edges, _tables, _cluster)

_PAGE_NUMBER = re.compile(r"^\s*[-—–一]?\s*\d{1,3}\s*[-—–一]?\s*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")
_NUMBER_TEXT = re.compile(r"^[\s0-9.,，\-+—–/%]+$")


# --- a page -------------------------------------------------------------------------------------

def read_image(gray: np.ndarray, page: int | None, where: str, issues: list) -> list[Paragraph | Table]:
    """The blocks of one page image (grayscale, 8 bits), in reading order."""
    import cv2

    gray = deskew(gray)
    ink = _ink(gray)
    rgb = cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    det = engine().text_det(rgb)[0]
    boxes = [] if det is None else [(float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 0].max()), float(b[:, 1].max()))
                                    for b in det]
    tables = _tables(ink)
    used: set[int] = set()
    items: list[tuple[float, Paragraph | Table]] = []
    for cells in tables:
        x0 = min(c[0] for c in cells); y0 = min(c[1] for c in cells)
        x1 = max(c[2] for c in cells); y1 = max(c[3] for c in cells)
        inside = [i for i, b in enumerate(boxes) if x0 <= (b[0] + b[2]) / 2 <= x1 and y0 <= (b[1] + b[3]) / 2 <= y1]
        used.update(inside)
        items.append((y0, _table(cells, [boxes[i] for i in inside], rgb, ink, page, where, issues)))
    rest = [boxes[i] for i in range(len(boxes)) if i not in used]
    for y, text, conf in _text_lines(rest, rgb):
        if _PAGE_NUMBER.match(text):
            continue
        if conf < OCR_MIN_CONFIDENCE and re.search(r"\d", text):
            issues.append(("ocr_low_confidence", "warning", f"a line with figures read with confidence {conf:.2f} "
                           f"(under {OCR_MIN_CONFIDENCE}); left out", f"{where}" + (f", page {page}" if page else "")
                           + f": {text[:60]}"))
            continue
        items.append((y, Paragraph(text, page=page, confidence=conf)))
    items.sort(key=lambda it: it[0])
    return _prose([b for _, b in items], page)


def _prose(blocks: list[Paragraph | Table], page: int | None) -> list[Paragraph | Table]:
    """Runs of text lines between tables as a text file's lines are read: lines that are a table's rows
    (cells apart) become a table whose columns are not the page's (`aligned` False), the other lines
    paragraphs joined where a sentence runs over lines. Each keeps the lowest confidence of its lines."""
    from pipeline.read.txt import blocks_from_lines

    out: list[Paragraph | Table] = []
    run: list[Paragraph] = []

    def flush():
        if not run:
            return
        conf = min(p.confidence for p in run if p.confidence is not None)
        texts: list[str] = []
        for b in blocks_from_lines([p.text for p in run], page=page) + [None]:
            if isinstance(b, Paragraph):
                texts.append(b.text)
                continue
            out.extend(Paragraph(t, page=page, confidence=conf) for t in _paragraphs(texts))
            texts = []
            if b is not None:
                for row in b.rows:
                    for c in row:
                        c.confidence = conf if c.text else None
                out.append(b)
        run.clear()

    for b in blocks:
        if isinstance(b, Paragraph):
            run.append(b)
        else:
            flush()
            out.append(b)
    flush()
    return out


_NEW_PARAGRAPH = re.compile(r"^\s*([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\(?\d+[.、)）])")


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs: a paragraph ends at a sentence's end or a short line, and a new one
    starts at a numbered heading."""
    out: list[str] = []
    buf = ""
    longest = max((len(line) for line in lines), default=0)
    for line in lines:
        if buf and _NEW_PARAGRAPH.match(line):
            out.append(buf)
            buf = ""
        buf += line
        if line.endswith(("。", "！", "？", "；", "：", ":")) or len(line) < 0.7 * longest:
            out.append(buf)
            buf = ""
    if buf:
        out.append(buf)
    return out


def _text_lines(boxes, rgb) -> list[tuple[float, str, float]]:
    """Boxes outside the tables as lines of text (top, text, confidence); boxes far apart on one line
    are separated by a tab (a table without ruling lines keeps its columns)."""
    if not boxes:
        return []
    read = recognise([_crop(rgb, b, pad=2) for b in boxes])
    rows: list[list[int]] = []
    for i in sorted(range(len(boxes)), key=lambda i: (boxes[i][1] + boxes[i][3]) / 2):
        b = boxes[i]
        mid = (b[1] + b[3]) / 2
        if rows:
            last = [boxes[j] for j in rows[-1]]
            top = min(x[1] for x in last); bottom = max(x[3] for x in last)
            if top <= mid <= bottom:
                rows[-1].append(i)
                continue
        rows.append([i])
    out = []
    for row in rows:
        row.sort(key=lambda j: boxes[j][0])
        height = np.median([boxes[j][3] - boxes[j][1] for j in row])
        parts, prev = [], None
        for j in row:
            text = read[j][0].strip()
            if not text:
                continue
            if prev is not None:
                parts.append("\t" if boxes[j][0] - boxes[prev][2] > 1.5 * height else "")
            parts.append(text)
            prev = j
        if parts:
            out.append((min(boxes[j][1] for j in row), "".join(parts), min(read[j][1] for j in row)))
    return out


def _table(cells, boxes, rgb, ink, page, where, issues) -> Table:
    """A grid from the table's cell boxes: grid lines at the cells' edges, each cell at the positions it
    covers (origin at its top-left), its text recognised from inside its own box."""
    xs = _cluster([c[0] for c in cells] + [c[2] for c in cells], 6)
    ys = _cluster([c[1] for c in cells] + [c[3] for c in cells], 6)

    def index(v, grid):
        return min(range(len(grid)), key=lambda k: abs(grid[k] - v))

    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    grid: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
    placed = []
    for c in cells:
        r0, r1 = index(c[1], ys), index(c[3], ys)
        c0, c1 = index(c[0], xs), index(c[2], xs)
        if r1 <= r0 or c1 <= c0:
            continue
        placed.append((c, r0, r1, c0, c1))
    texts = _cell_texts([p[0] for p in placed], boxes, rgb, ink)
    for (c, r0, r1, c0, c1), (text, conf) in zip(placed, texts):
        if _DIGIT_LIKE.match(text.replace(" ", "")):  # a lone digit misread as a letter: never a label
            issues.append(("ocr_low_confidence", "warning",
                           f"a cell read as {text!r}, letters a digit is mistaken for, not a number; left out",
                           f"{where}" + (f", page {page}" if page else "") + f", table row {r0 + 1}, column {c0 + 1}"))
            text = ""
        if text and conf < OCR_MIN_CONFIDENCE and _NUMBER_TEXT.match(text):
            issues.append(("ocr_low_confidence", "warning",
                           f"a cell read as {text!r} with confidence {conf:.2f} (under {OCR_MIN_CONFIDENCE}); left out",
                           f"{where}" + (f", page {page}" if page else "") + f", table row {r0 + 1}, column {c0 + 1}"))
            text = ""
        for r in range(r0, r1):
            for k in range(c0, c1):
                if grid[r][k] is None:
                    grid[r][k] = Cell(text, origin=(r, k) == (r0, c0), from_above=r > r0,
                                      confidence=conf if text else None)
    rows = [[c if c is not None else Cell("", origin=False) for c in row] for row in grid]
    return Table(rows, page=page, row_pages=[page] * len(rows))


# --- files --------------------------------------------------------------------------------------

OCR_DPI = 200  # pages are rendered at this resolution (within the image pixel limit)


def unavailable() -> str | None:
    """Why OCR cannot run here (its libraries missing), or None."""
    try:
        import cv2  # noqa: F401  (OpenCV needs the system's libGL)
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError as e:
        return (f"OCR is not available ({e}); it needs the rapidocr-onnxruntime package and, for OpenCV, "
                "the system's libGL (Debian: apt-get install libgl1)")
    return None


def check_time_left(done: int, total: int, started: float, name: str, what: str) -> None:
    """Before OCR of the next of `total` pages (or pictures), `done` of them read since `started`
    (time.monotonic()): raise ReadError when the rest, at the pace so far, will not fit in the time the
    refresh gives the file."""
    from pipeline.limits import file_time_left

    end, seconds = file_time_left()
    if end is None or done == 0 or done >= total:
        return
    now = time.monotonic()
    pace = (now - started) / done
    if now + pace * (total - done) > end:
        from pipeline.read.common import ReadError

        raise ReadError(name, f"{total} {what} to read by OCR do not fit in the {seconds:g} s limit per file "
                              f"(NIANBAO_FILE_TIMEOUT): {done} read in {now - started:.1f} s, about {pace:.1f} s "
                              "each; stopped before the limit")


def _timed_page(gray: np.ndarray, page: int | None, name: str, doc) -> list[Paragraph | Table]:
    from pipeline import limits

    lim = limits.current()
    # CPU time, not wall-clock: a page is not failed because other work shares the core (the refresh's
    # per-file wall-clock limit still bounds the whole file)
    start = time.process_time()
    blocks = read_image(gray, page, name, doc.issues)
    spent = time.process_time() - start
    if spent > lim.ocr_page_seconds:
        from pipeline.read.common import ReadError

        where = f"page {page}" if page else "an image"
        raise ReadError(name, f"OCR of {where} took {spent:.0f} s of CPU time; the limit is {lim.ocr_page_seconds:g} s "
                              "(NIANBAO_OCR_PAGE_SECONDS)")
    return blocks


def ocr_pdf_pages(data: bytes, name: str, pages: list[int], doc) -> dict[int, list[Paragraph | Table]]:
    """The blocks of these pages (1-based) of a PDF, each rendered by PDFium and read by OCR; the
    reader's issues are added to `doc.issues`."""
    import pypdfium2 as pdfium

    from pipeline import limits
    from pipeline.read.common import ReadError

    lim = limits.current()
    why = unavailable()
    if why:
        raise ReadError(name, f"has {len(pages)} pages without a text layer; {why}")
    if len(pages) > lim.ocr_pages:
        raise ReadError(name, f"has {len(pages)} pages without a text layer to read by OCR; the limit is "
                              f"{lim.ocr_pages} (NIANBAO_MAX_OCR_PAGES)")
    out: dict[int, list[Paragraph | Table]] = {}
    pdf = pdfium.PdfDocument(data)
    started = time.monotonic()
    try:
        for done, pno in enumerate(pages):
            check_time_left(done, len(pages), started, name, "pages without a text layer")
            page = pdf[pno - 1]
            w, h = page.get_size()
            scale = OCR_DPI / 72
            if w * h * scale * scale > lim.image_pixels:
                scale = (lim.image_pixels / (w * h)) ** 0.5
            gray = np.asarray(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
            out[pno] = _timed_page(np.ascontiguousarray(gray), pno, name, doc)
    finally:
        pdf.close()
    doc.issues.append(("read_by_ocr", "info", f"{len(pages)} page(s) without a text layer read by OCR: "
                                              + ", ".join(map(str, pages)), name))
    return out


def ocr_image_bytes(data: bytes, name: str, image_name: str, doc) -> list[Paragraph | Table]:
    """The blocks of one image file (PNG, JPEG, GIF, BMP, WebP) read by OCR; an image past the pixel limit
    or that cannot be decoded is left out with an issue."""
    from PIL import Image, UnidentifiedImageError

    from pipeline import limits

    lim = limits.current()
    why = unavailable()
    if why:
        doc.issues.append(("image_not_read", "warning", f"image {image_name} not read: {why}", name))
        return []
    try:
        import io

        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > lim.image_pixels:
                doc.issues.append(("image_too_large", "warning",
                                   f"image {image_name} has {im.width}×{im.height} pixels; the limit is "
                                   f"{lim.image_pixels:,} (NIANBAO_MAX_IMAGE_PIXELS); not read", name))
                return []
            gray = im.convert("L")
            if max(gray.size) < 1600:  # a screenshot at screen resolution: enlarged to a scan's scale
                factor = min(2.5, 1600 / max(gray.size))
                gray = gray.resize((round(gray.width * factor), round(gray.height * factor)), Image.BICUBIC)
            gray = np.asarray(gray)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        doc.issues.append(("image_unreadable", "warning", f"image {image_name} cannot be decoded ({type(e).__name__})",
                           name))
        return []
    return _timed_page(np.ascontiguousarray(gray), None, name, doc)
