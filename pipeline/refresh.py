"""The weekly job: report files in the inbox in, a published warehouse and a run report out.

1. take the lock (one refresh at a time);
2. keep every original in the content-addressed raw store (data/raw/ab/abcd….ext), never touching
   the inbox;
3. extract what is new or changed, or everything when the parser's version changed, on a process pool;
4. build a complete new warehouse file beside the published one, then swap it in with one rename:
   readers never see a half-built warehouse, and a crash at any moment leaves the old one intact;
5. write the run report (data/runs/<load id>.json).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import multiprocessing
import os
import pickle
import shutil
import sys
import time
import uuid
from concurrent.futures import TimeoutError as FutureTimeout, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .model import PARSER_VERSION
from .readers import SUPPORTED_SUFFIXES

EXIT_OK, EXIT_SOME_FAILED, EXIT_RUN_FAILED = 0, 1, 2


@dataclass(frozen=True)
class Limits:
    """What one file may cost. Each file is read in a worker process under these limits; a file over
    a limit fails with a reason naming it, its worker is replaced, and the run goes on.

    Defaults suit the 2-core, 24 GiB machines this runs on; override them with the environment
    variables named beside each, or pass a Limits to `refresh`."""

    seconds: float = 120.0  # NIANBAO_FILE_TIMEOUT: wall-clock seconds to read one file
    memory_mb: int = 3072  # NIANBAO_FILE_MEMORY_MB: memory a worker may take beyond its loaded libraries
    file_mb: int = 200  # NIANBAO_FILE_MAX_MB: files larger than this are not read

    @classmethod
    def from_env(cls) -> "Limits":
        env = os.environ
        d = cls()
        return cls(float(env.get("NIANBAO_FILE_TIMEOUT") or d.seconds),
                   int(env.get("NIANBAO_FILE_MEMORY_MB") or d.memory_mb),
                   int(env.get("NIANBAO_FILE_MAX_MB") or d.file_mb))


class RefreshError(Exception):
    """The run itself failed; nothing was published."""


class RefreshBusy(RefreshError):
    pass


@dataclass
class RunReport:
    load_id: str
    started_at: str
    inbox: str
    db: str
    parser_version: str = PARSER_VERSION
    finished_at: str | None = None
    seconds: float | None = None
    status: str = "running"
    exit_code: int | None = None
    files_seen: int = 0
    files_new: int = 0
    files_unchanged: int = 0
    files_extracted: int = 0
    files_failed: list[dict] = field(default_factory=list)
    files_ignored: list[str] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    reports_loaded: int = 0
    unplaced: list[str] = field(default_factory=list)
    checks: dict = field(default_factory=dict)
    checks_by_id: list[dict] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)

    def summary(self) -> str:
        lines = [f"nianbao refresh {self.load_id}: {self.status} in {self.seconds or 0:.1f} s",
                 f"  files: {self.files_seen} seen, {self.files_new} new, {self.files_unchanged} unchanged, "
                 f"{self.files_extracted} extracted, {len(self.files_failed)} failed"
                 + (f", {len(self.files_ignored)} ignored (not a report format)" if self.files_ignored else ""),
                 f"  reports loaded: {self.reports_loaded}"
                 + (f" ({len(self.unplaced)} files without agency or year not placed)" if self.unplaced else ""),
                 "  checks: " + ", ".join(f"{self.checks.get(s, 0)} {s}" for s in ("error", "warning", "info"))]
        for f in self.files_failed:
            lines.append(f"  FAILED {f['path']}: {f['reason']}")
        for c in self.corrections:
            lines.append(f"  correction not applied: {c}")
        if self.error:
            lines.append(f"  ERROR {self.error}")
        return "\n".join(lines)


def _inbox_files(inbox: Path) -> list[Path]:
    """Every file under the inbox, recursively, following linked folders (once each); hidden files
    and folders are skipped."""
    out, seen = [], set()
    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out += [Path(dirpath) / f for f in filenames if not f.startswith(".")]
    return sorted(p for p in out if p.is_file())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path):
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _atomic_write(path: Path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def store_raw(src: Path, sha: str, data_dir: Path) -> str:
    """Copy a file into the raw store once (by content); return its path relative to data_dir."""
    suffix = src.suffix.lower() if src.suffix.lower() in SUPPORTED_SUFFIXES else ".bin"
    rel = Path("raw") / sha[:2] / f"{sha}{suffix}"
    dest = data_dir / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.tmp")
        shutil.copyfile(src, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    return str(rel)


def _worker_init(lock_fd: int, parent: int, memory_bytes: int):
    """In each extraction worker: drop the inherited lock, die with the refresh (Linux
    PR_SET_PDEATHSIG: a refresh killed with SIGKILL leaves neither the lock nor idle workers), and
    cap the address space so a file that inflates fails with MemoryError instead of taking the machine."""
    try:
        os.close(lock_fd)
    except OSError:
        pass
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the refresh died before the line above took effect
        os._exit(1)
    # the readers' libraries are loaded first, so the limit counts what a file costs, not the imports
    from . import extract  # noqa: F401
    from .readers import docx, html, pdf, txt  # noqa: F401

    if memory_bytes > 0:
        import resource

        try:
            with open("/proc/self/statm") as fh:
                base = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            base = 0
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = base + memory_bytes
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _extract_one(args: tuple[str, str, str]):
    """Worker: read and parse one stored file. Returns an Extraction, or (sha, reason) on failure."""
    raw_path, name, sha = args
    from .checks import run_report_checks
    from .extract import ReadError, extract_bytes
    from .warehouse import Extraction

    try:
        data = Path(raw_path).read_bytes()
        report = extract_bytes(data, name)
    except ReadError as e:
        return sha, e.reason
    except MemoryError:
        return sha, "needs more memory than the limit per file allows (NIANBAO_FILE_MEMORY_MB)"
    except RecursionError:
        return sha, "nested too deeply to be read"
    except Exception as e:  # a parser bug must fail this file, not the run
        return sha, f"internal error while reading: {type(e).__name__}: {e}"
    doc = report.to_json()
    values = report.values()
    ctx = {"issues": doc["issues"], "statements": doc["statements"]}
    return Extraction(sha, name, report.format, doc, report.sentence_hashes, run_report_checks(values, ctx))


class _Progress:
    """A progress bar on a terminal, plain log lines otherwise; silent when quiet."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.done, self.bar = total, quiet, 0, None
        self.last_log = time.monotonic()
        if not quiet and total and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", desc="extracting", file=sys.stderr)
        elif not quiet and total:
            print(f"extracting {total} files", file=sys.stderr, flush=True)

    def step(self):
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif not self.quiet and (time.monotonic() - self.last_log > 5 or self.done == self.total):
            print(f"extracted {self.done}/{self.total}", file=sys.stderr, flush=True)
            self.last_log = time.monotonic()

    def close(self):
        if self.bar is not None:
            self.bar.close()


def log(msg: str, quiet: bool):
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def _lock(lock_path: Path):
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise RefreshBusy(f"another refresh is running (pid {holder}, lock {lock_path}); try again when it has finished")
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


def _previous(db: Path) -> tuple[dict, dict]:
    """Files and sources (sha -> parser version) of the published warehouse, if there is one."""
    if not db.exists():
        return {}, {}
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            from .warehouse import SCHEMA_VERSION

            cur = con.execute("select * from files")
            cols = [d[0] for d in cur.description]
            files = {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}
            version = con.execute("select value from meta where key = 'schema_version'").fetchall()
            if not version or version[0][0] != SCHEMA_VERSION:
                return files, {}  # another schema: read every file again into the new one
            sources = dict(con.execute("select sha256, parser_version from sources").fetchall())
            return files, sources
    except Exception as e:
        raise RefreshError(f"the published warehouse {db} cannot be read ({e}); move it aside to rebuild from the raw store")


def _extract_all(todo: list[str], files: dict, data_dir: Path, lock, workers: int | None, limits: Limits,
                 quiet: bool, take) -> None:
    """Read every file of `todo` in worker processes (pebble), each under the time and memory limits.

    A file over a limit, or whose worker dies for any reason, fails with the reason; its worker is
    replaced and the others go on. The workers are forked (spawn and forkserver re-import the
    caller's __main__, which a host such as Streamlit or a test runner may have replaced)."""
    if not todo:
        return
    import pebble
    from concurrent.futures.process import BrokenProcessPool

    progress = _Progress(len(todo), quiet)
    jobs = []
    for sha in todo:
        f = files[sha]
        size = f.get("size_bytes") or 0
        if size > limits.file_mb * 1024 * 1024:
            take((sha, f"larger than the {limits.file_mb} MiB limit per file (NIANBAO_FILE_MAX_MB)"))
            progress.step()
            continue
        jobs.append((str(data_dir / f["raw_path"]), f["name"], sha))
    n = max(1, min(workers or min(2, os.cpu_count() or 1), len(jobs) or 1))
    pool = pebble.ProcessPool(max_workers=n, context=multiprocessing.get_context("fork"), initializer=_worker_init,
                              initargs=(lock.fileno(), os.getpid(), limits.memory_mb * 1024 * 1024))
    try:
        pending = {}
        queue = iter(jobs)
        window = n * 16  # jobs in flight at once: a bounded queue, so memory does not grow with the inbox

        def submit():
            for job in queue:
                pending[pool.schedule(_extract_one, args=(job,), timeout=limits.seconds)] = job
                if len(pending) >= window:
                    return

        submit()
        while pending:
            done = next(as_completed(list(pending)))
            job = pending.pop(done)
            sha = job[2]
            try:
                take(done.result())
            except FutureTimeout:
                take((sha, f"took longer than the {limits.seconds:g} s limit per file (NIANBAO_FILE_TIMEOUT); "
                           "its reader was stopped"))
            except pebble.ProcessExpired as e:
                take((sha, f"its reader process died (exit code {e.exitcode}), most likely over the "
                           f"{limits.memory_mb} MiB memory limit per file (NIANBAO_FILE_MEMORY_MB)"))
            except (BrokenProcessPool, MemoryError) as e:
                take((sha, f"its reader process failed: {type(e).__name__}"))
            except Exception as e:  # pragma: no cover - _extract_one catches its own errors
                take((sha, f"internal error while reading: {type(e).__name__}: {e}"))
            progress.step()
            submit()
    finally:
        pool.stop()
        pool.join(timeout=10)
        progress.close()


def refresh(inbox: Path, db: Path, data_dir: Path | None = None, workers: int | None = None,
            quiet: bool = False, corrections: Path | None = None, limits: Limits | None = None) -> RunReport:
    """Run one refresh. Never raises for bad input files; raises RefreshError when the run fails."""
    t0 = time.monotonic()
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    load_id = started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    inbox, db = Path(inbox), Path(db)
    data_dir = Path(data_dir) if data_dir else db.parent
    corrections = Path(corrections) if corrections else data_dir / "corrections.csv"
    rr = RunReport(load_id, started.isoformat(timespec="seconds"), str(inbox), str(db))
    limits = limits or Limits.from_env()
    lock = _lock(data_dir / ".refresh.lock")
    try:
        staging = data_dir / ".staging"
        if staging.exists():  # left by a crashed run: never published, safe to drop while we hold the lock
            shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True, exist_ok=True)
        prev_files, prev_sources = _previous(db)
        files: dict[str, dict] = {sha: dict(f) for sha, f in prev_files.items()
                                  if (data_dir / (f.get("raw_path") or "")).is_file()}
        # 1. the inbox: every report file, recursively; the raw store keeps each original once
        seen_paths: dict[str, str] = {}
        by_path = {f.get("inbox_path"): f for f in prev_files.values() if f.get("inbox_path")}
        if inbox.is_dir():
            for p in _inbox_files(inbox):
                rel = str(p.relative_to(inbox))
                if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                    rr.files_ignored.append(rel)
                    continue
                rr.files_seen += 1
                try:
                    st = p.stat()
                    known = by_path.get(rel)
                    if (known and known.get("size_bytes") == st.st_size and known.get("mtime_ns") == st.st_mtime_ns
                            and (data_dir / (known.get("raw_path") or "")).is_file()):
                        sha, raw = known["sha256"], known["raw_path"]  # unchanged since last run: no need to hash
                    else:
                        sha = _sha256(p)
                        raw = store_raw(p, sha, data_dir)
                except OSError as e:
                    rr.files_failed.append({"path": rel, "reason": f"cannot be read: {e.strerror or e}"})
                    continue
                if sha in seen_paths:
                    rr.duplicates.append({"path": rel, "same_as": seen_paths[sha]})
                    continue
                seen_paths[sha] = rel
                if sha in prev_files:
                    rr.files_unchanged += 1
                else:
                    rr.files_new += 1
                f = files.setdefault(sha, {"sha256": sha, "first_load_id": load_id})
                f.update(name=p.name, inbox_path=rel, size_bytes=st.st_size, mtime_ns=st.st_mtime_ns, raw_path=raw,
                         last_load_id=load_id, format=p.suffix.lower().lstrip("."))
        elif not quiet:
            log(f"inbox {inbox} does not exist; refreshing from the raw store only", quiet)
        # a file changed in place: its older version is superseded (kept in the raw store, not loaded)
        path_sha = {rel: sha for sha, rel in seen_paths.items()}
        active = [sha for sha, f in files.items() if sha in seen_paths or (
            f.get("status") != "superseded" and path_sha.get(f.get("inbox_path"), sha) == sha)]
        for sha, f in files.items():
            if sha not in active:
                f.update(status="superseded", error=f"replaced by a newer version of {f.get('inbox_path')}")
        # 2. extract what is new, changed, failed before, or read by an older parser
        todo = [sha for sha in active if prev_sources.get(sha) != PARSER_VERSION]
        keep = [sha for sha in active if prev_sources.get(sha) == PARSER_VERSION]
        # 3. extract in worker processes, each file under its limits; results are spooled to disk
        #    (memory stays flat) and no DuckDB connection is open while workers are forked
        failed: dict[str, str] = {}
        spool = staging / f"extractions-{load_id}.pickle"
        n_loaded = 0
        with open(spool, "wb") as out:
            def take(res):
                nonlocal n_loaded
                if isinstance(res, tuple):
                    failed[res[0]] = res[1]
                    return
                files[res.sha256].update(status="loaded", error=None)
                pickle.dump(res, out, protocol=pickle.HIGHEST_PROTOCOL)
                n_loaded += 1

            _extract_all(todo, files, data_dir, lock, workers, limits, quiet, take)
        # 4. build the new warehouse beside the published one from what was kept and what was read
        from .warehouse import Builder, read_corrections

        target = staging / f"warehouse-{load_id}.duckdb"
        builder = Builder(target, load_id, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        try:
            builder.carry_over(db if db.exists() else None, keep)
            batch: list = []
            with open(spool, "rb") as fh:
                while True:
                    try:
                        batch.append(pickle.load(fh))
                    except EOFError:
                        break
                    if len(batch) >= 500:
                        builder.add(batch)
                        batch.clear()
            if batch:
                builder.add(batch)
        except BaseException:
            builder.close()
            raise
        spool.unlink(missing_ok=True)
        rr.files_extracted = len(todo)
        for sha, reason in failed.items():
            f = files[sha]
            f.update(status="failed", error=reason)
            rr.files_failed.append({"path": f.get("inbox_path") or f.get("name"), "reason": reason, "sha256": sha})
        for sha in keep:
            files[sha].update(status="loaded", error=None)
        corr, corr_problems = read_corrections(corrections)
        finished = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        status = "partial" if rr.files_failed else "ok"
        run_row = {"load_id": load_id, "started_at": started, "finished_at": finished, "parser_version": PARSER_VERSION,
                   "status": status, "files_seen": rr.files_seen, "files_new": rr.files_new,
                   "files_unchanged": rr.files_unchanged, "files_failed": len(rr.files_failed),
                   "seconds": time.monotonic() - t0}
        log(f"building warehouse ({len(keep)} kept, {n_loaded} extracted)", quiet)
        counts = builder.finish(list(files.values()), run_row, corr)
        _failpoint("before_publish")
        # 4. publish: one rename
        with open(target, "rb") as fh:
            os.fsync(fh.fileno())
        db.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, db)
        _fsync_dir(db.parent)
        rr.reports_loaded = counts["reports_loaded"]
        rr.checks = counts["checks"]
        rr.checks_by_id = counts["checks_by_id"]
        rr.unplaced = counts["unplaced"]
        rr.corrections = corr_problems + counts["correction_problems"]
        rr.status = status
        rr.exit_code = EXIT_SOME_FAILED if rr.files_failed else EXIT_OK
    except RefreshBusy:
        raise
    except Exception as e:
        rr.status, rr.exit_code, rr.error = "failed", EXIT_RUN_FAILED, f"{type(e).__name__}: {e}"
        raise RefreshError(rr.error) from e
    finally:
        rr.seconds = round(time.monotonic() - t0, 3)
        rr.finished_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
        if rr.status != "running" or rr.error:
            try:
                _atomic_write(data_dir / "runs" / f"{load_id}.json",
                              json.dumps(rr.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))
            except OSError:
                pass
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        lock.close()
    return rr


def _failpoint(name: str):
    """Tests stop a refresh at a named point (NIANBAO_FAILPOINT=name:sleep) to kill it there."""
    spec = os.environ.get("NIANBAO_FAILPOINT", "")
    if spec.partition(":")[0] == name:
        time.sleep(float(spec.partition(":")[2] or 60))
