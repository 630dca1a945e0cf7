"""Word reports (issue: Read PDF and Word reports). Not implemented yet: refused with a clear message."""
from __future__ import annotations

from ._common import ReadError


def read_docx(data: bytes, name: str):
    raise ReadError(name, "Word reports are not supported yet by this version of nianbao")


def read_legacy_word(data: bytes, name: str):
    raise ReadError(name, "legacy Word (.doc/.wps) reports are not supported yet by this version of nianbao")
