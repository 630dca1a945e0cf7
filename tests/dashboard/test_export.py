"""The one export helper: labelled headers with codes, rates rounded with their unit, levels in words,
absolute links; XLSX with numbers as numbers, control characters removed, split into sheets past the
row limit."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd

from pipeline.serve.export import labelled, to_xlsx_bytes, write_xlsx


def test_labelled_headers_units_levels_links():
    df = pd.DataFrame({"agency": ["甲"], "year": [2023], "grant_rate": [0.370430544], "change": [0.0685],
                       "level": ["provincial"], "profile": ["profile?agency=demo-01"], "small_sample": [True]})
    out = labelled(df, "zh", {"agency": "机关", "year": "年度", "grant_rate": "公开率", "change": "变化", "level": "层级",
                              "profile": "机关档案", "small_sample": "小样本"},
                   {"grant_rate": "rate", "change": "pp", "level": "level", "profile": "link", "small_sample": "bool"},
                   {"provincial": "省级"}, "http://intranet:8501/")
    assert list(out.columns) == ["机关 [agency]", "年度 [year]", "公开率（%） [grant_rate]", "变化（个百分点） [change]",
                                 "层级 [level]", "机关档案 [profile]", "小样本 [small_sample]"]
    row = out.iloc[0]
    assert row.iloc[2] == 37.0 and row.iloc[3] == 6.8 and row.iloc[4] == "省级" and row.iloc[6] == "是"
    assert row.iloc[5] == "http://intranet:8501/profile?agency=demo-01"


def test_xlsx_numbers_control_characters_and_sheets():
    df = pd.DataFrame({"name": ["a\x01b\x1f", "=SUM(A1)", None], "n": [1, 2, 3], "x": [1.5, float("nan"), 2.0]})
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows == [("name", "n", "x"), ("ab", 1, 1.5), ("'=SUM(A1)", 2, None), (None, 3, 2.0)]
    buf = io.BytesIO()
    assert write_xlsx(pd.DataFrame({"n": range(7)}), buf, rows_per_sheet=3) == 4  # 2 rows + header per sheet
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == ["nianbao", "nianbao-2", "nianbao-3", "nianbao-4"]
    assert [r[0] for ws in wb for r in ws.iter_rows(min_row=2, values_only=True)] == list(range(7))
    assert pd.read_excel(io.BytesIO(buf.getvalue()), engine="openpyxl").n.dtype.kind == "i"


def test_a_missing_flag_is_blank_not_yes():
    """A row of a missing year among flags (True, False, NaN after a concat): its flag is blank; NaN is truthy
    and was written 是 (a walk found a year without a report 经核验 = 是 in the profile's CSV)."""
    df = pd.DataFrame({"year": [2021, 2022, 2023], "verified": [True, float("nan"), False]})
    out = labelled(df, "zh", {"year": "年度", "verified": "经核验"}, {"verified": "bool"})
    assert out.iloc[:, 1].tolist()[0] == "是" and pd.isna(out.iloc[1, 1]) and out.iloc[2, 1] == "否"
