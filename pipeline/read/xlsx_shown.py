"""What an .xlsx sheet shows where its cells' text says more: a rich-text cell whose runs are raised, lowered or
struck out (calamine, which reads the cells, gives their text run together: 18 and a raised 2 as 182, a struck
9 before 0 as 90), and hidden rows and columns (a draft or an old figure under the row the sheet shows).

Both are rare and both are looked for in the workbook's XML first; only a workbook that has them is read a
second time, by openpyxl, for those cells and rows. A run that is a footnote's mark is left out, other raised or
lowered text is set apart (0^123, no number), struck-out text is left out; hidden rows and columns are blank, as
the sheet shows them."""
from __future__ import annotations

import io
import re
import zipfile

from pipeline.read.cells import FOOTNOTE_MARK

_FORMATTED = re.compile(rb"<(?:\w+:)?(?:vertAlign|strike)\b")
_HIDDEN = re.compile(rb"<(?:\w+:)?(?:row|col)\b[^>]*\bhidden=\"(?:1|true)\"")

Shown = dict[str, tuple[dict[tuple[int, int], str], set[int], set[int]]]


def shown(data: bytes, max_bytes: int) -> Shown | None:
    """Per sheet title: the text of each rich-text cell as the sheet shows it ((row, column) from 0), its hidden
    rows and hidden columns (from 0). None for a workbook with neither (or not a ZIP: .xls), or whose parts
    decompress past `max_bytes`."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    with z:
        parts = [i for i in z.infolist() if i.filename == "xl/sharedStrings.xml" or i.filename.startswith("xl/worksheets/")]
        if sum(i.file_size for i in parts) > max_bytes:
            return None
        texts = {i.filename: z.read(i) for i in parts}
    formatted = any(_FORMATTED.search(t) for t in texts.values())
    hidden = any(_HIDDEN.search(t) for name, t in texts.items() if name.startswith("xl/worksheets/"))
    if not formatted and not hidden:
        return None
    import openpyxl
    from openpyxl.cell.rich_text import CellRichText

    wb = openpyxl.load_workbook(io.BytesIO(data), rich_text=True, data_only=True)
    out: Shown = {}
    for ws in wb.worksheets:
        cells = {(c.row - 1, c.column - 1): said(c.value) for row in ws.iter_rows() for c in row
                 if formatted and isinstance(c.value, CellRichText)}
        rows = {r - 1 for r, d in ws.row_dimensions.items() if d.hidden}
        cols = {j - 1 for d in ws.column_dimensions.values() if d.hidden and d.min for j in range(d.min, (d.max or d.min) + 1)}
        out[ws.title] = (cells, rows, cols)
    wb.close()
    return out


def said(value) -> str:
    """A rich-text cell's text as shown: struck runs left out, a raised mark left out, other raised or lowered
    text set apart."""
    out = []
    for part in value:
        if isinstance(part, str):
            out.append(part)
            continue
        font, text = part.font, part.text or ""
        if font is not None and font.strike:
            continue
        align = getattr(font, "vertAlign", None) if font is not None else None
        if align in ("superscript", "subscript"):
            if align == "superscript" and FOOTNOTE_MARK.match(text):
                continue
            out.append("^" + text)
            continue
        out.append(text)
    return "".join(out)
