"""corrections.csv as spreadsheets save it: encodings, delimiters, headers; bad rows named, never fatal."""
from __future__ import annotations

import pytest

from pipeline.warehouse.build import read_corrections

GOOD = [("洛阳市生态环境局", "2020", "website.visits", "", "167540", "口径更正"),
        ("洛阳市生态环境局", "2020", "review", "upheld", "0", "人工核对")]


def _csv(rows, header=("agency", "year", "metric", "dim", "value", "note"), delim=","):
    lines = [delim.join(header)] if header else []
    lines += [delim.join(r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le"])
@pytest.mark.parametrize("delim", [",", ";", "\t"])
def test_encodings_and_delimiters(tmp_path, encoding, delim):
    p = tmp_path / "corrections.csv"
    p.write_bytes(_csv(GOOD, delim=delim).encode(encoding))
    out, problems = read_corrections(p)
    assert not problems
    assert [(c.agency, c.year, c.metric, c.dim, c.value) for c in out] == [
        ("洛阳市生态环境局", 2020, "website.visits", None, 167540.0), ("洛阳市生态环境局", 2020, "review", "upheld", 0.0)]


def test_loose_and_chinese_headers(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(_csv(GOOD, header=(" Agency ", "YEAR", "Metric", "dim", "Value ", "NOTE")), encoding="utf-8")
    assert len(read_corrections(p)[0]) == 2
    p.write_text(_csv(GOOD, header=("机关", "年度", "指标", "维度", "数值", "说明")), encoding="gbk")
    assert len(read_corrections(p)[0]) == 2


def test_no_header_is_one_clear_problem(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(_csv(GOOD, header=None), encoding="utf-8")
    out, problems = read_corrections(p)
    assert out == [] and len(problems) == 1 and "header" in problems[0] and "line 1" in problems[0]


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-inf", "1e400", "abc", ""])
def test_values_that_are_not_finite_numbers(tmp_path, value):
    p = tmp_path / "c.csv"
    p.write_text(_csv([("某局", "2020", "website.visits", "", value, "")] + GOOD[:1]), encoding="utf-8")
    out, problems = read_corrections(p)
    assert len(out) == 1 and out[0].value == 167540
    assert len(problems) == 1 and "line 2" in problems[0]


def test_conflicting_rows_neither_applied(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(_csv([GOOD[0], GOOD[0][:4] + ("200", "又一次"), GOOD[1]]), encoding="utf-8")
    out, problems = read_corrections(p)
    assert [c.metric for c in out] == ["review"]
    assert len(problems) == 1 and "line 3" in problems[0] and "line 2" in problems[0]


def test_wrong_column_counts_and_stray_quote(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("agency,year,metric,dim,value,note\n"
                 "某局,2020,website.visits,,100\n"  # too few
                 "某局,2020,website.visits,,100,note,extra\n"  # too many
                 '某局,2020,review,upheld,"3,note\n'  # a stray quote swallows the rest
                 "洛阳市生态环境局,2020,review,total,5,ok\n", encoding="utf-8")
    out, problems = read_corrections(p)
    assert [x.split(":")[0] for x in problems] == ["c.csv line 2", "c.csv line 3", "c.csv line 4"]
    assert [(c.metric, c.dim, c.value, c.line) for c in out] == [("review", "total", 5.0, 5)]


def test_unknown_metric_and_dim(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(_csv([("某局", "2020", "no.such", "", "1", ""), ("某局", "2020", "review", "nope", "1", "")]),
                 encoding="utf-8")
    out, problems = read_corrections(p)
    assert out == [] and len(problems) == 2


def test_refresh_survives_a_bad_corrections_file(env):
    from pipeline.demo.render import agency_name
    from tests.warehouse.conftest import write_report

    write_report(env.inbox, "a.html", agency_name(1)[0], 2023, seed=1)
    env.data.mkdir(parents=True, exist_ok=True)
    (env.data / "corrections.csv").write_bytes(b"\xff\xfe\x00garbage\x00\x00\xd8")
    rr = env.refresh()
    assert rr.exit_code == 0 and rr.reports_loaded == 1
