"""Exports of the published warehouse: a long table (one row per fact) and a wide table (one row per
agency and year, one column per `metric:dim` key as in the golden files). CSV is UTF-8 with BOM so
Excel on Chinese Windows opens it right; Parquet and XLSX for other tools.

Exports are safe to open: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
(which a spreadsheet would run as a formula) is written with a leading `'` (OWASP's advice against CSV
injection), in the CLI's files and the dashboard's downloads alike; numbers stay numbers; CSV rows end
in CRLF and every field holding a line break (CR or LF) is quoted. XLSX is written row by row (openpyxl's
write-only mode: memory does not grow with the rows), split into sheets of Excel's 1,048,576 rows
(header included) when longer, with the control characters XML cannot hold removed from text cells.

`labelled` turns a frame of the dashboard into what its download buttons give: headers in the
interface's language with the code beside (`公开率（%） [grant_rate]`), rates as rounded percentages,
changes of a rate in percentage points, levels in words, links made absolute.
"""
from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pandas as pd

from pipeline.spec import catalog

LONG_COLUMNS = ["agency", "agency_id", "province", "city", "district", "level", "sector", "year", "template", "metric", "dim",
                "key", "label_zh", "label_en", "unit", "value", "verified", "read_by_ocr", "ocr_confidence", "provenance",
                "note", "evidence", "source_name", "source_sha256", "published_on", "source_url"]
# columns of the long table computed from a fact's evidence: read by OCR (a scan, a table pasted as a
# picture) and the recognition confidence of its cell
_DERIVED = {"read_by_ocr": "coalesce(json_extract_string(evidence, '$.read_by') = 'ocr', false) as read_by_ocr",
            "ocr_confidence": "try_cast(json_extract(evidence, '$.ocr_confidence') as double) as ocr_confidence"}
WIDE_ID = ["agency", "province", "city", "district", "level", "sector", "year", "template"]


def long_table(con, agency: list[str] | None = None, year: list[int] | None = None,
               metric: list[str] | None = None) -> pd.DataFrame:
    where, params = [], []
    if agency:
        where.append("(agency in (select unnest(?::varchar[])) or agency_id in (select agency_id from agencies, "
                     "unnest(aliases) t(alias) where alias in (select unnest(?::varchar[]))))")
        params += [agency, agency]
    if year:
        where.append("year in (select unnest(?::integer[]))")
        params.append(year)
    if metric:
        where.append("(metric in (select unnest(?::varchar[])) or key in (select unnest(?::varchar[])))")
        params += [metric, metric]
    sql = f"select {', '.join(_DERIVED.get(c, c) for c in LONG_COLUMNS)} from v_facts"
    if where:
        sql += " where " + " and ".join(where)
    df = con.execute(sql, params).fetchdf()
    # an ISO date (2024-01-20) or empty, the same in every format
    df["published_on"] = pd.to_datetime(df["published_on"]).dt.strftime("%Y-%m-%d").astype(object).where(
        df["published_on"].notna(), None)
    order = {k: i for i, k in enumerate(catalog.all_keys())}
    df["_o"] = df["key"].map(order)
    df = df.sort_values(["agency", "year", "_o"]).drop(columns="_o").reset_index(drop=True)
    return df


def wide_table(long: pd.DataFrame) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(columns=WIDE_ID)
    ids = long[WIDE_ID].drop_duplicates(["agency", "year"])
    pivot = long.pivot_table(index=["agency", "year"], columns="key", values="value", aggfunc="first")
    keys = [k for k in catalog.all_keys() if k in pivot.columns]
    wide = ids.merge(pivot[keys].reset_index(), on=["agency", "year"], how="left")
    # the row's values its report's identities do not confirm, by key (empty: every value verified)
    unverified = (long[long["verified"] == False].groupby(["agency", "year"])["key"]  # noqa: E712
                  .agg(lambda ks: " ".join(ks)).rename("unverified").reset_index())
    wide = wide.merge(unverified, on=["agency", "year"], how="left")
    wide["unverified"] = wide["unverified"].fillna("")
    wide = wide[WIDE_ID + ["unverified"] + keys]
    return wide.sort_values(["agency", "year"]).reset_index(drop=True)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutral(v):
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def neutralize(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas; numeric columns untouched."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_neutral)
    out.columns = [_neutral(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write(df: pd.DataFrame, path: Path, fmt: str) -> Path:
    path = path.with_suffix({"csv": ".csv", "parquet": ".parquet", "xlsx": ".xlsx"}[fmt])
    if fmt == "csv":
        neutralize(df).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    elif fmt == "parquet":
        df.to_parquet(path, index=False)  # typed columns: nothing is run as a formula
    else:
        with open(path, "wb") as fh:
            write_xlsx(df, fh)
    return path


def export(con, out: Path, fmt: str = "csv", agency=None, year=None, metric=None) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    long = long_table(con, agency, year, metric)
    return [write(long, out / "facts_long", fmt), write(wide_table(long), out / "facts_wide", fmt)]


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM) of exactly this frame: what the dashboard's download buttons give. A column
    of numbers, whole and not (a report's facts: 51 applications beside 0.36 万元), writes its whole numbers
    whole (51, not 51.0); the rates `labelled` made keep their one decimal (50.0)."""
    import numpy as np

    keep = set(df.attrs.get("keep_decimal", ()))
    out = neutralize(df)
    for before, col in zip(df.columns, out.columns):
        if before not in keep and pd.api.types.is_float_dtype(out[col]):  # positional, never 1e-05
            out[col] = [None if pd.isna(v) else "0" if v == 0 else np.format_float_positional(float(v), trim="-")
                        for v in out[col].tolist()]
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


XLSX_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _xlsx_cell(v):
    """A cell as openpyxl writes it: numbers as numbers, blanks empty, text neutralised and without the
    control characters XML 1.0 cannot hold."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return None if isinstance(v, float) and math.isnan(v) else v
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        try:
            return _xlsx_cell(v.item())
        except (ValueError, AttributeError):
            pass
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat()
    text = _CONTROL.sub("", str(v))
    return _neutral(text)


def write_xlsx(df: pd.DataFrame, fh, sheet: str = "nianbao", rows_per_sheet: int = XLSX_ROWS) -> int:
    """Write `df` as an XLSX workbook to the binary file `fh`, row by row (constant memory in openpyxl's
    write-only mode); past `rows_per_sheet` rows (header included) the rows go on to sheets `name-2`, … .
    Returns the number of sheets."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    header = [_xlsx_cell(c) for c in df.columns]
    per = max(1, rows_per_sheet - 1)
    base = (_CONTROL.sub("", sheet) or "nianbao").translate(str.maketrans("", "", "[]:*?/\\"))[:25] or "nianbao"
    n_sheets, ws, used = 0, None, per
    for row in df.itertuples(index=False, name=None):
        if used == per:
            n_sheets += 1
            ws = wb.create_sheet(base if n_sheets == 1 else f"{base}-{n_sheets}")
            ws.append(header)
            used = 0
        ws.append([_xlsx_cell(v) for v in row])
        used += 1
    if n_sheets == 0:
        n_sheets = 1
        wb.create_sheet(base).append(header)
    wb.save(fh)
    return n_sheets


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "nianbao") -> bytes:
    """An XLSX workbook of exactly this frame (text cells neutralised, numbers as numbers), the same bytes for
    the same frame all day: openpyxl stamps the second it was written, so every rerun of a page made a new
    file and a download clicked meanwhile was cancelled (its address had gone)."""
    import datetime as dt
    import zipfile

    buf = io.BytesIO()
    write_xlsx(df, buf, sheet)
    day = dt.datetime.now(dt.timezone.utc).date()
    stamp = f"{day.isoformat()}T00:00:00Z".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\3", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(day.year, day.month, day.day, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# -- the dashboard's downloads ----------------------------------------------------------------------

UNITS = {"rate": ("（%）", " (%)"), "pct": ("（%）", " (%)"), "pp": ("（个百分点）", " (percentage points)"),
         "wan_yuan": ("（万元）", " (10k yuan)"), "days": ("（天）", " (days)")}


CODE_COLUMNS = ("key", "measure", "metric", "dim", "outcome", "platform", "kind", "timeliness", "findings", "status",
                "tile", "check_id")


def labelled(df: pd.DataFrame, lang: str, labels: dict[str, str], kinds: dict[str, str],
             level_words: dict[str, str] | None = None, base_url: str = "") -> pd.DataFrame:
    """The frame as a download gives it. `labels`: code -> label in the interface's language (a column
    without a label keeps its code); `kinds`: code -> rate | pct | pp (a fraction shown ×100, rounded to
    one decimal as on screen), level (words from `level_words`), link (a page path made absolute with
    `base_url`), bool (是/否, yes/no), wan_yuan, days (a unit in the header). Headers read
    `label（unit） [code]`."""
    out = pd.DataFrame(index=df.index)
    zh = lang == "zh"
    # a code column beside its words (key and label, platform and platform_label) would read alike: the code's
    # header says it is the code (指标代码, Metric code)
    said = [labels.get(c) or c for c in df.columns]
    labels = dict(labels)
    for code, label in zip(df.columns, said):
        if code in CODE_COLUMNS and said.count(label) > 1:
            labels[code] = label + ("代码" if zh else " code")
    for code in df.columns:
        col, kind = df[code], kinds.get(code, "")
        if kind in ("rate", "pct", "pp"):
            col = (pd.to_numeric(col, errors="coerce") * 100).round(1) + 0.0  # + 0.0: never -0.0
        elif kind == "level":
            col = col.map(lambda v: (level_words or {}).get(v, v) if isinstance(v, str) else None)
        elif kind == "link":
            col = col.map(lambda v: f"{base_url.rstrip('/')}/{v.lstrip('/')}" if isinstance(v, str) and v else None)
        elif kind == "bool":
            # (a float NaN, a missing year's row among bools, is blank too: NaN is truthy and was written 是)
            col = col.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else
                          (("是" if v else "否") if zh else ("yes" if v else "no")))
        elif kind in ("", "days", "wan_yuan") and pd.api.types.is_float_dtype(col) and col.notna().any():
            # a sum or a change of decimal amounts without the float's last-digit noise (0.36504, not
            # 0.3650399999999996): 12 significant digits are more than any report prints
            col = col.map(lambda v: v if pd.isna(v) else float(f"{v:.12g}"))
            if (col.dropna() % 1 == 0).all():
                col = col.astype("Int64")  # whole numbers written whole (41, not 41.0): ranks, denominators, counts
        unit = UNITS.get(kind, ("", ""))[0 if zh else 1]
        label = labels.get(code)
        name = f"{label}{unit} [{code}]" if label and label != code else f"{code}{unit}"
        out[name] = col
        if kind in ("rate", "pct", "pp"):
            out.attrs.setdefault("keep_decimal", []).append(name)
    return out
