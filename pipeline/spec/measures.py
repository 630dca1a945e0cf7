"""The derived measures, each defined once: its labels, whether it is a rate, the rate's formula over
the columns of the warehouse's `measures` table, the smallest denominator a rate is read from, which
direction is worse, and the definition shown on screen. The warehouse's SQL for the rates is made from
this table (`rates_sql`), so the formula on screen and the one computed cannot drift apart."""
from __future__ import annotations

import re
from typing import NamedTuple

MIN_APPLICATIONS_FOR_RATES = 30
MIN_CONCLUDED_FOR_RATES = 10
MIN_PEERS = 3  # a peer median over fewer agencies is not given: one or two agencies are the agency itself


class Measure(NamedTuple):
    zh: str
    en: str
    rate: bool
    num: str | None = None        # numerator, over the columns of `measures` (rates)
    den: str | None = None        # denominator
    min_den: int = 0              # below it, an agency's rate is a small sample: marked, not ranked against peers
    def_zh: str = ""
    def_en: str = ""
    higher_is_worse: bool = False  # worst-first orders by this: a higher 纠错率 is worse, a lower 公开率 is
    unit_zh: str = ""             # unit of a count (rates are in %)
    unit_en: str = ""
    may_exceed_one: bool = False  # a ratio, not a share: over 100% is no error (the year's cases and applications)


MEASURES = {
    "applications": Measure("收到申请数", "Applications received", False,
                            def_zh="表三“本年新收政府信息公开申请数量”总计列",
                            def_en="Table 3, new applications this year, total column", unit_zh="件", unit_en="applications"),
    "accepted_total": Measure("受理合计", "Applications to handle", False,
                              def_zh="本年新收 + 上年结转（表三总计列）",
                              def_en="New this year + carried over from last year (table 3, total column)",
                              unit_zh="件", unit_en="applications"),
    "grant_rate": Measure("公开率", "Grant rate", True, "granted + partial", "handled", MIN_APPLICATIONS_FOR_RATES,
                          "（予以公开 + 部分公开）÷ 办理结果总计；办理结果总计不足 30 件为小样本",
                          "(granted + partly granted) ÷ total handled; under 30 handled is a small sample"),
    "refusal_rate": Measure("不予公开率", "Refusal rate", True, "refused", "handled", MIN_APPLICATIONS_FOR_RATES,
                            "不予公开（八项之和）÷ 办理结果总计；办理结果总计不足 30 件为小样本",
                            "refused (the eight grounds) ÷ total handled; under 30 handled is a small sample",
                            higher_is_worse=True),
    "review_correction_rate": Measure(
        "复议纠错率", "Reconsideration correction rate", True, "review_corrected", "review_concluded",
        MIN_CONCLUDED_FOR_RATES, "复议结果纠正 ÷ 已审结复议（总计 − 尚未审结）；已审结不足 10 件为小样本",
        "reconsiderations corrected ÷ concluded (total − pending); under 10 concluded is a small sample",
        higher_is_worse=True),
    "litigation_correction_rate": Measure(
        "诉讼纠错率", "Litigation correction rate", True, "litigation_corrected", "litigation_concluded",
        MIN_CONCLUDED_FOR_RATES, "诉讼结果纠正 ÷ 已审结诉讼（直接起诉与复议后起诉之和，总计 − 尚未审结）；已审结不足 10 件为小样本",
        "lawsuits corrected ÷ concluded (direct and after reconsideration, total − pending); under 10 concluded is "
        "a small sample", higher_is_worse=True),
    "correction_rate": Measure(
        "复议诉讼纠错率", "Correction rate (reconsideration and litigation)", True,
        "review_corrected + litigation_corrected", "review_concluded + litigation_concluded", MIN_CONCLUDED_FOR_RATES,
        "（复议纠正 + 诉讼纠正）÷（已审结复议 + 已审结诉讼）；已审结不足 10 件为小样本",
        "(reconsiderations + lawsuits corrected) ÷ (concluded reconsiderations + lawsuits); under 10 concluded is "
        "a small sample", higher_is_worse=True),
    "dispute_rate": Measure(
        "争议转化率", "Dispute rate", True, "review_total + litigation_total", "applications", MIN_APPLICATIONS_FOR_RATES,
        "（复议总计 + 诉讼总计）÷ 本年新收申请；本年的复议、诉讼可针对往年的申请，故可超过 100%；新收不足 30 件为小样本",
        "(reconsiderations + lawsuits) ÷ new applications; the year's cases may concern earlier years' applications, so "
        "it can exceed 100%; under 30 applications is a small sample",
        higher_is_worse=True, may_exceed_one=True),
    "followers_total": Measure("新媒体粉丝总数", "New-media followers", False,
                               def_zh="报告所列各新媒体账号粉丝数之和", def_en="Sum of the followers of the accounts the report lists",
                               unit_zh="人", unit_en="followers"),
    "website_visits": Measure("网站访问量", "Website visits", False, def_zh="报告所述政府网站年度访问量",
                              def_en="The website's visits in the year, as the report states", unit_zh="次", unit_en="visits"),
    "procurement_wan_yuan": Measure("集中采购金额", "Procurement", False,
                                    def_zh="表二政府集中采购总金额（仅 2019 年格式有此项；2021 年起的格式不再填报）",
                                    def_en="Table 2, centralised procurement amount (only the 2019 format has it; the "
                                           "format used from 2021 no longer asks for it)",
                                    unit_zh="万元", unit_en="10k yuan"),
}


# the warehouse's `measures` columns each measure is made of: how each is read from the facts (an aggregate
# and the facts it takes), and the columns computed from them
INPUTS = {
    "applications": ("max", "key = 'app.received_new:total'"),
    "carried_in": ("max", "key = 'app.carried_in:total'"),
    "handled": ("max", "key = 'app.total:total'"),
    "granted": ("max", "key = 'app.granted:total'"),
    "partial": ("max", "key = 'app.partial:total'"),
    "refused": ("sum", "metric like 'app.denied.%' and dim = 'total'"),
    "review_total": ("max", "key = 'review:total'"),
    "review_corrected": ("max", "key = 'review:corrected'"),
    "review_pending": ("max", "key = 'review:pending'"),
    "litigation_total": ("sum", "metric like 'litigation.%' and dim = 'total'"),
    "litigation_corrected": ("sum", "metric like 'litigation.%' and dim = 'corrected'"),
    "litigation_pending": ("sum", "metric like 'litigation.%' and dim = 'pending'"),
    "followers_total": ("sum", "metric like 'newmedia.%.followers'"),
    "website_visits": ("max", "key = 'website.visits'"),
    "website_posts": ("max", "key = 'website.posts'"),
    "procurement_wan_yuan": ("max", "key = 'active.procurement:amount_wan_yuan'"),
}
DERIVED = {
    "accepted_total": "applications + carried_in",
    "review_concluded": "review_total - review_pending",
    "litigation_concluded": "litigation_total - litigation_pending",
}


def inputs_sql() -> str:
    """The `measures` columns as aggregates over one agency-year's facts (with a `key` column)."""
    return ",\n        ".join(f"{agg}(value) filter (where {cond}) as {col}" for col, (agg, cond) in INPUTS.items())


def derived_sql() -> str:
    return ",\n        ".join(f"{expr} as {col}" for col, expr in DERIVED.items())


def inputs_of(measure: str) -> list[str]:
    """The `INPUTS` columns a measure is made of (a derived column by its parts)."""
    out = []
    for c in columns(measure):
        out += re.findall(r"[a-z_]+", DERIVED[c]) if c in DERIVED else [c]
    return list(dict.fromkeys(out))


def verified_sql() -> str:
    """Per agency-year and measure: true when every fact the measure is made of is verified (the report's
    identities confirm it, or an analyst corrected it), false when one is not, null without a value."""
    flags = ",\n        ".join(f"bool_and(coalesce(verified, false)) filter (where {cond}) as {col}"
                               for col, (_, cond) in INPUTS.items())
    per = ",\n    ".join(f"{' and '.join(inputs_of(k))} as {k}" for k in MEASURES)
    return (f"with p as (\n    select agency_id, year,\n        {flags}\n"
            f"    from v_values\n"
            f"    group by agency_id, year\n)\nselect agency_id, year,\n    {per}\nfrom p")


def columns(measure: str) -> list[str]:
    """The `measures` columns a measure is computed from (a count is its own column)."""
    m = MEASURES[measure]
    if not m.rate:
        return [measure]
    return re.findall(r"[a-z_]+", f"{m.num} {m.den}")


def rates_sql() -> str:
    """The rates as SQL select items over the `measures` columns (null where the denominator is 0)."""
    return ",\n    ".join(f"({m.num}) / nullif({m.den}, 0) as {k}" for k, m in MEASURES.items() if m.rate)
