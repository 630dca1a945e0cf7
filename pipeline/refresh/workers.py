"""The processes of a refresh: extraction workers (pebble), each file under its time and memory limits,
and the one process that builds the new warehouse. Each dies with the refresh and never holds its locks."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from concurrent.futures import TimeoutError as FutureTimeout, as_completed
from pathlib import Path

from pipeline.limits import Limits
from pipeline.refresh.report import RefreshError


def child_setup(lock_fds: tuple[int, ...], parent: int) -> None:
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
    child_setup(lock_fds, parent)
    # the readers' libraries are loaded first, so the limit counts what a file costs, not the imports
    from pipeline import extract  # noqa: F401
    from pipeline.read import docx, html, pdf, pdf_layer, txt  # noqa: F401  (pdf_layer: PDFium's library)

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


def _extract_one(args: tuple[str, str, str, float]):
    """Worker: read and parse one stored file. Returns an Extraction, or (sha, reason) on failure."""
    from pipeline.refresh.store import load_pictures

    raw_path, name, sha, seconds = args
    try:
        data = Path(raw_path).read_bytes()
        pictures = load_pictures(Path(raw_path))
    except OSError as e:  # as before the split into extract_data: said as an internal error
        return sha, f"internal error while reading: {type(e).__name__}: {e}"
    return extract_data(data, name, sha, pictures, seconds)


def unreadable(e: BaseException) -> str | None:
    """Why a file could not be read, for what a reader's own bounds raise (a ReadError, memory past the
    worker's limit, nesting past the recursion limit); None for any other error (a parser bug)."""
    from pipeline.extract import ReadError

    if isinstance(e, ReadError):
        return e.reason
    if isinstance(e, MemoryError):
        return "needs more memory than the limit per file allows (NIANBAO_FILE_MEMORY_MB)"
    if isinstance(e, RecursionError):
        return "nested too deeply to be read"
    return None


class Progress:
    """Files done out of `total`, told to `progress(done, total)` after each one when a callback is given."""

    def __init__(self, total: int, progress=None):
        self.total, self.progress, self.done = total, progress, 0

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def extract_data(data: bytes, name: str, sha: str, pictures: dict[str, bytes] | None = None,
                 seconds: float | None = None):
    """One file's bytes (and a web page's own pictures, kept with it in the raw store) read and parsed,
    with the report checks run: an Extraction, or (sha, reason). Where it runs (a local worker, a Dask
    worker's reader) is the caller's concern; `seconds`, the time it is given, lets OCR fail a long scan
    as soon as its pages are seen not to fit, naming them."""
    from pipeline.warehouse.checks import run_report_checks
    from pipeline.extract import extract_bytes
    from pipeline.warehouse.build import Extraction

    try:
        from pipeline.limits import file_time_limit

        with file_time_limit(seconds):
            report = extract_bytes(data, name, pictures)
    except Exception as e:  # a parser bug must fail this file, not the run
        return sha, unreadable(e) or f"internal error while reading: {type(e).__name__}: {e}"
    doc = report.to_json()
    values = report.values()
    ctx = {"issues": doc["issues"], "statements": doc["statements"]}
    return Extraction(sha, name, report.format, doc, report.sentence_hashes, run_report_checks(values, ctx)).prepare()


def too_large(limits: Limits) -> str:
    return f"larger than the {limits.file_mb} MiB limit per file (NIANBAO_FILE_MAX_MB)"


def timed_out(limits: Limits) -> str:
    return f"took longer than the {limits.seconds:g} s limit per file (NIANBAO_FILE_TIMEOUT); its reader was stopped"


def reader_died(exitcode, limits: Limits) -> str:
    return (f"its reader process died (exit code {exitcode}), most likely over the "
            f"{limits.memory_mb} MiB memory limit per file (NIANBAO_FILE_MEMORY_MB)")


def _jobs(todo: list[str], files: dict, data_dir: Path, limits: Limits, unread) -> list[tuple[str, str, str, float]]:
    """(raw path, name, sha, seconds it is given) of each file to read; a file over the size limit is failed at once, unread."""
    jobs = []
    for sha in todo:
        f = files[sha]
        if (f.get("size_bytes") or 0) > limits.file_mb * 1024 * 1024:
            unread((sha, too_large(limits)))
            continue
        jobs.append((str(data_dir / f["raw_path"]), f["name"], sha, limits.seconds))
    return jobs


def extract_all(todo: list[str], files: dict, data_dir: Path, locks, workers: int | None, limits: Limits,
                 progress, take) -> None:
    """Read every file of `todo` in worker processes (pebble), each under the time and memory limits.

    A file over a limit, or whose worker dies for any reason, fails with the reason; its worker is
    replaced and the others go on. The workers are forked (spawn and forkserver re-import the
    caller's __main__, which a host such as Streamlit or a test runner may have replaced)."""
    if not todo:
        return
    import pebble
    from concurrent.futures.process import BrokenProcessPool

    step = Progress(len(todo), progress).step

    def unread(failure):
        take(failure)
        step()

    jobs = _jobs(todo, files, data_dir, limits, unread)
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
                take((sha, timed_out(limits)))
            except pebble.ProcessExpired as e:
                take((sha, reader_died(e.exitcode, limits)))
            except (BrokenProcessPool, MemoryError) as e:
                take((sha, f"its reader process failed: {type(e).__name__}"))
            except Exception as e:  # pragma: no cover - _extract_one catches its own errors
                take((sha, f"internal error while reading: {type(e).__name__}: {e}"))
            step()
            submit()
    finally:
        pool.stop()
        pool.join(timeout=10)


class BuilderProcess:
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
    child_setup(lock_fds, parent)
    from pipeline.warehouse.build import Builder

    builder = None
    spent = {"builder_insert": 0.0, "builder_finish": 0.0}  # seconds: inserting (overlaps extract), then finishing
    try:
        builder = Builder(Path(target), load_id, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        while True:
            msg = conn.recv()
            mark = time.monotonic()
            if msg[0] == "carry":
                builder.carry_over(Path(msg[1]) if msg[1] else None, msg[2])
                spent["builder_insert"] += time.monotonic() - mark
            elif msg[0] == "add":
                builder.add(msg[1])
                spent["builder_insert"] += time.monotonic() - mark
            elif msg[0] == "finish":
                counts = builder.finish(msg[1], msg[2], msg[3], msg[4])
                spent["builder_finish"] = time.monotonic() - mark
                counts["builder_seconds"] = {k: round(v, 3) for k, v in spent.items()}
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
