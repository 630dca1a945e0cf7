"""Analysts' corrections (data/corrections.csv): one fact of one agency-year replaced by the analyst's value
with a note; read here, applied by the builder (`build.Builder`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.spec import catalog


@dataclass
class Correction:
    agency: str
    year: int
    metric: str
    dim: str | None
    value: float
    note: str
    line: int


_CORR_FIELDS = ("agency", "year", "metric", "dim", "value", "note")


_CORR_ALIASES = {
    "agency": "agency", "机关": "agency", "机构": "agency", "单位": "agency", "机关名称": "agency",
    "year": "year", "年度": "year", "年份": "year", "年": "year",
    "metric": "metric", "指标": "metric", "指标代码": "metric",
    "dim": "dim", "维度": "dim", "列": "dim",
    "value": "value", "数值": "value", "值": "value",
    "note": "note", "说明": "note", "备注": "note",
}


def read_corrections(path: Path) -> tuple[list[Correction], list[str]]:
    """Analysts' overrides from a CSV (agency, year, metric, dim, value, note).

    Read whatever way a spreadsheet saved it: UTF-8 with or without BOM, GBK/GB18030, UTF-16; `,` `;`
    or tab as delimiter; header names in any case, with spaces, or in Chinese (机关 年度 指标 维度 数值
    说明). Every bad row is listed with its line number (not a finite number, unknown metric or dim,
    wrong column count, two rows for one fact) and left out; a bad file never fails the refresh. Past 60
    lines: the row checks share the header's columns and the rows already read."""
    import math

    from pipeline.warehouse.handfile import read_rows

    path = Path(path)
    got = read_rows(path, delimiter=None)  # one record per line: a stray quote spoils its own line only
    if got.unreadable:
        return [], [f"{got.unreadable}; no correction applied"]
    if not got.rows:
        return [], list(got.problems)
    head_line, head = got.rows[0]
    rows = got.rows[1:]
    header = [_CORR_ALIASES.get(re.sub(r"\s+", "", h).lower().lstrip("\ufeff")) for h in head]
    if "metric" not in header or "value" not in header:
        return [], [f"{path.name} line {head_line}: the header must name the columns agency, year, metric, dim, value, note "
                    f"(or 机关, 年度, 指标, 维度, 数值, 说明); found {head!r}; no correction applied"]
    out: list[Correction] = []
    problems: list[str] = list(got.problems)
    seen: dict[tuple, int] = {}
    conflicting: set[tuple] = set()
    for i, row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append(f"{path.name} line {i}: {len(row)} fields where the header has {len(header)}; left out")
            continue
        rec = {k: (v or "").strip() for k, v in zip(header, row) if k}
        try:
            metric = rec.get("metric", "")
            dim = rec.get("dim") or None
            if metric not in catalog.BY_CODE:
                raise ValueError(f"unknown metric {metric!r}")
            m = catalog.BY_CODE[metric]
            if (dim is None) != (not m.dims) or (dim is not None and dim not in m.dims):
                raise ValueError(f"{metric} has no dim {dim!r}")
            try:
                year = int(rec.get("year", ""))
            except ValueError:
                raise ValueError(f"year {rec.get('year', '')!r} is not a year") from None
            try:
                value = float(rec.get("value", "").replace(",", ""))
            except ValueError:
                raise ValueError(f"value {rec.get('value', '')!r} is not a number") from None
            if not math.isfinite(value) or abs(value) > 1e15:
                raise ValueError(f"value {rec.get('value')!r} is not a finite number")
            agency = rec.get("agency", "")
            if not agency:
                raise ValueError("no agency")
        except ValueError as e:
            problems.append(f"{path.name} line {i}: {e}; left out")
            continue
        key = (agency, year, metric, dim)
        if key in seen:
            conflicting.add(key)
            problems.append(f"{path.name} line {i}: another correction of {metric}{':' + dim if dim else ''} for "
                            f"{agency} {year} (first on line {out[seen[key]].line}); none of the lines for this "
                            "fact is applied")
            continue
        seen[key] = len(out)
        out.append(Correction(agency, year, metric, dim, value, rec.get("note", ""), i))
    problems.sort(key=lambda p: int(m.group(1)) if (m := re.search(r" line (\d+):", p)) else 0)
    return [c for c in out if (c.agency, c.year, c.metric, c.dim) not in conflicting], problems
