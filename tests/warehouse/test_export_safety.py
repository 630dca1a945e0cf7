"""Exports are safe to open in a spreadsheet: no formula runs, line breaks stay inside their field."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd

from pipeline.serve.export import neutralize, to_csv_bytes, write

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "a\rb", "c\nd", "正常文本", "1,205"]


def _frame():
    return pd.DataFrame({"agency": HOSTILE, "value": [-185, 1.5, 3, 0, 2, 7, 8, 9, 10, 11]})


def test_csv_neutralises_formulas_and_keeps_rows_whole(tmp_path):
    path = write(_frame(), tmp_path / "x", "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert len(back) == len(HOSTILE)  # CR and LF inside names do not break rows
    for got in back["agency"]:
        assert not str(got).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert list(back["value"]) == [-185, 1.5, 3, 0, 2, 7, 8, 9, 10, 11]  # numbers stay numbers
    assert back["agency"][8] == "正常文本" and back["agency"][9] == "1,205"


def test_xlsx_has_no_formula_cells(tmp_path):
    path = write(_frame(), tmp_path / "x", "xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        assert row[0].data_type != "f", row[0].value
        assert isinstance(row[1].value, (int, float))


def test_dashboard_download_bytes_are_neutralised():
    data = to_csv_bytes(_frame())
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert len(back) == len(HOSTILE)
    assert all(not str(v).startswith("=") for v in back["agency"])


def test_neutralize_leaves_numbers_alone():
    df = neutralize(pd.DataFrame({"n": [-1, 2], "t": ["-1", "ok"]}))
    assert list(df["n"]) == [-1, 2] and list(df["t"]) == ["'-1", "ok"]


def test_dashboard_xlsx_download_keeps_numbers_and_neutralises_formulas():
    import io

    import openpyxl
    import pandas as pd

    from pipeline.serve.export import to_xlsx_bytes

    df = pd.DataFrame({"agency": ["=HYPERLINK(\"x\")", "南京市财政局"], "year": [2023, 2023], "value": [3985758.0, None]})
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df, "ranking"))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("agency", "year", "value")
    assert rows[1] == ("'=HYPERLINK(\"x\")", 2023, 3985758) and rows[2] == ("南京市财政局", 2023, None)
    assert ws.title == "ranking"
