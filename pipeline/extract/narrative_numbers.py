"""Numbers in prose: sentences and clauses, a number with its unit, its value; text made ready for them.

Numbers: 1,205 / 1 205 (digit groups split by spaces) / full-width digits (made ASCII by the reader) /
12．5 (a full-width decimal point) / 35.6万 / 1.2亿 / Chinese numerals for small counts before a unit
(三场) / 零 where it is stated as a figure (为零, 零元).
"""
from __future__ import annotations

import re
from decimal import Decimal

SENTENCE = re.compile(r"[。；;！!？?\n]+")
DIGIT = re.compile(r"\d|[一二两三四五六七八九十百千][万亿]?[场次件篇份期个条项封人名户]|[一二两三四五六七八九十百千]元|[壹贰貳叁參肆伍陆陸柒捌玖拾佰仟](?:圆|元)")
CLAUSE = re.compile(r"[，：:（）()【】]|,(?!\d{3}(?!\d))|\s{2,}")

# a count in Chinese numerals, below ten thousand (times 万 or 亿 after it): 三, 十五, 二十一, 一百零八, 两千零三十,
# 一百二十三万
_CN_INT = (r"(?=[一二两三四五六七八九十])(?:[一二两三四五六七八九]千)?(?:零?[一二两三四五六七八九]百)?"
           r"(?:零?[一二三四五六七八九]?十)?(?:零?[一二两三四五六七八九])?")
# a number: groups by commas or spaces; digits with a space on either side otherwise are no number
# (网站总访问量 1 8 6 4 5 2 次, letter-spaced: which digits are the figure?)
_NUM = (r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?![\d.])|(?<!\d )\d+(?:\.\d+)?(?! \d)"
        r"|(?<![第零〇一二两三四五六七八九十百千万])" + _CN_INT + r"(?=[万亿]?[场次件篇份期个条项封人名户]|元))")
_UNIT = r"\s*(?P<mult>万|亿|(?<=\d)千(?!万))?\s*(?P<unit>人次|万元|元|次|人|个|户|名|条|篇|则|期|件|封|份|项|场|起|宗|位)?"
ITEM = re.compile(_NUM + _UNIT)

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
APPROX_AFTER = re.compile(r"^\s*(?:余|多|以上|左右|上下|许|强)")
APPROX_BEFORE = re.compile(r"(?:约|大约|近|将近|逾|超|超过|多达|不足|不到|低于|高于|至少|最少|上千)\s*$")
WS = re.compile(r"\s+")

# 1，236，580次: digit groups split by full-width commas (two or more groups, or one before its unit)
_FW_GROUPS = re.compile(r"(?<![\d.,，])\d{1,3}(?:，\d{3}){2,}(?![\d，])|(?<![\d.,，])\d{1,3}，\d{3}(?=\s*(?:万|亿)?\s*"
                        r"(?:人次|万元|元|次|人|个|户|名|条|篇|则|期|件|封|份|项|场))")
_FW_POINT = re.compile(r"(?<=\d)\s*[．﹒]\s*(?=\d)")  # 12．5万: a full-width decimal point
_ZERO_WORD = re.compile(r"(?<=[为是计共费])零(?=[元件封条场次篇份个项]|$|[，。；;、,\s）)])")  # 为零 / 零元


# the spaces a typesetter puts between digit groups (thin, narrow no-break, no-break, figure space): spaces
_NARROW_SPACES = {cp: " " for cp in (0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F)}
_NARROW = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")


def prepare(text: str) -> str:
    """Narrow and no-break spaces as spaces (1 234 567 set with thin spaces); full-width decimal points as points; digit
    groups split by full-width commas joined (1，236，580); 零 stated as a figure (为零, 零元) as 0."""
    if _NARROW.search(text):
        text = text.translate(_NARROW_SPACES)
    if "，" in text:
        text = _FW_GROUPS.sub(lambda m: m.group(0).replace("，", ","), text)
    if "．" in text or "﹒" in text:
        text = _FW_POINT.sub(".", text)
    if _CAPITAL.search(text):  # 叁佰元: an amount in the capital numerals of accounts
        text = _CAPITAL.sub(lambda m: m.group(1).translate(_CAPITALS) + "元", text)
    if "零" in text:
        text = _ZERO_WORD.sub("0", text)
    return text


_CAPITALS = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟", "一二二三三四五六六七八九十百千")
_CAPITAL = re.compile(r"([壹贰貳叁參肆伍陆陸柒捌玖拾佰仟][零壹贰貳叁參肆伍陆陸柒捌玖拾佰仟]*)(?:圆|元)(?:整)?")


def value(m: re.Match) -> Decimal:
    n = m.group("n")
    if n[0] in _CN or n[0] == "十":
        v = Decimal(_chinese_small(n))
    else:
        v = Decimal(n.replace(",", "").replace(" ", ""))
    mult = m.group("mult")
    unit = m.groupdict().get("unit") or ""
    if mult == "万" and unit != "万元":
        v *= 10000
    elif mult == "亿":
        v *= 100000000
    elif mult == "千":  # 粉丝6千人, 1.2千条
        v *= 1000
    return v


_PLACES = {"十": 10, "百": 100, "千": 1000}


def _chinese_small(s: str) -> int:
    """A count written as _CN_INT matches it: 十五 15, 一百零八 108, 两千零三十 2030."""
    total = digit = 0
    for ch in s:
        if ch in _PLACES:
            total += (digit or 1) * _PLACES[ch]
            digit = 0
        else:
            digit = _CN.get(ch, 0)  # 零 is 0
    return total + digit
