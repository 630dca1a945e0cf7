"""Reading the sites' pages: report titles and years, a list page's report links and next pages, a
report page's date and attachments, the kind of a downloaded file."""
from __future__ import annotations

from pipeline.spec.numbers import find_date

import datetime as dt
import re
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from pipeline.fetch.http import Answer, FetchFailed
from pipeline.warehouse.register import host_of

# the report as a document a page links to: also WPS's spreadsheet (.et), OpenDocument and Rich Text, which nianbao reads
DOC_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".txt", ".et", ".odt", ".ods", ".rtf")
FIRST_FORMAT_YEAR = 2019
CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
             "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = r"((?:19|20)\d{2}|[〇零○Ｏ一二][〇零○Ｏ一二三四五六七八九]{3})"
# a link title naming an annual disclosure report
REPORT_TITLE = re.compile(_YEAR + r"\s*年\s*度?.{0,40}?(?:政府信息公开|政务公开|信息公开).{0,16}?(?:年度报告|年报|工作报告)"
                          r"|" + _YEAR + r"\s*年\s*度?\s*(?:政府信息公开|信息公开)?\s*年报")
# titles that name such a report but are not one
NOT_REPORT = re.compile(r"通知|意见|要点|解读|图解|说明|公示|发布会|编制|格式|模板|审查|评估|考核|第三方|通报|目录|指南")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
# a report page's own date, most telling first: its publication date, then any other labelled date
_PAGE_DATES = (re.compile(r"(?:发布时间|发布日期)\s*[:：]?\s*" + _DATE.pattern),
               re.compile(r"(?:成文日期|发文日期|公开日期|日期|时间)\s*[:：]\s*" + _DATE.pattern))
_META_DATES = ("pubdate", "publishdate", "firstpublishedtime", "articlepubdate", "dc.date", "dcterms.issued")
# what the text of an annual report holds (a page without two of these and without attachments is not one)
_REPORT_WORDS = ("总体情况", "主动公开", "依申请公开", "政府信息公开申请", "行政复议", "行政诉讼", "存在的主要问题")
_URL_DATE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_")
_NEXT = re.compile(r"^\s*(下一页|下页|后页|next|›|»|>)\s*$", re.I)
# TRS-style pagers: createPageHTML(pages, current, "index", "html")
_TRS_PAGER = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")


def year_of(title: str) -> int | None:
    m = REPORT_TITLE.search(title or "")
    if not m:
        return None
    y = m.group(1) or m.group(2)
    y = "".join(CN_DIGITS.get(c, c) for c in y)
    return int(y) if y.isdigit() and y.isascii() else None


def is_report_title(title: str) -> bool:
    return bool(title) and REPORT_TITLE.search(title) is not None and not NOT_REPORT.search(title)


def date_in(text: str, pattern=_DATE) -> dt.date | None:
    """The first real date the pattern finds (the list's and page's date forms; the address's)."""
    return find_date(text, pattern)


def url_date(url: str) -> dt.date | None:
    return date_in(url, _URL_DATE)


def _kind(ans: Answer) -> str:
    path = urlsplit(ans.url).path.lower()
    for suf in DOC_SUFFIXES:
        if path.endswith(suf):
            return suf
    ctype = (ans.headers.get("content-type") or "").lower()
    for word, suf in (("pdf", ".pdf"), ("msword", ".doc"), ("wordprocessingml", ".docx"), ("spreadsheetml", ".xlsx"),
                      ("ms-excel", ".xls"), ("text/plain", ".txt"), ("opendocument.text", ".odt"),
                      ("opendocument.spreadsheet", ".ods"), ("rtf", ".rtf")):
        if word in ctype:
            return suf
    if ans.content[:5] == b"%PDF-":
        return ".pdf"
    return ".html"


def _decode_html(ans: Answer) -> str:
    from pipeline.read.common import ReadError, decode

    m = re.search(r"charset=([\w-]+)", ans.headers.get("content-type") or "", re.I)
    if m:
        enc = m.group(1).lower()
        enc = "gb18030" if enc in ("gb2312", "gbk", "gb18030") else enc
        try:
            return ans.content.decode(enc)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return decode(ans.content, ans.url, html=True)
    except ReadError as e:
        raise FetchFailed(e.reason) from None


def _links(html: str, base: str):
    import lxml.html

    try:
        root = lxml.html.fromstring(html or "<html/>")
    except Exception:
        return None, []
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        try:
            url = urldefrag(urljoin(base, href))[0]
            scheme = urlsplit(url).scheme
        except ValueError:
            continue
        if scheme not in ("http", "https"):
            continue
        text = re.sub(r"\s+", "", a.text_content() or "")
        title = re.sub(r"\s+", "", a.get("title") or "") or text
        out.append((a, url, title, text))
    return root, out


_ROWS = ("li", "tr", "dl", "p", "table", "ul", "ol", "body")


def _text_of(el, limit: int = 300) -> str:
    out, n = [], 0
    for t in el.itertext():
        out.append(t)
        n += len(t)
        if n >= limit:
            break
    return "".join(out)[:limit]


def _has_link(el) -> bool:
    return el.tag == "a" or next(el.iter("a"), None) is not None


def row_date(a) -> dt.date | None:
    """The date the list shows beside a link, whatever holds it: the text after the link, a sibling
    (a <span>, the next cell, the next <dd>), climbing from the link to its row but never past
    another link. A few siblings and characters per level: linear in the page, however many links."""
    el = a
    for _ in range(4):
        text = el.tail or ""
        sib, n = el.getnext(), 0
        while sib is not None and n < 4 and len(text) < 300:
            if not isinstance(sib.tag, str):
                text += sib.tail or ""
            elif _has_link(sib):
                break
            else:
                text += " " + _text_of(sib) + " " + (sib.tail or "")
            sib, n = sib.getnext(), n + 1
        d = date_in(text[:400])
        if d:
            return d
        if el is not a and el.tag in _ROWS:
            break
        parent = el.getparent()
        if parent is None or parent.tag in ("ul", "ol", "table", "tbody", "body", "html"):
            break
        if any(_has_link(s) for s in _siblings(el)):
            break  # the parent holds other links: its text is not this link's row
        el = parent
    # the date before the link in its own element (2024-01-20 <a>…</a>)
    prev = a.getprevious()
    head = (a.getparent().text or "") if a.getparent() is not None else ""
    if prev is not None and isinstance(prev.tag, str) and not _has_link(prev):
        head = _text_of(prev) + (prev.tail or "")
    return date_in(head[-60:])


def _siblings(el, k: int = 3):
    out, s = [], el.getprevious()
    while s is not None and len(out) < k:
        out.append(s)
        s = s.getprevious()
    s = el.getnext()
    while s is not None and len(out) < 2 * k:
        out.append(s)
        s = s.getnext()
    return [x for x in out if isinstance(x.tag, str)]


def parse_list(html: str, base: str) -> dict:
    """Report links of a list page (title, year, the date the list shows beside it) and its next pages.
    Without a date on the list, the item's date is None: the address's date (t20240120_…) is a last
    resort taken only when the report page states none either."""
    root, links = _links(html, base)
    items, nexts, seen = [], [], set()
    site = host_of(base)
    for a, url, title, text in links:
        if is_report_title(title) or is_report_title(text):
            t = title if is_report_title(title) else text
            if host_of(url) != site and not urlsplit(url).path.lower().endswith(DOC_SUFFIXES):
                continue  # a link to another site's report page: not this agency's
            if url in seen:
                continue
            seen.add(url)
            shown = row_date(a)
            items.append({"url": url, "title": t, "year": year_of(t), "date": shown.isoformat() if shown else None,
                          "date_source": "list" if shown else None})
        elif _NEXT.match(text) and host_of(url) == site:
            nexts.append(url)
    for m in _TRS_PAGER.finditer(html or ""):
        pages, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        if current + 1 < pages:
            nexts.append(urljoin(base, f"{stem}_{current + 1}.{ext}"))
    return {"items": items, "next": list(dict.fromkeys(nexts))}


def page_date(root, text: str) -> dt.date | None:
    """The date a report page states: <meta name="PubDate">, then 发布时间/发布日期, then another
    labelled date (成文日期, 日期：, 时间：)."""
    if root is not None:
        for m in root.iter("meta"):
            if (m.get("name") or m.get("property") or "").strip().lower() in _META_DATES:
                d = date_in(m.get("content") or "")
                if d:
                    return d
    for pattern in _PAGE_DATES:
        d = date_in(text, pattern)
        if d:
            return d
    return None


def parse_report_page(html: str, base: str) -> dict:
    """A report page's title, the publication date it states, its attachments, and whether it reads
    as a report at all (a "page not found" under a report's title does not)."""
    root, links = _links(html, base)
    text = root.text_content() if root is not None else ""
    date = page_date(root, text)
    title_el = root.find(".//title") if root is not None else None
    title = re.sub(r"\s+", "", title_el.text_content()) if title_el is not None else ""
    found = [url for _, url, _, _ in links]
    if root is not None:  # a document shown in the page (<iframe src=…pdf>, a pdf.js viewer's ?file=…)
        for el in root.iter("iframe", "embed", "object"):
            src = (el.get("src") or el.get("data") or "").strip()
            m = re.search(r"[?&]file=([^&]+)", src)
            src = unquote(m.group(1)) if m else src
            try:
                found.append(urldefrag(urljoin(base, src))[0] if src else "")
            except ValueError:
                continue
    attachments = list(dict.fromkeys(u for u in found if u.startswith(("http://", "https://"))
                                     and urlsplit(u).path.lower().endswith(DOC_SUFFIXES)))
    words = sum(1 for w in _REPORT_WORDS if w in text)
    return {"date": date.isoformat() if date else None, "title": title, "attachments": attachments,
            "is_report": bool(attachments) or words >= 2}
