"""One file holding several reports (two agencies' pages saved into one, a workbook of two agencies' sheets,
two years one after the other): read as one, one report's figures passed for the other's where they agreed
(a format probe found 平潭综合实验区 given its 行政审批局's WeChat figures). Such a file is refused, naming the
reports it holds; a report whose title is repeated, or printed twice in two spellings, is one report."""
from __future__ import annotations

import random
import re

import pytest

from pipeline.demo.render import Layout, random_facts, render
from pipeline.extract import NotAReport, extract_bytes


def _page(agency: str, year: int, seed: int) -> str:
    return render(random_facts(random.Random(seed), "2021"), agency, year, "2021", Layout("html"), seed=seed).decode("utf-8")


def _body(page: str) -> str:
    return page[page.index(">", page.index("<body")) + 1:page.rindex("</body>")]


@pytest.mark.parametrize("second", [("某某市交通运输局", 2023), ("某某市财政局", 2022)], ids=["two-agencies", "two-years"])
def test_two_reports_in_one_page_are_refused_naming_them(second):
    first = _page("某某市财政局", 2023, 1)
    page = first.replace("</body>", _body(_page(*second, seed=2)) + "</body>")
    with pytest.raises(NotAReport) as e:
        extract_bytes(page.encode("utf-8"), "two.html")
    said = str(e.value)
    assert "two.html" in said and "holds 2 reports" in said and f"{second[0]} {second[1]}" in said


def test_a_report_whose_title_is_printed_twice_is_one_report():
    page = _page("某某市财政局", 2023, 1)
    twice = re.sub(r"(<body[^>]*>)", r"\1<h1>某某市财政局2023年政府信息公开工作年度报告</h1><p>某某市财政局2023年度政府信息公开工作报告</p>", page, count=1)
    assert extract_bytes(twice.encode("utf-8"), "one.html").values() == extract_bytes(page.encode("utf-8"), "one.html").values()
