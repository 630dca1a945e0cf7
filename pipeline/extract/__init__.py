"""One file in, one report out: read the document, parse it. The library entry of `extract`."""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.extract import parse as _parse
from pipeline.extract.ocr_marks import mark_ocr
from pipeline.spec.model import Report
from pipeline.extract.identify import several_reports
from pipeline.read import ReadError, read, read_bytes
from pipeline.spec.numbers import CN_YEAR

__all__ = ["extract", "extract_bytes", "ReadError", "NotAReport"]


class NotAReport(ReadError):
    """A readable file that holds nothing of an annual disclosure report."""


_REPORT_WORDS = ("政府信息公开", "总体情况", "主动公开", "依申请公开", "信息公开")


_LIST_TITLE = re.compile(r"((?:19|20)\d{2}|" + CN_YEAR + r")\s*年度?[^\n]{0,30}?(?:年度报告|年报)")


def _check(report: Report, doc) -> Report:
    several = several_reports(doc)
    if several:  # one agency's or year's figures must not pass for another's
        said = "、".join(f"{a} {y}" for a, y in several)
        raise NotAReport(report.path, f"holds {len(several)} reports ({said}); nothing was taken from it: "
                                      "each report must be its own file")
    text = doc.text()[:50000]
    if not report.facts and report.template is None:
        years = {m.group(1) for m in _LIST_TITLE.finditer(text)}
        if len(years) >= 3:
            raise NotAReport(report.path, f"a list of {len(years)} years' reports (a column or index page), "
                                          "not a report; the reports it links to are read one by one")
    looks_like = sum(w in text for w in _REPORT_WORDS) >= 2
    if not report.facts and report.template is None and (report.year is None or not looks_like) and not looks_like:
        raise NotAReport(report.path, "not a government-information-disclosure annual report "
                                      "(no title, year, table or figure of one was found)")
    return report


def _facts(doc) -> Report:
    report = _parse.parse(doc)
    mark_ocr(doc, report)
    return report


def extract(path: str | Path) -> Report:
    """Read and parse one report file; raises ReadError (naming the file and the reason)."""
    doc = read(path)
    return _check(_facts(doc), doc)


def extract_bytes(data: bytes, name: str, pictures: dict[str, bytes] | None = None) -> Report:
    """Read and parse a report held in memory; a web page's own pictures handed over with it
    ({pictures.picture_key(src): bytes}) are read by OCR as `extract` reads them beside a saved page."""
    doc = read_bytes(data, name, pictures=pictures)
    return _check(_facts(doc), doc)
