"""机构对比 Compare: any catalog metric or derived measure for chosen agencies across years, and a
ranking for one year with the peer median. Rates are not ranked under 30 applications."""
import dataclasses

import plotly.express as px
import streamlit as st

from app_pages.common import download, empty_note, filters, lang, q, tr, with_gaps
from pipeline import catalog, queries
from pipeline.i18n import section_label

st.title(tr("page_compare"))
sections = ["derived"] + list(catalog.SECTIONS)
c1, c2 = st.columns([1, 3])
section = c1.selectbox(tr("section"), sections, key="cmp_section",
                       format_func=lambda s: tr("derived") if s == "derived" else section_label(s, lang()))
flt = filters()
if section == "derived":
    key = c2.selectbox(tr("metric"), list(queries.MEASURES), key="cmp_measure",
                       format_func=lambda k: queries.MEASURES[k][0 if lang() == "zh" else 1])
    rate = queries.MEASURES[key][2]
    label = queries.MEASURES[key][0 if lang() == "zh" else 1]
    years = q("years_with", flt, measure=key)
else:
    keys = [k for m in catalog.METRICS if m.section == section for k in m.keys()]
    key = c2.selectbox(tr("metric"), keys, key="cmp_metric", format_func=lambda k: catalog.label(k, lang()))
    rate = False
    label = catalog.label(key, lang())
    years = q("years_with", flt, key=key)
if not years:
    st.info(tr("no_data"))
    st.stop()


def top(year: int, n: int = 30, ascending: bool = False):
    if section == "derived":
        return q("measure_ranking", flt, key, year, rate, n, ascending=ascending)
    return q("metric_ranking", flt, key, year, n, ascending=ascending)


# agencies to draw: the top ones of the latest year unless the user picks others
leaders, _ = top(years[0], 200)
names = dict(zip(leaders.agency, leaders.agency_id))
chosen = st.multiselect(tr("agencies"), list(names), default=list(leaders.agency.head(6)), key="cmp_agencies")
ids = tuple(names[n] for n in chosen) or tuple(leaders.agency_id.head(6))
sub = dataclasses.replace(flt, agency_ids=ids)
series = q("measure_series", sub, key) if section == "derived" else q("metric_series", sub, key)
st.subheader(tr("trend"))
if not empty_note(series):
    fig = px.line(with_gaps(series, "agency"), x="year", y="value", color="agency", markers=True,
                  labels={"year": tr("year"), "value": label, "agency": tr("agency")})
    fig.update_traces(connectgaps=False)  # a missing year is a gap, never a zero
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat=",~r", separatethousands=True)  # 3,985,758, never 4M
    if rate:
        fig.update_yaxes(tickformat=".0%")
    st.plotly_chart(fig, width="stretch")
    download(series[["agency", "year", "value"]].rename(columns={"value": key}), f"compare-{key}", "cmp_lines")

st.subheader(tr("ranking"))
c1, c2 = st.columns(2)
year = c1.selectbox(tr("year"), years, key="cmp_year")
lowest_first = c2.radio(tr("order"), [False, True], format_func=lambda v: tr("lowest_first" if v else "highest_first"),
                        horizontal=True, key="cmp_order")
ranked, median = top(year, 30, ascending=lowest_first)
if rate:
    st.caption(tr("rate_note", n=queries.MIN_APPLICATIONS_FOR_RATES))
if not empty_note(ranked):
    fig = px.bar(ranked, x="value", y="agency", orientation="h", labels={"value": label, "agency": ""})
    if median is not None:
        fig.add_vline(x=median, line_dash="dash", line_color="#b22222",
                      annotation_text=f"{tr('median')} {median:.1%}" if rate else f"{tr('median')} {median:,.0f}")
    fig.update_layout(height=max(300, 24 * len(ranked) + 60), yaxis=dict(autorange="reversed"))
    if rate:
        fig.update_xaxes(tickformat=".0%")
    st.plotly_chart(fig, width="stretch")
    download(ranked[["agency", "year", "value"]].rename(columns={"value": key}), f"ranking-{key}-{year}", "cmp_rank")
    everyone, _ = top(year, 100_000, ascending=lowest_first)  # every agency, as a sortable table
    st.caption(tr("all_ranked", n=len(everyone)))
    table = everyone[["agency", "value"]].rename(columns={"agency": tr("agency"), "value": label})
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={label: st.column_config.NumberColumn(format="percent" if rate else "localized")})
    download(table, f"ranking-all-{key}-{year}", "cmp_rank_all")
