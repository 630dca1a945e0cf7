"""Bad and hostile inputs through `extract` and through a refresh: each gets a clear error naming the
file and the reason, in bounded time and memory; the rest is loaded; the published warehouse stays
consistent; nothing the user dropped is lost."""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.refresh.run import EXIT_SOME_FAILED, Limits, refresh, shown
from pipeline.demo.render import agency_name
from tests.robustness.hostile import bad_names, cases
from tests.warehouse.conftest import write_report

ROOT = Path(__file__).resolve().parents[2]
CASES = cases()
EXTRACT_BOUND = 120  # seconds a hostile file may hold `nianbao extract` before the test calls it a hang


def _extract_cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "extract", str(path)], cwd=ROOT, capture_output=True,
                          timeout=EXTRACT_BOUND)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_extract(tmp_path, case):
    path = tmp_path / case.name
    path.write_bytes(case.data)
    try:
        r = _extract_cli(path)  # bounded: a reader that never finishes fails here, it does not hang the suite
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.name}: not read nor refused within {EXTRACT_BOUND} s: a limit did not hold")
    err = r.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    if case.expect == "refused":
        assert r.returncode == 2, (case.why, r.stdout[:300])
    elif case.expect == "read":
        assert r.returncode == 0, (case.why, err)
    else:
        assert r.returncode in (0, 2), err
    if r.returncode == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and case.name in lines[0], err  # one line, naming the file and the reason
        assert len(lines[0]) > len(str(path)) + 20
    else:
        json.loads(r.stdout)


def test_what_the_read_cases_give(tmp_path):
    from pipeline.extract import extract_bytes

    by = {c.name: c for c in CASES}
    r = extract_bytes(by["year-2099.html"].data, "year-2099.html")
    assert r.year is None and any(i.code == "year_implausible" for i in r.issues)
    r = extract_bytes(by["absurd-counts.txt"].data, "absurd-counts.txt")
    v = r.values()
    assert "app.received_new:total" not in v and "app.received_new:other_org" not in v
    assert sum(1 for i in r.issues if i.code == "implausible_value") == 2
    r = extract_bytes(by["two-tables.html"].data, "two-tables.html")
    assert any(i.code == "conflicting_values" for i in r.issues)
    r = extract_bytes(by["owner-password.pdf"].data, "owner-password.pdf")
    assert r.values() == {"press_conferences": 3, "website.visits": 12345}
    from tests.robustness.hostile import _report

    plain = extract_bytes(_report("html"), "plain.html").values()
    assert len(plain) > 100 and extract_bytes(by["wrapped-300.html"].data, "wrapped-300.html").values() == plain


@pytest.mark.parametrize("name", bad_names(), ids=range(len(bad_names())))
def test_extract_messages_stay_one_line_for_any_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    r = _extract_cli(path)
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2 and len(err.strip().splitlines()) == 1 and "\x1b" not in err, err


def _snapshot(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall()))
                for t in ("reports", "facts", "files", "check_results")}


def _content(db: Path) -> list:
    """What the warehouse says, whichever run loaded it (no load ids)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute("select agency_id, year, metric, coalesce(dim, ''), value from facts").fetchall())


def test_refresh_through_every_hostile_input(tmp_path):
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    db = data / "warehouse.duckdb"
    for i in range(3):
        write_report(inbox, f"good{i}.html", agency_name(i)[0], 2023, seed=i)
    hostile = inbox / "hostile"
    hostile.mkdir()
    for c in CASES:
        (hostile / c.name).write_bytes(c.data)
    names = inbox / "names"
    names.mkdir()
    for k, name in enumerate(bad_names()):
        write_report(names, name, agency_name(10 + k)[0], 2022, seed=10 + k, fmt="txt")
    raw_name = os.fsencode(names) + b"/\xb9\xfa\xbc\xd2gbk-name.txt"  # a GBK name unzipped on Linux
    with open(raw_name, "wb") as fh:
        fh.write(write_report(tmp_path / "tmp", "x.txt", agency_name(30)[0], 2022, seed=30, fmt="txt") and
                 (tmp_path / "tmp" / "x.txt").read_bytes())
    os.mkfifo(inbox / "a-fifo.txt")
    (inbox / "loop").symlink_to(inbox, target_is_directory=True)
    (inbox / "out.txt").symlink_to("/etc/hostname")
    before = {p: p.read_bytes() for p in inbox.rglob("*") if p.is_file() and not p.is_symlink()}
    rr = refresh(inbox, db, limits=Limits(seconds=60, memory_mb=1536), workers=2)
    assert rr.exit_code == EXIT_SOME_FAILED
    failed = {f["path"]: f["reason"] for f in rr.files_failed}
    skipped = {f["path"]: f["reason"] for f in rr.files_skipped}
    same = {d["path"]: d["same_as"] for d in rr.duplicates}  # identical bytes are stored and read once
    for c in CASES:
        key = f"hostile/{c.name}"
        if c.expect == "refused":
            key = same.get(key, key)
            assert key in failed, (c.name, c.why)
            assert len(failed[key]) > 10
    assert "a-fifo.txt" in skipped and "loop" in skipped and "out.txt" in skipped
    # the good reports, the badly named ones and the GBK name are all loaded
    with duckdb.connect(str(db), read_only=True) as con:
        agencies = {r[0] for r in con.execute("select a.name from reports r join agencies a using (agency_id)").fetchall()}
        stored_names = [r[0] for r in con.execute("select inbox_path from files").fetchall()]
    for i in list(range(3)) + [10 + k for k in range(len(bad_names()))] + [30]:
        assert agency_name(i)[0] in agencies, agency_name(i)[0]
    assert any("\\xb9\\xfa" in n for n in stored_names)  # the non-UTF-8 name, shown escaped
    # every message is one line: names with newlines or escape codes are shown escaped
    for line in rr.summary().splitlines():
        assert "\x1b" not in line and "\r" not in line
    report = json.loads(next((data / "runs").glob("*.json")).read_text(encoding="utf-8"))
    assert report["exit_code"] == EXIT_SOME_FAILED and len(report["files_failed"]) == len(rr.files_failed)
    # nothing the user dropped was changed or removed
    after = {p: p.read_bytes() for p in inbox.rglob("*") if p.is_file() and not p.is_symlink()}
    assert after == before
    # and the next run, with nothing new, publishes the same warehouse
    snap = _snapshot(db)
    rr2 = refresh(inbox, db, limits=Limits(seconds=60, memory_mb=1536), workers=2)
    assert rr2.files_extracted == len(rr.files_failed)  # only the failed ones are tried again
    assert _snapshot(db)["reports"] == snap["reports"]


def test_a_file_that_changes_while_it_is_read_is_skipped(env, monkeypatch):
    from pipeline.refresh import store

    write_report(env.inbox, "a.html", agency_name(1)[0], 2023, seed=1)
    write_report(env.inbox, "growing.html", agency_name(2)[0], 2023, seed=2)
    real_fstat = os.fstat
    calls = {"n": 0}

    def fstat(fd):
        st = real_fstat(fd)
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return st
        if name.endswith("growing.html"):
            calls["n"] += 1
            if calls["n"] == 2:  # after the copy: the file has grown meanwhile
                return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid,
                                       st.st_size + 4096, st.st_atime, st.st_mtime, st.st_ctime))
        return st

    monkeypatch.setattr(store.os, "fstat", fstat)
    rr = env.refresh()
    assert [f["path"] for f in rr.files_skipped] == ["growing.html"]
    assert "changed while" in rr.files_skipped[0]["reason"]
    assert rr.reports_loaded == 1
    raw = [p for p in (env.data / "raw").glob("??/*")]
    assert len(raw) == 1  # nothing stored under a hash its bytes do not match
    monkeypatch.setattr(store.os, "fstat", real_fstat)
    assert env.refresh().reports_loaded == 2


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def test_a_full_disk_fails_the_run_cleanly(env, tmp_path, monkeypatch):
    write_report(env.inbox, "a.html", agency_name(1)[0], 2023, seed=1)
    data = tmp_path / "small"
    if _mount_tmpfs(data, "600k"):
        try:
            db = data / "warehouse.duckdb"
            big = env.inbox / "big.txt"
            big.write_bytes(b"x" * 900_000)  # the raw store cannot hold it
            with pytest.raises(Exception) as e:
                refresh(env.inbox, db, workers=1)
            assert "No space" in str(e.value) or "space" in str(e.value).lower()
            assert not db.exists() or _snapshot(db)
            assert not list((data / "raw").glob(".incoming-*.tmp")), "partial copies are cleaned"
        finally:
            subprocess.run(["umount", str(data)], capture_output=True)
    else:  # no mount here: the same failure, simulated
        from pipeline.refresh import report

        def full(*a, **k):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(report, "atomic_write", full)
        with pytest.raises(Exception) as e:
            env.refresh()
        assert "space" in str(e.value).lower()
    assert (env.inbox / "a.html").exists()


def test_a_read_only_data_folder_fails_the_run_and_keeps_the_warehouse(env, tmp_path):
    write_report(env.inbox, "a.html", agency_name(1)[0], 2023, seed=1)
    env.refresh()
    old = _snapshot(env.db)
    write_report(env.inbox, "b.html", agency_name(2)[0], 2023, seed=2)
    ro = subprocess.run(["mount", "--bind", "-o", "ro", str(env.data), str(env.data)], capture_output=True).returncode == 0 \
        and subprocess.run(["mount", "-o", "remount,bind,ro", str(env.data)], capture_output=True).returncode == 0
    if not ro:
        os.chmod(env.data, 0o555)
        if os.access(env.data, os.W_OK):  # root ignores modes: nothing to test here without a mount
            os.chmod(env.data, 0o755)
            pytest.skip("neither a read-only bind mount nor file modes can make the folder read-only here")
    try:
        from pipeline.refresh.run import RefreshError

        with pytest.raises(RefreshError) as e:
            env.refresh()
        assert "Read-only" in str(e.value) or "Permission" in str(e.value) or "read-only" in str(e.value)
    finally:
        subprocess.run(["umount", str(env.data)], capture_output=True)
        os.chmod(env.data, 0o755)
    assert _snapshot(env.db) == old
    assert env.refresh().reports_loaded == 2


def test_a_corrupt_warehouse_is_rebuilt_from_the_raw_store_with_nothing_lost(env):
    for i in range(4):
        write_report(env.inbox, f"r{i}.html", agency_name(i)[0], 2023, seed=i)
    env.refresh()
    good = _content(env.db)
    for p in list(env.inbox.glob("r[01].html")):
        p.unlink()  # the originals of two reports are now only in the raw store
    data = env.db.read_bytes()
    env.db.write_bytes(data[: len(data) // 3])
    rr = env.refresh()
    assert rr.rebuilt and ("corrupt" in rr.summary().lower() or "cannot be read" in rr.rebuilt)
    assert rr.reports_loaded == 4 and _content(env.db) == good
    assert list(env.data.glob("warehouse.duckdb.corrupt-*")), "the corrupt file is kept aside"


def test_rebuild_reads_every_original_of_the_raw_store(env):
    for i in range(3):
        write_report(env.inbox, f"r{i}.html", agency_name(i)[0], 2023, seed=i)
    env.refresh()
    for p in env.inbox.glob("*.html"):
        p.unlink()
    rr = env.refresh(rebuild=True)
    assert rr.files_extracted == 3 and rr.reports_loaded == 3


def test_one_lock_per_warehouse_whatever_the_data_folder(env, tmp_path):
    from pipeline.refresh.lock import take_lock
    from pipeline.refresh.run import RefreshBusy

    write_report(env.inbox, "a.html", agency_name(1)[0], 2023, seed=1)
    held = take_lock(env.db.parent / f".{env.db.name}.lock")
    try:
        with pytest.raises(RefreshBusy):
            refresh(env.inbox, env.db, data_dir=tmp_path / "other-data")
    finally:
        held.close()


def test_shown_escapes_names():
    assert shown("a\nb") == "a\\nb" and shown("x\x1b[2J") == "x\\x1b[2J"
    assert shown(os.fsdecode(b"\xb9\xfa.txt")) == "\\xb9\\xfa.txt"
