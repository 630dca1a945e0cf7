"""Which metric an item of the prose is (`RULES`: the label's words, the units that fit), and what makes a
number no figure: a date, a share, a rank, an average, a target, a range, a change, a figure since launch or
of another year, another body's events, the whole region's; a level reached carried to the figure before."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.extract.narrative_items import (
    _WEBSITE,
    MIXED,
    WEBSITE,
    Item,
    _after_last_place,
    _places,
)
from pipeline.extract.narrative_kinds import (
    OWN_COLUMN,
    counts_containers,
    in_a_column,
    several_kinds,
)
from pipeline.extract.narrative_numbers import APPROX_AFTER as _APPROX_AFTER
from pipeline.extract.narrative_numbers import APPROX_BEFORE as _APPROX_BEFORE
from pipeline.extract.narrative_zero import REGION_WORDS

# --- what an item is not ---------------------------------------------------------------------------
_NOT_AFTER = re.compile(r"^\s*(?:%|％|‰|个百分点|倍|成(?!员)|年|月|日|号|时|周|天|个工作日|个月|工作日|小时|分钟|自然日|名$|位$|性|是|方面|级|类(?!信息)|批)")


_RANGE_AFTER = re.compile(r"^\s*[-~～—至到]\s*\d")


_RANGE_BEFORE = re.compile(r"\d\s*[-~～—至到]\s*$")


_RANK = re.compile(r"排名|排行|位列|位居|名列|名次|第\s*$")


_AVERAGE = re.compile(r"日均|日访问量|日浏览量|日点击量|月均|周均|季均|年均|平均|每日|每天|每月|每周|每季度?|每半年|每年|每条|每件|每页|单条|单篇|单日|最高|最多|最低|峰值|标准")


_TARGET = re.compile(r"力争|争取|目标|计划|预计|突破|力求|确保|拟")


_CHANGE = re.compile(r"增加|增长|减少|下降|降低|提升|提高|上升|净增|新增|多收|少收|同比|环比|较上年|较去年|比上年|比去年"
                     r"|较\d{4}年|比\d{4}年|与上年|与去年|增幅|降幅|翻番|翻了")


_LEVEL = re.compile(r"(?:增至|增长至|增长到|增加到|增加至|提升至|提升到|提高到|提高至|上升至|上升到|升至|达到|达)\s*$")


_SINCE = re.compile(r"以来|开通|上线|建站|创建|成立|开办|运营至今")


_YEAR_ROUND = re.compile(r"全年|本年|年度|今年|当年|\d{4}年")


_PRIOR = re.compile(r"年初|上年|去年|上一年|前一年|上年度")


_OTHERS = re.compile(r"参加|出席|参与|配合|协助|列席|筹备|准备|应邀|受邀")


_REGION = re.compile(REGION_WORDS + r"|\d+个(?:政府)?网站|\d+家[^，。；]{0,8}单位")


# a part of the year: 上半年, 一季度, 12月份, 12月单月, 1-6月, 截至11月底 (a count over the year needs the whole year)
_PARTIAL = re.compile(r"(?<!\d)(?P<start>\d{1,2})\s*月?\s*[-~～—–至到]\s*(?P<end>\d{1,2})\s*月"
                      r"|截至\s*(?:\d{4}\s*年\s*)?(?P<until>\d{1,2})\s*月"
                      r"|上半年|下半年|[一二三四1-4第]\s*季度|前三季度|单月|当月|(?P<month>\d{1,2})\s*月(?![底末\d])")


def before_year_end(before: str) -> bool:
    """A level as it stood before the year's end: 截至2023年6月底 (截至12月底 is the year's end)."""
    return any(m.group("until") is not None and int(m.group("until")) != 12 for m in _PARTIAL.finditer(before))


def partial_year(before: str) -> bool:
    """The words before a number limit it to a part of the year (1-12月 and 截至12月 are the whole)."""
    for m in _PARTIAL.finditer(before):
        start, end, until = m.group("start", "end", "until")
        if m.group("month") is not None and before[:m.start()].rstrip()[-1:] in ("年", *"0123456789"):
            continue  # a date's month (2022 年 7月开通, spaces or not): no period of the count
        if start is not None and (int(start), int(end)) == (1, 12):
            continue
        if until is not None and int(until) == 12:
            continue
        return True
    return False


# someone else's use of the agency's items (被人民网转载56篇, 被“学习强国”采用120篇): not what it published
_USED_BY_OTHERS = re.compile(r"被[^，。；]{0,24}?(?:转载|转发|采用|刊用|刊发|引用|录用|选用)|(?:获|经)[^，。；]{0,12}?(?:采用|转载|刊用)")
# 转发上级部门政策解读文章56篇: another body's items the agency passed on, not its own
_REPOSTED = re.compile(r"转(?:发|载)了?(?:上级|省|市|区|县|国家|国务院|中央)")


_SOMETHING_ELSE = re.compile(r"首页|培训|讲座|会议(?!室)|活动|专栏|栏目|专题|专区|频道|版块|板块|链接|阅读|播放|点赞|转发量|转发次数|评论|留言|浏览次数|互动(?!(?:交流)?平台)")


_EACH = re.compile(r"各\s*(?:为|有|是|计|达)?\s*$")  # 人大建议和政协提案各15件: each, not the total


_YEAR_IN = re.compile(r"((?:19|20)\d{2})\s*年")


_TIME_LEAD = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年\s*(?:末|底|年末|年底)?|年末|年底|截至[^，]{0,12}?)\s*")


_LIST_END = re.compile(r"[、和及与]\s*$")


_SINCE_LAUNCH = re.compile(r"以来|至今")


_LEVEL_ONLY = re.compile(r"\s*(?:的)?\s*(?:增至|增长至|增长到|增加到|增加至|提升至|提升到|提高到|提高至|上升至|上升到|升至|达到|达|为)"
                         r"\s*(?:本年度?|今年|年末|年底)?\s*(?:的)?\s*")  # 增长到本年的78.5万次


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
    not_before: re.Pattern | None = None  # words anywhere before the number that make it another count


_U_COUNT = frozenset({"条", "篇", "则"})


_NOT_HANDLED = re.compile(r"未|超期|逾期|延期|按期|率|满意")  # 按期办结…为零: what became of them, not the count


# a part of what was received, or what became of it (办结12件, 超期0件, 投诉类来信5件): not the count received
_NOT_RECEIVED = re.compile(r"率|办结|答复|回复|转办|超期|逾期|延期|满意|重复|投诉|举报|未|(?<!各)类")


RULES = (
    Rule("website.unique_visitors", re.compile(r"独立|访客|UV|IP(?:访问|数|量|地址)"), frozenset({"次", "人", "人次", "个", ""}), WEBSITE,
         not_label=re.compile(r"浏览量|点击")),
    Rule("website.visits", re.compile(r"访问|浏览|点击|PV"), frozenset({"次", "人次", ""}), WEBSITE,
         not_label=re.compile(r"独立|访客|UV|IP|用户")),
    Rule("website.posts", re.compile(r"发布|公开|更新|发稿|刊发|编发|上传|推送|信息量|信息总数|发布总数|新增(?:各类|政务|政府)*信息"), _U_COUNT, WEBSITE,
         not_label=re.compile(r"解读|发布会|新闻发布|访问|浏览")),
    Rule("newmedia.{p}.posts", re.compile(r"发布|发送|推送|推发|发稿|推文|发文|刊发|编发|更新|发帖|发博|博文|作品|视频|信息量|原创|图文"),
         _U_COUNT | {"期", "个"}, "platform", not_label=re.compile(r"粉丝|关注|订阅|解读|发布会")),
    Rule("newmedia.{p}.followers", re.compile(r"粉丝|订阅|关注|用户数|用户量|关注者|(?:现有|累计)用户"), frozenset({"人", "个", "户", "名", "次", ""}),
         "platform", not_label=re.compile(r"活跃"), flow=False),
    Rule("interpretation.docs", re.compile(r"解读"), frozenset({"份", "篇", "件", "项", "个", "条", "期"}),
         not_label=re.compile(r"率|发布会|新闻发布|解读类")),  # 政策解读类信息2条: a category of information
    Rule("interpretation.docs", re.compile(r"(?<![针面])对[^，。；、\d对]{0,10}$"), frozenset({"份", "篇", "件", "项", "个"}),
         after=re.compile(r"^[^，。；\d]{0,30}?(?:进行|开展|作|做)了?(?:政策)?(?:解读|图解|阐释)")),
    # 新闻发布会解读8次: interpretations given at conferences, no count of conferences
    Rule("press_conferences", re.compile(r"发布会"), frozenset({"场", "次", "期"}), not_label=re.compile(r"发布会[^，。；\d]{0,8}解读")),
    Rule("press_conferences", re.compile(r"(?:召开|举办|组织|举行)[^，]{0,4}$"), frozenset({"场", "次", "期"}),
         after=re.compile(r"^[^，。；\d]{0,8}?(?:新闻)?发布会")),
    # 信访来信 are petitions, not the mailbox's letters; 来信来电 counts the calls with them
    Rule("mailbox.letters", re.compile(r"信箱|来信"), frozenset({"件", "封", "条", "个"}),
         not_label=re.compile(_NOT_RECEIVED.pattern + r"|来电|电话|热线"), not_before=re.compile(r"信访|来访")),
    Rule("consultation.online", re.compile(r"网上咨询|在线咨询|网络咨询|网民咨询|在线问答"), frozenset({"件", "条", "个", "次", "人次"}),
         not_label=re.compile(_NOT_RECEIVED.pattern + r"|访问|浏览|点击|阅读")),  # 在线咨询栏目访问量: its visits
    Rule("proposals.handled", re.compile(r"建议[^，]*提案|提案[^，]*建议"), frozenset({"件"}), not_label=_NOT_HANDLED),
    Rule("proposals.handled", re.compile(r"(?:承办|办理|办结|答复)[^，]{0,4}$"), frozenset({"件"}),
         after=re.compile(r"^[^，。；\d]{0,8}?(?:人大)?(?:代表)?建议[^，。；\d]{0,3}(?:政协)?(?:委员)?提案")),
    Rule("fees.collected_yuan", re.compile(r"处理费"), frozenset({"元", "万元"}),
         not_label=re.compile(r"涉及|应收|通知|标准|按件|按量|每|减免|免收|免除|免予|退还|退回|退费")),
)


_POSTS_NEED_VIDEO = re.compile(r"视频|作品")


_FROM_TO = re.compile(r"\s*(?:增长|增加|提升|提高|上升|下降|减少|增|降)?\s*(?:至|到)\s*$")  # 由9.8万增长至…
_FROM = re.compile(r"由[^，。；\d]{0,8}$")
_ZERO_LABEL = re.compile(r"(?:数|数量|件数|总数|总量|金额|场次|次数|费|来信|信件|提案|发布会)(?:均|都|也)?(?:为|是)\s*$")


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
        if rule.not_before is not None and rule.not_before.search(item.before):
            continue
        if item.unit not in rule.units and not (item.value == 0 and item.unit == "" and item.clause_end
                                                and _ZERO_LABEL.search(left)):
            continue  # 0 needs no unit when the label names the count itself: 来信数量为零
        if item.unit == "" and not item.clause_end and not (_FROM_TO.match(after) and _FROM.search(left)):
            continue  # a bare number inside a clause (12345热线) is not a figure; 由9.8万增长至15.6万 is one
        metric = rule.metric
        if rule.place is not None and in_a_column(_after_last_place(item.before), left):
            continue  # 网站新设“乡村振兴”专栏，发布信息320条: the column's figure, not the site's
        if rule.place == WEBSITE:
            if item.place != WEBSITE:
                continue
            if item.breakdown and not _WEBSITE.search(left) and metric != "website.unique_visitors":
                # 其中… must name the website itself (其中首页12万次 is a part of the visits); unique visitors
                # are no part of a figure before them (总访问量…，其中独立用户访问量…)
                continue
        elif rule.place == "platform":
            if item.place in (None, WEBSITE, MIXED):
                continue
            if item.breakdown and _places(left) != item.place and not _named_in_the_part(item):
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
    (_USED_BY_OTHERS, "label", "items another outlet took up"),
    (_REPOSTED, "label", "another body's items reposted"),
    (_EACH, "label", "a figure for each of several"),
)


def _exclusion(item: Item, flow: bool, year: int | None) -> str | None:
    left, after, before = item.left, item.after, item.before
    if _NOT_AFTER.match(after) or _RANGE_AFTER.match(after) or _RANGE_BEFORE.search(left):
        return "not a count (percentage, date, rank or range)"
    if _APPROX_AFTER.match(after) or _APPROX_BEFORE.search(left):
        return "approximate"
    if _CHANGE.search(left) and not _LEVEL.search(left) and not _new_items(item):
        return "a change"
    if counts_containers(item.unit, left, after):
        return "a count of channels, columns, accounts or mailboxes"
    label = OWN_COLUMN.sub("", left)  # 门户网站本局栏目全年总访问量: the agency's own column is its site
    label = _MAILBOX_COLUMN.sub(r"\1", label)  # “局长信箱”栏目共收到来信: the mailbox itself, no column of a site
    for rx, where, reason in _WORD_EXCLUSIONS:
        if rx.search(label if where == "label" else before) and not (rx is _REGION and _OWN_PART.search(left)):
            return reason
    if flow and partial_year(before):
        return "a part of the year"
    if not flow and before_year_end(before):
        return "the level before the year's end"
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


_MAILBOX_COLUMN = re.compile(r"(信箱|在线咨询|网上咨询)[”\"」』]?\s*(?:栏目|专栏|版块|板块)")
# 全市政务新媒体共发布信息18.6万条，其中我局微信公众号发布1,240条: the agency's own part of a region's figure
_OWN_PART = re.compile(r"^\s*其中[，,]?\s*(?:我|本)(?:局|委|办|厅|署|院|中心|单位|部门)")
# 全年共发布信息6,531条，其中门户网站3,210条、微信公众号2,106条: what a total that names no place counts
_POSTED = re.compile(r"(?:发布|推送|更新|刊发|上传)(?:各类|政务|政府)?(?:信息|稿件|文章)\s*(?:共计|共|总计|合计)?\s*$")
_PLACE_ONLY = re.compile(r"^\s*(?:其中|[、，,])?\s*[^\d，。；、]{1,12}$")


def classify_part(item: Item, head: Item | None, year: int | None) -> None:
    """A part that names only its place (其中门户网站3,210条、微信公众号2,106条) counts what the total before it
    counts, when that total names no place and says it counts items published (全年共发布信息6,531条)."""
    if item.metric is not None or not item.breakdown or head is None or head.metric is not None or head.place \
            or item.place in (None, MIXED) or item.unit != head.unit or not _PLACE_ONLY.match(item.left) \
            or _places(item.left) != item.place:
        return
    posted = _POSTED.search(head.left)
    if posted is None:
        return
    trial = replace(item, left=item.left + posted.group(0))
    _classify(trial, year)
    if trial.metric is not None and trial.metric.endswith(".posts"):
        item.metric, item.excluded = trial.metric, trial.excluded


# 网站全年新增信息2,931条: the items the year added, that is published (no change of a level); 较上年新增 is one
_NEW_ITEMS = re.compile(r"新增(?:发布|公开|更新|上传|推送|各类|政务|政府)*信息")


def _new_items(item: Item) -> bool:
    return item.metric is not None and item.metric.endswith(".posts") and _NEW_ITEMS.search(item.left) is not None \
        and not _CHANGE.search(_NEW_ITEMS.sub("", item.left))


_TOTAL_LEFT = re.compile(r"\s*[、，,]?\s*(?:合计|共计|总计|总共|一共|共)\s*(?:为|达到|达)?\s*")


def parts_in_parentheses(items: list[Item]) -> None:
    """共承办建议提案47件（人大代表建议29件、政协委员提案18件）: numbers in the parenthesis right after a
    figure that sum to it exactly are its parts, not rival values of it."""
    for k, head in enumerate(items):
        inside = [i for i in items[k + 1:] if i.paren and i.clause == head.clause + 1]
        if head.paren or len(inside) < 2 or any(i.unit != head.unit for i in inside) \
                or (k + 1 < len(items) and items[k + 1] is not inside[0]):
            continue
        if sum(i.value for i in inside) == head.value:
            for i in inside:
                i.sums_to_before = True


def totals_after_parts(items: list[Item], year: int | None) -> None:
    """门户网站全年发布工作动态1,120条、通知公告486条、政策文件154条，合计1,760条: a total after the list of
    its parts, which it sums exactly, is the figure their words name together (办理人大代表建议21件、政协委员
    提案17件，共38件: the combined metric); the parts are not the figure nor its rivals. A total that is not
    their sum proves nothing of them."""
    for k, total in enumerate(items):
        if total.paren or total.breakdown or not total.unit or not _TOTAL_LEFT.fullmatch(total.left):
            continue
        clause = total.clause if total.follows else total.clause - 1
        run = [i for i in items[:k] if i.clause == clause]
        if total.clause != clause and any(i.clause == total.clause for i in items[:k]):
            continue  # the total is not the first number of its clause
        if len(run) < 2 or run[0].listed or not all(i.listed for i in run[1:]) \
                or any(i.unit != total.unit or i.paren or i.breakdown for i in run) \
                or sum(i.value for i in run) != total.value:
            continue
        trial = replace(total, left="".join(i.left for i in run) + total.left, follows=False, listed=False)
        _classify(trial, year)
        if trial.metric is None or trial.excluded is not None:
            continue
        own = [replace(i) for i in run]
        for i in own:
            _classify(i, year)
        if all(i.metric in (None, trial.metric) for i in own):  # 信箱来信19件、网上咨询23件: each its own metric
            total.metric, total.total = trial.metric, True
            for i in run:
                i.part = True




def _named_in_the_part(item: Item) -> bool:
    """其中，微信公众号“某某应急”发布1,240条，粉丝3.4万人: a figure of a part (其中…) whose own words name no
    platform is that part's when the part, from 其中 on, names exactly its platform."""
    at = item.before.rfind("其中")
    return at >= 0 and _places(item.left) is None and _places(item.before[at:]) == item.place


def classify_led(item: Item, year: int | None) -> None:
    """A number whose own label names no metric, read with the numberless clause before it (its lead, see
    narrative_items._lead): words before a colon or a topic (访问量方面，门户网站全年达到128.6万次), or the
    words before a change without a count, for the level reached after it (网站访问量同比增长23.5%，达到
    68.2万次)."""
    if item.metric is not None or not item.lead or item.breakdown:
        return  # a part (其中…) names its own subject
    lead = item.lead
    if not item.lead_direct and _TOTAL_LEFT.fullmatch(item.left):
        pass  # 全年在门户网站上发布的各类政务信息，总计达到3,612条: the clause before names the total
    elif not item.lead_direct:
        change = _CHANGE.search(lead)
        if change is None or not _LEVEL_ONLY.fullmatch(_TIME_LEAD.sub("", item.left)):
            return
        lead = lead[:change.start()]
    trial = replace(item, left=lead + item.left)
    _classify(trial, year)
    if trial.metric is not None:
        item.metric, item.excluded = trial.metric, trial.excluded


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
