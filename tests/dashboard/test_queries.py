"""The dashboard's query functions: the pre-aggregated cube answers exactly what the facts say."""
from __future__ import annotations

from pathlib import Path

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
        top = queries.ranking(con, flt, years[0], key="app.received_new:total")
        series = queries.metric_series(con, flt, "app.received_new:total")
        one_year = series[series.year == years[0]].value
        assert list(top.value) == sorted(one_year, reverse=True)  # a count: highest first
        assert list(top["rank"]) == list(range(1, len(top) + 1))


def test_worst_first_follows_each_measures_direction(demo_db):
    """A lower grant rate is worse, a higher correction rate is worse; ranks count down the order shown and
    small samples come last, unranked."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        year = queries.years_with(con, queries.Filters(), measure="grant_rate")[0]
        for measure, worst_is_high in (("grant_rate", False), ("correction_rate", True)):
            for worst_first in (True, False):
                r = queries.ranking(con, queries.Filters(), year, measure=measure, worst_first=worst_first)
                ranked = r[~r.small_sample]
                high_first = worst_first == worst_is_high
                assert list(ranked.value) == sorted(ranked.value, reverse=high_first), (measure, worst_first)
                assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
                assert r[r.small_sample]["rank"].isna().all()
                assert list(r.small_sample) == sorted(r.small_sample)  # every small sample after the ranked


def test_one_peer_median_same_level_and_kind_without_small_samples(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        year = queries.years_with(con, queries.Filters(), measure="grant_rate")[0]
        r = queries.ranking(con, queries.Filters(), year, measure="grant_rate")
        for (level, kind), part in r.groupby(["level", "kind"]):
            usable = part[~part.small_sample]
            if len(usable):
                assert (part.peer_median == usable.value.median()).all() and (part.peers == len(usable)).all()
            else:
                assert part.peer_median.isna().all() and (part.peers == 0).all()
        # a government is never a department's peer
        assert {"government", "department"} <= set(r[r.level == "county"].kind)


def test_rates_in_the_warehouse_are_the_formulas_of_measures(demo_db):
    """Each rate is defined once (pipeline/spec/measures.py); the warehouse's column is that formula."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        df = con.execute("select * from measures").fetchdf()
    for key, m in queries.MEASURES.items():
        if m.rate:
            den = df.eval(m.den)
            expected = (df.eval(m.num) / den.where(den != 0)).astype(float)
            pd.testing.assert_series_equal(df[key].astype(float), expected, check_names=False)


def test_timeliness_and_findings_are_separate(demo_db):
    """The demo carries publication dates: most reports on time, the late ones listed with their days, the
    missing report not published; a report failing checks keeps its own timeliness."""
    from pipeline.demo.generator import LATE, NOT_PUBLISHED
    from pipeline.demo.render import agency_name

    with duckdb.connect(str(demo_db), read_only=True) as con:
        cov = queries.coverage(con, queries.Filters())
        reported = cov[cov.report_id.notna()]
        assert (reported.timeliness == "on_time").mean() > 0.9
        assert set(cov[cov.findings == "failing_checks"].timeliness) <= {"on_time", "late", "date_unknown", "deadline_unknown"}
        assert (cov.findings == "failing_checks").any()
        for (i, year), days in LATE.items():
            late = queries.late_agencies(con, queries.Filters(), year)
            row = late[late.agency == agency_name(i)[0]]
            assert list(row.timeliness) == ["late"] and list(row.days_late) == [days]
        i, year = NOT_PUBLISHED
        late = queries.late_agencies(con, queries.Filters(), year)
        row = late[late.agency == agency_name(i)[0]]
        assert list(row.timeliness) == ["not_published"] and int(row.days_late.iloc[0]) > 0


def test_same_agencies_sums(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        flt = queries.Filters()
        every = queries.section_agencies(con, flt, "applications")
        same = queries.section_agencies(con, flt, "applications", same=True)
        ids = queries.same_agencies(con, flt, "applications")
        assert (same.agencies == len(ids)).all() and every.agencies.max() > len(ids)  # agency 14 misses 2022
        totals = queries.section_totals(con, flt, "applications", same=True)
        by_ids = queries.section_totals(con, queries.Filters(agency_ids=ids), "applications")
        pd.testing.assert_frame_equal(totals[["year", "key", "value"]].reset_index(drop=True),
                                      by_ids[["year", "key", "value"]].reset_index(drop=True), check_dtype=False)


def test_special_zones_get_their_province_and_departments_are_not_governments():
    """Without a register, 平潭综合实验区 and its departments are 福建省's (cpca knows no such division), and a
    department is never a government's peer."""
    from pipeline.warehouse.agencies import resolve

    got = resolve(["平潭综合实验区管理委员会", "平潭综合实验区财政金融局", "河北雄安新区管理委员会"])
    assert got["平潭综合实验区管理委员会"].province == "福建省" and got["平潭综合实验区财政金融局"].province == "福建省"
    assert got["平潭综合实验区管理委员会"].level == got["平潭综合实验区财政金融局"].level == "city"
    assert got["河北雄安新区管理委员会"].province == "河北省"
    with duckdb.connect() as con:
        con.execute("create table a as select * from (values ('平潭综合实验区管理委员会', null), ('平潭综合实验区财政金融局', null), "
                    "('某县教育局', 'department'), ('某县人民政府', 'county'), ('平潭综合实验区', null), "
                    "('某某县', null), ('某区行政服务中心', null), ('某市规划设计院', null), ('某某国家级自然保护区', null), "
                    "('某某风景名胜区', null), ('神农架林区', null), ('阳泉市矿区', null)) t(name, register_level)")
        kinds = dict(con.execute(f"select name, {queries.KIND_SQL} from a").fetchall())
    assert kinds == {"平潭综合实验区管理委员会": "government", "平潭综合实验区财政金融局": "department",
                     "某县教育局": "department", "某县人民政府": "government", "平潭综合实验区": "government",
                     "某某县": "government", "某区行政服务中心": "department", "某市规划设计院": "department",
                     "某某国家级自然保护区": "department", "某某风景名胜区": "department",
                     "神农架林区": "government", "阳泉市矿区": "government"}


def test_a_table_not_read_weighs_as_an_error_in_the_score(tmp_path):
    """A report read blank scored 85 (three table_missing warnings): a table not read costs what an error
    does, as none of its figures could be checked. Every report's score follows the rule, with the marts
    and without them."""
    import shutil

    from pipeline.refresh.run import refresh

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    root = Path(__file__).resolve().parents[2]
    shutil.copy(sorted((root / "data" / "inbox" / "demo").rglob("*.html"))[0], inbox / "a.html")
    (inbox / "b.txt").write_text("某某县财政局2023年政府信息公开工作年度报告\n一、总体情况\n"
                                 "2023年，本局门户网站访问量为12.5万次。\n", encoding="utf-8")
    db = tmp_path / "data" / "warehouse.duckdb"
    refresh(inbox, db, quiet=True, workers=1)
    with duckdb.connect(str(db), read_only=True) as con:
        missing = dict(con.execute("select report_id, count(*) from check_results where check_id = 'table_missing' "
                                   "group by 1").fetchall())
        scores = queries.quality_scores(con, queries.Filters())
    assert list(missing.values()) == [3]
    for r in scores.itertuples():
        m = missing.get(r.report_id, 0)
        assert r.score == max(0, 100 - queries.SCORE_ERROR * (r.errors + m) - queries.SCORE_WARNING * (r.warnings - m))
    assert scores[scores.report_id.isin(missing)].score.max() <= 100 - 3 * queries.SCORE_ERROR


def test_a_date_without_a_deadline_is_said_as_such(demo_db):
    """An agency outside the register has no deadline: its report with a date the site showed is deadline_unknown,
    not date_unknown (the walk found 石牌街道办事处's dates beside 发布日期未知)."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        cov = queries.coverage(con, queries.Filters())
        agencies = con.execute("select agency_id, registered from agencies").df()
    cov = cov.merge(agencies, on="agency_id")
    dated = cov[cov.report_id.notna() & cov.published_on.notna()]
    outside = dated[~dated.registered.astype(bool)]
    assert len(outside), "the demo has an agency outside the register with dated reports"
    assert set(outside.timeliness) == {"deadline_unknown"}
    assert "date_unknown" not in set(dated.timeliness)


def test_the_level_filter_lists_levels_top_down(demo_db):
    """中央, 省级, 市级, 县区级, 乡镇街道 in that order (a walk found them alphabetical by code: 市级 first)."""
    import duckdb

    from pipeline.serve import queries

    with duckdb.connect(str(demo_db), read_only=True) as con:
        levels = queries.options(con)["levels"]
    order = ["national", "provincial", "city", "county", "township"]
    assert len(levels) >= 3 and levels == sorted(levels, key=order.index)
