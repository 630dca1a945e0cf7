"""The dashboard's questions, as functions of a read-only connection and the shared filters.

Pages ask these for DataFrames and hold no SQL. The benchmark times the same functions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import catalog

# the overview tiles: measure column of `measures`, how agencies are pooled
TILES = (
    ("agencies", "机构报告数", "Agencies reporting"),
    ("applications", "收到申请", "Applications received"),
    ("grant_rate", "公开率", "Grant rate"),
    ("correction_rate", "纠错率", "Correction rate"),
    ("website_visits", "网站访问量", "Website visits"),
    ("followers_total", "新媒体粉丝", "New-media followers"),
    ("procurement_wan_yuan", "集中采购金额（万元）", "Procurement (10k yuan)"),
)
MIN_APPLICATIONS_FOR_RATES = 30


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    search: str = ""
    agency_ids: tuple[str, ...] = field(default=())

    def agency_where(self, alias: str = "a") -> tuple[str, list]:
        where, params = ["true"], []
        for col, values in (("province", self.provinces), ("city", self.cities), ("level", self.levels),
                            ("sector", self.sectors), ("agency_id", self.agency_ids)):
            if values:
                where.append(f"{alias}.{col} in (select unnest(?::varchar[]))")
                params.append(list(values))
        if self.search.strip():
            # the search is literal text: % and _ in it are not wildcards
            where.append(f"({alias}.name like ? escape '\\' or list_contains({alias}.aliases, ?))")
            literal = self.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [f"%{literal}%", self.search.strip()]
        return " and ".join(where), params

    def year_where(self, col: str = "year") -> tuple[str, list]:
        where, params = ["true"], []
        if self.year_from is not None:
            where.append(f"{col} >= ?")
            params.append(self.year_from)
        if self.year_to is not None:
            where.append(f"{col} <= ?")
            params.append(self.year_to)
        return " and ".join(where), params


def _q(con, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or []).fetchdf()


def _scope(flt: Filters, table_alias: str = "t") -> tuple[str, list]:
    aw, ap = flt.agency_where("a")
    yw, yp = flt.year_where(f"{table_alias}.year")
    return (f"{table_alias}.agency_id in (select a.agency_id from agencies a where {aw}) and {yw}", ap + yp)


def options(con) -> dict:
    """Choices for the sidebar filters."""
    years = [r[0] for r in con.execute("select distinct year from reports order by 1").fetchall()]
    ag = _q(con, "select province, city, level, sector from agencies")
    return {
        "years": years,
        "provinces": sorted(x for x in ag.province.dropna().unique()),
        "cities": sorted(x for x in ag.city.dropna().unique()),
        "levels": sorted(ag.level.dropna().unique()),
        "sectors": sorted(ag.sector.dropna().unique()),
    }


def data_as_of(con) -> dict:
    rows = con.execute("select load_id, finished_at, reports_loaded, status from runs order by finished_at desc limit 1").fetchall()
    if not rows:
        return {}
    load_id, finished, n, status = rows[0]
    demo = con.execute("select value from meta where key = 'demo'").fetchall()
    return {"load_id": load_id, "finished_at": finished, "reports": n, "status": status, "demo": bool(demo and demo[0][0] == "1")}


def agencies(con, flt: Filters) -> pd.DataFrame:
    aw, ap = flt.agency_where("a")
    return _q(con, f"select agency_id, name, province, city, district, level, sector from agencies a where {aw} order by name", ap)


def tiles(con, flt: Filters, year: int) -> pd.DataFrame:
    """One row per tile: value for the year, value for the year before, change."""
    scope, params = _scope(Filters(**{**flt.__dict__, "year_from": year - 1, "year_to": year}), "m")
    df = _q(con, f"""
        select year,
            count(*) as agencies,
            sum(applications) as applications,
            sum(granted + partial) / nullif(sum(handled), 0) as grant_rate,
            (sum(review_corrected) + sum(litigation_corrected))
              / nullif(sum(review_total - review_pending) + sum(litigation_total - litigation_pending), 0) as correction_rate,
            sum(website_visits) as website_visits,
            sum(followers_total) as followers_total,
            sum(procurement_wan_yuan) as procurement_wan_yuan
        from measures m where {scope} group by year
    """, params).set_index("year")
    rows = []
    for key, zh, en in TILES:
        cur = df.at[year, key] if year in df.index else None
        prev = df.at[year - 1, key] if year - 1 in df.index else None
        cur = None if cur is None or pd.isna(cur) else float(cur)
        prev = None if prev is None or pd.isna(prev) else float(prev)
        rows.append({"tile": key, "zh": zh, "en": en, "value": cur, "previous": prev,
                     "change": (cur - prev) if cur is not None and prev is not None else None})
    return pd.DataFrame(rows)


COVERAGE_STATES = ("on_time", "loaded", "late", "failing_checks", "not_published", "not_collected", "older_format")
_LEVEL_ORDER = "case a.level when 'national' then 0 when 'provincial' then 1 when 'city' then 2 when 'county' then 3 " \
               "when 'township' then 4 else 5 end"


def coverage(con, flt: Filters) -> pd.DataFrame:
    """Agency x year: what nianbao holds. `state` is what the matrix paints: on_time / late (the site's
    date against the deadline), loaded (date unknown), failing_checks, not_published (the list page,
    read after the deadline, does not list it), not_collected (no file, and nianbao cannot tell), or
    older_format. Agencies come grouped by region and level."""
    scope, params = _scope(flt, "c")
    return _q(con, f"""
        select c.agency_id, c.agency, a.province, a.city, a.level, c.year, c.status,
            case when c.status = 'loaded' and c.timeliness in ('on_time', 'late') then c.timeliness
                 else c.status end as state,
            c.published_on, c.deadline, c.errors, c.warnings, c.report_id
        from coverage c join agencies a using (agency_id)
        where {scope}
        order by a.province nulls first, a.city nulls first, {_LEVEL_ORDER}, c.agency, c.year""", params)


def metric_series(con, flt: Filters, key: str) -> pd.DataFrame:
    """agency, year, value of one `metric:dim` key (missing reports are simply absent: gaps, not zeros)."""
    metric, _, dim = key.partition(":")
    scope, params = _scope(flt, "f")
    dim_sql = "f.dim is null" if not dim else "f.dim = ?"
    dim_params = [] if not dim else [dim]
    return _q(con, f"""
        select a.name as agency, f.agency_id, f.year, f.value, f.provenance
        from facts f join agencies a using (agency_id)
        where f.metric = ? and {dim_sql} and {scope}
        order by a.name, f.year
    """, [metric, *dim_params, *params])


MEASURES = {
    "applications": ("收到申请数", "Applications received", False),
    "grant_rate": ("公开率（予以公开+部分公开）/ 总计", "Grant rate", True),
    "refusal_rate": ("不予公开率", "Refusal rate", True),
    "review_correction_rate": ("复议纠错率", "Reconsideration correction rate", True),
    "litigation_correction_rate": ("诉讼纠错率", "Litigation correction rate", True),
    "followers_total": ("新媒体粉丝总数", "New-media followers", False),
    "website_visits": ("网站访问量", "Website visits", False),
    "procurement_wan_yuan": ("集中采购金额（万元）", "Procurement (10k yuan)", False),
}


def _cube_where(flt: Filters, alias: str = "c") -> tuple[str, list]:
    """Filters the pre-aggregated cube can answer: province, city, level, sector and years."""
    where, params = ["true"], []
    for col, values in (("province", flt.provinces), ("city", flt.cities), ("level", flt.levels), ("sector", flt.sectors)):
        if values:
            where.append(f"{alias}.{col} in (select unnest(?::varchar[]))")
            params.append(list(values))
    yw, yp = flt.year_where(f"{alias}.year")
    return " and ".join(where + [yw]), params + yp


def years_with(con, flt: Filters, key: str | None = None, measure: str | None = None) -> list[int]:
    """The years in scope that have a value for a metric key or a derived measure."""
    if measure:
        _check_measure(measure)
        scope, params = _scope(flt, "m")
        sql = f"select distinct m.year from measures m where {scope} and m.{measure} is not null order by 1 desc"
        return [r[0] for r in con.execute(sql, params).fetchall()]
    metric, _, dim = key.partition(":")
    dim_sql, dim_params = ("dim is null", []) if not dim else ("dim = ?", [dim])
    if flt.search.strip() or flt.agency_ids:
        scope, params = _scope(flt, "f")
        sql = f"select distinct f.year from facts f where f.metric = ? and f.{dim_sql} and {scope} order by 1 desc"
    else:
        scope, params = _cube_where(flt)
        sql = f"select distinct c.year from facts_cube c where c.metric = ? and c.{dim_sql} and {scope} order by 1 desc"
    return [r[0] for r in con.execute(sql, [metric, *dim_params, *params]).fetchall()]


def _check_measure(measure: str) -> None:
    """Measures are column names in SQL: only the known ones pass."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")


def measure_series(con, flt: Filters, measure: str) -> pd.DataFrame:
    _check_measure(measure)
    scope, params = _scope(flt, "m")
    return _q(con, f"""
        select a.name as agency, m.agency_id, m.year, m.{measure} as value, m.applications
        from measures m join agencies a using (agency_id)
        where {scope} and m.{measure} is not null order by a.name, m.year
    """, params)


def section_totals(con, flt: Filters, section: str) -> pd.DataFrame:
    """year, key, value summed over the selected agencies, for every metric of a section."""
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    if flt.search.strip() or flt.agency_ids:
        scope, params = _scope(flt, "f")
        return _q(con, f"""
            select f.year, f.metric, f.dim, case when f.dim is null then f.metric else f.metric || ':' || f.dim end as key,
                sum(f.value) as value, count(distinct f.agency_id) as agencies
            from facts f
            where f.metric in (select unnest(?::varchar[])) and {scope}
            group by all order by f.year, key
        """, [metrics, *params])
    # no search: the pre-aggregated cube answers by province, city, level and sector
    scope, params = _cube_where(flt)
    return _q(con, f"""
        select c.year, c.metric, c.dim, case when c.dim is null then c.metric else c.metric || ':' || c.dim end as key,
            sum(c.value) as value, sum(c.agencies)::bigint as agencies
        from facts_cube c where c.metric in (select unnest(?::varchar[])) and {scope}
        group by all order by c.year, key
    """, [metrics, *params])


def metric_ranking(con, flt: Filters, key: str, year: int, top: int = 30,
                   ascending: bool = False) -> tuple[pd.DataFrame, float | None]:
    """The first `top` agencies of one year for a `metric:dim` key, highest first (or lowest first), and
    the peer median over all of them (one scan of facts)."""
    metric, _, dim = key.partition(":")
    scope, params = _scope(flt, "f")
    dim_sql, dim_params = ("f.dim is null", []) if not dim else ("f.dim = ?", [dim])
    df = _q(con, f"""
        with v as materialized (
            select f.agency_id, f.year, f.value from facts f
            where f.metric = ? and {dim_sql} and f.year = ? and {scope}
        )
        select a.name as agency, v.agency_id, v.year, v.value, (select median(value) from v) as median
        from v join agencies a using (agency_id)
        order by v.value {"asc" if ascending else "desc"}, agency limit {int(top)}
    """, [metric, *dim_params, year, *params])
    median = float(df["median"].iloc[0]) if len(df) and pd.notna(df["median"].iloc[0]) else None
    return df.drop(columns="median"), median


def measure_ranking(con, flt: Filters, measure: str, year: int, rate: bool, top: int = 30,
                    ascending: bool = False) -> tuple[pd.DataFrame, float | None]:
    """The top agencies of one year for a measure, and the peer median, computed in the database.
    Rates are not ranked for agencies with fewer than 30 applications."""
    _check_measure(measure)
    scope, params = _scope(flt, "m")
    floor = f"and coalesce(m.applications, 0) >= {MIN_APPLICATIONS_FOR_RATES}" if rate else ""
    base = f"from measures m join agencies a using (agency_id) where {scope} and m.year = ? and m.{measure} is not null {floor}"
    df = _q(con, f"select a.name as agency, m.agency_id, m.year, m.{measure} as value, m.applications {base} "
                 f"order by value {'asc' if ascending else 'desc'}, agency limit {int(top)}", [*params, year])
    med = con.execute(f"select median(m.{measure}) {base}", [*params, year]).fetchall()[0][0]
    return df, (float(med) if med is not None else None)


def agency_section(con, flt: Filters, section: str, year: int | None = None) -> pd.DataFrame:
    """agency, year, key, value for every metric of a section."""
    scope, params = _scope(flt, "f")
    year_sql, year_params = ("and f.year = ?", [year]) if year is not None else ("", [])
    return _q(con, f"""
        select a.name as agency, f.year, f.metric, f.dim,
            case when f.dim is null then f.metric else f.metric || ':' || f.dim end as key, f.value
        from facts f join agencies a using (agency_id)
        where f.metric in (select unnest(?::varchar[])) and {scope} {year_sql}
        order by a.name, f.year
    """, [[m.code for m in catalog.METRICS if m.section == section], *params, *year_params])


def checks(con, flt: Filters, severities: tuple[str, ...] = (), check_ids: tuple[str, ...] = ()) -> pd.DataFrame:
    scope, params = _scope(flt, "c")
    extra = ""
    if severities:
        extra += " and c.severity in (select unnest(?::varchar[]))"
        params.append(list(severities))
    if check_ids:
        extra += " and c.check_id in (select unnest(?::varchar[]))"
        params.append(list(check_ids))
    return _q(con, f"""
        select c.agency, c.year, c.severity, c.check_id, c.explanation_zh, c.explanation_en, c.message, c.evidence,
            c.source_name, c.report_id
        from v_check_results c where {scope} {extra}
        order by case c.severity when 'error' then 0 when 'warning' then 1 else 2 end, c.agency, c.year
    """, params)


def reports(con, flt: Filters) -> pd.DataFrame:
    scope, params = _scope(flt, "r")
    return _q(con, f"""
        select r.report_id, a.name as agency, r.year, r.template, r.source_name, r.source_format, r.published,
            r.alternatives, r.choice_reason
        from reports r join agencies a using (agency_id) where {scope} order by a.name, r.year
    """, params)


def report_facts(con, report_id: str) -> pd.DataFrame:
    return _q(con, """
        select f.metric, f.dim, case when f.dim is null then f.metric else f.metric || ':' || f.dim end as key,
            f.value, f.provenance, f.note, f.evidence
        from facts f where f.report_id = ?
    """, [report_id])


def report_checks(con, report_id: str) -> pd.DataFrame:
    return _q(con, "select check_id, severity, message, evidence from check_results where report_id = ?", [report_id])


def report_source(con, report_id: str) -> dict | None:
    rows = con.execute("""
        select r.source_name, r.source_format, f.raw_path, r.source_sha256
        from reports r left join files f on f.sha256 = r.source_sha256 where r.report_id = ?
    """, [report_id]).fetchall()
    if not rows:
        return None
    name, fmt, raw, sha = rows[0]
    return {"name": name, "format": fmt, "raw_path": raw, "sha256": sha}
