"""A sentence of the report's prose cut into items (narrative.py says what an item is): its clauses, each
number with its unit, its label and the words after it, `…分别…` lists paired in order, and the place (the
website, or the new-media platform) the sentence names for a figure."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pipeline.extract.narrative_numbers import CLAUSE as _CLAUSE
from pipeline.extract.narrative_numbers import ITEM as _ITEM
from pipeline.extract.narrative_numbers import value as _value

_DATE_OR_SHARE = re.compile(r"^\s*(?:年|月|日|号|时|周岁|%|％|‰|个百分点|个工作日|个月)")


_BREAKDOWN = re.compile(r"^\s*(?:其中|包括|含|内含)")


# --- places --------------------------------------------------------------------------------------
PLATFORMS = (
    ("wechat_channels", re.compile(r"视频号")),
    ("wechat", re.compile(r"微信|公众号|服务号|订阅号")),
    ("weibo", re.compile(r"微博")),
    ("toutiao", re.compile(r"头条")),
    ("douyin", re.compile(r"抖音")),
    ("kuaishou", re.compile(r"快手")),
)


_WEBSITE = re.compile(r"网站|门户|网页|官网")


_PLACE = re.compile(r"视频号|微信|公众号|服务号|订阅号|微博|头条|抖音|快手|网站|门户|网页|官网|两微|新媒体")


_WECHAT_ACCOUNT = re.compile(r"微信(?!视频号)[^视]*(?:公众号|服务号|订阅号)|公众号")


_GENERIC_MEDIA = re.compile(r"两微|新媒体矩阵|新媒体平台|各类新媒体")


_ANY_NEW_MEDIA = re.compile(r"两微|新媒体|一端|客户端")  # with the website: a figure of both together


_LATIN = re.compile(r"[A-Za-z]")


_LISTED = re.compile(r"^\s*[、和及与]")


_LIST_SEP = re.compile(r"[、和及与]")


WEBSITE = "website"


MIXED = "mixed"


_QUOTED = re.compile(r"“[^”]{0,20}”|\"[^\"]{0,20}\"|《[^》]{0,20}》")


@lru_cache(maxsize=8192)
def _places(text: str) -> str | None:
    """The one place a piece of text names (website or a platform), MIXED for several, None for none; an
    account's quoted name (微信公众号“某某头条”) names no place when the words outside the quotes name one."""
    if not _PLACE.search(text):
        return None
    if "“" in text or '"' in text or "《" in text:
        outside = _QUOTED.sub("", text)
        if outside != text and _PLACE.search(outside):
            return _places(outside)
    hits = [name for name, rx in PLATFORMS if rx.search(text)]
    if "wechat_channels" in hits and "wechat" in hits and not _WECHAT_ACCOUNT.search(text):
        hits.remove("wechat")  # 微信视频号 is Channels alone
    if _WEBSITE.search(text):
        hits.append(WEBSITE)
    if hits == [WEBSITE] and _ANY_NEW_MEDIA.search(text):
        return MIXED  # 门户网站和政务新媒体共发布信息6,420条
    if _GENERIC_MEDIA.search(text) and len(hits) <= 1:
        return MIXED if not hits else hits[0]
    if len(hits) != 1:
        return MIXED if hits else None
    return hits[0]


@dataclass
class Item:
    value: Decimal
    unit: str
    left: str  # the clause's words from the previous item (or the clause's start) to the number
    before: str  # the sentence's words before the number
    after: str  # the words after the unit, to the next number or the clause's end
    clause_end: bool
    clause: int  # index of the clause in the sentence
    listed: bool  # joined to the item before by 、/和 in the same clause
    paren: bool  # the clause is a parenthesis
    breakdown: bool
    place: str | None
    follows: bool = False  # another number came before it in the same clause (3场新闻发布会、2场…)
    lead: str = ""  # a clause without numbers just before, that may name what this number counts (see _lead)
    lead_direct: bool = False  # the lead names the number as its own label would (see _lead)
    part: bool = False  # one of the parts a total after them sums (narrative_rules.totals_after_parts)
    total: bool = False  # that total, its metric named by its parts' words
    sums_to_before: bool = False  # in a parenthesis whose numbers sum to the figure before it (its parts)
    metric: str | None = None
    excluded: str | None = None  # why the number is not a value


def _clauses(sentence: str) -> list[tuple[str, bool, int]]:
    """(text, inside parentheses, start offset) of each clause."""
    out, start, paren = [], 0, False
    for m in _CLAUSE.finditer(sentence):
        out.append((sentence[start:m.start()], paren, start))
        if m.group() in "（(【":
            paren = True
        elif m.group() in "）)】":
            paren = False
        start = m.end()
    out.append((sentence[start:], paren, start))
    return out


def _items(sentence: str, place: str | None) -> tuple[list[Item], str | None]:
    """Every number with a unit in the sentence, in order, with its label and its place."""
    items: list[Item] = []
    in_paren = in_sentence = False  # 其中… runs to the parenthesis' or the sentence's end
    colon_lead, prev_clause = "", None  # the words before a colon; the last clause outside parentheses, if numberless
    for ci, (clause, paren, offset) in enumerate(_clauses(sentence)):
        if not paren:
            in_paren = False
        first_item = len(items)
        lead, direct, colon_lead = _lead(sentence, offset, paren, prev_clause, colon_lead)
        if _BREAKDOWN.match(clause):
            if paren:
                in_paren = True
            else:
                in_sentence = True
        breakdown = in_paren or in_sentence
        for part in (_respectively(clause) if "分别" in clause else [clause]):
            prev_end = 0
            for m in _ITEM.finditer(part):
                n_start = m.start("n")
                left = part[prev_end:n_start]
                after = part[m.end():]
                nxt = _ITEM.search(after)
                after_words = after[:nxt.start()] if nxt else after
                unit = m.group("unit") or ""
                if not unit and not m.group("mult") and _DATE_OR_SHARE.match(after):
                    continue  # 2022年底, 12月, 100%: words of the label, not an item
                if (n_start and part[n_start - 1].isascii() and part[n_start - 1].isalpha()) or _LATIN.match(after):
                    continue  # IPv6, 5G, H5: part of a name
                if m.group("mult") == "万" and unit == "元":
                    unit = "万元"
                # a later number's own label names its place (微信公众号发布2,163条、微博发布1,987条)
                local = (prev_end and _places(part[prev_end:n_start])) or _places(part[:n_start])
                if local is not None:
                    place = local
                items.append(Item(_value(m), unit, left, sentence[:offset] + part[:n_start], after_words,
                                  not after_words.strip(), ci, prev_end > 0 and bool(_LISTED.match(left)),
                                  paren, breakdown, place, prev_end > 0))
                prev_end = m.end()
        for i, item in enumerate(items[first_item:] if not paren else ()):
            item.lead = lead if i == 0 else colon_lead
            item.lead_direct = bool(item.lead) and (direct if i == 0 else True)
        if not paren:
            prev_clause = clause if len(items) == first_item else None
        cp = _places(clause)
        if cp is not None:
            place = cp  # the clause's place carries to the sentence's next clauses
    return items, place


_TOPIC = re.compile(r"方面\s*$")  # 访问量方面，门户网站全年达到…: a topic, like words before a colon


def _lead(sentence: str, offset: int, paren: bool, prev_clause: str | None,
          colon_lead: str) -> tuple[str, bool, str]:
    """(the words that may name what this clause's first number counts, whether they name it as its own
    label would, the words before a colon or a topic that name every number after it in the sentence).
    A clause without numbers leads what follows when it ends in a colon (全年政务新媒体共发布信息：微信公众号
    2,163条、微博1,987条) or is a topic (粉丝方面，微信公众号2.1万人、微博1.5万人); it leads the first number
    after a parenthesis as its label (召开新闻发布会（含线上发布会）9场); after a comma it leads the next
    clause's first number only where it states a change without a count (网站访问量同比增长23.5%，达到68.2万次:
    narrative_rules decides)."""
    if paren:
        return "", False, colon_lead
    sep = sentence[offset - 1] if offset else ""
    if prev_clause is not None and (sep in "：:" or (sep in "，," and _TOPIC.search(prev_clause))):
        return prev_clause, True, prev_clause
    if prev_clause is not None and sep in "）)":
        return prev_clause, True, colon_lead
    if prev_clause is not None and sep in "，,":
        return prev_clause, False, colon_lead
    return colon_lead, True, colon_lead


def _respectively(clause: str) -> list[str]:
    """`A、B分别为6场、4场` as `A为6场` and `B为4场`; unpaired, every value with the whole subject."""
    pre, _, post = clause.partition("分别")
    values = list(_ITEM.finditer(post))
    if not values:
        return [clause]
    head = post[:values[0].start()]
    subjects = [s for s in _LIST_SEP.split(pre) if s.strip()]
    if len(subjects) == len(values) and len(subjects) > 1:
        subjects = _shared_tail(subjects)
        # the verb before the first subject belongs to all: 召开新闻发布会、新闻通气会 -> 召开…
        return [s + head + v.group(0) for s, v in zip(subjects, values)]
    return [pre + head + v.group(0) for v in values]


def _shared_tail(subjects: list[str]) -> list[str]:
    """抖音号、快手号粉丝量: the words after the last platform's name (粉丝量) are every platform's."""
    ends = [list(_PLACE.finditer(s)) for s in subjects]
    if not all(ends):
        return subjects
    tail = subjects[-1][ends[-1][-1].end():]
    out = []
    for s, m in zip(subjects[:-1], ends):
        rest = s[m[-1].end():]
        out.append(s + tail[len(rest):] if tail.startswith(rest) and len(tail) > len(rest) else s)
    return out + subjects[-1:]


def _after_last_place(before: str) -> str:
    places = list(_PLACE.finditer(before))
    return before[places[-1].end():] if places else before
