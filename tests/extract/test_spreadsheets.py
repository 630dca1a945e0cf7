"""Every labelled report's tables written to a workbook (.xlsx by openpyxl, .xls by xlwt, .ods by odfpy; the
.xls also under WPS's .et name; CSV in GBK and UTF-8, as Excel saves it) at test time,
as an agency attaches them: the report's title in the first row, each table under its section heading,
merged cells merged. Read back through python-calamine and the same parser, the workbook must give every
golden fact its tables hold (the figures stated in the prose are not in it) and no wrong value.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from pipeline.extract import extract
from pipeline.read import ReadError, read
from pipeline.read.cells import TEXT, classify
from pipeline.read.document import Paragraph, Table
from tests.conftest import NO_CORPUS, golden_pairs, load_json

SOURCES = golden_pairs((".html", ".htm", ".pdf", ".txt"))
TABLE_METRICS = ("active.", "app.", "review", "litigation.")


def _layout(src: Path):
    """(rows, merges) of the report's tables as a sheet: rows of texts; merges as (r0, c0, r1, c1)."""
    doc = read(src)
    # the report's own title line (a PDF's metadata title is not always readable)
    title = next((p.text for p in doc.paragraphs[:6] if "报告" in p.text and len(p.text) <= 60), doc.title or src.stem)
    rows: list[list[str]] = [[title]]
    merges = []
    last_para = None
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            last_para = block.text
            continue
        if last_para and len(last_para) <= 40:
            rows.append([last_para])
        last_para = None
        top = len(rows)
        if src.suffix == ".txt":  # a text file's rows are not aligned in columns: align them as a sheet is
            rows.extend(_aligned(block))
            continue
        for r, cells in enumerate(block.rows):
            out = []
            for c, cell in enumerate(cells):
                out.append(cell.text if cell.origin else "")
                if not cell.origin:
                    continue
                # the span of an origin cell: the covered positions to its right and below it
                c1 = c
                while c1 + 1 < len(cells) and not cells[c1 + 1].origin and not cells[c1 + 1].from_above \
                        and cells[c1 + 1].text == cell.text:
                    c1 += 1
                r1 = r
                while r1 + 1 < len(block.rows) and c < len(block.rows[r1 + 1]) and block.rows[r1 + 1][c].from_above \
                        and block.rows[r1 + 1][c].text == cell.text:
                    r1 += 1
                if (r1, c1) != (r, c):
                    merges.append((top + r, c, top + r1, c1))
            rows.append(out)
    return rows, merges, bool(doc.tables)


def _is_value(text: str) -> bool:
    return classify(text).kind != TEXT


def _aligned(table: Table) -> list[list[str]]:
    """A text file's table rows as a sheet holds them: each row's value cells against the right edge of
    the header above it (the widest of the header rows since the last row of values), its label cells
    before them."""
    rows = []
    for cells in table.rows:
        texts = [c.text for c in cells if c.origin]
        while texts and not texts[-1]:
            texts.pop()
        last_label = max((i for i, t in enumerate(texts) if t and not _is_value(t)), default=-1)
        rows.append((texts[: last_label + 1], texts[last_label + 1:]))
    out, width, in_header = [], 0, False
    for labels, values in rows:
        if not values:
            width = max(width, len(labels)) if in_header else len(labels)
            in_header = True
            out.append(labels)
            continue
        in_header = False
        room = width - len(values) if width > len(values) else len(labels)
        if len(labels) > room:
            labels = labels[: room - 1] + [" ".join(t for t in labels[room - 1:] if t)]
        out.append(labels + [""] * (room - len(labels)) + values)
    return out


def _cell(text: str):
    """A number as a number (as an agency's sheet holds it), anything else as text."""
    t = text.strip()
    try:
        f = float(t)
    except ValueError:
        return text
    return int(f) if f.is_integer() and "." not in t else f


def _write_xlsx(rows, merges, path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            if text:
                ws.cell(row=r, column=c, value=_cell(text))
    for r0, c0, r1, c1 in merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    wb.save(path)


def _write_xls(rows, merges, path: Path):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("统计表")
    starts = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if (r, c) in starts:
                r1, c1 = starts[(r, c)]
                ws.write_merge(r, r1, c, c1, _cell(text))
            elif (r, c) not in covered and text:
                ws.write(r, c, _cell(text))
    wb.save(str(path))


def _write_ods(rows, merges, path: Path):
    """OpenDocument: a merged cell's span on its first cell, the cells it covers as covered cells."""
    pytest.importorskip("odf")
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table as Sheet, TableCell, TableRow
    from odf.text import P

    book = OpenDocumentSpreadsheet()
    sheet = Sheet(name="统计表")
    starts = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    width = max(len(r) for r in rows)
    for r, row in enumerate(rows):
        tr = TableRow()
        for c in range(width):
            text = row[c] if c < len(row) else ""
            if (r, c) in covered and (r, c) not in starts:
                tr.addElement(CoveredTableCell())
                continue
            value = _cell(text) if text else None
            span = {}
            if (r, c) in starts:
                r1, c1 = starts[(r, c)]
                span = {"numberrowsspanned": r1 - r + 1, "numbercolumnsspanned": c1 - c + 1}
            if isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value, **span)
            else:
                cell = TableCell(valuetype="string", **span) if value is not None else TableCell(**span)
            if value is not None:
                cell.addElement(P(text=str(text).strip()))
            tr.addElement(cell)
        sheet.addElement(tr)
    book.spreadsheet.addElement(sheet)
    book.save(str(path))


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    if not SOURCES:
        pytest.skip(NO_CORPUS)
    out = tmp_path_factory.mktemp("sheets")
    files = {}
    for src, _ in SOURCES:
        rows, merges, has_tables = _layout(src)
        if not has_tables:
            continue  # a report whose tables are flattened into its text has no table to write
        _write_xlsx(rows, merges, out / f"{src.stem}.xlsx")
        _write_xls(rows, merges, out / f"{src.stem}.xls")
        _write_ods(rows, merges, out / f"{src.stem}.ods")
        (out / f"{src.stem}.et").write_bytes((out / f"{src.stem}.xls").read_bytes())  # WPS's own name for it
        _write_csv(rows, out / f"{src.stem}.csv", "gb18030")  # Excel's 另存为 CSV on a Chinese Windows: GBK
        _write_csv(rows, out / f"{src.stem}.utf8.csv", "utf-8-sig")
        for suffix in SUFFIXES:
            files[f"{src.stem}{suffix}"] = out / f"{src.stem}{suffix}"
    return files


SUFFIXES = (".xlsx", ".xls", ".ods", ".et", ".csv", ".utf8.csv")


def _write_csv(rows, path: Path, encoding: str):
    """The sheet as Excel saves it as CSV: a merged cell's text in its first cell, the cells it covered blank."""
    import csv

    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
CASES = [(src.stem + suffix, exp) for src, exp in SOURCES for suffix in SUFFIXES]


@pytest.mark.parametrize("name,expected", CASES, ids=[c[0] for c in CASES])
def test_workbook_gives_every_table_fact(workbooks, name, expected):
    if name not in workbooks:
        pytest.skip("the report has no table (its tables are flattened into the text)")
    want = load_json(expected)
    report = extract(workbooks[name])
    got = report.values()
    assert report.year == want["year"] and report.template == want["template"]
    table_facts = {k: v for k, v in want["facts"].items() if k.startswith(TABLE_METRICS)}
    assert table_facts, "the golden answer has table facts"
    wrong = [(k, got[k], v) for k, v in want["facts"].items()
             if k in got and not math.isclose(float(got[k]), float(v), abs_tol=1e-6)]
    assert not wrong, f"wrong values in {name}: {wrong[:10]}"
    missing = [k for k in table_facts if k not in got]
    assert not missing, f"{name} misses {len(missing)} of {len(table_facts)} table facts: {missing[:12]}"
    absent = [k for k in want.get("absent", []) if k in got]
    assert not absent, f"{name} reports facts the golden says are absent: {absent}"


def test_a_web_page_saved_under_a_workbook_name_is_read_as_html(tmp_path):
    p = tmp_path / "统计表.xls"
    p.write_text("<html><body><table><tr><td>信息内容</td><td>本年制发件数</td></tr>"
                 "<tr><td>规章</td><td>2</td></tr></table></body></html>", encoding="utf-8")
    doc = read(p)
    assert doc.format == "html" and doc.tables[0].texts() == [["信息内容", "本年制发件数"], ["规章", "2"]]


def test_workbook_merged_cells_are_read_once(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["附件"])
    ws.append(["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"])
    ws.append(["规章", 3, None, 7])
    ws.merge_cells("B4:D4")
    ws["A4"] = "规范性文件"
    ws["B4"] = 5
    wb.save(tmp_path / "t.xlsx")
    doc = read(tmp_path / "t.xlsx")
    assert doc.format == "spreadsheet"
    assert [p.text for p in doc.paragraphs] == ["附件"]
    (table,) = doc.tables
    assert table.texts()[1] == ["规章", "3", "", "7"]
    row = table.rows[2]
    assert [c.origin for c in row] == [True, True, False, False] and row[2].text == "5"


@pytest.mark.parametrize("name,data,reason", [
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200, "corrupt or not a spreadsheet"),
    ("broken.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "corrupt or not a spreadsheet"),
    ("notes.xlsx", "这不是表格".encode(), "the name says XLSX but the content is not"),
])
def test_bad_workbooks_are_refused_with_the_reason(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(ReadError) as e:
        read(p)
    assert reason in str(e.value) and name in str(e.value)


@pytest.mark.parametrize("how", ["superscript", "struck", "hidden-row", "hidden-column"])
def test_what_the_sheet_does_not_show_is_no_part_of_a_number(tmp_path, how):
    """calamine runs a rich-text cell's text together (18 and a raised 2: 182; a struck 9 before 0: 90) and reads
    hidden rows and columns: each of pingtan-2023's values with a raised mark, after a struck digit, or beside a
    hidden row or column of other numbers, gave a wrong value for every cell before."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    src = next((s, e) for s, e in SOURCES if s.stem == "pingtan-2023") if SOURCES else pytest.skip(NO_CORPUS)
    rows, merges, _ = _layout(src[0])
    wb = Workbook()
    ws = wb.active
    shift = 1 if how == "hidden-row" else 0
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            col = c * 2 - 1 if how == "hidden-column" else c
            if not text:
                continue
            value = _cell(text)
            if isinstance(value, (int, float)) and how == "superscript":
                value = CellRichText([str(value), TextBlock(InlineFont(vertAlign="superscript"), "1")])
            elif isinstance(value, (int, float)) and how == "struck":
                value = CellRichText([TextBlock(InlineFont(strike=True), "9"), str(value)])
            ws.cell(row=r * (1 + shift), column=col, value=value)
            if isinstance(value, (int, float)) and how == "hidden-row":
                ws.cell(row=r * 2 + 1, column=col, value=value + 7)  # an old figure in a hidden row under it
            if isinstance(value, (int, float)) and how == "hidden-column":
                ws.cell(row=r, column=col + 1, value=value + 7)
        if how == "hidden-row":
            ws.row_dimensions[r * 2 + 1].hidden = True
    if how == "hidden-column":
        for c in range(2, 2 * max(map(len, rows)) + 2, 2):
            ws.column_dimensions[ws.cell(row=1, column=c).column_letter].hidden = True
    for r0, c0, r1, c1 in merges:
        if how == "hidden-row":
            r0, r1 = (r0 + 1) * 2 - 1, (r1 + 1) * 2 - 1
        else:
            r0, r1 = r0 + 1, r1 + 1
        if how == "hidden-column":
            c0, c1 = (c0 + 1) * 2 - 1, (c1 + 1) * 2 - 1
        else:
            c0, c1 = c0 + 1, c1 + 1
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    want = load_json(src[1])
    got = extract(path).values()
    wrong = [(k, got[k], v) for k, v in want["facts"].items() if k in got and not math.isclose(float(got[k]), float(v))]
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:4]}"
    table_facts = [k for k in want["facts"] if k.startswith(TABLE_METRICS)]
    assert not [k for k in table_facts if k not in got]


def _book(sheets: dict[str, list[list[str]]], path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row, start=1):
                if text:
                    ws.cell(row=r, column=c, value=_cell(text))
    wb.save(path)
    return path


_TABLE = [["三、收到和处理政府信息公开申请情况"], ["本年新收政府信息公开申请数量", "", "12"], ["上年结转政府信息公开申请数量", "", "1"]]


@pytest.mark.parametrize("how", ["sheet names", "titles"])
def test_a_workbook_of_several_years_reports_is_refused_with_the_reason(tmp_path, how):
    """One workbook holding each year's report on its own sheet: read as one report, one year's figures
    would pass for another's (or only the figures the years share would be kept). It is refused, naming
    the sheets and their years, and nothing is taken from it."""
    sheets = {}
    for year, n in ((2021, "7"), (2022, "9"), (2023, "12")):
        rows = [[f"某某市交通运输局{year}年政府信息公开工作年度报告"], *[[*r[:-1], n] if len(r) == 3 else r for r in _TABLE]]
        sheets[f"{year}年" if how == "sheet names" else f"Sheet{year - 2020}"] = rows
    with pytest.raises(ReadError) as e:
        read(_book(sheets, tmp_path / "several.xlsx"))
    assert "several.xlsx" in str(e.value) and "several years" in str(e.value)
    assert all(str(y) in str(e.value) for y in (2021, 2022, 2023))


def test_a_workbook_of_one_years_tables_on_several_sheets_is_read(tmp_path):
    """Sheets of one report (its year in each sheet's name, or a second sheet without one) are one report."""
    title = [["某某市交通运输局2023年政府信息公开工作年度报告"]]
    path = _book({"2023年表三": title + _TABLE, "2023年表三续": _TABLE[:1] + [["本年办理结果合计", "", "13"]],
                  "说明": [["数据截至2023年12月31日"], ["单位", "件"]]}, tmp_path / "one.xlsx")
    doc = read(path)
    assert any("本年新收政府信息公开申请数量" in c.text for t in doc.tables for r in t.rows for c in r)


def test_a_workbook_whose_sheet_reaches_the_last_cell_is_refused_before_it_is_loaded(tmp_path):
    """One value in XFD1048576 (a 5 KB file): calamine allocates the whole range when it loads a sheet and
    aborted the process with a Rust trace. The range is read from the sheet's XML first."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "某某局2023年政府信息公开工作年度报告"
    wb.active["XFD1048576"] = 1
    wb.save(tmp_path / "far.xlsx")
    with pytest.raises(ReadError) as e:
        read(tmp_path / "far.xlsx")
    assert "far.xlsx" in str(e.value) and "1,048,576 × 16,384" in str(e.value)


def test_a_workbook_that_inflates_past_the_limit_is_refused(tmp_path, monkeypatch):
    import zipfile

    from pipeline import limits

    monkeypatch.setenv("NIANBAO_MAX_UNZIPPED_MB", "1")
    if hasattr(limits.current, "cache_clear"):
        limits.current.cache_clear()
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (3 * 1024 * 1024) + b"</worksheet>")
    try:
        with pytest.raises(ReadError) as e:
            read(path)
    finally:
        monkeypatch.delenv("NIANBAO_MAX_UNZIPPED_MB")
        if hasattr(limits.current, "cache_clear"):
            limits.current.cache_clear()
    assert "bomb.xlsx" in str(e.value) and "inflate" in str(e.value)
