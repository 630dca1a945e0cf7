"""Round trip: random but self-consistent facts, rendered into a report of either template in
varied layouts, come back from the parser exactly (nothing missing, nothing extra, no value off)."""
from __future__ import annotations

import math
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract import extract_bytes
from pipeline.demo.render import Layout, random_facts, render, suffix

AGENCIES = ["洛阳市生态环境局", "平潭综合实验区行政审批局", "上海市人民政府办公厅", "某县某某镇人民政府", "国家新闻出版署"]

layouts = st.builds(
    Layout,
    fmt=st.sampled_from(["txt", "html"]),
    txt_sep=st.sampled_from(["tab", "pipe", "spaces"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    crlf=st.booleans(),
    pad=st.booleans(),
    split_labels=st.booleans(),
    one_active_table=st.booleans(),
    chrome=st.booleans(),
    amount_in_yuan=st.booleans(),
    title_year_first=st.booleans(),
    blank_mark=st.sampled_from(["", "/", "—"]),
)


def _fix(lay: Layout) -> Layout:
    if lay.txt_sep == "spaces" and lay.fmt == "txt" and lay.blank_mark == "":
        lay.blank_mark = "—"  # a space-separated table cannot show an empty cell
    return lay


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9), template=st.sampled_from(["2019", "2021"]), layout=layouts,
       size=st.sampled_from([0.05, 1.0, 30.0]), blank_rate=st.sampled_from([0.0, 0.05, 0.3]),
       agency=st.sampled_from(AGENCIES))
def test_render_then_parse_gives_back_the_facts(seed, template, layout, size, blank_rate, agency):
    layout = _fix(layout)
    year = {"2019": 2020, "2021": 2023}[template]
    facts = random_facts(random.Random(seed), template, size=size, blank_rate=blank_rate)
    data = render(facts, agency, year, template, layout, seed=seed)
    report = extract_bytes(data, "r" + suffix(layout))
    got = report.values()
    assert report.agency == agency and report.year == year and report.template == template
    missing = sorted(set(facts) - set(got))
    extra = sorted(set(got) - set(facts))
    wrong = [(k, facts[k], got[k]) for k in facts if k in got
             and not math.isclose(float(got[k]), float(facts[k]), rel_tol=0, abs_tol=1e-9)]
    assert not missing and not extra and not wrong, (missing[:8], extra[:8], wrong[:8])
