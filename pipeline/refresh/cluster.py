"""Extraction on a Dask cluster (`nianbao refresh --dask-scheduler tcp://HOST:PORT`, or
NIANBAO_DASK_SCHEDULER): for backfills larger than one machine.

The refresh's other stages are unchanged: it collects and stores the inbox, then, instead of its local
worker processes, sends each new or changed file's bytes to the cluster as one task (the workers need
no shared disk, only nianbao installed) and streams the results into the same builder process, so the
warehouse, the checks and the run report are those of a local run.

On each Dask worker a task does not read the file in the worker's own process: it hands the bytes to a
reader process of its own (one per worker thread, started once, kept between tasks) under the limits the
refresh sends, the same as the local workers': the address space capped at NIANBAO_FILE_MEMORY_MB beyond
the loaded readers, the wall clock at NIANBAO_FILE_TIMEOUT (the reader is killed and replaced), and every
reader limit (pages, cells, ...) set in its environment. A file that kills its reader fails with the
local run's reason. A Dask worker that dies (killed, out of memory) has its tasks run again elsewhere by
the scheduler; a file whose workers die more often than the scheduler allows
(`distributed.scheduler.allowed-failures`: start the scheduler with
DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1 so that a file fails the second time it kills a worker)
fails with that reason, and the rest goes on. The refresh keeps one task in flight per worker thread:
the scheduler counts a death against every task the dead worker held, so no queued file is blamed.

Nothing here is imported unless the option is given, and Dask is imported only inside these functions.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import uuid
from dataclasses import asdict
from pathlib import Path

from pipeline.limits import ENV, Limits, current
from pipeline.refresh.report import RefreshError
from pipeline.refresh.store import load_pictures
from pipeline.refresh.workers import (
    Progress,
    extract_data,
    reader_died,
    timed_out,
    too_large,
)

ENV_SCHEDULER = "NIANBAO_DASK_SCHEDULER"
CONNECT_SECONDS = 30  # to reach the scheduler before the run fails
_HEADER = struct.Struct("!Q")


def scheduler_from_env() -> str | None:
    return os.environ.get(ENV_SCHEDULER) or None


# --- on the Dask worker: a bounded reader process ---------------------------------------------------

def _send(fh, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEADER.pack(len(data)) + data)
    fh.flush()


def _recv(fh):
    head = fh.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(head)[0]
    data = fh.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def _reader_main() -> None:
    """The reader process (`python -m pipeline.refresh.cluster`): (bytes, name, sha) in on stdin, the
    extraction out on the original stdout; anything a library prints goes to stderr. It dies with the
    Dask worker that started it, and its memory is capped as a local worker's."""
    from pipeline.refresh.workers import _worker_init

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _worker_init((), os.getppid(), int(os.environ.get("NIANBAO_READER_MEMORY_BYTES", "0")))
    _send(out, "ready")  # the readers are loaded: the time limit counts reading only, as a local worker's
    inp = sys.stdin.buffer
    while True:
        try:
            data, name, sha, pictures = _recv(inp)
        except EOFError:
            return
        _send(out, extract_data(data, name, sha, pictures, current().seconds))


class _Reader:
    """One reader process, started under given limits and reused while they stay the same."""

    def __init__(self, limits: Limits):
        self.limits = limits
        env = dict(os.environ)
        env.update({ENV[k]: str(v) for k, v in asdict(limits).items()})
        env["NIANBAO_READER_MEMORY_BYTES"] = str(limits.memory_mb * 1024 * 1024)
        root = str(Path(__file__).resolve().parent.parent.parent)  # where this nianbao is installed
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline.refresh.cluster"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env)
        try:
            ready = _recv(self.proc.stdout)
        except (EOFError, OSError):
            ready = None
        if ready != "ready":
            raise RuntimeError(f"the reader process did not start (exit code {self.stop()})")

    def read(self, data: bytes, name: str, sha: str, pictures: dict | None = None):
        """(sha, reason) or an Extraction; the reader is stopped when it takes longer than the limit."""
        try:
            _send(self.proc.stdin, (data, name, sha, pictures))
        except (BrokenPipeError, OSError):
            return sha, reader_died(self.stop(), self.limits)
        ready, _, _ = select.select([self.proc.stdout], [], [], self.limits.seconds)
        if not ready:
            self.stop()
            return sha, timed_out(self.limits)
        try:
            return _recv(self.proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            return sha, reader_died(self.stop(), self.limits)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(10)
        for fh in (self.proc.stdin, self.proc.stdout):
            try:
                fh.close()
            except OSError:
                pass
        return code


_readers = threading.local()


def read_on_worker(data: bytes, name: str, sha: str, limits: Limits, pictures: dict | None = None):
    """The Dask task: one file (and a web page's own pictures, sent with it) read by this worker
    thread's reader process, under `limits`."""
    reader = getattr(_readers, "reader", None)
    if reader is None or not reader.alive() or reader.limits != limits:
        if reader is not None:
            reader.stop()
        reader = _readers.reader = _Reader(limits)
    return reader.read(data, name, sha, pictures)


# --- on the refresh's side: the client --------------------------------------------------------------

def extract_all(todo: list[str], files: dict, data_dir: Path, workers: int | None, limits: Limits,
                progress, take, scheduler: str) -> None:
    """As workers.extract_all, on the cluster at `scheduler`: each file's bytes sent as one task, at most
    a bounded number in flight, results given to `take` as they come. Past 60 lines: the client's life,
    the tasks in flight and each way a task ends (a result, a killed worker, a cancelled future) share
    the one loop's state."""
    try:
        from distributed import Client, as_completed
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker
    except ImportError:
        raise RefreshError("--dask-scheduler needs Dask: pip install 'nianbao[dask]'") from None
    if not todo:
        return
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise RefreshError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None
    counter = Progress(len(todo), progress)
    step = counter.step

    try:
        # Tasks in flight: one per worker thread, so a worker holds only the files it is reading and a
        # worker that dies takes no queued bystander with it (the scheduler counts a death against every
        # task the worker held); the count follows the cluster as workers come and go.
        window = 1
        queue = iter(todo)
        pending: dict = {}
        done_futures = as_completed(loop=client.loop)

        def submit():
            nonlocal window
            if counter.done % 20 == 0:
                window = max(1, sum(client.nthreads().values()))
            if len(pending) >= window:
                return
            for sha in queue:
                f = files[sha]
                if (f.get("size_bytes") or 0) > limits.file_mb * 1024 * 1024:
                    take((sha, too_large(limits)))
                    step()
                    continue
                data = (data_dir / f["raw_path"]).read_bytes()
                pictures = load_pictures(data_dir / f["raw_path"])
                fut = client.submit(read_on_worker, data, f["name"], sha, limits, pictures, retries=0,
                                    key=f"nianbao-read-{sha[:16]}-{uuid.uuid4().hex}")  # the file, once a run
                pending[fut.key] = sha
                done_futures.add(fut)
                if len(pending) >= window:
                    return

        submit()
        while pending:
            fut = next(done_futures)
            sha = pending.pop(fut.key)
            try:
                take(fut.result())
            except KilledWorker as e:
                times = getattr(e, "allowed_failures", None)
                take((sha, "the Dask workers reading it died " + (f"{times + 1} times" if times is not None else
                           "too often") + "; it was not read (most likely it takes more memory than a worker has)"))
            except FutureCancelledError as e:
                raise RefreshError(f"the Dask cluster at {scheduler} cancelled the reading of {files[sha]['name']} "
                                   f"({e}); nothing was published") from None
            except Exception as e:
                take((sha, f"internal error while reading on the Dask cluster: {type(e).__name__}: {e}"))
            fut.release()
            step()
            submit()
    finally:
        client.close(timeout=10)


if __name__ == "__main__":
    _reader_main()
