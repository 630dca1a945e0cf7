"""What every reader shares: the error type, format sniffing and text decoding."""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes


class ReadError(Exception):
    """A file that is not a report or cannot be read. str() names the file and the reason."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


_HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|html|head|body|table|meta|div|p)\b", re.I)


def sniff_format(data: bytes, name: str) -> str:
    """txt | csv | html | mhtml | pdf | docx | doc | wps | odt | rtf | xlsx | xls | ods, from the content first and the name second."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise ReadError(name, "the file is empty")
    lower = name.lower()
    if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if data[30:38] == b"mimetype" and b"application/vnd.oasis.opendocument." in data[38:120]:
            kind = data[38:120].split(b"opendocument.", 1)[1]  # OpenDocument: the first entry names the kind
            if kind.startswith(b"text"):
                return "odt"
            if kind.startswith(b"spreadsheet"):
                return "ods"
            raise ReadError(name, "an OpenDocument file that is neither a text (.odt) nor a spreadsheet (.ods)")
        if b"word/" in data[:65536] or lower.endswith(".docx"):
            return "docx"
        if b"xl/" in data[:65536] or lower.endswith((".xlsx", ".xlsm")):
            return "xlsx"
        raise ReadError(name, "a ZIP archive that is not a Word (.docx) document or a workbook (.xlsx)")
    if data.lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy .doc / .wps / .xls / WPS's .et
        if lower.endswith((".xls", ".et")) or ("WordDocument".encode("utf-16-le") not in data
                                      and "Workbook".encode("utf-16-le") in data):
            return "xls"
        return "wps" if lower.endswith(".wps") else "doc"
    if is_mhtml(data):
        return "mhtml"
    if lower.endswith((".xls", ".xlsx", ".xlsm")) and _HTML_SNIFF.search(data[:2048]):
        return "html"  # a table saved by Excel (or a site) as a web page under a workbook's name
    if lower.endswith((".pdf", ".docx", ".doc", ".wps", ".odt", ".rtf", ".xls", ".xlsx", ".xlsm", ".ods", ".et")):
        raise ReadError(name, f"the name says {lower.rsplit('.', 1)[-1].upper()} but the content is not")
    head = data[:4096]
    if _looks_binary(head):
        raise ReadError(name, "binary content, not a text, HTML, PDF or Word report")
    if lower.endswith((".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml")):  # (a page saved whole is HTML)
        return "html"
    if lower.endswith((".txt", ".text", ".md")):
        return "txt"
    if lower.endswith(".csv"):
        return "csv"
    if _HTML_SNIFF.search(head[:2048]):
        return "html"
    return "txt"


# the message's own header names multipart/related (Chromium, Firefox add-ons, Word, IE)
_MIME_RELATED = re.compile(rb"(?im)^content-type:[ \t]*multipart/related")
_MIME_HEADER_LINE = re.compile(rb"[!-9;-~]+:|[ \t]")  # `Name: value`, or a folded value's next line


def is_mhtml(data: bytes) -> bool:
    """Whether the bytes are a saved page's MIME message: it opens with a block of header lines, one of
    them Content-Type: multipart/related."""
    head = data[:16384].lstrip(b"\r\n\xef\xbb\xbf")
    end = re.search(rb"\r?\n\r?\n", head)
    if end is None:
        return False
    block = head[: end.start()]
    return _MIME_RELATED.search(block) is not None and all(
        _MIME_HEADER_LINE.match(line) for line in block.splitlines() if line.strip())


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text saved without a byte-order mark (Windows tools do),
    told by where its NUL bytes fall and by the text reading as Chinese; otherwise None."""
    head = data[:4096]
    if len(head) < 64 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 64 or head.count(b"\x00") < len(head) // 8:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible_chinese(text) and "\x00" not in text:
            return enc
    return None


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(head):
        return False
    if b"\x00" in head:
        return True
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > max(8, len(head) // 50)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn"}


def decode(data: bytes, name: str, html: bool = False) -> str:
    """The file's text within the text limit; a text file's with one spelling per character
    (text.normalize; an HTML page's text is normalised after parsing, not its markup)."""
    from pipeline.read.text import normalize

    text = _decode(data, name, html)
    if not html:
        text = normalize(text)
    from pipeline import limits

    lim = limits.current()
    if len(text) > lim.text_chars:
        raise ReadError(name, f"holds {len(text):,} characters of text; the limit is {lim.text_chars:,} "
                              "(NIANBAO_MAX_TEXT_CHARS): not a report")
    return text


def _decode(data: bytes, name: str, html: bool = False) -> str:
    """Text from bytes: BOM, then (HTML) the <meta> charset, then UTF-8, then GB18030, then detection.

    GB2312 and GBK are decoded as GB18030, their superset, so rare characters survive. A file whose
    text would pass the character limit is refused before it is decoded.
    """
    from pipeline import limits

    lim = limits.current()
    if len(data) > lim.text_chars * 4 or (len(data) > lim.text_chars and not html):
        raise ReadError(name, f"holds more than {lim.text_chars:,} characters of text; the limit is "
                              f"NIANBAO_MAX_TEXT_CHARS: not a report")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return to_simplified(data[len(bom):].decode(enc))
            except UnicodeDecodeError:
                raise ReadError(name, f"starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()}") from None
    bare = utf16_without_bom(data)
    if bare:
        try:
            return to_simplified(data[: len(data) - len(data) % 2].decode(bare))
        except UnicodeDecodeError:
            pass
    candidates: list[str] = []
    if html:
        m = _META_CHARSET.search(data[:4096])
        if m:
            declared = m.group(1).decode("ascii", "ignore").lower()
            candidates.append("gb18030" if declared in _GB else declared)
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "gb18030" and not _plausible_chinese(text):
            continue
        return to_simplified(text)
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        text = str(best)
        if _plausible_chinese(text):
            return to_simplified(text)
    raise ReadError(name, "cannot be decoded: neither UTF-8 nor GB18030/GBK, and no encoding could be detected")


_T2S = None
# characters that only Traditional script uses, common in these reports
_TRADITIONAL = set("與個們這來時會為說國關對開發資報數業條項應處規範於網機構價圍齊務書號區縣鄉鎮廳辦議審復訟請統")


_TRADITIONAL_RX = re.compile("[" + "".join(sorted(_TRADITIONAL)) + "]")
_CJK_RX = re.compile("[\u4e00-\u9fff]")


def is_traditional(text: str) -> bool:
    """Whether a text is written in Traditional script: enough characters that only Traditional uses
    (five at least, and 2% of its Chinese characters), so a mainland report is never rewritten."""
    sample = text[:200000]
    trad = len(_TRADITIONAL_RX.findall(sample))
    return trad >= 5 and trad >= len(_CJK_RX.findall(sample)) * 0.02


def simplified(text: str) -> str:
    """Traditional-script characters in Simplified ones (OpenCC's t2s: characters only, so a mirror made
    from a mainland report by character conversion comes back as it was); the caller has decided that
    the text is Traditional. Taiwan phrasing is undone separately (`mainland_phrasing`)."""
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text) if text else text


# Mirrors converted with Taiwan phrasing (OpenCC s2twp) also rewrite words: 文件 -> 檔案, 信息 -> 資訊,
# 门户网站 -> 入口網站, 视频 -> 影片, 发布会 -> 釋出會, 网络 -> 網路, 项目 -> 專案. A document is read back with the
# mainland words only when it shows that phrasing (`TAIWAN_PHRASED`): OpenCC's own tw2sp table goes
# further than the mirrors do (查询 -> 查找) and would break the tables' labels.
TAIWAN_PHRASED = re.compile(r"檔案|資訊|入口網站|釋出會")
_MAINLAND = ((re.compile(r"档案(?![馆局室])"), "文件"), (re.compile(r"资讯"), "信息"), (re.compile(r"入口网站"), "门户网站"),
             (re.compile(r"影片号"), "视频号"), (re.compile(r"释出会"), "发布会"), (re.compile(r"网路"), "网络"), (re.compile(r"专案"), "项目"))


def mainland_phrasing(text: str) -> str:
    for rx, word in _MAINLAND:
        text = rx.sub(word, text)
    return text


def to_simplified(text: str) -> str:
    """A whole decoded text in Simplified characters when it is Traditional (a mirror of a mainland
    page, say); Simplified text is returned unchanged."""
    if not is_traditional(text):
        return text
    out = simplified(text)
    return mainland_phrasing(out) if TAIWAN_PHRASED.search(text) else out


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any byte string; accept it only when the result reads as Chinese."""
    if not text:
        return False
    cjk = len(_CJK_RX.findall(text))
    odd = len(_ODD_RX.findall(text))
    return cjk > 0 and odd <= cjk * 0.02


_ODD_RX = re.compile("[\u3400-\u4dbf\ue000-\uf8ff\ufffd]")
