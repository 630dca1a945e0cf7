"""The registry of consistency checks. Each check has an id, a severity, an explanation in Chinese
and English, and returns the rows that break it.

Two kinds: `report` checks look at one report's facts (the tables' identities, text against
tables); `warehouse` checks are SQL over the loaded warehouse (year-to-year carry-over, copied
narrative, tenfold jumps, files that disagree). A check returns each finding's fields (the cells, a
list of `metric:dim` keys; its numbers and table as `data`) and the evidence; the messages are written
from those fields by `pipeline.spec.findings`, kept in `check_results` as a record, and written again
at display time in the interface's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pipeline.extract import identities
from pipeline.spec import findings


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


# --- report checks: fn(values: dict[key, value], ctx: dict) -> list[(cells, data, evidence)] ---------
# (the finding's fields; its messages are written from them by pipeline/spec/findings.py)

_TABLE_OF = {"app_balance": "表三", "app_outcomes_sum": "表三", "app_columns_sum": "表三", "review_sum": "表四"}


def _from_identity(fn):
    def run(values, ctx):
        return [(list(v.cells), {"table": _TABLE_OF[v.check], "where": v.where, "lhs": v.lhs, "rhs": v.rhs}, None)
                for v in fn(values)]
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

_STATED_IN = {"applications_received": ["app.received_new:total"], "carried_in": ["app.carried_in:total"],
              "carried_out": ["app.carried_out:total"], "review_total": ["review:total"],
              "litigation_total": ["litigation.direct:total", "litigation.after_review:total"]}


@check("text_vs_table", "warning",
       "正文所述本年新收、上年结转、结转下年度申请数及复议、诉讼数量应与表格一致",
       "New, carried-over and carried-forward applications, reconsiderations and lawsuits stated in the text must "
       "equal the tables", "report")
def text_vs_table(values, ctx):
    out = []
    table = {kind: sum(values[k] for k in keys) if all(k in values for k in keys) else None
             for kind, keys in _STATED_IN.items()}
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
        out.append((_STATED_IN[kind], {"table": "表三" if kind.startswith(("app", "carried")) else "表四", "kind": kind,
                                       "said": float(s["value"]), "shown": t}, s["text"][:200]))
    return out


@check("blank_cells", "info", "表格中有空白或标注为“/”的单元格，未作为数据读取",
       "Table cells are blank or marked not applicable; no value was read from them", "report")
def blank_cells(values, ctx):
    return [([], {"count": (i.get("data") or {}).get("count")}, i.get("where", "")[:500])
            for i in ctx.get("issues") or [] if i["code"] == "blank_cells"]


@check("extraction", "info", "读取报告时的提示：未能确定读取的行、数字或信息",
       "Notes from reading the report: rows, figures or fields that could not be read with confidence", "report")
def extraction_notes(values, ctx):
    # the reader's note (English, technical: which row, which cell) is a field, shown as it is; the
    # reader's own fields (a metric and its rival values) beside it, for the writer of another language
    return [([], {**(i.get("data") or {}), "code": i["code"], "note": i["message"]}, i.get("where", "")[:500])
            for i in ctx.get("issues") or [] if i["code"] not in _OWN_CHECKS]


def _issue_check(code: str):
    """A check that reports the reader's issue of this code, with the issue's fields."""
    def run(values, ctx):
        return [([], dict(i.get("data") or {}), i.get("where", "")[:500]) for i in ctx.get("issues") or []
                if i["code"] == code]
    return run


check("table_missing", "warning", "报告缺少应有的表格（表二、表三或表四），或其中没有读到任何数值",
      "A required table (2, 3 or 4) is missing from the report, or no value could be read from it",
      "report")(_issue_check("table_missing"))
check("section_five_empty", "info", "第五部分“存在的主要问题及改进情况”为空或只有寥寥数语",
      "Section 5 (problems and improvements) is empty or only a few words", "report")(_issue_check("section_five_empty"))
check("fees_not_stated", "info", "2021 年格式报告第六部分未说明信息处理费收取情况",
      "A 2021-format report whose section 6 says nothing about information-processing fees", "report")(
    _issue_check("fees_not_stated"))
_OWN_CHECKS = {"blank_cells", "table_missing", "section_five_empty", "fees_not_stated"}


# --- warehouse checks: fn(con) -> rows of (report_id, agency_id, year, cells, data (JSON), evidence) ----

@check("carryover", "warning",
       "相邻年度：上一年“结转下年度继续办理”应等于本年“上年结转”",
       "Consecutive years: last year's carried-to-next-year must equal this year's carried-over", "warehouse")
def carryover(con):
    return con.execute("""
        with cur as (select report_id, agency_id, year, dim, value from facts where metric = 'app.carried_in'),
        prev as (select agency_id, year, dim, value from facts where metric = 'app.carried_out')
        select cur.report_id, cur.agency_id, cur.year,
            [fact_key('app.carried_out', cur.dim), fact_key('app.carried_in', cur.dim)],
            json_object('table', '表三', 'column', cur.dim, 'prev_year', prev.year, 'year', cur.year,
                        'prev', prev.value, 'cur', cur.value),
            null
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
            [fact_key(cur.metric, 'in_force'), fact_key(cur.metric, 'made'), fact_key(cur.metric, 'repealed')],
            json_object('table', '表二', 'metric', cur.metric, 'prev_year', prev.year, 'prev_in_force', prev.in_force,
                        'made', cur.made, 'repealed', cur.repealed,
                        'expected', prev.in_force + cur.made - cur.repealed, 'in_force', cur.in_force),
            null
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
        select n.report_id, n.agency_id, n.year, []::varchar[],
            json_object('same', same, 'total', total, 'percent', round(100.0 * same / total, 1), 'prev_year', n.year - 1),
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
        select report_id, agency_id, year, [fact_key(metric, nullif(dim, ''))],
            json_object('prev_year', year - 1, 'prev', prev, 'cur', cur), null
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
        select p.report_id, p.agency_id, p.year, [fact_key(a.metric, a.dim)],
            json_object('used', a.value, 'other', b.value),
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
        select report_id, agency_id, year, []::varchar[],
            json_object('year', year, 'published_on', published_on::varchar, 'deadline', deadline::varchar,
                        'days_late', date_diff('day', deadline, published_on)),
            source_url
        from reports where timeliness = 'late'
    """).fetchall()


@check("agency_unregistered", "info",
       "报告的机关不在机关名录（data/agencies.csv）中，机关名称取自报告正文；请登记",
       "The report's agency is not in the register (data/agencies.csv); its name was taken from the report's "
       "text. Register it", "warehouse")
def agency_unregistered(con):
    return con.execute("""
        select r.report_id, r.agency_id, r.year, []::varchar[], json_object('name', a.name), r.source_name
        from reports r join agencies a using (agency_id)
        where not a.registered and exists (select 1 from agencies where registered)
    """).fetchall()


def _finding(check_id: str, cells, data) -> tuple[str, str, list[str], str]:
    """A finding's two messages (the record kept beside its fields), its cells and its fields as JSON."""
    cells, data = list(cells or []), findings.fields(data)
    return (findings.message(check_id, cells, data, "zh"), findings.message(check_id, cells, data, "en"), cells,
            findings.dumps(data))


def run_report_checks(values: dict, ctx: dict) -> list[tuple]:
    """(check_id, severity, message (Chinese), message_en, evidence, cells, data (JSON)) for one report."""
    out = []
    for c in REGISTRY:
        if c.kind == "report":
            for cells, data, evidence in c.run(values, ctx):
                zh, en, cells, data = _finding(c.id, cells, data)
                out.append((c.id, c.severity, zh, en, evidence, cells, data))
    return out


def run_warehouse_checks(con) -> list[tuple]:
    """(check_id, severity, report_id, agency_id, year, message (Chinese), evidence, message_en, cells, data)
    for the whole warehouse (the column order of check_results)."""
    out = []
    for c in REGISTRY:
        if c.kind == "warehouse":
            for report_id, agency_id, year, cells, data, evidence in c.run(con):
                zh, en, cells, data = _finding(c.id, cells, data)
                out.append((c.id, c.severity, report_id, agency_id, year, zh, evidence, en, cells, data))
    return out


def registry_rows() -> list[tuple[str, str, str, str]]:
    return [(c.id, c.severity, c.zh, c.en) for c in REGISTRY]
