"""Every limit on what one input may cost, in one place, each overridable by an environment variable.

The readers refuse an input past a limit with a `ReadError` that names the limit and its variable;
the refresh runs each file in a worker process under the time and memory limits, so an input that
slips past the others still cannot stall or sink the weekly run.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import lru_cache


@dataclass(frozen=True)
class Limits:
    seconds: float = 120.0  # NIANBAO_FILE_TIMEOUT: wall-clock seconds to read one file (refresh)
    memory_mb: int = 3072  # NIANBAO_FILE_MEMORY_MB: memory a worker may take beyond its loaded libraries (refresh)
    file_mb: int = 200  # NIANBAO_FILE_MAX_MB: files larger than this are not read
    unzipped_mb: int = 300  # NIANBAO_MAX_UNZIPPED_MB: a .docx's members, decompressed, together
    pdf_pages: int = 400  # NIANBAO_MAX_PDF_PAGES: pages of one PDF
    text_chars: int = 5_000_000  # NIANBAO_MAX_TEXT_CHARS: characters of a text or HTML file, decoded
    table_cells: int = 200_000  # NIANBAO_MAX_TABLE_CELLS: cells of one table, spans expanded
    span: int = 100  # NIANBAO_MAX_SPAN: columns or rows one merged cell may span (Word: refused; HTML: cut to it)
    cut_steps: int = 250_000  # NIANBAO_MAX_CUT_STEPS: search steps to cut one report's digits run together
    soffice_seconds: float = 180.0  # NIANBAO_SOFFICE_TIMEOUT: LibreOffice converting one .doc/.wps/.odt/.rtf
    mhtml_parts: int = 2000  # NIANBAO_MAX_MHTML_PARTS: parts of a web page saved as one file (.mht/.mhtml)
    ocr_pages: int = 20  # NIANBAO_MAX_OCR_PAGES: pages of one file read by OCR (pages without a text layer)
    ocr_page_seconds: float = 60.0  # NIANBAO_OCR_PAGE_SECONDS: CPU seconds OCR may take on one page or image
    image_pixels: int = 40_000_000  # NIANBAO_MAX_IMAGE_PIXELS: pixels of one image read by OCR (a page is rendered within it)
    fetch_answer_s: float = 120.0  # NIANBAO_FETCH_ANSWER_S: one answer of a site, headers and body, however slow
    fetch_source_s: float = 900.0  # NIANBAO_FETCH_SOURCE_S: one source of the register, all its requests
    fetch_run_s: float = 7200.0  # NIANBAO_FETCH_RUN_S: one `nianbao fetch`, every source
    fetch_robots_kb: int = 500  # NIANBAO_FETCH_ROBOTS_KB: a robots.txt, decompressed (read up to this)
    fetch_page_mb: int = 20  # NIANBAO_FETCH_PAGE_MB: a list page or report page, decompressed
    fetch_list_pages: int = 20  # NIANBAO_FETCH_LIST_PAGES: a list page and its next pages
    fetch_attachments: int = 20  # NIANBAO_FETCH_ATTACHMENTS: attachments taken from one report page
    fetch_pictures: int = 20  # NIANBAO_FETCH_PICTURES: pictures of a report page's body taken with it (its tables as images)

    @classmethod
    def from_env(cls) -> "Limits":
        d = cls()
        out = {}
        for f in fields(cls):
            raw = os.environ.get(ENV[f.name])
            default = getattr(d, f.name)
            try:
                out[f.name] = type(default)(raw) if raw else default
            except ValueError:
                out[f.name] = default
        return cls(**out)


ENV = {"seconds": "NIANBAO_FILE_TIMEOUT", "memory_mb": "NIANBAO_FILE_MEMORY_MB", "file_mb": "NIANBAO_FILE_MAX_MB",
       "unzipped_mb": "NIANBAO_MAX_UNZIPPED_MB", "pdf_pages": "NIANBAO_MAX_PDF_PAGES",
       "text_chars": "NIANBAO_MAX_TEXT_CHARS", "table_cells": "NIANBAO_MAX_TABLE_CELLS", "span": "NIANBAO_MAX_SPAN",
       "cut_steps": "NIANBAO_MAX_CUT_STEPS", "soffice_seconds": "NIANBAO_SOFFICE_TIMEOUT",
       "mhtml_parts": "NIANBAO_MAX_MHTML_PARTS",
       "ocr_pages": "NIANBAO_MAX_OCR_PAGES", "ocr_page_seconds": "NIANBAO_OCR_PAGE_SECONDS",
       "image_pixels": "NIANBAO_MAX_IMAGE_PIXELS",
       "fetch_answer_s": "NIANBAO_FETCH_ANSWER_S", "fetch_source_s": "NIANBAO_FETCH_SOURCE_S",
       "fetch_run_s": "NIANBAO_FETCH_RUN_S", "fetch_robots_kb": "NIANBAO_FETCH_ROBOTS_KB",
       "fetch_page_mb": "NIANBAO_FETCH_PAGE_MB", "fetch_list_pages": "NIANBAO_FETCH_LIST_PAGES",
       "fetch_attachments": "NIANBAO_FETCH_ATTACHMENTS",
       "fetch_pictures": "NIANBAO_FETCH_PICTURES"}


@lru_cache(maxsize=1)
def current() -> Limits:
    """The limits in force, read from the environment once per process (`current.cache_clear()` to
    read it again)."""
    return Limits.from_env()


# The refresh's wall-clock limit for the file being read in this process: (time.monotonic() at which it
# ends, the limit in seconds), set by `file_time_limit` around each file in its worker, so that OCR fails a
# long scan as soon as its pages are seen not to fit, naming them and the limit, instead of being killed
# at the limit with no more said.
_file_limit: list = [None, None]


@contextmanager
def file_time_limit(seconds: float | None):
    """Within it, the file being read has `seconds` from now (NIANBAO_FILE_TIMEOUT in the refresh);
    `None`: no such limit (`nianbao extract`)."""
    before = list(_file_limit)
    _file_limit[:] = [time.monotonic() + seconds, seconds] if seconds else [None, None]
    try:
        yield
    finally:
        _file_limit[:] = before


def file_time_left() -> tuple[float | None, float | None]:
    """(time.monotonic() at which the file's time ends, the limit), or (None, None) without a limit."""
    return _file_limit[0], _file_limit[1]
