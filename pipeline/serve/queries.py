"""The dashboard's questions, as functions of a read-only connection and the shared filters.

Pages ask these for DataFrames and hold no SQL, by name through the cache (`common.q`), so every question
is a name of this module. The SQL reads the tables and views made for the dashboard in schema.sql
(v_values, measures, coverage, facts_cube, v_check_results, reports, agencies), never the loading tables.
The benchmark times the same functions. They live by what they ask about:

- query_scope: the shared filters (`Filters`) and SQL fragments (scope, kind of agency, level order);
- query_measures: tiles, measure and metric series, pooled rates, rankings, year-on-year changes;
- query_sections: one section's agencies, totals and values;
- query_reports: one report (facts, checks, source) and one agency (record, reports, measures, checks);
- query_coverage: coverage and timeliness, quality scores, unverified facts;

and here the sidebar's choices, the data's date and the agencies.
"""
from __future__ import annotations

import pandas as pd

from pipeline.spec.agency_kind import LEVELS
from pipeline.spec.measures import (MEASURES, MIN_APPLICATIONS_FOR_RATES, MIN_CONCLUDED_FOR_RATES, MIN_PEERS, Measure,  # noqa: F401
                                    columns as _columns)
from pipeline.serve.query_scope import (  # noqa: F401  (re-exported: callers use queries.<name>)
    KIND_SQL, Filters, _q, _scope, _LEVEL_ORDER, _cube_where, _check_measure)
from pipeline.serve.query_measures import (  # noqa: F401  (re-exported: callers use queries.<name>)
    TILES, metric_series, definition, tiles, _valid, _pooled, pooled_series, ranking, years_with,
    measure_series, measure_changes)
from pipeline.serve.query_sections import (  # noqa: F401  (re-exported: callers use queries.<name>)
    section_agencies, same_agencies, section_totals, agency_section, key_totals, agency_section_table)
from pipeline.serve.query_reports import (  # noqa: F401  (re-exported: callers use queries.<name>)
    checks, checks_described, reports, PICK_LIMIT, report_agencies, report_agency, report_facts, evidence_of, report_ocr, report_checks, report_source, agency_info, agency_reports, agency_measures,
    agency_checks, tenfold_jumps, unplaced_files)
from pipeline.serve.query_coverage import (  # noqa: F401  (re-exported: callers use queries.<name>)
    TIMELINESS_STATES, FINDING_STATES, coverage, coverage_size, coverage_page, open_findings, reviewed, late_agencies, timeliness_counts, SCORE_ERROR, SCORE_WARNING, quality_scores,
    quality_agencies, quality_by_agency, timeliness, has_verified, unverified)


def options(con) -> dict:
    """Choices for the sidebar filters."""
    years = [r[0] for r in con.execute("select distinct year from reports order by 1").fetchall()]
    ag = _q(con, "select province, city, level, sector from agencies")
    return {
        "years": years,
        "provinces": sorted(x for x in ag.province.dropna().unique()),
        "cities": sorted(x for x in ag.city.dropna().unique()),
        "levels": sorted(ag.level.dropna().unique(), key=lambda x: (LEVELS.index(x) if x in LEVELS else len(LEVELS), x)),
        "sectors": sorted(ag.sector.dropna().unique()),
    }


def data_as_of(con) -> dict:
    rows = con.execute("select load_id, finished_at, reports_loaded, status from runs order by finished_at desc limit 1").fetchall()
    if not rows:
        return {}
    load_id, finished, n, status = rows[0]
    demo = con.execute("select value from meta where key = 'demo'").fetchall()
    return {"load_id": load_id, "finished_at": finished, "reports": n, "status": status, "demo": bool(demo and demo[0][0] == "1"),
            "local": _beijing(finished)}


def _beijing(finished):
    """The refresh's end (kept in UTC) in China's time, as the dashboard and the letters both print it: a
    refresh at 22:41 UTC is the next day's 06:41 there."""
    import datetime as dt

    if not isinstance(finished, dt.datetime):
        return finished
    utc = finished.replace(tzinfo=dt.timezone.utc) if finished.tzinfo is None else finished
    return utc.astimezone(dt.timezone(dt.timedelta(hours=8)))


def agencies(con, flt: Filters) -> pd.DataFrame:
    aw, ap = flt.agency_where("a")
    return _q(con, f"select agency_id, name, province, city, district, level, sector, registered, parent_id, adcode "
                   f"from agencies a where {aw} order by name", ap)
