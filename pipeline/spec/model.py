"""The data model every stage shares: a report's facts, its issues, and the report itself.

Readers produce a `Document` (document.py); the parser, the narrative reader and the flattened-table
reader fill a `Report` with `Fact`s and `Issue`s defined here, so none of them imports another.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# a file read by another version is read again at the next refresh: raised with every change to what the
# readers and the parser give (0.5.0: the saved forms, text pasted into Word, 表三 columns in text by their
# header, the prose fixes of the probes since 0.4.0; 0.5.1: another body's figures in prose; 0.5.2: tables at a
# PDF's page breaks, labels above their numbers in text, footnote marks; 0.5.3: hidden text, a cell of two numbers, a
# number merged over two columns of 表四; 0.5.4: struck-out text;
# 0.5.5: what a workbook's sheet does not show; 0.5.6: Word's nested tables and content controls, numbers merged
# over two rows or columns of values, cells of numbers and signs; 0.5.7: the agency's own column on a portal;
# 0.5.8: a workbook of several years' reports refused; 0.5.9: a superior's site, parts that name their place;
# 0.5.10: fees in Chinese numerals, a mailbox's column; 0.5.11: levels reached this year, totals led by a clause;
# 0.5.12: a file of several reports refused, examples in prose, pages nested past 256; 0.5.13: spacer columns;
# 0.5.14: spacer columns only under a header, CSV; 0.5.15: spacer columns of web pages and Word only;
# 0.5.16: a province's bureau, joint reports, rates per quarter, subordinate stations, Chinese numerals of people;
# 0.5.17: an online-consultation column)
PARSER_VERSION = "0.5.17"


def fact_key(metric: str, dim: str | None = None) -> str:
    """A fact's key, `metric:dim` (the metric alone for a scalar): the golden files', the wide exports'
    and the dashboard's name of one cell. The warehouse's one spelling of it is `v_values.key`."""
    return metric if dim is None else f"{metric}:{dim}"


def split_key(key: str) -> tuple[str, str | None]:
    """A `metric:dim` key back into (metric, dim); dim is None for a scalar."""
    metric, _, dim = key.partition(":")
    return metric, dim or None


@dataclass(slots=True)
class Fact:
    metric: str
    dim: str | None
    value: int | float
    evidence: dict
    # True when the row was identified by its own label, the column by its header, and every identity
    # of the report's tables that contains the cell holds (表二 and prose: the label match alone).
    # Set by `pipeline.extract.identities.verify` once the report's facts are complete.
    verified: bool = True

    def key(self) -> str:
        return fact_key(self.metric, self.dim)

    def to_json(self) -> dict:
        return {"metric": self.metric, "dim": self.dim, "value": self.value, "verified": self.verified,
                "evidence": self.evidence}


@dataclass
class Issue:
    code: str
    severity: str  # error | warning | info
    message: str
    where: str = ""
    # the finding's own fields (a count, the table it concerns), for whoever writes it in another
    # language or counts it: nothing reads them back out of the message
    data: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"code": self.code, "severity": self.severity, "message": self.message, "where": self.where}
        if self.data:
            out["data"] = self.data
        return out


@dataclass
class Report:
    path: str
    sha256: str
    format: str
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    facts: list[Fact] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    title: str | None = None
    published: str | None = None  # ISO date the page or document says it was published, when it does
    statements: list[dict] = field(default_factory=list)  # counts the narrative states (checked, not facts)
    sentence_hashes: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "source": {"path": self.path, "sha256": self.sha256, "format": self.format},
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "title": self.title,
            "published": self.published,
            "parser_version": PARSER_VERSION,
            "facts": [f.to_json() for f in self.facts],
            "issues": [i.to_json() for i in self.issues],
            "statements": self.statements,
        }

    def values(self) -> dict[str, int | float]:
        return {f.key(): f.value for f in self.facts}
