"""The marts the warehouse build computes for the pages (pipeline/warehouse/marts.sql), read.

`pipeline.serve.queries` asks these when the warehouse has marts (`has`) and computes the same thing
from the published tables otherwise (a warehouse built before them, schema 5). Each function here
returns the rows its query's read-time SQL returned; the query then does what it did with them (the
ranking's order and peer medians, the tiles' pooling). Analysts' reviews are applied here, at read time.
`ENABLED = False` makes every query compute at read time again (the tests compare the two).

The filters arrive as the queries build them (`scope` SQL over an alias with `agency_id` and `year`,
and its parameters), so one definition of the filters serves both paths.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from pipeline.serve.query_scope import _q
from pipeline.warehouse.marts import LISTED_SECTIONS

ENABLED = True


def has(con) -> bool:
    """Whether this warehouse has the marts (built by schema 6 and later)."""
    if not ENABLED:
        return False
    return bool(con.execute("select count(*) from information_schema.tables "
                            "where table_name = 'mart_peer_medians'").fetchall()[0][0])


def _rows(con, sql: str, params=None) -> pd.DataFrame:
    """A large result (a row per report or agency-year) through Arrow: several times faster than `fetchdf`
    for text columns, with the same values and kinds of columns (dates as datetime64, as `fetchdf` gives)."""
    table = con.sql(sql, params=params or []).to_arrow_table()
    if not table.num_rows:
        return _q(con, sql, params)  # an empty frame with fetchdf's own kinds of columns
    df = table.to_pandas(date_as_object=False)
    for name, col in zip(table.column_names, table.columns):
        kind = col.type
        if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            df[name] = df[name].astype("datetime64[us]")
        elif col.null_count == len(col) and (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            df[name] = pd.Series([None] * len(col), dtype=object)  # text that is all blank: None, as fetchdf gives
        elif col.null_count and pa.types.is_integer(kind):
            df[name] = df[name].astype(f"Int{kind.bit_width}")  # whole numbers with blanks stay whole
    return df


def coverage(con, scope: str, params: list) -> pd.DataFrame:
    return _rows(con, f"""
        select c.agency_id, c.agency, c.province, c.city, c.level, c.year, c.timeliness, c.findings, c.published_on,
            c.deadline, c.days_late, c.errors, c.warnings, c.report_id
        from mart_coverage c where {scope} order by c.ord""", params)


def coverage_page(con, scope: str, params: list, first: int, last: int) -> pd.DataFrame:
    """`coverage`'s rows of its agencies (by name, in the order it lists them) numbered first to last."""
    return _rows(con, f"""
        with c as (select * from mart_coverage c where {scope}),
        p as (select agency, row_number() over (order by min(ord)) as i from c group by agency)
        select c.agency_id, c.agency, c.province, c.city, c.level, c.year, c.timeliness, c.findings, c.published_on,
            c.deadline, c.days_late, c.errors, c.warnings, c.report_id
        from c join p using (agency) where p.i between ? and ? order by c.ord""", [*params, first, last])


def reports(con, scope: str, params: list) -> pd.DataFrame:
    return _rows(con, f"""
        select r.report_id, r.agency_id, r.agency, r.year, r.template, r.source_name, r.source_format, r.published,
            r.alternatives, r.choice_reason, r.choice, r.choice_facts, r.choice_runner_up, r.published_on, r.source_url
        from mart_reports r where {scope} order by r.ord""", params)


def checks(con, scope: str, extra: str, params: list) -> pd.DataFrame:
    return _rows(con, f"""
        select c.agency, c.agency_id, c.year, c.severity, c.check_id, c.explanation_zh, c.explanation_en,
            c.evidence, c.cells, c.data, c.source_name, c.report_id, c.finding_key
        from mart_findings c where {scope} {extra} order by c.ord""", params)


def agency_checks(con, agency_id: str) -> pd.DataFrame:
    return _q(con, """
        select c.year, c.severity, c.check_id, c.explanation_zh, c.explanation_en, c.evidence, c.cells, c.data,
            c.report_id, c.finding_key
        from mart_findings c where c.agency_id = ? order by c.year, c.severity_order, c.ord""", [agency_id])


def quality_scores(con, scope: str, params: list, reviewed: str, score_error: int, score_warning: int) -> pd.DataFrame:
    """Each report's errors and warnings from the mart, less the findings `reviewed` (a registered frame of
    finding_key, status) dismisses; confirmed and dismissed counted from the reviews."""
    return _rows(con, quality_scores_sql(scope, reviewed, score_error, score_warning), params)


def quality_scores_sql(scope: str, reviewed: str, score_error: int, score_warning: int) -> str:
    """`quality_scores`' SQL (its parameters: the scope's)."""
    return f"""
        with rv as (
            select f.report_id,
                count(*) filter (where f.severity = 'error' and v.status = 'dismissed') as dismissed_errors,
                count(*) filter (where f.severity = 'warning' and v.status = 'dismissed') as dismissed_warnings,
                count(*) filter (where f.severity in ('error', 'warning') and v.status <> 'open') as not_open,
                count(*) filter (where f.severity in ('error', 'warning') and v.status = 'confirmed') as confirmed,
                count(*) filter (where f.severity in ('error', 'warning') and v.status = 'dismissed') as dismissed,
                count(*) filter (where f.check_id = 'table_missing' and v.status = 'dismissed') as dismissed_missing
            from mart_findings f join {reviewed} v using (finding_key) group by f.report_id
        ),
        n as (
            select r.agency_id, r.agency, r.level, r.year, r.report_id,
                r.errors - coalesce(rv.dismissed_errors, 0) as errors,
                r.warnings - coalesce(rv.dismissed_warnings, 0) as warnings,
                r.errors + r.warnings - coalesce(rv.not_open, 0) as open,
                coalesce(rv.confirmed, 0) as confirmed, coalesce(rv.dismissed, 0) as dismissed,
                r.tables_missing - coalesce(rv.dismissed_missing, 0) as tables_missing
            from mart_quality r left join rv using (report_id) where {scope}
        )
        select * exclude (tables_missing), {score_sql("errors", "warnings", "tables_missing", score_error, score_warning)}
            as score
        from n order by score, agency, year"""


def score_sql(errors: str, warnings: str, missing: str, score_error: int, score_warning: int) -> str:
    """A report's score from its counting errors and warnings: 100 − error weight × errors − warning weight
    × warnings, a standard table not read (table_missing, a warning) weighing as an error, since none of its
    figures could be checked; at least 0."""
    return (f"greatest(0, 100 - {score_error} * ({errors} + {missing}) - {score_warning} * ({warnings} - {missing}))")


def measure_rows(con, cols: list[str], keys: list[str], scope: str, params: list) -> pd.DataFrame:
    """agency_id, year, the `measures` columns asked and `ok_<measure>` of each measure key (the tiles)."""
    return _q(con, f"select m.agency_id, m.year, {', '.join('m.' + c for c in cols)}, "
                   f"{', '.join(f'm.ok_{k}' for k in keys)} from mart_measures m where {scope}", params)


def measure_ranking(con, measure: str, den: str, scope: str, params: list, year: int, verified_only: bool) -> pd.DataFrame:
    """The rows of a measure's ranking (`den` over alias m)."""
    return _q(con, f"""
        select m.agency_id, m.agency, m.level, m.kind, m.province, m.city, m.year,
            m.{measure} as value, p.{measure} as prev_value, {den} as denominator, m.ok_{measure} as verified
        from mart_measures m
        left join (select agency_id, {measure} from mart_measures where year = ?) p on p.agency_id = m.agency_id
        where {scope} and m.year = ? and m.{measure} is not null {"and m.ok_" + measure if verified_only else ""}""",
              [year - 1, *params, year])


def section_agencies(con, section: str, scope: str, params: list, verified_only: bool) -> pd.DataFrame:
    return _q(con, f"""
        select f.year, count(*) {"filter (where f.facts > f.unverified)" if verified_only else ""} as agencies,
            sum(f.unverified)::bigint as unverified
        from mart_section_agencies f where f.section = ? and {scope}
        group by f.year order by f.year""", [section, *params])


def same_agencies(con, section: str, scope: str, params: list, verified_only: bool = False) -> tuple[str, ...]:
    whole = "and f.unverified = 0" if verified_only else ""  # verified only: the section wholly verified
    rows = con.execute(f"""
        with v as (select f.agency_id, f.year from mart_section_agencies f where f.section = ? and {scope} {whole})
        select agency_id from v group by agency_id
        having count(*) = (select count(distinct year) from v) order by agency_id""", [section, *params]).fetchall()
    return tuple(r[0] for r in rows)


def listed(section: str) -> bool:
    """Whether the mart of values listed agency by agency holds this section."""
    return section in LISTED_SECTIONS


def agency_section(con, section: str, scope: str, params: list, year: int | None) -> pd.DataFrame:
    year_sql, year_params = ("and f.year = ?", [year]) if year is not None else ("", [])
    return _rows(con, f"""
        select a.name as agency, f.agency_id, f.year, f.metric, f.dim, f.key, f.value
        from mart_section_values f join agencies a using (agency_id)
        where f.section = ? and {scope} {year_sql}
        order by a.name, f.year""", [section, *params, *year_params])


def agency_own(con, agency_id: str) -> pd.DataFrame:
    """One agency's mart_measures rows (the profile's own values)."""
    return _q(con, "select * from mart_measures where agency_id = ? order by year", [agency_id])


def peer_medians(con, level, kind: str, verified_only: bool) -> pd.DataFrame:
    """measure, year, median, peers over every agency of a level and kind (the profile, no region filter)."""
    return _q(con, "select measure, year, median, peers from mart_peer_medians "
                   "where level = ? and kind = ? and verified_only = ?", [level, kind, verified_only])


def peer_rows(con, level, kind: str, scope: str, params: list) -> pd.DataFrame:
    """mart_measures rows of the agencies of a level and kind in a region (the profile with a region filter)."""
    return _q(con, f"select * from mart_measures m where m.level = ? and m.kind = ? and {scope}", [level, kind, *params])

