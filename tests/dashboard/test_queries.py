"""The dashboard's query functions: the pre-aggregated cube answers exactly what the facts say."""
from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.serve import queries


def test_cube_and_facts_give_the_same_section_totals(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        for flt in (queries.Filters(), queries.Filters(provinces=("河南省",), year_from=2021),
                    queries.Filters(levels=("city", "county"), sectors=("environment",))):
            ids = tuple(queries.agencies(con, flt).agency_id)
            via_cube = queries.section_totals(con, flt, "applications")
            via_facts = queries.section_totals(con, queries.Filters(year_from=flt.year_from, agency_ids=ids), "applications")
            cols = ["year", "key", "value", "agencies"]
            pd.testing.assert_frame_equal(via_cube[cols].reset_index(drop=True), via_facts[cols].reset_index(drop=True),
                                          check_dtype=False)


def test_rankings_and_years(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        flt = queries.Filters(provinces=("江苏省",))
        years = queries.years_with(con, flt, key="app.received_new:total")
        assert years == sorted(years, reverse=True) and years
        top, median = queries.metric_ranking(con, flt, "app.received_new:total", years[0], top=3)
        series = queries.metric_series(con, flt, "app.received_new:total")
        one_year = series[series.year == years[0]].value
        assert list(top.value) == sorted(one_year, reverse=True)[:3]
        assert median == one_year.median()
        rated, _ = queries.measure_ranking(con, queries.Filters(), "grant_rate", years[0], True)
        assert (rated.applications >= queries.MIN_APPLICATIONS_FOR_RATES).all()
