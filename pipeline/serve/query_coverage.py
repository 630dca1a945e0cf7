"""The dashboard's questions about coverage and quality: who published what and when (coverage, late
agencies, timeliness), the reports' quality scores, and the unverified facts."""
from __future__ import annotations

import pandas as pd

from pipeline.serve import marts
from pipeline.serve.query_scope import _LEVEL_ORDER, Filters, _q, _scope

# what a coverage cell's square says (publication), and its second mark (what the checks found)
TIMELINESS_STATES = ("on_time", "late", "date_unknown", "deadline_unknown", "not_published", "not_collected", "older_format")
FINDING_STATES = ("ok", "incomplete", "failing_checks")


def coverage(con, flt: Filters, dismissed: tuple[str, ...] = ()) -> pd.DataFrame:
    """Agency x year, two separate states. `timeliness`: on_time / late (the site's date against the
    deadline), date_unknown (a report, no date), deadline_unknown (a date, no deadline: an agency outside the
    register), not_published (the list page, read after the deadline,
    does not list it), not_collected (no file, and nianbao cannot tell) or older_format. `findings`: ok,
    incomplete (a table missing) or failing_checks (errors), for a report only. `days_late` for a late
    report. Agencies come grouped by region and level. `dismissed`: finding keys the analysts dismissed
    (`reviewed`)."""
    scope, params = _scope(flt, "c")
    if marts.has(con):
        return reviewed(con, marts.coverage(con, scope, params), dismissed)
    return reviewed(con, _q(con, f"""
        select c.agency_id, c.agency, a.province, a.city, a.level, c.year, c.timeliness, c.findings,
            c.published_on, c.deadline, c.days_late, c.errors, c.warnings, c.report_id
        from v_coverage_cells c join agencies a using (agency_id)
        where {scope}
        order by a.province nulls first, a.city nulls first, {_LEVEL_ORDER}, c.agency, c.year""", params), dismissed)


def open_findings(con, report_ids: tuple[str, ...], dismissed: tuple[str, ...]) -> pd.DataFrame:
    """Per report of `report_ids`, its errors, warnings and tables not read that an analyst has not dismissed
    (`dismissed`: finding keys): the analysts' reviews applied at read time, as the data-quality page does."""
    if not report_ids:
        return pd.DataFrame(columns=["report_id", "errors", "warnings", "missing_tables"])
    return _q(con, """
        select report_id, count(*) filter (where severity = 'error') as errors,
            count(*) filter (where severity = 'warning') as warnings,
            count(*) filter (where check_id = 'table_missing') as missing_tables
        from v_check_results where list_contains(?, report_id) and not list_contains(?, finding_key)
        group by report_id""", [list(report_ids), list(dismissed) or [""]])


def reviewed(con, cov: pd.DataFrame, dismissed: tuple[str, ...]) -> pd.DataFrame:
    """Coverage cells (or an agency's reports) with the reviews applied: a report whose every error is dismissed
    is no longer failing_checks (incomplete when a table was not read, else ok), and its counts are the open
    findings'."""
    if not dismissed or cov.empty or "report_id" not in cov:
        return cov
    ids = tuple(cov.report_id.dropna().unique())
    left = open_findings(con, ids, dismissed).set_index("report_id")
    out = cov.copy()
    held = out.report_id.notna()
    for col in ("errors", "warnings"):
        if col in out:
            out.loc[held, col] = out.loc[held, "report_id"].map(left[col]).fillna(0).astype(int)
    if "findings" in out:
        errs = out.loc[held, "report_id"].map(left.errors).fillna(0)
        missing = out.loc[held, "report_id"].map(left.missing_tables).fillna(0)
        out.loc[held, "findings"] = ["failing_checks" if e > 0 else "incomplete" if m > 0 else "ok"
                                     for e, m in zip(errs, missing)]
    return out


def coverage_size(con, flt: Filters) -> tuple[int, int]:
    """How many agencies (by name: the coverage chart's rows) and cells `coverage` has."""
    scope, params = _scope(flt, "c")
    table = "mart_coverage" if marts.has(con) else "v_coverage_cells"
    agencies, cells = con.execute(f"select count(distinct c.agency), count(*) from {table} c where {scope}", params).fetchone()
    return int(agencies), int(cells)


def coverage_page(con, flt: Filters, page: int, size: int = 100, dismissed: tuple[str, ...] = ()) -> pd.DataFrame:
    """`coverage`'s rows of its `page`-th `size` agencies (from 1; agencies by name, in the order it lists
    them): what the overview draws, without reading every agency's cells."""
    if marts.has(con):
        scope, params = _scope(flt, "c")
        return reviewed(con, marts.coverage_page(con, scope, params, (page - 1) * size + 1, page * size), dismissed)
    cov = coverage(con, flt, dismissed)
    names = list(dict.fromkeys(cov.agency))[(page - 1) * size: page * size]
    return cov[cov.agency.isin(names)].reset_index(drop=True)


def late_agencies(con, flt: Filters, year: int) -> pd.DataFrame:
    """The agencies in scope whose `year` report was published late or not published by the deadline:
    the deadline, the date the site showed, and the days late (for one not published: the days from the
    deadline to the day its list page was last read without it, "at least" that many)."""
    scope, params = _scope(flt, "c")
    return _q(con, f"""
        select c.agency_id, c.agency, a.level, a.province, a.city, c.year,
            case when c.status = 'not_published' then 'not_published' else 'late' end as timeliness,
            coalesce(c.deadline, report_deadline(a.register_level, c.year)) as deadline, c.published_on,
            case when c.status = 'not_published'
                 then date_diff('day', report_deadline(a.register_level, c.year), s.list_ok::date)
                 else date_diff('day', c.deadline, c.published_on) end as days_late,
            s.list_ok::date as list_read_on, c.report_id
        from coverage c join agencies a using (agency_id) left join fetch_sources s on s.agency_id = c.agency_id
        where {scope} and c.year = ? and (c.status = 'not_published' or (c.report_id is not null and c.timeliness = 'late'))
        order by timeliness desc, days_late desc, c.agency""", [*params, year])


def timeliness_counts(con, flt: Filters, year: int) -> dict[str, int]:
    """How many agencies in scope stand in each state for `year`: on_time, late, date_unknown (a report
    without a date the site showed), not_published, not_collected, older_format."""
    scope, params = _scope(flt, "c")
    rows = con.execute(f"""
        select c.timeliness, count(*) from v_coverage_cells c
        where {scope} and c.year = ? group by 1""", [*params, year]).fetchall()
    return {k: int(n) for k, n in rows}


SCORE_ERROR, SCORE_WARNING = 20, 5


def quality_scores(con, flt: Filters, reviewed: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    """A score per report (agency and year): 100 − 20 per error − 5 per warning that counts, at least 0.
    `reviewed` is (finding_key, status) of the analysts' reviews: a confirmed finding is a real problem
    and counts as an open one does; only a dismissed finding stops counting. Information findings do not
    count."""
    return _with_reviews(con, flt, reviewed, lambda sql, params: (marts._rows if marts.has(con) else _q)(con, sql, params))


def quality_agencies(con, flt: Filters, reviewed: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    """`quality_by_agency` of `quality_scores`, computed in SQL: a view of the data-quality page reads a row
    per agency, not one per report."""
    return _with_reviews(con, flt, reviewed, lambda sql, params: _q(con, f"""
        select agency_id, agency, level, count(report_id) as reports, min(score) as min_score,
            avg(score) as mean_score, sum(errors)::bigint as errors, sum(warnings)::bigint as warnings,
            sum(confirmed)::bigint as confirmed, arg_min(year, score * 100000 + year) as worst_year
        from ({sql}) s group by agency_id, agency, level
        order by min_score, mean_score, agency, agency_id""", params))


def _with_reviews(con, flt: Filters, reviewed: tuple[tuple[str, str], ...], run):
    """`run(sql, params)` of the scores' SQL (the marts' or the read-time one), the reviews registered."""
    scope, params = _scope(flt, "r")
    rev = pd.DataFrame(list(reviewed), columns=["finding_key", "status"])
    con.register("reviewed", rev)
    try:
        if marts.has(con):
            return run(marts.quality_scores_sql(scope, "reviewed", SCORE_ERROR, SCORE_WARNING), params)
        return run(f"""
            with f as (
                select c.report_id, c.severity, c.check_id, coalesce(v.status, 'open') as status
                from v_check_results c left join reviewed v using (finding_key)
            ),
            n as (
                select report_id,
                    count(*) filter (where severity = 'error' and status <> 'dismissed') as errors,
                    count(*) filter (where severity = 'warning' and status <> 'dismissed') as warnings,
                    count(*) filter (where severity in ('error', 'warning') and status = 'open') as open,
                    count(*) filter (where severity in ('error', 'warning') and status = 'confirmed') as confirmed,
                    count(*) filter (where severity in ('error', 'warning') and status = 'dismissed') as dismissed,
                    count(*) filter (where check_id = 'table_missing' and status <> 'dismissed') as tables_missing
                from f group by report_id
            )
            select r.agency_id, a.name as agency, a.level, r.year, r.report_id,
                coalesce(n.errors, 0) as errors, coalesce(n.warnings, 0) as warnings, coalesce(n.open, 0) as open,
                coalesce(n.confirmed, 0) as confirmed, coalesce(n.dismissed, 0) as dismissed,
                {marts.score_sql("coalesce(n.errors, 0)", "coalesce(n.warnings, 0)", "coalesce(n.tables_missing, 0)",
                                 SCORE_ERROR, SCORE_WARNING)} as score
            from reports r join agencies a using (agency_id) left join n using (report_id)
            where {scope} order by score, a.name, r.year""", params)
    finally:
        con.unregister("reviewed")


def quality_by_agency(scores: pd.DataFrame) -> pd.DataFrame:
    """Per agency, worst first: its lowest and mean score, reports, errors and warnings that count."""
    if scores.empty:
        return pd.DataFrame(columns=["agency_id", "agency", "level", "reports", "min_score", "mean_score", "errors",
                                     "warnings", "confirmed", "worst_year"])
    g = scores.sort_values(["score", "year"]).groupby(["agency_id", "agency", "level"], as_index=False, dropna=False)
    out = g.agg(reports=("report_id", "count"), min_score=("score", "min"), mean_score=("score", "mean"),
                errors=("errors", "sum"), warnings=("warnings", "sum"), confirmed=("confirmed", "sum"),
                worst_year=("year", "first"))
    return out.sort_values(["min_score", "mean_score", "agency"]).reset_index(drop=True)


def timeliness(con, flt: Filters, year: int) -> pd.DataFrame:
    """The reports of one year with the site's date, the deadline, `reports.timeliness` (on_time, late,
    unknown; null for an agency outside the register) and the days late as the published_late check
    counts them."""
    scope, params = _scope(flt, "r")
    return _q(con, f"""
        select r.agency_id, a.name as agency, a.level, r.report_id, r.published_on, r.deadline, r.timeliness,
            case when r.timeliness = 'late' then date_diff('day', r.deadline, r.published_on) end as days_late
        from reports r join agencies a using (agency_id)
        where {scope} and r.year = ? order by days_late desc nulls last, a.name""", [*params, year])


def has_verified(con) -> bool:
    """Whether the warehouse records a per-fact `verified` flag (v_values.verified)."""
    return bool(con.execute("select count(*) from information_schema.columns where table_name = 'v_values' "
                            "and column_name = 'verified'").fetchone()[0])


def unverified(con, flt: Filters, year: int | None = None, report_id: str | None = None) -> pd.DataFrame | None:
    """Per report, the facts whose value could not be verified (v_values.verified false), or None when
    the warehouse has no such flag."""
    if not has_verified(con):
        return None
    scope, params = _scope(flt, "f")
    extra, extra_p = "", []
    if year is not None:
        extra, extra_p = " and f.year = ?", [year]
    if report_id is not None:
        extra, extra_p = extra + " and f.report_id = ?", extra_p + [report_id]
    return _q(con, f"""
        select f.report_id, f.agency_id, a.name as agency, f.year, count(*) as facts, list(f.key order by f.key) as keys
        from v_values f join agencies a using (agency_id)
        where not f.verified and {scope}{extra} group by all order by a.name""", [*params, *extra_p])
