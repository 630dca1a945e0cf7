"""The refresh reading its files on a Dask cluster (127.0.0.1 only): the warehouse, the checks and the run
report are a local run's; a worker killed in the middle changes nothing; without the option, Dask is
not imported."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dask
import duckdb
import pytest
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from pipeline.demo.render import Layout, agency_name, random_facts, render
from pipeline.refresh.run import refresh

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _plain_main(monkeypatch):
    """Dask starts its workers by spawning, which runs the parent's `__main__` script again; after the
    dashboard's AppTests that is dashboard.py. A bare `__main__` while these tests run, as under the CLI."""
    import types

    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))


def _inbox(inbox: Path) -> None:
    """A dozen reports (HTML, TXT, Word, a PDF), one file that is no PDF, one a reader cannot finish in time."""
    inbox.mkdir(parents=True)
    for i in range(12):
        year = 2020 + i % 4
        tpl = "2021" if year >= 2021 else "2019"
        fmt = ("html", "txt", "html", "docx", "pdf", "txt")[i % 6] if i < 6 else ("html", "txt")[i % 2]
        facts = random_facts(random.Random(i), tpl)
        (inbox / f"r{i:02d}.{fmt}").write_bytes(render(facts, agency_name(i)[0], year, tpl, Layout(fmt), seed=i))
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a PDF at all")


def _published(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "facts": con.execute("select * from facts order by all").fetchall(),
            "checks": con.execute("select * from check_results order by all").fetchall(),
            "reports": con.execute("select * exclude (load_id) from reports order by all").fetchall(),
        }


def _report(rr) -> dict:
    return {"failed": sorted((f["path"], f["reason"]) for f in rr.files_failed), "checks": rr.checks,
            "by_id": rr.checks_by_id, "loaded": rr.reports_loaded, "seen": rr.files_seen,
            "extracted": rr.files_extracted, "status": rr.status}


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("local")
    _inbox(base / "inbox")
    rr = refresh(base / "inbox", base / "data" / "warehouse.duckdb", workers=2)
    assert rr.reports_loaded == 12 and len(rr.files_failed) == 1
    return base, _report(rr), _published(base / "data" / "warehouse.duckdb")


def test_without_the_option_dask_is_not_imported(tmp_path):
    code = ("import sys\nfrom pathlib import Path\nfrom pipeline.refresh.run import refresh\n"
            "import pipeline.cli\n"
            f"rr = refresh(Path({str(tmp_path / 'inbox')!r}), Path({str(tmp_path / 'data' / 'w.duckdb')!r}), workers=1)\n"
            "assert rr.reports_loaded == 1, rr.summary()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_bytes(render(random_facts(random.Random(1), "2021"), agency_name(1)[0], 2022,
                                                      "2021", Layout("txt"), seed=1))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("NIANBAO_DASK_SCHEDULER", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_local_cluster_publishes_what_a_local_run_does(tmp_path, local_run):
    _, report, published = local_run
    _inbox(tmp_path / "inbox")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        rr = refresh(tmp_path / "inbox", tmp_path / "data" / "warehouse.duckdb",
                     dask_scheduler=cluster.scheduler_address)
    assert _report(rr) == report
    assert _published(tmp_path / "data" / "warehouse.duckdb") == published


def test_a_file_over_the_time_limit_fails_on_the_cluster_as_it_does_locally(tmp_path, monkeypatch):
    """The limit travels with the task: a reader stopped on the worker, the reason a local run gives."""
    from pipeline.limits import Limits

    _inbox(tmp_path / "inbox")
    tight = Limits(seconds=0.001)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        rr = refresh(tmp_path / "inbox", tmp_path / "data" / "warehouse.duckdb", limits=tight,
                     dask_scheduler=cluster.scheduler_address)
    reasons = {f["reason"] for f in rr.files_failed}
    assert len(rr.files_failed) == 13 and reasons == {
        "took longer than the 0.001 s limit per file (NIANBAO_FILE_TIMEOUT); its reader was stopped"}


class _DieOnRead(WorkerPlugin):
    """Test only: a Dask worker process that starts reading the file with this sha exits at once."""

    def __init__(self, sha: str):
        self.sha = sha

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and f"-{self.sha[:16]}-" in str(key):
            os._exit(1)


def test_a_file_that_kills_its_worker_twice_fails_and_the_rest_goes_on(tmp_path, local_run):
    _, report, _ = local_run
    _inbox(tmp_path / "inbox")
    victim = tmp_path / "inbox" / "r01.txt"
    sha = hashlib.sha256(victim.read_bytes()).hexdigest()
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.register_plugin(_DieOnRead(sha))
            rr = refresh(tmp_path / "inbox", tmp_path / "data" / "warehouse.duckdb",
                         dask_scheduler=cluster.scheduler_address)
    failed = {f["path"]: f["reason"] for f in rr.files_failed}
    assert failed.pop("r01.txt").startswith("the Dask workers reading it died 2 times")
    assert failed == dict(report["failed"])
    assert rr.reports_loaded == report["loaded"] - 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1")
    return subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def test_separate_scheduler_and_workers_with_one_killed_in_the_middle(tmp_path, local_run):
    _, report, published = local_run
    _inbox(tmp_path / "inbox")
    address = f"tcp://127.0.0.1:{_free_port()}"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                     "--no-dashboard"], tmp_path / "scheduler.log")]
    try:
        with Client(address, timeout=60) as c:  # waits for the scheduler
            for i in range(2):
                procs.append(_start(["worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                                     "--host", "127.0.0.1", "--name", f"w{i}"], tmp_path / f"worker{i}.log"))
            c.wait_for_workers(2, timeout=120)
        killed = []

        def progress(done, total):
            if done == 3 and not killed:  # a worker and its nanny gone without a word, mid-run
                _stop(procs[1])
                killed.append(time.monotonic())

        rr = refresh(tmp_path / "inbox", tmp_path / "data" / "warehouse.duckdb", dask_scheduler=address,
                     progress=progress)
        assert killed, "the worker was not killed during the run"
        assert _report(rr) == report
        assert _published(tmp_path / "data" / "warehouse.duckdb") == published
    finally:
        for p in procs:
            _stop(p)


def test_the_command_reads_the_scheduler_from_the_environment(tmp_path, local_run):
    _, report, published = local_run
    _inbox(tmp_path / "inbox")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        env = dict(os.environ, PYTHONPATH=str(ROOT), NIANBAO_DASK_SCHEDULER=cluster.scheduler_address)
        out = subprocess.run([sys.executable, "-m", "pipeline", "refresh", "--inbox", str(tmp_path / "inbox"),
                              "--db", str(tmp_path / "data" / "warehouse.duckdb"), "--quiet"],
                             capture_output=True, text=True, env=env, timeout=600)
        prefixes = list(cluster.scheduler.task_prefixes)  # what was read on this cluster
    assert any(p.startswith("nianbao-read") for p in prefixes), prefixes
    assert out.returncode == 1, out.stderr  # broken.pdf failed, the rest published
    assert "FAILED broken.pdf: a corrupt PDF (PDFSyntaxError)" in out.stdout
    assert _published(tmp_path / "data" / "warehouse.duckdb") == published
