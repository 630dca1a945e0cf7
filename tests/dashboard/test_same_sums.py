"""The section sums over the same agencies every year (the pages' default): where most agencies are kept,
they are the cube's sums less those of the few agencies left out; the result must be the sums over the
kept agencies themselves, key for key, with their agency and unverified counts."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipeline.serve import query_sections as qs
from pipeline.serve.queries import Filters
from pipeline.spec import catalog

SECTIONS = sorted({m.section for m in catalog.METRICS})


def _direct(con, flt: Filters, section: str) -> pd.DataFrame:
    """The sums over the kept agencies, read from their facts."""
    kept = qs.same_agencies(con, flt, section)
    metrics = [m.code for m in catalog.METRICS if m.section == section]
    return qs._sums_of(con, flt, metrics, kept or ("",), flt.verified_only).drop(columns="facts")


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("flt", [Filters(), Filters(verified_only=True), Filters(provinces=("江苏省",)),
                                 Filters(year_from=2021, year_to=2023, verified_only=True)],
                         ids=["all", "verified", "province", "years-verified"])
def test_same_agency_sums_are_the_kept_agencies_sums(demo_db, section, flt):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        kept = qs.same_agencies(con, flt, section)
        left = qs._left_out(con, flt, section, kept)
        got = qs.section_totals(con, flt, section, same=True)
        want = _direct(con, flt, section)
    assert len(left) < len(kept) or not kept  # the difference is tested (the demo leaves a few out of most sections)
    keys = ["year", "metric", "dim", "key"]
    got, want = got.sort_values(keys).reset_index(drop=True), want.sort_values(keys).reset_index(drop=True)
    assert got[keys].equals(want[keys])
    assert (got.agencies.to_numpy() == want.agencies.to_numpy()).all()
    assert (got.unverified.to_numpy() == want.unverified.to_numpy()).all()
    pd.testing.assert_series_equal(got.value.astype(float), want.value.astype(float).round(6), check_exact=False, rtol=0, atol=1e-6)


def test_the_comparison_can_fail(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        flt = Filters()
        kept = qs.same_agencies(con, flt, "applications")
        metrics = [m.code for m in catalog.METRICS if m.section == "applications"]
        every = qs._sums_of(con, flt, metrics, kept + tuple(qs._left_out(con, flt, "applications", kept)), False)
        got = qs.section_totals(con, flt, "applications", same=True)
    assert qs._left_out(duckdb.connect(str(demo_db), read_only=True), Filters(), "applications", kept)
    assert every.agencies.sum() > got.agencies.sum()  # the left-out agencies were taken off


@pytest.mark.parametrize("flt", [Filters(), Filters(year_from=2021, year_to=2023, verified_only=True)], ids=["all", "years-verified"])
def test_pooled_rates_follow_the_same_agencies_switch(demo_db, flt):
    """The review page's pooled correction rates with the switch on are pooled over the agencies the sums
    above them keep, year by year: the sums of their numerators and denominators, computed here directly."""
    from pipeline.serve import query_measures as qm
    from pipeline.spec.measures import MEASURES

    m = MEASURES["correction_rate"]
    with duckdb.connect(str(demo_db), read_only=True) as con:
        kept = qs.same_agencies(con, flt, "review_litigation")
        every = qm.pooled_series(con, flt, "correction_rate")
        got = qm.pooled_series(con, flt, "correction_rate", "review_litigation")
        yw, yp = flt.year_where("m.year")
        want = con.execute(f"""
            select m.year, sum({m.num}) / sum({m.den}) as value, count(*) as agencies, sum({m.den}) as denominator
            from measures m join measures_verified v using (agency_id, year)
            where m.agency_id in (select unnest(?::varchar[])) and {yw} and ({m.num}) is not null and ({m.den}) > 0
            {"and v.correction_rate" if flt.verified_only else ""}
            group by m.year order by m.year""", [list(kept), *yp]).df()
    assert 0 < len(kept) and (got.agencies.sum() < every.agencies.sum())  # the switch leaves some agencies out
    assert got.year.tolist() == want.year.tolist()
    assert got.agencies.tolist() == want.agencies.tolist()
    assert got.denominator.tolist() == want.denominator.tolist()
    assert got.value.round(9).tolist() == want.value.round(9).tolist()
