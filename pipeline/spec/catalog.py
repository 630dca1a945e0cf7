"""The metric catalog: every metric nianbao reads, declared once.

Each entry carries the canonical code of the spec (`metrics.csv`), its dimensions, unit, section,
the template versions it belongs to, Chinese and English labels, and how the report names it:
the row patterns the parser matches table rows with (``row_patterns``) or the sentence patterns
the narrative reader uses (in `pipeline.narrative`). The parser, the checks, the warehouse and the
dashboard all read this module; nothing else spells out a metric label.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from pipeline.spec.numbers import FULLWIDTH
from pipeline.spec.tables import APPLICANT, APPLICANT_HEAD, REVIEW, REVIEW_HEAD, printed_row_labels
from pipeline.spec.model import fact_key, split_key

# a column's name: 表三's and 表四's as the tables print them (tables.py), 表二's as the dashboard names them
DIM_LABELS: dict[str, tuple[str, str]] = {
    **dict(zip(APPLICANT, zip(APPLICANT_HEAD, ("Natural persons", "Commercial enterprises", "Research institutions",
                                               "Public-interest organisations", "Legal-service organisations",
                                               "Other organisations", "Total")))),
    **dict(zip(REVIEW, zip(REVIEW_HEAD, ("Upheld", "Corrected", "Other result", "Pending", "Total")))),
    "made": ("本年制发/新制作", "Issued this year"),
    "published": ("本年新公开", "Newly published"),
    "total_public": ("对外公开总数量", "Total public"),
    "repealed": ("本年废止", "Repealed this year"),
    "in_force": ("现行有效", "In force"),
    "items_prev": ("上一年项目数量", "Items last year"),
    "items_change": ("本年增/减", "Change in items"),
    "decisions": ("处理决定数量", "Decisions"),
    "amount_wan_yuan": ("金额（万元）", "Amount (10k yuan)"),
    "projects": ("采购项目数量", "Procurement projects"),
}

# Column headers of table 二 (主动公开), in the order a header row is scanned. Longer phrases come
# first so that 上一年项目数量 is not read as 采购项目数量.
ACTIVE_HEADER_DIMS: tuple[tuple[str, str], ...] = (
    ("上一年项目数量", "items_prev"),
    ("上年项目数量", "items_prev"),
    ("采购项目数量", "projects"),
    ("采购项目数", "projects"),
    ("本年新制作数量", "made"),
    ("新制作数量", "made"),
    ("本年新制作", "made"),
    ("本年制发件数", "made"),
    ("本年制发", "made"),
    ("制发件数", "made"),
    ("本年新公开数量", "published"),
    ("新公开数量", "published"),
    ("本年新公开", "published"),
    ("对外公开总数量", "total_public"),
    ("对外公开总数", "total_public"),
    ("公开总数量", "total_public"),
    ("本年废止件数", "repealed"),
    ("废止件数", "repealed"),
    ("本年废止", "repealed"),
    ("现行有效件数", "in_force"),
    ("现行有效", "in_force"),
    ("本年增/减", "items_change"),
    ("本年增减", "items_change"),
    ("增/减", "items_change"),
    ("增减", "items_change"),
    ("本年处理决定数量", "decisions"),
    ("处理决定数量", "decisions"),
    ("处理决定", "decisions"),
    ("本年收费金额", "amount_wan_yuan"),
    ("收费金额", "amount_wan_yuan"),
    ("采购总金额", "amount_wan_yuan"),
    ("总金额", "amount_wan_yuan"),
)

# Header words that only one template version prints (table 二), used to decide the version.
TEMPLATE_MARKERS: dict[str, tuple[str, ...]] = {
    "2021": ("本年制发件数", "制发件数", "本年废止件数", "废止件数", "现行有效件数", "本年收费金额", "收费金额"),
    "2019": ("本年新制作数量", "新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量", "采购总金额"),
}


@dataclass(frozen=True)
class Metric:
    code: str
    dims: tuple[str, ...]  # () for a scalar
    unit: str
    section: str  # active | applications | review_litigation | website | newmedia | engagement | fees
    templates: tuple[str, ...]  # "2019", "2021" or "any"
    zh: str
    en: str
    report_label: str
    # regexes matched against a normalised table-row label (see `normalise_label`); first hit wins
    row_patterns: tuple[str, ...] = field(default=())
    # for table 二: dims by template version (the same code has other dims in each version)
    dims_by_template: dict[str, tuple[str, ...]] | None = None
    unit_by_template: dict[str, str] | None = None

    def unit_for(self, template: str | None) -> str:
        if self.unit_by_template and template in self.unit_by_template:
            return self.unit_by_template[template]
        return self.unit

    @property
    def is_table(self) -> bool:
        return self.section in ("active", "applications", "review_litigation")

    def dims_for(self, template: str | None) -> tuple[str, ...]:
        if self.dims_by_template and template in self.dims_by_template:
            return self.dims_by_template[template]
        if self.dims_by_template:
            seen: list[str] = []
            for ds in self.dims_by_template.values():
                seen += [d for d in ds if d not in seen]
            return tuple(seen)
        return self.dims

    def keys(self, template: str | None = None) -> list[str]:
        """The `metric:dim` keys of this metric (as in the golden files and wide exports)."""
        dims = self.dims_for(template)
        return [fact_key(self.code, d) for d in dims] if dims else [self.code]


def _m(code, dims, unit, section, templates, zh, en, report_label, row_patterns=(), dims_by_template=None,
       unit_by_template=None):
    if report_label is None:  # a table's row: its label as tables.py declares it
        report_label = _PRINTED[code]
    if zh is None:  # named as the table prints it
        zh = _PRINTED[code]
    return Metric(code, tuple(dims), unit, section, tuple(templates), zh, en, report_label,
                  tuple(row_patterns), dims_by_template, unit_by_template)


_PRINTED = printed_row_labels()
_T19, _T21, _BOTH, _ANY = ("2019",), ("2021",), ("2019", "2021"), ("any",)
# the 2019 format is prescribed for the reports on 2019 and 2020 (a report's format is read from its tables,
# never from its year; this only tells a page where a 2019-format-only row is to be expected)
LAST_2019_FORMAT_YEAR = 2020
_ITEMS = ("items_prev", "items_change", "decisions")
_ITEM_UNITS = {"2019": "项/件", "2021": "件"}

METRICS: tuple[Metric, ...] = (
    # 表二 主动公开政府信息情况 ---------------------------------------------------------------
    _m("active.regulations", ("made", "published", "total_public", "repealed", "in_force"), "件", "active", _BOTH,
       None, "Regulations", None, (r"^规章$", r"^规章\(.*\)$"),
       {"2019": ("made", "published", "total_public"), "2021": ("made", "repealed", "in_force")}),
    _m("active.normative_docs", ("made", "published", "total_public", "repealed", "in_force"), "件", "active", _BOTH,
       "行政规范性文件", "Normative documents", None, (r"^(行政)?规范性文件",),
       {"2019": ("made", "published", "total_public"), "2021": ("made", "repealed", "in_force")}),
    _m("active.licensing", _ITEMS, "项/件", "active", _BOTH, None, "Administrative licensing", None,
       (r"^行政许可",), {"2019": _ITEMS, "2021": ("decisions",)}, _ITEM_UNITS),
    _m("active.other_services", _ITEMS, "项/件", "active", _T19, None,
       "Other external management services", None, (r"^其他对外管理服务",)),
    _m("active.punishment", _ITEMS, "项/件", "active", _BOTH, None, "Administrative penalties", None,
       (r"^行政处罚",), {"2019": _ITEMS, "2021": ("decisions",)}, _ITEM_UNITS),
    _m("active.coercion", _ITEMS, "项/件", "active", _BOTH, None, "Administrative coercion", None,
       (r"^行政强制",), {"2019": _ITEMS, "2021": ("decisions",)}, _ITEM_UNITS),
    _m("active.fees", ("items_prev", "items_change", "amount_wan_yuan"), "项/万元", "active", _BOTH,
       None, "Administrative fees", None, (r"^行政事业性收费",),
       {"2019": ("items_prev", "items_change"), "2021": ("amount_wan_yuan",)}, {"2019": "项", "2021": "万元"}),
    _m("active.procurement", ("projects", "amount_wan_yuan"), "项/万元", "active", _T19, None,
       "Centralised government procurement", None, (r"^(政府)?集中采购",)),
    # 表三 收到和处理政府信息公开申请情况 -----------------------------------------------------
    _m("app.received_new", APPLICANT, "件", "applications", _BOTH, "本年新收政府信息公开申请数量",
       "New applications received", None, (r"本年新收", r"新收.*申请")),
    _m("app.carried_in", APPLICANT, "件", "applications", _BOTH, "上年结转政府信息公开申请数量",
       "Applications carried over from last year", None, (r"上年结转", r"上年度结转")),
    _m("app.partial", APPLICANT, "件", "applications", _BOTH, "部分公开", "Partly granted",
       None, (r"部分公开",)),
    _m("app.denied.state_secret", APPLICANT, "件", "applications", _BOTH, "不予公开：属于国家秘密",
       "Refused: state secret", None, (r"国家秘密",)),
    _m("app.denied.prohibited_by_law", APPLICANT, "件", "applications", _BOTH, "不予公开：其他法律行政法规禁止公开",
       "Refused: prohibited by other laws", None,
       (r"禁止公开", r"法律行政法规", r"其他法律行政", r"法规禁止")),
    _m("app.denied.security_stability", APPLICANT, "件", "applications", _BOTH, "不予公开：危及“三安全一稳定”",
       "Refused: endangers security or stability", None,
       (r"三安全", r"一稳定", r"危及")),
    _m("app.denied.third_party", APPLICANT, "件", "applications", _BOTH, "不予公开：保护第三方合法权益",
       "Refused: third-party rights", None, (r"第三方",)),
    _m("app.denied.internal_affairs", APPLICANT, "件", "applications", _BOTH, "不予公开：属于三类内部事务信息",
       "Refused: internal affairs", None, (r"内部事务",)),
    _m("app.denied.process_info", APPLICANT, "件", "applications", _BOTH, "不予公开：属于四类过程性信息",
       "Refused: process information", None, (r"过程性",)),
    _m("app.denied.enforcement_file", APPLICANT, "件", "applications", _BOTH, "不予公开：属于行政执法案卷",
       "Refused: enforcement case file", None, (r"执法案卷",)),
    _m("app.denied.query_matter", APPLICANT, "件", "applications", _BOTH, "不予公开：属于行政查询事项",
       "Refused: administrative query matter", None, (r"查询事项",)),
    _m("app.unavailable.not_held", APPLICANT, "件", "applications", _BOTH, "无法提供：本机关不掌握相关政府信息",
       "Unavailable: not held", None, (r"不掌握",)),
    _m("app.unavailable.needs_creation", APPLICANT, "件", "applications", _BOTH, "无法提供：没有现成信息需要另行制作",
       "Unavailable: would need to be created", None,
       (r"另行制作", r"没有现成")),
    _m("app.unavailable.unclear", APPLICANT, "件", "applications", _BOTH, "无法提供：补正后申请内容仍不明确",
       "Unavailable: still unclear after correction", None,
       (r"仍不明确", r"补正后")),
    _m("app.not_processed.complaint", APPLICANT, "件", "applications", _BOTH, "不予处理：信访举报投诉类申请",
       "Not processed: petition or complaint", None, (r"信访", r"举报投诉")),
    _m("app.not_processed.duplicate", APPLICANT, "件", "applications", _BOTH, "不予处理：重复申请",
       "Not processed: duplicate", None, (r"重复申请",)),
    _m("app.not_processed.publication", APPLICANT, "件", "applications", _BOTH, "不予处理：要求提供公开出版物",
       "Not processed: asks for publications", None, (r"出版物",)),
    _m("app.not_processed.excessive", APPLICANT, "件", "applications", _BOTH, "不予处理：无正当理由大量反复申请",
       "Not processed: excessive repeated requests", None,
       (r"大量反[复覆]", r"反[复覆]申请")),
    _m("app.not_processed.reconfirm", APPLICANT, "件", "applications", _BOTH, "不予处理：要求行政机关确认或重新出具已获取信息",
       "Not processed: re-confirm information already obtained", None,
       (r"重新出具", r"确认或重新")),
    _m("app.other.overdue_correction", APPLICANT, "件", "applications", _T21, "其他处理：逾期不补正",
       "Other: applicant did not correct in time",
       None, (r"逾期不补正", r"不补正")),
    _m("app.other.unpaid_fee", APPLICANT, "件", "applications", _T21, "其他处理：逾期未缴费",
       "Other: fee not paid in time",
       None,
       (r"缴纳费用", r"收费通知", r"未缴费")),
    _m("app.other.other", APPLICANT, "件", "applications", _T21, "其他处理：其他", "Other: other",
       None, (r"其他处理(\(?3\)?|③)?其他$",)),
    _m("app.other", APPLICANT, "件", "applications", _T19, "其他处理", "Other handling",
       None, (r"其他处理$",)),
    # 予以公开 after the refusals: a refusal row's label contains 不予公开, never 予以公开
    _m("app.granted", APPLICANT, "件", "applications", _BOTH, "予以公开", "Granted", None, (r"予以公开",)),
    _m("app.total", APPLICANT, "件", "applications", _BOTH, "办理结果总计", "Total handled", None,
       (r"总计$",)),
    _m("app.carried_out", APPLICANT, "件", "applications", _BOTH, "结转下年度继续办理", "Carried over to next year",
       None, (r"结转下年", r"下年度继续办理", r"结转下一年")),
    # 表四 行政复议、行政诉讼 ---------------------------------------------------------------
    _m("review", REVIEW, "件", "review_litigation", _BOTH, None, "Administrative reconsideration",
       None),
    _m("litigation.direct", REVIEW, "件", "review_litigation", _BOTH, "行政诉讼（未经复议直接起诉）",
       "Litigation without prior reconsideration", None),
    _m("litigation.after_review", REVIEW, "件", "review_litigation", _BOTH, "行政诉讼（复议后起诉）",
       "Litigation after reconsideration", None),
    # narrative ---------------------------------------------------------------------------------
    _m("website.posts", (), "条", "website", _ANY, "门户网站信息发布总数", "Website items published", "门户网站信息发布总数"),
    _m("website.visits", (), "次", "website", _ANY, "网站总访问量", "Website total visits", "网站总访问量 / 访问量 / 浏览量"),
    _m("website.unique_visitors", (), "人/次", "website", _ANY, "独立用户访问总量", "Website unique visitors", "独立用户访问总量"),
    _m("newmedia.wechat.posts", (), "条", "newmedia", _ANY, "微信公众号发布量", "WeChat posts", "微信公众号发布信息"),
    _m("newmedia.wechat.followers", (), "人", "newmedia", _ANY, "微信公众号订阅/关注数", "WeChat followers", "订阅数 / 关注量 / 粉丝量"),
    _m("newmedia.weibo.posts", (), "条", "newmedia", _ANY, "微博发布量", "Weibo posts", "微博发布信息"),
    _m("newmedia.weibo.followers", (), "人", "newmedia", _ANY, "微博粉丝/关注量", "Weibo followers", "微博粉丝 / 关注量"),
    _m("newmedia.toutiao.posts", (), "条", "newmedia", _ANY, "今日头条发稿量", "Toutiao posts", "今日头条发稿量"),
    _m("newmedia.toutiao.followers", (), "人", "newmedia", _ANY, "今日头条粉丝量", "Toutiao followers", "今日头条粉丝量"),
    _m("newmedia.douyin.posts", (), "条", "newmedia", _ANY, "抖音发稿量", "Douyin posts", "抖音发稿量"),
    _m("newmedia.douyin.followers", (), "人", "newmedia", _ANY, "抖音粉丝量", "Douyin followers", "抖音粉丝量"),
    _m("newmedia.kuaishou.posts", (), "条", "newmedia", _ANY, "快手发稿量", "Kuaishou posts", "快手发稿量"),
    _m("newmedia.kuaishou.followers", (), "人", "newmedia", _ANY, "快手粉丝量", "Kuaishou followers", "快手粉丝量"),
    _m("newmedia.wechat_channels.posts", (), "条", "newmedia", _ANY, "微信视频号发布量", "WeChat Channels posts", "视频号发布量"),
    _m("newmedia.wechat_channels.followers", (), "人", "newmedia", _ANY, "微信视频号粉丝量", "WeChat Channels followers", "视频号粉丝量"),
    _m("interpretation.docs", (), "份", "engagement", _ANY, "政策解读数量", "Policy interpretations published", "政策解读 N 篇"),
    _m("press_conferences", (), "场", "engagement", _ANY, "新闻发布会场次", "Press conferences held", "召开新闻发布会 N 场"),
    _m("mailbox.letters", (), "件", "engagement", _ANY, "领导信箱来信数", "Letters to the leaders' mailbox", "信箱来信 N 件"),
    _m("consultation.online", (), "件", "engagement", _ANY, "网上咨询数", "Online enquiries", "网上咨询 N 件"),
    _m("proposals.handled", (), "件", "engagement", _ANY, "承办人大建议和政协提案数",
       "Deputies' suggestions and CPPCC proposals handled", "承办人大建议和政协提案 N 件"),
    _m("fees.collected_yuan", (), "元", "fees", _ANY, "收取信息处理费金额", "Information-processing fees collected",
       "收取信息处理费 N 元"),
)

BY_CODE: dict[str, Metric] = {m.code: m for m in METRICS}
SECTIONS: dict[str, tuple[str, str]] = {
    "active": ("主动公开", "Proactive disclosure"),
    "applications": ("依申请公开", "Applications"),
    "review_litigation": ("复议诉讼", "Reconsideration and litigation"),
    "website": ("政府网站", "Website"),
    "newmedia": ("政务新媒体", "New media"),
    "engagement": ("解读与互动", "Interpretation and engagement"),
    "fees": ("信息处理费", "Processing fees"),
}


def label(code: str, lang: str = "zh") -> str:
    """The label of a metric code, or of a `metric:dim` key, in 'zh' or 'en'."""
    code, dim = split_key(code)
    m = BY_CODE[code]
    base = m.zh if lang == "zh" else m.en
    if dim:
        d = DIM_LABELS.get(dim, (dim, dim))
        return f"{base} · {d[0] if lang == 'zh' else d[1]}"
    return base


def all_keys() -> list[str]:
    """Every `metric:dim` key any template can produce, in catalog order."""
    out: list[str] = []
    for m in METRICS:
        for k in m.keys():
            if k not in out:
                out.append(k)
    return out


# --- label normalisation ---------------------------------------------------------------------

_FULLWIDTH = {ord(c): FULLWIDTH[ord(c)] for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
              "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ（）／：，．；　"}
_FULLWIDTH.update({ord("、"): ord("."), ord("。"): ord("."), 0xA0: ord(" ")})
_CIRCLED = {chr(0x2460 + i): f"({i + 1})" for i in range(20)}  # ① .. ⑳
_DROP = re.compile(r"[\s\u200b\ufeff\"'“”‘’「」『』《》【】\[\]<>·•*_|:;,.!?]+")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+\.?|\(\s*[一二三四五六七八九十\d]+\s*\)|\d+\.?)")


@lru_cache(maxsize=65536)
def normalise_label(text: str) -> str:
    """Fold a row label for matching: half-width, no spaces or quotes, typographic variants unified.

    Numbering such as 1. 1、 （1） ① is kept but written one way ("(1)" / "1.") so patterns can use it;
    parentheses are half-width.
    """
    t = text.translate(_FULLWIDTH)
    for k, v in _CIRCLED.items():
        t = t.replace(k, v)
    t = t.replace("〇", "零")
    t = _DROP.sub("", t)
    return t


def strip_numbering(label: str) -> str:
    """Remove leading numbering like 一. (三) 1. from a normalised label (repeatedly)."""
    prev = None
    while prev != label:
        prev = label
        label = _NUMBERING.sub("", label)
    return label


@lru_cache(maxsize=65536)
def match_row(label: str, section: str) -> Metric | None:
    """The metric a normalised table-row label names within a section, or None.

    Patterns are tried in catalog order (specific before general), on the label with its
    group context (三、本年度办理结果（三）不予公开 …) included.
    """
    for m, rx in _ROW_RX.get(section, ()):
        if rx.search(label):
            return m
    return None


_ROW_RX: dict[str, list[tuple[Metric, re.Pattern]]] = {}
for _metric in METRICS:
    for _p in _metric.row_patterns:
        _ROW_RX.setdefault(_metric.section, []).append((_metric, re.compile(_p)))
