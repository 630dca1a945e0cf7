"""PDF reports (issue: Read PDF and Word reports). Not implemented yet: refused with a clear message."""
from __future__ import annotations

from ._common import ReadError


def read_pdf(data: bytes, name: str):
    raise ReadError(name, "PDF reports are not supported yet by this version of nianbao")
