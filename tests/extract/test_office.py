"""PDF and Word: round trips through the renderer (tables breaking across pages, merged header
cells), and clean refusals of image-only, encrypted and corrupt PDFs and of legacy Word without
LibreOffice."""
from __future__ import annotations

import io
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract import extract_bytes
from pipeline.read import ReadError, read_bytes
from pipeline.demo.render import Layout, random_facts, render


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9), template=st.sampled_from(["2019", "2021"]), fmt=st.sampled_from(["pdf", "docx"]),
       pad=st.booleans(), blank_mark=st.sampled_from(["", "/", "—"]), amount_in_yuan=st.booleans(),
       size=st.sampled_from([0.05, 1.0, 30.0]), blank_rate=st.sampled_from([0.0, 0.1]))
def test_office_round_trip(seed, template, fmt, pad, blank_mark, amount_in_yuan, size, blank_rate):
    year = 2020 if template == "2019" else 2024
    facts = random_facts(random.Random(seed), template, size=size, blank_rate=blank_rate)
    lay = Layout(fmt, pad=pad, blank_mark=blank_mark, amount_in_yuan=amount_in_yuan)
    report = extract_bytes(render(facts, "武汉市生态环境局", year, template, lay, seed=seed), "r." + fmt)
    got = report.values()
    assert report.agency == "武汉市生态环境局" and report.year == year and report.template == template
    missing = sorted(set(facts) - set(got))
    extra = sorted(set(got) - set(facts))
    wrong = [(k, facts[k], got[k]) for k in facts if k in got and not math.isclose(float(got[k]), float(facts[k]), abs_tol=1e-9)]
    assert not missing and not extra and not wrong, (missing[:8], extra[:8], wrong[:8])


def test_pdf_table_breaks_across_pages_and_evidence_has_pages():
    facts = random_facts(random.Random(5), "2021", size=3)
    data = render(facts, "武汉市生态环境局", 2023, "2021", Layout("pdf"), seed=5)
    doc = read_bytes(data, "r.pdf")
    app_pages = {t.page for t in doc.tables if any("申请" in c.text or "不予处理" in c.text for r in t.rows for c in r)}
    assert len(app_pages) >= 2  # 表三 is printed over a page break
    report = extract_bytes(data, "r.pdf")
    pages = {f.evidence.get("page") for f in report.facts if f.evidence.get("table") == "applications"}
    assert len(pages) >= 2 and None not in pages


def test_docx_merged_cells_are_read_once():
    facts = random_facts(random.Random(6), "2019", size=2)
    doc = read_bytes(render(facts, "武汉市生态环境局", 2020, "2019", Layout("docx"), seed=6), "r.docx")
    app = next(t for t in doc.tables if any("申请人情况" in c.text for c in t.rows[0]))
    first = app.rows[0]
    assert [c.origin for c in first].count(True) == 2  # the 勾稽 note and 申请人情况, each once
    label = [r[0] for r in app.rows if "本年度办理结果" in r[0].text]
    assert len(label) == 20 and sum(c.origin for c in label) == 1  # the 2019 label spans 20 rows, read once


def _reportlab_pdf(draw, **kw) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, **kw)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_image_only_pdf_is_refused():
    def draw(c):  # a "scan": shapes and no text layer
        for i in range(40):
            c.rect(50 + i * 10, 300, 8, 200, fill=1)

    with pytest.raises(ReadError, match="no usable text layer"):
        read_bytes(_reportlab_pdf(draw), "scan.pdf")


def test_encrypted_pdf_is_refused():
    from reportlab.lib import pdfencrypt

    enc = pdfencrypt.StandardEncryption("secret", ownerPassword="owner", canPrint=0)
    data = _reportlab_pdf(lambda c: c.drawString(100, 700, "secret report"), encrypt=enc)
    with pytest.raises(ReadError, match="encrypted"):
        read_bytes(data, "locked.pdf")


def test_corrupt_pdf_is_refused():
    data = render(random_facts(random.Random(1), "2021"), "武汉市生态环境局", 2023, "2021", Layout("pdf"))
    with pytest.raises(ReadError) as e:
        read_bytes(data[: len(data) // 3], "broken.pdf")
    assert "broken.pdf" in str(e.value)


def test_legacy_word_without_libreoffice_says_what_to_install(monkeypatch):
    import pipeline.read.docx as reader

    monkeypatch.setattr(reader, "soffice", lambda: None)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(ReadError, match="LibreOffice"):
        read_bytes(ole, "old.doc")
    with pytest.raises(ReadError, match="libreoffice-writer"):
        read_bytes(ole, "old.wps")


@pytest.mark.parametrize("seed", range(8))
def test_pdf_table_without_ruling_lines_gives_no_wrong_value(seed):
    """A PDF whose tables have no lines is read from its text lines: what is read is right, and a row
    whose cells cannot be placed (a label running into the numbers) is left out, not guessed."""
    rng = random.Random(seed)
    template = rng.choice(["2019", "2021"])
    blanks = seed >= 4  # blank cells: placed under their column (by header words or complete rows), never shifted
    facts = random_facts(rng, template, size=1, blank_rate=0.1 if blanks else 0.0)
    data = render(facts, "武汉市生态环境局", 2020 if template == "2019" else 2022, template,
                  Layout("pdf", extra={"no_lines": True}), seed=seed)
    got = extract_bytes(data, "r.pdf").values()
    wrong = [(k, facts.get(k), v) for k, v in got.items() if k not in facts or not math.isclose(float(v), float(facts[k]))]
    assert not wrong
    assert len(got) >= (0.4 if blanks else 0.8) * len(facts)


def test_legacy_word_through_libreoffice(tmp_path):
    """.doc (and .wps) go through LibreOffice: a report saved as Word 97 reads back exactly."""
    import os
    import shutil
    import subprocess

    from pipeline.read.docx import soffice

    exe = soffice()
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is missing in CI (tests/install_prerequisites.py should have installed it)")
        pytest.skip("LibreOffice is not installed (Debian package libreoffice-writer-nogui)")
    facts = random_facts(random.Random(4), "2021", size=2)
    (tmp_path / "r.docx").write_bytes(render(facts, "南京市财政局", 2023, "2021", Layout("docx"), seed=4))
    subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(tmp_path / "r.docx")],
                   capture_output=True, timeout=180, check=True)
    data = (tmp_path / "r.doc").read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 Word 97 file
    for name in ("r.doc", "r.wps"):
        report = extract_bytes(data, name)
        assert report.format == name[-3:] and report.values() == facts
    assert shutil.which(exe)
