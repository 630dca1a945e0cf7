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
  专栏4个), events of another body (参加市政府新闻发布会), figures whose clause opens with another body (市政府新闻办
  全年召开…, in a bureau's report), figures of the whole region (全市42个网站);
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
A sentence is cut into items in narrative_items; which metric an item is, and what makes it none, is
narrative_rules; here the prose is read sentence by sentence and its figures published.
"""
from __future__ import annotations

import re
from decimal import Decimal

from pipeline.extract.narrative_numbers import DIGIT as _DIGIT, SENTENCE as _SENTENCE
from pipeline.extract.narrative_numbers import prepare as _prepare
from pipeline.extract.narrative_kinds import OTHER_EVENT, another_kind
from pipeline.extract.narrative_statements import read_statements
from pipeline.extract.narrative_zero import zeros
from pipeline.read.cells import plain
from pipeline.spec.model import Fact, Issue
from pipeline.extract.narrative_items import (  # noqa: F401  (re-exported: callers use narrative.<name>)
    _DATE_OR_SHARE, _BREAKDOWN, PLATFORMS, _WEBSITE, _PLACE, _WECHAT_ACCOUNT, _GENERIC_MEDIA, _LATIN, _LISTED,
    _LIST_SEP, WEBSITE, MIXED, _places, Item, _clauses, _items, _respectively, _after_last_place)
from pipeline.extract.narrative_rules import (  # noqa: F401  (re-exported: callers use narrative.<name>)
    _NOT_AFTER, _RANGE_AFTER, _RANGE_BEFORE, _RANK, _AVERAGE, _TARGET, _CHANGE, _LEVEL, _SINCE, _YEAR_ROUND,
    _PRIOR, _OTHERS, _REGION, _SOMETHING_ELSE, _YEAR_IN, _TIME_LEAD, _LIST_END, _SINCE_LAUNCH, _LEVEL_ONLY,
    Rule, _U_COUNT, _NOT_HANDLED, _NOT_RECEIVED, RULES, _POSTS_NEED_VIDEO, _ZERO_LABEL, _classify,
    _WORD_EXCLUSIONS, _exclusion, _carry, classify_led, classify_part, parts_in_parentheses, totals_after_parts)
from pipeline.extract.narrative_scope import scope_exclusion

_JOINT = re.compile(r"联合(?:编制|编写|报告|发布)|联合报告单位|共同编制")
_EXAMPLE = re.compile(r"示例|样例|范例|例[：:]|例如|举例|填报说明|填表说明|填写说明")
_OTHER_COUNTS = re.compile(r"办结|答复|回复|转办|主办|协办|其中|包括|含|处理|按期|满意")
# the same count stated again another way in a later clause: 网站访问量为126万次（含爬虫访问），剔除后为98.4万次
_RESTATED = re.compile(r"[^，。；\d]{0,6}?(?:后|则|即|实际|合计|共计|总计)?\s*(?:为|是)\s*")
_BROADER = re.compile(r"各类|各种|多种|各项|等")
# a sentence without any of these words states no figure of ours: not cut into items at all
_CUE = re.compile(r"访问|浏览|点击|独立|访客|UV|IP|PV|发布|公开|更新|新增|发稿|刊发|编发|上传|推送|发送|推发|推文|发文|发帖|发博|博文|作品|视频"
                  r"|信息量|信息总数|粉丝|订阅|关注|用户|解读|发布会|信箱|来信|信件|咨询|问答|建议|提案|费")


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
            if len(sentence) < 4 or _EXAMPLE.search(sentence) or _JOINT.search(sentence):
                continue  # 网站总访问量 100000 次（示例）: a form's example; 联合编制: whose figure of the two?
            for metric in zeros(sentence, year):
                if not _numbers_labelled(sentence, metric):
                    found.setdefault(metric, []).append((Decimal(0), sentence))
            if not _DIGIT.search(sentence) or not _CUE.search(sentence):
                p = _places(sentence)
                if p not in (None, WEBSITE):
                    platform = None if p == MIXED else p
                continue
            last_place = _read_sentence(sentence, platform, (year, report.agency), found, tainted)
            if last_place not in (None, WEBSITE):
                platform = None if last_place == MIXED else last_place
            elif last_place == WEBSITE:
                platform = None
    _publish(found, tainted, report)


def _read_sentence(sentence: str, platform: str | None, report_of: tuple[int | None, str | None], found: dict,
                   tainted: dict) -> str | None:
    """The sentence's figures into found, rival values into tainted; returns the place it last named.
    report_of: the report's (year, agency)."""
    year, agency = report_of
    items, last_place = _items(sentence, platform)
    prev: Item | None = None
    totals: dict[str, Item] = {}
    totals_after_parts(items, year)
    parts_in_parentheses(items)
    last: Item | None = None  # the number right before, whatever it is
    head: Item | None = None  # the last number that is no part (其中…) of another
    for item in items:
        if item.part:
            continue  # a part of the total after it
        if not item.total:
            _classify(item, year)
            # a level takes the metric of the figure right before it, not of one before another number
            # (发布短视频624条，粉丝量由年初的9.8万增长至15.6万: 15.6万 is no count of videos)
            _carry(item, prev if last is prev else None, year)
            classify_led(item, year)
            classify_part(item, head, year)
        last = item
        head = item if not item.breakdown and item.unit else head
        if item.metric is None and prev is not None and prev.metric is not None and prev.excluded is None \
                and item.unit == prev.unit and item.unit and not item.breakdown and not item.sums_to_before \
                and not _OTHER_COUNTS.search(item.left) and not _exclusion(item, True, year) \
                and ((item.clause == prev.clause and item.listed) or (item.paren and item.clause == prev.clause + 1)
                     or (item.clause > prev.clause and _RESTATED.fullmatch(item.left))) \
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
                item.excluded = scope_exclusion(item, year, agency)
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
                                       tainted[metric][:240], {"metric": metric, "values": [plain(hits[0][0])], "rival": True}))
            continue
        if len(values) > 1:
            report.issues.append(Issue("ambiguous_narrative", "warning",
                                       f"{metric}: the text states several values ({', '.join(str(plain(v)) for v in sorted(values))}); none is reported",
                                       " | ".join(s[:120] for _, s in hits[:4]),
                                       {"metric": metric, "values": [plain(v) for v in sorted(values)], "rival": False}))
            continue
        value, sentence = hits[0]
        report.facts.append(Fact(metric, None, plain(value), {"text": sentence}))
