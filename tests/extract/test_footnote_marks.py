"""Hidden text and footnote marks in a table's cell. Text a browser or Word does not show (display:none,
font-size:0, a page's hiding class, Word's hidden runs), put by sites between a table's digits against copying,
is no part of the number. A footnote's mark set as a superscript after a table's number (18<sup>2</sup>, Word's [1] footnote reference):
before, every marked cell of a labelled page gave a wrong value (0 and a raised 1 read as 1, 01 or 10) in HTML,
in LibreOffice's .docx and PDF of it, and in Chromium's print. A mark is left out; raised text that is no mark
(0<sup>123</sup>) makes the cell no number, never a longer one."""
from __future__ import annotations

import math
import re
import shutil
import subprocess

import pytest

from pipeline.extract import extract, extract_bytes
from tests.conftest import CORPUS, NO_CORPUS, load_json
from tests.extract.office import need

_CELL = re.compile(r"(<td[^>]*>(?:\s*<[^>]+>)*\s*)(\d{1,5})(\s*(?:<[^>]+>\s*)*</td>)")
MARKS = {
    "sup-digit": "<sup>1</sup>",
    "sup-bracket": "<sup>[2]</sup>",
    "sup-circled": "<sup>①</sup>",
    "word-footnote": '<a style="mso-footnote-id:ftn1" href="#_ftn1" name="_ftnref1"><span class=MsoFootnoteReference>'
                     "<span>[1]</span></span></a>",
}
NOT_MARKS = {"sup-number": "<sup>123</sup>", "sub-digit": "<sub>1</sub>"}
HIDDEN = {
    "display-none": '<span style="display: none;">1</span>',
    "visibility": '<span style="visibility:hidden">7</span>',
    "hidden-attribute": "<span hidden>1</span>",
    "font-size-0": '<font style="font-size:0px;color:#fff">9</font>',
    "word-hidden": "<span style='display:none;mso-hide:all'>1</span>",
    "hiding-class": '<span class="hd">1</span>',
    # struck out: the page shows it deleted (a corrected figure beside its old one)
    "del": "<del>9</del>",
    "strike": "<strike>9</strike>",
    "s": "<s>9</s>",
    "line-through": '<span style="text-decoration: line-through">9</span>',
}


def _page(mark: str) -> tuple[str, dict]:
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    src = (CORPUS / "pingtan-2023.html").read_text(encoding="utf-8")
    page, n = _CELL.subn(lambda m: m.group(1) + m.group(2) + mark + m.group(3), src)
    assert n > 150, "the page's value cells were not found"
    return page, load_json(CORPUS / "pingtan-2023.expected.json")["facts"]


def _check(got: dict, want: dict, complete: bool):
    wrong = [(k, got[k], v) for k, v in want.items() if k in got and not math.isclose(float(got[k]), float(v))]
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:4]}"
    if complete:
        missing = [k for k in want if k not in got]
        assert not missing, f"{len(missing)} missing, e.g. {missing[:4]}"


@pytest.mark.parametrize("name", MARKS)
def test_a_mark_is_left_out_of_the_number(name):
    page, want = _page(MARKS[name])
    _check(extract_bytes(page.encode("utf-8"), "p.html").values(), want, complete=True)


@pytest.mark.parametrize("name", HIDDEN)
def test_hidden_text_is_no_part_of_the_number(name):
    page, want = _page(HIDDEN[name])
    page = page.replace("</head>", "<style>.hd { color: red; display: none }</style></head>", 1)
    _check(extract_bytes(page.encode("utf-8"), "p.html").values(), want, complete=True)


def test_a_hidden_pane_holding_the_report_is_still_read():
    page, want = _page("")
    page = re.sub(r"(<body[^>]*>)", r'\1<div class="tab-pane" style="display:none">', page, count=1).replace("</body>", "</div></body>")
    _check(extract_bytes(page.encode("utf-8"), "p.html").values(), want, complete=True)


def _word_cell(*runs: str) -> str:
    from lxml import etree

    from pipeline.read.docx import W, _text

    ns = W[1:-1]
    xml = f'<w:tc xmlns:w="{ns}"><w:p>' + "".join(runs) + "</w:p></w:tc>"
    return _text(etree.fromstring(xml))


def test_word_hidden_raised_and_lowered_runs():
    plain = "<w:r><w:t>18</w:t></w:r>"
    assert _word_cell(plain, '<w:r><w:rPr><w:vanish/></w:rPr><w:t>7</w:t></w:r>') == "18"
    assert _word_cell(plain, '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>2</w:t></w:r>') == "18"
    assert _word_cell(plain, '<w:r><w:rPr><w:position w:val="8"/><w:sz w:val="19"/></w:rPr><w:t>[1]</w:t></w:r>') == "18"
    assert _word_cell(plain, '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>123</w:t></w:r>') == "18^123"
    assert _word_cell('<w:r><w:rPr><w:position w:val="6"/></w:rPr><w:t>18</w:t></w:r>') == "18"  # all raised: the text
    assert _word_cell('<w:r><w:rPr><w:strike/></w:rPr><w:t>9</w:t></w:r>', plain) == "18"  # struck out: deleted


@pytest.mark.parametrize("name", NOT_MARKS)
def test_raised_text_that_is_no_mark_makes_no_number(name):
    page, want = _page(NOT_MARKS[name])
    _check(extract_bytes(page.encode("utf-8"), "p.html").values(), want, complete=False)


@pytest.mark.slow
@pytest.mark.parametrize("name,mark", [("sup-digit", True), ("sup-number", False)])
def test_office_and_browser_copies(tmp_path, name, mark):
    page, want = _page({**MARKS, **NOT_MARKS}[name])
    html = tmp_path / f"{name}.html"
    html.write_text(page, encoding="utf-8")
    lo = [need("soffice"), f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to"]
    subprocess.run(lo + ["docx:MS Word 2007 XML", "--outdir", str(tmp_path), str(html)], check=True, capture_output=True,
                   timeout=300)
    (tmp_path / "pdf").mkdir()
    subprocess.run(lo + ["pdf", "--outdir", str(tmp_path / "pdf"), str(tmp_path / f"{name}.docx")], check=True,
                   capture_output=True, timeout=300)
    printed = tmp_path / f"{name}.chromium.pdf"
    subprocess.run([need("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'chromium'}", f"--print-to-pdf={printed}", str(html)],
                   check=True, capture_output=True, timeout=120)
    for copy in (tmp_path / f"{name}.docx", tmp_path / "pdf" / f"{name}.pdf", printed):
        _check(extract(copy).values(), want, complete=mark)
    shutil.rmtree(tmp_path / "lo", ignore_errors=True)


def test_one_cell_with_raised_text_loses_that_cell_only():
    """0^123 is no number and no label: the row's other cells are read under their own columns."""
    page, want = _page("")
    at = page.index("予以公开")
    cell = _CELL.search(page, at)
    page = page[:cell.end(2)] + "<sup>123</sup>" + page[cell.end(2):]
    got = extract_bytes(page.encode("utf-8"), "p.html").values()
    _check(got, want, complete=False)
    assert len([k for k in want if k not in got]) == 1
