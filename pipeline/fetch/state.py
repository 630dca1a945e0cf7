"""What the fetch remembers between runs and records for the refresh, written as it goes.

inbox/.fetch/state.json: each page's validators (ETag, Last-Modified), the file it gave or why it gave
none (older format, not a report), each source's last run. Every change is also appended at once to
inbox/.fetch/state.journal.jsonl, replayed on load and folded into state.json at the end of a run, so
a run killed midway loses at most the file in flight. inbox/.fetch/provenance.jsonl: each file's
address, dates and agency, appended (and flushed) as soon as the file is in the inbox, so a refresh
that runs before the fetch has finished still knows where the file came from."""
from __future__ import annotations

from pipeline.refresh.store import read_jsonl

import json
import os
import threading
from pathlib import Path


class State:
    def __init__(self, inbox: Path):
        self.dir = Path(inbox) / ".fetch"
        self.path = self.dir / "state.json"
        self.journal = self.dir / "state.journal.jsonl"
        self.prov_path = self.dir / "provenance.jsonl"
        data = _load_json(self.path, {})
        data = data if isinstance(data, dict) else {}
        self.pages: dict = data.setdefault("pages", {}) if isinstance(data.get("pages", {}), dict) else {}
        self.sources: dict = data.setdefault("sources", {}) if isinstance(data.get("sources", {}), dict) else {}
        self.data = {"pages": self.pages, "sources": self.sources}
        for r in read_jsonl(self.journal):
            if isinstance(r.get("page"), str) and isinstance(r.get("rec"), dict):
                self.pages[r["page"]] = r["rec"]
            elif isinstance(r.get("source"), str) and isinstance(r.get("rec"), dict):
                self.sources[r["source"]] = r["rec"]
        self.lock = threading.Lock()
        self._files: dict[Path, object] = {}

    def _append(self, path: Path, rec: dict):
        with self.lock:
            fh = self._files.get(path)
            if fh is None:
                self.dir.mkdir(parents=True, exist_ok=True)
                fh = open(path, "ab")
                if fh.tell() > 0:  # a line cut by a kill: start on a line of our own
                    with open(path, "rb") as r:
                        r.seek(-1, os.SEEK_END)
                        if r.read(1) != b"\n":
                            fh.write(b"\n")
                self._files[path] = fh
            fh.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
            fh.flush()

    def set_page(self, url: str, rec: dict):
        with self.lock:
            self.pages[url] = rec
        self._append(self.journal, {"page": url, "rec": rec})

    def set_source(self, agency_id: str, rec: dict):
        with self.lock:
            self.sources[agency_id] = rec
        self._append(self.journal, {"source": agency_id, "rec": rec})

    def record(self, rec: dict):
        """A provenance record, for the refresh."""
        self._append(self.prov_path, rec)

    def save(self):
        """Fold the journal into state.json (atomically), then start a new journal."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.lock:
            for fh in self._files.values():
                fh.close()
            self._files = {}
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
            self.journal.unlink(missing_ok=True)

    def close(self):
        with self.lock:
            for fh in self._files.values():
                fh.close()
            self._files = {}


def _load_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
