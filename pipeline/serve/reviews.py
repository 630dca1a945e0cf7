"""Analysts' reviews of findings: data/reviews.csv, beside corrections.csv.

Each finding of a check has a stable key (check, report, cells: `v_check_results.finding_key`). An
analyst marks it `confirmed` (a real problem of the report) or `dismissed` (not a problem, with the
reason in the note); `open` takes a review back. The file is appended to, never rewritten: the last
line for a key wins, and the history stays. It is read like every hand-edited file (any encoding, a
stray quote spoiling its own line only; `review_problems` names each bad line). A refresh does not touch it, and a finding keeps its key
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
    """finding_key -> (status, note, reviewed_at), the last line per key; bad lines are left out (see
    `review_problems` for their list)."""
    return read_reviews_checked(path)[0]


def review_problems(path: Path) -> list[str]:
    """Each line of reviews.csv that could not be used, named with its line and reason (for the
    dashboard and the run report)."""
    return read_reviews_checked(path)[1]


def read_reviews_checked(path: Path) -> tuple[dict[str, tuple[str, str, str]], list[str]]:
    """The reviews and the problems of the file, read by the one reader of hand-edited files (any
    encoding, one record per line: a stray quote spoils its own line only)."""
    from pipeline.warehouse.handfile import read_rows

    got = read_rows(path)
    name = Path(path).name
    if got.unreadable:
        return {}, [got.unreadable]
    problems = list(got.problems)
    out: dict[str, tuple[str, str, str]] = {}
    if not got.rows:
        return out, problems
    header = [h.strip().lstrip("\ufeff") for h in got.rows[0][1]]
    if "finding_key" not in header or "status" not in header:
        return out, problems + [f"{name} line {got.rows[0][0]}: the header must be {','.join(HEADER)}; no review read"]
    col = {h: header.index(h) for h in HEADER if h in header}
    for i, row in got.rows[1:]:
        if len(row) != len(header):
            problems.append(f"{name} line {i}: {len(row)} fields where the header has {len(header)}; left out")
            continue
        get = lambda k: (row[col[k]] if k in col else "")  # noqa: E731
        key, status = get("finding_key").strip(), get("status").strip()
        if not key or status not in STATUSES:
            problems.append(f"{name} line {i}: no finding key or a status other than {', '.join(STATUSES)}; left out")
            continue
        out[key] = (status, get("note"), get("reviewed_at"))
    return out, problems


def add_review(path: Path, finding_key: str, status: str, note: str = "") -> None:
    """Append one review (under a lock, so two sessions saving at once keep both lines), on a line of
    its own whatever the file's last byte, in the file's own encoding (UTF-16 or GBK if it was saved so)."""
    from pipeline.warehouse.handfile import read_rows, utf16

    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0).isoformat()
    clean = lambda v: "".join(c if c.isprintable() else " " for c in v)  # noqa: E731
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            head, last = b"", b""
            if size:
                fh.seek(0)
                head = fh.read(4)
                fh.seek(max(0, size - 2))
                last = fh.read()
            enc = utf16(head) or ("gb18030" if size and read_rows(path).encoding == "gb18030" else "utf-8")
            if size == 0:
                w.writerow(HEADER)
            w.writerow([clean(finding_key), status, clean(note), stamp])
            text = buf.getvalue()
            if enc.startswith("utf-16"):
                codec = "utf-16-be" if head.startswith(b"\xfe\xff") or enc == "utf-16-be" else "utf-16-le"
                data = text.encode(codec)
                if last and last not in ("\n".encode(codec),):
                    data = "\n".encode(codec) + data
            else:
                data = text.encode(enc)
                if last and not last.endswith(b"\n"):
                    data = b"\n" + data
            fh.seek(0, os.SEEK_END)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
