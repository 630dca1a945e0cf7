"""Every file is read under a time and a memory limit: one that never finishes or inflates fails with
its reason, its worker is replaced, and the rest is loaded and published."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pipeline import extract as extract_mod
from pipeline.refresh.run import EXIT_SOME_FAILED, Limits
from pipeline.demo.render import agency_name
from tests.warehouse.conftest import write_report

_real = extract_mod.extract_bytes


def _hostile(data: bytes, name: str, pictures=None):
    """Stands in for a reader stuck on a file (the workers are forked, so they see this patch)."""
    if "forever" in name:
        while True:
            time.sleep(0.05)
    if "balloon" in name:
        hog = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))
    return _real(data, name, pictures)


def _live_children() -> list[int]:
    """This process's children that still run (zombies, already dead, not counted)."""
    me, out = str(os.getpid()), []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                state, ppid = (d / "stat").read_text().rpartition(")")[2].split()[:2]
            except (OSError, ValueError):
                continue
            if ppid == me and state != "Z":
                out.append(int(d.name))
    return out


def _wait_for(pred, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_that_never_finishes_fails_and_the_rest_is_published(env, monkeypatch, workers):
    monkeypatch.setattr(extract_mod, "extract_bytes", _hostile)
    for i in range(4):
        write_report(env.inbox, f"ok{i}.html", agency_name(i)[0], 2023, seed=i)
    write_report(env.inbox, "forever.html", agency_name(9)[0], 2023, seed=9)
    write_report(env.inbox, "balloon.html", agency_name(8)[0], 2023, seed=8)
    before = set(_live_children())  # children of earlier tests (a cluster, a server) are not this refresh's
    rr = env.refresh(workers=workers, limits=Limits(seconds=6, memory_mb=1024))
    assert _wait_for(lambda: not (set(_live_children()) - before), timeout=30), \
        "a stopped reader's process outlived the refresh"
    assert rr.exit_code == EXIT_SOME_FAILED
    reasons = {f["path"]: f["reason"] for f in rr.files_failed}
    assert set(reasons) == {"forever.html", "balloon.html"}
    assert "6 s limit" in reasons["forever.html"]
    assert "memory" in reasons["balloon.html"]
    assert rr.reports_loaded == 4
    assert env.query("select count(*) from reports")[0][0] == 4
    # the next run reads the failed files again (they may be fine under other limits) and loads them
    monkeypatch.setattr(extract_mod, "extract_bytes", _real)
    rr = env.refresh(workers=workers)
    assert rr.exit_code == 0 and rr.reports_loaded == 6


def test_a_file_over_the_size_limit_is_not_read(env):
    write_report(env.inbox, "ok.html", agency_name(1)[0], 2023, seed=1)
    (env.inbox / "huge.txt").write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    rr = env.refresh(limits=Limits(file_mb=2))
    assert rr.exit_code == EXIT_SOME_FAILED
    assert [f["path"] for f in rr.files_failed] == ["huge.txt"]
    assert "2 MiB limit" in rr.files_failed[0]["reason"]
    assert rr.reports_loaded == 1


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("NIANBAO_FILE_TIMEOUT", "7.5")
    monkeypatch.setenv("NIANBAO_FILE_MEMORY_MB", "512")
    monkeypatch.setenv("NIANBAO_FILE_MAX_MB", "9")
    assert Limits.from_env() == Limits(7.5, 512, 9)


def _killer(data: bytes, name: str, pictures=None):
    if "sudden" in name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)  # a worker that dies for whatever reason
    return _real(data, name, pictures)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_worker_that_dies_fails_its_file_not_the_run(env, monkeypatch, workers):
    monkeypatch.setattr(extract_mod, "extract_bytes", _killer)
    for i in range(5):
        write_report(env.inbox, f"ok{i}.html", agency_name(i)[0], 2023, seed=i)
    write_report(env.inbox, "sudden.html", agency_name(7)[0], 2023, seed=7)
    rr = env.refresh(workers=workers)
    assert rr.exit_code == EXIT_SOME_FAILED
    assert [f["path"] for f in rr.files_failed] == ["sudden.html"]
    assert "died" in rr.files_failed[0]["reason"]
    assert rr.reports_loaded == 5
