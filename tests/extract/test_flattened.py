"""The flattened-table reader: its search for a cut is bounded, and what it finds is right."""
from __future__ import annotations

import random
import time

import pytest

from pipeline.extract import extract_bytes
from pipeline.extract.digits_run_together import cut_app_row, cut_review_row


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


@pytest.mark.parametrize("name,digits", LONG_RUNS, ids=[n for n, _ in LONG_RUNS])
def test_long_runs_finish_within_a_second(name, digits):
    t = time.perf_counter()
    cut_app_row(digits)
    cut_review_row(digits)
    assert time.perf_counter() - t < 1.0, f"{name}: {len(digits)} digits"


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


def test_a_report_of_hostile_runs_reads_in_well_under_a_second():
    row = "一、本年新收政府信息公开申请数量" + "9" * 49 + "二、上年结转政府信息公开申请数量" + "1" * 49
    review = "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计" + "9" * 75
    text = f"某市某局2023年政府信息公开工作年度报告\n一、总体情况\n{row}{review}\n"
    t = time.perf_counter()
    report = extract_bytes(text.encode(), "flat.txt")
    assert time.perf_counter() - t < 1.0
    assert not any(f.metric.startswith("app.") for f in report.facts)
