"""The dashboard's questions about one section of the report (表二, 表三, 表四, the narrative): its agencies, the
agencies reporting it in every year, its totals by year, one agency's values."""
from __future__ import annotations

import pandas as pd

from pipeline.serve import marts
from pipeline.serve.query_scope import Filters, _cube_where, _q, _scope
from pipeline.spec import catalog


def section_agencies(con, flt: Filters, section: str, same: bool = False) -> pd.DataFrame:
    """year, agencies: how many agencies each year's sums of a section are over (with `same`, only the
    agencies that report the section in every year in scope, as `section_totals(same=True)` sums)."""
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    only = flt.verified_only
    if same:
        flt = Filters(flt.year_from, flt.year_to, search=flt.search, agency_ids=same_agencies(con, flt, section) or ("",))
    scope, params = _scope(flt, "f")
    if marts.has(con):
        return marts.section_agencies(con, section, scope, params, only)
    ok = "coalesce(f.verified, false)"
    return _q(con, f"""
        select f.year, count(distinct f.agency_id) {f"filter (where {ok})" if only else ""} as agencies,
            count(*) filter (where not {ok}) as unverified
        from v_values f where f.metric in (select unnest(?::varchar[])) and {scope}
        group by f.year order by f.year""", [metrics, *params])


def same_agencies(con, flt: Filters, section: str) -> tuple[str, ...]:
    """The agencies in scope that report a section in every year in scope (the same agencies each year).
    With only verified values summed, a year counts where the agency's section is wholly verified: an
    agency whose values are left out one year would make that year's sum dip, not like with like."""
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    scope, params = _scope(flt, "f")
    if marts.has(con):
        return marts.same_agencies(con, section, scope, params, flt.verified_only)
    whole = "having count(*) filter (where not coalesce(f.verified, false)) = 0" if flt.verified_only else ""
    rows = con.execute(f"""
        with v as (select f.agency_id, f.year from v_values f
                   where f.metric in (select unnest(?::varchar[])) and {scope} group by all {whole})
        select agency_id from v group by agency_id
        having count(*) = (select count(distinct year) from v) order by agency_id""", [metrics, *params]).fetchall()
    return tuple(r[0] for r in rows)


def section_totals(con, flt: Filters, section: str, same: bool = False) -> pd.DataFrame:
    """year, key, value summed over the selected agencies, for every metric of a section (with `same`, over
    the agencies that report the section in every year in scope only)."""
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    only = flt.verified_only
    if same:
        kept = same_agencies(con, flt, section)
        if not flt.search.strip() and not flt.agency_ids and marts.has(con):
            left = _left_out(con, flt, section, kept)
            if len(left) < len(kept):  # most agencies kept (a national year: 10 left of 16,670)
                return _less(_cube_sums(con, flt, metrics, only), _sums_of(con, flt, metrics, left, only))
        flt = Filters(flt.year_from, flt.year_to, search="", agency_ids=kept or ("",), verified_only=only)
    if flt.search.strip() or flt.agency_ids:
        return _sums_of(con, flt, metrics, flt.agency_ids, only).drop(columns="facts")
    # no search: the pre-aggregated cube answers by province, city, level and sector
    return _cube_sums(con, flt, metrics, only).drop(columns="facts")


def _left_out(con, flt: Filters, section: str, kept: tuple[str, ...]) -> list[str]:
    """The agencies in scope with a value of the section that `same_agencies` does not keep."""
    scope, params = _scope(flt, "f")
    rows = con.execute(f"""select distinct f.agency_id from mart_section_agencies f where f.section = ? and {scope}
                           and f.agency_id not in (select unnest(?::varchar[]))""",
                       [section, *params, list(kept)]).fetchall()
    return [r[0] for r in rows]


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    """Sums to 6 decimals (values have at most 4): the same figure whether summed directly or as a cube's
    sum less a part, and no float tail (6.339384999999999) in a download."""
    df["value"] = df["value"].round(6)
    return df


def _cube_sums(con, flt: Filters, metrics: list[str], only: bool) -> pd.DataFrame:
    """section_totals' columns (and `facts`: every value, verified or not) from the cube."""
    scope, params = _cube_where(flt)
    return _rounded(_q(con, f"""
        select c.year, c.metric, c.dim, c.key,
            sum(c.{"value_verified" if only else "value"}) as value, sum(c.{"agencies_verified" if only else "agencies"})::bigint
                as agencies, sum(c.unverified)::bigint as unverified, sum(c.agencies)::bigint as facts
        from facts_cube c where c.metric in (select unnest(?::varchar[])) and {scope}
        group by all order by c.year, key
    """, [metrics, *params]))


def _less(total: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """The sums over every agency in scope less those over some of them: the keys still with a value (verified
    or not) of another agency, each sum rounded to 6 decimals (a difference of sums of 万元 amounts)."""
    keys = ["year", "metric", "dim", "key"]
    m = total.merge(part, on=keys, how="left", suffixes=("", "_part"))
    for col in ("value", "agencies", "unverified", "facts"):
        m[col] = m[col] - m[col + "_part"].fillna(0)
    m = m[m.facts > 0]
    m["value"] = m.value.round(6).where(m.agencies > 0)
    for col in ("agencies", "unverified"):
        m[col] = m[col].astype("int64")
    return m[["year", "metric", "dim", "key", "value", "agencies", "unverified"]].reset_index(drop=True)


def _sums_of(con, flt: Filters, metrics: list[str], agency_ids, only: bool) -> pd.DataFrame:
    """section_totals' columns (and `facts`) over these agencies (and the filters' search and years)."""
    ok = "coalesce(f.verified, false)"
    scope, params = _scope(Filters(flt.year_from, flt.year_to, search=flt.search, agency_ids=tuple(agency_ids) or ("",),
                                   verified_only=only), "f")
    return _rounded(_q(con, f"""
            select f.year, f.metric, f.dim, f.key,
                {f"sum(f.value) filter (where {ok})" if only else "sum(f.value)"} as value,
                -- an agency has one value of a key a year (one report per agency and year, one fact per key:
                -- tests/warehouse/test_unique.py), so its rows are its agencies: count(distinct) cost
                -- 7 s and 3 GiB for 表三 at 100,000 reports, count(*) under 1 s
                count(*) {f"filter (where {ok})" if only else ""} as agencies,
                count(*) filter (where not {ok}) as unverified, count(*) as facts
            from v_values f
            where f.metric in (select unnest(?::varchar[])) and {scope}
            group by all order by f.year, key
        """, [metrics, *params]))


def agency_section(con, flt: Filters, section: str, year: int | None = None) -> pd.DataFrame:
    """agency, year, key, value and `verified` for every metric of a section (only the verified values when
    the filters ask for them)."""
    scope, params = _scope(flt, "f")
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    year_sql, year_params = ("and f.year = ?", [year]) if year is not None else ("", [])
    if marts.listed(section) and marts.has(con):
        df = marts.agency_section(con, section, scope, params, year)
        # the mart has no `verified`: the unverified values are few, read apart and marked
        unverified = _q(con, f"""
            select f.agency_id, f.year, fact_key(f.metric, f.dim) as key, false as verified from facts f
            where f.metric in (select unnest(?::varchar[])) and not coalesce(f.verified, false) and {scope} {year_sql}
            """, [metrics, *params, *year_params])
        if len(unverified):  # one merge, not a lookup per row (500,000 rows of 表二 at 100,000 reports)
            df = df.merge(unverified, on=["agency_id", "year", "key"], how="left")
            df["verified"] = df.verified.isna()
        else:
            df["verified"] = True
    else:
        df = _q(con, f"""
            select a.name as agency, f.agency_id, f.year, f.metric, f.dim,
                f.key, f.value, coalesce(f.verified, false) as verified
            from v_values f join agencies a using (agency_id)
            where f.metric in (select unnest(?::varchar[])) and {scope} {year_sql}
            order by a.name, f.year
        """, [metrics, *params, *year_params])
    if flt.verified_only and len(df):
        df = df[df.verified.astype(bool)].reset_index(drop=True)
    return df


def agency_section_table(con, flt: Filters, section: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`agency_section` of one year as a table, an agency a row and a key a column, and beside it the same
    table of whether each value is verified; both empty when there is none."""
    per = agency_section(con, flt, section, year)
    per = per[per.year == year] if len(per) else per
    if not len(per):
        return pd.DataFrame(), pd.DataFrame()
    values = per.pivot_table(index="agency", columns="key", values="value")
    ok = per.assign(verified=per.verified.astype(bool)).pivot_table(index="agency", columns="key", values="verified",
                                                                      aggfunc="min")
    return values, ok.reindex_like(values)


def key_totals(con, flt: Filters, section: str, same: bool = False) -> pd.DataFrame:
    """year, metric, dim, key, value, agencies, unverified: each metric of a section summed by year with
    the agencies each point sums (a line per platform). With `same`, each metric sums only the agencies that
    list that metric in every year it has a value in scope (like with like per line, not per section: an
    agency that lists 微博 one year and not the next is left out of 微博's line)."""
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    scope, params = _scope(flt, "f")
    ok = "coalesce(f.verified, false)"
    # one value of a key an agency a year (tests/warehouse/test_unique.py): rows count agencies and years
    keep = """join (select agency_id, key from v group by agency_id, key
                    having count(*) = (select count(distinct w.year) from v w where w.key = v.key))
               using (agency_id, key)""" if same else ""
    return _q(con, f"""
        with v as (select f.agency_id, f.year, f.metric, f.dim, f.key, f.value, {ok} as ok from v_values f
                   where f.metric in (select unnest(?::varchar[])) and f.value is not null and {scope}
                   {f"and {ok}" if flt.verified_only else ""})
        select year, metric, dim, key, sum(value) as value, count(*) as agencies,
            count(*) filter (where not ok) as unverified
        from v {keep} group by all order by year, key""", [metrics, *params])
