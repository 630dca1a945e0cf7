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
import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import stat
import time
import uuid
from concurrent.futures import TimeoutError as FutureTimeout, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.spec.model import PARSER_VERSION
from pipeline.read import SUPPORTED_SUFFIXES

EXIT_OK, EXIT_SOME_FAILED, EXIT_RUN_FAILED = 0, 1, 2


from pipeline.limits import Limits  # noqa: E402  (re-exported: refresh(..., limits=Limits(...)))


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
    files_skipped: list[dict] = field(default_factory=list)  # links out of the inbox, loops, FIFOs, changed files
    duplicates: list[dict] = field(default_factory=list)
    reports_loaded: int = 0
    unplaced: list[str] = field(default_factory=list)
    checks: dict = field(default_factory=dict)
    checks_by_id: list[dict] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    rebuilt: str | None = None  # why the warehouse was rebuilt from the raw store, when it was
    stage_seconds: dict = field(default_factory=dict)  # time each stage took
    builder_peak_rss_mib: int | None = None  # the builder process's own peak memory
    register: str | None = None  # the agency register read (data/agencies.csv), when there is one
    register_problems: list[str] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)  # agencies with reports the register does not list
    fetch: dict | None = None  # what `refresh --fetch` fetched first, per source
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
        if self.rebuilt:
            lines.append(f"  REBUILT from the raw store: {self.rebuilt}")
        for f in self.files_failed:
            lines.append(f"  FAILED {f['path']}: {f['reason']}")
        for f in self.files_skipped:
            lines.append(f"  skipped {f['path']}: {f['reason']}")
        for c in self.corrections:
            lines.append(f"  correction not applied: {c}")
        for p in self.register_problems:
            lines.append(f"  register: {p}")
        if self.unregistered:
            lines.append(f"  {len(self.unregistered)} agencies with reports are not in the register (check "
                         f"agency_unregistered): {', '.join(self.unregistered[:10])}"
                         + (" …" if len(self.unregistered) > 10 else ""))
        if self.error:
            lines.append(f"  ERROR {self.error}")
        return "\n".join(lines)



_CONTROL = {i: f"\\x{i:02x}" for i in range(32)} | {0x7f: "\\x7f", 10: "\\n", 13: "\\r", 9: "\\t"}


def shown(name: str) -> str:
    """A file name as it may be printed, logged and stored: bytes that are not UTF-8 as \\xNN, control
    characters (newlines, ANSI escapes) escaped, so every message stays one line and safe to print."""
    s = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return s.translate(_CONTROL)


class _Changed(Exception):
    """The file changed while it was read."""


def _collect(inbox: Path, rr: RunReport) -> list[tuple[Path, str]]:
    """Report files under the inbox as (path, name shown relative to the inbox), in a stable order.

    Hidden files and folders are skipped; a symlink is followed when its target is inside the inbox
    (each real folder once: loops are reported) and never when it points out of it; FIFOs, sockets
    and devices are skipped with a reason."""
    root = Path(os.path.realpath(inbox))
    out: list[tuple[Path, str]] = []
    seen_dirs: set[str] = set()
    seen_files: set[str] = set()

    def inside(real: str) -> bool:
        return real == str(root) or real.startswith(str(root) + os.sep)

    def skip(rel: str, reason: str):
        rr.files_skipped.append({"path": shown(rel), "reason": reason})

    def walk(folder: Path, rel_folder: str):
        real = os.path.realpath(folder)
        if real in seen_dirs:
            skip(rel_folder or ".", "a linked folder already read (a symlink loop or a second link); not read again")
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            skip(rel_folder or ".", f"cannot be listed: {e.strerror or e}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    target = os.path.realpath(path)
                    if not os.path.exists(target):
                        skip(rel, "a broken link (or a symlink loop); not followed")
                        continue
                    if not inside(target):
                        skip(rel, "a link to outside the inbox; not followed")
                        continue
                st = path.stat()  # follows a link inside the inbox
            except OSError as e:
                skip(rel, f"cannot be read: {e.strerror or e}")
                continue
            if stat.S_ISDIR(st.st_mode):
                walk(path, rel)
            elif stat.S_ISREG(st.st_mode):
                real = os.path.realpath(path)
                if real in seen_files:
                    continue  # the same file reached through a link: read once
                seen_files.add(real)
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    rr.files_ignored.append(shown(rel))
                    continue
                out.append((path, shown(rel)))
            else:
                skip(rel, "not a regular file (a FIFO, socket or device); not read")

    if inbox.is_dir():
        walk(inbox, "")
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _ingest(src: Path, data_dir: Path, max_bytes: int) -> tuple[str, str, int, int]:
    """Copy a file into the raw store, hashing what is copied: (sha256, raw path relative to the data
    folder, size, mtime_ns). The stored bytes are exactly the hashed ones; a file that changes while it
    is read raises _Changed (nothing is stored)."""
    raw_dir = data_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    tmp = raw_dir / f".incoming-{uuid.uuid4().hex[:12]}.tmp"
    h = hashlib.sha256()
    fd = os.open(src, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO put in its place cannot block
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise _Changed("not a regular file any more")
        size = 0
        with open(fd, "rb", closefd=False) as fin, open(tmp, "wb") as fout:
            for chunk in iter(lambda: fin.read(1 << 20), b""):
                size += len(chunk)
                if size > max_bytes:
                    break  # stored whole only up to the limit: the file will fail on its size
                h.update(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
        after = os.fstat(fd)
        now = os.stat(src)
        if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or size != before.st_size \
                or (now.st_ino, now.st_size, now.st_mtime_ns) != (before.st_ino, before.st_size, before.st_mtime_ns):
            raise _Changed("changed while it was being read; it will be read on the next run")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    if size > max_bytes:
        tmp.unlink(missing_ok=True)
        return "", "", before.st_size, before.st_mtime_ns
    sha = h.hexdigest()
    suffix = src.suffix.lower() if src.suffix.lower() in SUPPORTED_SUFFIXES else ".bin"
    rel = Path("raw") / sha[:2] / f"{sha}{suffix}"
    dest = data_dir / rel
    if dest.exists():
        tmp.unlink(missing_ok=True)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dest)
    return sha, str(rel), before.st_size, before.st_mtime_ns


def store_raw(src: Path, sha: str, data_dir: Path) -> str:
    """Copy a file into the raw store once (by content); return its path relative to data_dir."""
    got, rel, _, _ = _ingest(Path(src), Path(data_dir), 1 << 62)
    if got != sha:
        raise _Changed(f"{shown(str(src))} does not hash to {sha} any more")
    return rel


def _index_append(data_dir: Path, entries: list[dict]) -> None:
    """Record new files in data/raw/index.jsonl (name, inbox path, size, time): what a rebuild reads."""
    _index_append_to(data_dir / "raw" / "index.jsonl", entries)


def _index_append_to(path: Path, entries: list[dict]) -> None:
    if not entries:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _from_raw_store(data_dir: Path, load_id: str) -> dict[str, dict]:
    """Every original in the raw store as a file row: names and inbox paths from data/raw/index.jsonl,
    the file's own name for an original the index does not know. A path seen with several contents
    keeps the last as active; the older ones are superseded, as in a normal run."""
    files: dict[str, dict] = {}
    latest: dict[str, str] = {}
    for e in _jsonl(data_dir / "raw" / "index.jsonl"):  # a line cut by a crash is skipped
        sha = e.get("sha256")
        if not sha:
            continue
        files[sha] = {"sha256": sha, "name": e.get("name"), "inbox_path": e.get("inbox_path"),
                      "size_bytes": e.get("size"), "mtime_ns": e.get("mtime_ns"), "first_load_id": e.get("load_id", load_id)}
        if e.get("inbox_path"):
            latest[e["inbox_path"]] = sha
    for p in sorted((data_dir / "raw").glob("??/*")):
        if p.name.startswith(".") or not p.is_file():
            continue
        sha = p.stem
        f = files.setdefault(sha, {"sha256": sha, "name": p.name, "inbox_path": None, "size_bytes": p.stat().st_size,
                                   "mtime_ns": None, "first_load_id": load_id})
        f["raw_path"] = str(p.relative_to(data_dir))
        f["format"] = p.suffix.lstrip(".")
    files = {sha: f for sha, f in files.items() if f.get("raw_path")}
    for sha, f in files.items():
        path = f.get("inbox_path")
        if path and latest.get(path) not in (None, sha):
            f.update(status="superseded", error=f"replaced by a newer version of {path}")
    return files


def _provenance(inbox: Path, data_dir: Path, files: dict) -> dict:
    """What `nianbao fetch` recorded: each fetched file's address, dates and agency (kept in the raw
    store's data/raw/provenance.jsonl, so a rebuild keeps it), the older-format reports it found, and
    each source's last fetch. Sets the provenance columns of `files`."""
    kept = data_dir / "raw" / "provenance.jsonl"
    have = _jsonl(kept)
    known = {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in have}
    # the inbox's own fetch records, and a folder's beside its files (the bundled demo's made-up site)
    fetch_dirs = [inbox / ".fetch", *sorted(p for p in inbox.glob("*/.fetch") if p.is_dir() and not p.is_symlink())]
    fresh = [r for d in fetch_dirs for r in _jsonl(d / "provenance.jsonl")
             if json.dumps(r, sort_keys=True, ensure_ascii=False) not in known]
    if fresh:
        _index_append_to(kept, fresh)
    records = have + fresh
    by_sha: dict[str, dict] = {}
    older = []
    for r in records:
        if r.get("kind") == "file" and r.get("sha256"):
            by_sha[r["sha256"]] = r  # the latest fetch of these bytes
        elif r.get("kind") == "older_format":
            older.append(r)
    for sha, f in files.items():
        r = by_sha.get(sha)
        if r:
            f.update(source_url=r.get("url"), page_url=r.get("page_url"), published_on=r.get("published_on"),
                     fetched_at=r.get("fetched_at"), fetched_for=r.get("agency_id"))
    state = {}
    for d in reversed(fetch_dirs):  # the inbox's own state wins over a folder's
        try:
            part = json.loads((d / "state.json").read_text(encoding="utf-8")).get("sources", {})
        except (OSError, ValueError, AttributeError):
            continue
        state.update(part if isinstance(part, dict) else {})
    return {"publications": older, "fetch_sources": state}


def _jsonl(path: Path) -> list[dict]:
    out = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash
        if isinstance(r, dict):
            out.append(r)
    return out


def _clean_leftovers(data_dir: Path) -> None:
    """What an interrupted run left: the staging folder, partial copies in the raw store and runs."""
    staging = data_dir / ".staging"
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)
    for pattern in ("raw/.incoming-*.tmp", "raw/??/.*.tmp", "runs/.*.tmp"):
        for p in data_dir.glob(pattern):
            p.unlink(missing_ok=True)


def _lock(lock_path: Path):
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(lock_path, "a+")
    except OSError as e:
        raise RefreshError(f"cannot take the lock {shown(str(lock_path))}: {e.strerror or e} "
                           "(the data folder must be writable)") from None
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


def _store_all(found: list[tuple[Path, str]], prev_files: dict, files: dict, data_dir: Path, limits: Limits,
               rr: RunReport, load_id: str) -> dict[str, str]:
    """Stage 3: every inbox file into the raw store (unchanged ones recognised by size and time).
    Returns sha -> the inbox path it was seen at this run."""
    seen_paths: dict[str, str] = {}
    by_path = {f.get("inbox_path"): f for f in prev_files.values() if f.get("inbox_path")}
    new_index: list[dict] = []
    max_bytes = limits.file_mb * 1024 * 1024
    for path, rel in found:
        rr.files_seen += 1
        try:
            st = path.stat()
            known = by_path.get(rel)
            if (known and known.get("size_bytes") == st.st_size and known.get("mtime_ns") == st.st_mtime_ns
                    and (data_dir / (known.get("raw_path") or "")).is_file()):
                sha, raw, size, mtime = known["sha256"], known["raw_path"], st.st_size, st.st_mtime_ns
            else:
                sha, raw, size, mtime = _ingest(path, data_dir, max_bytes)
                if not sha:
                    rr.files_failed.append({"path": rel, "reason": f"larger than the {limits.file_mb} MiB limit per "
                                                                   "file (NIANBAO_FILE_MAX_MB); not stored nor read"})
                    continue
        except _Changed as e:
            rr.files_skipped.append({"path": rel, "reason": str(e)})
            continue
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
        if f.get("inbox_path") != rel or f.get("size_bytes") != size or f.get("mtime_ns") != mtime:
            new_index.append({"sha256": sha, "name": shown(path.name), "inbox_path": rel, "size": size,
                              "mtime_ns": mtime, "load_id": load_id})
        f.update(name=shown(path.name), inbox_path=rel, size_bytes=size, mtime_ns=mtime, raw_path=raw,
                 last_load_id=load_id, format=path.suffix.lower().lstrip("."), status=None)
    _index_append(data_dir, new_index)
    return seen_paths


def _active(files: dict, seen_paths: dict[str, str]) -> list[str]:
    """Files to load: those seen now, and earlier ones not replaced. A file changed in place supersedes
    its older version (kept in the raw store, not loaded)."""
    path_sha = {rel: sha for sha, rel in seen_paths.items()}
    active = [sha for sha, f in files.items() if sha in seen_paths or (
        f.get("status") != "superseded" and path_sha.get(f.get("inbox_path"), sha) == sha)]
    for sha, f in files.items():
        if sha not in active:
            f.update(status="superseded", error=f"replaced by a newer version of {f.get('inbox_path')}")
    return active


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


def _child_setup(lock_fds: tuple[int, ...], parent: int) -> None:
    """In a process forked by the refresh: drop the inherited locks and die with the refresh (Linux
    PR_SET_PDEATHSIG), so a refresh killed with SIGKILL leaves neither the lock nor orphans behind."""
    for fd in lock_fds:
        try:
            os.close(fd)
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


def _worker_init(lock_fds: tuple[int, ...], parent: int, memory_bytes: int):
    """In each extraction worker: the child set-up, and the address space capped so a file that
    inflates fails with MemoryError instead of taking the machine."""
    _child_setup(lock_fds, parent)
    # the readers' libraries are loaded first, so the limit counts what a file costs, not the imports
    from pipeline import extract  # noqa: F401
    from pipeline.read import docx, html, pdf, txt  # noqa: F401

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
    from pipeline.warehouse.checks import run_report_checks
    from pipeline.extract import ReadError, extract_bytes
    from pipeline.warehouse.build import Extraction

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
    return Extraction(sha, name, report.format, doc, report.sentence_hashes, run_report_checks(values, ctx)).prepare()


def _extract_all(todo: list[str], files: dict, data_dir: Path, locks, workers: int | None, limits: Limits,
                 progress, take) -> None:
    """Read every file of `todo` in worker processes (pebble), each under the time and memory limits.

    A file over a limit, or whose worker dies for any reason, fails with the reason; its worker is
    replaced and the others go on. The workers are forked (spawn and forkserver re-import the
    caller's __main__, which a host such as Streamlit or a test runner may have replaced)."""
    if not todo:
        return
    import pebble
    from concurrent.futures.process import BrokenProcessPool

    n_done = 0

    def step():
        nonlocal n_done
        n_done += 1
        if progress is not None:
            progress(n_done, len(todo))

    jobs = []
    for sha in todo:
        f = files[sha]
        size = f.get("size_bytes") or 0
        if size > limits.file_mb * 1024 * 1024:
            take((sha, f"larger than the {limits.file_mb} MiB limit per file (NIANBAO_FILE_MAX_MB)"))
            step()
            continue
        jobs.append((str(data_dir / f["raw_path"]), f["name"], sha))
    n = max(1, min(workers or min(2, os.cpu_count() or 1), len(jobs) or 1))
    pool = pebble.ProcessPool(max_workers=n, context=multiprocessing.get_context("fork"), initializer=_worker_init,
                              initargs=(tuple(fh.fileno() for fh in locks), os.getpid(), limits.memory_mb * 1024 * 1024))
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
            step()
            submit()
    finally:
        pool.stop()
        pool.join(timeout=10)


def refresh(inbox: Path, db: Path, data_dir: Path | None = None, workers: int | None = None,
            quiet: bool = True, corrections: Path | None = None, limits: Limits | None = None,
            rebuild: bool = False, progress=None, agencies: Path | None = None, fetched: dict | None = None) -> RunReport:
    """Run one refresh. Never raises for bad input files; raises RefreshError when the run fails.

    `progress(done, total)` is called as files are extracted (the CLI draws it); `rebuild` reads every
    original of the raw store again, whatever the published warehouse holds; `agencies` is the agency
    register (default: agencies.csv in the data folder); `fetched` is what `nianbao fetch` returned just
    before (`refresh --fetch`), kept in the run report."""
    t0 = time.monotonic()
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    load_id = started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    inbox, db = Path(inbox), Path(db)
    data_dir = Path(data_dir) if data_dir else db.parent
    corrections = Path(corrections) if corrections else data_dir / "corrections.csv"
    agencies = Path(agencies) if agencies else data_dir / "agencies.csv"
    rr = RunReport(load_id, started.isoformat(timespec="seconds"), shown(str(inbox)), shown(str(db)))
    if fetched:
        rr.fetch = {k: fetched.get(k) for k in ("sources", "requests", "conditional", "not_modified", "failed_sources")}
        rr.fetch["by_agency"] = [
            {"agency_id": r["agency_id"], "name": r["name"], "new": [{"year": n["year"], "url": n["url"],
                                                                     "published_on": n["published_on"]} for n in r["new"]],
             "older_format": [o["year"] for o in r["older_format"]], "failed": r["failed"]}
            for r in fetched.get("results", []) if r["new"] or r["failed"] or r["older_format"]]
    limits = limits or Limits.from_env()
    # 1. lock: one refresh per warehouse, whatever its data folder, and one per data folder
    db_lock = _lock(db.parent / f".{db.name}.lock")
    try:
        data_lock = _lock(data_dir / ".refresh.lock")
    except BaseException:
        db_lock.close()
        raise
    published = False
    try:
        _clean_leftovers(data_dir)
        staging = data_dir / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        prev_files, prev_sources, broken = _previous(db)
        if broken or rebuild:
            rr.rebuilt = broken or "asked for (--rebuild)"
            if broken:
                aside = db.with_name(f"{db.name}.corrupt-{load_id}")
                os.replace(db, aside)  # kept for inspection; readers get a clear message until the new one lands
                rr.rebuilt += f"; moved aside to {aside.name}"
            prev_files, prev_sources = {}, {}
            files = _from_raw_store(data_dir, load_id)
            base_files = dict(files)
        else:
            files = {sha: dict(f) for sha, f in prev_files.items() if (data_dir / (f.get("raw_path") or "")).is_file()}
            base_files = prev_files
        # 2-3. collect and store
        mark = time.monotonic()
        found = _collect(inbox, rr)
        rr.stage_seconds["collect"] = round(time.monotonic() - mark, 3)
        mark = time.monotonic()
        seen_paths = _store_all(found, base_files, files, data_dir, limits, rr, load_id)
        active = _active(files, seen_paths)
        context = _provenance(inbox, data_dir, files)
        from pipeline.warehouse.register import read_register

        register = read_register(agencies)
        rr.register = shown(str(agencies)) if agencies.is_file() else None
        rr.register_problems = register.problems
        context["register"] = register.entries
        rr.stage_seconds["store"] = round(time.monotonic() - mark, 3)
        mark = time.monotonic()
        # 4. extract what is new, changed, failed before, or read by an older parser, streaming into
        # 5. the builder process, which writes the new warehouse and runs every check
        todo = [sha for sha in active if prev_sources.get(sha) != PARSER_VERSION]
        keep = [sha for sha in active if prev_sources.get(sha) == PARSER_VERSION]
        failed: dict[str, str] = {}
        target = staging / f"warehouse-{load_id}.duckdb"
        builder = _BuilderProcess(target, load_id, (db_lock.fileno(), data_lock.fileno()))
        try:
            builder.carry_over(db if (db.exists() and keep) else None, keep)

            def take(res):
                if isinstance(res, tuple):
                    failed[res[0]] = res[1]
                    return
                files[res.sha256].update(status="loaded", error=None)
                builder.add(res)

            _extract_all(todo, files, data_dir, (db_lock, data_lock), workers, limits, progress, take)
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

            corr, corr_problems = read_corrections(corrections)
            counts = builder.finish(list(files.values()), _run_report_row(rr, load_id, started, t0), corr, context)
            rr.corrections = corr_problems + counts["correction_problems"]
            rr.builder_peak_rss_mib = counts.get("builder_peak_rss_mib")
        finally:
            builder.abandon()
        rr.stage_seconds["build"] = round(time.monotonic() - mark, 3)
        _failpoint("before_publish")
        # 6. publish: one rename
        with open(target, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(target, db)
        _fsync_dir(db.parent)
        published = True
        rr.reports_loaded = counts["reports_loaded"]
        rr.checks = counts["checks"]
        rr.checks_by_id = counts["checks_by_id"]
        rr.unplaced = counts["unplaced"]
        rr.unregistered = counts.get("unregistered", [])
        rr.status = "partial" if rr.files_failed else "ok"
        rr.exit_code = EXIT_SOME_FAILED if rr.files_failed else EXIT_OK
    except RefreshBusy:
        raise
    except Exception as e:
        rr.status, rr.exit_code, rr.error = "failed", EXIT_RUN_FAILED, f"{type(e).__name__}: {e}"
    finally:
        rr.seconds = round(time.monotonic() - t0, 3)
        rr.finished_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
        # 7. report: always written, or failing to write it is the run's error
        try:
            _atomic_write(data_dir / "runs" / f"{load_id}.json",
                          json.dumps(rr.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))
        except OSError as e:
            note = f"the run report could not be written ({e.strerror or e})"
            rr.error = f"{rr.error}; {note}" if rr.error else note
            rr.exit_code = EXIT_RUN_FAILED
            rr.status = "failed" if not published else rr.status
        for fh in (data_lock, db_lock):
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
                fh.close()
            except (OSError, ValueError):
                pass
    if rr.exit_code == EXIT_RUN_FAILED:
        raise RefreshError(rr.error + (" (the new warehouse was published)" if published else
                                       "; nothing was published, the previous warehouse is intact"))
    return rr


class _BuilderProcess:
    """The new warehouse is written by a process of its own, forked before any extraction worker while
    the refresh holds no DuckDB connection: extractions stream into it as they come (memory stays flat,
    building overlaps extracting), and no worker ever inherits an open database."""

    def __init__(self, target: Path, load_id: str, lock_fds: tuple[int, ...]):
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_builder_main, args=(child, str(target), load_id, lock_fds, os.getpid()),
                                daemon=True)
        self.proc.start()
        child.close()
        self.batch: list = []

    def _send(self, msg):
        try:
            self.conn.send(msg)
        except (BrokenPipeError, EOFError, OSError):
            raise RefreshError(self._failure()) from None

    def _failure(self) -> str:
        try:
            if self.conn.poll(1):
                kind, detail = self.conn.recv()
                if kind == "error":
                    return f"building the warehouse failed: {detail}"
        except (EOFError, OSError):
            pass
        self.proc.join(5)
        return f"building the warehouse failed: its process ended (exit code {self.proc.exitcode})"

    def carry_over(self, keep_from: Path | None, keep: list[str]):
        self._send(("carry", str(keep_from) if keep_from else None, keep))

    def add(self, extraction):
        self.batch.append(extraction)
        if len(self.batch) >= 100:
            self._send(("add", self.batch))
            self.batch = []

    def finish(self, files_rows: list[dict], run_row: dict, corrections: list, context: dict | None = None) -> dict:
        if self.batch:
            self._send(("add", self.batch))
            self.batch = []
        self._send(("finish", files_rows, run_row, corrections, context))
        try:
            kind, detail = self.conn.recv()
        except (EOFError, OSError):
            raise RefreshError(self._failure()) from None
        self.proc.join(30)
        if kind != "done":
            raise RefreshError(f"building the warehouse failed: {detail}")
        return detail

    def abandon(self):
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(10)
        self.conn.close()


def _builder_main(conn, target: str, load_id: str, lock_fds: tuple[int, ...], parent: int):
    """The builder process: commands from the refresh in, one warehouse file out."""
    _child_setup(lock_fds, parent)
    from pipeline.warehouse.build import Builder

    builder = None
    try:
        builder = Builder(Path(target), load_id, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        while True:
            msg = conn.recv()
            if msg[0] == "carry":
                builder.carry_over(Path(msg[1]) if msg[1] else None, msg[2])
            elif msg[0] == "add":
                builder.add(msg[1])
            elif msg[0] == "finish":
                counts = builder.finish(msg[1], msg[2], msg[3], msg[4])
                try:
                    with open("/proc/self/status") as fh:
                        counts["builder_peak_rss_mib"] = next(
                            round(int(line.split()[1]) / 1024) for line in fh if line.startswith("VmHWM:"))
                except (OSError, StopIteration, ValueError):
                    pass
                conn.send(("done", counts))
                break
    except EOFError:  # the refresh went away
        os._exit(1)
    except BaseException as e:
        try:
            conn.send(("error", f"{type(e).__name__}: {e}"))
        except OSError:
            pass
        if builder is not None:
            builder.close()
        os._exit(1)
    conn.close()
    os._exit(0)


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
