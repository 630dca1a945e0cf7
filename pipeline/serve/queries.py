"""The dashboard's questions, as functions of a read-only connection and the shared filters.

Pages ask these for DataFrames and hold no SQL. The SQL reads the tables and views made for the
dashboard in schema.sql (v_values, measures, coverage, facts_cube, v_check_results, reports, agencies),
never the loading tables. The benchmark times the same functions.

One module past the usual size on purpose: pages call these by name through the cache (`common.q`),
and they share the SQL fragments (scope, kind, level order) and the measures' definitions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from pipeline.spec import catalog
from pipeline.spec.measures import (MEASURES, MIN_APPLICATIONS_FOR_RATES, MIN_CONCLUDED_FOR_RATES, Measure,  # noqa: F401
                                    columns as _columns)

# the overview tiles: measure column of `measures`, how agencies are pooled
TILES = (
    ("agencies", "机构报告数", "Agencies reporting"),
    ("applications", "收到申请", "Applications received"),
    ("grant_rate", "公开率", "Grant rate"),
    ("correction_rate", "复议诉讼纠错率", "Correction rate"),
    ("website_visits", "网站访问量", "Website visits"),
    ("followers_total", "新媒体粉丝", "New-media followers"),
    ("procurement_wan_yuan", "集中采购金额", "Procurement"),
)
# a government (people's government, zone committee, street office, and the general office reporting for
# it) or a department: peers are the same level and the same kind, never a department beside a government
KIND_SQL = """case when a.register_level in ('province', 'city', 'county', 'township') then 'government'
    when a.register_level is not null then 'department'
    when regexp_matches(a.name, '(人民政府|管理委员会|管委会|执行委员会|办事处)(办公厅|办公室)?$') then 'government'
    else 'department' end"""


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
    verified_only: bool = False   # leave out values whose facts the report's identities do not confirm

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
    return _q(con, f"select agency_id, name, province, city, district, level, sector, registered, parent_id, adcode "
                   f"from agencies a where {aw} order by name", ap)


# what a coverage cell's square says (publication), and its second mark (what the checks found)
TIMELINESS_STATES = ("on_time", "late", "date_unknown", "not_published", "not_collected", "older_format")
FINDING_STATES = ("ok", "incomplete", "failing_checks")
_LEVEL_ORDER = "case a.level when 'national' then 0 when 'provincial' then 1 when 'city' then 2 when 'county' then 3 " \
               "when 'township' then 4 else 5 end"


def coverage(con, flt: Filters) -> pd.DataFrame:
    """Agency x year, two separate states. `timeliness`: on_time / late (the site's date against the
    deadline), date_unknown (a report, no date), not_published (the list page, read after the deadline,
    does not list it), not_collected (no file, and nianbao cannot tell) or older_format. `findings`: ok,
    incomplete (a table missing) or failing_checks (errors), for a report only. `days_late` for a late
    report. Agencies come grouped by region and level."""
    scope, params = _scope(flt, "c")
    return _q(con, f"""
        select c.agency_id, c.agency, a.province, a.city, a.level, c.year,
            case when c.report_id is null then c.status
                 when c.timeliness in ('on_time', 'late') then c.timeliness else 'date_unknown' end as timeliness,
            case when c.report_id is null then null when c.status in ('failing_checks', 'incomplete') then c.status
                 else 'ok' end as findings,
            c.published_on, c.deadline,
            case when c.timeliness = 'late' then date_diff('day', c.deadline, c.published_on) end as days_late,
            c.errors, c.warnings, c.report_id
        from coverage c join agencies a using (agency_id)
        where {scope}
        order by a.province nulls first, a.city nulls first, {_LEVEL_ORDER}, c.agency, c.year""", params)


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


def metric_series(con, flt: Filters, key: str) -> pd.DataFrame:
    """agency, year, value of one `metric:dim` key (missing reports are simply absent: gaps, not zeros)."""
    metric, _, dim = key.partition(":")
    scope, params = _scope(flt, "f")
    dim_sql = "f.dim is null" if not dim else "f.dim = ?"
    dim_params = [] if not dim else [dim]
    return _q(con, f"""
        select a.name as agency, f.agency_id, f.year, f.value, f.provenance
        from v_values f join agencies a using (agency_id)
        where f.metric = ? and {dim_sql} and {scope}
        order by a.name, f.year
    """, [metric, *dim_params, *params])


def definition(measure: str, lang: str) -> str:
    m = MEASURES[measure]
    return m.def_zh if lang == "zh" else m.def_en


def tiles(con, flt: Filters, year: int) -> pd.DataFrame:
    """One row per tile: the value over every agency reporting in the year (`agencies`), and the change
    from the year before computed over the same agencies in both years (`same_agencies`: `previous` ->
    `current_same`). Rates are pooled: the sum of numerators over the sum of denominators, as defined in
    MEASURES; `denominator` is that sum, and below the measure's minimum the tile is a small sample."""
    scope, params = _scope(Filters(**{**flt.__dict__, "year_from": year - 1, "year_to": year}), "m")
    cols = sorted({c for k, _, _ in TILES if k in MEASURES for c in _columns(k)})
    keys = [k for k, _, _ in TILES if k in MEASURES]
    df = _q(con, f"select m.agency_id, m.year, {', '.join('m.' + c for c in cols)}, "
                 f"{', '.join(f'v.{k} as ok_{k}' for k in keys)} "
                 f"from measures m join measures_verified v using (agency_id, year) where {scope}", params)
    cur, prev = df[df.year == year].set_index("agency_id"), df[df.year == year - 1].set_index("agency_id")
    rows = []
    for key, zh, en in TILES:
        if key == "agencies":
            rows.append({"tile": key, "zh": zh, "en": en, "value": float(len(cur)) if len(cur) else None,
                         "agencies": len(cur), "denominator": None, "small_sample": False, "unverified": 0, "previous": float(len(prev)) if len(prev) else None,
                         "current_same": float(len(cur)) if len(cur) else None, "same_agencies": None,
                         "change": float(len(cur) - len(prev)) if len(cur) and len(prev) else None})
            continue
        c_ok, p_ok = _valid(cur, key), _valid(prev, key)
        unverified = int((c_ok[f"ok_{key}"] == False).sum())  # noqa: E712  (null: no value)
        if flt.verified_only:
            c_ok, p_ok = c_ok[c_ok[f"ok_{key}"] == True], p_ok[p_ok[f"ok_{key}"] == True]  # noqa: E712
        same = c_ok.index.intersection(p_ok.index)
        value = _pooled(c_ok, key)
        now, before = _pooled(c_ok.loc[same], key), _pooled(p_ok.loc[same], key)
        m = MEASURES[key]
        den = float(c_ok.eval(m.den).sum()) if m.rate and len(c_ok) else None
        rows.append({"tile": key, "zh": zh, "en": en, "value": value, "agencies": len(c_ok), "denominator": den,
                     "unverified": unverified,
                     "small_sample": bool(m.rate and den is not None and den < m.min_den),
                     "previous": before, "current_same": now, "same_agencies": len(same),
                     "change": (now - before) if now is not None and before is not None else None})
    return pd.DataFrame(rows)


def _valid(df: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Rows where the measure can be computed (every column it needs, a positive denominator)."""
    need = _columns(measure)
    ok = df.dropna(subset=need) if len(df) else df
    m = MEASURES[measure]
    if m.rate and len(ok):
        ok = ok[ok.eval(m.den) > 0]
    return ok


def _pooled(df: pd.DataFrame, measure: str) -> float | None:
    if not len(df):
        return None
    m = MEASURES[measure]
    if m.rate:
        den = float(df.eval(m.den).sum())
        return float(df.eval(m.num).sum()) / den if den > 0 else None
    return float(df[measure].sum())


def pooled_series(con, flt: Filters, measure: str) -> pd.DataFrame:
    """year, value, agencies: a rate pooled over the agencies in scope each year (the tile's definition)."""
    _check_measure(measure)
    m = MEASURES[measure]
    scope, params = _scope(flt, "m")
    if not m.rate:
        return _q(con, f"select year, sum({measure}) as value, count({measure}) as agencies from measures m "
                       f"where {scope} group by year order by year", params)
    num, den = (re.sub(r"([a-z_]+)", r"m.\1", x) for x in (m.num, m.den))
    return _q(con, f"""
        select year, sum({num}) / nullif(sum({den}), 0) as value, count(*) as agencies, sum({den}) as denominator,
            sum({den}) < {m.min_den} as small_sample, count(*) filter (where not v.{measure}) as unverified
        from measures m join measures_verified v using (agency_id, year)
        where {scope} and ({num}) is not null and ({den}) > 0 {"and v." + measure if flt.verified_only else ""}
        group by year order by year""", params)


def ranking(con, flt: Filters, year: int, measure: str | None = None, key: str | None = None,
            worst_first: bool | None = None) -> pd.DataFrame:
    """Every agency in scope with a value in `year`, for a derived measure or a `metric:dim` key, in the
    order shown: worst first or best first by the rate's direction (`worst_first`, the default; for a
    count, which has no direction, highest first). `rank` counts down that order; small samples (a rate whose
    denominator is under the measure's minimum) come after every ranked agency, unranked. Each row has
    its level and kind (government or department), the previous year's value and the change (only when
    the previous year is the year before), and `peer_median` over `peers` agencies: the agencies in
    scope of the same level and kind, small samples left out (the one median definition)."""
    if measure:
        _check_measure(measure)
        m = MEASURES[measure]
        scope, params = _scope(flt, "m")
        den = " + ".join(f"m.{c}" for c in m.den.split(" + ")) if m.rate else "null::double"
        df = _q(con, f"""
            select m.agency_id, a.name as agency, a.level, {KIND_SQL} as kind, a.province, a.city, m.year,
                m.{measure} as value, p.{measure} as prev_value, {den} as denominator, v.{measure} as verified
            from measures m join agencies a using (agency_id) join measures_verified v using (agency_id, year)
            left join measures p on p.agency_id = m.agency_id and p.year = m.year - 1
            where {scope} and m.year = ? and m.{measure} is not null {"and v." + measure if flt.verified_only else ""}""",
                [*params, year])
        min_den = m.min_den if m.rate else 0
        higher_is_worse = m.higher_is_worse if m.rate else False
        rate = m.rate
    else:
        metric, _, dim = key.partition(":")
        scope, params = _scope(flt, "f")
        dim_sql, dim_params = ("dim is null", []) if not dim else ("dim = ?", [dim])
        df = _q(con, f"""
            with v as (select agency_id, year, value, coalesce(verified, false) as verified from v_values
                       where metric = ? and {dim_sql})
            select f.agency_id, a.name as agency, a.level, {KIND_SQL} as kind, a.province, a.city, f.year, f.value,
                p.value as prev_value, null::double as denominator, f.verified
            from v f join agencies a using (agency_id)
            left join v p on p.agency_id = f.agency_id and p.year = f.year - 1
            where f.year = ? and {scope} {"and f.verified" if flt.verified_only else ""}""",
                [metric, *dim_params, year, *params])
        min_den, higher_is_worse, rate = 0, False, False
    if worst_first is None:
        worst_first = True
    df["change"] = df.value - df.prev_value
    df["pct_change"] = (df.change / df.prev_value.where(df.prev_value != 0)).astype(float)
    df["small_sample"] = (df.denominator < min_den) if min_den else False
    df["small_sample"] = df["small_sample"].astype(bool)
    usable = df[~df.small_sample]
    peers = usable.groupby(["level", "kind"], dropna=False).value.agg(["median", "count"])
    idx = pd.MultiIndex.from_arrays([df.level, df.kind])
    df["peer_median"] = peers["median"].reindex(idx).to_numpy() if len(peers) else None
    df["peers"] = peers["count"].reindex(idx).fillna(0).astype(int).to_numpy() if len(peers) else 0
    # worst first: the worse end of the measure's direction first; best first: the other end
    descending = higher_is_worse if worst_first else not higher_is_worse
    if not rate:  # a count has no direction: "worst first" is highest first, as the order radio says
        descending = worst_first
    df = df.sort_values(["small_sample", "value", "agency"], ascending=[True, not descending, True]).reset_index(drop=True)
    df["rank"] = pd.array([i + 1 if not s else pd.NA for i, s in enumerate(df.small_sample)], dtype="Int64")
    return df


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
        sql = f"select distinct f.year from v_values f where f.metric = ? and f.{dim_sql} and {scope} order by 1 desc"
    else:
        scope, params = _cube_where(flt)
        sql = f"select distinct c.year from facts_cube c where c.metric = ? and c.{dim_sql} and {scope} order by 1 desc"
    return [r[0] for r in con.execute(sql, [metric, *dim_params, *params]).fetchall()]


def _check_measure(measure: str) -> None:
    """Measures are column names in SQL: only the known ones pass."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")


def measure_series(con, flt: Filters, measure: str) -> pd.DataFrame:
    """agency, year, value of a measure, with a rate's denominator and whether it is a small sample."""
    _check_measure(measure)
    m = MEASURES[measure]
    scope, params = _scope(flt, "m")
    den = f"({m.den})" if m.rate else "null::double"
    small = f"coalesce({den} < {m.min_den}, false)" if m.rate else "false"
    return _q(con, f"""
        select a.name as agency, m.agency_id, m.year, m.{measure} as value, {den} as denominator, {small} as small_sample
        from measures m join agencies a using (agency_id)
        where {scope} and m.{measure} is not null order by a.name, m.year
    """, params)


def section_agencies(con, flt: Filters, section: str, same: bool = False) -> pd.DataFrame:
    """year, agencies: how many agencies each year's sums of a section are over (with `same`, only the
    agencies that report the section in every year in scope, as `section_totals(same=True)` sums)."""
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    only = flt.verified_only
    if same:
        flt = Filters(flt.year_from, flt.year_to, search=flt.search, agency_ids=same_agencies(con, flt, section) or ("",))
    scope, params = _scope(flt, "f")
    ok = "coalesce(f.verified, false)"
    return _q(con, f"""
        select f.year, count(distinct f.agency_id) {f"filter (where {ok})" if only else ""} as agencies,
            count(*) filter (where not {ok}) as unverified
        from v_values f where f.metric in (select unnest(?::varchar[])) and {scope}
        group by f.year order by f.year""", [metrics, *params])


def same_agencies(con, flt: Filters, section: str) -> tuple[str, ...]:
    """The agencies in scope that report a section in every year in scope (the same agencies each year)."""
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    scope, params = _scope(flt, "f")
    rows = con.execute(f"""
        with v as (select distinct f.agency_id, f.year from v_values f
                   where f.metric in (select unnest(?::varchar[])) and {scope})
        select agency_id from v group by agency_id
        having count(*) = (select count(distinct year) from v) order by agency_id""", [metrics, *params]).fetchall()
    return tuple(r[0] for r in rows)


def section_totals(con, flt: Filters, section: str, same: bool = False) -> pd.DataFrame:
    """year, key, value summed over the selected agencies, for every metric of a section (with `same`, over
    the agencies that report the section in every year in scope only)."""
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    only = flt.verified_only
    if same:
        flt = Filters(flt.year_from, flt.year_to, search="", agency_ids=same_agencies(con, flt, section) or ("",),
                      verified_only=only)
    ok = "coalesce(f.verified, false)"
    if flt.search.strip() or flt.agency_ids:
        scope, params = _scope(flt, "f")
        return _q(con, f"""
            select f.year, f.metric, f.dim, case when f.dim is null then f.metric else f.metric || ':' || f.dim end as key,
                {f"sum(f.value) filter (where {ok})" if only else "sum(f.value)"} as value,
                count(distinct f.agency_id) {f"filter (where {ok})" if only else ""} as agencies,
                count(*) filter (where not {ok}) as unverified
            from v_values f
            where f.metric in (select unnest(?::varchar[])) and {scope}
            group by all order by f.year, key
        """, [metrics, *params])
    # no search: the pre-aggregated cube answers by province, city, level and sector
    scope, params = _cube_where(flt)
    return _q(con, f"""
        select c.year, c.metric, c.dim, case when c.dim is null then c.metric else c.metric || ':' || c.dim end as key,
            sum(c.{"value_verified" if only else "value"}) as value, sum(c.{"agencies_verified" if only else "agencies"})::bigint
                as agencies, sum(c.unverified)::bigint as unverified
        from facts_cube c where c.metric in (select unnest(?::varchar[])) and {scope}
        group by all order by c.year, key
    """, [metrics, *params])


def agency_section(con, flt: Filters, section: str, year: int | None = None) -> pd.DataFrame:
    """agency, year, key, value for every metric of a section."""
    scope, params = _scope(flt, "f")
    year_sql, year_params = ("and f.year = ?", [year]) if year is not None else ("", [])
    return _q(con, f"""
        select a.name as agency, f.year, f.metric, f.dim,
            case when f.dim is null then f.metric else f.metric || ':' || f.dim end as key, f.value
        from v_values f join agencies a using (agency_id)
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
        select c.agency, c.agency_id, c.year, c.severity, c.check_id, c.explanation_zh, c.explanation_en, c.message,
            c.message_en, c.evidence, c.source_name, c.report_id, c.finding_key
        from v_check_results c where {scope} {extra}
        order by case c.severity when 'error' then 0 when 'warning' then 1 else 2 end, c.agency, c.year
    """, params)


def reports(con, flt: Filters) -> pd.DataFrame:
    scope, params = _scope(flt, "r")
    return _q(con, f"""
        select r.report_id, r.agency_id, a.name as agency, r.year, r.template, r.source_name, r.source_format, r.published,
            r.alternatives, r.choice_reason, r.published_on, r.source_url
        from reports r join agencies a using (agency_id) where {scope} order by a.name, r.year
    """, params)


def report_facts(con, report_id: str) -> pd.DataFrame:
    return _q(con, """
        select f.metric, f.dim, case when f.dim is null then f.metric else f.metric || ':' || f.dim end as key,
            f.value, coalesce(f.verified, false) as verified, f.provenance, f.note, f.evidence
        from v_values f where f.report_id = ?
    """, [report_id])


def evidence_of(value) -> dict:
    """A fact's evidence as a dict, however the warehouse handed it over (JSON text, a dict, null)."""
    import json

    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            got = json.loads(value)
        except ValueError:
            return {}
        return got if isinstance(got, dict) else {}
    return {}


def report_ocr(con, report_id: str) -> dict | None:
    """How much of a report was read by OCR (a scan, or tables pasted as pictures): the values read so,
    of all its values, and the lowest and mean recognition confidence among them; None when none was."""
    row = con.execute("""
        select count(*) filter (where json_extract_string(evidence, '$.read_by') = 'ocr'),
            count(*),
            min(try_cast(json_extract(evidence, '$.ocr_confidence') as double))
                filter (where json_extract_string(evidence, '$.read_by') = 'ocr'),
            avg(try_cast(json_extract(evidence, '$.ocr_confidence') as double))
                filter (where json_extract_string(evidence, '$.read_by') = 'ocr')
        from v_values where report_id = ?""", [report_id]).fetchone()
    if not row or not row[0]:
        return None
    return {"facts": int(row[0]), "of": int(row[1]), "min_confidence": row[2], "mean_confidence": row[3]}


def report_checks(con, report_id: str) -> pd.DataFrame:
    return _q(con, "select check_id, severity, message, message_en, evidence from check_results where report_id = ?", [report_id])


def report_source(con, report_id: str) -> dict | None:
    rows = con.execute("""
        select r.source_name, r.source_format, f.raw_path, r.source_sha256
        from reports r left join files f on f.sha256 = r.source_sha256 where r.report_id = ?
    """, [report_id]).fetchall()
    if not rows:
        return None
    name, fmt, raw, sha = rows[0]
    return {"name": name, "format": fmt, "raw_path": raw, "sha256": sha}


# -- one agency -----------------------------------------------------------------------------------

def agency_info(con, agency_id: str) -> dict | None:
    rows = _q(con, f"""
        select a.*, p.name as parent_name, {KIND_SQL} as kind from agencies a left join agencies p on p.agency_id = a.parent_id
        where a.agency_id = ?""", [agency_id])
    return None if rows.empty else rows.iloc[0].to_dict()


def agency_reports(con, agency_id: str) -> pd.DataFrame:
    """Each year's report of one agency with its dates and how many findings of each severity."""
    return _q(con, """
        select r.year, r.report_id, r.template, r.source_name, r.published_on, r.deadline, r.timeliness, r.source_url,
            count(c.check_id) filter (where c.severity = 'error') as errors,
            count(c.check_id) filter (where c.severity = 'warning') as warnings,
            count(c.check_id) filter (where c.severity = 'info') as infos
        from reports r left join check_results c using (report_id)
        where r.agency_id = ? group by all order by r.year""", [agency_id])


def agency_measures(con, flt: Filters, agency_id: str) -> pd.DataFrame:
    """measure, year, value of one agency (a rate with its denominator and whether it is a small sample)
    beside the median of its peers, as the ranking defines them (agencies of the same level and kind,
    within the filtered region when a region is filtered, small samples left out), and over how many
    peers (`peers`) that median is."""
    cols = ["measure", "year", "value", "denominator", "small_sample", "verified", "peer_median", "peers"]
    info = agency_info(con, agency_id)
    if info is None:
        return pd.DataFrame(columns=cols)
    peers_flt = Filters(provinces=flt.provinces, cities=flt.cities, levels=(info["level"],))
    aw, ap = peers_flt.agency_where("a")
    rows = []
    own = _q(con, f"select m.*, {KIND_SQL} as kind, " + ", ".join(f"v.{k} as ok_{k}" for k in MEASURES)
             + " from measures m join agencies a using (agency_id) join measures_verified v using (agency_id, year) "
               "where m.agency_id = ?", [agency_id])
    if own.empty:
        return pd.DataFrame(columns=cols)
    kind = own.kind.iloc[0]
    peers = _q(con, "select m.*, " + ", ".join(f"v.{k} as ok_{k}" for k in MEASURES)
               + f" from measures m join agencies a using (agency_id) join measures_verified v using (agency_id, year) "
                 f"where {aw} and {KIND_SQL} = ?", [*ap, kind])
    for key, m in MEASURES.items():
        ok = peers.dropna(subset=[key])
        if flt.verified_only:
            ok = ok[ok[f"ok_{key}"] == True]  # noqa: E712
        if m.rate:
            ok = ok[ok.eval(m.den) >= m.min_den]
        med = ok.groupby("year")[key].agg(["median", "count"])
        for r in own.itertuples():
            v = getattr(r, key)
            if pd.isna(v):
                continue
            den = float(own[own.year == r.year].eval(m.den).iloc[0]) if m.rate else None
            rows.append({"measure": key, "year": r.year, "value": float(v), "denominator": den,
                         "small_sample": bool(m.rate and den is not None and den < m.min_den),
                         "verified": bool(getattr(r, f"ok_{key}")) if not pd.isna(getattr(r, f"ok_{key}")) else False,
                         "peer_median": float(med.at[r.year, "median"]) if r.year in med.index else None,
                         "peers": int(med.at[r.year, "count"]) if r.year in med.index else 0})
    return pd.DataFrame(rows, columns=cols)


def agency_checks(con, agency_id: str) -> pd.DataFrame:
    return _q(con, """
        select c.year, c.severity, c.check_id, c.explanation_zh, c.explanation_en, c.message, c.message_en, c.evidence,
            c.report_id
        from v_check_results c where c.agency_id = ?
        order by c.year, case c.severity when 'error' then 0 when 'warning' then 1 else 2 end""", [agency_id])


# -- data quality -----------------------------------------------------------------------------------

SCORE_ERROR, SCORE_WARNING = 20, 5


def quality_scores(con, flt: Filters, reviewed: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    """A score per report (agency and year): 100 − 20 per error − 5 per warning that counts, at least 0.
    `reviewed` is (finding_key, status) of the analysts' reviews: a confirmed finding is a real problem
    and counts as an open one does; only a dismissed finding stops counting. Information findings do not
    count."""
    scope, params = _scope(flt, "r")
    rev = pd.DataFrame(list(reviewed), columns=["finding_key", "status"])
    con.register("reviewed", rev)
    try:
        return _q(con, f"""
            with f as (
                select c.report_id, c.severity, coalesce(v.status, 'open') as status
                from v_check_results c left join reviewed v using (finding_key)
            ),
            n as (
                select report_id,
                    count(*) filter (where severity = 'error' and status <> 'dismissed') as errors,
                    count(*) filter (where severity = 'warning' and status <> 'dismissed') as warnings,
                    count(*) filter (where severity in ('error', 'warning') and status = 'open') as open,
                    count(*) filter (where severity in ('error', 'warning') and status = 'confirmed') as confirmed,
                    count(*) filter (where severity in ('error', 'warning') and status = 'dismissed') as dismissed
                from f group by report_id
            )
            select r.agency_id, a.name as agency, a.level, r.year, r.report_id,
                coalesce(n.errors, 0) as errors, coalesce(n.warnings, 0) as warnings, coalesce(n.open, 0) as open,
                coalesce(n.confirmed, 0) as confirmed, coalesce(n.dismissed, 0) as dismissed,
                greatest(0, 100 - {SCORE_ERROR} * coalesce(n.errors, 0) - {SCORE_WARNING} * coalesce(n.warnings, 0))
                    as score
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


# -- the office's written output (pipeline/serve/writing) reads these, beside the ones above ----------

def measure_changes(con, flt: Filters, year: int, measures: tuple[str, ...]) -> pd.DataFrame:
    """The tiles' arithmetic for any of MEASURES: the value over every agency with one in `year`, and
    `previous` -> `current_same` over the same agencies in both years; for a rate, the pooled
    denominators too (`den_value`, `den_same`, `den_previous`), so a small one can be said to be one."""
    for m in measures:
        _check_measure(m)
    scope, params = _scope(Filters(**{**flt.__dict__, "year_from": year - 1, "year_to": year}), "m")
    cols = sorted({c for k in measures for c in _columns(k)})
    df = _q(con, f"select m.agency_id, m.year, {', '.join(cols)} from measures m where {scope}", params)
    cur, prev = df[df.year == year].set_index("agency_id"), df[df.year == year - 1].set_index("agency_id")
    rows = []
    for key in measures:
        m = MEASURES[key]
        c_ok, p_ok = _valid(cur, key), _valid(prev, key)
        same = c_ok.index.intersection(p_ok.index)
        now, before = _pooled(c_ok.loc[same], key), _pooled(p_ok.loc[same], key)
        den = (lambda d: float(sum(d[c].sum() for c in m.den.split(" + "))) if m.rate and len(d) else None)
        rows.append({"measure": key, "value": _pooled(c_ok, key), "agencies": len(c_ok), "previous": before,
                     "current_same": now, "same_agencies": len(same),
                     "change": (now - before) if now is not None and before is not None else None,
                     "den_value": den(c_ok), "den_same": den(c_ok.loc[same]), "den_previous": den(p_ok.loc[same])})
    return pd.DataFrame(rows)


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
