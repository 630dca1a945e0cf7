"""The weekly job: report files in the inbox in, a published warehouse and a run report out.

It runs in stages, each a small function:

1. lock: one refresh per warehouse (and per data folder) at a time;
2. collect: the inbox's files. Symlinks are followed once inside the inbox and never out of it; loops,
   FIFOs and other special files are skipped with a reason; any file name (bytes that are not UTF-8
   included) is handled and shown escaped;
3. store: every original into the content-addressed raw store (data/raw/ab/abcd….ext), hashed while
   it is copied, so the stored bytes are exactly the hashed ones (a file that changes while it is read
   is skipped with a reason); data/raw/index.jsonl records each file's name and inbox path, so the raw
   store alone can rebuild the warehouse (`refresh --rebuild`, or by itself after a corrupt warehouse);
4. extract: what is new or changed, or everything when the parser's version changed, each file in a
   worker process under its limits;
5. build: a complete new warehouse file beside the published one, then every check;
6. publish: one rename; readers never see a half-built warehouse, and a crash at any moment leaves the
   old one intact;
7. report: the run report (data/runs/<load id>.json) is always written, or failing to write it is the
   run's error.

The library prints nothing: progress goes to an optional callback, which the CLI draws.
"""
from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pipeline.limits import Limits  # re-exported: refresh(..., limits=Limits(...))
from pipeline.refresh import report
from pipeline.refresh.inbox import collect
from pipeline.refresh.lock import release_lock, take_lock
from pipeline.refresh.report import (EXIT_OK, EXIT_RUN_FAILED, EXIT_SOME_FAILED, RefreshBusy, RefreshError,
                                     RunReport, shown)
from pipeline.refresh.store import active, clean_leftovers, from_raw_store, provenance, store_all
from pipeline.refresh.workers import BuilderProcess, extract_all
from pipeline.spec.model import PARSER_VERSION

__all__ = ["refresh", "Limits", "RunReport", "RefreshError", "RefreshBusy", "EXIT_OK", "EXIT_SOME_FAILED",
           "EXIT_RUN_FAILED", "shown"]


@dataclass
class _Run:
    """What every stage of one refresh reads: where, since when, under which limits and locks."""
    inbox: Path
    db: Path
    data_dir: Path
    corrections: Path
    agencies: Path
    limits: Limits
    load_id: str
    started: dt.datetime
    t0: float
    rr: RunReport
    locks: tuple = ()
    register_unreadable: str | None = None  # the register could not be read: the last good one was used


def refresh(inbox: Path, db: Path, data_dir: Path | None = None, workers: int | None = None,
            quiet: bool = True, corrections: Path | None = None, limits: Limits | None = None,
            rebuild: bool = False, progress=None, agencies: Path | None = None, fetched: dict | None = None,
            dask_scheduler: str | None = None) -> RunReport:
    """Run one refresh. Never raises for bad input files; raises RefreshError when the run fails.

    `progress(done, total)` is called as files are extracted (the CLI draws it); `rebuild` reads every
    original of the raw store again, whatever the published warehouse holds; `agencies` is the agency
    register (default: agencies.csv in the data folder); `fetched` is what `nianbao fetch` returned just
    before, kept in the run report, or (`refresh --fetch`) a function that fetches, called once the
    lock is held; `dask_scheduler` (tcp://HOST:PORT) reads the files on that Dask cluster instead of local
    workers (pipeline/refresh/cluster.py)."""
    run = _start(inbox, db, data_dir, corrections, agencies, limits, fetched)
    rr = run.rr
    run.locks = _lock_all(run.db, run.data_dir)  # 1. lock
    published = False
    try:
        if callable(fetched):  # `refresh --fetch`: the fetch runs inside the lock, so two runs never both fetch
            _note_fetch(rr, fetched())
        files, base_files, prev_sources = _previous_files(run, rebuild)
        active_shas, context = _collect_and_store(run, files, base_files)  # 2-3. collect and store
        target, counts = _extract_and_build(run, files, active_shas, prev_sources, context, workers, progress,
                                            dask_scheduler)  # 4-5.
        _failpoint("before_publish")
        mark = time.monotonic()
        _publish(target, run.db)  # 6. publish: one rename
        rr.stage_seconds["publish"] = round(time.monotonic() - mark, 3)
        published = True
        rr.reports_loaded = counts["reports_loaded"]
        rr.checks = counts["checks"]
        rr.checks_by_id = counts["checks_by_id"]
        rr.unplaced = counts["unplaced"]
        rr.unregistered = counts.get("unregistered", [])
        rr.status = "partial" if rr.files_failed else "ok"
        rr.exit_code = EXIT_SOME_FAILED if rr.files_failed or run.register_unreadable else EXIT_OK
    except RefreshBusy:
        raise
    except Exception as e:
        rr.status, rr.exit_code, rr.error = "failed", EXIT_RUN_FAILED, f"{type(e).__name__}: {e}"
    finally:
        _finish(run, published)  # 7. report
    if rr.exit_code == EXIT_RUN_FAILED:
        raise RefreshError(rr.error + (" (the new warehouse was published)" if published else
                                       "; nothing was published, the previous warehouse is intact"))
    return rr


def _start(inbox, db, data_dir, corrections, agencies, limits, fetched) -> _Run:
    """The run's identity, its paths with their defaults, and a run report with what was fetched first."""
    t0 = time.monotonic()
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    load_id = started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    inbox, db = Path(inbox), Path(db)
    data_dir = Path(data_dir) if data_dir else db.parent
    corrections = Path(corrections) if corrections else data_dir / "corrections.csv"
    agencies = Path(agencies) if agencies else data_dir / "agencies.csv"
    rr = RunReport(load_id, started.isoformat(timespec="seconds"), shown(str(inbox)), shown(str(db)))
    if fetched and not callable(fetched):
        _note_fetch(rr, fetched)
    return _Run(inbox, db, data_dir, corrections, agencies, limits or Limits.from_env(), load_id, started, t0, rr)


def _note_fetch(rr: RunReport, fetched: dict) -> None:
    """What `refresh --fetch` fetched first, per source, in the run report."""
    rr.fetch = {k: fetched.get(k) for k in ("sources", "requests", "conditional", "not_modified", "failed_sources")}
    rr.fetch["by_agency"] = [
        {"agency_id": r["agency_id"], "name": r["name"], "new": [{"year": n["year"], "url": n["url"],
                                                                 "published_on": n["published_on"]} for n in r["new"]],
         "older_format": [o["year"] for o in r["older_format"]], "failed": r["failed"]}
        for r in fetched.get("results", []) if r["new"] or r["failed"] or r["older_format"]]


def _lock_all(db: Path, data_dir: Path) -> tuple:
    """One refresh per warehouse, whatever its data folder, and one per data folder: (data lock, db lock)."""
    db_lock = take_lock(db.parent / f".{db.name}.lock")
    try:
        data_lock = take_lock(data_dir / ".refresh.lock")
    except BaseException:
        db_lock.close()
        raise
    return data_lock, db_lock


def _previous_files(run: _Run, rebuild: bool) -> tuple[dict, dict, dict]:
    """The files known before this run, the base the inbox is compared with, and the parser version each
    was read by; from the raw store alone when the warehouse is corrupt or a rebuild is asked for."""
    db, data_dir, rr = run.db, run.data_dir, run.rr
    from pipeline.warehouse.ownership import foreign_warehouse

    if foreign_warehouse(db, data_dir):  # never replace a file nianbao did not make
        raise RefreshError(foreign_warehouse(db, data_dir))
    clean_leftovers(data_dir)
    (data_dir / ".staging").mkdir(parents=True, exist_ok=True)
    prev_files, prev_sources, broken = _previous(db)
    if broken or rebuild:
        rr.rebuilt = broken or "asked for (--rebuild)"
        if broken:
            aside = db.with_name(f"{db.name}.corrupt-{run.load_id}")
            os.replace(db, aside)  # kept for inspection; readers get a clear message until the new one lands
            rr.rebuilt += f"; moved aside to {aside.name}"
        files = from_raw_store(data_dir, run.load_id)
        return files, dict(files), {}
    files = {sha: dict(f) for sha, f in prev_files.items() if (data_dir / (f.get("raw_path") or "")).is_file()}
    return files, prev_files, prev_sources


def _collect_and_store(run: _Run, files: dict, base_files: dict) -> tuple[list[str], dict]:
    """Stages 2-3: the inbox's files into the raw store; the files to load, and the context the builder
    needs besides them (fetch provenance, the agency register)."""
    rr = run.rr
    mark = time.monotonic()
    found = collect(run.inbox, rr)
    rr.stage_seconds["collect"] = round(time.monotonic() - mark, 3)
    mark = time.monotonic()
    seen_paths = store_all(found, base_files, files, run.data_dir, run.limits, rr, run.load_id)
    active_shas = active(files, seen_paths)
    context = provenance(run.inbox, run.data_dir, files)
    from pipeline.warehouse.register import read_register

    register = read_register(run.agencies, keep=run.data_dir / "raw" / "agencies.csv")
    run.register_unreadable = register.unreadable
    rr.register = shown(str(run.agencies)) if run.agencies.is_file() else None
    rr.register_problems = register.problems
    context["register"] = register.entries
    rr.stage_seconds["store"] = round(time.monotonic() - mark, 3)
    return active_shas, context


def _extract_and_build(run: _Run, files: dict, active_shas: list[str], prev_sources: dict, context: dict,
                       workers: int | None, progress, dask_scheduler: str | None = None) -> tuple[Path, dict]:
    """Stages 4-5: extract what is new, changed, failed before, or read by an older parser, streaming
    into the builder process, which writes the new warehouse and runs every check. Returns the new
    warehouse file and the builder's counts."""
    rr, mark = run.rr, time.monotonic()
    todo = [sha for sha in active_shas if prev_sources.get(sha) != PARSER_VERSION]
    keep = [sha for sha in active_shas if prev_sources.get(sha) == PARSER_VERSION]
    failed: dict[str, str] = {}
    target = run.data_dir / ".staging" / f"warehouse-{run.load_id}.duckdb"
    builder = BuilderProcess(target, run.load_id, tuple(fh.fileno() for fh in reversed(run.locks)))
    try:
        builder.carry_over(run.db if (run.db.exists() and keep) else None, keep)

        def take(res):
            if isinstance(res, tuple):
                failed[res[0]] = res[1]
                return
            files[res.sha256].update(status="loaded", error=None)
            builder.add(res)

        if dask_scheduler:  # Dask is imported only here
            from pipeline.refresh import cluster

            cluster.extract_all(todo, files, run.data_dir, workers, run.limits, progress, take, dask_scheduler)
        else:
            extract_all(todo, files, run.data_dir, tuple(reversed(run.locks)), workers, run.limits, progress, take)
        rr.stage_seconds["extract"] = round(time.monotonic() - mark, 3)
        mark = time.monotonic()
        rr.files_extracted = len(todo)
        for sha, reason in failed.items():
            f = files[sha]
            f.update(status="failed", error=reason)
            rr.files_failed.append({"path": f.get("inbox_path") or f.get("name"), "reason": reason, "sha256": sha})
        for sha in keep:
            files[sha].update(status="loaded", error=None)
        from pipeline.warehouse.build import read_corrections

        corr, corr_problems = read_corrections(run.corrections)
        counts = builder.finish(list(files.values()), _run_report_row(rr, run.load_id, run.started, run.t0), corr,
                                context)
        rr.corrections = corr_problems + counts["correction_problems"]
        rr.builder_peak_rss_mib = counts.get("builder_peak_rss_mib")
    finally:
        builder.abandon()
    rr.stage_seconds["build"] = round(time.monotonic() - mark, 3)
    rr.stage_seconds.update(counts.get("builder_seconds", {}))  # inside the builder process
    return target, counts


def _publish(target: Path, db: Path) -> None:
    """The new warehouse replaces the published one in one rename, after both are on disk."""
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(target, db)
    _fsync_dir(db.parent)


def _finish(run: _Run, published: bool) -> None:
    """Stage 7: the run report is always written, or failing to write it is the run's error; the locks go."""
    rr = run.rr
    rr.seconds = round(time.monotonic() - run.t0, 3)
    rr.finished_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    try:
        report.save(rr, run.data_dir)
    except OSError as e:
        note = f"the run report could not be written ({e.strerror or e})"
        rr.error = f"{rr.error}; {note}" if rr.error else note
        rr.exit_code = EXIT_RUN_FAILED
        rr.status = "failed" if not published else rr.status
    for fh in run.locks:
        release_lock(fh)


def _previous(db: Path) -> tuple[dict, dict, str | None]:
    """Files and sources (sha -> parser version) of the published warehouse, and why it cannot be used
    when it is corrupt (then the caller rebuilds from the raw store)."""
    if not db.exists():
        return {}, {}, None
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            from pipeline.warehouse.build import SCHEMA_VERSION

            cur = con.execute("select * from files")
            cols = [d[0] for d in cur.description]
            files = {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}
            version = con.execute("select value from meta where key = 'schema_version'").fetchall()
            if not version or version[0][0] != SCHEMA_VERSION:
                return files, {}, None  # another schema: read every file again into the new one
            sources = dict(con.execute("select sha256, parser_version from sources").fetchall())
            return files, sources, None
    except Exception as e:
        return {}, {}, f"the published warehouse cannot be read ({type(e).__name__}: {str(e)[:200]})"


def _fsync_dir(path: Path):
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _run_report_row(rr: RunReport, load_id: str, started, t0: float) -> dict:
    finished = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return {"load_id": load_id, "started_at": started, "finished_at": finished, "parser_version": PARSER_VERSION,
            "status": "partial" if rr.files_failed else "ok", "files_seen": rr.files_seen, "files_new": rr.files_new,
            "files_unchanged": rr.files_unchanged, "files_failed": len(rr.files_failed),
            "seconds": time.monotonic() - t0}


def _failpoint(name: str):
    """Tests stop a refresh at a named point (NIANBAO_FAILPOINT=name:sleep) to kill it there."""
    spec = os.environ.get("NIANBAO_FAILPOINT", "")
    if spec.partition(":")[0] == name:
        time.sleep(float(spec.partition(":")[2] or 60))
