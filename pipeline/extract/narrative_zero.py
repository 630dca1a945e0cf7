"""Whole-year negations in prose that state a metric's 0: nothing received, handled, held or charged.

A negation states 0 for a metric when its words say, for the report's whole year and for the agency
itself, that none of the metric's things happened:

- forward: a negation (未, 没有, 未曾, 未有, 无, 暂无, 不存在; 均/都/也/并 before it), the metric's verb
  (收到 来信, 承办 建议提案, 收取 费用, 召开 发布会; optional after 无/没有/暂无, which negate the
  noun itself) and the metric's object, with nothing between them but words that do not narrow the
  object (过, 任何, 网民, 相关, a mailbox's name): 全年未收到局长信箱来信, 无人大代表建议和政协提案办理,
  没有向申请人收取任何费用;
- reversed: the object, then only time words or 均/都, then the negation ending the clause:
  信息处理费全年未收取, 人大代表建议和政协委员提案：无.

It states nothing when the object is narrowed to a part (投诉类来信, 专题新闻发布会, 其他信箱, only
人大代表建议 of the combined metric), when the period is part of the year or another year, when the
sentence is about other bodies (全市, 各部门) or another kind of charge (行政事业性收费, 行政许可), when
the negation is 尚未/暂未 (not yet: billed and pending) or 不 (a rule, not the year's account), and
when the phrase sits in a condition or a relative clause (如未收到, 对未…的申请).
"""
from __future__ import annotations

import re

_NEG = r"(?:暂无|不存在|(?<![尚暂如若不])(?:均|都|也|亦|并|从|一直)?(?:未曾|未有|未|没有|无))"
_NEG_NOUN = r"(?:暂无|(?<![尚暂如若不])(?:均|都|也|亦|并)?(?:没有|未有|无))"  # they take the noun itself: 暂无来信
_GAP = (r"(?:过|任何|一封|一件|一条|一份|一场|一次|一例|相关|有关|网民|群众|公众|市民|社会公众|人民群众|申请人"
        r"|向申请人|向[^，。；\d]{0,6}?申请人|的|[省市区县级各、]{1,4}|[“”\"「」]|[^，。；\d其他它余涉关对的“”]{0,6}?信箱)")


def _gap(n: int = 3) -> str:
    return f"(?:{_GAP}){{0,{n}}}"


# metric: (the verbs that negated state its 0, its object; 留言, 邮件, 信息 are letters only in a mailbox)
_PROPOSALS = (r"(?:[省市区县级各、]{0,6})(?:人大)?(?:代表)?建议[和及与、]?(?:以及)?(?:[省市区县级各、]{0,4})?(?:政协)?(?:委员)?提案"
              r"|建议[、和及与]?提案")
SUBJECTS = {
    "mailbox.letters": (r"收到|接到|接收|收悉|受理|收", r"来信|信件|(?P<inbox>留言|邮件|信息)"),
    "consultation.online": (r"收到|接到|接收|受理", r"(?:网上|在线|网络|网民)咨询"),
    "proposals.handled": (r"承办|办理|收到|接到|承接|涉及|交办|受理", _PROPOSALS),
    "fees.collected_yuan": (r"收取|收缴|计收|征收|产生|发生|收(?!到)",
                            r"(?:(?:政府)?信息公开|依申请公开)?(?:信息)?处理费用?|(?:检索|复制|邮寄|打印|[、和及等]){2,14}费用?|费用|费(?=$|[，。；、）)]|情况|情形|行为)"),
    "press_conferences": (r"召开|举办|举行|组织|开展", r"(?:新闻)?发布会"),
}
# the object ends the phrase: 未收到信息处理费缴费通知 is about the notice
_OBJECT_END = (r"(?=$|[，,。；;、）)]|的?(?:情况|情形|行为|现象|事项|任务|工作|业务)|办理|承办|收取|召开|举办|举行"
               r"|[和及与、](?:政策)?(?:吹风会|通气会))")
_END = r"(?:任务|工作|事项|情况|情形|业务)?(?=$|[，,。；;、）)])"
_TIME = r"(?:全年|本年度|本年|今年|年内|当年|\d{4}年度?|均|都|也|亦|[：:]\s*)*"

_ANY_NEG = re.compile(r"未|无|没有|不存在")
_PARTIAL = re.compile(r"上半年|下半年|季度|\d+\s*月|前三|截至\d")
# other bodies than the agency itself: the whole region, every unit, subordinate units (narrative_rules too)
REGION_WORDS = (r"全市|全区|全县|全省|全州|全旗|全盟|各部门|各单位|各级(?!人大|政协)|各地|各乡镇|各街道|各县|各区|所属|下属|系统内"
                r"|各(?:派出所|分局|支队|大队|中队|所|站|分中心|学校|医院|科室|社区|村)"
                r"|[局委厅办]属|直属单位|二级单位|下级")
_REGION = re.compile(REGION_WORDS)
_OTHERS = re.compile(r"参加|出席|参与|配合|协助|列席|筹备|准备|应邀|受邀")
_NARROWED = re.compile(r"其他|其它|其余|除|以外|之外|对于|针对|对[^，。；]{0,12}的|如果|如|若|凡|类|方面|关于|按期|超期|逾期|单独|专题|主题|例行")
_SOMEONE_ELSE = re.compile(r"申请人|群众|公众|网民|企业|市民")  # the subject is not the agency
_PETITION = re.compile(r"信访|来访")
_OTHER_CHARGES = re.compile(r"行政事业性|许可|审批|罚|政务服务|办事|证照|登记|检测|检验|考试|培训|停车|会费")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def _compile(metric: str) -> tuple[re.Pattern, re.Pattern]:
    verbs, obj = SUBJECTS[metric]
    forward = re.compile(
        rf"(?:(?P<neg>{_NEG})(?:发生|出现|存在|有|向[^，。；\d]{{0,8}}?)?(?:{verbs})|(?P<nneg>{_NEG_NOUN}))"
        rf"{_gap()}(?:{obj}){_OBJECT_END}")
    reverse = re.compile(rf"(?:{obj})(?:数量|件数|数|金额)?(?:{verbs})?(?:情况)?{_TIME}"
                         rf"(?P<neg>{_NEG})(?:{verbs})?(?:任何|过)?{_END}")
    return forward, reverse


_RULES = {m: _compile(m) for m in SUBJECTS}
_NOUN = {"mailbox.letters": ("来信", "信件", "信箱"), "consultation.online": ("咨询",), "proposals.handled": ("提案",),
         "fees.collected_yuan": ("费",), "press_conferences": ("发布会",)}  # a cheap test before the patterns


def zeros(sentence: str, year: int | None) -> list[str]:
    """The metrics a sentence states 0 for by a whole-year negation (each at most once)."""
    if not _ANY_NEG.search(sentence):
        return []
    if _PARTIAL.search(sentence):
        return []
    if year is not None and any(int(y) != year for y in _YEAR.findall(sentence)):
        return []
    out = []
    for metric, rules in _RULES.items():
        if not any(w in sentence for w in _NOUN[metric]):
            continue
        for rx in rules:
            m = _first(rx, sentence, metric)
            if m is not None:
                out.append(metric)
                break
    return out


def _first(rx: re.Pattern, sentence: str, metric: str) -> re.Match | None:
    for m in rx.finditer(sentence):
        clause_start = max(sentence.rfind(c, 0, m.start()) for c in "，,；;：:") + 1
        before = sentence[:m.start()]
        lead = sentence[clause_start:m.start()]
        if _REGION.search(before) or _OTHERS.search(lead) or _NARROWED.search(lead + m.group(0)) \
                or _SOMEONE_ELSE.search(lead):
            continue
        gd = m.groupdict()
        neg = "neg" if gd.get("neg") else "nneg"
        if gd[neg].endswith("无") and sentence[m.end(neg):m.end(neg) + 1] in tuple("论需法偿关"):
            continue
        if gd.get("inbox") and "信箱" not in sentence[:m.end()]:
            continue  # 留言 and 邮件 are letters only in a mailbox
        if metric == "mailbox.letters" and _PETITION.search(sentence):
            continue
        if metric == "fees.collected_yuan" and "处理费" not in m.group(0) and _OTHER_CHARGES.search(sentence):
            continue  # a charge of another service, not the information-processing fee
        return m
    return None
