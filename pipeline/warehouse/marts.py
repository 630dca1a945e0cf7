"""Build the marts (marts.sql): the tables the dashboard's pages read, computed once per build after the
derived tables. `build(con)` runs on a warehouse whose published tables are complete; it replaces any
marts already there (the benchmark's replicated warehouses are rebuilt with it).

The peer medians of the agency profile are computed here with pandas, as the profile computed them at
read time, so a median is the same number to the last bit."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.spec import catalog
from pipeline.spec.agency_kind import KIND_SQL, LEVEL_ORDER_SQL
from pipeline.spec.measures import MEASURES

# the sections a page lists agency by agency (web_media: new media; active: procurement)
LISTED_SECTIONS = ("newmedia", "active")
TABLES = ("mart_agencies", "mart_measures", "mart_coverage", "mart_reports", "mart_findings", "mart_quality",
          "mart_section_agencies", "mart_section_values", "mart_peer_medians")


def sql() -> str:
    text = Path(__file__).with_name("marts.sql").read_text(encoding="utf-8")
    return (text.replace("{ok_columns}", ", ".join(f"v.{k} as ok_{k}" for k in MEASURES))
            .replace("{listed_sections}", ", ".join(f"'{s}'" for s in LISTED_SECTIONS))
            .replace("{kind_sql}", KIND_SQL).replace("{level_order}", LEVEL_ORDER_SQL))


def build(con) -> None:
    for t in TABLES:
        con.execute(f"drop table if exists {t}")
    sections = pd.DataFrame([(m.code, m.section) for m in catalog.METRICS], columns=["metric", "section"])
    con.register("_metric_sections", sections)
    try:
        con.execute(sql())
    finally:
        con.unregister("_metric_sections")
    _peer_medians(con)


def peer_frame(rows: pd.DataFrame, verified_only: bool) -> pd.DataFrame:
    """measure, year, level, kind, median, peers over `rows` (mart_measures rows): for each measure the
    agencies with a value (verified only, when asked), a rate's small samples left out; the profile's
    one peer-median definition."""
    out = []
    for key, m in MEASURES.items():
        ok = rows.dropna(subset=[key])
        if verified_only:
            ok = ok[ok[f"ok_{key}"] == True]
        if m.rate and len(ok):
            ok = ok[ok.eval(m.den) >= m.min_den]
        if not len(ok):
            continue
        med = ok.groupby(["level", "kind", "year"])[key].agg(["median", "count"]).reset_index()
        out.append(med.assign(measure=key))
    cols = ["measure", "year", "level", "kind", "median", "peers"]
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.concat(out, ignore_index=True).rename(columns={"count": "peers"})[cols]


def _peer_medians(con) -> None:
    """The peer medians of every measure, year, level and kind over every agency (the profile without a
    region filter), with and without unverified values."""
    rows = con.execute("select * from mart_measures").fetchdf()
    frames = [peer_frame(rows, only).assign(verified_only=only) for only in (False, True)]
    med = pd.concat(frames, ignore_index=True)
    med["year"] = med["year"].astype("int64")
    med["peers"] = med["peers"].astype("int64")
    med["median"] = med["median"].astype("float64")
    con.register("_peer_medians", med)
    try:
        con.execute("create table mart_peer_medians as select measure::varchar as measure, year::integer as year, "
                    "level::varchar as level, kind::varchar as kind, verified_only::boolean as verified_only, "
                    "median::double as median, peers::bigint as peers from _peer_medians order by level, kind, measure, year")
    finally:
        con.unregister("_peer_medians")
