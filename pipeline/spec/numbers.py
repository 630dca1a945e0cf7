"""Numbers, Chinese digits, dates and full-width forms, each written once.

- `as_written(v)`: a number as a report writes it, for messages and printed tables: 21, not 21.0;
  1205.5; never 1.2e+06; a blank (None, NaN) stays blank.
- `CN_DIGITS`, `CN_YEAR`, `chinese_year`: the digits a year is written with in Chinese (二〇二〇,
  二○二○, 二零二零) and their value.
- `DATE`, `find_date`, `iso_date`: a date written 2024-01-20, 2024/1/20, 2024.1.20 or 2024年1月20日.
- `FULLWIDTH`, `halfwidth`: full-width letters, digits and punctuation (ＡＢＣ１２３（）) as ASCII,
  the ideographic space as a space.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

# --- numbers ---------------------------------------------------------------------------------------


def as_written(v) -> str:
    """A number as people write it: an integral value without a decimal point (21, not 21.0), any other
    with the digits it has, up to six decimals, and never in exponent form; None or NaN as ""."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        raise TypeError("a truth value is not a number")
    d = v if isinstance(v, Decimal) else Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    if not d.is_finite():
        return str(v)
    if d == d.to_integral_value():
        return str(int(d))
    return format(round(d, 6).normalize(), "f")


# --- Chinese digits --------------------------------------------------------------------------------

# the zero is written 〇, 零, ○ (a circle), or, by mistaken input, a full-width or Latin capital O
CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_YEAR = "[" + "".join(CN_DIGITS) + "]{4}"  # a year in Chinese digits, for a regular expression


def chinese_year(text: str) -> int | None:
    """二〇二〇 -> 2020; None when the text is not four Chinese digits."""
    if len(text) != 4 or any(c not in CN_DIGITS for c in text):
        return None
    return int("".join(str(CN_DIGITS[c]) for c in text))


# --- dates -----------------------------------------------------------------------------------------

DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def find_date(text: str | None, pattern: re.Pattern = DATE) -> dt.date | None:
    """The first real date `pattern` (groups: year, month, day) finds in the text."""
    for m in pattern.finditer(text or ""):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def iso_date(text: str | None, pattern: re.Pattern = DATE) -> str | None:
    """find_date as 2024-01-20."""
    d = find_date(text, pattern)
    return d.isoformat() if d else None


# --- full-width forms ------------------------------------------------------------------------------

FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def halfwidth(text: str, only: str | None = None) -> str:
    """Full-width ASCII forms as ASCII and the ideographic space as a space (all of them, or those in
    `only`)."""
    table = FULLWIDTH if only is None else {ord(c): FULLWIDTH[ord(c)] for c in only}
    return text.translate(table)
