"""Honest text about unverified values (v_values.verified, false for a 表三/表四 cell whose identities do
not hold). An agency with unverified values is marked in the circular's ranking and named, its letter
names the values; a warehouse without the flag (built before it existed) makes the writing say nothing
about verification."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline.serve import queries
from pipeline.serve.writing.brief import brief_bytes
from pipeline.serve.writing.letter import letter_bytes
from pipeline.spec import catalog
from tests.writing.conftest import YEAR, doc_tables, doc_text, table_with

VIEW = """create or replace view v_values as
    select f.report_id, f.agency_id, f.year, f.metric, f.dim,
        case when f.dim is null then f.metric else f.metric || ':' || f.dim end as key,
        f.value, f.provenance, f.note, f.evidence{verified}
    from facts f"""


def _copy(wh, tmp_path, verified: str) -> duckdb.DuckDBPyConnection:
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(wh, db)
    with duckdb.connect(str(db)) as c:
        c.execute(VIEW.format(verified=verified))
    return duckdb.connect(str(db), read_only=True)


def test_without_the_flag_nothing_is_said_about_verification(wh, tmp_path):
    con = _copy(wh, tmp_path, "")
    assert queries.unverified(con, queries.Filters(), YEAR) is None
    assert "核验" not in doc_text(brief_bytes(con, YEAR, queries.Filters(), "md", tmp_path), "md")
    con.close()


@pytest.fixture
def flagged(wh, con, tmp_path):
    """The warehouse with the lowest-scored report of the year given two unverified values."""
    rid, aid = con.execute("""select r.report_id, r.agency_id from reports r left join check_results k using (report_id)
        where r.year = ? group by all order by count(k.check_id) desc, r.report_id limit 1""", [YEAR]).fetchone()
    assert rid.isalnum()  # a sha256: safe inside the view's text (a view takes no parameters)
    c = _copy(wh, tmp_path, f", f.verified and not (f.report_id = '{rid}' and f.metric in ('app.received_new', 'review')"
                            " and f.dim = 'total') as verified")
    yield c, rid, aid
    c.close()


def test_an_unverified_agency_is_marked_and_named(flagged, tmp_path):
    con, rid, aid = flagged
    name = con.execute("select name from agencies where agency_id = ?", [aid]).fetchone()[0]
    for fmt in ("docx", "pdf"):
        data = brief_bytes(con, YEAR, queries.Filters(), fmt, tmp_path)
        text = doc_text(data, fmt).replace(" ", "")
        assert "个机关的部分数值未能通过表内核验" in text and name in text[text.index("部分数值未能通过表内核验"):]
        lowest = table_with(doc_tables(data, fmt), ["机关", "得分", "扣分错误", "扣分警告"])
        assert lowest[0][0] == name + "*"
    letter = doc_text(letter_bytes(con, rid, "docx", tmp_path), "docx")
    for key in ("app.received_new:total", "review:total"):
        assert catalog.label(key, "zh") in letter[letter.index("项数值未能通过表内核验"):]


def test_unverified_values_of_the_warehouse_are_named_in_their_letter(con, tmp_path):
    """A report whose 表三 does not add up: its letter names exactly its unverified cells."""
    rid = con.execute("select report_id from v_values where not verified group by 1 order by 1 limit 1").fetchone()
    if rid is None:
        pytest.skip("no unverified value in the demo warehouse")
    keys = [r[0] for r in con.execute("select key from v_values where report_id = ? and not verified", rid).fetchall()]
    text = doc_text(letter_bytes(con, rid[0], "docx", tmp_path), "docx")
    assert f"以下 {len(keys)} 项数值未能通过表内核验" in text
    part = text[text.index("项数值未能通过表内核验"):]
    assert all(catalog.label(k, "zh") in part for k in keys)


def test_the_note_points_at_marks_only_where_the_lists_above_show_them(wh, con, tmp_path):
    """An unverified agency neither among the lowest scores listed nor among the highest is named in the
    note, and the note does not say it is marked * above (nothing above marks it)."""
    from pipeline.serve.writing.brief import LOWEST

    scores = queries.quality_scores(con, queries.Filters(year_from=YEAR, year_to=YEAR), ()).sort_values(["score", "agency"])
    middle = scores[scores.score < scores.score.max()].iloc[LOWEST + 2:]
    rid = con.execute("select report_id from reports where agency_id = ? and year = ?",
                      [middle.agency_id.iloc[0], YEAR]).fetchone()[0]
    name = middle.agency.iloc[0]
    c = _copy(wh, tmp_path, f", f.verified and not (f.report_id = '{rid}' and f.metric = 'app.received_new'"
                            " and f.dim = 'total') as verified")
    text = doc_text(brief_bytes(c, YEAR, queries.Filters(), "md", tmp_path), "md")
    c.close()
    note = text[text.index("部分数值未能通过表内核验"):]
    assert name in note.split("\n")[0] and name + "*" not in text
    assert "以 * 标注" not in note.split("\n")[0] and "列于上文的以 * 标注" not in text


def test_the_note_says_marked_when_a_listed_agency_is(flagged, tmp_path):
    con, rid, aid = flagged
    text = doc_text(brief_bytes(con, YEAR, queries.Filters(), "md", tmp_path), "md")
    assert "列于上文的以 * 标注" in text
