"""Tables where a PDF's page ends: a row whose top rule is not drawn, a row broken over two pages, a group's
name in a full-width row over a table of its own (pipeline/read/pdf_breaks.py, pdf._split_prose). Found by a
probe of layouts; each file's print lost 表四 or part of 表二 before."""
from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.extract import extract
from pipeline.read.document import Cell, Table
from pipeline.read.pdf_breaks import _open_ends, join_broken_rows
from tests.conftest import load_json
from tests.extract.office import need

HERE = Path(__file__).resolve().parent / "layouts"


def _v(x, top, bottom):
    return ("v", x, top, x, bottom, 0, bottom - top)


def _h(x0, x1, y):
    return ("h", x0, y, x1, y, x1 - x0, 0)


def test_lines_down_that_end_with_no_rule_across_give_the_rows_edge():
    no_top = [_v(10, 100, 120), _v(50, 100, 120), _v(90, 100, 120), _h(10, 90, 120)]
    assert _open_ends(no_top) == [100]
    assert _open_ends(no_top + [_h(10, 90, 100)]) == []


def test_a_line_that_goes_on_in_another_segment_does_not_end():
    # a merged cell's side drawn in two pieces, 100–120 and 120–140, with rules across at 100 and 140 only
    edges = [_v(10, 100, 120), _v(10, 120, 140), _v(90, 100, 140), _h(10, 90, 100), _h(10, 90, 140)]
    assert _open_ends(edges) == []


def _row(*texts):
    return [Cell(t) for t in texts]


def _tables(last, first):
    a = Table([_row("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"), last], page=2, row_pages=[2, 2])
    b = Table([first, _row("其他对外管理服务事项", "27", "0", "1813")], page=3, row_pages=[3, 3])
    return [a, b]


def test_a_row_broken_over_two_pages_is_joined():
    blocks = _tables(_row("行政许", "120", "-3", "920"), _row("可", "", "", ""))
    join_broken_rows(blocks)
    assert [c.text for c in blocks[0].rows[-1]] == ["行政许可", "120", "-3", "920"]
    assert [c.text for c in blocks[1].rows[0]][0] == "其他对外管理服务事项"


@pytest.mark.parametrize("last,first", [
    (("行政许可", "120", "-3", "920"), ("行政处罚", "", "", "")),  # a whole label: a row of its own, left blank
    (("行政许", "120", "-3", "920"), ("第二十条第（六）项", "", "", "")),  # a joined label naming no row
    (("行政许", "", "", ""), ("可", "", "", "")),  # no values before the break
], ids=["whole-label", "no-row", "no-values"])
def test_what_is_not_the_rest_of_a_label_stays(last, first):
    blocks = _tables(_row(*last), _row(*first))
    join_broken_rows(blocks)
    assert [c.text for c in blocks[0].rows[-1]] == list(last)
    assert [c.text for c in blocks[1].rows[0]] == list(first)


def _print(src: Path, out: Path, tool: str) -> Path:
    shutil.copy(src, out / src.name)
    if tool == "chromium":
        pdf = out / (src.stem + ".chromium.pdf")
        subprocess.run([need("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={out / 'chromium-profile'}", f"--print-to-pdf={pdf}", str(out / src.name)],
                       check=True, capture_output=True, timeout=120)
        return pdf
    subprocess.run([need("soffice"), f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(out / src.name)],
                   check=True, capture_output=True, timeout=300)
    return out / (src.stem + ".pdf")


@pytest.mark.slow
@pytest.mark.parametrize("stem,tool", [("w01-guangzhou-tianhe-2022", "chromium"), ("c08-xian-yanta-2020", "chromium"),
                                       ("w02-hangzhou-xihu-2020", "libreoffice")])
def test_the_print_gives_every_fact(tmp_path, stem, tool):
    pdf = _print(HERE / f"{stem}.html", tmp_path, tool)
    want = load_json(HERE / f"{stem}.expected.json")
    got = extract(pdf).values()
    wrong = [(k, got[k], v) for k, v in want["facts"].items() if k in got and not math.isclose(float(got[k]), float(v))]
    assert not wrong, wrong[:8]
    missing = [k for k in want["facts"] if k not in got]
    assert not missing, f"{pdf.name} misses {len(missing)}: {missing[:8]}"
    assert not [k for k in want.get("absent", []) if k in got]
