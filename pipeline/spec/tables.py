"""The official tables of both formats, declared once: rows, columns, labels as printed.

表二 (ACTIVE_BLOCKS), 表三 (APP_HEAD, APP_RESULTS, APP_OTHER, APP_TAIL) and 表四 (REVIEW_BLOCKS,
REVIEW_HEAD). The renderer writes them, the flattened-table reader looks for their labels, the
identities and the dashboard's report page lay them out from here; the parser matches rows by the
catalog's patterns (catalog.py), which also know the label variants seen in real reports.
"""
from __future__ import annotations

ACTIVE_BLOCKS = {
    "2019": (
        ("第二十条第（一）项", ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
         (("规章", "active.regulations"), ("规范性文件", "active.normative_docs")), ("made", "published", "total_public")),
        ("第二十条第（五）项", ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
         (("行政许可", "active.licensing"), ("其他对外管理服务事项", "active.other_services")), ("items_prev", "items_change", "decisions")),
        ("第二十条第（六）项", ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
         (("行政处罚", "active.punishment"), ("行政强制", "active.coercion")), ("items_prev", "items_change", "decisions")),
        ("第二十条第（八）项", ("信息内容", "上一年项目数量", "本年增/减"),
         (("行政事业性收费", "active.fees"),), ("items_prev", "items_change")),
        ("第二十条第（九）项", ("信息内容", "采购项目数量", "采购总金额"),
         (("政府集中采购", "active.procurement"),), ("projects", "amount_wan_yuan")),
    ),
    "2021": (
        ("第二十条第（一）项", ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
         (("规章", "active.regulations"), ("行政规范性文件", "active.normative_docs")), ("made", "repealed", "in_force")),
        ("第二十条第（五）项", ("信息内容", "本年处理决定数量"), (("行政许可", "active.licensing"),), ("decisions",)),
        ("第二十条第（六）项", ("信息内容", "本年处理决定数量"),
         (("行政处罚", "active.punishment"), ("行政强制", "active.coercion")), ("decisions",)),
        ("第二十条第（八）项", ("信息内容", "本年收费金额（单位：万元）"), (("行政事业性收费", "active.fees"),), ("amount_wan_yuan",)),
    ),
}

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
APP_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEAD = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
REVIEW_HEAD = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def app_rows(template: str):
    """(group, label, metric) of table 三's result rows for a template."""
    return APP_RESULTS + APP_OTHER[template] + APP_TAIL


def outcome_metrics(template: str) -> list[str]:
    return [m for _, _, m in APP_RESULTS + APP_OTHER[template]]


# 表四: the three blocks in the official order, with the labels printed above each block
REVIEW_BLOCKS = ("review", "litigation.direct", "litigation.after_review")
REVIEW_BLOCK_LABELS = {"review": "行政复议", "litigation.direct": "行政诉讼 未经复议直接起诉",
                       "litigation.after_review": "行政诉讼 复议后起诉"}
