"""依申请公开 Applications: outcomes over the years and applications by applicant type."""
import pandas as pd
import plotly.express as px
import streamlit as st

from app_pages.common import (download, download_totals, unverified_column, empty_note, full_numbers, lang, section_opening, sum_note, tr,
                              with_marks, yearly)
from app_pages import jumps
from pipeline.spec import catalog
from pipeline.spec.model import split_key

same, tot = section_opening("page_applications", "applications", "app_same")


def outcome(metric: str) -> str | None:
    for prefix, name in (("app.granted", "granted"), ("app.partial", "partial"), ("app.denied.", "refused"),
                         ("app.unavailable.", "unavailable"), ("app.not_processed.", "not_processed"), ("app.other", "other")):
        if metric.startswith(prefix):
            return name
    return None


totals = tot[tot.dim == "total"].copy()
totals["outcome"] = totals.metric.map(outcome)
grouped = with_marks(totals.dropna(subset=["outcome"]).groupby(["year", "outcome"], as_index=False).agg(
    value=("value", "sum"), agencies=("agencies", "max"), unverified=("unverified", "sum")))
grouped["label"] = grouped.outcome.map(lambda o: tr(f"outcome_{o}"))
st.subheader(tr("outcomes"))
ORDER = ("granted", "partial", "refused", "unavailable", "not_processed", "other")
fig = px.bar(grouped, x="year", y="value", color="label", text="mark", hover_data={"mark": False, "unverified_text": True},
             labels={"year": tr("year"), "value": tr("applications_unit"), "label": tr("outcomes"), "unverified_text": ""},
             category_orders={"label": [tr(f"outcome_{o}") for o in ORDER]})
yearly(fig)
st.plotly_chart(fig, width="stretch")
st.caption(tr("app_formats"))
sum_note("applications", same, grouped)
swings: dict[int, set[str]] = {}  # years whose sums hold an agency's unconfirmed tenfold swing in 表三
for (y, _), names in jumps.by_key(set(tot.key)).items():
    swings.setdefault(y, set()).update(names)
for y in sorted(swings):
    st.caption(jumps.note(sorted(swings[y]), y))
download(grouped[["year", "outcome", "label", "value", *unverified_column(grouped)]], "application-outcomes", "app_out",
         labels={"outcome": tr("outcomes"), "label": tr("outcomes"), "unverified": tr("unverified_count")})

refused = totals[totals.metric.str.startswith(("app.denied.", "app.unavailable.", "app.not_processed."))].copy()
if len(refused):
    st.subheader(tr("refusal_reasons"))
    refused["label"] = refused.key.map(lambda k: catalog.label(split_key(k)[0], lang()))
    refused = with_marks(refused)
    fig = px.bar(refused, x="value", y="label", color=refused.year.astype(str), orientation="h", barmode="group",
                 text="mark", hover_data={"mark": False, "unverified_text": True},
                 labels={"value": tr("applications_unit"), "label": "", "color": tr("year"), "unverified_text": ""})
    fig.update_layout(height=520)
    full_numbers(fig, "x")
    st.plotly_chart(fig, width="stretch")
    sum_note("applications", same, refused)
    download_totals(refused, "refusal-reasons", "app_ref")

st.subheader(tr("by_applicant"))
new = tot[(tot.metric == "app.received_new") & (tot.dim != "total")].copy()
if not empty_note(new):
    new["label"] = new.dim.map(lambda d: catalog.DIM_LABELS[d][0 if lang() == "zh" else 1])
    new = with_marks(new)
    fig = px.bar(new, x="year", y="value", color="label", text="mark", hover_data={"mark": False, "unverified_text": True},
                 labels={"year": tr("year"), "value": catalog.label("app.received_new", lang()), "label": "",
                         "unverified_text": ""})
    yearly(fig)
    st.plotly_chart(fig, width="stretch")
    sum_note("applications", same, new)
    download(pd.DataFrame(new[["year", "dim", "label", "value", "agencies", *unverified_column(new)]]),
             "applications-by-applicant", "app_dim",
             labels={"dim": tr("by_applicant"), "label": tr("by_applicant"), "unverified": tr("unverified_count")})
