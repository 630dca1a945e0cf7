"""The one formatter of numbers and the one place for Chinese digits, dates and full-width forms."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from pipeline.spec.numbers import CN_YEAR, as_written, chinese_year, find_date, halfwidth, iso_date


@pytest.mark.parametrize("value,written", [
    (21, "21"), (21.0, "21"), (Decimal("21.00"), "21"), (-3.0, "-3"), (1205.5, "1205.5"),
    (3985758.0, "3985758"), (1e20, "100000000000000000000"), (12345.67, "12345.67"),
    (0.1 + 0.2, "0.3"), (Decimal("12.3456789"), "12.345679"), (Decimal("1E+3"), "1000"),
    (None, ""), (float("nan"), ""),
])
def test_as_written(value, written):
    assert as_written(value) == written


def test_as_written_refuses_a_truth_value():
    with pytest.raises(TypeError):
        as_written(True)


@pytest.mark.parametrize("text,year", [("二〇二〇", 2020), ("二○二三", 2023), ("二零一九", 2019), ("二〇二", None),
                                       ("2020", None), ("二〇二十", None)])
def test_chinese_year(text, year):
    assert chinese_year(text) == year
    assert bool(re.fullmatch(CN_YEAR, text)) == (year is not None)


@pytest.mark.parametrize("text,date", [
    ("发布日期：2024-01-20", dt.date(2024, 1, 20)), ("2024/1/5 10:00", dt.date(2024, 1, 5)),
    ("2024.1.20", dt.date(2024, 1, 20)), ("2024年1月20日", dt.date(2024, 1, 20)),
    ("2024-02-30 then 2024-03-01", dt.date(2024, 3, 1)), ("no date", None), (None, None),
])
def test_dates(text, date):
    assert find_date(text) == date
    assert iso_date(text) == (date.isoformat() if date else None)


def test_halfwidth():
    assert halfwidth("（一）　ＡＢｃ１２３，．；") == "(一) ABc123,.;"
    assert halfwidth("１２３（一）", only="１２３") == "123（一）"
