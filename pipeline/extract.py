"""One file in, one report out: read the document, parse it. The library entry of `extract`."""
from __future__ import annotations

from pathlib import Path

from .parse import Report, parse
from .readers import ReadError, read, read_bytes

__all__ = ["extract", "extract_bytes", "ReadError", "NotAReport"]


class NotAReport(ReadError):
    """A readable file that holds nothing of an annual disclosure report."""


_REPORT_WORDS = ("政府信息公开", "总体情况", "主动公开", "依申请公开", "信息公开")


def _check(report: Report, doc) -> Report:
    text = doc.text()[:50000]
    looks_like = sum(w in text for w in _REPORT_WORDS) >= 2
    if not report.facts and report.template is None and (report.year is None or not looks_like) and not looks_like:
        raise NotAReport(report.path, "not a government-information-disclosure annual report "
                                      "(no title, year, table or figure of one was found)")
    return report


def extract(path: str | Path) -> Report:
    """Read and parse one report file; raises ReadError (naming the file and the reason)."""
    doc = read(path)
    return _check(parse(doc), doc)


def extract_bytes(data: bytes, name: str) -> Report:
    doc = read_bytes(data, name)
    return _check(parse(doc), doc)
