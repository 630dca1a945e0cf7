"""Counts the narrative states that the tables also hold (本年新收, 上年结转, 结转下年度, 复议, 诉讼):
read as statements and checked against the tables, never published as facts; and the sentences'
hashes for the copied-narrative check.
"""
from __future__ import annotations

import hashlib
import re

from pipeline.extract.narrative_numbers import APPROX_AFTER, APPROX_BEFORE, DIGIT, SENTENCE, WS, value
from pipeline.read.cells import plain

_N = r"(?P<n>\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+(?!\d)|\d+)\s*(?P<mult>万)?"
STATEMENTS = (
    ("applications_received", re.compile(r"(?:收到|受理|接收)[^，,。；\d]{0,16}?(?:政府信息公开|依申请公开)?申请[^，,。；\d]{0,6}?" + _N + r"\s*(?:件|个|份)")),
    ("applications_received", re.compile(r"(?:收到|受理|接收)[^，,。；\d]{0,6}?" + _N + r"\s*件[^，,。；\d]{0,8}?(?:政府信息公开|依申请公开)?申请")),
    ("applications_received", re.compile(r"受理依申请公开[^，,。；\d]{0,4}?" + _N + r"\s*件")),
    ("applications_received", re.compile(r"(?<!上年)(?<!上年度)新收[^，,。；\d]{0,14}?申请[^，,。；\d]{0,6}?" + _N + r"\s*(?:件|个|份)")),
    ("applications_received", re.compile(r"(?<!上年)(?<!上年度)新收[^，,。；\d]{0,4}?" + _N + r"\s*件")),
    ("carried_in", re.compile(r"(?:上一?年度?|去年)(?:度)?结转[^，,。；\d下]{0,14}?" + _N + r"\s*件")),
    ("carried_in", re.compile(r"结转上一?年度?[^，,。；\d下]{0,10}?" + _N + r"\s*件")),
    ("carried_out", re.compile(r"(?:结转|转入)(?:至|到)?下一?年度?[^，,。；\d]{0,12}?" + _N + r"\s*件")),
    ("carried_out", re.compile(_N + r"\s*件[^，,。；\d]{0,6}?(?:结转|转入)(?:至|到)?下一?年度?")),
    ("review_total", re.compile(r"行政复议(?:申请)?[^，,。；\d和及]{0,4}?" + _N + r"\s*(?:起|件|宗|次)")),
    ("litigation_total", re.compile(r"行政诉讼[^，,。；\d和及]{0,4}?" + _N + r"\s*(?:起|件|宗|次)")),
)


_STATEMENT_CUE = re.compile(r"申请|复议|诉讼|结转|新收")


def sentence_hashes(paragraphs) -> list[int]:
    """Stable 63-bit hashes of the report's sentences (for the copied-narrative check)."""
    out = []
    for para in paragraphs:
        for sentence in SENTENCE.split(para.text):
            t = WS.sub("", sentence)
            if len(t) >= 12:
                out.append(int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "big") >> 1)
    return out


def read_statements(paragraphs, report) -> None:
    """Each statement of a table count in the prose, onto report.statements; the sentences' hashes."""
    for para in paragraphs:
        if not _STATEMENT_CUE.search(para.text):
            continue
        for sentence in SENTENCE.split(para.text):
            if not DIGIT.search(sentence) or not _STATEMENT_CUE.search(sentence):
                continue
            for kind, rx in STATEMENTS:
                for m in rx.finditer(sentence):
                    before = sentence[max(0, m.start() - 6):m.start()]
                    tail = sentence[m.end("n"):m.end("n") + 3]
                    if "累计" in before or APPROX_AFTER.match(tail) or APPROX_BEFORE.search(sentence[:m.start("n")]):
                        continue
                    report.statements.append({"kind": kind, "value": plain(value(m)), "text": sentence.strip()[:300]})
    report.sentence_hashes = sentence_hashes(paragraphs)
