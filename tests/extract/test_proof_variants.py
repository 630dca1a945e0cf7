"""Issue 15's proof: every labelled corpus report, rewritten at test time the ways real copies come out
(tests/extract/proof_variants.py makes them), gives its golden facts or leaves them out, never a wrong
value, and every fact it gives is verified.

Families: one cell per line in four styles (item numbers and header words on lines of their own, both
formats, with the prose); one row's label removed (that row's facts absent, the rows after it read as
before); LibreOffice PDFs with narrow label columns (labels wrapping over several lines); Traditional
script through DOCX and PDF. The share of golden facts each variant gives is recorded as a property
(`--junitxml` keeps it); `python -m tests.extract.proof_variants` prints the whole table.
"""
from __future__ import annotations


import pytest

from pipeline.extract import extract
from tests.conftest import CORPUS, NO_CORPUS
from tests.extract import proof_office as po, proof_variants as pv
from tests.extract.office import need

pytestmark = pytest.mark.slow

NAMES = pv.variant_names()
FAMILY = {name: family for name, family, _, _ in NAMES}

# variant -> {golden key: why the variant does not hold it}, declared only after checking the variant's
# file itself (the lost-label variants declare theirs as they are made).
LOST: dict[str, dict[str, str]] = {}
_BLANK_REVIEW = ("表四's one value row has its five 行政复议 cells blank: one cell per line they are empty lines, "
                 "which also stand between cells, so its ten numbers cannot be placed in fifteen columns "
                 "(the row has no label to read)")
for _name, _family, _src, _ in NAMES:
    if _src.stem == "luoyang-eeb-2020" and _family in ("ocpl", "lost"):
        LOST[_name] = {f"litigation.{block}:{dim}": _BLANK_REVIEW for block in ("direct", "after_review")
                       for dim in ("upheld", "corrected", "other", "pending", "total")}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    return tmp_path_factory.mktemp("proof-variants")


@pytest.fixture(scope="module")
def text_variants(workdir) -> dict[str, pv.Variant]:
    return pv.build_text_variants(workdir)


@pytest.fixture(scope="module")
def office_variants(workdir) -> dict[str, pv.Variant]:
    pytest.importorskip("opencc", reason="opencc is not installed (pyproject.toml lists it)")
    return po.build_office_variants(workdir, need("soffice"))


@pytest.fixture(scope="module")
def judged():
    """name -> (variant, report, judgement), each variant extracted once for the module; and, under the
    source's path, the facts the original report itself leaves unverified."""
    return {}


def _judge(request, judged, name):
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
    if name not in judged:
        family = FAMILY[name]
        variants = request.getfixturevalue("office_variants" if family in ("narrow", "hant") else "text_variants")
        v = variants[name]
        assert v.path.exists() and v.path.stat().st_size > 200, f"conversion gave no {v.name}"
        if family == "lost" and not v.unlabelled:
            pytest.skip(f"{name}: the report has no such row")
        v.may_lose.update(LOST.get(name, {}))
        if str(v.source) not in judged:
            judged[str(v.source)] = pv.unverified_in_source(extract(v.source))
        v.unverifiable.update(judged[str(v.source)])
        report = extract(v.path)
        judged[name] = (v, report, pv.judge(report, v))
    return judged[name]


IDS = [n for n, _, _, _ in NAMES] or ["no-corpus"]  # one visible skip, with its reason, without the corpus


@pytest.mark.parametrize("name", IDS)
def test_no_wrong_value(request, judged, name):
    v, _, j = _judge(request, judged, name)
    assert (j["year"], j["template"]) == (j["want_year"], j["want_template"]), \
        f"{name}: year/template {j['year']}/{j['template']} want {j['want_year']}/{j['want_template']}"
    assert not j["wrong"], f"wrong values in {name} (key, got, want): {j['wrong'][:12]}"
    assert not j["unlabelled"], f"{name} gives values of the row whose label is lost: {j['unlabelled'][:8]}"


@pytest.mark.parametrize("name", IDS)
def test_gives_the_golden_facts(request, record_property, judged, name):
    v, report, j = _judge(request, judged, name)
    record_property("golden_given", j["given"])
    record_property("golden_fraction", round(j["fraction"], 4))
    assert not j["missing"], (f"{name} gives {j['given']}/{j['golden']} golden facts ({j['fraction']:.1%}); "
                              f"misses {len(j['missing'])}: {j['missing'][:15]}")
    got = report.values()
    declared_but_read = [k for k in LOST.get(name, {}) if k in got]
    assert not declared_but_read, f"{name}: declared lost but read (update LOST): {declared_but_read}"


@pytest.mark.parametrize("name", IDS)
def test_every_fact_given_is_verified(request, record_property, judged, name):
    """Every fact is verified, except those the original report leaves unverified itself (its numbers
    do not add up) and, in a lost-label variant, those sharing an identity with the unlabelled row."""
    _, report, j = _judge(request, judged, name)
    assert report.facts, f"{name} gives no fact at all"
    record_property("verified_fraction", round(j["verified"] / len(report.facts), 4))
    assert not j["unverified"], (f"{name}: {len(j['unverified'])} of {len(report.facts)} facts not verified "
                                 f"(fact.verified is not True) beyond the original's own: {j['unverified'][:10]}")


NARROW = [n for n, f, _, _ in NAMES if f == "narrow"] or ["no-corpus"]


WRAPPED_LABELS = ("要求行政机关确认或重新出具已获取信息", "部分公开（区分处理的，只计这一情形，不计其他情形）",
                  "没有现成信息需要另行制作", "本机关不掌握相关政府信息")


@pytest.mark.parametrize("name", NARROW)
def test_narrow_pdf_really_wraps_its_labels(office_variants, name):
    """The variant is what it claims: 表三's long labels are each printed over 4 to 8 lines."""
    v = office_variants[name]
    lines = po.wrapped_lines(v.path, WRAPPED_LABELS)
    found = {k: n for k, n in lines.items() if n is not None}
    assert len(found) >= 2, f"{name}: the labels were not found in the PDF's text: {lines}"
    assert all(4 <= n <= 8 for n in found.values()), f"{name}: lines per label {found}"
