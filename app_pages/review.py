"""复议诉讼 Reconsideration and litigation: results, correction rates pooled as the overview tile pools them,
and each agency's rate against its caseload (small samples marked)."""
import plotly.express as px
import streamlit as st

from app_pages.common import (colon, download, show_table, unverified_column, empty_note, filters, lang, q, section_opening, sum_note, tr,
                              with_gaps, with_marks, year_choice, yearly)
from pipeline.spec import catalog
from pipeline.serve import queries

same, tot = section_opening("page_review", "review_litigation", "rv_same")
st.subheader(tr("results"))
parts = tot[tot.dim != "total"].copy()
parts["block"] = parts.metric.map(lambda m: catalog.label(m, lang()))
parts["result"] = parts.dim.map(lambda d: catalog.DIM_LABELS[d][0 if lang() == "zh" else 1])
parts = with_marks(parts)
fig = px.bar(parts, x="year", y="value", color="result", facet_col="block", text="mark",
             hover_data={"mark": False, "unverified_text": True},
             labels={"year": tr("year"), "value": tr("value"), "result": tr("results"), "block": "", "unverified_text": ""})
fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
yearly(fig)  # every panel: a tick each year
st.plotly_chart(fig, width="stretch")
sum_note("review_litigation", same, parts)
download(parts[["year", "metric", "dim", "block", "result", "value", "agencies", *unverified_column(parts)]],
         "review-litigation", "rv_parts",
         labels={"metric": tr("metric_code"), "dim": tr("result_code"), "block": tr("metric"), "result": tr("results"),
                 "unverified": tr("unverified_count")})

st.subheader(tr("correction_rates"))
# the tiles' definition: pooled over the agencies in scope (sum of corrected / sum of concluded)
rates = []
for m in ("review_correction_rate", "litigation_correction_rate", "correction_rate"):
    s = q("pooled_series", filters(), m, "review_litigation" if same else None)  # the switch above applies
    if len(s):
        rates.append(s.assign(measure=queries.MEASURES[m].zh if lang() == "zh" else queries.MEASURES[m].en, key=m))
if rates:
    import pandas as pd

    r = pd.concat(rates)
    fig = px.line(with_gaps(r, "measure"), x="year", y="value", color="measure", markers=True,
                  hover_data={"agencies": True, "denominator": True},
                  labels={"year": tr("year"), "value": tr("pooled_rate"), "measure": "", "agencies": tr("agencies"),
                          "denominator": tr("denominator")})
    fig.update_traces(connectgaps=False)
    small = r[r.small_sample.astype(bool)]
    if len(small):  # a pooled rate below the measure's minimum: a hollow point with its denominator
        fig.add_scatter(x=small.year, y=small.value, mode="markers", showlegend=False,
                        marker=dict(symbol="circle-open", size=14, color="#b22222", line=dict(width=2)),
                        text=[f"{m_}: {tr('small_sample_tile', n=f'{d:,.0f}', min=queries.MEASURES[k].min_den)}"
                              for m_, d, k in zip(small.measure, small.denominator, small.key)],
                        hovertemplate="%{x}: %{y:.1%}<br>%{text}<extra></extra>")
        st.caption(tr("trend_small", m=tr("pooled_rate"), n=queries.MEASURES["correction_rate"].min_den))
    yearly(fig)  # the years in scope and no more
    fig.update_yaxes(tickformat=".1%", rangemode="tozero")  # a rate from 0: its size is not exaggerated
    st.plotly_chart(fig, width="stretch")
    # each point's rate with what it divides by, on the page (not only when hovered): cases concluded, agencies
    cell = [f"{v:.1%}（{d:,.0f} 件，{a} 个机关）" if lang() == "zh" else f"{v:.1%} ({d:,.0f} cases, {a} agencies)"
            for v, d, a in zip(r.value, r.denominator, r.agencies)]
    table = r.assign(cell=cell).pivot(index="measure", columns="year", values="cell").fillna("—")
    table.columns = [str(c) for c in table.columns]
    table.index.name = tr("metric")
    show_table(table, width="stretch")
    for m in ("review_correction_rate", "litigation_correction_rate", "correction_rate"):
        st.caption(f"**{queries.MEASURES[m].zh if lang() == 'zh' else queries.MEASURES[m].en}**{colon()}{queries.definition(m, lang())}")
    st.caption(tr("pooled_note") + (tr("pooled_same", n=len(q("same_agencies", filters(), "review_litigation")))
                                    if same else ""))
    download(r[["key", "measure", "year", "value", "agencies", "denominator", "small_sample"]], "correction-rates",
             "rv_rates", kinds={"value": "rate"}, labels={"key": tr("metric_code"), "measure": tr("metric"),
                                                          "value": tr("pooled_rate")})

st.subheader(tr("apps_vs_correction"))
year = year_choice("year", "rv_year")
if year is not None:
    pts = q("ranking", filters(), year, measure="review_correction_rate")
    if not empty_note(pts):
        words = {True: tr("small_sample"), False: tr("enough_cases")}  # looked up once, not once per agency
        pts = pts.assign(sample=[words[bool(v)] for v in pts.small_sample.tolist()])
        name = queries.MEASURES["review_correction_rate"].zh if lang() == "zh" else queries.MEASURES["review_correction_rate"].en
        fig = px.scatter(pts, x="denominator", y="value", hover_name="agency", color="sample",
                         labels={"denominator": tr("concluded_reviews"), "sample": "", "value": name})
        fig.update_yaxes(tickformat=".1%", rangemode="tozero")
        st.plotly_chart(fig, width="stretch")
        download(pts[["agency", "agency_id", "year", "denominator", "value", "small_sample"]].rename(
            columns={"value": "review_correction_rate"}), f"concluded-vs-correction-{year}", "rv_scatter",
            labels={"denominator": tr("concluded_reviews")})
