"""The agency register: its rows checked with clear messages, and reports attached by address or name."""
from __future__ import annotations

from pathlib import Path

import pytest

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
    # a missing parent and a name another row has are refused too (they were kept and named)
    assert [e.agency_id for e in reg.entries] == ["a1", "gov"]
    for line, words in ((4, "already used on line 2"), (5, "must be letters"), (6, "999999 is not a known"),
                        (7, "not a six-digit"), (8, "level 'bureau'"), (9, "parent_id nobody"), (10, "not an http"),
                        (11, "already agency a1's"), (12, "fields, 9 expected")):
        assert any(p.startswith(f"agencies.csv line {line}: ") and words in p and p.endswith("left out")
                   for p in reg.problems), (line, words, reg.problems)


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


def _rows(n: int) -> list[str]:
    return [f"d{i},南京市第{i}局,,320100,department,,,," for i in range(n)]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_a_register_saved_in_any_encoding_is_read(tmp_path, encoding):
    path = tmp_path / "agencies.csv"
    path.write_bytes("\r\n".join([H, *_rows(39)]).encode(encoding))
    reg = read_register(path)
    assert len(reg.entries) == 39 and reg.problems == [] and reg.entries[5].name == "南京市第5局"


def test_a_stray_quote_spoils_its_own_line_only(tmp_path):
    rows = _rows(39)
    rows[3] = 'd3,"南京市第3局,,320100,department,,,,'
    path = tmp_path / "agencies.csv"
    path.write_text("\n".join([H, *rows, *[f"# {'x' * 200}" for _ in range(0)]]), encoding="utf-8")
    big = "\n".join([H, *rows]) + "\n" + "\n".join(f"e{i},某局{i},,320100,department,,,,note{'x' * 200}" for i in range(700))
    for text, n in (("\n".join([H, *rows]), 38), (big, 738)):  # small, and with more than 128 KB after the quote
        path.write_text(text, encoding="utf-8")
        reg = read_register(path)
        assert len(reg.entries) == n and len(reg.problems) == 1, reg.problems[:3]
        assert reg.problems[0].startswith("agencies.csv line 5: a stray or unbalanced quote")


def test_nul_and_control_characters_are_refused_with_the_line(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes("\n".join([H, "a,甲\x00局,,320100,department,,,,", "b,乙\x1b[2J局,,320100,department,,,,",
                                 "c,丙局,,320100,department,,,,"]).encode())
    reg = read_register(path)
    assert [e.agency_id for e in reg.entries] == ["c"]
    assert reg.problems[0].startswith("agencies.csv line 2: a NUL") and "line 3: name holds a control" in reg.problems[1]


def test_an_unreadable_register_keeps_the_last_good_one(tmp_path):
    path, keep = tmp_path / "agencies.csv", tmp_path / "data" / "raw" / "agencies.csv"
    path.write_text("\n".join([H, *_rows(3)]), encoding="utf-8")
    assert len(read_register(path, keep).entries) == 3 and keep.is_file()
    for bad in (b"\xff\xfe\x00\xd8", "名称,地址\n甲,乙\n".encode("gb18030"), b""):
        path.write_bytes(bad)
        reg = read_register(path, keep)
        assert reg.unreadable and len(reg.entries) == 3, bad
        assert "the last one read well is used" in reg.problems[0]
    path.write_text("\n".join([H, *_rows(5)]), encoding="utf-8")
    assert len(read_register(path, keep).entries) == 5 and len(read_register(keep).entries) == 5
