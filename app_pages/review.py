"""复议诉讼 Reconsideration and litigation: results, correction rates pooled as the overview tile pools them,
and each agency's rate against its caseload (small samples marked)."""
import dataclasses

import pandas as pd
import plotly.express as px
import streamlit as st

from app_pages.common import (colon, download, show_table, unverified_column, empty_note, filters, lang, q, section_opening, sum_note, tr,
                              with_gaps, with_marks, year_choice, yearly)
from pipeline.spec import catalog
from pipeline.serve import queries



def _rate_table(r, order: list[str], same_section: str | None) -> None:
    """Each point's rate with what it divides by, on the page (not only when hovered): a row a year (the newest
    in view at any width), a column a rate, each cell its cases and agencies, a small sample said, † where the
    pool holds values not verified; under it, how many agencies' values are unverified or, with verified values
    only, were left out."""
    zh, only = lang() == "zh", filters().verified_only
    cells = []
    for x in r.itertuples():
        mark = " †" if x.unverified and not only else ""
        small = ("，" if zh else ", ") + tr("small_sample") if x.small_sample else ""
        cells.append(f"{x.value:.1%}{mark}（{x.denominator:,.0f} 件，{x.agencies} 个机关{small}）" if zh else
                     f"{x.value:.1%}{mark} ({x.denominator:,.0f} cases, {x.agencies} agencies{small.lower()})")
    table = r.assign(cell=cells).pivot(index="year", columns="measure", values="cell")
    table = table[[m for m in order if m in table.columns]].sort_index(ascending=False).fillna("—")
    table.index = [str(y) for y in table.index]
    table.index.name = tr("year")
    show_table(table, width="stretch")
    sep = "，" if zh else ", "
    if only:  # the agencies each rate left out: the pool without the choice, less the pool with it
        every = pd.concat([q("pooled_series", dataclasses.replace(filters(), verified_only=False), k,
                             same_section).assign(key=k) for k in r.key.unique()])
        gone = every.merge(r[["key", "year", "agencies"]], on=["key", "year"], how="left", suffixes=("", "_kept"))
        gone["n"] = gone.agencies - gone.agencies_kept.fillna(0)
        gone = gone[gone.n > 0].assign(measure=lambda d: d.key.map(dict(zip(r.key, r.measure))))
        if len(gone):
            st.caption(tr("rates_left_out", detail=sep.join(f"{m} {y}: {int(n)}" for m, y, n in zip(gone.measure, gone.year, gone.n))))
    elif r.unverified.sum():
        unv = r[r.unverified > 0]
        st.caption(tr("rates_unverified", detail=sep.join(f"{m} {y}: {int(n)}" for m, y, n in zip(unv.measure, unv.year, unv.unverified))))


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
    _rate_table(r, [x.measure.iloc[0] for x in rates], "review_litigation" if same else None)
    for m in ("review_correction_rate", "litigation_correction_rate", "correction_rate"):
        st.caption(f"**{queries.MEASURES[m].zh if lang() == 'zh' else queries.MEASURES[m].en}**{colon()}{queries.definition(m, lang())}")
    st.caption(tr("pooled_note") + (tr("pooled_same", n=len(q("same_agencies", filters(), "review_litigation")))
                                    if same else ""))
    download(r[["key", "measure", "year", "value", "agencies", "denominator", "small_sample", *unverified_column(r)]],
             "correction-rates", "rv_rates", kinds={"value": "rate"},
             labels={"key": tr("metric_code"), "measure": tr("metric"), "value": tr("pooled_rate"),
                     "unverified": tr("unverified_agencies")})

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
