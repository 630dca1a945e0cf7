"""复议诉讼 Reconsideration and litigation: results, correction rates, applications against correction rate."""
import plotly.express as px
import streamlit as st

from app_pages.common import download, empty_note, filters, lang, q, tr, with_gaps, year_choice
from pipeline import catalog, queries

st.title(tr("page_review"))
tot = q("section_totals", filters(), "review_litigation")
if empty_note(tot):
    st.stop()
st.subheader(tr("results"))
parts = tot[tot.dim != "total"].copy()
parts["block"] = parts.metric.map(lambda m: catalog.label(m, lang()))
parts["result"] = parts.dim.map(lambda d: catalog.DIM_LABELS[d][0 if lang() == "zh" else 1])
fig = px.bar(parts, x="year", y="value", color="result", facet_col="block",
             labels={"year": tr("year"), "value": tr("value"), "result": tr("results"), "block": ""})
fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
st.plotly_chart(fig, width="stretch")
download(parts[["year", "metric", "dim", "block", "result", "value"]], "review-litigation", "rv_parts")

st.subheader(tr("correction_rates"))
rates = []
for m in ("review_correction_rate", "litigation_correction_rate"):
    s = q("measure_series", filters(), m)
    if len(s):
        rates.append(s.assign(measure=queries.MEASURES[m][0 if lang() == "zh" else 1]))
if rates:
    import pandas as pd

    r = pd.concat(rates)
    med = r.groupby(["year", "measure"], as_index=False).value.median()
    fig = px.line(with_gaps(med, "measure"), x="year", y="value", color="measure", markers=True,
                  labels={"year": tr("year"), "value": tr("median"), "measure": ""})
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(dtick=1)
    st.plotly_chart(fig, width="stretch")
    download(med, "correction-rates-median", "rv_rates")

st.subheader(tr("apps_vs_correction"))
year = year_choice("year", "rv_year")
m = q("measure_series", filters(), "review_correction_rate")
if year is not None and not empty_note(m[m.year == year] if len(m) else m):
    pts = m[m.year == year]
    fig = px.scatter(pts, x="applications", y="value", hover_name="agency",
                     labels={"applications": queries.MEASURES["applications"][0 if lang() == "zh" else 1],
                             "value": queries.MEASURES["review_correction_rate"][0 if lang() == "zh" else 1]})
    fig.update_yaxes(tickformat=".0%")
    st.plotly_chart(fig, width="stretch")
    download(pts[["agency", "year", "applications", "value"]].rename(columns={"value": "review_correction_rate"}),
             f"applications-vs-correction-{year}", "rv_scatter")
