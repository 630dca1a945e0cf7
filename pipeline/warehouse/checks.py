"""The registry of consistency checks. Each check has an id, a severity, an explanation in Chinese
and English, and returns the rows that break it.

Two kinds: `report` checks look at one report's facts (the tables' identities, text against
tables); `warehouse` checks are SQL over the loaded warehouse (year-to-year carry-over, copied
narrative, tenfold jumps, files that disagree). `run_all` evaluates every check and writes
`check_results`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pipeline.extract import identities
from pipeline.spec.numbers import as_written


@dataclass(frozen=True)
class Check:
    id: str
    severity: str  # error | warning | info
    zh: str
    en: str
    kind: str  # report | warehouse
    run: Callable


REGISTRY: list[Check] = []


def check(id: str, severity: str, zh: str, en: str, kind: str):
    def deco(fn):
        REGISTRY.append(Check(id, severity, zh, en, kind, fn))
        return fn
    return deco


def by_id(check_id: str) -> Check:
    return next(c for c in REGISTRY if c.id == check_id)


# --- report checks: fn(values: dict[key, value], ctx: dict) -> list[(message, evidence)] ----------

def _from_identity(fn):
    def run(values, ctx):
        return [(v.message, v.message_en, v.where) for v in fn(values)]
    return run


check("app_balance", "error",
      "表三每一申请人列：本年新收 + 上年结转 应等于 办理结果总计 + 结转下年度继续办理",
      "Table 3, every applicant column: new + carried over from last year must equal total handled + carried to next year",
      "report")(_from_identity(identities.balance))
check("app_outcomes_sum", "error",
      "表三每一申请人列：各项办理结果之和应等于（七）总计",
      "Table 3, every applicant column: the outcome rows must add up to (7) total", "report")(
    _from_identity(identities.outcomes_sum))
check("app_columns_sum", "error",
      "表三每一行：各类申请人之和应等于总计列",
      "Table 3, every row: the applicant columns must add up to the total column", "report")(
    _from_identity(identities.columns_sum))
check("review_sum", "error",
      "表四每一部分：结果维持 + 结果纠正 + 其他结果 + 尚未审结 应等于总计",
      "Table 4, each block: upheld + corrected + other + pending must equal total", "report")(
    _from_identity(identities.review_sum))


@check("text_vs_table", "warning",
       "正文所述本年新收、上年结转、结转下年度申请数及复议、诉讼数量应与表格一致",
       "New, carried-over and carried-forward applications, reconsiderations and lawsuits stated in the text must "
       "equal the tables", "report")
def text_vs_table(values, ctx):
    out = []
    table = {
        "applications_received": values.get("app.received_new:total"),
        "carried_in": values.get("app.carried_in:total"),
        "carried_out": values.get("app.carried_out:total"),
        "review_total": values.get("review:total"),
        "litigation_total": (values["litigation.direct:total"] + values["litigation.after_review:total"]
                             if "litigation.direct:total" in values and "litigation.after_review:total" in values else None),
    }
    names = {"applications_received": "本年新收申请", "carried_in": "上年结转", "carried_out": "结转下年度",
             "review_total": "行政复议", "litigation_total": "行政诉讼"}
    names_en = {"applications_received": "new applications", "carried_in": "carried over from last year",
                "carried_out": "carried forward", "review_total": "reconsiderations", "litigation_total": "lawsuits"}
    by_kind: dict[str, list[dict]] = {}
    for s in ctx.get("statements") or []:
        if table.get(s["kind"]) is not None:
            by_kind.setdefault(s["kind"], []).append(s)
    for kind, stated in by_kind.items():
        t = float(table[kind])
        # a figure the text states anywhere that equals the table settles it (受理 12 件，其中新收 10 件)
        if any(abs(float(s["value"]) - t) <= 1e-6 for s in stated):
            continue
        s = stated[0]
        said, shown = as_written(s["value"]), as_written(t)
        out.append((f"{names[kind]}：正文 {said}，表格 {shown}",
                    f"{names_en[kind]}: the text says {said}, the table {shown}", s["text"][:200]))
    return out


@check("blank_cells", "info", "表格中有空白或标注为“/”的单元格，未作为数据读取",
       "Table cells are blank or marked not applicable; no value was read from them", "report")
def blank_cells(values, ctx):
    out = []
    for i in ctx.get("issues") or []:
        if i["code"] == "blank_cells":
            n = (i.get("data") or {}).get("count")
            out.append((f"{n if n is not None else ''} 个单元格为空白或标注为不适用，未作为数据读取", i["message"],
                        i.get("where", "")[:500]))
    return out


@check("extraction", "info", "读取报告时的提示：未能确定读取的行、数字或信息",
       "Notes from reading the report: rows, figures or fields that could not be read with confidence", "report")
def extraction_notes(values, ctx):
    # the reader's notes are technical (which row, which cell): their English text, under a Chinese heading
    return [(f"{_ISSUE_ZH.get(i['code'], '读取提示')}（{i['code']}）：{i['message']}", f"{i['code']}: {i['message']}",
             i.get("where", "")[:500]) for i in ctx.get("issues") or [] if i["code"] not in _OWN_CHECKS]


_ISSUE_ZH = {
    "ambiguous_narrative": "正文数字有歧义，未采用", "row_cells": "表格行的单元格数与表头不符，该行未读取",
    "columns_missing": "表格缺少列", "template_unclear": "报告格式不明确（同时有 2019 与 2021 年格式的特征）",
    "template_unknown": "未识别报告格式", "unexpected_column": "该格式没有这一列，未采用",
    "agency_unknown": "未能确定机关名称", "flattened_table": "表格数字连在一起，按勾稽关系拆分",
    "no_header": "表格没有表头，未读取", "unit_assumed": "单位按惯例推定", "unmatched_row": "表格行未能对应标准行",
    "year_from_text": "年度取自正文", "year_implausible": "年度不合常理，未采用", "year_mismatch": "标题与正文年度不一致",
    "year_unknown": "未能确定年度", "implausible_value": "数值不合常理，未采用",
    "conflicting_values": "同一单元格出现两个不同数值，均未采用",
    "row_without_label": "表格行没有自己的标签，按位置无法证明是哪一行，未读取",
}


def _issue_check(code: str, zh):
    """A check that reports the reader's issue of this code, its Chinese written from the issue's fields."""
    def run(values, ctx):
        return [(zh(i.get("data") or {}), i["message"], i.get("where", "")[:500]) for i in ctx.get("issues") or []
                if i["code"] == code]
    return run


def _missing_zh(data: dict) -> str:
    return f"未能读取{data['table']}的任何数值" if data.get("table") else "报告缺少应有的表格"


check("table_missing", "warning", "报告缺少应有的表格（表二、表三或表四），或其中没有读到任何数值",
      "A required table (2, 3 or 4) is missing from the report, or no value could be read from it",
      "report")(_issue_check("table_missing", _missing_zh))
check("section_five_empty", "info", "第五部分“存在的主要问题及改进情况”为空或只有寥寥数语",
      "Section 5 (problems and improvements) is empty or only a few words", "report")(
    _issue_check("section_five_empty", lambda d: "第五部分“存在的主要问题及改进情况”为空或少于 30 字"))
check("fees_not_stated", "info", "2021 年格式报告第六部分未说明信息处理费收取情况",
      "A 2021-format report whose section 6 says nothing about information-processing fees", "report")(
    _issue_check("fees_not_stated", lambda d: "2021 年格式要求在第六部分说明信息处理费收取情况，报告未提及"))
_OWN_CHECKS = {"blank_cells", "table_missing", "section_five_empty", "fees_not_stated"}


# --- warehouse checks: fn(con) -> list of (report_id, agency_id, year, message, evidence) -----------

@check("carryover", "warning",
       "相邻年度：上一年“结转下年度继续办理”应等于本年“上年结转”",
       "Consecutive years: last year's carried-to-next-year must equal this year's carried-over", "warehouse")
def carryover(con):
    return con.execute("""
        with cur as (select report_id, agency_id, year, dim, value from facts where metric = 'app.carried_in'),
        prev as (select agency_id, year, dim, value from facts where metric = 'app.carried_out')
        select cur.report_id, cur.agency_id, cur.year,
            format('{}：{} 年结转下年度 {} ≠ {} 年上年结转 {}', cur.dim, prev.year, N(prev.value), cur.year, N(cur.value)),
            format('{}: carried forward in {} {} ≠ carried over in {} {}', cur.dim, prev.year, N(prev.value), cur.year,
                   N(cur.value)),
            cur.dim
        from cur join prev on prev.agency_id = cur.agency_id and prev.year = cur.year - 1 and prev.dim = cur.dim
        where abs(prev.value - cur.value) > 1e-6
    """).fetchall()


@check("in_force_carry", "warning",
       "2021 年格式相邻年度：本年现行有效件数 = 上年现行有效件数 + 本年制发 − 本年废止（规章、行政规范性文件）",
       "2021 format, consecutive years: in force this year = in force last year + issued - repealed "
       "(regulations, normative documents)", "warehouse")
def in_force_carry(con):
    return con.execute("""
        with v as (
            select f.report_id, f.agency_id, f.year, f.metric,
                max(value) filter (where dim = 'made') as made,
                max(value) filter (where dim = 'repealed') as repealed,
                max(value) filter (where dim = 'in_force') as in_force
            from facts f join reports r using (report_id)
            where r.template = '2021' and f.metric in ('active.regulations', 'active.normative_docs')
            group by all
        )
        select cur.report_id, cur.agency_id, cur.year,
            format('{}: {} 年现行有效 {} + 制发 {} − 废止 {} = {}，但本年现行有效为 {}', cur.metric, prev.year,
                   N(prev.in_force), N(cur.made), N(cur.repealed), N(prev.in_force + cur.made - cur.repealed), N(cur.in_force)),
            format('{}: in force in {} {} + issued {} − repealed {} = {}, but in force this year is {}', cur.metric,
                   prev.year, N(prev.in_force), N(cur.made), N(cur.repealed), N(prev.in_force + cur.made - cur.repealed),
                   N(cur.in_force)),
            cur.metric
        from v cur join v prev on prev.agency_id = cur.agency_id and prev.metric = cur.metric and prev.year = cur.year - 1
        where abs(prev.in_force + cur.made - cur.repealed - cur.in_force) > 1e-6
    """).fetchall()


@check("narrative_copied", "warning",
       "正文与同一机关上一年报告的句子重合超过 80%，可能照抄往年",
       "More than 80% of the text's sentences are identical to the agency's previous report", "warehouse")
def narrative_copied(con):
    return con.execute("""
        with s as (select distinct r.report_id, r.agency_id, r.year, x.h
                   from reports r join sentences x on x.sha256 = r.source_sha256),
        n as (select report_id, agency_id, year, count(*) as total from s group by all),
        common as (
            select cur.report_id, count(*) as same
            from s cur join s prev on prev.agency_id = cur.agency_id and prev.year = cur.year - 1 and prev.h = cur.h
            group by cur.report_id
        )
        select n.report_id, n.agency_id, n.year,
            format('{} / {} 个句子（{}%）与 {} 年报告相同', same, total, round(100.0 * same / total, 1), n.year - 1),
            format('{} of {} sentences ({}%) are identical to the {} report', same, total, round(100.0 * same / total, 1),
                   n.year - 1),
            null
        from n join common using (report_id)
        where total >= 10 and same > 0.8 * total
    """).fetchall()


@check("jump_tenfold", "warning",
       "某项数据与上一年相比变化超过十倍（两年均不少于 5，且较大者不少于 100，小数字的波动不计）",
       "A figure changed more than tenfold from the previous year (both years at least 5 and the larger at least "
       "100: small counts' swings are not findings)", "warehouse")
def jump_tenfold(con):
    return con.execute("""
        with f as (select report_id, agency_id, year, metric, coalesce(dim, '') as dim, value from facts),
        j as (
            select cur.report_id, cur.agency_id, cur.year, cur.metric, cur.dim, prev.value as prev, cur.value as cur
            from f cur join f prev on prev.agency_id = cur.agency_id and prev.metric = cur.metric
                and prev.dim = cur.dim and prev.year = cur.year - 1
            where prev.value >= 5 and cur.value >= 5 and greatest(prev.value, cur.value) >= 100
                and (cur.value > 10 * prev.value or prev.value > 10 * cur.value)
        )
        select report_id, agency_id, year,
            format('{}：{} → {}', fact_key(metric, nullif(dim, '')), N(prev), N(cur)),
            format('{}: {} → {}', fact_key(metric, nullif(dim, '')), N(prev), N(cur)), metric
        from j
    """).fetchall()


@check("files_disagree", "warning",
       "同一机关同一年度的两个文件（如网页与 PDF）数值不一致",
       "Two files for the same agency and year (a web page and its PDF, say) state different values", "warehouse")
def files_disagree(con):
    return con.execute("""
        with s as (select sha256, agency_id, year from sources where agency_id is not null and year is not null),
        pairs as (
            select r.report_id, r.agency_id, r.year, o.sha256 as other
            from reports r join s o on o.agency_id = r.agency_id and o.year = r.year and o.sha256 <> r.source_sha256
        )
        select p.report_id, p.agency_id, p.year,
            format('{}：采用文件 {}，另一文件 {}', fact_key(a.metric, a.dim), N(a.value), N(b.value)),
            format('{}: the file used says {}, the other file {}', fact_key(a.metric, a.dim), N(a.value), N(b.value)),
            (select name from sources where sha256 = p.other)
        from pairs p
        join source_facts a on a.sha256 = p.report_id
        join source_facts b on b.sha256 = p.other and b.metric = a.metric and b.dim is not distinct from a.dim
        where abs(a.value - b.value) > 1e-6
    """).fetchall()


@check("published_late", "warning",
       "报告发布晚于《政府信息公开条例》第四十九条规定的期限（部门 1 月 31 日前，政府 3 月 31 日前）",
       "Published after the deadline of Article 49 of the Regulations (departments by 31 January, "
       "governments by 31 March of the following year)", "warehouse")
def published_late(con):
    return con.execute("""
        select report_id, agency_id, year,
            format('{} 年报告 {} 发布，期限为 {}（晚 {} 天）', year, published_on, deadline,
                   date_diff('day', deadline, published_on)),
            format('the {} report was published on {}, the deadline was {} ({} days late)', year, published_on, deadline,
                   date_diff('day', deadline, published_on)),
            source_url
        from reports where timeliness = 'late'
    """).fetchall()


@check("agency_unregistered", "info",
       "报告的机关不在机关名录（data/agencies.csv）中，机关名称取自报告正文；请登记",
       "The report's agency is not in the register (data/agencies.csv); its name was taken from the report's "
       "text. Register it", "warehouse")
def agency_unregistered(con):
    return con.execute("""
        select r.report_id, r.agency_id, r.year, format('{}：未在名录中登记', a.name),
            format('{}: not in the register', a.name), r.source_name
        from reports r join agencies a using (agency_id)
        where not a.registered and exists (select 1 from agencies where registered)
    """).fetchall()


def run_report_checks(values: dict, ctx: dict) -> list[tuple[str, str, str, str, str]]:
    """(check_id, severity, message (Chinese), message_en, evidence) for one report."""
    out = []
    for c in REGISTRY:
        if c.kind == "report":
            for message, message_en, evidence in c.run(values, ctx):
                out.append((c.id, c.severity, message, message_en, evidence))
    return out


def run_warehouse_checks(con) -> list[tuple]:
    """(check_id, severity, report_id, agency_id, year, message (Chinese), evidence, message_en) for the whole
    warehouse (the column order of check_results)."""
    # N(x): a number as people write it in a message (21, not 21.0): the one formatter, as a SQL function
    import duckdb

    try:
        con.remove_function("N")
    except duckdb.Error:
        pass
    con.create_function("N", as_written, ["DOUBLE"], "VARCHAR")
    out = []
    for c in REGISTRY:
        if c.kind == "warehouse":
            for report_id, agency_id, year, message, message_en, evidence in c.run(con):
                out.append((c.id, c.severity, report_id, agency_id, year, message, evidence, message_en))
    return out


def registry_rows() -> list[tuple[str, str, str, str]]:
    return [(c.id, c.severity, c.zh, c.en) for c in REGISTRY]

