"""The raw store: every original kept once by content (data/raw/ab/abcd….ext), its index
(data/raw/index.jsonl) and the fetch provenance (data/raw/provenance.jsonl), so the raw store alone can
rebuild the warehouse."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import uuid
from pathlib import Path

from pipeline.limits import Limits
from pipeline.read import SUPPORTED_SUFFIXES, ReadError
from pipeline.refresh.report import RunReport, shown


class Changed(Exception):
    """The file changed while it was read."""


def ingest(src: Path, data_dir: Path, max_bytes: int) -> tuple[str, str, int, int]:
    """Copy a file into the raw store, hashing what is copied: (sha256, raw path relative to the data
    folder, size, mtime_ns). The stored bytes are exactly the hashed ones; a file that changes while it
    is read raises Changed (nothing is stored)."""
    raw_dir = data_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    tmp = raw_dir / f".incoming-{uuid.uuid4().hex[:12]}.tmp"
    h = hashlib.sha256()
    fd = os.open(src, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO put in its place cannot block
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise Changed("not a regular file any more")
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
            raise Changed("changed while it was being read; it will be read on the next run")
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


def append_index(data_dir: Path, entries: list[dict]) -> None:
    """Record new files in data/raw/index.jsonl (name, inbox path, size, time): what a rebuild reads."""
    append_jsonl(data_dir / "raw" / "index.jsonl", entries)


def append_jsonl(path: Path, entries: list[dict]) -> None:
    if not entries:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
        fh.flush()
        os.fsync(fh.fileno())


def from_raw_store(data_dir: Path, load_id: str) -> dict[str, dict]:
    """Every original in the raw store as a file row: names and inbox paths from data/raw/index.jsonl,
    the file's own name for an original the index does not know. A path seen with several contents
    keeps the last as active; the older ones are superseded, as in a normal run."""
    files: dict[str, dict] = {}
    latest: dict[str, str] = {}
    for e in read_jsonl(data_dir / "raw" / "index.jsonl"):  # a line cut by a crash is skipped
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


def provenance(inbox: Path, data_dir: Path, files: dict) -> dict:
    """What `nianbao fetch` recorded: each fetched file's address, dates and agency (kept in the raw
    store's data/raw/provenance.jsonl, so a rebuild keeps it), the older-format reports it found, and
    each source's last fetch. Sets the provenance columns of `files`."""
    kept = data_dir / "raw" / "provenance.jsonl"
    have = read_jsonl(kept)
    known = {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in have}
    # the inbox's own fetch records, and a folder's beside its files (the bundled demo's made-up site)
    fetch_dirs = [inbox / ".fetch", *sorted(p for p in inbox.glob("*/.fetch") if p.is_dir() and not p.is_symlink())]
    fresh = [r for d in fetch_dirs for r in read_jsonl(d / "provenance.jsonl")
             if json.dumps(r, sort_keys=True, ensure_ascii=False) not in known]
    if fresh:
        append_jsonl(kept, fresh)
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


def read_jsonl(path: Path) -> list[dict]:
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


def clean_leftovers(data_dir: Path) -> None:
    """What an interrupted run left: the staging folder, partial copies in the raw store and runs."""
    staging = data_dir / ".staging"
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)
    for pattern in ("raw/.incoming-*.tmp", "raw/??/.*.tmp", "raw/??/*_files/.*.tmp", "runs/.*.tmp"):
        for p in data_dir.glob(pattern):
            p.unlink(missing_ok=True)


def store_all(found: list[tuple[Path, str]], prev_files: dict, files: dict, data_dir: Path, limits: Limits,
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
                sha, raw, size, mtime = ingest(path, data_dir, max_bytes)
                if not sha:
                    rr.files_failed.append({"path": rel, "reason": f"larger than the {limits.file_mb} MiB limit per "
                                                                   "file (NIANBAO_FILE_MAX_MB); not stored nor read"})
                    continue
                if path.suffix.lower() in _PAGES:
                    keep_pictures(path, rel, data_dir / raw, max_bytes, rr)
        except Changed as e:
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
    append_index(data_dir, new_index)
    return seen_paths


_PAGES = (".html", ".htm", ".shtml", ".xhtml")


def pictures_of(raw: Path) -> Path:
    """Where the raw store keeps a page's own pictures: raw/ab/<sha>_files/<picture_key(src)>.<ext>
    (not a file of the store: a rebuild reads it with its page)."""
    return raw.with_name(raw.stem + "_files")


def keep_pictures(page: Path, rel: str, raw: Path, max_bytes: int, rr: RunReport) -> None:
    """A web page's pictures that the reader would read by OCR (its tables pasted as images: beside it,
    as a browser saves them, or as `nianbao fetch` keeps them), copied into the raw store with it. A
    picture over the size limit per file is named and not kept."""
    from pipeline.read.common import decode
    from pipeline.read.html import body_pictures
    from pipeline.read.pictures import Pictures, picture_key, picture_suffix

    try:
        srcs = body_pictures(decode(raw.read_bytes(), page.name, html=True), page.name)
    except (ReadError, ValueError):  # not readable as a page: its reader says so when it is read
        return
    found = Pictures(page.parent, page.name)
    for src in srcs:
        path = found.path(src)
        if path is None:
            continue
        try:
            if path.stat().st_size > max_bytes:
                rr.files_skipped.append({"path": f"{rel}: {shown(path.name)}", "reason": "a picture of the page larger "
                                         "than the limit per file (NIANBAO_FILE_MAX_MB); not kept nor read"})
                continue
            data = path.read_bytes()
        except OSError as e:
            rr.files_skipped.append({"path": f"{rel}: {shown(path.name)}", "reason": f"cannot be read: {e.strerror or e}"})
            continue
        folder = pictures_of(raw)
        folder.mkdir(exist_ok=True)
        dest = folder / f"{picture_key(src)}{picture_suffix(data) or path.suffix.lower()}"
        if not dest.exists():
            tmp = folder / f".{dest.name}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, dest)


def load_pictures(raw: Path) -> dict[str, bytes] | None:
    """A page's pictures kept in the raw store, {picture_key(src): bytes}; None when it has none."""
    folder = pictures_of(raw)
    if not folder.is_dir():
        return None
    return {p.stem: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def active(files: dict, seen_paths: dict[str, str]) -> list[str]:
    """Files to load: those seen now, and earlier ones not replaced. A file changed in place supersedes
    its older version (kept in the raw store, not loaded)."""
    path_sha = {rel: sha for sha, rel in seen_paths.items()}
    active = [sha for sha, f in files.items() if sha in seen_paths or (
        f.get("status") != "superseded" and path_sha.get(f.get("inbox_path"), sha) == sha)]
    for sha, f in files.items():
        if sha not in active:
            f.update(status="superseded", error=f"replaced by a newer version of {f.get('inbox_path')}")
    return active
