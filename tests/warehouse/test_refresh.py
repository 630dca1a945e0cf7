"""The weekly refresh: incremental, idempotent, atomic, safe against readers, crashes and a second run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.spec import model
from pipeline.refresh.run import RefreshBusy
from pipeline.demo.render import agency_name
from tests.warehouse.conftest import write_report

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("agencies", "reports", "facts", "check_results", "sources", "source_facts", "sentences")


def snapshot(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in TABLES}


def test_refresh_loads_reports_and_writes_run_report(env):
    for i, year in enumerate((2020, 2021, 2022)):
        write_report(env.inbox, f"a{year}.html", "某市生态环境局", year, seed=i)
    rr = env.refresh()
    assert rr.exit_code == 0 and rr.status == "ok"
    assert rr.files_seen == 3 and rr.files_new == 3 and rr.reports_loaded == 3
    runs = list((env.data / "runs").glob("*.json"))
    assert len(runs) == 1 and json.loads(runs[0].read_text(encoding="utf-8"))["reports_loaded"] == 3
    assert env.query("select count(*) from reports")[0][0] == 3
    assert env.query("select count(*) from runs")[0][0] == 1


def test_a_page_saved_as_one_file_is_loaded_as_the_page_is(env):
    """A web page saved whole (MHTML) in the inbox is read, kept and published as the page itself is."""
    from tests.extract.test_saved_forms import mhtml

    from pipeline.refresh.run import refresh

    write_report(env.inbox, "a.html", "某市生态环境局", 2022, seed=1)
    page = env.inbox / "a.html"
    env.refresh()  # the page itself, in a warehouse of its own
    as_page = env.query("select metric, dim, value from facts order by all")
    saved = env.inbox.parent / "saved"
    saved.mkdir()
    (saved / "a.mhtml").write_bytes(mhtml(page.read_bytes().decode("utf-8")))
    db = env.inbox.parent / "saved-data" / "warehouse.duckdb"
    rr = refresh(saved, db, quiet=True, workers=1)
    assert rr.exit_code == 0 and rr.files_new == 1 and rr.reports_loaded == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select source_format, source_name from reports").fetchall() == [("mhtml", "a.mhtml")]
        assert con.execute("select metric, dim, value from facts order by all").fetchall() == as_page


def test_two_refreshes_give_an_identical_warehouse(env):
    for i in range(3):
        write_report(env.inbox, f"r{i}.txt", agency_name(i)[0], 2022, seed=i, fmt="txt")
    env.refresh()
    first = snapshot(env.db)
    rr = env.refresh()
    assert rr.files_extracted == 0 and rr.files_unchanged == 3
    assert snapshot(env.db) == first
    assert env.query("select count(*) from runs")[0][0] == 2


def test_one_new_file_means_only_it_is_extracted(env):
    for i in range(5):
        write_report(env.inbox, f"r{i}.html", agency_name(i)[0], 2023, seed=i)
    env.refresh(workers=2)
    write_report(env.inbox, "new.html", agency_name(500)[0], 2023, seed=99)
    rr = env.refresh()
    assert rr.files_new == 1 and rr.files_unchanged == 5 and rr.files_extracted == 1
    assert env.query("select count(*) from reports")[0][0] == 6


def test_parser_version_change_extracts_everything_again(env, monkeypatch):
    for i in range(3):
        write_report(env.inbox, f"r{i}.html", agency_name(i)[0], 2023, seed=i)
    env.refresh()
    monkeypatch.setattr(model, "PARSER_VERSION", "test-next")
    import pipeline.refresh.run as refresh_mod

    monkeypatch.setattr(refresh_mod, "PARSER_VERSION", "test-next")
    rr = env.refresh()
    assert rr.files_extracted == 3
    assert {r[0] for r in env.query("select distinct parser_version from sources")} == {"test-next"}


def test_raw_store_keeps_each_original_once_and_inbox_is_untouched(env):
    write_report(env.inbox, "a.html", "某市统计局", 2023, seed=1)
    (env.inbox / "sub").mkdir()
    (env.inbox / "sub" / "copy-of-a.html").write_bytes((env.inbox / "a.html").read_bytes())
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in env.inbox.rglob("*") if p.is_file()}
    rr = env.refresh()
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in env.inbox.rglob("*") if p.is_file()}
    assert before == after
    raw = [p for p in (env.data / "raw").rglob("*") if p.is_file() and p.name != "index.jsonl"]
    assert len(raw) == 1 and raw[0].read_bytes() == (env.inbox / "a.html").read_bytes()
    assert rr.duplicates and rr.duplicates[0]["same_as"] == "a.html"


def test_files_removed_from_the_inbox_stay_in_the_warehouse(env):
    write_report(env.inbox, "a.html", "某市统计局", 2023, seed=1)
    env.refresh()
    (env.inbox / "a.html").unlink()
    env.refresh()
    assert env.query("select count(*) from reports")[0][0] == 1


def test_bad_files_are_reported_by_name_while_the_rest_load(env):
    write_report(env.inbox, "good.html", "某市统计局", 2023, seed=1)
    (env.inbox / "empty.txt").write_bytes(b"")
    (env.inbox / "binary.html").write_bytes(bytes(range(256)) * 20)
    (env.inbox / "menu.txt").write_text("今日菜单：米饭、面条。", encoding="utf-8")
    (env.inbox / "fake.pdf").write_text("not a pdf", encoding="utf-8")
    (env.inbox / "table.xlsx").write_bytes(b"PK")  # workbooks are read: a broken one fails with the reason
    (env.inbox / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    rr = env.refresh()
    assert rr.exit_code == 1 and rr.status == "partial"
    failed = {f["path"]: f["reason"] for f in rr.files_failed}
    assert set(failed) == {"empty.txt", "binary.html", "menu.txt", "fake.pdf", "table.xlsx"}
    assert "empty" in failed["empty.txt"] and "binary" in failed["binary.html"]
    assert "not a government-information-disclosure annual report" in failed["menu.txt"]
    assert "XLSX" in failed["table.xlsx"]
    assert rr.files_ignored == ["logo.png"]
    assert rr.reports_loaded == 1
    assert "FAILED empty.txt" in rr.summary()
    assert "ignored, not a report format (1): logo.png" in rr.summary()


def _cli(*args, env_extra=None, **kw):
    e = dict(os.environ, **(env_extra or {}))
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=e,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _processes_mentioning(text: str) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if text in (d / "cmdline").read_bytes().decode(errors="replace"):
                    out.append(int(d.name))
            except OSError:
                pass
    return out


def _wait_for(pred, timeout=60):
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_a_reader_holds_the_warehouse_open_during_a_refresh(env):
    write_report(env.inbox, "a.html", "某市统计局", 2022, seed=1)
    env.refresh()
    reader = subprocess.Popen(
        [sys.executable, "-c", (
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(env.db)!r}, read_only=True)\n"
            "print(con.execute('select count(*) from reports').fetchall()[0][0], flush=True)\n"
            "sys.stdin.readline()\n"
            "print(con.execute('select count(*) from reports').fetchall()[0][0], flush=True)\n")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "1"
    write_report(env.inbox, "b.html", "某市交通运输局", 2022, seed=2)
    p = _cli("refresh", "--inbox", str(env.inbox), "--db", str(env.db), "--quiet")
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == "1"  # the reader keeps its consistent (old) view
    reader.wait(timeout=30)
    assert env.query("select count(*) from reports")[0][0] == 2  # a new connection sees the new warehouse


def test_a_second_concurrent_refresh_is_refused(env):
    write_report(env.inbox, "a.html", "某市统计局", 2022, seed=1)
    first = _cli("refresh", "--inbox", str(env.inbox), "--db", str(env.db), "--quiet",
                 env_extra={"NIANBAO_FAILPOINT": "before_publish:20"})
    assert _wait_for(lambda: any((env.data / ".staging").glob("*.duckdb")))
    second = _cli("refresh", "--inbox", str(env.inbox), "--db", str(env.db), "--quiet")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 2
    assert "another refresh is running" in err and "Traceback" not in err
    first.kill()
    first.wait()


def test_refresh_busy_in_process(env):
    from pipeline.refresh.lock import take_lock

    fh = take_lock(env.data / ".refresh.lock")
    try:
        with pytest.raises(RefreshBusy):
            env.refresh()
    finally:
        fh.close()


def test_sigkill_before_publish_leaves_the_old_warehouse_and_the_next_run_completes(env):
    write_report(env.inbox, "a.html", "某市统计局", 2022, seed=1)
    env.refresh()
    old = snapshot(env.db)
    write_report(env.inbox, "b.html", "某市交通运输局", 2022, seed=2)
    p = _cli("refresh", "--inbox", str(env.inbox), "--db", str(env.db), "--quiet",
             env_extra={"NIANBAO_FAILPOINT": "before_publish:30"})
    assert _wait_for(lambda: any((env.data / ".staging").glob("*.duckdb")))
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert snapshot(env.db) == old  # readable and unchanged
    rr = env.refresh()
    assert rr.exit_code == 0 and rr.reports_loaded == 2
    assert not list((env.data / ".staging").glob("*"))


@pytest.mark.slow
def test_sigkill_at_random_moments(env):
    for i in range(60):
        write_report(env.inbox, f"r{i}.html", agency_name(i)[0], 2022, seed=i)
    env.refresh()
    old = snapshot(env.db)
    for i in range(60, 90):
        write_report(env.inbox, f"r{i}.html", agency_name(i)[0], 2022, seed=i)
    for delay in [0.1 + 0.15 * k for k in range(20)]:  # 20 moments, from collecting to publishing
        p = _cli("refresh", "--inbox", str(env.inbox), "--db", str(env.db), "--quiet", "--workers", "2")
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert _wait_for(lambda: not _processes_mentioning(str(env.inbox)), timeout=10), "extraction workers outlived the refresh"
        snap = snapshot(env.db)  # always a complete warehouse: the old one, or a fully built new one
        assert snap == old or len(snap["reports"]) == 90
    rr = env.refresh()
    assert rr.reports_loaded == 90


def test_links_inside_the_inbox_are_read_once_and_links_out_are_not_followed(env, tmp_path):
    elsewhere = tmp_path / "shared-drive"
    write_report(elsewhere, "a.html", "南京市财政局", 2022, seed=1)
    (env.inbox / "drive").symlink_to(elsewhere, target_is_directory=True)  # out of the inbox: not followed
    (env.inbox / "passwd.txt").symlink_to("/etc/passwd")  # out of the inbox: never copied
    inner = env.inbox / "2022"
    write_report(inner, "b.html", "南京市教育局", 2022, seed=2)
    (env.inbox / "alias").symlink_to(inner, target_is_directory=True)  # inside: the same files, read once
    (inner / "loop").symlink_to(inner, target_is_directory=True)  # a cycle must not be followed forever
    write_report(env.inbox, ".hidden.html", "南京市教育局", 2022, seed=3)
    rr = env.refresh()
    assert rr.files_seen == 1 and rr.reports_loaded == 1
    skipped = {f["path"]: f["reason"] for f in rr.files_skipped}
    assert "outside the inbox" in skipped["drive"] and "outside the inbox" in skipped["passwd.txt"]
    assert any("already read" in r for r in skipped.values())
    raw = [p for p in (env.data / "raw").rglob("*") if p.is_file() and p.suffix != ".jsonl"]
    assert len(raw) == 1 and b"root:" not in raw[0].read_bytes()
