"""The dashboard's questions, as functions of a read-only connection and the shared filters.

Pages ask these for DataFrames and hold no SQL. The SQL reads the tables and views made for the
dashboard in schema.sql (v_values, measures, coverage, facts_cube, v_check_results, reports, agencies),
never the loading tables. The benchmark times the same functions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from pipeline.spec import catalog

# the overview tiles: measure column of `measures`, how agencies are pooled
TILES = (
    ("agencies", "机构报告数", "Agencies reporting"),
    ("applications", "收到申请", "Applications received"),
    ("grant_rate", "公开率", "Grant rate"),
    ("correction_rate", "复议诉讼纠错率", "Correction rate"),
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
    return _q(con, f"select agency_id, name, province, city, district, level, sector, registered, parent_id, adcode "
                   f"from agencies a where {aw} order by name", ap)


COVERAGE_STATES = ("on_time", "loaded", "late", "incomplete", "failing_checks", "not_published", "not_collected",
                   "older_format")
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
        from v_values f join agencies a using (agency_id)
        where f.metric = ? and {dim_sql} and {scope}
        order by a.name, f.year
    """, [metric, *dim_params, *params])


class Measure(NamedTuple):
    zh: str
    en: str
    rate: bool
    num: str | None = None        # numerator, over the columns of `measures` (rates)
    den: str | None = None        # denominator
    min_den: int = 0              # below it, an agency's rate is a small sample: marked, not ranked against peers
    def_zh: str = ""
    def_en: str = ""


MIN_CONCLUDED_FOR_RATES = 10
MEASURES = {
    "applications": Measure("收到申请数", "Applications received", False,
                            def_zh="表三“本年新收政府信息公开申请数量”总计列",
                            def_en="Table 3, new applications this year, total column"),
    "accepted_total": Measure("受理合计", "Applications to handle", False,
                              def_zh="本年新收 + 上年结转（表三总计列）",
                              def_en="New this year + carried over from last year (table 3, total column)"),
    "grant_rate": Measure("公开率", "Grant rate", True, "granted + partial", "handled", MIN_APPLICATIONS_FOR_RATES,
                          "（予以公开 + 部分公开）÷ 办理结果总计；办理结果总计不足 30 件为小样本",
                          "(granted + partly granted) ÷ total handled; under 30 handled is a small sample"),
    "refusal_rate": Measure("不予公开率", "Refusal rate", True, "refused", "handled", MIN_APPLICATIONS_FOR_RATES,
                            "不予公开（八项之和）÷ 办理结果总计；办理结果总计不足 30 件为小样本",
                            "refused (the eight grounds) ÷ total handled; under 30 handled is a small sample"),
    "review_correction_rate": Measure(
        "复议纠错率", "Reconsideration correction rate", True, "review_corrected", "review_concluded",
        MIN_CONCLUDED_FOR_RATES, "复议结果纠正 ÷ 已审结复议（总计 − 尚未审结）；已审结不足 10 件为小样本",
        "reconsiderations corrected ÷ concluded (total − pending); under 10 concluded is a small sample"),
    "litigation_correction_rate": Measure(
        "诉讼纠错率", "Litigation correction rate", True, "litigation_corrected", "litigation_concluded",
        MIN_CONCLUDED_FOR_RATES, "诉讼结果纠正 ÷ 已审结诉讼（直接起诉与复议后起诉之和，总计 − 尚未审结）；已审结不足 10 件为小样本",
        "lawsuits corrected ÷ concluded (direct and after reconsideration, total − pending); under 10 concluded is "
        "a small sample"),
    "correction_rate": Measure(
        "复议诉讼纠错率", "Correction rate (reconsideration and litigation)", True,
        "review_corrected + litigation_corrected", "review_concluded + litigation_concluded", MIN_CONCLUDED_FOR_RATES,
        "（复议纠正 + 诉讼纠正）÷（已审结复议 + 已审结诉讼）；已审结不足 10 件为小样本",
        "(reconsiderations + lawsuits corrected) ÷ (concluded reconsiderations + lawsuits); under 10 concluded is "
        "a small sample"),
    "dispute_rate": Measure(
        "争议转化率", "Dispute rate", True, "review_total + litigation_total", "applications", MIN_APPLICATIONS_FOR_RATES,
        "（复议总计 + 诉讼总计）÷ 本年新收申请；新收不足 30 件为小样本",
        "(reconsiderations + lawsuits) ÷ new applications; under 30 applications is a small sample"),
    "followers_total": Measure("新媒体粉丝总数", "New-media followers", False,
                               def_zh="报告所列各新媒体账号粉丝数之和", def_en="Sum of the followers of the accounts the report lists"),
    "website_visits": Measure("网站访问量", "Website visits", False, def_zh="报告所述政府网站年度访问量",
                              def_en="The website's visits in the year, as the report states"),
    "procurement_wan_yuan": Measure("集中采购金额（万元）", "Procurement (10k yuan)", False,
                                    def_zh="表二政府集中采购总金额（2019 年格式）",
                                    def_en="Table 2, centralised procurement amount (2019 format)"),
}


def definition(measure: str, lang: str) -> str:
    m = MEASURES[measure]
    return m.def_zh if lang == "zh" else m.def_en


def tiles(con, flt: Filters, year: int) -> pd.DataFrame:
    """One row per tile: the value over every agency reporting in the year (`agencies`), and the change
    from the year before computed over the same agencies in both years (`same_agencies`: `previous` ->
    `current_same`). Rates are pooled: the sum of numerators over the sum of denominators, as defined in
    MEASURES."""
    scope, params = _scope(Filters(**{**flt.__dict__, "year_from": year - 1, "year_to": year}), "m")
    cols = sorted({c for k, _, _ in TILES if k in MEASURES for c in _columns(k)})
    df = _q(con, f"select m.agency_id, m.year, {', '.join(cols)} from measures m where {scope}", params)
    cur, prev = df[df.year == year].set_index("agency_id"), df[df.year == year - 1].set_index("agency_id")
    rows = []
    for key, zh, en in TILES:
        if key == "agencies":
            rows.append({"tile": key, "zh": zh, "en": en, "value": float(len(cur)) if len(cur) else None,
                         "agencies": len(cur), "previous": float(len(prev)) if len(prev) else None,
                         "current_same": float(len(cur)) if len(cur) else None, "same_agencies": None,
                         "change": float(len(cur) - len(prev)) if len(cur) and len(prev) else None})
            continue
        c_ok, p_ok = _valid(cur, key), _valid(prev, key)
        same = c_ok.index.intersection(p_ok.index)
        value = _pooled(c_ok, key)
        now, before = _pooled(c_ok.loc[same], key), _pooled(p_ok.loc[same], key)
        rows.append({"tile": key, "zh": zh, "en": en, "value": value, "agencies": len(c_ok),
                     "previous": before, "current_same": now, "same_agencies": len(same),
                     "change": (now - before) if now is not None and before is not None else None})
    return pd.DataFrame(rows)


def _columns(measure: str) -> list[str]:
    m = MEASURES[measure]
    if not m.rate:
        return [measure]
    return re.findall(r"[a-z_]+", f"{m.num} {m.den}")


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
    return _q(con, f"""
        select year, sum({m.num}) / nullif(sum({m.den}), 0) as value, count(*) as agencies, sum({m.den}) as denominator
        from measures m where {scope} and ({m.num}) is not null and ({m.den}) > 0
        group by year order by year""", params)


def ranking(con, flt: Filters, year: int, measure: str | None = None, key: str | None = None) -> pd.DataFrame:
    """Every agency in scope with a value in `year`, for a derived measure or a `metric:dim` key: its level
    and region, the value, the previous year's value and the change (absolute and in %, only when the
    previous year is the year before), the denominator and whether it is a small sample (rates), and the
    median of its peers (agencies of the same level in scope, small samples left out). Highest first."""
    if measure:
        _check_measure(measure)
        m = MEASURES[measure]
        scope, params = _scope(flt, "m")
        den = re.sub(r"([a-z_]+)", r"m.\1", m.den) if m.rate else "null::double"
        df = _q(con, f"""
            select m.agency_id, a.name as agency, a.level, a.province, a.city, m.year, m.{measure} as value,
                p.{measure} as prev_value, {den} as denominator
            from measures m join agencies a using (agency_id)
            left join measures p on p.agency_id = m.agency_id and p.year = m.year - 1
            where {scope} and m.year = ? and m.{measure} is not null""", [*params, year])
        min_den = m.min_den if m.rate else 0
    else:
        metric, _, dim = key.partition(":")
        scope, params = _scope(flt, "f")
        dim_sql, dim_params = ("dim is null", []) if not dim else ("dim = ?", [dim])
        df = _q(con, f"""
            with v as (select agency_id, year, value from v_values where metric = ? and {dim_sql})
            select f.agency_id, a.name as agency, a.level, a.province, a.city, f.year, f.value, p.value as prev_value,
                null::double as denominator
            from v f join agencies a using (agency_id)
            left join v p on p.agency_id = f.agency_id and p.year = f.year - 1
            where f.year = ? and {scope}""", [metric, *dim_params, year, *params])
        min_den = 0
    df["change"] = df.value - df.prev_value
    df["pct_change"] = (df.change / df.prev_value.where(df.prev_value != 0)).astype(float)
    df["small_sample"] = (df.denominator < min_den) if min_den else False
    peers = df[~df.small_sample].groupby("level").value.median()
    df["peer_median"] = df.level.map(peers)
    df = df.sort_values(["value", "agency"], ascending=[False, True]).reset_index(drop=True)
    df["rank"] = range(1, len(df) + 1)
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
            from v_values f
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
            select f.agency_id, f.year, f.value from v_values f
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
            f.value, f.provenance, f.note, f.evidence
        from v_values f where f.report_id = ?
    """, [report_id])


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
    rows = _q(con, """
        select a.*, p.name as parent_name from agencies a left join agencies p on p.agency_id = a.parent_id
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
    """measure, year, value of one agency beside the median of its peers (agencies of the same level,
    within the filtered region when a region is filtered) and how many peers that median covers.
    Rates' medians leave out small samples, as the rankings do."""
    info = agency_info(con, agency_id)
    if info is None:
        return pd.DataFrame(columns=["measure", "year", "value", "peer_median", "peers"])
    peers_flt = Filters(provinces=flt.provinces, cities=flt.cities, levels=(info["level"],))
    aw, ap = peers_flt.agency_where("a")
    rows = []
    own = _q(con, "select * from measures where agency_id = ?", [agency_id])
    peers = _q(con, f"select m.* from measures m join agencies a using (agency_id) where {aw}", ap)
    for key, m in MEASURES.items():
        ok = peers.dropna(subset=[key])
        if m.rate:
            ok = ok[ok.eval(m.den) >= m.min_den]
        med = ok.groupby("year")[key].agg(["median", "count"])
        for r in own.itertuples():
            v = getattr(r, key)
            if pd.isna(v):
                continue
            rows.append({"measure": key, "year": r.year, "value": float(v),
                         "peer_median": float(med.at[r.year, "median"]) if r.year in med.index else None,
                         "peers": int(med.at[r.year, "count"]) if r.year in med.index else 0})
    return pd.DataFrame(rows, columns=["measure", "year", "value", "peer_median", "peers"])


def agency_checks(con, agency_id: str) -> pd.DataFrame:
    return _q(con, """
        select c.year, c.severity, c.check_id, c.explanation_zh, c.explanation_en, c.message, c.message_en, c.evidence,
            c.report_id
        from v_check_results c where c.agency_id = ?
        order by c.year, case c.severity when 'error' then 0 when 'warning' then 1 else 2 end""", [agency_id])


# -- data quality -----------------------------------------------------------------------------------

SCORE_ERROR, SCORE_WARNING = 20, 5


def quality_scores(con, flt: Filters, reviewed: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    """A score per report (agency and year): 100 − 20 per open error − 5 per open warning, at least 0.
    `reviewed` is (finding_key, status) of the analysts' reviews: confirmed and dismissed findings are
    not open. Information findings do not count."""
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
                    count(*) filter (where severity = 'error' and status = 'open') as errors_open,
                    count(*) filter (where severity = 'warning' and status = 'open') as warnings_open,
                    count(*) filter (where severity = 'info' and status = 'open') as infos_open,
                    count(*) filter (where status = 'confirmed') as confirmed,
                    count(*) filter (where status = 'dismissed') as dismissed,
                    count(*) filter (where status = 'open') as open_total
                from f group by report_id
            )
            select r.agency_id, a.name as agency, a.level, r.year, r.report_id,
                coalesce(n.errors_open, 0) as errors_open, coalesce(n.warnings_open, 0) as warnings_open,
                coalesce(n.infos_open, 0) as infos_open, coalesce(n.confirmed, 0) as confirmed,
                coalesce(n.dismissed, 0) as dismissed,
                greatest(0, 100 - {SCORE_ERROR} * coalesce(n.errors_open, 0) - {SCORE_WARNING} * coalesce(n.warnings_open, 0))
                    as score
            from reports r join agencies a using (agency_id) left join n using (report_id)
            where {scope} order by score, a.name, r.year""", params)
    finally:
        con.unregister("reviewed")


def quality_by_agency(scores: pd.DataFrame) -> pd.DataFrame:
    """Per agency, worst first: its lowest and mean score, reports, open errors and warnings."""
    if scores.empty:
        return pd.DataFrame(columns=["agency_id", "agency", "reports", "min_score", "mean_score", "errors_open",
                                     "warnings_open", "worst_year"])
    g = scores.sort_values("score").groupby(["agency_id", "agency"], as_index=False)
    out = g.agg(reports=("report_id", "count"), min_score=("score", "min"), mean_score=("score", "mean"),
                errors_open=("errors_open", "sum"), warnings_open=("warnings_open", "sum"), worst_year=("year", "first"))
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
