"""Analysts' reviews of findings: data/reviews.csv, beside corrections.csv.

Each finding of a check has a stable key (check, report, cells: `v_check_results.finding_key`). An
analyst marks it `confirmed` (a real problem of the report) or `dismissed` (not a problem, with the
reason in the note); `open` takes a review back. The file is appended to, never rewritten: the last
line for a key wins, and the history stays. A refresh does not touch it, and a finding keeps its key
as long as its report's file and the cells involved are the same, so reviews survive every refresh.
Data-quality scores count open findings only.

    finding_key,status,note,reviewed_at
    jump_tenfold:3f2a…:9c1d…,dismissed,机构合并，申请量确有大幅增长,2026-12-03T10:15:00+08:00
"""
from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import os
from pathlib import Path

HEADER = ("finding_key", "status", "note", "reviewed_at")
STATUSES = ("open", "confirmed", "dismissed")


def read_reviews(path: Path) -> dict[str, tuple[str, str, str]]:
    """finding_key -> (status, note, reviewed_at), the last line per key; unreadable lines are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return {}
    out: dict[str, tuple[str, str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        key, status = (row.get("finding_key") or "").strip(), (row.get("status") or "").strip()
        if key and status in STATUSES:
            out[key] = (status, row.get("note") or "", row.get("reviewed_at") or "")
    return out


def add_review(path: Path, finding_key: str, status: str, note: str = "") -> None:
    """Append one review (under a lock, so two sessions saving at once keep both lines)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0).isoformat()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    with open(path, "a+", encoding="utf-8", newline="") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                w.writerow(HEADER)
            w.writerow([finding_key, status, note.replace("\r", " ").replace("\n", " "), stamp])
            fh.write(buf.getvalue())
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
