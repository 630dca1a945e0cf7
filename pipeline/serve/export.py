"""Exports of the published warehouse: a long table (one row per fact) and a wide table (one row per
agency and year, one column per `metric:dim` key as in the golden files). CSV is UTF-8 with BOM so
Excel on Chinese Windows opens it right; Parquet and XLSX for other tools.

Exports are safe to open: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
(which a spreadsheet would run as a formula) is written with a leading `'` (OWASP's advice against CSV
injection), in the CLI's files and the dashboard's downloads alike; numbers stay numbers; CSV rows end
in CRLF and every field holding a line break (CR or LF) is quoted.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from pipeline.spec import catalog

LONG_COLUMNS = ["agency", "agency_id", "province", "city", "district", "level", "sector", "year", "template", "metric", "dim",
                "key", "label_zh", "label_en", "unit", "value", "verified", "provenance", "note", "evidence", "source_name",
                "source_sha256", "published_on", "source_url"]
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
    sql = f"select {', '.join(LONG_COLUMNS)} from v_facts"
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
        neutralize(df).to_excel(path, index=False, engine="openpyxl")
    return path


def export(con, out: Path, fmt: str = "csv", agency=None, year=None, metric=None) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    long = long_table(con, agency, year, metric)
    return [write(long, out / "facts_long", fmt), write(wide_table(long), out / "facts_wide", fmt)]


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM) of exactly this frame: what the dashboard's download buttons give."""
    return neutralize(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "nianbao") -> bytes:
    """An XLSX workbook of exactly this frame (text cells neutralised, numbers as numbers)."""
    import io

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        neutralize(df).to_excel(xw, index=False, sheet_name=sheet[:31] or "nianbao")
    return buf.getvalue()
