"""The marts (pipeline/warehouse/marts.sql) give every mart-backed query exactly what the query computed
at read time from the published tables (`marts.ENABLED = False`, the code the queries ran before the
marts), on the demo warehouse and on a generated one, under every filter the sidebar sets, the
verified-only switch, and analysts' reviews added after the build (applied at read time, never in a mart).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.refresh.run import refresh
from pipeline.serve import marts, queries
from pipeline.spec.measures import MEASURES
from pipeline.warehouse import marts as build_marts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory) -> Path:
    """A warehouse of 180 reports made by the benchmark's generator (agencies of every level, both formats),
    then every agency copied twice more as the benchmark's 100k warehouse is made (marts rebuilt)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from warehouse import make_corpus, replicate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    base = tmp_path_factory.mktemp("generated")
    make_corpus(base / "inbox", 180)
    db = base / "data" / "warehouse.duckdb"
    assert refresh(base / "inbox", db, quiet=True, workers=2).exit_code in (0, 1)
    big = base / "big.duckdb"
    replicate(db, big, 3)
    return big


def _previous(fn, *args, **kw):
    """What the query computed before the marts: at read time from the published tables."""
    marts.ENABLED = False
    try:
        return fn(*args, **kw)
    finally:
        marts.ENABLED = True


def same(con, fn, *args, order: list[str] | None = None, **kw):
    """The mart-backed result equals the read-time one: the same rows and values, and the same order of the
    columns the query orders by (`order`; rows tied on them may come in any order, as before)."""
    assert marts.has(con)
    new, old = fn(con, *args, **kw), _previous(fn, con, *args, **kw)
    if isinstance(new, tuple):
        assert new == old
        return new
    assert list(new.columns) == list(old.columns), fn.__name__
    assert [str(d) for d in new.dtypes] == [str(d) for d in old.dtypes], fn.__name__  # the same kinds of columns
    assert len(new) == len(old), fn.__name__
    if order:
        pd.testing.assert_frame_equal(new[order].reset_index(drop=True), old[order].reset_index(drop=True),
                                      check_dtype=False, obj=f"{fn.__name__} order")
    def norm(df):
        df = df.copy()
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
        return df.sort_values(list(df.columns), na_position="first", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(norm(new), norm(old), check_dtype=False, check_exact=True, obj=fn.__name__)
    return new


def _filters(con) -> list[queries.Filters]:
    opts = queries.options(con)
    ag = queries.agencies(con, queries.Filters())
    some = tuple(ag.agency_id.iloc[::3])
    word = ag.name.iloc[0][-4:]
    out = [queries.Filters(), queries.Filters(opts["years"][0], opts["years"][-1], provinces=tuple(opts["provinces"][:2])),
           queries.Filters(year_from=opts["years"][1], levels=("county", "township"), sectors=tuple(opts["sectors"][:1])),
           queries.Filters(search=word), queries.Filters(agency_ids=some),
           queries.Filters(cities=tuple(opts["cities"][:2]), year_to=opts["years"][-2])]
    return out + [queries.Filters(**{**f.__dict__, "verified_only": True}) for f in out[:4]]


def _every_query(con, reviews: tuple = ()):
    years = queries.options(con)["years"]
    keys = ["app.received_new:total", "review:corrected", "website.visits"]
    ag = queries.agencies(con, queries.Filters())
    checked = 0
    for i, flt in enumerate(_filters(con)):
        every = i % 5 == 0  # every measure and order under two of the filters, two measures under the rest
        same(con, queries.coverage, flt, order=["province", "city", "level", "agency", "year"])
        same(con, queries.reports, flt, order=["agency", "year"])
        same(con, queries.checks, flt, order=["severity", "agency", "year"])
        same(con, queries.checks, flt, ("error", "warning"), order=["severity", "agency", "year"])
        same(con, queries.checks, flt, ("warning",), ("carryover", "text_vs_table"), order=["severity", "agency", "year"])
        same(con, queries.quality_scores, flt, reviews, order=["score", "agency", "year"])
        for section in ("applications", "website", "newmedia", "active", "review_litigation"):
            same(con, queries.section_agencies, flt, section, order=["year"])
            same(con, queries.section_agencies, flt, section, True, order=["year"])
            same(con, queries.same_agencies, flt, section)
            same(con, queries.section_totals, flt, section, True, order=["year", "key"])
        for section in ("newmedia", "active"):
            same(con, queries.agency_section, flt, section, order=["agency", "year"])
            same(con, queries.agency_section, flt, section, years[-1], order=["agency", "year"])
        for year in (years[-2:] if every else years[-1:]):
            same(con, queries.tiles, flt, year)
            for measure in (MEASURES if every else ("grant_rate", "applications")):
                for worst in ((True, False) if every else (True,)):
                    same(con, queries.ranking, flt, year, measure=measure, worst_first=worst)
            for key in keys:
                same(con, queries.ranking, flt, year, key=key)
        for agency_id in ag.agency_id.iloc[i::max(7, len(ag) // 3)]:
            same(con, queries.agency_measures, flt, agency_id)
        checked += 1
    for agency_id in ag.agency_id.iloc[::5]:
        same(con, queries.agency_checks, agency_id, order=["year"])
    return checked


def _reviews(con) -> tuple:
    """Reviews as the data-quality page saves them after the build: some findings confirmed, some dismissed,
    one reopened, and a key that names no finding."""
    keys = [r[0] for r in con.execute("select distinct finding_key from v_check_results "
                                      "where severity in ('error', 'warning') order by finding_key").fetchall()]
    assert len(keys) >= 6
    statuses = ["dismissed", "confirmed", "open"]
    return tuple(sorted([(k, statuses[i % 3]) for i, k in enumerate(keys[::2])] + [("no_such:finding:key", "dismissed")]))


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_every_mart_backed_query_equals_its_read_time_computation(which, request):
    db = request.getfixturevalue("demo_db" if which == "demo" else "generated_db")
    with duckdb.connect(str(db), read_only=True) as con:
        assert _every_query(con) == 10
        reviews = _reviews(con)
        for flt in _filters(con)[:3]:
            with_reviews = same(con, queries.quality_scores, flt, reviews, order=["score", "agency", "year"])
            without = queries.quality_scores(con, flt)
            if flt == queries.Filters():
                # the reviews do change the scores (a dismissed finding stops counting), at read time
                assert with_reviews.dismissed.sum() > 0 and with_reviews.confirmed.sum() > 0
                assert with_reviews.score.sum() > without.score.sum()


def test_the_comparison_can_fail(demo_db, tmp_path):
    """A mart whose numbers drift from the published tables is caught: one report's error count changed in
    a copy of the demo warehouse makes the quality scores differ."""
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("update mart_quality set errors = errors + 1 where report_id = (select min(report_id) from mart_quality)")
        con.execute("update mart_measures set grant_rate = grant_rate + 0.01 where grant_rate is not null")
    with duckdb.connect(str(db), read_only=True) as con:
        with pytest.raises(AssertionError):
            same(con, queries.quality_scores, queries.Filters())
        year = queries.options(con)["years"][-1]
        with pytest.raises(AssertionError):
            same(con, queries.ranking, queries.Filters(), year, measure="grant_rate")


def test_a_warehouse_without_marts_is_read_as_before(demo_db, tmp_path):
    """A warehouse built before the marts (schema 5) is still read: every query computes at read time."""
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:
        for t in build_marts.TABLES:
            con.execute(f"drop table {t}")
    with duckdb.connect(str(db), read_only=True) as con, duckdb.connect(str(demo_db), read_only=True) as ref:
        assert not marts.has(con)
        year = queries.options(con)["years"][-1]
        pd.testing.assert_frame_equal(queries.ranking(con, queries.Filters(), year, measure="grant_rate"),
                                      queries.ranking(ref, queries.Filters(), year, measure="grant_rate"), check_dtype=False)
        assert len(queries.coverage(con, queries.Filters())) == len(queries.coverage(ref, queries.Filters()))


def test_marts_are_rebuilt_in_place(demo_db, tmp_path):
    """`build` replaces the marts of a warehouse (as the benchmark's replicated warehouses need) and gives
    the same tables again."""
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:
        before = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in build_marts.TABLES}
        build_marts.build(con)
        after = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in build_marts.TABLES}
    assert before == after and all(before.values())


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_the_agencies_quality_in_sql_equals_the_pandas_computation(which, request):
    """The data-quality page's table of agencies, computed in SQL (`quality_agencies`, from the marts and at
    read time), equals `quality_by_agency` of every report's scores, as the page computed it before, with
    and without reviews."""
    db = request.getfixturevalue("demo_db" if which == "demo" else "generated_db")
    with duckdb.connect(str(db), read_only=True) as con:
        reviews = _reviews(con)
        for i, flt in enumerate(_filters(con)[:5]):
            for rv in ((), reviews):
                was = queries.quality_by_agency(queries.quality_scores(con, flt, rv)).reset_index(drop=True)
                assert len(was) or i > 0
                for now in (queries.quality_agencies(con, flt, rv), _previous(queries.quality_agencies, con, flt, rv)):
                    assert list(now.columns) == list(was.columns)
                    pd.testing.assert_frame_equal(now.reset_index(drop=True), was, check_dtype=False)


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_a_page_of_the_coverage_is_the_coverages_rows_of_those_agencies(which, request):
    """The overview reads one page of agencies' cells (`coverage_page`) and their count (`coverage_size`): the
    same rows as `coverage` cut to those agencies (by name, in its order), from the marts and at read time."""
    db = request.getfixturevalue("demo_db" if which == "demo" else "generated_db")
    with duckdb.connect(str(db), read_only=True) as con:
        for flt in _filters(con)[:6]:
            cov = queries.coverage(con, flt)
            names = list(dict.fromkeys(cov.agency))
            assert queries.coverage_size(con, flt) == _previous(queries.coverage_size, con, flt) == (len(names), len(cov))
            for page, size in ((1, 100), (1, 7), (2, 7), ((len(names) + 6) // 7, 7)):  # the last page too
                if (page - 1) * size >= len(names):
                    continue  # no such page: the overview asks for those it counts
                want = cov[cov.agency.isin(names[(page - 1) * size: page * size])].reset_index(drop=True)
                # (a page's text column that is all blank comes as None objects, as every mart query gives it)
                for got in (queries.coverage_page(con, flt, page, size), _previous(queries.coverage_page, con, flt, page, size)):
                    blank = (lambda df: df.astype(object).where(df.notna(), None))
                    pd.testing.assert_frame_equal(blank(got.reset_index(drop=True)), blank(want), check_dtype=False)
