"""Each check on a hand-made case that breaks it and one that passes."""
from __future__ import annotations

import random
import re

import pytest

from pipeline.warehouse import checks
from pipeline.demo.render import next_year, random_facts
from tests.warehouse.conftest import write_report


def ids(rows):
    return {r[0] for r in rows}


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
    found = ids(checks.run_report_checks(bad, {}))
    assert check_id in found


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
    ctx = {"issues": [{"code": "blank_cells", "message": "2 cells blank", "where": "x"},
                      {"code": "row_cells", "message": "row left out", "where": "y"}]}
    rows = checks.run_report_checks(good, ctx)
    assert {(r[0], r[1]) for r in rows} == {("blank_cells", "info"), ("extraction", "info")}


def _warehouse_checks(env):
    return env.query("select check_id, year, message from check_results where check_id in "
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
    assert any("natural_person" in r[2] for r in rows)


def test_in_force_carry_broken(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    f2 = next_year(f1, random_facts(random.Random(2), "2021", size=2), "2021")
    f2["active.normative_docs:in_force"] += 7
    write_report(env.inbox, "a2022.html", AG, 2022, f1, seed=1)
    write_report(env.inbox, "a2023.html", AG, 2023, f2, seed=2)
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "in_force_carry"]
    assert len(rows) == 1 and "active.normative_docs" in rows[0][2]


def test_narrative_copied_from_last_year(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    write_report(env.inbox, "a2022.html", AG, 2022, f1, seed=7)
    write_report(env.inbox, "a2023.html", AG, 2023, dict(f1), seed=7)  # same seed: the same sentences
    write_report(env.inbox, "b2022.html", "南京市财政局", 2022, f1, seed=1)
    write_report(env.inbox, "b2023.html", "南京市财政局", 2023, dict(f1), seed=2)  # other sentences
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "narrative_copied"]
    assert len(rows) == 1 and rows[0][1] == 2023
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
    assert any("website.visits" in r[2] for r in rows)
    f2["website.visits"] = 90000
    write_report(env.inbox, "a2023.html", AG, 2023, f2, seed=2)
    env.refresh()
    rows = [r for r in _warehouse_checks(env) if r[0] == "jump_tenfold"]
    assert not any("website.visits" in r[2] for r in rows)


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
    assert {re.match(r"[a-z_.]+:[a-z_]+", r[2]).group() for r in rows} == {"review:upheld", "review:total"}
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
    assert found and str(int(good[key]) + 2) in found[0][2]


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
