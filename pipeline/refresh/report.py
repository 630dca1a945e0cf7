"""The run's outcome: its report (data/runs/<load id>.json and the summary the CLI prints), its exit
codes and errors, and how a file name is shown in it."""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.spec.model import PARSER_VERSION

EXIT_OK, EXIT_SOME_FAILED, EXIT_RUN_FAILED = 0, 1, 2


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
        if self.unplaced:  # read, but in no report: named, so the operator can see which
            lines.append(f"  not placed, agency or year not told ({len(self.unplaced)}): "
                         + ", ".join(self.unplaced[:10]) + (" …" if len(self.unplaced) > 10 else ""))
        if self.files_ignored:  # by name: a report saved in a form not read is seen, not lost silently
            lines.append(f"  ignored, not a report format ({len(self.files_ignored)}): "
                         + ", ".join(self.files_ignored[:10]) + (" …" if len(self.files_ignored) > 10 else ""))
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


def save(rr: RunReport, data_dir: Path) -> None:
    """Write the run report to data/runs/<load id>.json, whole or not at all."""
    atomic_write(data_dir / "runs" / f"{rr.load_id}.json",
                 json.dumps(rr.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))


def atomic_write(path: Path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
