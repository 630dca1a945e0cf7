"""The circular's key measures say when an agency's tenfold swing is inside a total and its change: the
demo's agency 11 reports 14 times its 2023 website visits in 2024 (the `jump_tenfold` check flags it on
the data-quality page); the circular names it under 网站访问量 until an analyst dismisses the finding."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.refresh.run import refresh
from pipeline.serve import queries
from pipeline.serve.reviews import add_review
from pipeline.serve.writing.brief import brief_text
from pipeline.spec.measures import INPUTS, inputs_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("jumps")
    inbox = base / "inbox" / "demo"
    inbox.mkdir(parents=True)
    for n in ("00", "01", "11"):
        for y in (2023, 2024):
            for f in (ROOT / "data" / "inbox" / "demo").glob(f"{n}-{y}.*"):
                shutil.copy(f, inbox / f.name)
    db = base / "warehouse.duckdb"
    assert refresh(base / "inbox", db, quiet=True, workers=1, agencies=ROOT / "data" / "agencies.csv").exit_code == 0
    return db


def _jump(db: Path) -> tuple[str, str]:
    """The demo's planted jump: agency 11's website visits (random figures of other agencies jump too)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select c.finding_key, a.name from v_check_results c join agencies a using (agency_id) "
                           "where c.check_id = 'jump_tenfold' and c.year = 2024 and c.agency_id = 'demo-11' "
                           "and list_contains(c.cells, 'website.visits')").fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def _jumps_by_sql(db: Path, measure: str, dismissed: str | None = None) -> list[str]:
    """The agencies with a tenfold finding on one of the measure's facts, by SQL of its own."""
    conds = " or ".join(f"({INPUTS[c][1]})" for c in inputs_of(measure) if c in INPUTS)
    with duckdb.connect(str(db), read_only=True) as con:
        return [a for (a,) in con.execute(f"""
            with k as (select a.name as agency, c.finding_key, unnest(c.cells) as key
                       from v_check_results c join agencies a using (agency_id)
                       where c.check_id = 'jump_tenfold' and c.year = 2024)
            select distinct agency from (select *, split_part(key, ':', 1) as metric,
                                         nullif(split_part(key, ':', 2), '') as dim from k)
            where ({conds}) and finding_key is distinct from ? order by agency""", [dismissed]).fetchall()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_tenfold_swing_is_named_under_its_measure(small, tmp_path, lang):
    _, agency = _jump(small)
    with duckdb.connect(str(small), read_only=True) as con:
        text, ctx = brief_text(con, 2024, queries.Filters(), tmp_path, lang)
    jumps = {m["measure"]: m["jumps"] for m in ctx["measures"]}
    assert agency in jumps["website_visits"]
    for measure, named in jumps.items():
        assert named == _jumps_by_sql(small, measure), measure
    line = next(x for x in text.splitlines() if agency in x and x.startswith("- "))
    assert ("网站访问量" in line and "十倍" in line) if lang == "zh" else ("Website visits" in line and "ten times" in line)


def test_a_dismissed_swing_is_not_named(small, tmp_path):
    key, agency = _jump(small)
    add_review(tmp_path / "reviews.csv", key, "dismissed", "网站改版，访问量统计口径变化，属实")
    with duckdb.connect(str(small), read_only=True) as con:
        text, ctx = brief_text(con, 2024, queries.Filters(), tmp_path, "zh")
    jumps = {m["measure"]: m["jumps"] for m in ctx["measures"]}
    assert agency not in jumps["website_visits"]
    for measure, named in jumps.items():
        assert named == _jumps_by_sql(small, measure, dismissed=key), measure
    assert not any(agency in x and "网站访问量" in x for x in text.splitlines() if x.startswith("- "))


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize("page", ["overview", "web_media"])
def test_the_dashboard_names_the_swing_where_its_total_shows(small, tmp_path, monkeypatch, page):
    """The overview's 网站访问量 tile and the website chart's 2024 bar hold agency 11's unconfirmed tenfold
    swing: a caption under them names it (⚠), until an analyst dismisses the finding (reviews.csv beside
    the warehouse, where the data-quality page writes it)."""
    from tests.dashboard.test_apptest import app, open_page

    key, agency = _jump(small)
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(small, db)
    at = open_page(app(db, monkeypatch, year="2024"), page)
    named = [c for c in _captions(at) if agency in c and "十倍" in c and "⚠" in c]
    assert named, _captions(at)
    add_review(tmp_path / "reviews.csv", key, "dismissed", "网站改版，访问量统计口径变化，属实")
    at = open_page(app(db, monkeypatch, year="2024"), page)
    assert not [c for c in _captions(at) if agency in c and "十倍" in c], _captions(at)
