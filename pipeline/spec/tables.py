"""The official tables of both formats, declared once: rows, columns, labels as printed.

表二 (ACTIVE_BLOCKS), 表三 (APP_HEAD, APP_RESULTS, APP_OTHER, APP_TAIL, APP_CARRIED_OUT and the header
groups above APPLICANT_HEAD) and 表四 (REVIEW_BLOCKS, REVIEW_HEAD, the block groups), with the section
headings (HEADINGS). The renderer writes them, the PDF reader anchors its columns on them
(`column_words`), the one-cell-per-line reader joins their header words, the identities and the
dashboard's printed report page lay them out from here, and the catalog's printed labels
(`Metric.report_label`) and column names (`DIM_LABELS`) are read from here; the parser matches rows by
the catalog's patterns (catalog.py), which also know the label variants seen in real reports.
A label printed in two languages is a (zh, en) pair; nothing else spells one of them out
(tests/test_structure.py checks it).
"""
from __future__ import annotations

# the section headings above the three tables, (zh, en)
HEADINGS = {
    "active": ("二、主动公开政府信息情况", "2. Proactive disclosure"),
    "applications": ("三、收到和处理政府信息公开申请情况", "3. Applications received and handled"),
    "review_litigation": ("四、政府信息公开行政复议、行政诉讼情况", "4. Reconsideration and litigation"),
}

# 表二: the header of its label column; the amount column's unit as a 2019 report prints it
ACTIVE_LABEL_HEAD = "信息内容"
PROCUREMENT_AMOUNT = "采购总金额"
IN_WAN_YUAN = "（单位：万元）"
# a header word printed otherwise in some reports, which the PDF reader anchors columns on too
ACTIVE_HEAD_VARIANTS = ("本年增减",)

ACTIVE_BLOCKS = {
    "2019": (
        ("第二十条第（一）项", (ACTIVE_LABEL_HEAD, "本年新制作数量", "本年新公开数量", "对外公开总数量"),
         (("规章", "active.regulations"), ("规范性文件", "active.normative_docs")), ("made", "published", "total_public")),
        ("第二十条第（五）项", (ACTIVE_LABEL_HEAD, "上一年项目数量", "本年增/减", "处理决定数量"),
         (("行政许可", "active.licensing"), ("其他对外管理服务事项", "active.other_services")), ("items_prev", "items_change", "decisions")),
        ("第二十条第（六）项", (ACTIVE_LABEL_HEAD, "上一年项目数量", "本年增/减", "处理决定数量"),
         (("行政处罚", "active.punishment"), ("行政强制", "active.coercion")), ("items_prev", "items_change", "decisions")),
        ("第二十条第（八）项", (ACTIVE_LABEL_HEAD, "上一年项目数量", "本年增/减"),
         (("行政事业性收费", "active.fees"),), ("items_prev", "items_change")),
        ("第二十条第（九）项", (ACTIVE_LABEL_HEAD, "采购项目数量", "采购总金额"),
         (("政府集中采购", "active.procurement"),), ("projects", "amount_wan_yuan")),
    ),
    "2021": (
        ("第二十条第（一）项", (ACTIVE_LABEL_HEAD, "本年制发件数", "本年废止件数", "现行有效件数"),
         (("规章", "active.regulations"), ("行政规范性文件", "active.normative_docs")), ("made", "repealed", "in_force")),
        ("第二十条第（五）项", (ACTIVE_LABEL_HEAD, "本年处理决定数量"), (("行政许可", "active.licensing"),), ("decisions",)),
        ("第二十条第（六）项", (ACTIVE_LABEL_HEAD, "本年处理决定数量"),
         (("行政处罚", "active.punishment"), ("行政强制", "active.coercion")), ("decisions",)),
        ("第二十条第（八）项", (ACTIVE_LABEL_HEAD, "本年收费金额" + IN_WAN_YUAN), (("行政事业性收费", "active.fees"),), ("amount_wan_yuan",)),
    ),
}


def active_caption(caption: str, lang: str) -> str:
    """A 表二 block's caption (第二十条第（一）项: the article and item of the regulations that ask for it)
    in `lang`: in English "Art. 20 (1)"."""
    if lang == "zh":
        return caption
    import re

    m = re.fullmatch(r"第二十条第（([一二三四五六七八九十]+)）项", caption)
    return f"Art. 20 ({'一二三四五六七八九十'.index(m.group(1)) + 1})" if m and len(m.group(1)) == 1 else caption


# (group label or None, row label, metric)
APP_HEAD = (
    (None, "一、本年新收政府信息公开申请数量", "app.received_new"),
    (None, "二、上年结转政府信息公开申请数量", "app.carried_in"),
)
APP_RESULTS = (
    (None, "（一）予以公开", "app.granted"),
    (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "app.partial"),
    ("（三）不予公开", "1.属于国家秘密", "app.denied.state_secret"),
    ("（三）不予公开", "2.其他法律行政法规禁止公开", "app.denied.prohibited_by_law"),
    ("（三）不予公开", "3.危及“三安全一稳定”", "app.denied.security_stability"),
    ("（三）不予公开", "4.保护第三方合法权益", "app.denied.third_party"),
    ("（三）不予公开", "5.属于三类内部事务信息", "app.denied.internal_affairs"),
    ("（三）不予公开", "6.属于四类过程性信息", "app.denied.process_info"),
    ("（三）不予公开", "7.属于行政执法案卷", "app.denied.enforcement_file"),
    ("（三）不予公开", "8.属于行政查询事项", "app.denied.query_matter"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", "app.unavailable.not_held"),
    ("（四）无法提供", "2.没有现成信息需要另行制作", "app.unavailable.needs_creation"),
    ("（四）无法提供", "3.补正后申请内容仍不明确", "app.unavailable.unclear"),
    ("（五）不予处理", "1.信访举报投诉类申请", "app.not_processed.complaint"),
    ("（五）不予处理", "2.重复申请", "app.not_processed.duplicate"),
    ("（五）不予处理", "3.要求提供公开出版物", "app.not_processed.publication"),
    ("（五）不予处理", "4.无正当理由大量反复申请", "app.not_processed.excessive"),
    ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "app.not_processed.reconfirm"),
)
APP_OTHER = {
    "2019": ((None, "（六）其他处理", "app.other"),),
    "2021": (
        ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "app.other.overdue_correction"),
        ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "app.other.unpaid_fee"),
        ("（六）其他处理", "3.其他", "app.other.other"),
    ),
}
APP_TAIL = ((None, "（七）总计", "app.total"),)
APP_CARRIED_OUT = ("四、结转下年度继续办理", "app.carried_out")  # the row under the results
APP_NOTE = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "(in this column: 1 + 2 = 3 + 4)")
APP_OUTCOMES = ("三、本年度办理结果", "3. Outcomes")  # the label spanning the result rows
APP_GROUPS_EN = {"（三）不予公开": "(3) Refused", "（四）无法提供": "(4) Cannot be provided",
                 "（五）不予处理": "(5) Not processed", "（六）其他处理": "(6) Other handling"}
# the columns: 申请人情况 over 自然人, 法人或其他组织 (over the next five) and 总计
APPLICANTS = ("申请人情况", "Applicants")
LEGAL_PERSONS = ("法人或其他组织", "Legal persons and other organisations")
APPLICANT = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
APPLICANT_HEAD = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
REVIEW = ("upheld", "corrected", "other", "pending", "total")
REVIEW_HEAD = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def app_rows(template: str):
    """(group, label, metric) of table 三's result rows for a template."""
    return APP_RESULTS + APP_OTHER[template] + APP_TAIL


def outcome_metrics(template: str) -> list[str]:
    return [m for _, _, m in APP_RESULTS + APP_OTHER[template]]


# 表四: the three blocks in the official order, with the labels printed above each block
REVIEW_BLOCKS = ("review", "litigation.direct", "litigation.after_review")
# the groups printed above the blocks, (zh, en): 行政复议 over the first, 行政诉讼 over the other two,
# each of which has its own label under 行政诉讼
REVIEW_GROUP = ("行政复议", "Administrative reconsideration")
LITIGATION_GROUP = ("行政诉讼", "Administrative litigation")
LITIGATION_BLOCKS = {"litigation.direct": ("未经复议直接起诉", "Filed directly"),
                     "litigation.after_review": ("复议后起诉", "Filed after reconsideration")}
REVIEW_BLOCK_LABELS = {"review": REVIEW_GROUP[0],
                       **{b: f"{LITIGATION_GROUP[0]} {zh}" for b, (zh, _) in LITIGATION_BLOCKS.items()}}


def column_words() -> frozenset[str]:
    """Every column header word of the three tables as printed (a unit in brackets left off), and the
    variants of ACTIVE_HEAD_VARIANTS: what a PDF page without ruling lines anchors its columns on."""
    active = {h.split("（")[0] for blocks in ACTIVE_BLOCKS.values() for _, header, _, _ in blocks for h in header[1:]}
    return frozenset(active | set(APPLICANT_HEAD) | set(REVIEW_HEAD) | set(ACTIVE_HEAD_VARIANTS))


def header_words() -> frozenset[str]:
    """Every header word the three tables print above or beside their numbers, groups included."""
    return column_words() | {ACTIVE_LABEL_HEAD, APPLICANTS[0], LEGAL_PERSONS[0], REVIEW_GROUP[0], LITIGATION_GROUP[0],
                             *(zh for zh, _ in LITIGATION_BLOCKS.values())}


def printed_row_labels() -> dict[str, str]:
    """metric -> its row label as the tables print it (a result row under a group: the group, then the
    row; a 表二 row printed otherwise in the 2021 format: both, ' / ' between; a 表四 block: its group)."""
    out: dict[str, list[str]] = {}
    for blocks in (ACTIVE_BLOCKS["2019"], ACTIVE_BLOCKS["2021"]):
        for _, _, rows, _ in blocks:
            for label, metric in rows:
                if label not in out.setdefault(metric, []):
                    out[metric].append(label)
    for group, label, metric in APP_HEAD + APP_RESULTS + APP_OTHER["2019"] + APP_OTHER["2021"] + APP_TAIL:
        out[metric] = [label if group is None else f"{group} {label}"]
    out[APP_CARRIED_OUT[1]] = [APP_CARRIED_OUT[0]]
    for block, label in REVIEW_BLOCK_LABELS.items():
        out[block] = [label]
    return {m: " / ".join(labels) for m, labels in out.items()}


def every_label() -> frozenset[str]:
    """Every label the tables print (zh), whole: headings, header words, row and group labels, the note."""
    rows = {label for blocks in ACTIVE_BLOCKS.values() for _, _, rows, _ in blocks for label, _ in rows}
    rows |= {label for _, label, _ in APP_HEAD + APP_RESULTS + APP_OTHER["2019"] + APP_OTHER["2021"] + APP_TAIL}
    groups = {g for g, _, _ in APP_RESULTS + APP_OTHER["2021"] if g}
    captions = {caption for blocks in ACTIVE_BLOCKS.values() for caption, _, _, _ in blocks}
    heads = {h for blocks in ACTIVE_BLOCKS.values() for _, header, _, _ in blocks for h in header}
    return frozenset(rows | groups | captions | heads | header_words() | {zh for zh, _ in HEADINGS.values()}
                     | {APP_CARRIED_OUT[0], APP_NOTE[0], APP_OUTCOMES[0]})
