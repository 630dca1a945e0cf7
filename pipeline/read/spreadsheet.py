"""Spreadsheets (.xlsx, .xls, .ods, .csv): each sheet's cells as tables, through python-calamine.

Agencies attach the report's tables as a workbook, or publish the whole report as one. Every sheet
is read in its printed layout: merged cells are expanded as the other readers expand them (the top-left
position is the cell, the positions it covers repeat its text as covered, not as values), empty rows
and columns around the table are dropped, and a row holding one text cell alone (a title, a section
heading such as 三、收到和处理政府信息公开申请情况) becomes a paragraph between tables, so the same
parser reads a sheet as it reads an HTML page. Numbers are written as the spreadsheet holds them
(an integer-valued float as an integer); a formula's cached result is its value; nothing is computed.
What the sheet does not show is not read: hidden rows and columns, struck-out or raised runs of a rich-text
cell (`xlsx_shown`).
"""
from __future__ import annotations

import datetime
import io
import re

from pipeline.read.common import ReadError
from pipeline.read.document import Cell, Document, Paragraph, Table, TableTooBig


def _text(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return " ".join(str(value).split())


def _sheet_grid(sheet, name: str, shown=None) -> list[list[Cell]]:
    """The sheet's cells from A1, merged cells expanded; `shown`: what xlsx_shown found of this sheet (rich-text
    cells as shown, hidden rows and columns, which are blank as the sheet shows them)."""
    from pipeline import limits

    lim = limits.current()
    end = sheet.end or (0, 0)  # the last used cell, counted from A1
    height, width = end[0] + 1, end[1] + 1
    if height * width > lim.table_cells:
        raise ReadError(name, f"sheet {sheet.name!r} has {height:,} × {width:,} cells; the limit is "
                              f"{lim.table_cells:,} (NIANBAO_MAX_TABLE_CELLS)")
    values = sheet.to_python(skip_empty_area=False)
    grid = [[Cell(_text(v)) for v in row] + [Cell("") for _ in range(width - len(row))] for row in values]
    if shown is not None:
        for (r, c), text in shown[0].items():
            if r < len(grid) and c < width:
                grid[r][c] = Cell(" ".join(text.split()))
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r1 - r0 > lim.span or c1 - c0 > lim.span:
            raise ReadError(name, f"sheet {sheet.name!r} merges more than {lim.span} rows or columns into one "
                                  "cell (NIANBAO_MAX_SPAN)")
        if r0 >= len(grid) or c0 >= width:
            continue
        text = grid[r0][c0].text
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                if (r, c) != (r0, c0):
                    grid[r][c] = Cell(text, origin=False, from_above=r > r0)
    if shown is not None and (shown[1] or shown[2]):  # hidden rows and columns blank, merged cells' parts too
        for r, row in enumerate(grid):
            for c in range(width):
                if r in shown[1] or c in shown[2]:
                    row[c] = Cell("")
    return grid


def _trim(grid: list[list[Cell]]) -> list[list[Cell]]:
    """Rows and columns with no text at all dropped (a sheet's empty margins and spacer rows)."""
    rows = [row for row in grid if any(c.text for c in row)]
    if not rows:
        return []
    keep = [j for j in range(len(rows[0])) if any(row[j].text for row in rows)]
    return [[row[j] for j in keep] for row in rows]


def _blocks(grid: list[list[Cell]]) -> list[Paragraph | Table]:
    """A row whose only text is one cell is a paragraph (a title, a section heading, a note) when it
    stands outside a table, spans the table's width, or opens a section (一、…); otherwise it stays a
    row of its table (a label whose values are on the next row). The runs between paragraphs are tables."""
    out: list[Paragraph | Table] = []
    run: list[list[Cell]] = []
    for row in grid:
        texts = [c for c in row if c.text and c.origin]
        covered = [c for c in row if c.text and not c.origin]
        alone = len(texts) == 1 and not any(c.from_above for c in covered) and not _number(texts[0].text)
        if alone and (not run or (covered and len(covered) + 1 >= len([c for c in row if c.origin or c.text]))
                      or _SECTION.match(texts[0].text)):
            if run:
                out.append(_table(run))
                run = []
            out.append(Paragraph(texts[0].text))
            continue
        run.append(row)
    if run:
        out.append(_table(run))
    return out


def _table(rows: list[list[Cell]]) -> Table:
    """A table of the columns its own rows use (a sheet's used range is as wide as its widest table)."""
    width = max((j + 1 for row in rows for j, c in enumerate(row) if c.text), default=0)
    return Table([row[:width] for row in rows])


_SECTION = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


def read_csv(data: bytes, name: str) -> Document:
    """A table saved as comma-separated text (Excel's 另存为 CSV, in GBK or UTF-8): one sheet, read as a
    workbook's is."""
    import csv

    from pipeline import limits
    from pipeline.read.common import decode

    text = decode(data, name).lstrip("\ufeff")
    lim = limits.current()
    rows: list[list[Cell]] = []
    cells = 0  # counted as the rows come (not summed again over every row read so far, a square in the rows)
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append([Cell(" ".join(v.split())) for v in row])
            cells += len(row)
            if cells > lim.table_cells:
                raise ReadError(name, f"more than {lim.table_cells:,} cells (NIANBAO_MAX_TABLE_CELLS)")
    except csv.Error as e:
        raise ReadError(name, f"not a readable CSV table ({e})") from None
    width = max((len(r) for r in rows), default=0)
    doc = Document(path=name, format="spreadsheet",
                   blocks=_blocks(_trim([r + [Cell("") for _ in range(width - len(r))] for r in rows])))
    if not doc.blocks:
        raise ReadError(name, "the table holds no cells with text or numbers")
    first = doc.paragraphs[0].text if doc.paragraphs else None
    doc.title = first if first and ("报告" in first or "年度" in first) else None
    return doc


_YEAR_SHEET = re.compile(r"\s*(20\d\d)\s*年?度?(?:报告|年报)?\s*")
_YEAR_TITLE = re.compile(r"(20\d\d)\s*年\s*度?[^。；;]{0,40}(?:报告|年报)")


def _sheet_year(sheet_name: str, blocks: list[Paragraph | Table]) -> int | None:
    """The report year a sheet declares, when it holds a table: by its name alone (`2021`, `2021年度`) or by
    the report title above its first table (`…2021年政府信息公开工作年度报告`); None otherwise."""
    if not any(isinstance(b, Table) for b in blocks):
        return None
    m = _YEAR_SHEET.fullmatch(sheet_name)
    if m:
        return int(m.group(1))
    for b in blocks:
        if isinstance(b, Table):
            return None
        m = _YEAR_TITLE.search(b.text)
        if m and len(b.text) <= 80:
            return int(m.group(1))
    return None


_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d{1,9})\"")
_CELL_COLUMN = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,4})\d")


def _check_xlsx(data: bytes, name: str) -> None:
    """An .xlsx is a zip: its parts' inflated size, and each sheet's used range (from its rows' and cells'
    references), are checked before calamine loads a sheet, which allocates the whole range at once (a 5 KB file
    with one value in XFD1048576 made it ask for 512 GiB and abort)."""
    import zipfile

    from pipeline import limits

    if not data.startswith(b"PK"):
        return  # .xls, .ods are checked by calamine's own reading
    lim = limits.current()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            inflated = sum(i.file_size for i in infos)
            if inflated > lim.unzipped_mb * 1024 * 1024:
                raise ReadError(name, f"its parts inflate to {inflated // (1024 * 1024):,} MiB; "
                                      f"the limit is {lim.unzipped_mb} MiB (NIANBAO_MAX_UNZIPPED_MB): a zip bomb or not a report")
            for i in infos:
                if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"):
                    xml = z.read(i)
                    height = max((int(r) for r in set(_ROW_REF.findall(xml))), default=0)
                    width = max((_column(c) for c in set(_CELL_COLUMN.findall(xml))), default=0)
                    if height * width > lim.table_cells:
                        raise ReadError(name, f"sheet {i.filename.rsplit('/', 1)[-1]!r} has {height:,} × {width:,} cells; "
                                              f"the limit is {lim.table_cells:,} (NIANBAO_MAX_TABLE_CELLS)")
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise ReadError(name, f"a corrupt or not a spreadsheet workbook: a broken ZIP container ({e})") from None


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _number(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def read_spreadsheet(data: bytes, name: str) -> Document:
    from python_calamine import CalamineWorkbook, PasswordError

    _check_xlsx(data, name)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:  # calamine's own error types (password, zip, xml) and anything else
        kind = "password-protected" if isinstance(e, PasswordError) else "corrupt or not a spreadsheet"
        raise ReadError(name, f"a {kind} workbook ({type(e).__name__})") from None
    doc = Document(path=name, format="spreadsheet")
    from pipeline import limits
    from pipeline.read.xlsx_shown import shown

    seen = shown(data, limits.current().unzipped_mb * 1024 * 1024)  # rich text and hidden rows (.xlsx only)
    years: dict[str, int] = {}
    try:
        for sheet_name in book.sheet_names:
            sheet = book.get_sheet_by_name(sheet_name)
            try:
                grid = _trim(_sheet_grid(sheet, name, (seen or {}).get(sheet_name)))
            except TableTooBig as e:
                raise ReadError(name, str(e)) from None
            blocks = _blocks(grid)
            year = _sheet_year(sheet_name, blocks)
            if year is not None:
                years[sheet_name] = year
            doc.blocks.extend(blocks)
    finally:
        book.close()
    if len(set(years.values())) > 1:  # one file, several reports: one year's figures must not pass for another's
        said = "、".join(f"{k!r}: {v}" for k, v in years.items())
        raise ReadError(name, f"the workbook holds the reports of several years (sheets {said}); nothing was "
                              "taken from it: publish or save each year's report as its own file")
    if not doc.blocks:
        raise ReadError(name, "the workbook holds no cells with text or numbers")
    first = doc.paragraphs[0].text if doc.paragraphs else None
    if first and ("报告" in first or "年度" in first):
        doc.title = first
    return doc
