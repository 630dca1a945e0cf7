"""The catalog holds exactly the spec's metrics, and every table metric is parsed."""
from __future__ import annotations

import csv
import random

import pytest

from pipeline.spec import catalog
from pipeline.extract import extract_bytes
from pipeline.demo.render import Layout, random_facts, render
from tests.conftest import NO_CORPUS, SPEC

NAMED = {"APPLICANT": catalog.APPLICANT, "REVIEW": catalog.REVIEW}


def spec_rows():
    if SPEC is None or not (SPEC / "metrics.csv").exists():
        pytest.skip(NO_CORPUS)
    with open(SPEC / "metrics.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_catalog_matches_spec():
    rows = spec_rows()
    spec_codes = {r["metric"] for r in rows}
    assert spec_codes == set(catalog.BY_CODE)
    for r in rows:
        m = catalog.BY_CODE[r["metric"]]
        dims = NAMED.get(r["dims"], tuple(d for d in r["dims"].split("|") if d))
        templates = r["templates"].split("|")
        for t in templates:
            if t == "any":
                assert m.templates == ("any",) and m.dims == ()
            else:
                assert t in m.templates, (m.code, t)
                assert tuple(m.dims_for(t)) == tuple(dims), (m.code, t, m.dims_for(t), dims)
                assert m.unit_for(t) == r["unit"], (m.code, t)
        assert m.section == r["section"], m.code
        if templates == ["any"]:
            assert m.unit == r["unit"], m.code



def test_labels_in_both_languages():
    for m in catalog.METRICS:
        assert m.zh and m.en and m.zh != m.en
        for k in m.keys():
            assert catalog.label(k, "zh") and catalog.label(k, "en")


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_every_table_metric_of_the_template_is_parsed(template, fmt):
    facts = random_facts(random.Random(7), template, size=5)
    got = extract_bytes(render(facts, "某市某局", 2024 if template == "2021" else 2020, template, Layout(fmt)),
                        "r." + fmt).values()
    for m in catalog.METRICS:
        if not m.is_table or template not in m.templates:
            continue
        for k in m.keys(template):
            assert k in got, f"{k} ({m.zh}) not parsed from a {template} {fmt} report"
            assert got[k] == pytest.approx(facts[k])


def test_row_matching_by_label_not_position():
    cases = {
        "1.属于国家秘密": "app.denied.state_secret", "（四）无法提供1.本机关不掌握相关政府信息": "app.unavailable.not_held",
        "5.要求行政机关确认或重新出具已获取信息": "app.not_processed.reconfirm", "（六）其他处理3.其他": "app.other.other",
        "（六）其他处理": "app.other", "（七）总计": "app.total", "四、结转下年度继续办理": "app.carried_out",
        "（一）予以公开": "app.granted", "3.危及“三安全一稳定”": "app.denied.security_stability",
    }
    for label, code in cases.items():
        m = catalog.match_row(catalog.normalise_label(label), "applications")
        assert m is not None and m.code == code, (label, m)
    for label in ("其他主动公开文件（除规范性文件以外）", "信息内容"):
        assert catalog.match_row(catalog.strip_numbering(catalog.normalise_label(label)), "active") is None
