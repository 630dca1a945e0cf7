"""总览 Overview: tiles for a year with the change against the year before, and who published."""
import plotly.graph_objects as go
import streamlit as st

from pipeline.queries import COVERAGE_STATES, MEASURES, definition
from app_pages.common import download, empty_note, filters, fmt_number, lang, missing, q, tr, year_choice

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

st.subheader(tr("coverage"))
cov = q("coverage", filters())
if not empty_note(cov):
    PAGE = 100
    agencies = list(dict.fromkeys(cov.agency))  # grouped by region and level, as the query orders them
    pages = (len(agencies) + PAGE - 1) // PAGE
    if pages > 1:
        page = st.number_input(tr("page_n", total=pages), 1, pages, 1, key="ov_page")
        st.caption(tr("showing_range", a=(page - 1) * PAGE + 1, b=min(page * PAGE, len(agencies)), total=len(agencies)))
        cov = cov[cov.agency.isin(agencies[(page - 1) * PAGE: page * PAGE])]
    states = COVERAGE_STATES
    colors = {"on_time": "#2e7d32", "loaded": "#81c784", "late": "#f9a825", "incomplete": "#ce93d8", "failing_checks": "#e53935",
              "not_published": "#6d4c41", "not_collected": "#e0e0e0", "older_format": "#90a4ae"}
    codes = {s: i for i, s in enumerate(states)}
    order = list(dict.fromkeys(cov.agency))
    grid = cov.pivot(index="agency", columns="year", values="state").reindex(order)
    z = grid.apply(lambda c: c.map(codes)).values
    text = grid.apply(lambda c: c.map(lambda s: tr(f"status_{s}") if isinstance(s, str) else "")).values
    n = len(states)
    scale = []
    for i, s in enumerate(states):
        scale += [[i / n, colors[s]], [(i + 1) / n, colors[s]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(c) for c in grid.columns], y=list(grid.index), text=text, hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        colorscale=scale, zmin=-0.5, zmax=n - 0.5, showscale=False, xgap=2, ygap=2))
    fig.update_layout(height=max(300, 22 * len(grid) + 80), margin=dict(l=10, r=10, t=10, b=10),
                      yaxis=dict(autorange="reversed"), xaxis=dict(type="category"))
    st.plotly_chart(fig, width="stretch")
    present = [s for s in states if s in set(cov.state)]
    st.markdown(" ".join(f"<span style='background:{colors[s]};padding:1px 6px;border-radius:3px;"
                         f"color:{'#fff' if s in ('on_time', 'failing_checks', 'not_published') else '#000'}'>"
                         f"{tr('status_' + s)}</span>" for s in present), unsafe_allow_html=True)
    st.caption(tr("coverage_rule"))
    out = cov[["agency", "year", "state", "published_on", "deadline", "errors", "warnings"]].copy()
    out.insert(3, "state_label", cov.state.map(lambda s: tr(f"status_{s}")))
    download(out, "coverage", "ov_cov")
