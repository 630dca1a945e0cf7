"""Every fact says whether its report's arithmetic confirms it (`verified`), and no table value is
placed by position: a row without its own label, a row number standing alone, a header whose words are
broken over lines."""
from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from pipeline.extract import extract_bytes
from pipeline.demo.render import Layout, random_facts, render
from pipeline.spec.catalog import APPLICANT, REVIEW
from pipeline.extract.identities import OUTCOME_METRICS_2021
from tests.conftest import ROOT

AG = "某市生态环境局"


def _facts(seed=3, template="2021"):
    f = random_facts(random.Random(seed), template, size=1.0)
    # every cell printed, so that the test knows which identities each cell is in
    for m in ("app.granted", "app.total", "app.received_new", "app.carried_in", "app.carried_out", "review"):
        for d in (REVIEW if m == "review" else APPLICANT):
            f.setdefault(f"{m}:{d}", 0)
    return f


@pytest.mark.parametrize("fmt", ["html", "txt", "docx"])
def test_a_consistent_report_is_verified_throughout(fmt):
    f = _facts()
    report = extract_bytes(render(f, AG, 2023, "2021", Layout(fmt)), f"r.{fmt}")
    assert report.facts
    unverified = [x.key() for x in report.facts if not x.verified]
    assert unverified == [], unverified
    assert all(json.loads(json.dumps(x.to_json()))["verified"] is True for x in report.facts)


def test_one_misread_cell_leaves_exactly_its_identities_unverified():
    """The 予以公开 row's 自然人 cell printed one too high: its row and its column's outcome sum no longer
    hold (the balance of the column does not contain it and still holds). Exactly the cells of those two
    identities are unverified."""
    f = _facts()
    bad = dict(f)
    bad["app.granted:natural_person"] += 1
    report = extract_bytes(render(bad, AG, 2023, "2021", Layout("html")), "r.html")
    got = {x.key(): x for x in report.facts}
    assert got["app.granted:natural_person"].value == bad["app.granted:natural_person"]  # published as printed
    row = {f"app.granted:{d}" for d in APPLICANT}
    column = {f"{m}:natural_person" for m in OUTCOME_METRICS_2021} | {"app.total:natural_person"}
    expect = {k for k in row | column if k in got}
    unverified = {k for k, x in got.items() if not x.verified}
    assert unverified == expect
    # 表二, 表四 and the prose are untouched
    assert all(x.verified for k, x in got.items() if k.startswith(("active.", "review", "litigation.", "website.")))


def test_a_table_four_block_that_does_not_add_up_is_unverified_alone():
    f = _facts()
    f["review:total"] += 2
    report = extract_bytes(render(f, AG, 2023, "2021", Layout("html")), "r.html")
    unverified = {x.key() for x in report.facts if not x.verified}
    assert unverified == {f"review:{d}" for d in REVIEW}


def test_a_cell_printed_blank_counts_as_nothing_a_row_left_out_confirms_nothing():
    """A blank 表三 cell is a term of 0 in its identities (the table's totals count it so); a row whose
    cells were not read leaves the identities it is in unconfirmed."""
    f = _facts()
    f["app.granted:research"] = 0
    del f["app.granted:research"]  # printed blank: the row and the column still add up
    report = extract_bytes(render(f, AG, 2023, "2021", Layout("html")), "r.html")
    assert "app.granted:research" not in report.values()
    assert all(x.verified for x in report.facts)


def _one_cell_per_line(split: str) -> str:
    f = _facts(seed=5, template="2019")
    text = render(f, AG, 2020, "2019", Layout("txt", txt_sep="lines")).decode("utf-8")
    lines = []
    for line in text.splitlines():
        if split == "number" and line[:2] in ("1.", "2.", "3.", "4.", "5.", "6.", "7.", "8."):
            lines += [line[:2], line[2:]]  # `1.` then `属于国家秘密`
        elif split == "digit" and line[:2] in ("1.", "2.", "3.", "4.", "5.", "6.", "7.", "8."):
            lines += [line[:1], line[1:]]  # `1` then `.属于国家秘密`
        elif split == "header" and line == "本年增/减":
            lines += ["本年增", "/", "减"]
        else:
            lines.append(line)
    return "\n".join(lines), f


@pytest.mark.parametrize("split", ["number", "digit", "header"])
def test_item_numbers_and_broken_header_words_are_never_values(split):
    text, f = _one_cell_per_line(split)
    report = extract_bytes(text.encode("utf-8"), "r.txt")
    got = report.values()
    wrong = {k: (v, f.get(k)) for k, v in got.items() if k in f and v != f[k]}
    assert not wrong
    table = [k for k in f if k.startswith(("app.", "active.", "review", "litigation."))]
    assert [k for k in table if k not in got] == []
    assert all(x.verified for x in report.facts)


def test_a_row_whose_label_is_lost_is_left_out_and_shifts_nothing():
    """The label line of 2.其他法律行政法规禁止公开 is lost: its seven values follow 1.属于国家秘密's.
    No row takes them; every other row keeps its own values."""
    f = _facts(seed=7)
    for d in APPLICANT:
        f[f"app.denied.prohibited_by_law:{d}"] = 0
        f[f"app.denied.state_secret:{d}"] = 0
    text = render(f, AG, 2023, "2021", Layout("txt", txt_sep="lines")).decode("utf-8")
    lines = [ln for ln in text.splitlines() if "其他法律行政法规禁止公开" not in ln]
    assert len(lines) == len(text.splitlines()) - 1
    report = extract_bytes("\n".join(lines).encode("utf-8"), "r.txt")
    got = report.values()
    assert not {k for k in got if k.startswith("app.denied.prohibited_by_law")}
    assert {k: v for k, v in got.items() if k in f and v != f[k]} == {}
    assert any(i.code in ("row_without_label", "row_cells", "unmatched_row") for i in report.issues)


def test_a_header_that_does_not_name_every_column_places_nothing_by_count():
    """表二 (五) with its middle header word unreadable (`本年增` | `减` as two cells): the three numbers
    of 行政许可 are not given to the two columns the header names."""
    html = ("<html><body><p>某局2020年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><table>"
            "<tr><td>第二十条第（五）项</td></tr>"
            "<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增</td><td>减</td><td>处理决定数量</td></tr>"
            "<tr><td>行政许可</td><td>259610</td><td>5</td><td>13191</td></tr></table></body></html>")
    report = extract_bytes(html.encode(), "r.html")
    assert "active.licensing:decisions" not in report.values()
    assert any(i.code == "row_cells" for i in report.issues)


def test_cli_json_carries_verified(tmp_path):
    p = tmp_path / "r.html"
    p.write_bytes(render(_facts(), AG, 2023, "2021", Layout("html")))
    out = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(p)], cwd=ROOT, capture_output=True,
                         timeout=120, check=True)
    facts = json.loads(out.stdout)["facts"]
    assert facts and all(x["verified"] is True for x in facts)


def _wrapped(text: str, style: str) -> str:
    """表三's numbered row labels wrapped over three lines, as a PDF without ruling lines prints them:
    the values beside the middle line (`mid`), or on a line of their own between the label's lines
    (`alone`); the group label's pieces printed down their own column on the same lines."""
    out = []
    for line in text.splitlines():
        cells = line.split("    ")
        label, values = cells[0], cells[1:]
        import re as _re

        if len(values) == 7 and _re.match(r"^\d\.", label) and len(label) >= 8:
            a, b, c = label[:4], label[4:len(label) - 2], label[len(label) - 2:]
            if style == "mid":
                out += [a, b + "    " + "    ".join(values), c]
            else:
                out += ["（ 三    " + a, "    ".join(values), "） 不    " + b, c]
        else:
            out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("style", ["mid", "alone"])
def test_labels_wrapped_around_their_values_are_read_whole(style):
    """A label wrapped over lines is its unit from its item number to the next one: the values between
    its lines belong to it, never to the row before or after."""
    f = _facts(seed=11)
    text = render(f, AG, 2023, "2021", Layout("txt", txt_sep="spaces")).decode("utf-8")
    report = extract_bytes(_wrapped(text, style).encode("utf-8"), "r.txt")
    got = report.values()
    assert {k: (v, f[k]) for k, v in got.items() if k in f and v != f[k]} == {}
    rows = [k for k in f if k.startswith(("app.denied.", "app.unavailable.", "app.not_processed.", "app.other."))]
    assert len(rows) > 40 and [k for k in rows if k not in got] == []
    assert all(x.verified for x in report.facts)


def test_a_row_under_its_header_is_read_by_the_header_not_by_the_other_rows_columns():
    """In a Word table whose rows do not all start in the same grid column, a row whose cells stand
    under the header's 自然人 … 总计 is read by those headers, not by where most rows start."""
    head = ("<tr><td colspan=2 rowspan=3>（本列数据的勾稽关系）</td><td colspan=7>申请人情况</td></tr>"
            "<tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>"
            "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>")
    shifted = "".join(f"<tr><td></td><td>（三）不予公开</td><td>{lab}</td>" + "<td>0</td>" * 7 + "</tr>"
                      for lab in ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”"))
    total = "<tr><td>（七）总计</td><td></td><td>9</td>" + "<td>0</td>" * 5 + "<td>9</td><td></td></tr>"
    html = (f"<html><body><p>某局2023年政府信息公开工作年度报告</p><p>三、收到和处理政府信息公开申请情况</p>"
            f"<table>{head}{shifted}{total}</table></body></html>")
    got = extract_bytes(html.encode(), "r.html").values()
    assert got.get("app.total:natural_person") == 9 and got.get("app.total:total") == 9
    assert got.get("app.total:other_org") == 0
