"""The dashboard's questions about measures and metrics: the overview tiles, a measure's or a metric's series,
the pooled rate, the ranking of agencies, the years with data, year-on-year changes."""
from __future__ import annotations

import re

import pandas as pd

from pipeline.serve import marts
from pipeline.serve.query_scope import (
    KIND_SQL,
    Filters,
    _check_measure,
    _cube_where,
    _q,
    _scope,
)
from pipeline.spec.measures import INPUTS, MEASURES, MIN_PEERS
from pipeline.spec.measures import columns as _columns
from pipeline.spec.model import split_key

# the overview tiles: measure column of `measures`, how agencies are pooled
TILES = (
    ("agencies", "机构报告数", "Agencies reporting"),
    ("applications", "收到申请", "Applications received"),
    ("grant_rate", "公开率", "Grant rate"),
    ("correction_rate", "复议诉讼纠错率", "Correction rate (review and litigation)"),
    ("website_visits", "网站访问量", "Website visits"),
    ("followers_total", "新媒体粉丝", "New-media followers"),
    ("procurement_wan_yuan", "集中采购金额", "Procurement"),
)


def metric_series(con, flt: Filters, key: str) -> pd.DataFrame:
    """agency, year, value of one `metric:dim` key (missing reports are simply absent: gaps, not zeros), and
    whether it is verified (only verified values with the filter's switch)."""
    metric, dim = split_key(key)
    scope, params = _scope(flt, "f")
    dim_sql = "f.dim is null" if not dim else "f.dim = ?"
    dim_params = [] if not dim else [dim]
    return _q(con, f"""
        select a.name as agency, f.agency_id, f.year, f.value, f.provenance, f.verified
        from v_values f join agencies a using (agency_id)
        where f.metric = ? and {dim_sql} and {scope} {"and f.verified" if flt.verified_only else ""}
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
    df = marts.measure_rows(con, cols, keys, scope, params) if marts.has(con) else _q(con, f"select m.agency_id, m.year, {', '.join('m.' + c for c in cols)}, "
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
                     "previous": before, "current_same": now, "same_agencies": len(same), "pairs": None,
                     "change": (now - before) if now is not None and before is not None else None}
                    | part_change(con, flt, year, key))
    return pd.DataFrame(rows)


def summed_parts(measure: str) -> str | None:
    """The facts a count sums when it is the sum of several parts an agency may list one year and not the
    next (followers: one figure per platform), as SQL over `v_values`; None for any other measure."""
    agg, cond = INPUTS.get(measure, (None, None))
    return cond if agg == "sum" and not MEASURES[measure].rate else None


def part_pairs(con, flt: Filters, year: int, measure: str) -> pd.DataFrame | None:
    """Per agency, a sum of parts compared like with like: only its parts (the same platform) with a value
    in both `year` and the year before: agency_id, `previous` -> `current_same` over `pairs` parts. None
    for a measure that is not a sum of parts."""
    cond = summed_parts(measure)
    if cond is None:
        return None
    scope, params = _scope(Filters(**{**flt.__dict__, "year_from": year - 1, "year_to": year}), "f")
    # verified only: the agency's sum verified that year, as the value beside the change counts it (one
    # unverified platform leaves the agency's sum out, not only that platform)
    ok = (f"and f.agency_id in (select agency_id from measures_verified mv where mv.year = f.year "
          f"and mv.{measure})" if flt.verified_only else "")
    return _q(con, f"""
        with v as (select f.agency_id, f.key, f.year, f.value from v_values f
                   where {cond} and f.value is not null and {scope} {ok})
        select c.agency_id, sum(p.value) as previous, sum(c.value) as current_same, count(*) as pairs
        from v c join v p on p.agency_id = c.agency_id and p.key = c.key and p.year = c.year - 1
        where c.year = ? group by c.agency_id""", [*params, year])


def part_change(con, flt: Filters, year: int, measure: str) -> dict:
    """The change of a sum of parts over every agency, like with like (`part_pairs`): `previous` ->
    `current_same` over `pairs` parts of `same_agencies` agencies; {} for a measure that is not one."""
    per = part_pairs(con, flt, year, measure)
    if per is None:
        return {}
    prev, now = (float(per[c].sum()) if len(per) else None for c in ("previous", "current_same"))
    return {"previous": prev, "current_same": now, "pairs": int(per.pairs.sum()), "same_agencies": len(per),
            "change": (now - prev) if len(per) else None}


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


def pooled_series(con, flt: Filters, measure: str, same_section: str | None = None) -> pd.DataFrame:
    """year, value, agencies: a rate pooled over the agencies in scope each year (the tile's definition).
    With `same_section`, pooled only over the agencies that report that section in every year in scope, as
    the page's sums are with the same-agencies switch on (a rate moves because they changed, not because
    other agencies reported)."""
    _check_measure(measure)
    m = MEASURES[measure]
    if same_section:
        from pipeline.serve.query_sections import same_agencies

        kept = same_agencies(con, flt, same_section)
        flt = Filters(flt.year_from, flt.year_to, search="", agency_ids=kept or ("",), verified_only=flt.verified_only)
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
        df = marts.measure_ranking(con, measure, den, scope, params, year, flt.verified_only) if marts.has(con) else _q(con, f"""
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
        metric, dim = split_key(key)
        scope, params = _scope(flt, "f")
        dim_sql, dim_params = ("dim is null", []) if not dim else ("dim = ?", [dim])
        df = _q(con, f"""
            with v as (select agency_id, year, value, coalesce(verified, false) as verified from v_values
                       where metric = ? and {dim_sql} and year in (?, ?))  -- the year and the one before: all it reads
            select f.agency_id, a.name as agency, a.level, {KIND_SQL} as kind, a.province, a.city, f.year, f.value,
                p.value as prev_value, null::double as denominator, f.verified
            from v f join agencies a using (agency_id)
            left join v p on p.agency_id = f.agency_id and p.year = f.year - 1
            where f.year = ? and {scope} {"and f.verified" if flt.verified_only else ""}""",
                [metric, *dim_params, year, year - 1, year, *params])
        min_den, higher_is_worse, rate = 0, False, False
    if worst_first is None:
        worst_first = True
    df = _registered(con, _like_with_like(con, flt, year, measure, df) if measure else df)
    if "current_same" not in df:
        df["change"] = df.value - df.prev_value
    df["pct_change"] = (df.change / df.prev_value.where(df.prev_value != 0)).astype(float)
    df["small_sample"] = (df.denominator < min_den) if min_den else False
    df["small_sample"] = df["small_sample"].astype(bool)
    usable = df[~df.small_sample]
    peers = usable.groupby(["level", "kind"], dropna=False).value.agg(["median", "count"])
    idx = pd.MultiIndex.from_arrays([df.level, df.kind])
    df["peers"] = peers["count"].reindex(idx).fillna(0).astype(int).to_numpy() if len(peers) else 0
    df["peer_median"] = peers["median"].reindex(idx).to_numpy() if len(peers) else None
    df["peer_median"] = df.peer_median.where(df.peers >= MIN_PEERS)  # a median of one or two is the agency itself
    # worst first: the worse end of the measure's direction first; best first: the other end
    descending = higher_is_worse if worst_first else not higher_is_worse
    if not rate:  # a count has no direction: "worst first" is highest first, as the order radio says
        descending = worst_first
    df = df.sort_values(["small_sample", "value", "agency"], ascending=[True, not descending, True]).reset_index(drop=True)
    df["rank"] = pd.array([i + 1 if not s else pd.NA for i, s in enumerate(df.small_sample)], dtype="Int64")
    return df


def _registered(con, df: pd.DataFrame) -> pd.DataFrame:
    """`registered` of each row: an agency not in the register has its level and kind read from its name, and
    is ranked and counted in its peers' median by them (few agencies: one small query, whichever path read
    the rows)."""
    unregistered = {r[0] for r in con.execute("select agency_id from agencies where not coalesce(registered, false)").fetchall()}
    df["registered"] = ~df.agency_id.isin(unregistered)
    return df


def _like_with_like(con, flt: Filters, year: int, measure: str, df: pd.DataFrame) -> pd.DataFrame:
    """A ranking of a sum of parts (followers over platforms): each agency's previous value and change over
    its parts listed in both years only (`prev_value` -> `current_same`, `pairs`), so a platform left out
    one year is not a fall."""
    per = part_pairs(con, flt, year, measure)
    if per is None:
        return df
    df = df.drop(columns=["prev_value"]).merge(per.rename(columns={"previous": "prev_value"}), on="agency_id", how="left")
    df["pairs"] = df.pairs.fillna(0).astype(int)
    df["change"] = df.current_same - df.prev_value
    return df


def years_with(con, flt: Filters, key: str | None = None, measure: str | None = None) -> list[int]:
    """The years in scope that have a value for a metric key or a derived measure."""
    if measure:
        _check_measure(measure)
        scope, params = _scope(flt, "m")
        sql = f"select distinct m.year from measures m where {scope} and m.{measure} is not null order by 1 desc"
        return [r[0] for r in con.execute(sql, params).fetchall()]
    metric, dim = split_key(key)
    dim_sql, dim_params = ("dim is null", []) if not dim else ("dim = ?", [dim])
    if flt.search.strip() or flt.agency_ids:
        scope, params = _scope(flt, "f")
        sql = f"select distinct f.year from v_values f where f.metric = ? and f.{dim_sql} and {scope} order by 1 desc"
    else:
        scope, params = _cube_where(flt)
        sql = f"select distinct c.year from facts_cube c where c.metric = ? and c.{dim_sql} and {scope} order by 1 desc"
    return [r[0] for r in con.execute(sql, [metric, *dim_params, *params]).fetchall()]


def measure_series(con, flt: Filters, measure: str) -> pd.DataFrame:
    """agency, year, value of a measure, with a rate's denominator, whether it is a small sample and whether its
    inputs are verified (only verified values with the filter's switch, as the ranking takes them)."""
    _check_measure(measure)
    m = MEASURES[measure]
    scope, params = _scope(flt, "m")
    den = f"({m.den})" if m.rate else "null::double"
    small = f"coalesce({den} < {m.min_den}, false)" if m.rate else "false"
    return _q(con, f"""
        select a.name as agency, m.agency_id, m.year, m.{measure} as value, {den} as denominator, {small} as small_sample,
            v.{measure} as verified
        from measures m join agencies a using (agency_id) join measures_verified v using (agency_id, year)
        where {scope} and m.{measure} is not null {"and v." + measure if flt.verified_only else ""} order by a.name, m.year
    """, params)


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
                     "current_same": now, "same_agencies": len(same), "pairs": None,
                     "change": (now - before) if now is not None and before is not None else None,
                     "den_value": den(c_ok), "den_same": den(c_ok.loc[same]), "den_previous": den(p_ok.loc[same])}
                    | part_change(con, flt, year, key))
    return pd.DataFrame(rows)
