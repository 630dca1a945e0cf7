"""The inbox's report files, walked safely: links followed once and never out of it, special files
skipped with a reason."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.read import SUPPORTED_SUFFIXES
from pipeline.refresh.report import RunReport, shown


def collect(inbox: Path, rr: RunReport) -> list[tuple[Path, str]]:
    """Report files under the inbox as (path, name shown relative to the inbox), in a stable order.

    Hidden files and folders are skipped; a symlink is followed when its target is inside the inbox
    (each real folder once: loops are reported) and never when it points out of it; FIFOs, sockets
    and devices are skipped with a reason. One function of about 60 lines: its nested steps share the
    walk's state (the folders and files already seen)."""
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
