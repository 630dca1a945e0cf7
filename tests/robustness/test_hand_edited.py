"""Files people edit by hand (reviews.csv, corrections.csv; the register in tests/fetch/test_register.py)
never sink a run and never lose lines silently: any encoding, a stray quote confined to its line, each
bad line named, appends on a line of their own."""
from __future__ import annotations

import pytest

from pipeline.serve.reviews import add_review, read_reviews, read_reviews_checked
from pipeline.warehouse.build import read_corrections

HEAD = "finding_key,status,note,reviewed_at\n"


def test_a_stray_quote_in_reviews_spoils_its_own_line_only(tmp_path):
    p = tmp_path / "reviews.csv"
    later = "".join(f"k{i},dismissed,说明{i},2026-12-01\n" for i in range(2000))  # far more than 128 KB after it
    p.write_text(HEAD + 'k-a,confirmed,"引号未闭合,2026-12-01\n' + later + "x" * 0, encoding="utf-8")
    got, problems = read_reviews_checked(p)
    assert len(got) == 2000 and got["k1999"] == ("dismissed", "说明1999", "2026-12-01")
    assert problems == [problems[0]] and problems[0].startswith("reviews.csv line 2: a stray or unbalanced quote")


@pytest.mark.parametrize("last", [b"", b"\n", b"\r\n", b"\r"])
def test_a_review_is_appended_on_its_own_line_whatever_the_last_byte(tmp_path, last):
    p = tmp_path / "reviews.csv"
    p.write_bytes((HEAD + "k1,confirmed,甲,2026-12-01").encode() + last)
    add_review(p, "k2", "dismissed", "乙")
    got = read_reviews(p)
    assert got["k1"][:2] == ("confirmed", "甲") and got["k2"][:2] == ("dismissed", "乙")


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_reviews_in_gbk_or_utf16_are_read_and_appended_in_kind(tmp_path, encoding):
    p = tmp_path / "reviews.csv"
    p.write_bytes((HEAD + "k1,dismissed,机构合并，申请量确有大幅增长,2026-12-01\n").encode(encoding))
    add_review(p, "k2", "confirmed", "表格数字有误")
    got, problems = read_reviews_checked(p)
    assert problems == []
    assert got["k1"][1] == "机构合并，申请量确有大幅增长" and got["k2"][1] == "表格数字有误"


def test_control_characters_in_a_review_note_are_not_written(tmp_path):
    p = tmp_path / "reviews.csv"
    add_review(p, "k1", "dismissed", "a\x00b\x1b[2Jc\nd")
    assert b"\x00" not in p.read_bytes() and b"\x1b" not in p.read_bytes()
    assert read_reviews(p)["k1"][1] == "a b [2Jc d"


def _corr(tmp_path, values: list[str]):
    p = tmp_path / "corrections.csv"
    p.write_text("agency,year,metric,dim,value,note\n" + "".join(
        f"洛阳市生态环境局,2020,website.visits,,{v},\n" for v in values), encoding="utf-8")
    return read_corrections(p)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_conflicting_corrections_apply_none_whatever_their_number(tmp_path, n):
    out, problems = _corr(tmp_path, [str(100 + i) for i in range(n)])
    assert out == []
    assert len(problems) == n - 1 and all("none of the lines for this fact is applied" in p for p in problems)


def test_corrections_in_gbk_with_a_nul_line(tmp_path):
    p = tmp_path / "corrections.csv"
    p.write_bytes(("机关,年度,指标,维度,数值,说明\n洛阳市生态环境局,2020,website.visits,,5,改\n"
                   "洛阳市生态环境局,2020,review,total,\x007,\n").encode("gb18030"))
    out, problems = read_corrections(p)
    assert [(c.agency, c.value) for c in out] == [("洛阳市生态环境局", 5.0)]
    assert problems == ["corrections.csv line 3: a NUL character; line left out"]


def test_an_unreadable_register_keeps_the_last_good_one_and_the_refresh_says_so(env):
    from pipeline.demo.render import agency_name
    from pipeline.warehouse.register import Entry, write_register
    from tests.warehouse.conftest import write_report

    agencies = env.data / "agencies.csv"
    env.data.mkdir(parents=True, exist_ok=True)
    name = agency_name(0)[0]
    write_register([Entry("a0", name, [], "320100", "department")], agencies)
    write_report(env.inbox, "r0.html", name, 2023, seed=0)
    rr = env.refresh(agencies=agencies)
    assert rr.exit_code == 0 and rr.unregistered == []
    agencies.write_bytes(b"\xff\xfe\x00\xd8 broken")  # UTF-16 that does not decode: unreadable
    rr = env.refresh(agencies=agencies)
    assert rr.exit_code == 1 and rr.unregistered == [], rr.summary()  # the last good register still attaches it
    assert "the last one read well is used" in rr.summary()
