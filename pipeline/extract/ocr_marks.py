"""Facts read by OCR, marked as such: `evidence["read_by"] = "ocr"` and the recognition confidence
(`evidence["ocr_confidence"]`), and the reader's own issues (cells left out for low confidence, pages
read by OCR) added to the report.

A table fact is traced to its cell: the row of an OCR table whose label is the fact's row label and
whose cell holds the fact's value (the lowest confidence among such cells of the row, when several
hold it). A figure from the prose is traced to the OCR line it was read from.
"""
from __future__ import annotations

import re
from decimal import Decimal

from pipeline.read.cells import NUMBER, classify
from pipeline.read.document import Document, Paragraph, Table
from pipeline.spec.model import Issue, Report

_WS = re.compile(r"\s+")


def _read_by_ocr(table: Table) -> bool:
    """Whether any cell of the table was read by OCR (has a recognition confidence)."""
    for row in table.rows:
        for cell in row:
            if cell.confidence is not None:
                return True
    return False


def mark_ocr(doc: Document, report: Report) -> None:
    for code, severity, message, where in doc.issues:
        report.issues.append(Issue(code, severity, message, where))
    tables = [b for b in doc.blocks if isinstance(b, Table) and _read_by_ocr(b)]
    paras = [b for b in doc.blocks if isinstance(b, Paragraph) and b.confidence is not None]
    if not tables and not paras:
        return
    from pipeline.extract.rows import split_row

    by_label: dict[tuple[str, int | None], list[list]] = {}
    for t in tables:
        for i, cells in enumerate(t.rows):
            row = split_row(cells)
            page = t.row_pages[i] if t.row_pages else t.page
            by_label.setdefault((row.printed, page), []).append(cells)
    ocr_pages: dict[int, float] = {}  # page -> the lowest confidence of a number read on it
    for t in tables:
        for i, cells in enumerate(t.rows):
            page = t.row_pages[i] if t.row_pages else t.page
            confs = [c.confidence for c in cells if c.confidence is not None and classify(c.text).kind == NUMBER]
            if page is not None and confs:
                ocr_pages[page] = min(confs + [ocr_pages.get(page, 1.0)])
    for fact in report.facts:
        ev = fact.evidence
        conf = None
        if "row" in ev:
            conf = _cell_confidence(by_label.get((ev["row"], ev.get("page")), []), fact.value)
            if conf is None and ev.get("page") in ocr_pages:  # a row the parser joined from lines
                conf = ocr_pages[ev["page"]]
        elif "text" in ev:
            sentence = _WS.sub("", str(ev["text"]))
            hits = [p.confidence for p in paras if sentence and sentence in _WS.sub("", p.text)]
            conf = min(hits) if hits else None
        if conf is not None:
            ev["read_by"] = "ocr"
            ev["ocr_confidence"] = round(float(conf), 3)


def _cell_confidence(rows: list[list], value) -> float | None:
    """The confidence of the cells of these rows that hold the value; of all their numbers when none
    holds it as printed (an amount converted to 万元)."""
    found, numbers = [], []
    want = Decimal(str(value))
    for cells in rows:
        for c in cells:
            if c.confidence is None or not c.origin:
                continue
            cv = classify(c.text)
            if cv.kind == NUMBER and cv.value is not None:
                numbers.append(c.confidence)
                if Decimal(str(cv.value)) == want:
                    found.append(c.confidence)
    return min(found) if found else min(numbers) if numbers else None
