"""Figures stated in the report's prose: website, new media per platform, interpretation, mailbox, ...

Sentences are cut into clauses at commas; a clause yields a figure when a metric's phrase and a
number with a fitting unit stand in it. New-media figures belong to the platform the sentence
last named (微信“绿色洛阳”全年发布信息量 1237 条，订阅数 70644 次 -> both WeChat). Approximate
(7700余条, 近万), cumulative (累计) and percentage figures are not facts. When a report states two
different values for one metric, neither is reported and an issue says so.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .cells import plain

_SENTENCE = re.compile(r"[。；;！!？?\n]+")
_DIGIT = re.compile(r"\d")
_CLAUSE = re.compile(r"[，,]")
NUM = r"(?P<n>\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<mult>万|亿)?"
_APPROX_BEFORE = re.compile(r"(近|约|逾|超过|超|多达|将近|大约)\s*$")
_APPROX_AFTER = re.compile(r"^\s*(余|多|以上|左右|上下|\+|%|％)")

PLATFORMS = (
    ("wechat_channels", re.compile(r"视频号")),
    ("wechat", re.compile(r"微信|公众号|服务号|订阅号")),
    ("weibo", re.compile(r"微博")),
    ("toutiao", re.compile(r"头条")),
    ("douyin", re.compile(r"抖音")),
    ("kuaishou", re.compile(r"快手")),
)

_POSTS = re.compile(r"(发布|发送|推送|推发|发稿|推文|发文|刊发|编发|更新)[^，,。；\d]{0,8}?" + NUM + r"\s*(条|篇|则|期)")
_FOLLOWERS = re.compile(r"(订阅|关注|粉丝)[^，,。；\d]{0,8}?" + NUM + r"\s*(人|个|户|名|次)?")

# (metric, clause pattern, clause must not contain)
RULES: tuple[tuple[str, re.Pattern, re.Pattern | None], ...] = (
    ("website.unique_visitors", re.compile(r"独立(?:用户|访客|IP|ip)?(?:访问)?(?:总)?(?:量|数|人数)[^，,。；\d]{0,6}?" + NUM + r"\s*(?:次|人|个)?"), None),
    ("website.visits", re.compile(r"(?:网站|门户|网页)[^，,。；\d]{0,12}?(?:总)?(?:访问量|访问总量|浏览量|访问人次|点击量|访问次数|总访问|访问数)[^，,。；\d]{0,6}?" + NUM + r"\s*(?:次|人次)?"),
     re.compile(r"独立")),
    ("website.posts", re.compile(r"(?:网站|门户)[^，,。；\d]{0,20}?(?:发布|公开|更新|发稿)[^，,。；\d]{0,15}?" + NUM + r"\s*(?:条|篇|则)"),
     re.compile(r"解读|发布会|微信|微博|公众号|头条|抖音|快手|视频号|累计")),
    ("interpretation.docs", re.compile(r"解读[^，,。；\d]{0,20}?" + NUM + r"\s*(?:份|篇|件|项|个|条|期)"), re.compile(r"率")),
    ("interpretation.docs", re.compile(r"对\s*" + NUM + r"\s*(?:项|份|件|篇|个)[^。；]{0,40}?(?:进行|开展|作|做)了?(?:政策)?解读"), None),
    ("press_conferences", re.compile(r"(?:新闻发布会|发布会)[^，,。；\d]{0,8}?" + NUM + r"\s*(?:场|次|期)"), None),
    ("press_conferences", re.compile(r"(?:召开|举办|组织|举行)[^，,。；\d]{0,8}?" + NUM + r"\s*(?:场|次|期)[^，,。；\d]{0,6}?(?:新闻)?发布会"), None),
    ("mailbox.letters", re.compile(r"信箱[^，,。；\d]{0,12}?" + NUM + r"\s*(?:件|封|条|个)"), re.compile(r"率")),
    ("consultation.online", re.compile(r"(?:网上咨询|在线咨询|网络咨询|网民咨询)[^，,。；\d]{0,8}?" + NUM + r"\s*(?:件|条|个|次|人次)"), re.compile(r"率")),
    ("proposals.handled", re.compile(r"(?:承办|办理|办结)[^，,。；\d]{0,6}?" + NUM + r"\s*件[^，,。；\d]{0,4}?人大(?:代表)?建议(?:和|及|与|、)政协(?:委员)?提案"), None),
    ("proposals.handled", re.compile(r"(?:承办|办理|办结)[^，,。；\d]{0,4}?人大(?:代表)?建议(?:和|及|与|、)政协(?:委员)?提案(?:共|合计|计)?\s*" + NUM + r"\s*件"), None),
    ("fees.collected_yuan", re.compile(r"(?:收取|收缴|收费)[^，,。；\d]{0,20}?(?:信息)?处理费[^，,。；\d]{0,6}?" + NUM + r"\s*(?P<unit>万元|元)"), None),
)


# Counts the narrative states that the tables also hold: checked against the tables, not facts.
STATEMENTS = (
    ("applications_received", re.compile(r"(?:收到|受理|接收)[^，,。；\d]{0,16}?(?:政府信息公开|依申请公开)?申请[^，,。；\d]{0,6}?" + NUM + r"\s*(?:件|个|份)")),
    ("applications_received", re.compile(r"(?:收到|受理|接收)[^，,。；\d]{0,6}?" + NUM + r"\s*件[^，,。；\d]{0,8}?(?:政府信息公开|依申请公开)?申请")),
    ("applications_received", re.compile(r"受理依申请公开[^，,。；\d]{0,4}?" + NUM + r"\s*件")),
    ("review_total", re.compile(r"行政复议(?:申请)?[^，,。；\d和及]{0,4}?" + NUM + r"\s*(?:起|件|宗|次)")),
    ("litigation_total", re.compile(r"行政诉讼[^，,。；\d和及]{0,4}?" + NUM + r"\s*(?:起|件|宗|次)")),
)


def sentence_hashes(doc) -> list[int]:
    """Stable 63-bit hashes of the report's sentences (for the copied-narrative check)."""
    import hashlib

    out = []
    for para in doc.paragraphs:
        for sentence in _SENTENCE.split(para.text):
            t = re.sub(r"\s+", "", sentence)
            if len(t) >= 12:
                out.append(int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "big") >> 1)
    return out


def _number(m: re.Match, clause: str) -> Decimal | None:
    before = clause[:m.start("n")]
    after_num = clause[m.end("n"):]
    if _APPROX_BEFORE.search(before) or _APPROX_AFTER.match(after_num) or re.match(r"^\s*(万|亿)?\s*(余|多)", after_num):
        return None
    v = Decimal(m.group("n").replace(",", "").replace("，", ""))
    mult = m.group("mult")
    if mult == "万" and not (m.groupdict().get("unit") or "").startswith("万"):
        v *= 10000
    elif mult == "亿":
        v *= 100000000
    return v


_WEBSITE = re.compile(r"网站|门户|网页")


_BREAKDOWN = re.compile(r"^\s*(其中|包括)")
_PART_OR_CHANGE = re.compile(r"^\s*(含|同比|较上年|较去年|比上年|比去年|环比)")
_ANY_PLACE = re.compile(r"视频号|微信|公众号|服务号|订阅号|微博|头条|抖音|快手|网站|门户|网页")


def _platform(clause: str) -> str | None | bool:
    """The single platform a clause names; False when it names several or the website."""
    if not _ANY_PLACE.search(clause):
        return None
    hits = [name for name, rx in PLATFORMS if rx.search(clause)]
    if _WEBSITE.search(clause) and not hits:
        return False
    if "wechat_channels" in hits and "wechat" in hits:
        hits.remove("wechat")
    if len(hits) > 1:
        return False
    return hits[0] if hits else None


def read_narrative(doc, report) -> None:
    from .parse import Fact, Issue

    found: dict[str, list[tuple[Decimal, str]]] = {}
    for para in doc.paragraphs:
        for sentence in _SENTENCE.split(para.text):
            if not _DIGIT.search(sentence):
                continue
            for kind, rx in STATEMENTS:
                for m in rx.finditer(sentence):
                    v = _number(m, sentence)
                    if v is not None and "累计" not in sentence[max(0, m.start() - 6):m.start()]:
                        report.statements.append({"kind": kind, "value": plain(v), "text": sentence.strip()[:300]})
    report.sentence_hashes = sentence_hashes(doc)

    def put(metric: str, value: Decimal, sentence: str):
        found.setdefault(metric, []).append((value, sentence))

    for para in doc.paragraphs:
        platform: str | None = None  # carried across the sentences of one paragraph
        for sentence in _SENTENCE.split(para.text):
            sentence = sentence.strip()
            if not _DIGIT.search(sentence) or len(sentence) < 4:
                continue
            breakdown = False
            for clause in _CLAUSE.split(sentence):
                p = _platform(clause)
                if p is False:
                    platform = None
                elif p:
                    platform = p
                if _BREAKDOWN.match(clause):
                    breakdown = True  # 其中…: what follows in the sentence breaks the figure before down
                if not _DIGIT.search(clause) or _PART_OR_CHANGE.match(clause):
                    continue  # 同比增长…: a change, not a count
                cumulative = "累计" in clause or "截至" in clause or "截止" in clause
                if platform and (p or not breakdown):  # 其中微信公众号发布…: a platform's own figure
                    for m in _POSTS.finditer(clause):
                        v = _number(m, clause)
                        if v is not None and not cumulative and "批次" not in clause[m.start():m.end() + 2]:
                            put(f"newmedia.{platform}.posts", v, sentence)
                    for m in _FOLLOWERS.finditer(clause):
                        v = _number(m, clause)
                        if v is not None and "新增" not in clause[:m.start() + 2]:
                            put(f"newmedia.{platform}.followers", v, sentence)
                for metric, rx, exclude in RULES:
                    if breakdown or (exclude is not None and exclude.search(clause)):
                        continue
                    for m in rx.finditer(clause):
                        v = _number(m, clause)
                        if v is None:
                            continue
                        if metric == "fees.collected_yuan" and m.group("unit") == "万元":
                            v *= 10000
                        put(metric, v, sentence)
    for metric, hits in found.items():
        values = {v for v, _ in hits}
        if len(values) > 1:
            report.issues.append(Issue("ambiguous_narrative", "warning",
                                       f"{metric}: the text states several values ({', '.join(str(plain(v)) for v in sorted(values))}); none is reported",
                                       " | ".join(s[:120] for _, s in hits[:4])))
            continue
        value, sentence = hits[0]
        report.facts.append(Fact(metric, None, plain(value), {"text": sentence}))
