"""A web page saved as one file (MHTML: `.mht`, `.mhtml`), as browsers and Word save "Web page, single file".

The file is a MIME message: the page's HTML in one part (quoted-printable or base64, in the charset the
part declares), its pictures and frames in others, each under the address it was loaded from. The page is
read by the HTML reader; its pictures are handed over from the message, so a table saved as a picture is
read by OCR as it would be on the site.
"""
from __future__ import annotations

import codecs
import email
import email.parser
import email.policy
from urllib.parse import urljoin

from pipeline.read.common import ReadError
from pipeline.read.document import Document
from pipeline.read.pictures import Pictures

def read_mhtml(data: bytes, name: str) -> Document:
    from pipeline import limits
    from pipeline.read.html import read_html

    lim = limits.current().mhtml_parts
    head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data[:16384])
    boundary = (head.get_boundary() or "").encode("ascii", "replace")
    if boundary and data.count(b"--" + boundary) - 1 > lim:  # counted before the message is parsed into parts
        raise ReadError(name, f"a saved web page of more than {lim:,} parts; the limit is {lim:,} "
                              "(NIANBAO_MAX_MHTML_PARTS): not a report page")
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    parts = [p for p in msg.walk() if not p.is_multipart()]
    page = _page_part(msg, parts)
    if page is None:
        raise ReadError(name, "a saved web page (MHTML) with no HTML part")
    html = _html_bytes(page, name)
    base = page.get("Content-Location") or msg.get("Snapshot-Content-Location") or ""
    doc = read_html(html, name, images_from=_SavedPictures(parts, base))
    doc.format = "mhtml"
    return doc


def _page_part(msg, parts):
    """The page itself: the part the message names as its start or its address, else the first HTML part."""
    htmls = [p for p in parts if p.get_content_type() in ("text/html", "application/xhtml+xml")]
    start = (msg.get_param("start") or "").strip("<>")
    where = (msg.get("Snapshot-Content-Location") or "").strip()
    for p in htmls:
        if start and (p.get("Content-ID") or "").strip().strip("<>") == start:
            return p
        if where and (p.get("Content-Location") or "").strip() == where:
            return p
    return htmls[0] if htmls else None


def _html_bytes(part, name: str) -> bytes:
    """The page's HTML as UTF-8 with a byte-order mark, decoded by the charset its part declares: a browser
    saves the page in UTF-8 but leaves the page's own <meta charset> (often GB2312) as it was, so the
    part's charset, not the page's, says how its bytes are written."""
    raw = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    if not charset:
        return raw  # the HTML reader's own decoding (BOM, <meta>, UTF-8, GB18030, detection)
    try:
        codecs.lookup(charset)
    except LookupError:
        return raw
    if charset.lower().replace("_", "").replace("-", "") in ("gb2312", "gbk", "cp936", "euccn"):
        charset = "gb18030"  # their superset, so rare characters survive
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError:
        return raw  # the part's charset is wrong: let the HTML reader find the page's own
    return codecs.BOM_UTF8 + text.encode("utf-8", "surrogatepass")


class _SavedPictures(Pictures):
    """The pictures saved in the message, found by the address the page's `src` resolves to (or its cid:)."""

    def __init__(self, parts, base: str):
        super().__init__()
        self.base = base
        self.by_location: dict[str, object] = {}
        for p in parts:
            if p.get_content_maintype() != "image":
                continue
            loc = (p.get("Content-Location") or "").strip()
            cid = (p.get("Content-ID") or "").strip().strip("<>")
            if loc:
                self.by_location.setdefault(loc, p)
            if cid:
                self.by_location.setdefault("cid:" + cid, p)

    def find(self, src: str):
        src = (src or "").strip()
        if not src:
            return None
        part = self.by_location.get(src) or self.by_location.get(urljoin(self.base, src))
        if part is None:
            return None
        data = part.get_payload(decode=True) or b""
        return (src.rsplit("/", 1)[-1][:80] or "picture", len(data), lambda: data)
