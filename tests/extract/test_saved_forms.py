"""Reports in the other forms an office saves them in: a web page saved as one file (MHTML, as Chromium
saves it and as Word and older browsers write it), OpenDocument text (.odt) and Rich Text (.rtf). Every
labelled page in each form gives its golden facts and its agency, none wrong. The rules that tell these
forms from text and HTML are pinned, as are the pictures a saved page carries (read by OCR where the
page's tables are pictures)."""
from __future__ import annotations

import subprocess
from email import encoders
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from pathlib import Path

import pytest

from pipeline.extract import extract, extract_bytes
from pipeline.read import SUPPORTED_SUFFIXES, ReadError, read_bytes
from pipeline.read.common import decode, sniff_format
from tests.conftest import CORPUS, NO_CORPUS, found_without_wrong, golden_pairs, load_json
from tests.extract.office import need
from tests.extract.test_browser_text import _assert_golden

SOURCES = golden_pairs((".html", ".htm"))
IDS = [s.stem for s, _ in SOURCES]
TEXTS = golden_pairs((".txt",))
PAGE = "http://www.example.gov.cn/zfxxgk/ndbg/report.html"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def mhtml(html: str, transfer: str = "quoted-printable", charset: str = "utf-8",
          pictures: tuple[tuple[str, bytes, str | None], ...] = ()) -> bytes:
    """A page saved as one file: `html` in the part's `charset` and transfer encoding, each picture
    (its address, bytes, Content-ID or None) in a part of its own."""
    msg = MIMEMultipart("related", type="text/html")
    msg["Subject"] = "report"
    msg["Snapshot-Content-Location"] = PAGE
    part = MIMENonMultipart("text", "html", charset=charset)
    part.set_payload(html.encode("gb18030" if charset in ("gb2312", "gbk") else charset))
    (encoders.encode_quopri if transfer == "quoted-printable" else encoders.encode_base64)(part)
    part["Content-Location"] = PAGE
    msg.attach(part)
    for where, data, cid in pictures:
        pic = MIMEImage(data, "png")
        pic["Content-Location"] = where
        if cid:
            pic["Content-ID"] = f"<{cid}>"
        msg.attach(pic)
    return msg.as_bytes()


def _page_text(src: Path) -> str:
    return decode(src.read_bytes(), src.name, html=True)


@pytest.mark.parametrize("src,expected", SOURCES, ids=IDS)
def test_a_page_saved_as_one_file_gives_the_golden_facts(src, expected):
    """Quoted-printable UTF-8 (as browsers write it), and base64 GB18030 whose part says gb2312 while the
    page's own <meta> still says UTF-8 (the part's charset says how its bytes are written)."""
    html = _page_text(src)
    _assert_golden(extract_bytes(mhtml(html), f"{src.stem}.mhtml"), expected)
    meta_says_utf8 = '<meta charset="utf-8">' + html
    _assert_golden(extract_bytes(mhtml(meta_says_utf8, "base64", "gb2312"), f"{src.stem}.mht"), expected)


def test_a_page_saved_in_another_charset_than_its_meta_says_is_read_right():
    """A page in Big5 whose own <meta> says UTF-8 is read in the charset its part declares."""
    html = ('<html><head><meta charset="utf-8"></head><body>'
            "<p>某某縣財政局2023年政府信息公開工作年度報告</p><p>一、總體情況</p>"
            "<p>2023年，本局門戶網站訪問量為12.5萬次。</p></body></html>")
    report = extract_bytes(mhtml(html, "base64", "big5"), "saved.mht")
    assert report.agency == "某某县财政局" and report.year == 2023
    assert report.values().get("website.visits") == 125000


@pytest.fixture(scope="module")
def chromium_saves(tmp_path_factory):
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    chromium = need("chromium")
    from playwright.sync_api import sync_playwright

    out = tmp_path_factory.mktemp("mhtml")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        for src, _ in SOURCES:
            page.goto(src.resolve().as_uri())
            saved = cdp.send("Page.captureSnapshot", {"format": "mhtml"})["data"]
            (out / f"{src.stem}.mhtml").write_bytes(saved.encode("utf-8"))
        browser.close()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("src,expected", SOURCES, ids=IDS)
def test_a_page_chromium_saved_as_one_file_gives_the_golden_facts(chromium_saves, src, expected):
    """Chromium's own MHTML: its header block opens with `From: <Saved by Blink>`, the page is
    quoted-printable with the page's styles and frames in parts of their own."""
    path = chromium_saves / f"{src.stem}.mhtml"
    assert sniff_format(path.read_bytes(), path.name) == "mhtml"
    _assert_golden(extract(path), expected)


def test_a_saved_pages_pictures_come_from_the_file(monkeypatch):
    """A picture is found by the address its `src` resolves to against the page's, or by cid:; one the
    file does not hold is not fetched."""
    seen = []
    monkeypatch.setattr("pipeline.read.ocr.ocr_image_bytes",
                        lambda data, name, image, doc: seen.append((image, len(data))) or [])
    body = "<p>一、总体情况</p>" + "<p>本机关2023年政府信息公开工作年度报告。</p>" * 30
    imgs = ('<img src="t1.png"><img src="http://www.example.gov.cn/img/t2.png"><img src="cid:t3">'
            '<img src="http://elsewhere.invalid/t4.png"><img src="../../t5.png">')
    pictures = (("http://www.example.gov.cn/zfxxgk/ndbg/t1.png", PNG + b"1", None),
                ("http://www.example.gov.cn/img/t2.png", PNG + b"22", None),
                ("", PNG + b"333", "t3"),
                ("http://www.example.gov.cn/t5.png", PNG + b"4444", None))
    read_bytes(mhtml(f"<html><body><div>{body}{imgs}</div></body></html>", pictures=pictures), "r.mhtml")
    assert seen == [("t1.png", 73), ("t2.png", 74), ("cid:t3", 75), ("t5.png", 76)]


@pytest.mark.slow
def test_a_saved_page_whose_tables_are_pictures_is_read_by_ocr(tmp_path):
    """The tables of a labelled page replaced by screenshots, the page and its pictures saved as one file:
    the tables are read from the pictures as they are from the site."""
    from tests.extract.test_ocr import BARS, _screenshots

    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    src, expected = SOURCES[0]
    page = _screenshots(src, tmp_path, need("chromium"))
    base = PAGE.rsplit("/", 1)[0]
    pictures = tuple((f"{base}/{png.name}", png.read_bytes(), None) for png in sorted(page.parent.glob("*.png")))
    assert pictures
    report = extract_bytes(mhtml(page.read_text(encoding="utf-8"), pictures=pictures), f"{src.stem}.mhtml")
    want = load_json(expected)
    found = found_without_wrong(src.stem, report, want)
    assert found >= BARS["screenshots"] * len(want["facts"])


def test_what_is_a_saved_page_and_what_is_not():
    blink = (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: file:///r.html\r\nSubject: x\r\n"
             b"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n"
             b"\tboundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<html></html>\r\n--b--\r\n")
    assert sniff_format(blink, "saved.mhtml") == "mhtml"
    assert sniff_format(blink, "saved.txt") == "mhtml"  # by its content, whatever its name
    prose = "某某局2023年政府信息公开工作年度报告\n\nContent-Type: multipart/related\n\n正文。".encode()
    assert sniff_format(prose, "r.txt") == "txt"  # the header words in a text's body: not a header block
    page = b"<html><body><pre>Content-Type: multipart/related\n\n</pre></body></html>"
    assert sniff_format(page, "r.html") == "html"
    assert sniff_format(b"<html><body><p>x</p></body></html>", "r.mhtml") == "html"  # a page under MHTML's name


def test_a_saved_page_without_its_page_is_refused_naming_the_file():
    msg = MIMEMultipart("related")
    msg.attach(MIMEImage(PNG, "png"))
    with pytest.raises(ReadError, match=r"only\.pictures\.mhtml: .*no HTML part"):
        read_bytes(msg.as_bytes(), "only.pictures.mhtml")


def test_a_saved_page_of_too_many_parts_is_refused_before_it_is_parsed(monkeypatch):
    from pipeline import limits

    monkeypatch.setenv("NIANBAO_MAX_MHTML_PARTS", "5")
    limits.current.cache_clear()
    try:
        html = "<html><body><p>某某局2023年政府信息公开工作年度报告</p></body></html>"
        ok = mhtml(html, pictures=tuple((f"{PAGE}-{i}.png", PNG, None) for i in range(4)))
        assert read_bytes(ok, "five.mhtml").format == "mhtml"
        many = mhtml(html, pictures=tuple((f"{PAGE}-{i}.png", PNG, None) for i in range(5)))
        with pytest.raises(ReadError, match=r"six\.mhtml: .*NIANBAO_MAX_MHTML_PARTS"):
            read_bytes(many, "six.mhtml")
    finally:
        monkeypatch.delenv("NIANBAO_MAX_MHTML_PARTS")
        limits.current.cache_clear()


def test_opendocument_and_rich_text_are_told_by_their_content():
    def odf(kind: str) -> bytes:  # a ZIP whose first entry, stored, is `mimetype`
        import io
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}")
            z.writestr("content.xml", "<x/>")
        return buf.getvalue()

    assert sniff_format(odf("text"), "r.odt") == "odt"
    assert sniff_format(odf("text-web"), "r.bin") == "odt"  # Writer/Web's: a text too
    assert sniff_format(odf("spreadsheet"), "r.ods") == "ods"
    with pytest.raises(ReadError, match="neither a text"):
        sniff_format(odf("presentation"), "slides.odp")
    assert sniff_format(b"{\\rtf1\\ansi\\ansicpg936 {\\fonttbl}}", "r.doc") == "rtf"
    assert sniff_format("{某某局} 2023年报告".encode(), "r.txt") == "txt"
    with pytest.raises(ReadError, match=r"r\.rtf: the name says RTF"):
        sniff_format("一段文字".encode(), "r.rtf")
    for suffix in (".mht", ".mhtml", ".odt", ".rtf", ".ods", ".et"):
        assert suffix in SUPPORTED_SUFFIXES


@pytest.fixture(scope="module")
def office_saves(tmp_path_factory):
    """Every labelled page opened in LibreOffice Writer and saved as Word, then as .odt and .rtf."""
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    out = tmp_path_factory.mktemp("odf")
    _libreoffice(out, "--convert-to", "docx:MS Word 2007 XML", *[str(s) for s, _ in SOURCES])
    words = [str(out / f"{s.stem}.docx") for s, _ in SOURCES]
    for target in ("odt:writer8", "rtf:Rich Text Format"):
        _libreoffice(out, "--convert-to", target, *words)
    return out


def _libreoffice(out: Path, *args: str) -> None:
    """LibreOffice headless, with a profile of its own in `out`, writing into `out`."""
    subprocess.run([need("soffice"), f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless", *args,
                    "--outdir", str(out)], check=True, capture_output=True, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", (".odt", ".rtf"))
@pytest.mark.parametrize("src,expected", SOURCES, ids=IDS)
def test_a_page_saved_by_libreoffice_as_odt_or_rtf_gives_the_golden_facts(office_saves, src, expected, suffix):
    path = office_saves / f"{src.stem}{suffix}"
    report = extract(path)
    assert report.format == suffix[1:]
    _assert_golden(report, expected)


def _pasted_into_word(text: str) -> bytes:
    """A text file pasted into Word: one paragraph a line, its tabs as Word's tabs."""
    import io

    import docx

    word = docx.Document()
    for line in text.splitlines():
        word.add_paragraph(line)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


@pytest.mark.parametrize("src,expected", TEXTS, ids=[s.stem for s, _ in TEXTS])
def test_a_text_pasted_into_word_has_its_tab_separated_tables_read(src, expected):
    """The tables are paragraphs of tab-separated cells, not Word tables: they are read as the text
    file's are (before, only the prose's 29 of luoyang-eeb-2020's 215 facts were read)."""
    text = decode(src.read_bytes(), src.name)
    _assert_golden(extract_bytes(_pasted_into_word(text), f"{src.stem}.docx"), expected)


def test_a_word_document_with_a_few_tabs_keeps_its_paragraphs():
    """Tabs in a line or two (a signature, a date set right) make no table."""
    text = "\n".join(["某某县财政局2023年政府信息公开工作年度报告", "一、总体情况",
                      "2023年，本局门户网站访问量为12.5万次。", "某某县财政局\t\t2024年1月20日"])
    report = extract_bytes(_pasted_into_word(text), "r.docx")
    assert report.values().get("website.visits") == 125000
    from pipeline.read import read_bytes as read

    doc = read(_pasted_into_word(text), "r.docx")
    assert not doc.tables and doc.paragraphs[-1].text == "某某县财政局\t\t2024年1月20日"


@pytest.mark.slow
@pytest.mark.parametrize("suffix", (".docx", ".doc"))
@pytest.mark.parametrize("src,expected", TEXTS, ids=[s.stem for s, _ in TEXTS])
def test_a_text_file_saved_by_libreoffice_as_word_gives_the_golden_facts(tmp_path, src, expected, suffix):
    target = "docx:MS Word 2007 XML" if suffix == ".docx" else "doc:MS Word 97"
    _libreoffice(tmp_path, "--infilter=Text (encoded):UTF8,LF,,,", "--convert-to", target, str(src))
    _assert_golden(extract(tmp_path / f"{src.stem}{suffix}"), expected)
