"""The renderer's Word and PDF writers: the same tables and sentences as `render`, as a .docx with
merged header cells (python-docx) or a PDF with ruled tables that break across pages (reportlab,
with its built-in CJK font STSong-Light, so no font file is needed)."""
from __future__ import annotations

import dataclasses
import io
import random


def _place(table: list[list]) -> tuple[list[tuple[int, int, object]], int]:
    """Grid positions (row, col, cell) of a table given as rows of spanning cells, and its width."""
    taken: set[tuple[int, int]] = set()
    out = []
    width = 0
    for r, row in enumerate(table):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    return out, width


def _title(agency: str, year: int, lay) -> str:
    return (f"{year}年{agency}政府信息公开工作年度报告" if lay.title_year_first
            else f"{agency}{year}年政府信息公开工作年度报告")


def _intro(agency: str, year: int) -> str:
    return f"本报告由{agency}编制。本年报所列数据的统计期限为{year}年1月1日至{year}年12月31日。"


def render_docx(agency: str, year: int, lay, sentences: list[str], tables: list, rng: random.Random,
                closing: list = ()) -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.title = _title(agency, year, lay)
    import datetime as _dt

    stamp = _dt.datetime(year + 1, 1, 20, 9, 0, 0)  # fixed: the same facts give the same bytes
    d.core_properties.created = d.core_properties.modified = stamp
    d.core_properties.last_printed = stamp
    d.add_paragraph(_title(agency, year, lay))
    d.add_paragraph("一、总体情况")
    d.add_paragraph(_intro(agency, year))
    for s in sentences:
        d.add_paragraph(s)
    for heading, table in tables:
        if heading:
            d.add_paragraph(heading)
        cells, width = _place(table)
        t = d.add_table(rows=len(table), cols=width)
        t.style = "Table Grid"
        for r, c, cell in cells:
            target = t.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(t.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            text = cell.text
            if lay.pad and cell.value and text:
                text = f" {text} "
            target.text = text
    for heading, paras in closing:
        d.add_paragraph(heading)
        for x in paras:
            d.add_paragraph(x)
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same .docx with every zip entry's time fixed, so the same facts give the same bytes."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


def _split(table: list[list], at: int, header_rows: int, repeat_header: bool):
    """Two parts of a table cut before row `at`, as Word prints a table over a page break: spans
    that cross the cut are shortened, and the label of a cut span is printed again below it."""
    cells, _ = _place(table)
    top: list[list] = [[] for _ in range(at)]
    bottom: list[list] = [[] for _ in range(len(table) - at)]
    for r, c, cell in sorted(cells, key=lambda x: (x[0], x[1])):
        if r < at:
            rs = min(cell.rowspan, at - r)
            top[r].append((c, dataclasses.replace(cell, rowspan=rs)))
            if r + cell.rowspan > at:
                bottom[0].append((c, dataclasses.replace(cell, rowspan=r + cell.rowspan - at)))
        else:
            bottom[r - at].append((c, cell))
    top_rows = [[x for _, x in sorted(row, key=lambda y: y[0])] for row in top]
    bottom_rows = [[x for _, x in sorted(row, key=lambda y: y[0])] for row in bottom]
    if repeat_header:
        bottom_rows = [list(row) for row in table[:header_rows]] + bottom_rows
    return top_rows, bottom_rows


def render_pdf(agency: str, year: int, lay, sentences: list[str], tables: list, rng: random.Random,
               closing: list = ()) -> bytes:
    """The report as a PDF with ruled tables (reportlab). Past 60 lines: the font, the styles and the
    story built in the order the page is drawn, most of it reportlab's declarations."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    story = [Paragraph(_title(agency, year, lay), ParagraphStyle("t", parent=body, fontSize=15, leading=22)),
             Paragraph("一、总体情况", body), Paragraph(_intro(agency, year), body)]
    story += [Paragraph(s, body) for s in sentences]
    page_width = A4[0] - 30 * mm

    def flowable(table: list[list]):
        cells, width = _place(table)
        data = [["" for _ in range(width)] for _ in range(len(table))]
        style = [("FONT", (0, 0), (-1, -1), font, 8), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        if not lay.extra.get("no_lines"):
            style.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
        for r, c, cell in cells:
            wrap = len(cell.text) > 4 and not lay.extra.get("no_lines")  # without lines, one line per row
            data[r][c] = Paragraph(cell.text, cell_style) if wrap else cell.text
            if cell.rowspan > 1 or cell.colspan > 1:
                style.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
        if width >= 10:  # 表三: three label columns then seven numbers
            label_w = page_width * 0.5
            widths = [label_w * 0.18, label_w * 0.2, label_w * 0.62] + [(page_width - label_w) / (width - 3)] * (width - 3)
            if width == 15:  # 表四
                widths = [page_width / 15] * 15
        else:
            widths = [page_width * 0.4] + [page_width * 0.6 / (width - 1)] * (width - 1) if width > 1 else [page_width]
        return Table(data, colWidths=widths, style=style)

    for heading, table in tables:
        if heading:
            story.append(Paragraph(heading, body))
        if heading.startswith("三、"):
            at = rng.randint(6, len(table) - 4)  # break 表三 over a page, as real reports do
            first, second = _split(table, at, 3, repeat_header=lay.pad)
            story += [flowable(first), PageBreak(), flowable(second)]
        else:
            story.append(flowable(table))
        story.append(Spacer(1, 4 * mm))
    for heading, paras in closing:
        story += [Paragraph(heading, body)] + [Paragraph(x, body) for x in paras]
    buf = io.BytesIO()

    def page_number(canvas, doc_):
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"- {doc_.page} -")

    SimpleDocTemplate(buf, invariant=1, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                      bottomMargin=18 * mm, title=_title(agency, year, lay)).build(
        story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()


def render_office(agency: str, year: int, lay, sentences: list[str], tables: list, rng: random.Random,
                  closing: list = ()) -> bytes:
    """The report as .docx or .pdf, from the sentences and tables `render` prepared."""
    if lay.fmt == "docx":
        return render_docx(agency, year, lay, sentences, tables, rng, closing)
    return render_pdf(agency, year, lay, sentences, tables, rng, closing)
