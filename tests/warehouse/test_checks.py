"""Each check on a hand-made case that breaks it and one that passes."""
from __future__ import annotations

import json
import random
import re

import pytest

from pipeline.spec import catalog, findings
from pipeline.warehouse import checks
from pipeline.demo.render import next_year, random_facts
from tests.warehouse.conftest import write_report


def ids(rows):
    return {r[0] for r in rows}


# a metric code (website.visits, app.total) or a column code (natural_person) as written in the data
CODE = re.compile(r"\b(app|review|litigation|website|newmedia|active|engagement|fees)(\.[a-z_]+)+|:[a-z_]+\b|"
                  r"\b(natural_person|commercial|research|public_interest|legal_service|in_force|upheld|corrected)\b")


def _readable(check_id: str, cells, data) -> bool:
    """The finding written from its fields in both languages: every cell's label is in it (when the check
    names its cells), and no raw code is in the Chinese one."""
    zh, en = findings.message(check_id, cells, data, "zh"), findings.message(check_id, cells, data, "en")
    assert zh and en and zh != en, (zh, en)
    assert not CODE.search(zh), zh
    return True


@pytest.fixture
def good():
    return random_facts(random.Random(3), "2021", size=3)


def test_registry_has_explanations_in_both_languages():
    assert len({c.id for c in checks.REGISTRY}) == len(checks.REGISTRY)
    for c in checks.REGISTRY:
        assert c.severity in ("error", "warning", "info") and c.zh and c.en and c.kind in ("report", "warehouse")


def test_consistent_tables_pass_every_report_check(good):
    assert checks.run_report_checks(good, {"issues": [], "statements": []}) == []


@pytest.mark.parametrize("key,check_id", [
    ("app.carried_in:natural_person", "app_balance"),
    ("app.granted:commercial", "app_outcomes_sum"),
    ("app.partial:research", "app_columns_sum"),
    ("review:upheld", "review_sum"),
    ("litigation.after_review:pending", "review_sum"),
])
def test_a_broken_identity_is_caught(good, key, check_id):
    bad = dict(good)
    bad[key] = bad[key] + 3
    rows = checks.run_report_checks(bad, {})
    assert check_id in ids(rows)
    row = next(r for r in rows if r[0] == check_id and key in r[5])  # the broken cell is among its cells
    data = json.loads(row[6])
    assert abs(data["lhs"] - data["rhs"]) == 3 and data["table"] == ("表四" if check_id == "review_sum" else "表三")
    assert _readable(check_id, row[5], row[6])
    where = findings.key_label(data["where"], "zh")
    assert where in row[2] and findings.key_label(data["where"], "en") in findings.message(check_id, row[5], row[6], "en")
    assert row[2] == findings.message(check_id, row[5], row[6], "zh")  # the stored record is the same writing


def test_identities_are_not_evaluated_on_missing_cells(good):
    partial = {k: v for k, v in good.items() if not k.startswith("app.total")}
    partial["app.granted:natural_person"] = partial["app.granted:natural_person"] + 5  # breaks only 列 sums
    found = ids(checks.run_report_checks(partial, {}))
    assert "app_outcomes_sum" not in found and "app_balance" not in found


def test_text_against_tables(good):
    ok = {"statements": [{"kind": "applications_received", "value": good["app.received_new:total"], "text": "共收到申请"}]}
    assert "text_vs_table" not in ids(checks.run_report_checks(good, ok))
    bad = {"statements": [{"kind": "review_total", "value": good["review:total"] + 1, "text": "行政复议"}]}
    assert "text_vs_table" in ids(checks.run_report_checks(good, bad))


def test_blank_cells_and_extraction_notes_are_info(good):
    ctx = {"issues": [{"code": "blank_cells", "message": "2 cells blank", "where": "x", "data": {"count": 2}},
                      {"code": "row_cells", "message": "row left out", "where": "y"}]}
    rows = checks.run_report_checks(good, ctx)
    assert {(r[0], r[1]) for r in rows} == {("blank_cells", "info"), ("extraction", "info")}
    blank = next(r for r in rows if r[0] == "blank_cells")
    assert blank[2].startswith("2 个单元格") and blank[3].startswith("2 table cells")  # the count is a field
    assert all(_readable(r[0], r[5], r[6]) for r in rows)
    assert "表格行的单元格数与表头不符" in next(r for r in rows if r[0] == "extraction")[2]


# every check's fields as it stores them, and what its message must name in each language
FIELDS = [
    ("app_balance", ["app.received_new:natural_person"], {"table": "表三", "where": "natural_person", "lhs": 5, "rhs": 7},
     ["自然人", "表三"], ["Natural persons"]),
    ("app_columns_sum", ["app.granted:total"], {"table": "表三", "where": "app.granted", "lhs": 5, "rhs": 7},
     [catalog.label("app.granted", "zh")], [catalog.label("app.granted", "en")]),
    ("review_sum", ["litigation.direct:total"], {"table": "表四", "where": "litigation.direct", "lhs": 5.5, "rhs": 7},
     [catalog.label("litigation.direct", "zh"), "5.5"], [catalog.label("litigation.direct", "en")]),
    ("carryover", ["app.carried_out:commercial", "app.carried_in:commercial"],
     {"column": "commercial", "prev_year": 2022, "year": 2023, "prev": 3.0, "cur": 4.0}, ["2022", "3", "4"], ["2023"]),
    ("in_force_carry", ["active.regulations:in_force"], {"metric": "active.regulations", "prev_year": 2022,
     "prev_in_force": 10, "made": 2, "repealed": 1, "expected": 11, "in_force": 12},
     [catalog.label("active.regulations", "zh"), "11", "12"], [catalog.label("active.regulations", "en")]),
    ("jump_tenfold", ["website.visits"], {"prev_year": 2022, "prev": 20000.0, "cur": 250000.0},
     [catalog.label("website.visits", "zh"), "20000 → 250000"], [catalog.label("website.visits", "en")]),
    ("files_disagree", ["review:upheld"], {"used": 3.0, "other": 4.0},
     [catalog.label("review:upheld", "zh")], [catalog.label("review:upheld", "en")]),
    ("narrative_copied", [], {"same": 9, "total": 10, "percent": 90.0, "prev_year": 2022}, ["9 / 10", "90%"], ["9 of 10"]),
    ("published_late", [], {"year": 2022, "published_on": "2023-04-02", "deadline": "2023-03-31", "days_late": 2},
     ["晚 2 天"], ["2 days late"]),
    ("agency_unregistered", [], {"name": "某某局"}, ["某某局"], ["某某局"]),
    ("text_vs_table", ["review:total"], {"kind": "review_total", "said": 3.0, "shown": 4.0, "table": "表四"},
     ["行政复议", "正文 3", "表格 4"], ["reconsiderations"]),
    ("table_missing", [], {"table": "表四 复议诉讼"}, ["表四"], ["表四"]),
    ("section_five_empty", [], {}, ["第五部分"], ["section 5"]),
    ("fees_not_stated", [], {}, ["信息处理费"], ["fees"]),
]


@pytest.mark.parametrize("check_id,cells,data,zh,en", FIELDS, ids=[f[0] for f in FIELDS])
def test_each_check_writes_its_finding_from_its_fields(check_id, cells, data, zh, en):
    """One writer per check: the labels of its cells and its numbers in each language, no code in Chinese."""
    stored = findings.dumps(data)
    assert _readable(check_id, cells, stored)
    assert all(w in findings.message(check_id, cells, stored, "zh") for w in zh)
    assert all(w in findings.message(check_id, cells, stored, "en") for w in en)


def test_every_check_has_a_writer():
    assert {c.id for c in checks.REGISTRY} == set(findings.WRITERS)


def _warehouse_checks(env):
    return env.query("select check_id, year, message, cells, data, message_en from check_results where check_id in "
                     "('carryover', 'in_force_carry', 'narrative_copied', 'jump_tenfold', 'files_disagree')")


AG = "洛阳市生态环境局"


def test_consecutive_years_that_follow_on_pass(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    f2 = next_year(f1, random_facts(random.Random(2), "2021", size=2), "2021")
    f2["website.visits"] = f1["website.visits"]
    write_report(env.inbox, "a2022.html", AG, 2022, f1, seed=1)
    write_report(env.inbox, "a2023.html", AG, 2023, f2, seed=2)
    env.refresh()
    assert [r for r in _warehouse_checks(env) if r[0] != "jump_tenfold"] == []


def test_carryover_broken(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    f2 = next_year(f1, random_facts(random.Random(2), "2021", size=2), "2021")
    f2["app.carried_in:natural_person"] += 2
    f2["app.received_new:natural_person"] -= 2 if f2["app.received_new:natural_person"] >= 2 else 0
    f2["app.carried_in:total"] += 2
    write_report(env.inbox, "a2022.html", AG, 2022, f1, seed=1)
    write_report(env.inbox, "a2023.html", AG, 2023, f2, seed=2)
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "carryover"]
    assert rows and all(r[1] == 2023 for r in rows)
    assert any("app.carried_in:natural_person" in r[3] for r in rows)
    assert all(_readable(r[0], r[3], r[4]) for r in rows)
    assert any("自然人" in r[2] and "Natural persons" in r[5] for r in rows)  # the stored record, from the fields


def test_in_force_carry_broken(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    f2 = next_year(f1, random_facts(random.Random(2), "2021", size=2), "2021")
    f2["active.normative_docs:in_force"] += 7
    write_report(env.inbox, "a2022.html", AG, 2022, f1, seed=1)
    write_report(env.inbox, "a2023.html", AG, 2023, f2, seed=2)
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "in_force_carry"]
    assert len(rows) == 1 and "active.normative_docs:in_force" in rows[0][3] and _readable(*rows[0][0:1], *rows[0][3:5])
    assert json.loads(rows[0][4])["in_force"] - json.loads(rows[0][4])["expected"] == 7


def test_narrative_copied_from_last_year(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    write_report(env.inbox, "a2022.html", AG, 2022, f1, seed=7)
    write_report(env.inbox, "a2023.html", AG, 2023, dict(f1), seed=7)  # same seed: the same sentences
    write_report(env.inbox, "b2022.html", "南京市财政局", 2022, f1, seed=1)
    write_report(env.inbox, "b2023.html", "南京市财政局", 2023, dict(f1), seed=2)  # other sentences
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "narrative_copied"]
    assert len(rows) == 1 and rows[0][1] == 2023 and _readable(rows[0][0], rows[0][3], rows[0][4])
    agency = env.query("select a.name from check_results c join agencies a using (agency_id) "
                       "where check_id = 'narrative_copied'")[0][0]
    assert agency == AG


def test_tenfold_jump(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    f2 = next_year(f1, random_facts(random.Random(2), "2021", size=2), "2021")
    f1["website.visits"], f2["website.visits"] = 20000, 250000
    write_report(env.inbox, "a2022.html", AG, 2022, f1, seed=1)
    write_report(env.inbox, "a2023.html", AG, 2023, f2, seed=2)
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "jump_tenfold"]
    assert any("website.visits" in r[3] for r in rows) and all(_readable(r[0], r[3], r[4]) for r in rows)
    f2["website.visits"] = 90000
    write_report(env.inbox, "a2023.html", AG, 2023, f2, seed=2)
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "jump_tenfold"]
    assert not any("website.visits" in r[3] for r in rows)


def test_two_files_for_one_report(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    write_report(env.inbox, "a2023.html", AG, 2023, f1, seed=1)
    write_report(env.inbox, "a2023.txt", AG, 2023, f1, seed=1, fmt="txt")
    env.refresh()
    assert env.query("select count(*), max(alternatives) from reports") == [(1, 1)]
    assert [r for r in _warehouse_checks(env) if r[0] == "files_disagree"] == []
    f2 = dict(f1)
    f2["review:upheld"] += 1
    f2["review:total"] += 1
    write_report(env.inbox, "a2023.txt", AG, 2023, f2, seed=1, fmt="txt")
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "files_disagree"]
    assert {k for r in rows for k in r[3]} == {"review:upheld", "review:total"}
    assert all(_readable(r[0], r[3], r[4]) for r in rows)
    reason, alternatives = env.query("select choice_reason, alternatives from reports")[0]
    assert reason and alternatives == 1  # the replaced version of a2023.txt no longer counts
    assert env.query("select count(*) from files where status = 'superseded'")[0][0] == 1


@pytest.mark.parametrize("sentence,kind,key", [
    ("本年度共新收政府信息公开申请{v}件。", "applications_received", "app.received_new:total"),
    ("上年结转政府信息公开申请数量{v}件。", "carried_in", "app.carried_in:total"),
    ("结转下年度继续办理{v}件。", "carried_out", "app.carried_out:total"),
    ("另有{v}件结转至下一年度办理的申请，本年度新收申请情况见表三。", "carried_out", "app.carried_out:total"),
])
def test_text_against_tables_for_new_and_carried_applications(good, sentence, kind, key):
    """The narrative's phrasings of 本年新收, 上年结转 and 结转下年度 are read as statements and checked
    against 表三's total column: the table's own value passes, another one is a finding."""
    from pipeline.read.document import Document, Paragraph
    from pipeline.spec.model import Report
    from pipeline.extract.narrative import read_narrative

    def statements(v):
        rep = Report(path="x.txt", sha256="", format="txt", year=2023)
        read_narrative(Document("x.txt", "txt", [Paragraph(sentence.format(v=v))]), rep)
        return {"statements": rep.statements, "issues": []}

    right = statements(int(good[key]))
    assert [s["kind"] for s in right["statements"]] == [kind]
    assert "text_vs_table" not in ids(checks.run_report_checks(good, right))
    wrong = statements(int(good[key]) + 2)
    found = [r for r in checks.run_report_checks(good, wrong) if r[0] == "text_vs_table"]
    assert found and str(int(good[key]) + 2) in found[0][2] and found[0][5] == [key]
    assert _readable("text_vs_table", found[0][5], found[0][6])


def test_a_total_received_beside_the_new_ones_is_not_a_finding(good):
    """受理 12 件，其中新收 10 件: the text states the table's new applications; no finding."""
    n = int(good["app.received_new:total"])
    ctx = {"statements": [{"kind": "applications_received", "value": n + 2, "text": "受理"},
                          {"kind": "applications_received", "value": n, "text": "新收"}]}
    assert "text_vs_table" not in ids(checks.run_report_checks(good, ctx))


def _read_and_check(facts: dict, template: str, year: int, **layout) -> list[tuple]:
    """A rendered report read back and checked as the refresh checks it (the reader's issues as context)."""
    from pipeline.demo.render import Layout, render
    from pipeline.extract import extract_bytes

    report = extract_bytes(render(facts, AG, year, template, Layout("html", **layout), seed=1), "a.html")
    doc = report.to_json()
    return checks.run_report_checks(report.values(), {"issues": doc["issues"], "statements": doc["statements"]})


@pytest.mark.parametrize("prefix,table", [(("review", "litigation"), "表四"), (("active.",), "表二"),
                                          (("app.",), "表三")])
def test_table_missing(good, prefix, table):
    assert "table_missing" not in ids(_read_and_check(good, "2021", 2023))
    without = {k: v for k, v in good.items() if not k.startswith(prefix)}
    found = [r for r in _read_and_check(without, "2021", 2023) if r[0] == "table_missing"]
    assert len(found) == 1 and table in found[0][2] and found[0][1] == "warning"
    assert table in findings.message("table_missing", found[0][5], found[0][6], "en")


def test_section_five_empty_and_fees_not_stated(good):
    assert not {"section_five_empty", "fees_not_stated"} & ids(_read_and_check(good, "2021", 2023))
    assert {"section_five_empty", "fees_not_stated"} <= ids(_read_and_check(good, "2021", 2023, thin_closing=True))
    old = random_facts(random.Random(3), "2019", size=3)
    assert not {"section_five_empty", "fees_not_stated"} & ids(_read_and_check(old, "2019", 2020))
    thin_2019 = ids(_read_and_check(old, "2019", 2020, thin_closing=True))
    assert "section_five_empty" in thin_2019 and "fees_not_stated" not in thin_2019  # the 2019 format asks no fees


def test_every_check_has_a_test():
    """The README promises each check a case that breaks it and one that passes: every registered check is
    named in a test (here, or where its data comes from: tests/fetch for publication dates and the register)."""
    from pathlib import Path

    tests = Path(__file__).resolve().parent.parent
    source = "".join(p.read_text(encoding="utf-8") for p in tests.rglob("test_*.py"))
    untested = [c.id for c in checks.REGISTRY if f'"{c.id}"' not in source and f"'{c.id}'" not in source]
    assert untested == []


def test_a_warehouse_of_the_older_schema_is_read_again_with_the_findings_fields(env):
    """Schema 6 kept findings as text only: a refresh over it reads every file again into schema 7, so
    every finding has its cells and fields (none is carried over without them)."""
    import duckdb

    from pipeline.warehouse.build import SCHEMA_VERSION

    bad = random_facts(random.Random(1), "2021", size=2)
    bad["review:upheld"] += 3
    write_report(env.inbox, "a2023.html", AG, 2023, bad, seed=1)
    env.refresh()
    with duckdb.connect(str(env.db)) as con:
        con.execute("update meta set value = '6' where key = 'schema_version'")
        con.execute("drop view v_check_results")
        for t in ("check_results", "source_checks"):
            con.execute(f"alter table {t} drop column cells")
            con.execute(f"alter table {t} drop column data")
    env.refresh()
    assert env.query("select value from meta where key = 'schema_version'") == [(SCHEMA_VERSION,)]
    rows = env.query("select check_id, cells, data from check_results where check_id = 'review_sum'")
    assert rows and all("review:upheld" in c and json.loads(d)["table"] == "表四" for _, c, d in rows)
