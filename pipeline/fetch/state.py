"""What the fetch remembers between runs (inbox/.fetch/state.json: each page's validators, the file it
gave, each source's last run) and what it records for the refresh (inbox/.fetch/provenance.jsonl)."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path


class State:
    def __init__(self, inbox: Path):
        self.dir = Path(inbox) / ".fetch"
        self.path = self.dir / "state.json"
        data = _load_json(self.path, {"pages": {}, "sources": {}})
        self.pages: dict = data.setdefault("pages", {})
        self.sources: dict = data.setdefault("sources", {})
        self.data = data
        self.lock = threading.Lock()
        self.provenance: list[dict] = []

    def record(self, rec: dict):
        with self.lock:
            self.provenance.append(rec)

    def save(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.provenance:
            with open(self.dir / "provenance.jsonl", "a", encoding="utf-8") as fh:
                for rec in self.provenance:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            self.provenance = []
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)


def _load_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
