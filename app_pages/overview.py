"""总览 Overview: tiles for a year with the change against the year before, and who published."""
import plotly.graph_objects as go
import streamlit as st

from pipeline.serve.queries import COVERAGE_STATES, MEASURES, definition
from app_pages import writing
from app_pages.common import clicked, url_value, write_url, download, empty_note, filters, fmt_number, lang, missing, q, tr, year_choice

st.title(tr("page_overview"))
year = year_choice("year", "ov_year")
if year is None:
    st.info(tr("no_data"))
    st.stop()

tiles = q("tiles", filters(), year)
cols = st.columns(len(tiles))
for col, row in zip(cols, tiles.itertuples()):
    rate = row.tile.endswith("rate")
    delta, help_text = None, None
    if not missing(row.change):
        delta = f"{row.change * 100:+.1f} pp" if rate else ("+" if row.change >= 0 else "-") + fmt_number(abs(row.change), compact=True)
    if row.tile != "agencies":
        help_text = tr("tile_help", n=row.agencies, same=int(row.same_agencies or 0), prev=year - 1,
                       a=fmt_number(row.previous, rate), b=fmt_number(row.current_same, rate))
        if row.tile in MEASURES:
            help_text = f"{definition(row.tile, lang())}。\n\n{help_text}" if lang() == "zh" else \
                f"{definition(row.tile, lang())}.\n\n{help_text}"
    col.metric(row.zh if lang() == "zh" else row.en, fmt_number(row.value, rate, compact=True), delta,
               delta_color="inverse" if row.tile == "correction_rate" else "normal", help=help_text)
    if row.tile != "agencies":
        col.caption(tr("n_agencies", n=row.agencies) + (
            " · " + tr("change_same", n=int(row.same_agencies)) if not missing(row.change) else ""))
shown = tiles.assign(label=tiles.zh if lang() == "zh" else tiles.en)[
    ["label", "value", "agencies", "previous", "current_same", "same_agencies", "change"]]
download(shown, f"overview-{year}", "ov_tiles")
writing.brief_downloads(year, "ov")

st.subheader(tr("coverage"))
cov = q("coverage", filters())
if not empty_note(cov):
    PAGE = 100
    agencies = list(dict.fromkeys(cov.agency))  # grouped by region and level, as the query orders them
    pages = (len(agencies) + PAGE - 1) // PAGE
    if pages > 1:
        if "ov_page" not in st.session_state:
            raw = url_value("page", "1")
            st.session_state.ov_page = min(max(int(raw), 1), pages) if raw.isascii() and raw.isdigit() else 1
        page = st.number_input(tr("page_n", total=pages), 1, pages, key="ov_page")
        write_url({"page": str(page) if page > 1 else None})
        st.caption(tr("showing_range", a=(page - 1) * PAGE + 1, b=min(page * PAGE, len(agencies)), total=len(agencies)))
        cov = cov[cov.agency.isin(agencies[(page - 1) * PAGE: page * PAGE])]
    states = COVERAGE_STATES
    colors = {"on_time": "#2e7d32", "loaded": "#81c784", "late": "#f9a825", "incomplete": "#ce93d8", "failing_checks": "#e53935",
              "not_published": "#6d4c41", "not_collected": "#e0e0e0", "older_format": "#90a4ae"}
    order = list(dict.fromkeys(cov.agency))
    years_shown = sorted(cov.year.unique())
    # one square per agency and year (a scatter, so a click selects it); what a click opens: the report
    # when there is one, else the agency's profile
    cells = cov.assign(target=[f"report:{r}" if isinstance(r, str) else f"agency:{a}"
                               for r, a in zip(cov.report_id, cov.agency_id)],
                       label=cov.state.map(lambda s: tr(f"status_{s}")), x=cov.year.astype(str))
    fig = go.Figure()
    for state in states:
        part = cells[cells.state == state]
        if len(part):
            fig.add_trace(go.Scatter(
                x=part.x, y=part.agency, mode="markers", name=tr(f"status_{state}"), customdata=part.target,
                text=part.label, hovertemplate="%{y} %{x}: %{text}<extra></extra>",
                marker=dict(symbol="square", size=16, color=colors[state], line=dict(width=0))))
    fig.update_layout(height=max(300, 22 * len(order) + 110), margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", y=1.0, yanchor="bottom"), plot_bgcolor="#ffffff",
                      yaxis=dict(autorange="reversed", categoryorder="array", categoryarray=order),
                      xaxis=dict(type="category", categoryorder="array", categoryarray=[str(y) for y in years_shown]))
    st.caption(tr("click_cell"))
    event = st.plotly_chart(fig, width="stretch", on_select="rerun", selection_mode="points", key="ov_cov_chart")
    kind, _, value = str(clicked(event) or "").partition(":")
    if kind == "report":
        st.switch_page("app_pages/report.py", query_params={"report": value})
    elif kind == "agency":
        st.switch_page("app_pages/profile.py", query_params={"agency": value})
    st.caption(tr("coverage_rule"))
    out = cov[["agency", "year", "state", "published_on", "deadline", "errors", "warnings"]].copy()
    out.insert(3, "state_label", cov.state.map(lambda s: tr(f"status_{s}")))
    download(out, "coverage", "ov_cov")
