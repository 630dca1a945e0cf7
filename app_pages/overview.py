"""总览 Overview: tiles for a year with the change against the year before, and who published."""
import plotly.graph_objects as go
import streamlit as st

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
    delta = None
    if not missing(row.change):
        delta = f"{row.change * 100:+.1f} pp" if rate else ("+" if row.change >= 0 else "-") + fmt_number(abs(row.change), compact=True)
    col.metric(row.zh if lang() == "zh" else row.en, fmt_number(row.value, rate, compact=True), delta,
               delta_color="inverse" if row.tile == "correction_rate" else "normal")
shown = tiles.assign(label=tiles.zh if lang() == "zh" else tiles.en)[["label", "value", "previous", "change"]]
download(shown, f"overview-{year}", "ov_tiles")

st.subheader(tr("coverage"))
cov = q("coverage", filters())
if not empty_note(cov):
    LIMIT = 150
    agencies = sorted(cov.agency.unique())
    if len(agencies) > LIMIT:
        st.caption(tr("showing_first", n=LIMIT, total=len(agencies)))
        cov = cov[cov.agency.isin(agencies[:LIMIT])]
    codes = {"loaded": 0, "failing_checks": 1, "missing": 2}
    grid = cov.pivot(index="agency", columns="year", values="status")
    z = grid.apply(lambda c: c.map(codes)).values
    text = grid.apply(lambda c: c.map(lambda s: tr(f"status_{s}") if isinstance(s, str) else "")).values
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(c) for c in grid.columns], y=list(grid.index), text=text, hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        colorscale=[[0, "#2e7d32"], [0.33, "#2e7d32"], [0.34, "#e53935"], [0.66, "#e53935"], [0.67, "#bdbdbd"], [1, "#bdbdbd"]],
        zmin=0, zmax=2, showscale=False, xgap=2, ygap=2))
    fig.update_layout(height=max(300, 22 * len(grid) + 80), margin=dict(l=10, r=10, t=10, b=10),
                      yaxis=dict(autorange="reversed"), xaxis=dict(type="category"))
    st.plotly_chart(fig, width="stretch")
    st.caption(" · ".join(f":{c}-background[{tr('status_' + s)}]" for s, c in
                          (("loaded", "green"), ("failing_checks", "red"), ("missing", "gray"))))
    out = cov[["agency", "year", "status", "errors", "warnings"]]
    download(out, "coverage", "ov_cov")
