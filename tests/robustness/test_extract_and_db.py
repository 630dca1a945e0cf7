"""`nianbao extract` on special files and under the limits per file; `--db` on a file nianbao did not make."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "inbox" / "demo"


def _cli(*args, env=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_extract_refuses_a_fifo_without_opening_it(tmp_path):
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    r = _cli("extract", str(fifo), timeout=30)
    err = r.stderr.decode()
    assert r.returncode == 2 and "a FIFO" in err and "report.txt" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("var,value,words", [("NIANBAO_FILE_TIMEOUT", "0.001", "NIANBAO_FILE_TIMEOUT"),
                                             ("NIANBAO_FILE_MEMORY_MB", "1", "NIANBAO_FILE_MEMORY_MB")])
def test_extract_runs_under_the_limits_per_file(var, value, words):
    r = _cli("extract", str(DEMO / "07-2020.pdf"), env={var: value})
    err = r.stderr.decode()
    assert r.returncode == 2 and words in err and "Traceback" not in err, err
    assert _cli("extract", str(DEMO / "07-2020.pdf")).returncode == 0  # without the small limit it is read


def test_a_memory_error_wrapped_by_a_reader_library_is_said_as_the_memory_limit(monkeypatch):
    """Where the file's memory limit is hit decides who raises: pdfplumber wraps pdfminer's MemoryError in a
    PdfminerException (seen in CI), which must still be said as the limit, not as a broken file."""
    from pdfplumber.utils.exceptions import PdfminerException

    import pipeline.read.pdf
    from pipeline.read import read_bytes
    from pipeline.refresh.workers import unreadable

    def out_of_memory(data, name):
        try:
            raise MemoryError()
        except MemoryError as e:
            raise PdfminerException(e)

    monkeypatch.setattr(pipeline.read.pdf, "read_pdf", out_of_memory)
    with pytest.raises(MemoryError) as got:
        read_bytes((DEMO / "07-2020.pdf").read_bytes(), "07-2020.pdf")
    assert "NIANBAO_FILE_MEMORY_MB" in unreadable(got.value)

    def broken(data, name):
        raise PdfminerException(ValueError("no /Root"))

    monkeypatch.setattr(pipeline.read.pdf, "read_pdf", broken)
    with pytest.raises(Exception) as got:
        read_bytes((DEMO / "07-2020.pdf").read_bytes(), "07-2020.pdf")
    assert "cannot be read as pdf" in str(got.value) and not isinstance(got.value, MemoryError)


@pytest.mark.parametrize("kind", ["other-duckdb", "not-duckdb"])
def test_refresh_never_replaces_a_file_nianbao_did_not_make(tmp_path, kind):
    db = tmp_path / "data" / "theirs.duckdb"
    db.parent.mkdir()
    if kind == "other-duckdb":
        with duckdb.connect(str(db)) as con:
            con.execute("create table accounts (id int, owner varchar)")
            con.execute("insert into accounts values (1, '甲')")
    else:
        db.write_bytes(b"their notes, not a database\n" * 100)
    before = db.read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "r.txt").write_bytes((DEMO / "07-2022.txt").read_bytes())
    r = _cli("refresh", "--inbox", str(inbox), "--db", str(db), "--quiet", "--workers", "1")
    assert r.returncode == 2 and "nianbao did not make" in r.stderr.decode() + r.stdout.decode()
    assert db.read_bytes() == before and not list(db.parent.glob("*.corrupt-*"))
