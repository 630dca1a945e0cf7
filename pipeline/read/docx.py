"""Word reports: .docx through python-docx, in body order (paragraphs and tables). A merged cell is read
once: its top-left grid position holds it (origin), the positions it covers repeat its text only as a
label (gridSpan to the right, vMerge continuation below). A document whose tables are paragraphs of
tab-separated cells (a text file pasted into Word) has them read as a text file's are. Legacy .doc and
.wps, .odt and .rtf go through LibreOffice when `soffice` is installed."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline import limits
from pipeline.read.cells import FOOTNOTE_MARK
from pipeline.read.document import Cell, Document, Paragraph, Table
from pipeline.read.common import ReadError
from pipeline.read.txt import blocks_from_lines, join_spread_rows

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(el, keep_tabs: bool = False) -> str:
    """The element's text; `keep_tabs`: the tabs at its ends kept (a tab-separated row's blank first cell)."""
    parts = []
    marks, apart = _raised(el)
    for node in el.iter():
        tag = node.tag
        if tag == W + "t" and node.text and node not in marks:
            parts.append(f"^{node.text} " if node in apart else node.text)
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "tab":
            parts.append("\t")
        elif tag == W + "p" and parts and parts[-1] != "\n":
            parts.append("\n")
    return "".join(parts).strip(" \r\n\u3000") if keep_tabs else "".join(parts).strip()


def _raised(el) -> tuple[set, set]:
    """The text nodes of raised or lowered runs: those that are a footnote's mark (18 then a raised 2: 18, not
    182), hidden and struck-out runs and a content control's placeholder, left out; and the others, set apart from the number before them as plain text sets them (0^123)."""
    marks, apart = set(), set()
    found = {}  # one walk of the element for every property that matters, by tag
    for node in el.iter(*_RUN_PROPERTIES):
        found.setdefault(node.tag, []).append(node)
    if not found:
        return marks, apart  # most cells and paragraphs: plain runs
    for prop in (*found.get(W + "vertAlign", ()), *found.get(W + "position", ())):  # LibreOffice raises by w:position
        run = _run_of(prop)
        val = prop.get(W + "val") or ""
        up = val == "superscript" or (prop.tag == W + "position" and val.lstrip("-").isdigit() and int(val) > 0)
        if run is None or not (up or val == "subscript" or val.startswith("-")):
            continue
        texts = list(run.iter(W + "t"))
        mark = up and FOOTNOTE_MARK.match("".join(t.text or "" for t in texts))
        (marks if mark else apart).update(texts)
    if (marks or apart) and all(t in marks or t in apart for t in el.iter(W + "t")):
        marks, apart = set(), set()  # the whole text raised or lowered: nothing it follows
    # a content control showing its placeholder (单击或点击此处输入文字。): nothing was filled in
    for sdt in found.get(W + "sdt", ()):
        props = sdt.find(W + "sdtPr")
        content = sdt.find(W + "sdtContent")
        if props is not None and content is not None and props.find(W + "showingPlcHdr") is not None:
            marks.update(content.iter(W + "t"))
    # hidden text (not printed) and struck-out text (deleted in view): no part of what the page says
    for off in (*found.get(W + "vanish", ()), *found.get(W + "strike", ()), *found.get(W + "dstrike", ())):
        run = _run_of(off)
        if run is not None and off.get(W + "val") not in ("0", "false"):
            marks.update(run.iter(W + "t"))
    return marks, apart


_RUN_PROPERTIES = tuple(W + t for t in ("vertAlign", "position", "sdt", "vanish", "strike", "dstrike"))


def _run_of(prop):
    """The run (w:r) a run property (w:rPr's child) belongs to, or None."""
    props = prop.getparent()
    run = props.getparent() if props is not None else None
    return run if run is not None and run.tag == W + "r" else None


class _TooBig(Exception):
    pass


def _children(el, tag: str):
    """The element's children of `tag`, through the wrappers Word puts around rows and cells (content controls,
    w:sdt/w:sdtContent; custom XML): a row inside a content control is still the table's row."""
    for child in el.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _children(content, tag)


def _table(tbl) -> Table:
    rows: list[list[Cell]] = []
    n_cells = 0
    lim = limits.current()
    for tr in _children(tbl, W + "tr"):
        row: list[Cell] = []
        col = 0
        for tc in _children(tr, W + "tc"):
            props = tc.find(W + "tcPr")
            span, vmerge = 1, None
            if props is not None:
                gs = props.find(W + "gridSpan")
                if gs is not None:
                    try:
                        span = max(1, int(gs.get(W + "val", "1")))
                    except ValueError:
                        span = 1
                    if span > lim.span:
                        raise _TooBig(f"a table cell spans {span} columns; the limit is {lim.span} (NIANBAO_MAX_SPAN)")
                vm = props.find(W + "vMerge")
                if vm is not None:
                    vmerge = vm.get(W + "val", "continue")
            if vmerge == "continue" and rows and col < len(rows[-1]):
                above = rows[-1][col]
                cells = [Cell(above.text, origin=False, from_above=True) for _ in range(span)]
            else:
                text = " ".join(line.strip() for line in _text(tc).split("\n") if line.strip())
                cells = [Cell(text, origin=True)] + [Cell(text, origin=False) for _ in range(span - 1)]
            row.extend(cells)
            col += span
        rows.append(row)
        n_cells += len(row)
        if n_cells > lim.table_cells:
            raise _TooBig(f"a table of more than {lim.table_cells} cells (NIANBAO_MAX_TABLE_CELLS)")
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        r.extend(Cell("", origin=False) for _ in range(width - len(r)))
    return Table(rows)


def _check_zip(data: bytes, name: str) -> None:
    """A .docx is a zip: its members' decompressed sizes are checked before anything is inflated."""
    import zipfile

    lim = limits.current()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise ReadError(name, f"cannot be read as a Word (.docx) document: a broken ZIP container ({e})") from None
    if total > lim.unzipped_mb * 1024 * 1024:
        raise ReadError(name, f"its parts inflate to {total // (1024 * 1024)} MiB; the limit is {lim.unzipped_mb} MiB "
                              "(NIANBAO_MAX_UNZIPPED_MB): a zip bomb or not a report")


def read_docx(data: bytes, name: str) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_zip(data, name)
    try:
        d = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise ReadError(name, f"not a readable Word (.docx) document ({type(e).__name__})") from None
    doc = Document(path=name, format="docx")
    title = (d.core_properties.title or "").strip() or None
    doc.title = title or None

    parts: list[list[str] | Table] = []  # the body's runs of paragraph lines, and its tables

    def walk(parent):
        for el in parent.iterchildren():
            if el.tag == W + "p":
                if not parts or isinstance(parts[-1], Table):
                    parts.append([])
                parts[-1].extend(_text(el, keep_tabs=True).split("\n"))
            elif el.tag == W + "tbl" and el.find(".//" + W + "tbl") is not None:
                # a table holding tables (a frame around 表三, a caption row over 表四): a layout, its cells'
                # paragraphs and tables read in their order
                for tr in _children(el, W + "tr"):
                    for tc in _children(tr, W + "tc"):
                        walk(tc)
            elif el.tag == W + "tbl":
                parts.append(_table(el))
            elif el.tag in (W + "sdt", W + "customXml"):
                content = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
                if content is not None:
                    walk(content)

    try:
        walk(d.element.body)
    except _TooBig as e:
        raise ReadError(name, str(e)) from None
    tab_rows = sum(1 for p in parts if isinstance(p, list) for line in p if line.strip().count("\t") >= 2)
    for part in parts:
        if isinstance(part, Table):
            doc.blocks.append(part)
        elif tab_rows >= 3:  # text pasted into Word: its tables are lines of tab-separated cells, read as a text file's
            doc.blocks.extend(blocks_from_lines(join_spread_rows(part)))
        else:
            doc.blocks.extend(Paragraph(line.strip()) for line in part if line.strip())
    if not doc.blocks:
        raise ReadError(name, "the Word document holds no text")
    return doc


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy_word(data: bytes, name: str, kind: str = "doc") -> Document:
    """.doc / .wps / .odt / .rtf (`kind`, from the content): converted to .docx by LibreOffice, then read
    as Word."""
    exe = soffice()
    if kind == "odt":
        _check_zip(data, name)
    if exe is None:
        raise ReadError(name, f"a .{kind} file needs LibreOffice to be read: install it "
                              "(Debian: apt-get install libreoffice-writer) or save the file as .docx or PDF")
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        src = Path(tmp) / f"in.{kind}"
        src.write_bytes(data)
        try:
            subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)],
                           capture_output=True, timeout=limits.current().soffice_seconds, check=False)
        except subprocess.TimeoutExpired:
            raise ReadError(name, f"LibreOffice took longer than {limits.current().soffice_seconds:g} s to convert "
                                  "the file (NIANBAO_SOFFICE_TIMEOUT)") from None
        out = Path(tmp) / "in.docx"
        if not out.exists():
            raise ReadError(name, f"LibreOffice could not convert this .{kind} file")
        doc = read_docx(out.read_bytes(), name)
    doc.format = kind
    return doc
