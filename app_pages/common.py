"""What every page shares: the warehouse connection (read-only, reopened when a refresh swaps the
file), cached queries keyed on the warehouse version, the filters kept in the URL, the language,
and CSV downloads of exactly what a page shows."""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipeline.serve import queries
from pipeline.serve.export import to_csv_bytes, to_xlsx_bytes
from pipeline.serve.i18n import t

ROOT = Path(__file__).resolve().parent.parent


def db_path() -> Path:
    argv = sys.argv[1:]
    if "--db" in argv and argv.index("--db") + 1 < len(argv):
        return Path(argv[argv.index("--db") + 1])
    return Path(os.environ.get("NIANBAO_DB") or ROOT / "data" / "warehouse.duckdb")


def version(path: Path) -> tuple | None:
    """Changes whenever a refresh publishes a new file (a new inode), so caches turn over."""
    try:
        s = path.stat()
    except FileNotFoundError:
        return None
    return (s.st_ino, s.st_mtime_ns, s.st_size)


_LOCK = threading.Lock()
_OPEN: dict[str, tuple[tuple, duckdb.DuckDBPyConnection]] = {}


def _connection(path: str, ver: tuple) -> duckdb.DuckDBPyConnection:
    """One read-only connection per warehouse version. DuckDB keeps one database instance per path
    and process, so the old connection must be closed before the swapped-in file can be opened."""
    with _LOCK:
        held = _OPEN.get(path)
        if held and held[0] == ver:
            return held[1]
        if held:
            try:
                held[1].close()
            except duckdb.Error:
                pass
        con = duckdb.connect(path, read_only=True)
        _OPEN[path] = (ver, con)
        return con


def connection():
    path = db_path()
    ver = version(path)
    if ver is None:
        return None
    return _connection(str(path), ver).cursor()  # a cursor per use: safe across sessions' threads


@st.cache_data(max_entries=512, show_spinner=False)
def _run(path: str, ver: tuple, name: str, args: tuple, kwargs: tuple):
    for attempt in (1, 2):
        con = _connection(path, ver).cursor()
        try:
            return getattr(queries, name)(con, *args, **dict(kwargs))
        except duckdb.ConnectionException:
            if attempt == 2:  # the connection was closed under us by a swap: open the new one, once
                raise
        finally:
            con.close()


def q(name: str, *args, **kwargs):
    """Call `pipeline.queries.<name>` with the cache keyed on the warehouse version."""
    path = db_path()
    return _run(str(path), version(path), name, args, tuple(sorted(kwargs.items())))


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~:$"})


def md_text(text) -> str:
    """Text from a report or a file name, shown literally inside Markdown (no links, no emphasis)."""
    return str(text if text is not None else "").replace("\n", " ").translate(_MD_SPECIAL)


def with_gaps(df: pd.DataFrame, group: str, x: str = "year", y: str = "value") -> pd.DataFrame:
    """Rows added for every year missing inside each line's span, with no value, so a line chart breaks
    there (a missing year is a gap; it is never drawn as a straight line across, nor as 0)."""
    if df is None or df.empty:
        return df
    out = []
    for key, part in df.groupby(group, sort=False, dropna=False):
        years = range(int(part[x].min()), int(part[x].max()) + 1)
        missing = [yr for yr in years if yr not in set(part[x])]
        if missing:
            part = pd.concat([part, pd.DataFrame({group: [key] * len(missing), x: missing, y: [None] * len(missing)})])
        out.append(part.sort_values(x))
    full = pd.concat(out, ignore_index=True)
    full[y] = pd.to_numeric(full[y], errors="coerce")
    return full


def url_value(key: str, default=None):
    """One value of the page's own URL parameters (the router keeps the shared filters)."""
    v = st.query_params.get(key)
    return default if v in (None, "") else v


def url_list(key: str) -> list[str]:
    return [x for x in st.query_params.get_all(key) if x]


def write_url(values: dict) -> None:
    """Put the page's state into the URL (None removes a key), so a copied link reproduces the view."""
    qp = st.query_params
    for k, v in values.items():
        current = qp.get_all(k)
        if v is None or v == []:
            if current:
                del qp[k]
        elif (v if isinstance(v, list) else [v]) != current:
            qp[k] = v


def no_none(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns with empty cells shown empty, never as "None"."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
    return out


def clicked(event) -> str | None:
    """The customdata of the point a click selected on a chart drawn with on_select="rerun", or None."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if not points:
        return None
    data = points[0].get("customdata")
    return (data[0] if isinstance(data, (list, tuple)) else data) or None


def lang() -> str:
    return st.session_state.get("lang", "zh")


def tr(key: str, **kw) -> str:
    return t(key, lang(), **kw)


def filters() -> queries.Filters:
    return st.session_state.get("filters", queries.Filters())


def download(df: pd.DataFrame, name: str, key: str):
    """A CSV (UTF-8 with BOM) and an XLSX workbook of exactly this frame (the workbook is made only when
    its button is clicked)."""
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(tr("download_csv"), to_csv_bytes(df), file_name=f"{name}.csv", mime="text/csv", key=f"dl_{key}")
    frame = df.copy()
    c2.download_button(tr("download_xlsx"), lambda: to_xlsx_bytes(frame), file_name=f"{name}.xlsx", key=f"dlx_{key}",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def empty_note(df) -> bool:
    if df is None or len(df) == 0:
        st.info(tr("no_data"))
        return True
    return False


def year_choice(label_key: str, key: str) -> int | None:
    years = [y for y in q("options")["years"] if _in_range(y)]
    if not years:
        return None
    return st.selectbox(tr(label_key), years[::-1], index=0, key=key)


def _in_range(y: int) -> bool:
    f = filters()
    return (f.year_from is None or y >= f.year_from) and (f.year_to is None or y <= f.year_to)


def missing(v) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v))


def fmt_number(v, rate: bool = False, compact: bool = False) -> str:
    """A number for people: 46.8%, 14,641, or compact 84.8万 / 848K when space is short; — when missing."""
    if missing(v):
        return "—"
    if rate:
        return f"{v * 100:.1f}%"
    if compact and abs(v) >= 10000:
        if lang() == "zh":
            if abs(v) >= 1e8:
                return f"{v / 1e8:.2f}亿"
            return f"{v / 1e4:.0f}万" if abs(v) >= 1e6 else f"{v / 1e4:.1f}万"
        return f"{v / 1e9:.2f}B" if abs(v) >= 1e9 else f"{v / 1e6:.2f}M" if abs(v) >= 1e6 else f"{v / 1e3:.1f}K"
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.2f}".rstrip("0").rstrip(".")
