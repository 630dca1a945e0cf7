"""nianbao dashboard: the router. Draws what every page shares (filters, language, data as of),
keeps the filters in the URL so a copied link reproduces the view, and runs the chosen page.

    streamlit run dashboard.py                      # data/warehouse.duckdb
    streamlit run dashboard.py -- --db other.duckdb # or NIANBAO_DB=other.duckdb
"""
from __future__ import annotations

import runpy
from pathlib import Path

import duckdb
import streamlit as st

from app_pages import common
from pipeline.serve import queries
from pipeline.serve.i18n import level_label, sector_label, t
from pipeline.warehouse.version import SCHEMA_VERSION

# the icon is a local file: a :material/…: page icon is fetched from an outside font host (fails on an intranet)
# no menu items: with client.toolbarMode = "minimal" (.streamlit/config.toml) Streamlit's English menu is gone
st.set_page_config(page_title="nianbao 政府信息公开年报", page_icon=str(common.ROOT / "app_pages" / "icon.png"), layout="wide",
                   menu_items={"Get help": None, "Report a bug": None, "About": None})
# Streamlit's own English texts a Chinese page must not show (a table's toolbar: Download as CSV, Search,
# Fullscreen; every table here has its own download buttons), and a print style: no sidebar, no header,
# charts and tables fitting an A4 page
st.html("""<style>
[data-testid="stElementToolbar"] {display: none !important;}
@media print {
  @page {size: A4; margin: 12mm;}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header, [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"] {display: none !important;}
  [data-testid="stMain"], [data-testid="stMainBlockContainer"], .block-container {margin: 0 !important;
      padding: 0 !important; max-width: 100% !important; width: 100% !important;}
  .stPlotlyChart, .js-plotly-plot, .plot-container, [data-testid="stDataFrame"] {max-width: 100% !important;
      break-inside: avoid; page-break-inside: avoid;}
  .js-plotly-plot .main-svg {max-width: 100% !important; height: auto !important;}
}
</style>""")

qp = st.query_params


def _list(key: str) -> list[str]:
    v = qp.get_all(key)
    return [x for x in v if x]


# --- language --------------------------------------------------------------------------------
lang_options = {"中文": "zh", "English": "en"}
lang_default = "English" if qp.get("lang") == "en" else "中文"
def _lang_changed():
    st.session_state["lang_reload"] = True


choice = st.sidebar.radio(t("language", "zh"), list(lang_options), index=list(lang_options).index(lang_default),
                          horizontal=True, key="lang_choice", on_change=_lang_changed)
st.session_state["lang"] = lang_options[choice]
lang = st.session_state["lang"]



def _unreadable(err: Exception):
    """A warehouse that cannot be read (truncated, corrupt, half-copied): a message, never a trace."""
    st.title(t("app_title", lang))
    st.error(t("bad_warehouse", lang))
    st.code(".venv/bin/nianbao refresh --rebuild", language="sh")
    st.caption(type(err).__name__)
    st.stop()


def _year_param(key: str, default: int) -> int:
    """A year from the URL; anything else (², ①, words, thousands of digits) gives a plain-text message
    and the default, never a trace."""
    v = common.url_int(key, 1900, 2200)
    return default if v is None else v


def _shared():
    """Everything the router reads from the warehouse, in one guarded call."""
    con = common.connection()
    if con is None:
        st.title(t("app_title", lang))
        st.warning(t("no_warehouse", lang))
        st.code(".venv/bin/nianbao refresh --inbox data/inbox --db data/warehouse.duckdb", language="sh")
        st.stop()
    try:
        stored = con.execute("select value from meta where key = 'schema_version'").fetchall()
    finally:
        con.close()
    if not stored or stored[0][0] != SCHEMA_VERSION:  # written by an older nianbao: its tables have another shape
        st.title(t("app_title", lang))
        st.warning(t("old_warehouse", lang))
        st.code(".venv/bin/nianbao refresh", language="sh")
        st.stop()
    return common.q("options"), common.q("data_as_of")


try:
    opts, asof = _shared()
except duckdb.Error as e:
    _unreadable(e)
years = opts["years"] or [2019]
y0 = _year_param("y0", years[0])
y1 = _year_param("y1", years[-1])
y0, y1 = max(min(y0, years[-1]), years[0]), min(max(y1, years[0]), years[-1])

sb = st.sidebar
sb.header(t("filters", lang))
if len(years) > 1:
    y0, y1 = sb.select_slider(t("years", lang), options=years, value=(y0, y1), key="f_years")
provinces = sb.multiselect(t("province", lang), opts["provinces"], default=[p for p in _list("prov") if p in opts["provinces"]],
                           key="f_prov", placeholder=t("choose", lang), select_all=False)
city_choices = opts["cities"]
if provinces:
    try:
        city_choices = sorted({c for c in common.q("agencies", queries.Filters(provinces=tuple(provinces))).city.dropna()})
    except duckdb.Error as e:
        _unreadable(e)
cities = sb.multiselect(t("city", lang), city_choices, default=[c for c in _list("city") if c in city_choices], key="f_city", placeholder=t("choose", lang), select_all=False)
levels = sb.multiselect(t("level", lang), opts["levels"], default=[x for x in _list("level") if x in opts["levels"]],
                        format_func=lambda x: level_label(x, lang), key="f_level", placeholder=t("choose", lang), select_all=False)
sectors = sb.multiselect(t("sector", lang), opts["sectors"], default=[x for x in _list("sector") if x in opts["sectors"]],
                         format_func=lambda x: sector_label(x, lang), key="f_sector", placeholder=t("choose", lang), select_all=False)
search = sb.text_input(t("search", lang), value=qp.get("q", ""), key="f_search")
if "f_verified" not in st.session_state:
    st.session_state.f_verified = qp.get("verified") == "1"
verified_only = sb.toggle(t("verified_only", lang), key="f_verified", help=t("verified_help", lang))

st.session_state["filters"] = queries.Filters(y0, y1, tuple(provinces), tuple(cities), tuple(levels), tuple(sectors),
                                              search.strip(), verified_only=verified_only)
wanted = {"lang": "en" if lang == "en" else None, "y0": str(y0) if y0 != years[0] else None,
          "y1": str(y1) if y1 != years[-1] else None, "prov": provinces or None, "city": cities or None,
          "level": levels or None, "sector": sectors or None, "q": search.strip() or None,
          "verified": "1" if verified_only else None}
for k, v in wanted.items():
    current = qp.get_all(k)
    if v is None:
        if current:
            del qp[k]
    elif (v if isinstance(v, list) else [v]) != current:
        qp[k] = v
if st.session_state.pop("lang_reload", False):
    # the browser keeps a chosen option's words in the language it was chosen in (派生指标 on an English page):
    # the page is loaded afresh from its link, which holds every choice and now the language
    st.iframe("<script>window.parent.location.reload()</script>", height=1)  # our own constant HTML only

if asof:
    local = asof["local"]
    sb.caption(f"{t('data_as_of', lang)}{common.colon()}{local:%Y-%m-%d %H:%M} (UTC+8) · {asof['reports']} {t('reports', lang)}")
    if asof.get("demo"):
        sb.warning(t("demo", lang), icon=":material/science:")

# --- pages -------------------------------------------------------------------------------------
PAGES = [
    ("app_pages/overview.py", "page_overview", ":material/dashboard:", True),
    ("app_pages/compare.py", "page_compare", ":material/compare_arrows:", False),
    ("app_pages/profile.py", "page_profile", ":material/account_balance:", False),
    ("app_pages/web_media.py", "page_web", ":material/public:", False),
    ("app_pages/applications.py", "page_applications", ":material/mail:", False),
    ("app_pages/review.py", "page_review", ":material/gavel:", False),
    ("app_pages/active.py", "page_active", ":material/campaign:", False),
    ("app_pages/quality.py", "page_quality", ":material/fact_check:", False),
    ("app_pages/report.py", "page_report", ":material/description:", False),
]


def _overview_by_name():
    """/overview (the name every other page's path suggests) and /home show the overview too, hidden from
    the menu, rather than Streamlit's English "Page not found": Streamlit serves the default page at / only,
    while its own path stays reserved; the page's file stays the one page of those paths."""
    runpy.run_path(str(Path(__file__).parent / PAGES[0][0]))


nav = st.navigation([st.Page(path, title=t(key, lang), icon=icon, default=default,
                             url_path="main" if default else path.split("/")[-1].removesuffix(".py"))
                     for path, key, icon, default in PAGES]
                    + [st.Page(_overview_by_name, title=t(PAGES[0][1], lang), url_path=alias, visibility="hidden")
                       for alias in ("overview", "home")])
if asof and asof.get("demo"):
    st.info(t("demo_banner", lang), icon=":material/science:")
try:
    nav.run()
except duckdb.Error as e:  # the file was replaced by an unreadable one while the page ran
    _unreadable(e)
