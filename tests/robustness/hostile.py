"""Bad and hostile inputs, made at test time: (file name, bytes, what a user should get).

`expect` is "refused" (a clear one-line error naming the file and the reason), "read" (read without a
crash; what it holds, if anything, is reported), or "either" (random bytes that may by chance decode).
"""
from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass

from pipeline.demo.render import Layout, random_facts, render

AGENCY = "某市生态环境局"


@dataclass
class Case:
    name: str
    data: bytes
    expect: str  # refused | read | either
    why: str


def _report(fmt="html", seed=1, year=2023) -> bytes:
    return render(random_facts(random.Random(seed), "2021"), AGENCY, year, "2021", Layout(fmt), seed=seed)


def _pdf_pages(n: int, encrypt=None, text=True) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    b = io.BytesIO()
    c = canvas.Canvas(b, encrypt=encrypt)
    for p in range(n):
        if text:
            c.setFont("STSong-Light", 12)
            for i, line in enumerate([f"{AGENCY}2023年政府信息公开工作年度报告", "一、总体情况",
                                      "全年召开新闻发布会3场，网站总访问量12345次。", "二、主动公开政府信息情况"] * 2):
                c.drawString(50, 800 - i * 20, line)
        c.showPage()
    c.save()
    return b.getvalue()


def _docx_with(document_xml: bytes, extra: dict | None = None) -> bytes:
    base = zipfile.ZipFile(io.BytesIO(_report("docx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            data = document_xml if info.filename == "word/document.xml" else base.read(info.filename)
            z.writestr(info.filename, data)
        for k, v in (extra or {}).items():
            z.writestr(k, v)
    return out.getvalue()


def _zip_bomb_docx() -> bytes:
    out = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(_report("docx")))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in base.infolist():
            z.writestr(info.filename, base.read(info.filename))
        with z.open("word/media/pad.bin", "w", force_zip64=True) as fh:  # 1 GiB of zeros, about 1 MB packed
            block = b"\0" * (1 << 20)
            for _ in range(1024):
                fh.write(block)
    return out.getvalue()


def _far_cell_xlsx() -> bytes:
    """One value in the last cell of a sheet (XFD1048576): a 5 KB file whose range is 17 billion cells."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "某某局2023年政府信息公开工作年度报告"
    wb.active["XFD1048576"] = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _wrapped_page(levels: int) -> bytes:
    """The report page with its body wrapped in `levels` <div>s, as some site templates nest it."""
    page = _report("html")
    at = page.index(b">", page.index(b"<body")) + 1
    end = page.rindex(b"</body>")
    return page[:at] + b"<div>" * levels + page[at:end] + b"</div>" * levels + page[end:]


def _huge_span_docx() -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(_report("docx"))).read("word/document.xml")
    return _docx_with(xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="50000000"/>', 1))


def _laughs(root: str) -> bytes:
    ents = '<!ENTITY a0 "政府信息公开政府信息公开">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{ents}]><{root}>&a9;</{root}>'.encode()


def _two_app_tables() -> bytes:
    page = _report("html", seed=3).decode("utf-8")
    i = page.index("三、收到和处理政府信息公开申请情况")
    j = page.index("<table", i)
    k = page.index("</table>", j) + len("</table>")
    other = _report("html", seed=4).decode("utf-8")
    oi = other.index("<table", other.index("三、收到和处理政府信息公开申请情况"))
    ok = other.index("</table>", oi) + len("</table>")
    return (page[:k] + other[oi:ok] + page[k:]).encode("utf-8")


def _absurd_counts() -> bytes:
    page = _report("txt", seed=5).decode("utf-8").split("\n")
    out = []
    for line in page:
        if line.startswith("一、本年新收"):
            cells = line.split("\t")
            cells[-1] = "-5"
            cells[-2] = "999999999999"
            line = "\t".join(cells)
        out.append(line)
    return "\n".join(out).encode("utf-8")


def cases() -> list[Case]:
    rng = random.Random(42)
    junk = bytes(rng.randrange(256) for _ in range(20000))
    good_pdf = _report("pdf", seed=2)
    title = f"{AGENCY}2023年政府信息公开工作年度报告\n一、总体情况\n".encode()
    out = [
        Case("empty.txt", b"", "refused", "empty"),
        Case("empty.html", b"", "refused", "empty"),
        Case("empty.pdf", b"", "refused", "empty"),
        Case("empty.docx", b"", "refused", "empty"),
        Case("whitespace.txt", b" \n\t\r\n   ", "refused", "only whitespace"),
    ]
    for ext in ("txt", "md", "html", "htm", "shtml", "pdf", "docx", "doc", "wps"):
        out.append(Case(f"random.{ext}", junk, "either" if ext in ("txt", "md") else "refused", "random bytes"))
    out += [
        Case("truncated.pdf", good_pdf[: len(good_pdf) // 2], "either", "a PDF cut in half"),
        Case("corrupt.pdf", good_pdf[:400] + junk[:3000] + good_pdf[-300:], "either", "a PDF with garbage inside"),
        Case("header-only.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "refused", "a PDF header and nothing else"),
        Case("encrypted.pdf", _pdf_pages(1, __import__("reportlab.lib.pdfencrypt", fromlist=["x"]).StandardEncryption("user", "owner")),
             "refused", "a user password"),
        Case("owner-password.pdf", _pdf_pages(1, __import__("reportlab.lib.pdfencrypt", fromlist=["x"]).StandardEncryption("", "owner", canPrint=0)),
             "read", "an owner password only: opens without one"),
        Case("blank-pages.pdf", _pdf_pages(2000, text=False), "refused", "thousands of blank pages"),
        Case("scanned.pdf", _pdf_pages(3, text=False), "refused", "pages without text"),
        Case("zip-bomb.docx", _zip_bomb_docx(), "refused", "1 GiB inflated from 1 MB"),
        Case("huge-span.docx", _huge_span_docx(), "refused", "gridSpan=50000000"),
        Case("not-a-zip.docx", b"PK\x03\x04" + junk[:5000], "refused", "a broken zip"),
        Case("laughs.docx", _docx_with(_laughs("w:document")), "refused", "billion laughs in document.xml"),
        Case("laughs.html", _laughs("html"), "refused", "billion laughs in a page"),
        Case("big.html", b"<html><body><p>" + ("政府信息公开工作" * 10).encode() * 250000 + b"</p></body></html>", "refused", "a 50 MB page"),
        Case("deep.html", b"<html><body>" + b"<div>" * 100000 + title + b"</div>" * 100000 + b"</body></html>", "refused", "nested 100,000 deep"),
        Case("wrapped-300.html", _wrapped_page(300), "read", "the report inside 300 <div>s (cut off at 256 before)"),
        Case("far-cell.xlsx", _far_cell_xlsx(), "refused", "a value in XFD1048576 (calamine aborted with a Rust trace)"),
        Case("million-cells.html", b"<html><body><table>" + (b"<tr>" + b"<td>1</td>" * 1000 + b"</tr>") * 1000 + b"</table></body></html>",
             "refused", "a table of a million cells"),
        Case("huge-spans.html", title + b"<table><tr><td colspan='50000000' rowspan='9999999'>1</td></tr></table>", "either", "absurd spans"),
        Case("one-line.txt", ("政府信息公开工作年度报告" * 500000).encode(), "refused", "a 16 MB line"),
        Case("invalid-utf8.txt", title + b"\xff\xfe\xfd\xc3\x28" * 2000, "either", "bytes that are not UTF-8"),
        Case("invalid-gb18030.txt", b"\x81\x30\x81" * 5000, "refused", "bytes that are not GB18030"),
        Case("utf16-no-bom.txt", _report("txt").decode("utf-8").encode("utf-16-le"), "read", "UTF-16 without a BOM"),
        Case("utf16-bom.txt", b"\xff\xfe" + _report("txt").decode("utf-8").encode("utf-16-le"), "read", "UTF-16 with a BOM"),
        Case("gbk.txt", _report("txt").decode("utf-8").encode("gb18030"), "read", "GBK"),
        Case("year-2099.html", _report("html", year=2099), "read", "a report for 2099: read, not placed in a year"),
        Case("year-1999.txt", _report("txt", year=1999), "read", "a report for 1999"),
        Case("absurd-counts.txt", _absurd_counts(), "read", "negative and absurd counts left out"),
        Case("two-tables.html", _two_app_tables(), "read", "two 表三 in one page: differing cells neither"),
        Case("list-page.html", "<html><head><title>政府信息公开年报</title></head><body><ul>".encode() + b"".join(
            f"<li><a href='/{i}.htm'>{2015 + i}年度政府信息公开工作年度报告</a><span>发布日期：{2016 + i}-01-20</span></li>".encode()
            for i in range(10)) + b"</ul></body></html>", "refused", "a list page, not a report"),
        Case("binary.html", b"\x00\x01\x02" * 3000, "refused", "binary with an HTML name"),
        Case("png.pdf", b"\x89PNG\r\n\x1a\n" + junk[:2000], "refused", "an image named .pdf"),
        Case("exe.docx", b"MZ\x90\x00" + junk[:4000], "refused", "a program named .docx"),
        Case("xml-bomb-utf16.html", _laughs("html").decode().encode("utf-16"), "refused", "billion laughs in UTF-16"),
        Case("nul-bytes.txt", title + b"\x00" * 5000, "either", "NUL bytes"),
        Case("control-chars.txt", title + "".join(chr(i) for i in range(1, 32)).encode() * 100, "either", "control characters"),
        Case("crlf-only.txt", b"\r\n" * 10000, "refused", "only line breaks"),
        Case("doc-ole-junk.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + junk[:8000], "refused", "an OLE header and junk"),
        Case("mixed-encodings.html", "<meta charset='gbk'>".encode() + "政府信息公开".encode("utf-8") * 100, "either", "declared GBK, written UTF-8"),
        Case("script-only.html", b"<html><script>" + b"var a='\xe6\x94\xbf';" * 20000 + b"</script></html>", "refused", "scripts only"),
    ]
    return out


def bad_names() -> list[str]:
    return ["with space.txt", "quote'\"name.txt", "new\nline.txt", "carriage\rreturn.txt", "ansi\x1b[2Jclear.txt",
            "-leading-dash.txt", "x" * 251 + ".txt", "[x](https:evil.example).txt", "tab\tname.txt"]
