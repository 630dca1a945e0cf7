"""What every page shares: the warehouse connection (read-only, reopened when a refresh swaps the
file), cached queries keyed on the warehouse version, the filters kept in the URL, the language,
and CSV downloads of exactly what a page shows."""
from __future__ import annotations

import dataclasses

import os
import re
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipeline.serve import queries
from pipeline.serve.export import labelled, to_csv_bytes, to_xlsx_bytes
from pipeline.serve.i18n import UI, level_label, t
from pipeline.spec import catalog
from pipeline.spec.measures import MEASURES

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
_WJ = "\u2060"  # WORD JOINER: invisible; breaks the address patterns Markdown turns into links by itself
_AUTOLINK = re.compile(r"(?i)(www)(?=\.)|(:)(?=//)|(@)")


def md_text(text) -> str:
    """Text from a report, a file name or a link, shown literally inside Markdown: no links, no images, no
    emphasis, and no bare address (www.…, http://…, a@b) turned into a link (an invisible word joiner
    breaks the pattern; escapes alone do not stop the renderer's autolinks)."""
    text = str(text if text is not None else "").replace("\n", " ")
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + _WJ + (m.group(2) or m.group(3) or "") if not m.group(3)
                         else _WJ + "@", text)
    return text.translate(_MD_SPECIAL)


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


def full_numbers(fig, axis: str = "y"):
    """A chart's value axis in whole figures with thousands separators: 3,985,758, never 4M."""
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(tickformat=",~r", separatethousands=True)
    return fig


def url_int(key: str, lo: int, hi: int, default=None):
    """A whole number from the URL between lo and hi; anything else (², ①, words, a number of thousands of
    digits) gives a plain-text message and the default. The length is checked before any conversion."""
    raw = st.query_params.get(key)
    if raw in (None, ""):
        return default
    if isinstance(raw, str) and 0 < len(raw) <= len(str(hi)) and raw.isascii() and raw.isdigit() and lo <= int(raw) <= hi:
        return int(raw)
    bad_param(key, raw)
    return default


def bad_param(key: str, raw) -> None:
    """The link's parameter is not valid: said as plain text (the value cannot become a link or an image)."""
    st.warning(md_text(tr("bad_param", name=key, value=str(raw)[:40])), icon=":material/link_off:")


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


PAGE_PATHS = ("overview", "compare", "profile", "web_media", "applications", "review", "active", "quality", "report")


def base_url() -> str:
    """The app's address in the user's browser (without the page), to make links in downloads absolute."""
    try:
        url = st.context.url or ""
    except Exception:  # outside a browser session (tests): no address known
        url = ""
    url = url.split("?", 1)[0].rstrip("/")
    last = url.rsplit("/", 1)[-1]
    if last in PAGE_PATHS:
        url = url[: -len(last) - 1]
    return url or "http://localhost:8501"


def column_label(code: str) -> str:
    """A column's label in the interface's language: the dashboard's words, a measure or a catalog metric."""
    if code in UI:
        return tr(code)
    if code in MEASURES:
        return MEASURES[code].zh if lang() == "zh" else MEASURES[code].en
    try:
        return catalog.label(code, lang())
    except (KeyError, ValueError):
        return code


def _default_kind(code: str) -> str:
    if code == "level":
        return "level"
    if code in MEASURES and MEASURES[code].rate:
        return "rate"
    if code in ("profile", "page_report", "link", "report_link"):
        return "link"
    if code in ("small_sample", "verified", "registered", "read_by_ocr"):
        return "bool"
    if code == "pct_change":
        return "pct"
    if code.endswith("wan_yuan"):
        return "wan_yuan"
    if code == "days_late":
        return "days"
    return ""


LAZY_CELLS = 20_000  # a download of more cells than this is made when its button is clicked


def download(df: pd.DataFrame, name: str, key: str, kinds: dict | None = None, labels: dict | None = None):
    """The one export of every page: a CSV (UTF-8 with BOM) and an XLSX workbook (a large one made only when
    its button is clicked) of this frame, its columns named by their codes: headers become the label in the interface's
    language with the code beside, rates rounded percentages as on screen, levels words, links absolute,
    numbers numbers (`pipeline.serve.export.labelled`)."""
    download_later(lambda: df, list(df.columns), len(df), name, key, kinds, labels)


def download_later(fetch, columns: list[str], rows: int, name: str, key: str, kinds: dict | None = None,
                   labels: dict | None = None):
    """`download` of the frame `fetch()` gives (`rows` rows of `columns`): a large one is fetched only when a
    button is clicked, so a view of the page does not load it."""
    kinds = {c: _default_kind(c) for c in columns} | (kinds or {})
    names = {c: column_label(c) for c in columns} | (labels or {})
    words = {lv: level_label(lv, lang()) for lv in ("national", "provincial", "city", "county", "township", "unknown")}
    rest = (lang(), names, kinds, words, base_url())
    c1, c2, _ = st.columns([1, 1, 4])
    if rows * max(1, len(columns)) > LAZY_CELLS:
        # a large table is labelled and written only when a button is clicked (then in Streamlit's own
        # thread: everything it needs from the session is taken now, in `rest`)
        c1.download_button(tr("download_csv"), lambda: to_csv_bytes(labelled(fetch().reset_index(drop=True), *rest)),
                           file_name=f"{name}.csv", mime="text/csv", key=f"dl_{key}", on_click="ignore")
        c2.download_button(tr("download_xlsx"), lambda: to_xlsx_bytes(labelled(fetch().reset_index(drop=True), *rest)),
                           file_name=f"{name}.xlsx", key=f"dlx_{key}", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return
    frame = labelled(fetch().reset_index(drop=True), *rest)
    c1.download_button(tr("download_csv"), to_csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv", key=f"dl_{key}", on_click="ignore")
    data = to_xlsx_bytes(frame)
    c2.download_button(tr("download_xlsx"), data, file_name=f"{name}.xlsx", key=f"dlx_{key}", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def yearly(fig):
    """A chart over the years: one tick a year over every year in scope (the sidebar's range, else the
    chart's own), bars a year wide, so a year without figures is an empty slot, never covered by its
    neighbours' bars (no range on a faceted chart: plotly then hid every bar of the review page's panels)."""
    xs = [x for t in fig.data if t.x is not None for x in t.x if x is not None and not pd.isna(x)]
    lo, hi = (filters().year_from or min(xs, default=None)), (filters().year_to or max(xs, default=None))
    facets = any(k.startswith("xaxis") and k != "xaxis" for k in fig.layout.to_plotly_json())
    fig.update_xaxes(dtick=1, **({} if lo is None or hi is None or facets else {"range": [lo - 0.5, hi + 0.5]}))
    if fig.layout.barmode != "group":  # (grouped bars share the slot: plotly sizes them)
        fig.update_traces(width=0.8, selector={"type": "bar"})
    return full_numbers(fig)


def section_opening(title: str, section: str, same_key: str, stop: bool = True) -> tuple[bool, pd.DataFrame | None]:
    """A section page's opening: its title, the same-agencies switch, the section's totals by year. When
    there are none a note says so and the page stops, or (`stop=False`, a page with parts that are not
    sums) the totals are None."""
    st.title(tr(title))
    same = sum_scope(section, same_key)
    tot = q("section_totals", filters(), section, same)
    if empty_sums_note(tot, section, same):
        if stop:
            st.stop()
        return same, None
    return same, tot


def download_totals(df: pd.DataFrame, name: str, key: str):
    """A section's totals by year (section_totals with a `label` column) as a download: year, metric, value,
    agencies summed, and how many unverified values each sum includes (the † of the chart)."""
    download(df[["year", "key", "label", "value", "agencies", *unverified_column(df)]], name, key,
             labels={"key": tr("metric"), "label": tr("metric"), "unverified": tr("unverified_count")})


def unverified_column(df: pd.DataFrame) -> list[str]:
    """["unverified"] when the sums of `df` include unverified values a download should count, as the
    chart's † marks them; none when only verified values are summed."""
    return ["unverified"] if "unverified" in df and not filters().verified_only else []


def sum_scope(section: str, key: str) -> bool:
    """The same-agencies switch of a page of sums, on unless the link says ?same=0: sum only the agencies
    that report the section in every year in scope, so a line moves because they changed, not because more
    agencies reported; off, every agency reporting each year (the captions say how many)."""
    if key not in st.session_state:
        st.session_state[key] = url_value("same") != "0"
    same = st.toggle(tr("same_agencies_opt"), key=key)
    write_url({"same": None if same else "0"})
    return same


def colon() -> str:
    """The colon after a label: full-width in Chinese, ": " in English (英文页面不用全角冒号)."""
    return "：" if lang() == "zh" else ": "


def unverified_note(n: int) -> str:
    """What an aggregate says of its unverified values: how many it includes, or how many were left out."""
    if not n:
        return ""
    return tr("unverified_left_out" if filters().verified_only else "unverified_in", n=int(n))


def sum_note(section: str, same: bool, shown: pd.DataFrame | None = None) -> None:
    """Under a chart of sums: over how many agencies each year's sum is, and the unverified values of
    what the chart shows (`shown`, its rows with `year` and `unverified`: the count its † marks and its
    download give; the whole section's when not given, or when only verified values are summed and the
    note says how many were left out)."""
    n = q("section_agencies", filters(), section, same)
    per = n if shown is None or "unverified" not in shown or filters().verified_only else \
        shown.groupby("year", as_index=False).unverified.sum()  # (verified only: what was left out, section-wide)
    if len(per) and per.unverified.sum():
        sep = "，" if lang() == "zh" else ", "
        st.caption(sep.join(f"{y}: {unverified_note(u)}" for y, u in zip(per.year, per.unverified) if u))
    flt = filters()
    if len(n) and same and flt.verified_only:  # the same agencies are then those wholly verified: say who left
        every = q("section_agencies", dataclasses.replace(flt, verified_only=False), section, same)
        if (left := int(every.agencies.max()) - int(n.agencies.max()) if len(every) else 0) > 0:
            st.caption(tr("same_verified_left", n=left))
    if len(n):
        have = dict(zip(n.year.astype(int), n.agencies))  # every year of the span: one without an agency is 0
        detail = ("，" if lang() == "zh" else ", ").join(f"{y}: {have.get(y, 0)}" for y in range(min(have), max(have) + 1))
        note = tr("same_agencies_note", n=int(n.agencies.max()))
        st.caption(tr("sum_over", detail=detail) + ((f"（{note}）" if lang() == "zh" else f" ({note})") if same else ""))
        if not same and len(n) > 1 and (kept := len(q("same_agencies", flt, section))) < int(n.agencies.max()):
            st.caption(tr("sets_differ", n=kept))  # off: the years' sums are over different agencies; said


def with_marks(df: pd.DataFrame) -> pd.DataFrame:
    """Bars of sums with `mark`: † on a bar that includes unverified values (`unverified` > 0), as the caption
    under the chart promises, and `unverified_text` saying how many for its hover (none when left out)."""
    n = df.unverified.fillna(0).astype(int) if "unverified" in df and not filters().verified_only else 0 * df.index
    return df.assign(mark=["†" if u else "" for u in n], unverified_text=[unverified_note(u) for u in n])


def empty_note(df) -> bool:
    if df is None or len(df) == 0:
        st.info(tr("no_data"))
        return True
    return False


def empty_sums_note(df, section: str, same: bool) -> bool:
    """A note when a section's sums are empty: with the same-agencies switch on and figures without it, that
    no agency reports in every year in scope (not that there are no figures)."""
    if df is not None and len(df):
        return False
    none_same = same and len(q("section_totals", filters(), section, False))
    st.info(tr("no_same_agencies" if none_same else "no_data"))
    return True


def year_choice(label_key: str, key: str, url_key: str = "year", up_to: int | None = None) -> int | None:
    """A year picker whose choice is kept in the URL (`?year=`), so a copied link shows the same year. It
    starts on the latest year, or the latest up to `up_to` (a figure only some formats state)."""
    years = [y for y in q("options")["years"] if _in_range(y)]
    if not years:
        return None
    first = max((y for y in years if up_to is None or y <= up_to), default=years[-1])
    if key not in st.session_state or st.session_state[key] not in years:
        wanted = url_int(url_key, 1900, 2200)
        if wanted is not None and wanted not in years:
            bad_param(url_key, wanted)
        st.session_state[key] = wanted if wanted in years else first
    year = st.selectbox(tr(label_key), years[::-1], key=key)
    write_url({url_key: str(year) if year != first else None})
    return year


def _in_range(y: int) -> bool:
    f = filters()
    return (f.year_from is None or y >= f.year_from) and (f.year_to is None or y <= f.year_to)


def missing(v) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v))


def show_table(data, **kwargs):
    """st.dataframe with a missing value shown as —: Streamlit writes "None" in a numbers column."""
    return st.dataframe(data, placeholder="—", **kwargs)
