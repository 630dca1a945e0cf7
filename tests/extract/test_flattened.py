"""The flattened-table reader: its search for a cut is bounded, and what it finds is right."""
from __future__ import annotations

import random

import pytest

from pipeline.extract import digits_run_together, extract_bytes
from pipeline.extract.digits_run_together import _Budget, cut_app_row, cut_review_row
from pipeline.limits import Limits


def _app_row(rng, mag):
    parts = [rng.randint(0, mag) for _ in range(6)]
    return parts + [sum(parts)]


def _review_run(rng, mag):
    out = []
    for _ in range(3):
        p = [rng.randint(0, mag) for _ in range(4)]
        out += p + [sum(p)]
    return out


LONG_RUNS = [
    ("review of a large agency", "".join(map(str, [812, 96, 45, 7, 960, 1203, 88, 120, 33, 1444, 405, 20, 61, 9, 495]))),
    ("2021 表三 row with large counts", "".join(map(str, [184213, 2210, 905, 377, 1260, 88, 189053]))),
    ("60 nines", "9" * 60),
    ("60 ones", "1" * 60),
    ("42 digits", "123456789012345678901234567890123456789012"),
    ("30 digits", "100200300400500600700800900100"),
    ("24 digits", "102030405060708090102030"),
    ("15 zeros", "0" * 15),
]


# the search is measured in steps (each a bounded amount of work), not seconds: the longest of these runs
# takes about 55,000 steps for both cuts together
SETTLED = 100_000


@pytest.mark.parametrize("name,digits", LONG_RUNS, ids=[n for n, _ in LONG_RUNS])
def test_long_runs_settle_in_far_fewer_steps_than_the_bound(name, digits):
    budget = _Budget()
    cut_app_row(digits, budget)
    cut_review_row(digits, budget)
    assert not budget.exhausted and budget.used < SETTLED, f"{name}: {len(digits)} digits, {budget.used} steps"
    assert SETTLED < Limits().cut_steps


def test_the_bound_stops_the_search_at_its_step():
    digits = LONG_RUNS[1][1]  # a row whose one cut takes tens of thousands of steps to settle
    assert cut_app_row(digits) is not None
    budget = _Budget(1000)
    assert cut_app_row(digits, budget) is None  # past the bound: left out, never a guess
    assert budget.exhausted and budget.used == 1001


def test_cuts_found_are_right_and_unique_ones_found():
    rng = random.Random(7)
    found = total = 0
    for _ in range(150):
        mag = rng.choice([9, 99, 999, 9999, 99999, 999999])
        row = _app_row(rng, mag)
        got = cut_app_row("".join(map(str, row)))
        assert got is None or sum(got[:6]) == got[6]
        total += 1
        found += got == tuple(row)
        run = _review_run(rng, mag)
        got = cut_review_row("".join(map(str, run)))
        assert got is None or all(sum(got[b * 5:b * 5 + 4]) == got[b * 5 + 4] for b in range(3))
        total += 1
        found += got == tuple(run)
    assert found > total * 0.6  # most random rows have one cut only


def test_a_report_of_hostile_runs_spends_one_bounded_budget(monkeypatch):
    made = []

    class Counted(_Budget):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(digits_run_together, "_Budget", Counted)
    row = "一、本年新收政府信息公开申请数量" + "9" * 49 + "二、上年结转政府信息公开申请数量" + "1" * 49
    review = "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计" + "9" * 75
    text = f"某市某局2023年政府信息公开工作年度报告\n一、总体情况\n{row}{review}\n"
    report = extract_bytes(text.encode(), "flat.txt")
    assert not any(f.metric.startswith("app.") for f in report.facts)
    assert len(made) == 1, "one budget for the report's flattened text, shared by all its rows"
    assert 0 < made[0].used < SETTLED and made[0].steps == Limits().cut_steps
