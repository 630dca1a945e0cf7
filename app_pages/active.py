"""主动公开与采购 Proactive disclosure (table 二) and centralised procurement (the 2019 format only: the
format used from 2021 has no procurement row). Sums say over how many agencies each year."""
import re

import plotly.express as px
import streamlit as st

from app_pages.common import (download, download_totals, filters, full_numbers, lang, q, section_opening, sum_note, tr, unverified_note, with_gaps, year_choice, yearly)
from pipeline.spec import catalog

PROCUREMENT = "active.procurement:amount_wan_yuan"
ALL_BARS, TOP_BARS = 60, 30  # every agency's bar up to 60 agencies; past that the 30 largest, said so
_DOC_DIMS = {"made", "published", "total_public", "repealed", "in_force"}  # 规章 and 规范性文件's columns


def _in_unit(amount: float, unit: str, places: int | None = None) -> str:
    """An amount in the axis's unit: with `places` decimals (the chart's, so that its labels line up), or
    as few as it needs; a small one (under 1) with the decimals that keep it from reading 0."""
    if amount != amount:  # NaN: not printed
        return "—"
    if places is not None and (abs(amount) >= 1 or amount == 0):
        return f"{amount:,.{places}f}" + (unit if lang() == "zh" else " " + unit)
    places = 2 if abs(amount) >= 1 or amount == 0 else 4
    text = f"{amount:,.{places}f}".rstrip("0").rstrip(".")
    return text + (unit if lang() == "zh" else " " + unit)


def _places(amounts) -> int:
    """The decimals the chart's amounts of 1 and over need (at most 2): 12.50 beside 3.25, not 12.5."""
    need = [len(f"{a:.2f}".rstrip("0").split(".")[1]) if "." in f"{a:.2f}".rstrip("0") else 0
            for a in amounts if a == a and abs(a) >= 1]
    return max(need, default=0)

same, tot = section_opening("page_active", "active", "act_same", stop=False)
if tot is not None:  # (no sums of the same agencies: the per-agency procurement below still shows)
    tot = tot.assign(label=tot.key.map(lambda k: catalog.label(k, lang())))
    counts = tot[~tot.key.str.endswith("amount_wan_yuan") & ~tot.key.str.endswith("items_change")]
    # one chart per kind of count, each on its own axis (documents in tens, decisions in thousands: twenty
    # lines on one axis were unreadable)
    kind = counts.key.str.split(":").str[1].map(lambda d: "docs" if d in _DOC_DIMS else
                                                 "decisions" if d == "decisions" else "items")
    kinds = [k for k in ("docs", "decisions", "items") if (kind == k).any()]
    for tab, k in zip(st.tabs([tr(f"act_group_{k}") for k in kinds]), kinds):
        part = counts[kind == k]
        n_lines = part.label.nunique()  # more than 10 lines: a palette with a colour for each
        fig = px.line(with_gaps(part, "label"), x="year", y="value", color="label", markers=True,
                      color_discrete_sequence=px.colors.qualitative.Plotly if n_lines <= 10 else px.colors.qualitative.Alphabet,
                      labels={"year": tr("year"), "value": tr(f"act_group_{k}"), "label": tr("metric")})
        fig.update_traces(connectgaps=False)
        fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.2))  # the labels are long
        yearly(fig)
        tab.plotly_chart(fig, width="stretch")
    st.caption(tr("act_formats"))
    sum_note("active", same, counts)
    download_totals(tot, "proactive-disclosure", "act_tot")

st.subheader(tr("procurement"))
st.caption(tr("procurement_format"))
year = year_choice("year", "act_year", up_to=catalog.LAST_2019_FORMAT_YEAR)
per = q("agency_section", filters(), "active", year)
proc = per[per.key == PROCUREMENT] if len(per) else per
if year is not None and (proc is None or len(proc) == 0):
    st.info(tr("procurement_2019_only", year=year))
elif year is not None:
    every = len(proc)
    proc = proc.sort_values("value", ascending=False)
    if every > ALL_BARS:  # a province's hundreds of agencies: the largest, said so; all of them in the download
        st.caption(tr("procurement_top", n=TOP_BARS, total=every))
    chart = proc.head(TOP_BARS if every > ALL_BARS else every)
    top = chart.value.abs().max()  # the axis in 亿元 from 10,000 万元, in 元 under 1 万元, else in 万元
    if lang() == "zh":
        scale, unit = (1e-4, "亿元") if top >= 1e4 else (1.0, "万元") if top >= 1 else (1e4, "元")
    else:  # in English, yuan in billions or millions as the overview tile writes them (not "1.08 100M yuan")
        scale, unit = (1e-5, "billion yuan") if top >= 1e5 else (1e-2, "million yuan") if top >= 100 else (1e4, "yuan")
    amounts = chart.value * scale
    # each bar's label in the axis's unit (0.905万元 beside an axis in 万元, not 9,050元), the small ones
    # with the decimals that keep them from reading 0
    shown = chart.assign(amount=amounts,
                         text=[_in_unit(a, unit, _places(amounts)) + ("" if ok else " †") for a, ok in zip(amounts, chart.verified)],
                         agency=[a + ("" if ok else " †") for a, ok in zip(chart.agency, chart.verified)])
    fig = px.bar(shown, x="amount", y="agency", orientation="h", text="text",
                 labels={"amount": f"{re.sub(r'[（(][^（()）]*[)）]$', '', catalog.label(PROCUREMENT, lang())).strip()}"
                                   + (f"（{unit}）" if lang() == "zh" else f" ({unit})"),
                         "agency": ""})
    fig.update_layout(height=max(300, 24 * len(chart) + 60), yaxis=dict(autorange="reversed"))
    full_numbers(fig, "x")
    st.plotly_chart(fig, width="stretch")
    st.caption(tr("procurement_note" if scale != 1e4 else "procurement_note_yuan", unit=unit)
               + ("" if chart.verified.all() else
                  " " + tr("unverified_mark") + " " + unverified_note(int((~chart.verified).sum()))))
    download(proc[["agency", "year", "value", "verified"]].rename(columns={"value": "procurement_wan_yuan"}),
             f"procurement-{year}", "act_proc")
