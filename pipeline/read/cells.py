"""What a table cell says: a number, blank, not applicable, or text; and numbers written in prose.

The spec's cell semantics: only numbers become facts; a blank or a not-applicable mark (/ — - 无)
is never turned into 0. Amounts are converted to 万元 with exact decimal arithmetic.
"""
from __future__ import annotations

from pipeline.spec.numbers import chinese_year  # noqa: F401  (re-exported)

import re
from functools import lru_cache
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

BLANK, NA, NUMBER, TEXT = "blank", "na", "number", "text"
UNREADABLE = "unreadable"  # numbers a cell holds apart (26 13): no value, no label, no blank

_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# a footnote's mark set as a superscript (18<sup>2</sup>, 1,249[1] in Word's footnote reference): no part of the
# number it follows, whose digits it would otherwise lengthen (18 and 2 read as 182)
FOOTNOTE_MARK = re.compile(r"^\s*(?:[\[(（［]?\s*(?:\d{1,2}|[a-zA-Z*#†‡※])\s*[\])）］]?|[\u2460-\u2473\u2776-\u277f])\s*$")
_NA = {"/", "／", "\\", "—", "——", "－", "-", "–", "―", "─", "无", "/ /", "—/—", "×", "不适用", "空"}
_NUM = re.compile(
    r"^(?P<sign>[+\-−－＋]?)(?P<int>\d{1,3}(?:[,，]\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?P<mult>万|亿)?(?P<unit>元|万元|亿元|件|条|个|项|次|人|篇|份|场|家)?$"
)
# digits with a space between them (a cell holding two numbers, 26<br>13, or one set in thousands, 12 345)
_SPACED = re.compile(r"[\d０-９]\s+[\d０-９]")
_GROUPED = re.compile(r"(?<![\d０-９.,，])[\d０-９]{1,3}(?:\s[\d０-９]{3})+(?![\d０-９])")
_NUMBERS_ONLY = re.compile(r"[\d０-９\s,，.．()（）\[\]［］+＋\-−－/／×*＊%％～~:：]+")
_DIGIT_RUN = re.compile(r"[\d０-９]+")
_RAISED = re.compile(r"^[\d,.，]+\s*[\^_]\s*\S+$")
_FW_DIGITS = str.maketrans("０１２３４５６７８９．，＋－", "0123456789.,+-")


@dataclass(frozen=True)
class CellValue:
    kind: str  # BLANK | NA | NUMBER | TEXT
    text: str  # the cell as printed, whitespace folded
    value: Decimal | None = None  # the number, multiplier applied (1.2万 -> 12000), unit not applied
    unit: str | None = None  # 元 / 万元 / 亿元 / a count word, when written in the cell


def clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


@lru_cache(maxsize=65536)
def classify(text: str | None) -> CellValue:
    t = clean(text)
    if not t:
        return CellValue(BLANK, t)
    if t in _NA:
        return CellValue(NA, t)
    if _RAISED.match(t):  # a number with raised or lowered text set apart by the reader (0^123): which is it?
        return CellValue(UNREADABLE, t)
    if _SPACED.search(t):  # digits apart: a number only as thousands set apart (12 345), not two numbers (26 13)
        t_grouped = _GROUPED.sub(lambda m: m.group(0).replace(" ", ""), t)
        if _SPACED.search(t_grouped):
            return CellValue(UNREADABLE, t)
    compact = t.replace(" ", "").translate(_FW_DIGITS)
    m = _NUM.match(compact)
    if not m:
        if _NUMBERS_ONLY.fullmatch(t) and len(_DIGIT_RUN.findall(t)) >= 2:
            return CellValue(UNREADABLE, t)  # 2（1）, 12+3, 3/4: numbers and signs, no label and no one value
        return CellValue(TEXT, t)
    digits = m.group("int").replace(",", "").replace("，", "")
    try:
        v = Decimal(digits + (m.group("frac") or ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return CellValue(TEXT, t)
    if m.group("sign") in ("-", "−", "－"):
        v = -v
    mult, unit = m.group("mult"), m.group("unit")
    if mult == "万" and unit == "元":
        unit = "万元"
    elif mult == "亿" and unit == "元":
        unit = "亿元"
    elif mult == "万":
        v *= 10000
    elif mult == "亿":
        v *= 100000000
    return CellValue(NUMBER, t, v, unit)


def to_wan_yuan(value: Decimal, unit: str | None) -> Decimal:
    """An amount in 万元 from one in 元, 万元 or 亿元."""
    if unit == "元":
        return value / Decimal(10000)
    if unit == "亿元":
        return value * Decimal(10000)
    return value


def amount_unit(header: str) -> str | None:
    """The money unit a header names, e.g. 采购总金额（单位：万元） -> 万元."""
    h = header.replace(" ", "")
    for u in ("亿元", "万元"):
        if u in h:
            return u
    if re.search(r"[（(]\s*(单位[:：])?\s*元\s*[)）]|单位[:：]\s*元", h):
        return "元"
    return None


def plain(value: Decimal) -> int | float:
    """A JSON-friendly number: int when integral, else float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value.normalize())


