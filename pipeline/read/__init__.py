"""Readers: a file in, a `Document` out. `read(path)` picks the reader by content and name.

Every failure is a `ReadError` whose message names the file and the reason; nothing else escapes.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.read.document import Document
from pipeline.read.common import ReadError, sniff_format

__all__ = ["ReadError", "read", "read_bytes", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml", ".pdf", ".docx", ".doc", ".wps", ".odt", ".rtf",
                      ".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv")


THROUGH_LIBREOFFICE = ("doc", "wps", "odt", "rtf")  # converted to .docx by LibreOffice, then read as Word


def read_bytes(data: bytes, name: str, folder: Path | None = None, pictures: dict[str, bytes] | None = None) -> Document:
    """Read a report held in memory; `name` is used for the format guess and in messages. `folder`,
    where the file lies on disk, lets a web page's pictures beside it be read (by OCR); `pictures`
    hands them over with the page instead ({pictures.picture_key(src): bytes}, the refresh's raw store)."""
    fmt = sniff_format(data, name)
    if fmt == "txt":
        from pipeline.read.txt import read_txt as reader
    elif fmt == "html":
        from pipeline.read.html import read_html as reader
    elif fmt == "mhtml":
        from pipeline.read.mhtml import read_mhtml as reader
    elif fmt == "pdf":
        from pipeline.read.pdf import read_pdf as reader
    elif fmt == "docx":
        from pipeline.read.docx import read_docx as reader
    elif fmt in THROUGH_LIBREOFFICE:
        from pipeline.read.docx import read_legacy_word as reader
    elif fmt in ("xlsx", "xls", "ods"):
        from pipeline.read.spreadsheet import read_spreadsheet as reader
    elif fmt == "csv":
        from pipeline.read.spreadsheet import read_csv as reader
    else:  # pragma: no cover - sniff_format raises for anything else
        raise ReadError(name, f"unknown format {fmt}")
    try:
        if fmt == "html":
            from pipeline.read.pictures import Pictures

            found = Pictures(held=pictures) if pictures is not None else Pictures(folder, name) if folder else None
            doc = reader(data, name, images_from=found)
        elif fmt in THROUGH_LIBREOFFICE:
            doc = reader(data, name, kind=fmt)
        else:
            doc = reader(data, name)
    except (ReadError, MemoryError):  # (memory past the file's limit is said as such by the caller)
        raise
    except Exception as e:  # a reader library failing on a broken file must not escape as a traceback
        if _out_of_memory(e):  # a library that wraps the limit's MemoryError (pdfplumber's PdfminerException)
            raise MemoryError(f"{name}: {type(e).__name__}: {e}") from e
        raise ReadError(name, f"cannot be read as {fmt}: {type(e).__name__}: {e}") from e
    doc.sha256 = hashlib.sha256(data).hexdigest()
    _simplify(doc)
    if fmt != "txt":  # a text file is normalised whole when decoded
        _normalize(doc)
    _drop_empty_columns(doc)
    return doc


def _drop_empty_columns(doc: Document) -> None:
    """A column without text in any row of a table under its own header (a spacer column between 表四's 行政复议
    and 行政诉讼, which lost the whole table to its readers) is no column of the table. Not in a table rebuilt from
    lines of text, whose blank cells hold their columns' places, nor in one whose first row names no columns (the
    part of a table a page break cut off from its header: its width is what tells its columns), nor in a PDF,
    whose tables at a page break are joined by their widths (a LibreOffice PDF lost its procurement row when
    an empty column of the part after the break was dropped)."""
    from pipeline.read.document import Table

    if doc.format not in ("html", "docx", "doc", "wps", "odt", "rtf"):
        return  # a PDF's tables at page breaks are joined by their widths; a sheet's empty columns are trimmed
    for block in doc.blocks:
        if not isinstance(block, Table) or not block.rows or not block.aligned:
            continue
        head = [c.text.strip() for c in block.rows[0] if c.text.strip()]
        if len(set(head)) < 2 or any(t.replace(",", "").isdigit() for t in head):
            continue
        width = max(len(r) for r in block.rows)
        empty = [j for j in range(width) if all(j >= len(r) or not r[j].text.strip() for r in block.rows)]
        if empty and len(empty) < width:
            gone = set(empty)
            block.rows = [[c for j, c in enumerate(r) if j not in gone] for r in block.rows]


def _out_of_memory(e: BaseException) -> bool:
    """Whether `e` is a MemoryError wrapped by a library: found in its cause, its context or its arguments."""
    seen: set[int] = set()
    todo: list[object] = [e]
    while todo:
        x = todo.pop()
        if id(x) in seen or not isinstance(x, BaseException):
            continue
        seen.add(id(x))
        if isinstance(x, MemoryError):
            return True
        todo.extend([x.__cause__, x.__context__, *x.args])
    return False


def _texts(doc: Document):
    """Every text of a document, as (getter, setter) pairs: its title, paragraphs and cells."""
    from pipeline.read.document import Paragraph

    if doc.title:
        yield doc.title, lambda t: setattr(doc, "title", t)
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            yield block.text, lambda t, b=block: setattr(b, "text", t)
        else:
            for row in block.rows:
                for cell in row:
                    if cell.text:
                        yield cell.text, lambda t, c=cell: setattr(c, "text", t)


def _plain_texts(doc: Document):
    """The texts `_texts` yields, without their setters (the cheap pass that decides whether any is needed)."""
    from pipeline.read.document import Paragraph

    if doc.title:
        yield doc.title
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            for row in block.rows:
                for cell in row:
                    if cell.text:
                        yield cell.text


def _simplify(doc: Document) -> None:
    """Traditional script decided once for the whole document, then every text of it converted: a short
    cell (屬於國家秘密) is converted because its document is Traditional, not judged on its own."""
    from pipeline.read.common import TAIWAN_PHRASED, is_traditional, mainland_phrasing, simplified

    whole = "\n".join(_plain_texts(doc))
    if not is_traditional(whole):
        return
    taiwan = bool(TAIWAN_PHRASED.search(whole))
    for text, set_text in _texts(doc):
        out = simplified(text)
        set_text(mainland_phrasing(out) if taiwan else out)


def _normalize(doc: Document) -> None:
    """One spelling per character in every reader's output (Kangxi radicals, full-width digits)."""
    from pipeline.read.document import Paragraph
    from pipeline.read.text import needs_normalizing, normalize

    if not needs_normalizing("".join(_plain_texts(doc))):
        return  # nothing to respell: every text would come back as it is
    if doc.title:
        doc.title = normalize(doc.title)
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            block.text = normalize(block.text)
        else:
            for row in block.rows:
                for cell in row:
                    cell.text = normalize(cell.text)


def read(path: str | Path) -> Document:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ReadError(str(p), "no such file") from None
    except IsADirectoryError:
        raise ReadError(str(p), "is a directory, not a file") from None
    except OSError as e:
        raise ReadError(str(p), f"cannot be opened: {e.strerror or e}") from None
    return read_bytes(data, str(p), folder=p.parent)
