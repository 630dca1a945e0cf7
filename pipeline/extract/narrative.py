"""Figures stated in the report's prose: website, new media per platform, interpretation, mailbox, ...

A sentence is cut into clauses (at ，：；and parentheses; an ASCII comma only where it is not a
thousands separator) and each clause into *items*: a number with its unit (人次, 条, 万元, ...),
the words before it since the previous item (its label) and the words after it. An item becomes a
figure only when its label says which metric it is, its unit fits the metric, and nothing in the
label or around the number makes it something else:

- not a value: a year or date, a percentage, a multiple, a rank (第12名), an average (日均, 月均),
  a target (力争, 突破), an approximation (约, 超过, 余, 以上), a range, a change (增加, 较上年,
  净增), a cumulative-since-launch figure (自…开通以来累计), the value at the start of the year or
  of another year (年初, 截至2022年底), a tariff (每件100元), a count of something else (培训2期,
  专栏4个), events of another body (参加市政府新闻发布会), figures of the whole region (全市42个网站);
- the place a website or new-media figure belongs to is the website or the platform the sentence
  (for new media: the paragraph) last named; 微信视频号 is WeChat Channels, not the official account;
- `…分别…` lists pair their subjects and values in order; when the counts differ, nothing is paired;
- a level reached (增至2.4万人, 2023年末达到3.8万人) takes the metric of the figure before it;
- competing values give none: two different values for one metric in the report, a breakdown
  (其中新闻发布会9场) that restates the metric with another value, a number with the same unit
  listed right after a figure without a label of its own (发布原创信息1,020条、转载信息460条) or in
  the parenthesis after it (（第三方统计平台数据为1,498,230次）). The report's issues say so.
- what is counted decides (narrative_kinds): a count of columns, accounts, platforms or mailboxes
  is no count of posts, followers or letters (3个栏目); a count after a list of kinds is a total, no
  kind's count (新闻发布会和政策吹风会共12场); a list of kinds each with its count gives each its own;
- a whole-year negation of receiving, handling, holding or charging states 0 (narrative_zero):
  全年未收到局长信箱来信, 无人大代表建议和政协提案办理, 未收取任何费用, 信息处理费收取金额为零.

Numbers (narrative_numbers): 1,205 / 1 205 / 12．5万 / 35.6万 / 1.2亿 / 三场 / 为零. The counts the
tables also hold (本年新收, 结转) are statements checked against the tables (narrative_statements).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pipeline.extract.narrative_numbers import APPROX_AFTER as _APPROX_AFTER, APPROX_BEFORE as _APPROX_BEFORE
from pipeline.extract.narrative_numbers import CLAUSE as _CLAUSE, DIGIT as _DIGIT, ITEM as _ITEM, SENTENCE as _SENTENCE
from pipeline.extract.narrative_numbers import prepare as _prepare, value as _value
from pipeline.extract.narrative_kinds import OTHER_EVENT, another_kind, counts_containers, in_a_column, several_kinds
from pipeline.extract.narrative_statements import read_statements
from pipeline.extract.narrative_zero import zeros
from pipeline.read.cells import plain
from pipeline.spec.model import Fact, Issue

# --- what an item is not ---------------------------------------------------------------------------
_NOT_AFTER = re.compile(r"^\s*(?:%|％|‰|个百分点|倍|成(?!员)|年|月|日|号|时|周|天|个工作日|个月|名$|位$|性|是|方面|级|类(?!信息)|批)")
_RANGE_AFTER = re.compile(r"^\s*[-~～—至到]\s*\d")
_RANGE_BEFORE = re.compile(r"\d\s*[-~～—至到]\s*$")
_RANK = re.compile(r"排名|排行|位列|位居|名列|名次|第\s*$")
_AVERAGE = re.compile(r"日均|月均|周均|年均|平均|每日|每天|每月|每周|每年|每条|每件|每页|单条|单篇|单日|最高|最多|最低|峰值|标准")
_TARGET = re.compile(r"力争|争取|目标|计划|预计|突破|力求|确保|拟")
_CHANGE = re.compile(r"增加|增长|减少|下降|降低|提升|提高|上升|净增|新增|多收|少收|同比|环比|较上年|较去年|比上年|比去年"
                     r"|较\d{4}年|比\d{4}年|与上年|与去年|增幅|降幅|翻番|翻了")
_LEVEL = re.compile(r"(?:增至|增长至|增长到|增加到|增加至|提升至|提升到|提高到|提高至|上升至|上升到|升至|达到|达)\s*$")
_SINCE = re.compile(r"以来|开通|上线|建站|创建|成立|开办|运营至今")
_YEAR_ROUND = re.compile(r"全年|本年|年度|今年|当年|\d{4}年")
_PRIOR = re.compile(r"年初|上年|去年|上一年|前一年|上年度")
_OTHERS = re.compile(r"参加|出席|参与|配合|协助|列席|筹备|准备|应邀|受邀")
_REGION = re.compile(r"全市|全区|全县|全省|全州|全旗|全盟|各部门|各单位|各级|各地|各乡镇|各街道|各县|各区|所属|下属|系统内|\d+个(?:政府)?网站")
_SOMETHING_ELSE = re.compile(r"培训|讲座|会议(?!室)|活动|专栏|栏目|专题|专区|频道|版块|板块|链接|阅读|播放|点赞|转发量|转发次数|评论|留言|浏览次数|互动")
_OTHER_COUNTS = re.compile(r"办结|答复|回复|转办|主办|协办|其中|包括|含|处理|按期|满意")
_DATE_OR_SHARE = re.compile(r"^\s*(?:年|月|日|号|时|周岁|%|％|‰|个百分点|个工作日|个月)")
_BROADER = re.compile(r"各类|各种|多种|各项|等")
_BREAKDOWN = re.compile(r"^\s*(?:其中|包括|含|内含)")
_YEAR_IN = re.compile(r"((?:19|20)\d{2})\s*年")
_TIME_LEAD = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年\s*(?:末|底|年末|年底)?|年末|年底|截至[^，]{0,12}?)\s*")

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
_LATIN = re.compile(r"[A-Za-z]")
_LISTED = re.compile(r"^\s*[、和及与]")
_LIST_SEP = re.compile(r"[、和及与]")
_LIST_END = re.compile(r"[、和及与]\s*$")
_SINCE_LAUNCH = re.compile(r"以来|至今")
_LEVEL_ONLY = re.compile(r"\s*(?:的)?\s*(?:增至|增长至|增长到|增加到|增加至|提升至|提升到|提高到|提高至|上升至|上升到|升至|达到|达|为)\s*")
WEBSITE = "website"
MIXED = "mixed"


@lru_cache(maxsize=8192)
def _places(text: str) -> str | None:
    """The one place a piece of text names (website or a platform), MIXED for several, None for none."""
    if not _PLACE.search(text):
        return None
    hits = [name for name, rx in PLATFORMS if rx.search(text)]
    if "wechat_channels" in hits and "wechat" in hits and not _WECHAT_ACCOUNT.search(text):
        hits.remove("wechat")  # 微信视频号 is Channels alone
    if _WEBSITE.search(text):
        hits.append(WEBSITE)
    if _GENERIC_MEDIA.search(text) and len(hits) <= 1:
        return MIXED if not hits else hits[0]
    if len(hits) != 1:
        return MIXED if hits else None
    return hits[0]


# --- metrics: the label words, the units that fit, the place they need -----------------------------
@dataclass(frozen=True)
class Rule:
    metric: str  # "newmedia.{p}.posts" is filled with the platform
    label: re.Pattern  # words of the label (before the number)
    units: frozenset
    place: str | None = None  # WEBSITE, "platform", or None (the label itself names the subject)
    not_label: re.Pattern | None = None
    after: re.Pattern | None = None  # words after the unit that name the metric (召开3场新闻发布会)
    flow: bool = True  # a count over the year (not a level such as followers)


_U_COUNT = frozenset({"条", "篇", "则"})
_NOT_HANDLED = re.compile(r"未|超期|逾期|延期|按期|率|满意")  # 按期办结…为零: what became of them, not the count
# a part of what was received, or what became of it (办结12件, 超期0件, 投诉类来信5件): not the count received
_NOT_RECEIVED = re.compile(r"率|办结|答复|回复|转办|超期|逾期|延期|满意|重复|投诉|举报|未|(?<!各)类")
RULES = (
    Rule("website.unique_visitors", re.compile(r"独立|访客|UV|IP(?:访问|数|量|地址)"), frozenset({"次", "人", "人次", "个", ""}), WEBSITE,
         not_label=re.compile(r"浏览量|点击")),
    Rule("website.visits", re.compile(r"访问|浏览|点击|PV"), frozenset({"次", "人次", ""}), WEBSITE,
         not_label=re.compile(r"独立|访客|UV|IP|用户")),
    Rule("website.posts", re.compile(r"发布|公开|更新|发稿|刊发|编发|上传|推送|信息量|信息总数|发布总数"), _U_COUNT, WEBSITE,
         not_label=re.compile(r"解读|发布会|新闻发布|访问|浏览")),
    Rule("newmedia.{p}.posts", re.compile(r"发布|发送|推送|推发|发稿|推文|发文|刊发|编发|更新|发帖|博文|作品|视频|信息量|原创|图文"),
         _U_COUNT | {"期", "个"}, "platform", not_label=re.compile(r"粉丝|关注|订阅|解读|发布会")),
    Rule("newmedia.{p}.followers", re.compile(r"粉丝|订阅|关注|用户数|用户量|关注者"), frozenset({"人", "个", "户", "名", "次", ""}),
         "platform", not_label=re.compile(r"活跃"), flow=False),
    Rule("interpretation.docs", re.compile(r"解读"), frozenset({"份", "篇", "件", "项", "个", "条", "期"}),
         not_label=re.compile(r"率|发布会|新闻发布|解读类")),  # 政策解读类信息2条: a category of information
    Rule("interpretation.docs", re.compile(r"对\s*$"), frozenset({"份", "篇", "件", "项", "个"}),
         after=re.compile(r"^[^，。；\d]{0,30}?(?:进行|开展|作|做)了?(?:政策)?(?:解读|图解|阐释)")),
    Rule("press_conferences", re.compile(r"发布会"), frozenset({"场", "次", "期"})),
    Rule("press_conferences", re.compile(r"(?:召开|举办|组织|举行)[^，]{0,4}$"), frozenset({"场", "次", "期"}),
         after=re.compile(r"^[^，。；\d]{0,8}?(?:新闻)?发布会")),
    Rule("mailbox.letters", re.compile(r"信箱|来信"), frozenset({"件", "封", "条", "个"}), not_label=_NOT_RECEIVED),
    Rule("consultation.online", re.compile(r"网上咨询|在线咨询|网络咨询|网民咨询|在线问答"), frozenset({"件", "条", "个", "次", "人次"}),
         not_label=_NOT_RECEIVED),
    Rule("proposals.handled", re.compile(r"建议[^，]*提案|提案[^，]*建议"), frozenset({"件"}), not_label=_NOT_HANDLED),
    Rule("proposals.handled", re.compile(r"(?:承办|办理|办结|答复)[^，]{0,4}$"), frozenset({"件"}),
         after=re.compile(r"^[^，。；\d]{0,8}?(?:人大)?(?:代表)?建议[^，。；\d]{0,3}(?:政协)?(?:委员)?提案")),
    Rule("fees.collected_yuan", re.compile(r"处理费"), frozenset({"元", "万元"}),
         not_label=re.compile(r"涉及|应收|通知|标准|按件|按量|每")),
)
_POSTS_NEED_VIDEO = re.compile(r"视频|作品")

# a sentence without any of these words states no figure of ours: not cut into items at all
_CUE = re.compile(r"访问|浏览|点击|独立|访客|UV|IP|PV|发布|公开|更新|发稿|刊发|编发|上传|推送|发送|推发|推文|发文|发帖|博文|作品|视频"
                  r"|信息量|信息总数|粉丝|订阅|关注|用户|解读|发布会|信箱|来信|信件|咨询|问答|建议|提案|费")
_ZERO_LABEL = re.compile(r"(?:数|数量|件数|总数|总量|金额|场次|次数|费|来信|信件|提案|发布会)(?:均|都|也)?(?:为|是)\s*$")


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
    for ci, (clause, paren, offset) in enumerate(_clauses(sentence)):
        if not paren:
            in_paren = False
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
                local = _places(part[:n_start])
                if local is not None:
                    place = local
                items.append(Item(_value(m), unit, left, sentence[:offset] + part[:n_start], after_words,
                                  not after_words.strip(), ci, prev_end > 0 and bool(_LISTED.match(left)),
                                  paren, breakdown, place, prev_end > 0))
                prev_end = m.end()
        cp = _places(clause)
        if cp is not None:
            place = cp  # the clause's place carries to the sentence's next clauses
    return items, place


def _respectively(clause: str) -> list[str]:
    """`A、B分别为6场、4场` as `A为6场` and `B为4场`; unpaired, every value with the whole subject."""
    pre, _, post = clause.partition("分别")
    values = list(_ITEM.finditer(post))
    if not values:
        return [clause]
    head = post[:values[0].start()]
    subjects = [s for s in _LIST_SEP.split(pre) if s.strip()]
    if len(subjects) == len(values) and len(subjects) > 1:
        # the verb before the first subject belongs to all: 召开新闻发布会、新闻通气会 -> 召开…
        return [s + head + v.group(0) for s, v in zip(subjects, values)]
    return [pre + head + v.group(0) for v in values]


def _after_last_place(before: str) -> str:
    places = list(_PLACE.finditer(before))
    return before[places[-1].end():] if places else before


def _classify(item: Item, year: int | None) -> None:
    left, after = item.left, item.after
    # 召开3场新闻发布会、2场政策吹风会: the words before 2场 name the 3, not the 2
    borrowed = item.follows and _LIST_END.search(left)
    for rule in RULES:
        if not rule.label.search(left) or (borrowed and rule.after is None):
            continue
        if rule.after is not None and not rule.after.search(after):
            continue
        if rule.not_label is not None and rule.not_label.search(left):
            continue
        if item.unit not in rule.units and not (item.value == 0 and item.unit == "" and item.clause_end
                                                and _ZERO_LABEL.search(left)):
            continue  # 0 needs no unit when the label names the count itself: 来信数量为零
        if item.unit == "" and not item.clause_end:
            continue  # a bare number inside a clause (12345热线) is not a figure
        metric = rule.metric
        if rule.place is not None and in_a_column(_after_last_place(item.before)):
            continue  # 网站新设“乡村振兴”专栏，发布信息320条: the column's figure, not the site's
        if rule.place == WEBSITE:
            if item.place != WEBSITE:
                continue
            if item.breakdown and not _WEBSITE.search(left):
                continue  # 其中… must name the website itself
        elif rule.place == "platform":
            if item.place in (None, WEBSITE, MIXED):
                continue
            if item.breakdown and _places(left) != item.place:
                continue
            if "posts" in metric and item.unit == "个" and not _POSTS_NEED_VIDEO.search(left):
                continue
            metric = metric.format(p=item.place)
        item.metric = metric
        item.excluded = _exclusion(item, rule.flow, year)
        if item.excluded is None and several_kinds(metric, left if rule.after is None else left + after):
            item.excluded = "a total over several kinds"  # 新闻发布会和政策吹风会共12场, 网上咨询和信箱来信共80件
        return


# words that make a number something other than the metric's value: (pattern, where it is looked
# for: the item's own label or the whole sentence before the number, why)
_WORD_EXCLUSIONS = (
    (_RANK, "label", "a rank"),
    (_AVERAGE, "label", "an average, a maximum or a tariff"),
    (_TARGET, "sentence", "a target"),
    (_OTHERS, "label", "another body's events"),
    (_REGION, "sentence", "the whole region's figure"),
    (_SOMETHING_ELSE, "label", "a count of something else"),
)

def _exclusion(item: Item, flow: bool, year: int | None) -> str | None:
    left, after, before = item.left, item.after, item.before
    if _NOT_AFTER.match(after) or _RANGE_AFTER.match(after) or _RANGE_BEFORE.search(left):
        return "not a count (percentage, date, rank or range)"
    if _APPROX_AFTER.match(after) or _APPROX_BEFORE.search(left):
        return "approximate"
    if _CHANGE.search(left) and not _LEVEL.search(left):
        return "a change"
    if counts_containers(item.unit, left, after):
        return "a count of channels, columns, accounts or mailboxes"
    for rx, where, reason in _WORD_EXCLUSIONS:
        if rx.search(left if where == "label" else before):
            return reason
    own_year = _YEAR_ROUND.search(left)  # 2023年度共发送784条: the year's own figure
    if flow and (_SINCE_LAUNCH.search(left) or (("累计" in left or _SINCE.search(left)) and not own_year)):
        return "cumulative since launch"
    if _PRIOR.search(left):
        return "the start of the year or the previous year"
    if year is not None:
        for y in _YEAR_IN.findall(left):
            if int(y) != year:
                return f"the figure of {y}"
    return None


def _carry(item: Item, prev: Item | None, year: int | None) -> None:
    """增至2.4万人 / 2023年末达到3.8万人: a level reached takes the metric of the figure before it."""
    if prev is None or prev.metric is None or item.metric is not None:
        return
    lead = _TIME_LEAD.sub("", item.left) if item.clause != prev.clause else item.left
    if not _LEVEL_ONLY.fullmatch(lead):
        return
    if item.unit != prev.unit and not (item.unit == "" or prev.unit == ""):
        return
    item.metric = prev.metric
    item.excluded = None
    if year is not None:
        for y in _YEAR_IN.findall(item.left):
            if int(y) != year:
                item.excluded = f"the figure of {y}"


def read_narrative(doc, report) -> None:
    """The prose's figures onto report.facts (competing ones onto report.issues); its statements."""
    year = report.year
    found: dict[str, list[tuple[Decimal, str]]] = {}
    tainted: dict[str, str] = {}
    read_statements(doc.paragraphs, report)
    for para in doc.paragraphs:
        platform: str | None = None  # a platform named carries to the paragraph's later sentences
        if not _CUE.search(para.text):
            continue  # no word of any figure of ours in the whole paragraph
        for sentence in _SENTENCE.split(_prepare(para.text)):
            sentence = sentence.strip()
            if len(sentence) < 4:
                continue
            for metric in zeros(sentence, year):
                if not _numbers_labelled(sentence, metric):
                    found.setdefault(metric, []).append((Decimal(0), sentence))
            if not _DIGIT.search(sentence) or not _CUE.search(sentence):
                p = _places(sentence)
                if p not in (None, WEBSITE):
                    platform = None if p == MIXED else p
                continue
            last_place = _read_sentence(sentence, platform, year, found, tainted)
            if last_place not in (None, WEBSITE):
                platform = None if last_place == MIXED else last_place
            elif last_place == WEBSITE:
                platform = None
    _publish(found, tainted, report)


def _read_sentence(sentence: str, platform: str | None, year: int | None, found: dict, tainted: dict) -> str | None:
    """The sentence's figures into found, rival values into tainted; returns the place it last named."""
    items, last_place = _items(sentence, platform)
    prev: Item | None = None
    totals: dict[str, Item] = {}
    for item in items:
        _classify(item, year)
        _carry(item, prev, year)
        if item.metric is None and prev is not None and prev.metric is not None and prev.excluded is None \
                and item.unit == prev.unit and item.unit and not item.breakdown \
                and not _OTHER_COUNTS.search(item.left) and not _exclusion(item, True, year) \
                and ((item.clause == prev.clause and item.listed) or (item.paren and item.clause == prev.clause + 1)) \
                and not another_kind(prev.metric, item.left + item.after):
            tainted.setdefault(prev.metric, sentence)  # an unlabelled value beside it: which is the metric?
        if item.metric is None and item.breakdown and item.unit in ("场", "次", "期") \
                and "press_conferences" in totals and OTHER_EVENT.search(item.left):
            tainted.setdefault("press_conferences", sentence)  # 发布会12场（含政策吹风会4场）: both kinds
        if item.metric is not None:
            total = totals.get(item.metric)
            if item.breakdown and total is not None:
                # 其中图文解读5篇 is a part of the 12 before it; but after 各类新闻发布会15场, 其中新闻发布会9场
                # says the 15 counted other kinds too: which is the figure?
                if _BROADER.search(total.left):
                    tainted.setdefault(item.metric, sentence)
                continue
            if item.excluded is None:
                found.setdefault(item.metric, []).append((item.value, sentence))
            if not item.breakdown:
                totals[item.metric] = item
            prev = item
        elif not item.breakdown:
            prev = item if item.unit else prev
    return last_place


def _numbers_labelled(sentence: str, metric: str) -> bool:
    """信箱收到留言12条，未收到信件: beside the negation, a number labelled with the metric's words (even
    one that is no value of it): the 0 is not the whole story."""
    if not _DIGIT.search(sentence):
        return False
    labels = [r.label for r in RULES if r.metric == metric and r.after is None]
    return any(item.unit and any(rx.search(item.left) for rx in labels) for item in _items(sentence, None)[0])


def _publish(found: dict, tainted: dict, report) -> None:
    """One value per metric becomes a fact; a metric with rival values gives an issue instead."""
    for metric, hits in found.items():
        values = {v for v, _ in hits}
        if metric in tainted:
            report.issues.append(Issue("ambiguous_narrative", "warning",
                                       f"{metric}: the text states another value beside {plain(hits[0][0])} without saying which is the figure; none is reported",
                                       tainted[metric][:240]))
            continue
        if len(values) > 1:
            report.issues.append(Issue("ambiguous_narrative", "warning",
                                       f"{metric}: the text states several values ({', '.join(str(plain(v)) for v in sorted(values))}); none is reported",
                                       " | ".join(s[:120] for _, s in hits[:4])))
            continue
        value, sentence = hits[0]
        report.facts.append(Fact(metric, None, plain(value), {"text": sentence}))
