"""Web pages: the report's text and its <table>s, without the site around it.

Government pages wrap the report in navigation, share bars, scripts and footers. The reader finds
the element that holds the report (the nearest common ancestor of the report's tables and its
opening heading), and reads only that: block elements become paragraphs, each <table> a grid with
rowspan/colspan expanded. Word-exported markup (<p><span>, <o:p>, &nbsp; padding) is flattened.
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from pipeline.read.cells import FOOTNOTE_MARK
from pipeline.read.document import Document, Paragraph, Table, grid_from_spans
from pipeline.read.common import ReadError, decode
from pipeline.spec import tables

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select", "button",
              "input", "textarea", "svg", "canvas", "map")
_BLOCK = {"p", "div", "section", "td", "th", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "pre", "tr", "dd", "dt", "dl", "center", "header", "footer", "nav", "aside", "form",
          "figure", "figcaption", "address", "hr", "caption"}
_CHROME = re.compile(r"(^|[\s_-])(nav|menu|footer|foot|header|breadcrumb|crumb|share|sidebar|topbar|banner|"
                     r"copyright|search|login|links?|position|location)([\s_-]|$)", re.I)
_REPORT_TABLE = re.compile("|".join(map(re.escape, ("本年新收", tables.ACTIVE_LABEL_HEAD, tables.REVIEW_GROUP[0],
                                                     tables.APPLICANTS[0], "处理决定", "第二十条"))))
_OPENING = re.compile(r"总体情况|统计期限|年度报告")
_WS = re.compile(r"[ \t\r\n\u00a0\u3000\u200b\ufeff]+")


# huge_tree: libxml2's depth limit 2,048 rather than 256 (a CMS page wrapped in 250 <div>s lost its text at
# 256); the file's size is limited before it is parsed
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True,
                           default_doctype=False, huge_tree=True)


def _drop(el) -> None:
    """Remove an element but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _text(el) -> str:
    return _WS.sub(" ", etree.tostring(el, method="text", encoding=str, with_tail=False)).strip()


def _cell_text(td) -> str:
    """A cell's text (paragraph and line breaks already turned into spaces by `_rows`)."""
    if not len(td):
        return _WS.sub(" ", td.text or "").strip()
    return _text(td)


def _own_rows(table):
    """The table's own <tr>s (directly or in thead/tbody/tfoot), not those of a nested table."""
    for child in table.iterchildren():
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from child.iterchildren("tr")


def _rows(table) -> list[list[tuple[str, int, int]]]:
    # <br> and paragraph breaks inside cells read as spaces ('结果<br>纠正' is 结果 纠正), in one pass
    for el in table.iter("br"):
        el.tail = " " + (el.tail or "")
    for el in table.iter("p", "div", "li"):
        el.tail = " " + (el.tail or "")
        el.text = " " + (el.text or "")
    rows = []
    for tr in _own_rows(table):
        row = []
        for td in tr.iterchildren("td", "th"):
            rowspan, colspan = td.get("rowspan"), td.get("colspan")
            row.append((_cell_text(td), 1 if rowspan is None else _span(rowspan),
                        1 if colspan is None else _span(colspan)))
        if row:
            rows.append(row)
    return rows


def _span(v) -> int:
    if v is None:
        return 1
    try:
        return max(1, int(str(v).strip().split(".")[0]))
    except (TypeError, ValueError):
        return 1


def _is_report_table(t) -> bool:
    # the words have no white space in them, so the text needs no folding of it first
    return _REPORT_TABLE.search(etree.tostring(t, method="text", encoding=str, with_tail=False)) is not None


def _content_root(body):
    """The element that holds the report: common ancestor of its tables and opening text."""
    # leaf tables only: old sites lay whole pages out in tables, with the report's tables inside
    tables = [t for t in body.iter("table") if t.find(".//table") is None and _is_report_table(t)]
    anchors = list(tables)
    for el in body.iter("p", "div", "h1", "h2", "h3", "span", "td", "strong", "b", "font"):
        if el.text and _OPENING.search(el.text) and not len(el):
            anchors.append(el)
            break
    if not anchors:
        return body
    paths = []
    for a in anchors:
        chain = [a]
        while chain[-1].getparent() is not None:
            chain.append(chain[-1].getparent())
        paths.append(list(reversed(chain)))
    root = body
    for level in zip(*paths):
        if all(x is level[0] for x in level):
            root = level[0]
        else:
            break
    if root.tag == "table" and root.getparent() is not None:
        root = root.getparent()
    # a root too small to hold the narrative (only the tables): climb while the text grows little
    while root is not body and len(_text(root)) < 800 and root.getparent() is not None:
        root = root.getparent()
    return root


_CHROME_TAGS = ("div", "ul", "ol", "section", "span", "p", "td")


def _strip_chrome(root) -> None:
    for el in list(root.iter("nav", "footer", "header", "aside")):
        if el.getparent() is not None and not any(_is_report_table(t) for t in el.iter("table")):
            _drop(el)
    # the root's descendants of these kinds with a class or an id, in document order
    marked = [el for el in root.iter(*_CHROME_TAGS)
              if (el.get("class") is not None or el.get("id") is not None) and el is not root]
    for el in marked:
        if el.getparent() is None:
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if marker.strip() and _CHROME.search(marker):
            if not any(True for _ in el.iter("table")) and len(_text(el)) < 400:
                _drop(el)


_MARKER = re.compile("^\ue000(\\d+)\ue001$")  # private-use characters no page contains


def _blocks(root, doc: Document) -> None:
    """Paragraphs and tables in reading order. Each leaf table is read into a grid and replaced by a
    marker; block boundaries become line breaks; one C-level text serialisation does the rest."""
    grids: list[Table | None] = []
    for t in [t for t in root.iter("table") if t.find(".//table") is None]:
        rows = _rows(t)
        grids.append(Table(grid_from_spans(rows)) if rows else None)
        marker = etree.Element("span")
        marker.text = f"\n\ue000{len(grids) - 1}\ue001\n"
        marker.tail = t.tail
        parent = t.getparent()
        if parent is None:  # the root itself is a table
            doc.blocks.extend(g for g in grids if g is not None)
            return
        parent.replace(t, marker)
    for el in root.iter(*_BLOCK, "table"):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    for el in root.iter("br"):
        el.tail = "\n" + (el.tail or "")
    text = etree.tostring(root, method="text", encoding=str, with_tail=False)
    for line in text.split("\n"):
        if not line:
            continue
        line = _WS.sub(" ", line).strip()
        if not line:
            continue
        m = _MARKER.match(line)
        if m:
            grid = grids[int(m.group(1))]
            if grid is not None:
                doc.blocks.append(grid)
            continue
        doc.blocks.append(Paragraph(line))


_IMAGE_MARKER = re.compile("^\ue002(\\d+)\ue003$")


def _local_image(src: str, folder: Path) -> Path | None:
    """The file an <img src> names beside the page (in its folder or below it); None for another
    site's address, a data: URI, or a path leading out of the folder."""
    from pipeline.read.pictures import _beside

    return _beside(src, folder)


def _read_images(root, pictures) -> list:
    """A page whose report tables are pictures: each <img> of the report's body that is one of the
    page's own pictures is replaced by a marker, and read by OCR (in `_expand_images`)."""
    found = []
    for img in list(root.iter("img")):
        got = pictures.find(img.get("src") or "")
        if got is None:
            continue
        marker = etree.Element("p")
        marker.text = f"\ue002{len(found)}\ue003"
        marker.tail = img.tail
        parent = img.getparent()
        if parent is not None:
            parent.replace(img, marker)
            found.append(got)
    return found


def _expand_images(doc: Document, images: list, name: str) -> None:
    import time

    from pipeline import limits
    from pipeline.read.ocr import check_time_left, ocr_image_bytes

    lim = limits.current()
    blocks = []
    started, done = time.monotonic(), 0
    for block in doc.blocks:
        m = _IMAGE_MARKER.match(block.text) if isinstance(block, Paragraph) else None
        if m is None:
            blocks.append(block)
            continue
        check_time_left(done, len(images), started, name, "pictures")
        done += 1
        image, size, read = images[int(m.group(1))]
        if size > lim.file_mb * 1024 * 1024:
            doc.issues.append(("image_too_large", "warning", f"image {image} is over {lim.file_mb} MiB; not read", name))
            continue
        blocks.extend(ocr_image_bytes(read(), name, image, doc))
    doc.blocks = blocks


def _tree(text: str, name: str):
    """The page's tree."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        tree = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise ReadError(name, f"not a readable HTML page ({e})") from None
    if tree is None:
        raise ReadError(name, "not a readable HTML page (no elements)")
    if any("Excessive depth" in e.message for e in _PARSER.error_log):  # what is deeper is lost: say so, read nothing
        raise ReadError(name, "its elements are nested deeper than 2,048 levels: the page is cut off there "
                              "and is not read")
    return tree


def _body(tree):
    """The element holding the report, the site around it stripped."""
    _drop_hidden(tree)
    etree.strip_elements(tree, *_DROP_TAGS, with_tail=False)
    _drop_footnote_marks(tree)
    body = tree.find(".//body")
    if body is None:
        body = tree
    root = _content_root(body)
    _strip_chrome(root)
    return root


_HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|line-through|(?<![-\w])font-size\s*:\s*0(?:\.0*)?(?:px|pt|em|rem|%)?\s*(?:;|$|!)",
                     re.I)
_HIDDEN_CLASS = re.compile(r"\.([\w-]+)\s*\{([^}]*)\}")


def _drop_hidden(tree) -> None:
    """Text a browser does not show, or shows struck out: an element hidden by its own style (display:none,
    visibility:hidden, font-size:0, Word's mso-hide), by the `hidden` attribute, or by a page's rule for its class
    (.x{display:none}); and deleted text (<del>, <s>, <strike>, line-through: 9̶0 is 0, not 90).
    Sites hide characters between a table's digits against copying (0<span style="display:none">1</span> is 0).
    Only short hidden text is dropped: a page may hide a whole pane that its scripts show."""
    classes = {m.group(1) for style in tree.iter("style") for m in _HIDDEN_CLASS.finditer(style.text or "")
               if _HIDING.search(m.group(2))}
    candidates = tree.xpath("//del | //s | //strike | //*[@style or @hidden" + (" or @class]" if classes else "]"))
    hidden = [el for el in candidates if el.tag not in ("html", "body")
              and (el.tag in ("del", "s", "strike") or _HIDING.search(el.get("style") or "") or el.get("hidden") is not None
                   or (classes and classes & set((el.get("class") or "").split())))]
    for el in hidden:
        if len(_text(el)) <= 20:  # a few characters; a hidden block (a tab's pane a script shows) stays, as before
            _drop(el)


def _drop_footnote_marks(tree) -> None:
    """Footnote marks out of the text: Word's footnote and endnote references (<a href="#_ftn1">[1]</a>) and a
    superscript that is a mark (18<sup>2</sup>: 18, not 182); any other raised or lowered text set apart from
    the number before it as plain text sets it (0<sup>123</sup> is 0^123, no number)."""
    marks = [a for a in tree.iter("a") if (a.get("href") or "").startswith(("#_ftn", "#_edn"))]
    for el in tree.iter("sup", "sub"):
        if el.tag == "sup" and FOOTNOTE_MARK.match(_text(el)):
            marks.append(el)
        else:
            el.text, el.tail = ("^" if el.tag == "sup" else "_") + (el.text or ""), " " + (el.tail or "")
    for el in marks:
        _drop(el)


def body_pictures(text: str, name: str = "page") -> list[str]:
    """The `src` of every <img> the reader would read by OCR: those in the report's body, when the page
    has no report table (its tables are pictures). What `nianbao fetch` downloads with a page, and the
    refresh keeps with it."""
    try:
        root = _body(_tree(text, name))
    except ReadError:
        return []
    if any(_is_report_table(t) for t in root.iter("table")):
        return []
    out = []
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if src and not src.lower().startswith("data:") and src not in out:
            out.append(src)
    return out


def read_html(data: bytes, name: str, images_from=None) -> Document:
    """The page's report. With `images_from` (the page's folder, or its `pictures.Pictures`), a page
    whose report has no table but pictures of its own has those pictures read by OCR (tables pasted as
    screenshots)."""
    text = decode(data, name, html=True)
    tree = _tree(text, name)
    title = None
    for meta in tree.iter("meta"):
        if (meta.get("name") or "").lower() in ("articletitle", "title", "dc.title") and meta.get("content"):
            title = meta.get("content").strip()
            break
    published = None
    for meta in tree.iter("meta"):
        if (meta.get("name") or "").lower() in ("pubdate", "publishdate", "firstpublishedtime", "dc.date") and meta.get("content"):
            m = re.match(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})", meta.get("content").strip())
            if m:
                published = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                break
    if not title:
        t = tree.find(".//title")
        if t is not None and _text(t):
            title = _text(t)
    root = _body(tree)
    doc = Document(path=name, format="html", title=title, published=published)
    images = []
    if images_from is not None and not any(_is_report_table(t) for t in root.iter("table")):
        from pipeline.read.pictures import Pictures

        pictures = images_from if isinstance(images_from, Pictures) else Pictures(Path(images_from), name)
        images = _read_images(root, pictures)
    _blocks(root, doc)
    if images:
        _expand_images(doc, images, name)
    if not doc.blocks:
        raise ReadError(name, "the page holds no text")
    return doc
