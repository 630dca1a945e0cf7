"""主动公开与采购 Proactive disclosure (table 二) and centralised procurement."""
import plotly.express as px
import streamlit as st

from app_pages.common import download, empty_note, filters, lang, q, tr, with_gaps, year_choice
from pipeline.spec import catalog

st.title(tr("page_active"))
tot = q("section_totals", filters(), "active")
if empty_note(tot):
    st.stop()
tot = tot.assign(label=tot.key.map(lambda k: catalog.label(k, lang())))
counts = tot[~tot.key.str.endswith("amount_wan_yuan") & ~tot.key.str.endswith("items_change")]
fig = px.line(with_gaps(counts, "label"), x="year", y="value", color="label", markers=True,
              labels={"year": tr("year"), "value": tr("value"), "label": tr("metric")})
fig.update_traces(connectgaps=False)
fig.update_xaxes(dtick=1)
fig.update_yaxes(tickformat=",~r", separatethousands=True)  # 3,985,758, never 4M
st.plotly_chart(fig, width="stretch")
download(tot[["year", "key", "label", "value", "agencies"]], "proactive-disclosure", "act_tot")

st.subheader(tr("procurement"))
year = year_choice("year", "act_year")
per = q("agency_section", filters(), "active", year)
proc = per[per.key == "active.procurement:amount_wan_yuan"] if len(per) else per
if year is not None and not empty_note(proc):
    proc = proc.sort_values("value", ascending=False).head(30)
    fig = px.bar(proc, x="value", y="agency", orientation="h",
                 labels={"value": catalog.label("active.procurement:amount_wan_yuan", lang()), "agency": ""})
    fig.update_layout(height=max(300, 24 * len(proc) + 60), yaxis=dict(autorange="reversed"))
    fig.update_xaxes(tickformat=",~r", separatethousands=True)
    st.plotly_chart(fig, width="stretch")
    download(proc[["agency", "year", "value"]].rename(columns={"value": "active.procurement:amount_wan_yuan"}),
             f"procurement-{year}", "act_proc")
