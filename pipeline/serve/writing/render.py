"""A drafted text (the small Markdown subset of templates.py) written as DOCX, PDF, HTML or Markdown.

DOCX through python-docx (the office edits it in Word; Chinese text in 宋体 / SimSun), PDF through
reportlab with its built-in STSong-Light CID font (no font file needed, works offline), HTML as one
self-contained page (charts inlined as data: URIs, no request to any host), Markdown as written by the
template with the charts as PNG files beside it (`<name>_charts/`).
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("docx", "pdf", "html", "md")
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf", "html": "text/html", "md": "text/markdown"}
_IMG = re.compile(r"^!\[(?P<cap>[^\]]*)\]\(chart:(?P<name>[\w-]+)\)\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass
class Block:
    kind: str                      # h1 h2 h3 p note li table img
    text: str = ""
    items: list = field(default_factory=list)   # li: texts; table: rows of cells
    name: str = ""                 # img: the chart's name


def _plain(s: str) -> str:
    return s.replace("\\|", "|").strip()


def parse(text: str) -> list[Block]:
    """Blocks of the Markdown subset, in order."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush():
        if para:
            blocks.append(Block("p", _plain(" ".join(para))))
            para.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        m = re.match(r"^(#{1,3}) (.*)$", line)
        if m:
            flush()
            blocks.append(Block(f"h{len(m.group(1))}", _plain(m.group(2))))
        elif line.startswith("- "):
            flush()
            if blocks and blocks[-1].kind == "li":
                blocks[-1].items.append(_plain(line[2:]))
            else:
                blocks.append(Block("li", items=[_plain(line[2:])]))
        elif line.startswith("> "):
            flush()
            blocks.append(Block("note", _plain(line[2:])))
        elif line.lstrip().startswith("|"):
            flush()
            if re.fullmatch(r"[\s|:\-]+", line):
                continue  # the |---|---| line under a header
            cells = [_plain(c) for c in _CELL_SPLIT.split(line.strip())[1:-1]]
            if blocks and blocks[-1].kind == "table":
                blocks[-1].items.append(cells)
            else:
                blocks.append(Block("table", items=[cells]))
        elif _IMG.match(line):
            flush()
            m = _IMG.match(line)
            blocks.append(Block("img", m.group("cap"), name=m.group("name")))
        else:
            para.append(line.strip())
    flush()
    return blocks


def to_bytes(text: str, charts: dict[str, bytes], fmt: str, title: str = "", lang: str = "zh") -> bytes:
    """The document in one format; Markdown bytes carry the charts' captions only (see `write`)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if fmt == "md":
        return re.sub(r"!\[([^\]]*)\]\(chart:[\w-]+\)", r"*\1*", text).encode("utf-8")
    blocks = parse(text)
    if fmt == "html":
        return _html(blocks, charts, title, lang)
    return {"docx": _docx, "pdf": _pdf}[fmt](blocks, charts, title)


def write(text: str, charts: dict[str, bytes], path: Path, title: str = "", lang: str = "zh") -> list[Path]:
    """Write the document to `path`, its format from the suffix; Markdown's charts go beside it as PNG
    files. Returns the files written."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{path.name}: the suffix must be one of .{', .'.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    written = [path]
    if fmt == "md":
        folder = path.with_name(f"{path.stem}_charts")
        used = set(re.findall(r"\(chart:([\w-]+)\)", text))
        if used & set(charts):
            folder.mkdir(exist_ok=True)
        for name in sorted(used & set(charts)):
            (folder / f"{name}.png").write_bytes(charts[name])
            written.append(folder / f"{name}.png")
        body = re.sub(r"\(chart:([\w-]+)\)", lambda m: f"({folder.name}/{m.group(1)}.png)", text)
        path.write_text(body, encoding="utf-8")
    else:
        path.write_bytes(to_bytes(text, charts, fmt, title, lang))
    return written


# -- HTML -------------------------------------------------------------------------------------------

_CSS = """body{font-family:"Noto Serif CJK SC","Songti SC",SimSun,serif;max-width:46em;margin:2em auto;line-height:1.7;color:#222}
h1{text-align:center;font-size:1.5em}table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #888;padding:.2em .5em;text-align:left}
th{background:#f0f0f0}.note{color:#555;font-size:.9em}figure{margin:1em 0}figcaption{font-size:.9em;color:#555}img{max-width:100%}"""


def _html(blocks: list[Block], charts: dict[str, bytes], title: str, lang: str) -> bytes:
    from lxml import html as lh
    from lxml.html import builder as E

    body = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            body.append(getattr(E, b.kind.upper())(b.text))
        elif b.kind == "p":
            body.append(E.P(b.text))
        elif b.kind == "note":
            body.append(E.P(b.text, E.CLASS("note")))
        elif b.kind == "li":
            body.append(E.UL(*[E.LI(i) for i in b.items]))
        elif b.kind == "table":
            head, *rows = b.items
            body.append(E.TABLE(E.THEAD(E.TR(*[E.TH(c) for c in head])),
                                E.TBODY(*[E.TR(*[E.TD(c) for c in r]) for r in rows])))
        elif b.kind == "img" and b.name in charts:
            src = "data:image/png;base64," + base64.b64encode(charts[b.name]).decode("ascii")
            body.append(E.FIGURE(E.IMG(src=src, alt=b.text), E.FIGCAPTION(b.text)))
    doc = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE(title), E.STYLE(_CSS)), E.BODY(*body), lang="zh-CN" if lang == "zh" else "en")
    return b"<!DOCTYPE html>\n" + lh.tostring(doc, encoding="utf-8", pretty_print=True)


# -- DOCX -------------------------------------------------------------------------------------------

def _east_asian(style_or_run, font: str = "宋体"):
    from docx.oxml.ns import qn

    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _docx(blocks: list[Block], charts: dict[str, bytes], title: str) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "Caption"):
        _east_asian(doc.styles[name], "黑体" if name.startswith(("Title", "Heading")) else "宋体")
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = title
    doc.core_properties.author = "nianbao"
    fixed = dt.datetime(2000, 1, 1)
    doc.core_properties.created = doc.core_properties.modified = fixed
    for b in blocks:
        if b.kind == "h1":
            doc.add_heading(b.text, 0)
        elif b.kind in ("h2", "h3"):
            doc.add_heading(b.text, int(b.kind[1]) - 1)
        elif b.kind == "p":
            doc.add_paragraph(b.text)
        elif b.kind == "note":
            run = doc.add_paragraph().add_run(b.text)
            run.font.size, run.italic = Pt(9), True
        elif b.kind == "li":
            for i in b.items:
                doc.add_paragraph(i, style="List Bullet")
        elif b.kind == "table":
            ncols = max(len(r) for r in b.items)
            table = doc.add_table(rows=0, cols=ncols)
            table.style = "Table Grid"
            for k, row in enumerate(b.items):
                cells = table.add_row().cells
                for c, text in zip(cells, row):
                    c.text = text
                    if k == 0:
                        for run in c.paragraphs[0].runs:
                            run.bold = True
            doc.add_paragraph()
        elif b.kind == "img" and b.name in charts:
            doc.add_picture(io.BytesIO(charts[b.name]), width=Cm(15))
            doc.add_paragraph(b.text, style="Caption")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- PDF --------------------------------------------------------------------------------------------

_FONT = "STSong-Light"
# characters STSong-Light has no glyph for under their usual code points, written as ones it has
_PDF_CHARS = str.maketrans({"\u00b7": "\u30fb", "\u2022": "\u30fb", "\u2027": "\u30fb", "\u2212": "-"})


def _pdf_text(s: str) -> str:
    from xml.sax.saxutils import escape

    return escape(s.translate(_PDF_CHARS))


def _text_width(text: str, size: float) -> float:
    """A line's width in points: a CJK or full-width character is about one em, any other about half."""
    import unicodedata

    return sum(size if unicodedata.east_asian_width(c) in ("W", "F") else size * 0.55 for c in str(text))


def column_widths(rows: list[list[str]], total: float, size: float, short_ems: float = 8.0, pad: float = 12.0) -> list[float]:
    """Widths of a PDF table's columns (points, summing to `total`): a column whose cells all print within
    `short_ems` ems (a number, a date, a status such as 待核实, 复议诉讼纠错率) is as wide as its widest cell, so
    none is printed a few characters a line; the width left is shared by the long columns by how wide their
    text prints (a CJK character about one em, a Latin one about half)."""
    ncols = max(len(r) for r in rows)
    cells = [[str(r[k]) if k < len(r) else "" for r in rows] for k in range(ncols)]
    printed = [[_text_width(c, size) for c in col] for col in cells]
    # a column of figures (no CJK ideograph: +427,806,325（+101.7%）) is kept whole up to twice as wide, since
    # the CJK wrap would break inside a number
    figures = [not any("\u4e00" <= ch <= "\u9fff" for c in col[1:] for ch in c) for col in cells]
    short = [max(p) <= short_ems * size or (fig and max(p[1:] or [0]) <= 2 * short_ems * size)
             for p, fig in zip(printed, figures)]
    need = [max(p) + pad if is_short else min(p[0], size * 6) + pad for p, is_short in zip(printed, short)]
    weights = [0.0 if is_short else min(max(p), size * 40) for p, is_short in zip(printed, short)]
    left = total - sum(need)
    if left <= 0:  # too narrow for every short column whole: all shrink alike
        return [total * n / sum(need) for n in need]
    if not sum(weights):
        return [n + left / ncols for n in need]
    return [n + left * w / sum(weights) for n, w in zip(need, weights)]


# Chinese punctuation that must not start a line (reportlab's list is Japanese: it lacks ，；：！？ and the
# closing quotes), so that a line never begins with "，"
_CANNOT_START = "\uff0c\uff1b\uff1a\uff01\uff1f\u300b\u201d\u2019\uff05"


def _no_line_starts_with_punctuation() -> None:
    """Both of reportlab's CJK wraps (one text run: textsplit.wordSplit; several: paragraph.cjkFragSplit)
    read their module's list."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        if not all(c in module.ALL_CANNOT_START for c in _CANNOT_START):
            module.ALL_CANNOT_START += _CANNOT_START


def _pdf(blocks: list[Block], charts: dict[str, bytes], title: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Image, ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    _no_line_starts_with_punctuation()
    base = ParagraphStyle("base", fontName=_FONT, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=4)
    st = {"h1": ParagraphStyle("h1", parent=base, fontSize=17, leading=24, alignment=1, spaceAfter=12),
          "h2": ParagraphStyle("h2", parent=base, fontSize=13.5, leading=20, spaceBefore=10, spaceAfter=6),
          "h3": ParagraphStyle("h3", parent=base, fontSize=11.5, leading=17, spaceBefore=6),
          "p": base, "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=colors.grey),
          "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12, spaceAfter=0)}
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=title, author="nianbao", creator="nianbao", invariant=1)
    story = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3", "p", "note"):
            story.append(Paragraph(_pdf_text(b.text), st[b.kind]))
        elif b.kind == "li":
            story.append(ListFlowable([ListItem(Paragraph(_pdf_text(i), base), value="\u30fb") for i in b.items],
                                      bulletType="bullet", bulletFontName=_FONT, leftIndent=14))
        elif b.kind == "table":
            ncols = max(len(r) for r in b.items)
            rows = [[Paragraph(_pdf_text(c), st["cell"]) for c in r] + [""] * (ncols - len(r)) for r in b.items]
            t = Table(rows, colWidths=column_widths(b.items, doc.width, st["cell"].fontSize), repeatRows=1)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [t, Spacer(1, 6)]
        elif b.kind == "img" and b.name in charts:
            img = Image(io.BytesIO(charts[b.name]))
            scale = min(1.0, doc.width / img.drawWidth)
            img.drawWidth, img.drawHeight = img.drawWidth * scale, img.drawHeight * scale
            story += [img, Paragraph(_pdf_text(b.text), st["note"])]
    doc.build(story)
    return out.getvalue()
