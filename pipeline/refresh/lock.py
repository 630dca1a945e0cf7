"""One refresh at a time: an exclusive, non-blocking flock on a lock file that holds the holder's pid."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from pipeline.refresh.report import RefreshBusy, RefreshError, shown


def take_lock(lock_path: Path):
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


def release_lock(fh) -> None:
    """Let the lock go (closing the file); a lock already gone is not an error."""
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()
    except (OSError, ValueError):
        pass
