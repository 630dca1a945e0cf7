"""What the dashboard shows must not mislead: a change compares like with like (the same agency and the
same platform in both years), and says what it compared and over how many."""
from __future__ import annotations

import duckdb

from pipeline.serve import queries
from pipeline.serve.query_measures import part_pairs
from tests.dashboard.test_apptest import app, frame_with, open_page


def _followers(con) -> "pd.DataFrame":  # noqa: F821
    return con.execute("select agency_id, metric, year, value from v_values "
                       "where metric like 'newmedia.%.followers' and value is not null").fetchdf()


def _like_with_like(f, year):
    """previous, current, pairs, agencies over (agency, platform) with a value in both years, by hand."""
    both = f[f.year == year].merge(f[f.year == year - 1], on=["agency_id", "metric"], suffixes=("", "_p"))
    return both.value_p.sum(), both.value.sum(), len(both), both.agency_id.nunique()


def test_followers_change_compares_the_same_agency_and_platform(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        f = _followers(con)
        year = int(f.year.max())
        prev, now, pairs, agencies = _like_with_like(f, year)
        # the demo has platforms listed one year and not the next: same agencies alone would differ
        same = set(f[f.year == year].agency_id) & set(f[f.year == year - 1].agency_id)
        naive = f[(f.year == year) & f.agency_id.isin(same)].value.sum() - f[(f.year == year - 1) & f.agency_id.isin(same)].value.sum()
        assert abs(naive - (now - prev)) > 1e5
        for rows in (queries.tiles(con, queries.Filters(), year).set_index("tile").loc[["followers_total"]],
                     queries.measure_changes(con, queries.Filters(), year, ("followers_total",))):
            r = rows.iloc[0]
            assert r.change == now - prev and r.previous == prev and r.current_same == now
            assert r.pairs == pairs and r.same_agencies == agencies


def test_overview_followers_tile_says_pairs_and_shows_the_like_with_like_change(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        f = _followers(con)
    year = int(f.year.max())
    prev, now, pairs, agencies = _like_with_like(f, year)
    at = open_page(app(demo_db, monkeypatch, year=str(year)), "overview")
    tile = next(m for m in at.metric if m.label == "新媒体粉丝")
    assert tile.delta.startswith("+" if now >= prev else "-")
    assert tile.delta.endswith("（同口径）")  # the arrow says it compares a part, not the tile's total
    assert any(f"同一平台两年均有数据的 {pairs} 组（{agencies} 个机关）" in c.value for c in at.caption)
    tiles = frame_with(at, "tile", "pairs").set_index("tile")
    assert tiles.loc["followers_total", "count_change"] == now - prev
    assert tiles.loc["followers_total", "pairs"] == pairs


def test_compare_ranking_of_followers_changes_over_the_same_platforms(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        f = _followers(con)
    year = int(f.year.max())
    both = f[f.year == year].merge(f[f.year == year - 1], on=["agency_id", "metric"], suffixes=("", "_p"))
    per = both.groupby("agency_id").agg(now=("value", "sum"), prev=("value_p", "sum"), pairs=("metric", "size"))
    at = app(demo_db, monkeypatch, metric="followers_total", year=str(year))
    at = open_page(at, "compare")
    assert any("某年未列的平台不算作减少" in c.value for c in at.caption)
    ranked = frame_with(at, "rank", "followers_total", "pairs").set_index("agency_id")
    shared = ranked.loc[per.index]
    assert (shared.change == per.now - per.prev).all() and (shared.pairs == per.pairs).all()
    assert (shared.prev_value == per.prev).all()
    # an agency whose platforms changed: its change is not its total's difference
    totals = f.groupby(["agency_id", "year"]).value.sum().unstack()
    assert any(shared.change != totals.loc[per.index, year] - totals.loc[per.index, year - 1])


def test_platform_lines_sum_the_same_agencies_per_platform_and_say_how_many(demo_db, monkeypatch):
    import json

    with duckdb.connect(str(demo_db), read_only=True) as con:
        f = con.execute("select agency_id, key, year, value from v_values where metric like 'newmedia.%' "
                        "and value is not null").fetchdf()
    # by hand: each platform's line sums the agencies listing it in every year the platform has figures
    years = f.groupby("key").year.nunique()
    listed = f.groupby(["key", "agency_id"]).year.nunique().reset_index()
    keep = listed[listed.year == listed.key.map(years)][["key", "agency_id"]]
    expected = f.merge(keep).groupby(["key", "year"]).agg(value=("value", "sum"), agencies=("agency_id", "nunique"))
    at = open_page(app(demo_db, monkeypatch), "web_media")
    assert at.toggle(key="web_same").value is True  # like with like unless asked otherwise
    nm = frame_with(at, "platform", "kind", "agencies")
    nm["key"] = "newmedia." + nm.platform + "." + nm.kind
    got = nm.set_index(["key", "year"]).sort_index()
    assert list(got.value) == list(expected.sort_index().value)
    assert list(got.agencies) == list(expected.sort_index().agencies)
    assert any("每个平台只合计在该平台有数据的每一年都列出它的同一批机关" in c.value for c in at.caption)
    lines = [json.loads(c.proto.spec) for c in at.get("plotly_chart")][-2:]
    assert all("个机关" in t["hovertemplate"] for spec in lines for t in spec["data"])
    at.toggle(key="web_same").set_value(False).run()
    assert at.query_params["same"] == ["0"] or at.query_params["same"] == "0"
    every = frame_with(at, "platform", "kind", "agencies")
    every["key"] = "newmedia." + every.platform + "." + every.kind
    counts = f.groupby(["key", "year"]).agency_id.nunique()
    assert list(every.set_index(["key", "year"]).sort_index().agencies) == list(counts.sort_index())
    assert any("悬停可见每个点所含机关数" in c.value for c in at.caption)


def test_section_sums_default_to_the_same_agencies(demo_db, monkeypatch):
    for page, key in (("applications", "app_same"), ("review", "rv_same"), ("active", "act_same")):
        at = open_page(app(demo_db, monkeypatch), page)
        assert at.toggle(key=key).value is True
        assert any("同一批" in c.value for c in at.caption)
        at = open_page(app(demo_db, monkeypatch, same="0"), page)
        assert at.toggle(key=key).value is False


def test_verified_only_pairs_leave_out_an_agency_whose_sum_is_unverified(demo_db, tmp_path):
    """Under 'verified only' the change counts the agencies whose followers' sum counts in the value beside
    it: an agency whose sum is unverified in either year is left out of both, not only its platforms."""
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:
        f = _followers(con)
        year = int(f.year.max())
        flt = queries.Filters(verified_only=True)
        before = part_pairs(con, flt, year, "followers_total")
        aid = before.agency_id.iloc[0]
        con.execute("update measures_verified set followers_total = false where agency_id = ? and year = ?",
                    [aid, year - 1])
        after = part_pairs(con, flt, year, "followers_total")
        assert aid not in set(after.agency_id) and set(after.agency_id) == set(before.agency_id) - {aid}
        assert aid in set(part_pairs(con, queries.Filters(), year, "followers_total").agency_id)


def test_same_agencies_under_verified_only_are_those_whose_section_counts_every_year(demo_db):
    """Both switches on: an agency whose 表三 values are unverified one year would add nothing that year and
    make its sum dip, so it is not one of the same agencies; without 'verified only' it is."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        flagged = {a for (a,) in con.execute(
            "select distinct agency_id from v_values where metric like 'app.%' and not coalesce(verified, false)").fetchall()}
        assert flagged, "the demo has unverified 表三 values"
        every = set(queries.same_agencies(con, queries.Filters(), "applications"))
        verified = set(queries.same_agencies(con, queries.Filters(verified_only=True), "applications"))
    assert flagged & every and not flagged & verified
    assert verified == every - flagged
