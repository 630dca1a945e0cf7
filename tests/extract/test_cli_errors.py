"""`python -m pipeline extract FILE`: exit 0 and JSON for a report; exit 2 and one line on stderr,
naming the file and the reason, for every kind of bad input. Never a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from pipeline.demo.render import Layout, random_facts, render

import random


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline", "extract", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def assert_refused(r, path, reason_words):
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert str(path) in lines[0]
    assert "Traceback" not in r.stderr
    assert any(w in lines[0] for w in reason_words), lines[0]


def test_report_exits_0_with_spec_json(tmp_path):
    facts = random_facts(random.Random(1), "2021")
    p = tmp_path / "r.html"
    p.write_bytes(render(facts, "某市交通运输局", 2022, "2021", Layout("html")))
    r = run(p)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert {"source", "agency", "year", "template", "facts", "issues"} <= set(doc)
    assert doc["source"]["format"] == "html" and len(doc["source"]["sha256"]) == 64
    assert doc["agency"] == "某市交通运输局" and doc["year"] == 2022 and doc["template"] == "2021"
    assert "\\u" not in r.stdout  # UTF-8, not ASCII-escaped


def test_console_script_matches_module(tmp_path):
    import shutil

    exe = shutil.which("nianbao") or str((__import__("pathlib").Path(sys.executable).parent / "nianbao"))
    p = tmp_path / "r.txt"
    p.write_bytes(render(random_facts(random.Random(2), "2019"), "某县财政局", 2020, "2019", Layout("txt")))
    r = subprocess.run([exe, "extract", str(p)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["year"] == 2020


def test_empty_file(tmp_path):
    p = tmp_path / "empty.html"
    p.write_bytes(b"")
    assert_refused(run(p), p, ["empty"])


def test_whitespace_only_file(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes(b"  \r\n\t\n")
    assert_refused(run(p), p, ["empty"])


def test_binary_file(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(bytes(range(256)) * 40)
    assert_refused(run(p), p, ["binary"])


def test_unknown_format_zip(tmp_path):
    p = tmp_path / "archive.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.txt", "hello")
    assert_refused(run(p), p, ["ZIP", "not a Word"])


def test_pdf_name_without_pdf_content(tmp_path):
    p = tmp_path / "report.pdf"
    p.write_text("这不是PDF", encoding="utf-8")
    assert_refused(run(p), p, ["not"])


def test_undecodable_text(tmp_path):
    p = tmp_path / "garbled.txt"
    # bytes that are neither UTF-8 nor plausible GB18030 Chinese, and no control characters
    p.write_bytes(bytes([0x81, 0x30, 0x81, 0x30, 0xFF, 0xFE, 0x80, 0xA0]) * 300)
    assert_refused(run(p), p, ["decoded", "binary"])


def test_not_a_report(tmp_path):
    p = tmp_path / "menu.html"
    p.write_text("<html><body><h1>午餐菜单</h1><p>米饭 12 元，面条 15 元。</p></body></html>", encoding="utf-8")
    assert_refused(run(p), p, ["not a government-information-disclosure annual report"])


def test_missing_file(tmp_path):
    p = tmp_path / "nope.txt"
    assert_refused(run(p), p, ["no such file"])


def test_directory(tmp_path):
    assert_refused(run(tmp_path), tmp_path, ["directory"])


@pytest.mark.parametrize("name", ["broken.docx"])
def test_corrupt_office_file(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    r = run(p)
    assert_refused(r, p, ["cannot be read", "not a Word", "not supported", "ZIP"])
