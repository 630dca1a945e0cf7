"""Honest text about unverified values. The warehouse's per-fact `verified` flag (v_values.verified) is
being added for issue 15; until it is, the writing says nothing about verification. Here a copy of the
warehouse is given the flag, one agency's values unverified: the circular names it and leaves it out of
the ranking, its letter names the values."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline.serve import queries
from pipeline.serve.writing.brief import brief_bytes
from pipeline.serve.writing.letter import letter_bytes
from tests.writing.conftest import YEAR, doc_tables, doc_text, table_with


def test_without_the_flag_nothing_is_said_about_verification(con, tmp_path):
    assert queries.unverified(con, queries.Filters(), YEAR) is None
    text = doc_text(brief_bytes(con, YEAR, queries.Filters(), "md", tmp_path), "md")
    assert "核验" not in text


@pytest.fixture
def flagged(wh, tmp_path):
    db = tmp_path / "flagged.duckdb"
    shutil.copyfile(wh, db)
    c = duckdb.connect(str(db))
    # the lowest-scored agency of the year, so leaving it out of the ranking shows
    rid, aid = c.execute("""select r.report_id, r.agency_id from reports r left join check_results k using (report_id)
        where r.year = ? group by all order by count(k.check_id) desc, r.report_id limit 1""", [YEAR]).fetchone()
    assert rid.isalnum()  # a sha256: safe inside the view's text (a view cannot take parameters)
    c.execute(f"""create or replace view v_values as
        select f.report_id, f.agency_id, f.year, f.metric, f.dim,
            case when f.dim is null then f.metric else f.metric || ':' || f.dim end as key,
            f.value, f.provenance, f.note, f.evidence,
            not (f.report_id = '{rid}' and f.metric in ('app.received_new', 'review')) as verified
        from facts f""")
    c.close()
    c = duckdb.connect(str(db), read_only=True)
    yield c, rid, aid
    c.close()


def test_an_unverified_agency_is_named_and_not_ranked(flagged, tmp_path):
    con, rid, aid = flagged
    name = con.execute("select name from agencies where agency_id = ?", [aid]).fetchone()[0]
    for fmt in ("docx", "pdf"):
        data = brief_bytes(con, YEAR, queries.Filters(), fmt, tmp_path)
        text = doc_text(data, fmt)
        assert f"以下机关的部分数值未能通过表内核验，未参加上述排名：{name}" in text
        lowest = table_with(doc_tables(data, fmt), ["机关", "得分", "待处理错误", "待处理警告"])
        assert name not in [r[0] for r in lowest]
    letter = doc_text(letter_bytes(con, rid, "docx", tmp_path), "docx")
    assert "以下数值未能通过表内核验" in letter and "本年新收政府信息公开申请数量 · 总计" in letter
