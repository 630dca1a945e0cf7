"""The agency register: its rows checked with clear messages, and reports attached by address or name."""
from __future__ import annotations

from pathlib import Path

from pipeline.warehouse.register import HEADER, Matcher, parse_register, read_register

ROOT = Path(__file__).resolve().parents[2]
H = ",".join(HEADER)


def test_rows_with_problems_are_named_and_left_out():
    reg = parse_register("\n".join([
        H,
        "a1,南京市财政局,南京财政局,320100,department,gov,http://czj.nanjing.gov.cn/list/,,",
        "gov,南京市人民政府,,320100,city,,,,",
        "a1,重复,,320100,department,,,,",
        "bad code,某局,,320100,department,,,,",
        "a3,某局,,999999,department,,,,",
        "a4,某局,,3201,department,,,,",
        "a5,某局,,320100,bureau,,,,",
        "a6,某局,,320100,department,nobody,,,",
        "a7,某局,,320100,department,,ftp://x/,,",
        "a8,南京市财政局,,320100,department,,,,",
        "a9,只有三列,,",
    ]))
    assert [e.agency_id for e in reg.entries] == ["a1", "gov", "a6", "a8"]
    text = "\n".join(reg.problems)
    for line, words in ((4, "already used on line 2"), (5, "must be letters"), (6, "999999 is not a known"),
                        (7, "not a six-digit"), (8, "level 'bureau'"), (9, "parent_id nobody"), (10, "not an http"),
                        (11, "also agency a1"), (12, "fields, 9 expected")):
        assert f"line {line}: " in text and words in text, (line, words)


def test_header_must_be_exact():
    reg = parse_register("id,name\nx,y\n")
    assert reg.entries == [] and "header must be exactly" in reg.problems[0]


def test_a_missing_register_is_empty_and_the_demo_register_is_clean():
    assert read_register(ROOT / "nowhere.csv").entries == []
    demo = read_register(ROOT / "data" / "agencies.csv")
    assert demo.problems == [] and len(demo.entries) == 39


def test_the_bundled_demo_register_is_what_the_demo_generator_says():
    from pipeline.demo.generator import register_entries

    demo = read_register(ROOT / "data" / "agencies.csv")
    strip = lambda es: [(e.agency_id, e.name, e.region_code, e.level, e.parent_id) for e in es]  # noqa: E731
    assert strip(demo.entries) == strip(register_entries())


def test_same_name_in_two_cities_is_decided_by_the_site_or_the_region():
    reg = parse_register("\n".join([
        H,
        "nj-gl,鼓楼区人民政府,,320106,county,,http://www.njgl.gov.cn/ndbg/,,",
        "fz-gl,鼓楼区人民政府,,350102,county,,http://www.gl.gov.cn/ndbg/,,",
        "xz-gl,鼓楼区人民政府,,320302,county,,,,",
    ]))
    assert reg.problems == []
    m = Matcher(reg.entries)
    assert m.match("鼓楼区人民政府", "http://www.gl.gov.cn/2023/t1.html")[0].agency_id == "fz-gl"
    assert m.match("鼓楼区人民政府", None, None, "320302")[0].agency_id == "xz-gl"
    entry, why = m.match("鼓楼区人民政府")
    assert entry is None and "3 agencies" in why
    # the title form with the city in front is the same agency
    assert m.match("福州市鼓楼区人民政府", "http://www.gl.gov.cn/x.html")[0].agency_id == "fz-gl"


def test_address_decides_before_the_name():
    reg = parse_register("\n".join([
        H, "a,甲局,,320100,department,,,http://h/a.pdf,", "b,乙局,,320100,department,,,,"]))
    m = Matcher(reg.entries)
    assert m.match("乙局", "http://h/a.pdf")[0].agency_id == "a"
    assert m.match("乙局", "http://h/other.pdf", "a")[0].agency_id == "b"  # the name beats the list it came from
    assert m.match("丙局", "http://h/other.pdf", "a")[0].agency_id == "a"
