"""机构对比 Compare: any catalog metric or derived measure for chosen agencies across years, and a
ranking for one year with the peer median. Rates are not ranked under 30 applications."""
import plotly.express as px
import streamlit as st

from app_pages.common import download, empty_note, filters, lang, q, tr
from pipeline import catalog, queries
from pipeline.i18n import section_label

st.title(tr("page_compare"))
sections = ["derived"] + list(catalog.SECTIONS)
c1, c2 = st.columns([1, 3])
section = c1.selectbox(tr("section"), sections, key="cmp_section",
                       format_func=lambda s: tr("derived") if s == "derived" else section_label(s, lang()))
if section == "derived":
    keys = list(queries.MEASURES)
    key = c2.selectbox(tr("metric"), keys, key="cmp_measure",
                       format_func=lambda k: queries.MEASURES[k][0 if lang() == "zh" else 1])
    rate = queries.MEASURES[key][2]
    series = q("measure_series", filters(), key)
    label = queries.MEASURES[key][0 if lang() == "zh" else 1]
else:
    keys = [k for m in catalog.METRICS if m.section == section for k in m.keys()]
    key = c2.selectbox(tr("metric"), keys, key="cmp_metric", format_func=lambda k: catalog.label(k, lang()))
    rate = False
    series = q("metric_series", filters(), key)
    label = catalog.label(key, lang())

if not empty_note(series):
    latest = series[series.year == series.year.max()].sort_values("value", ascending=False)
    all_agencies = sorted(series.agency.unique())
    default = list(latest.agency.head(6))
    chosen = st.multiselect(tr("agencies"), all_agencies, default=default, key="cmp_agencies")
    shown = series[series.agency.isin(chosen)] if chosen else series[series.agency.isin(default)]
    st.subheader(tr("trend"))
    fig = px.line(shown, x="year", y="value", color="agency", markers=True,
                  labels={"year": tr("year"), "value": label, "agency": tr("agency")})
    fig.update_traces(connectgaps=False)  # a missing year is a gap, never a zero
    fig.update_xaxes(dtick=1)
    if rate:
        fig.update_yaxes(tickformat=".0%")
    st.plotly_chart(fig, width="stretch")
    download(shown[["agency", "year", "value"]].rename(columns={"value": key}), f"compare-{key}", "cmp_lines")

    st.subheader(tr("ranking"))
    year = st.selectbox(tr("year"), sorted(series.year.unique(), reverse=True), key="cmp_year")
    ranked, median = queries.ranking(series, year, rate)
    if rate:
        st.caption(tr("rate_note", n=queries.MIN_APPLICATIONS_FOR_RATES))
    if not empty_note(ranked):
        top = ranked.head(30)
        fig = px.bar(top, x="value", y="agency", orientation="h", labels={"value": label, "agency": ""})
        if median is not None:
            fig.add_vline(x=median, line_dash="dash", line_color="#b22222",
                          annotation_text=f"{tr('median')} {median:.1%}" if rate else f"{tr('median')} {median:,.0f}")
        fig.update_layout(height=max(300, 24 * len(top) + 60), yaxis=dict(autorange="reversed"))
        if rate:
            fig.update_xaxes(tickformat=".0%")
        st.plotly_chart(fig, width="stretch")
        download(ranked[["agency", "year", "value"]].rename(columns={"value": key}), f"ranking-{key}-{year}", "cmp_rank")
