"""Text whose table labels stand on their own line above their numbers, as text copied from a PDF gives it
(规章 / 2 2 8, a header in one line of single-spaced words before the table's first row, 表三's group and
first item on one line: （三）不予公开 1.属于国家秘密 / 1 1 0 0 0 0 2). A probe of layouts found 表二 lost
whole and four 表三 rows left out; nothing was ever read wrong."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from pipeline.extract import extract, extract_bytes
from tests.conftest import load_json

HERE = Path(__file__).resolve().parent / "layouts"
HEAD = "某某市某某局2020年政府信息公开工作年度报告\n一、总体情况\n全年新收申请12件。\n"


@pytest.mark.parametrize("stem", ["t27-shenzhen-futian-2020", "x29-xiamen-siming-2020"])
def test_the_copy_gives_every_fact(stem):
    want = load_json(HERE / f"{stem}.expected.json")
    got = extract(HERE / f"{stem}.txt").values()
    wrong = [(k, got[k], v) for k, v in want["facts"].items() if k in got and not math.isclose(float(got[k]), float(v))]
    assert not wrong, wrong[:8]
    missing = [k for k in want["facts"] if k not in got]
    assert not missing, f"{stem} misses {len(missing)}: {missing[:8]}"
    assert not [k for k in want.get("absent", []) if k in got]


def _values(text: str) -> dict:
    return extract_bytes((HEAD + text).encode("utf-8"), "case.txt").values()


def test_a_label_above_its_numbers():
    got = _values("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n"
                  "规章\n2 2 8\n规范性文件\n7 7 223\n")
    assert {k: v for k, v in got.items() if k.startswith("active.")} == {
        "active.regulations:made": 2, "active.regulations:published": 2, "active.regulations:total_public": 8,
        "active.normative_docs:made": 7, "active.normative_docs:published": 7, "active.normative_docs:total_public": 223}


def test_a_label_broken_over_two_lines_above_its_numbers_names_nothing():
    got = _values("二、主动公开政府信息情况\n第二十条第（五）项\n信息内容 上一年项目数量 本年增/减 处理决定数量\n"
                  "行政许可\n48 0 7737\n其他对外管理\n服务事项\n21 0 1041\n")
    assert got.get("active.licensing:decisions") == 7737
    assert not [k for k in got if k.startswith("active.other_services")]
