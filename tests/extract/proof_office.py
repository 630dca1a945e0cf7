"""The office-suite proof variants of issue 15 (see proof_variants.py for all the families): the HTML
reports through LibreOffice with their label columns forced narrow, and every report in Traditional
script as DOCX and PDF.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.extract.proof_variants import HTML_SOURCES, SOURCES, Variant, _norm, is_value, variant_names


# ---------------------------------------------------------------- narrow label columns (HTML)

def narrow_label_columns(docx_path: Path, label_pt: float) -> None:
    """Rewrite a Word file so that every table's label columns (those left of the first column holding a
    number) are `label_pt` points wide, the value columns sharing the rest of the table's width, with a
    fixed layout (the page's own widths are what LibreOffice keeps from HTML otherwise)."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document(str(docx_path))
    for table in document.tables:
        grid = table._tbl.tblGrid
        cols = grid.findall(qn("w:gridCol"))
        starts = []  # (tc, first grid column, span)
        for tr in table._tbl.tr_lst:
            c = 0
            for tc in tr.tc_lst:
                starts.append((tc, c, tc.grid_span))
                c += tc.grid_span
        values = [c for tc, c, _ in starts if is_value("".join(t.text or "" for t in tc.iter(qn("w:t"))))]
        if not values or min(values) == 0 or not cols:
            continue
        first = min(values)
        total = sum(int(col.get(qn("w:w")) or 0) for col in cols) or 9000
        label = int(label_pt * 20)  # twentieths of a point, as w:gridCol counts
        rest = max(400, (total - first * label) // max(1, len(cols) - first))
        widths = [label if i < first else rest for i in range(len(cols))]
        for col, w in zip(cols, widths):
            col.set(qn("w:w"), str(w))
        for tc, c, span in starts:
            tc.width = Pt(sum(widths[c:c + span]) / 20)
        table.autofit = False
        layout = table._tbl.tblPr.find(qn("w:tblLayout"))
        if layout is None:
            layout = table._tbl.tblPr.makeelement(qn("w:tblLayout"), {})
            table._tbl.tblPr.append(layout)
        layout.set(qn("w:type"), "fixed")
    document.save(str(docx_path))


def wrapped_lines(pdf: Path, labels) -> dict[str, int | None]:
    """Over how many lines the PDF prints each label (its characters found in drawing order), None for
    a label not found; the PDF's characters are read once."""
    import pdfplumber

    want = {label: _norm(label) for label in labels}
    found: dict[str, int | None] = dict.fromkeys(labels)
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            chars = [c for c in page.chars if c["text"].strip()]
            text = "".join(c["text"] for c in chars)
            for label, w in want.items():
                i = text.find(w) if found[label] is None else -1
                if i >= 0:
                    found[label] = len({round(c["top"]) for c in chars[i:i + len(w)]})
            page.flush_cache()
    return found


# ---------------------------------------------------------------- Traditional script

def to_traditional(text: str) -> str:
    import opencc

    global _S2T
    if _S2T is None:
        _S2T = opencc.OpenCC("s2t")
    return _S2T.convert(text)


_S2T = None


def traditional_page(html: str) -> str:
    """A web page with all its text in Traditional script (text nodes converted after parsing, so
    characters written as entities are converted too)."""
    from lxml import etree

    root = etree.HTML(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    for el in root.iter():
        if isinstance(el.tag, str) and el.text:
            el.text = to_traditional(el.text)
        if el.tail:
            el.tail = to_traditional(el.tail)
    return etree.tostring(root, encoding="unicode", method="html")


def _spans(grid) -> list[tuple[int, int, int, int, str]]:
    """(row, col, rowspan, colspan, text) of each origin cell of a read grid."""
    out = []
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if not cell.origin:
                continue
            cs = 1
            while (c + cs < len(row) and cell.text and not row[c + cs].origin and not row[c + cs].from_above
                   and row[c + cs].text == cell.text):
                cs += 1
            rs = 1
            while (r + rs < len(grid) and cell.text and grid[r + rs][c].from_above
                   and grid[r + rs][c].text == cell.text):
                rs += 1
            out.append((r, c, rs, cs, cell.text))
    return out


def write_docx(doc, path: Path, convert=lambda s: s) -> None:
    """A Word file of a read document (paragraphs, and tables with their merged cells)."""
    import docx

    out = docx.Document()
    for block in doc.blocks:
        if not hasattr(block, "rows"):
            out.add_paragraph(convert(block.text))
            continue
        width = max((len(r) for r in block.rows), default=0)
        if not width:
            continue
        table = out.add_table(rows=len(block.rows), cols=width)
        table.style = "Table Grid"
        for r, c, rs, cs, text in _spans(block.rows):
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            cell.text = convert(text)
    out.save(path)


# ---------------------------------------------------------------- building them

def _soffice(exe: str, profile: Path, fmt: str, outdir: Path, files: list[Path]) -> None:
    if files:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(outdir)] + [str(f) for f in files],
                       check=True, capture_output=True, timeout=900)


NARROW_PT = 50.0  # the 2021 format's longest labels then wrap over 5 to 8 lines


def build_office_variants(out: Path, soffice: str) -> dict[str, Variant]:
    """The narrow and Traditional variants in `out`: two LibreOffice runs in all (every HTML to DOCX,
    every DOCX to PDF), the narrow columns set in the DOCX between them."""
    from pipeline.read import read

    profile = out / "lo-profile"
    html_in = []
    for src, _ in HTML_SOURCES:
        page = src.read_text(encoding="utf-8", errors="replace")
        narrow = out / f"{src.stem}.narrow.html"  # the page as it is: the DOCX made of it is narrowed
        shutil.copy(src, narrow)
        hant = out / f"{src.stem}.hant.html"
        hant.write_text(traditional_page(page), encoding="utf-8")
        html_in += [narrow, hant]
    for src, _ in SOURCES:
        if src.suffix.lower() not in (".html", ".htm"):
            write_docx(read(src), out / f"{src.stem}.hant.docx", to_traditional)
    _soffice(soffice, profile, "docx:MS Word 2007 XML", out, html_in)
    for src, _ in HTML_SOURCES:
        narrow_label_columns(out / f"{src.stem}.narrow.docx", NARROW_PT)
    docx_in = [out / f"{src.stem}.narrow.docx" for src, _ in HTML_SOURCES]
    docx_in += [out / f"{src.stem}.hant.docx" for src, _ in SOURCES]
    _soffice(soffice, profile, "pdf", out, docx_in)
    variants = {}
    for name, family, src, exp in variant_names():
        if family in ("narrow", "hant"):
            variants[name] = Variant(name, family, src, exp, out / name)
    return variants
