"""机构对比 Compare: any catalog metric or derived measure for chosen agencies across years, and a
ranking of every agency for one year (previous year, change, peer median, small samples marked).
Metric, agencies, year and order live in the URL, so a copied link reproduces the view; a bar or a
row opens the agency's profile."""
import dataclasses

import plotly.express as px
import streamlit as st

from app_pages.common import (clicked, download, empty_note, filters, fmt_number, lang, q, tr, url_list, url_value,
                              with_gaps, write_url)
from pipeline.spec import catalog
from pipeline.serve import queries
from pipeline.serve.i18n import level_label, section_label

st.title(tr("page_compare"))
flt = filters()
sections = ["derived"] + list(catalog.SECTIONS)
keys_of = {s: [k for m in catalog.METRICS if m.section == s for k in m.keys()] for s in catalog.SECTIONS}

# -- the metric: ?metric=grant_rate (a derived measure) or ?metric=app.total:total (a catalog key) --------
if "cmp_section" not in st.session_state:
    wanted = url_value("metric", "applications")
    if wanted in queries.MEASURES:
        st.session_state.cmp_section, st.session_state.cmp_measure = "derived", wanted
    else:
        sec = next((s for s, ks in keys_of.items() if wanted in ks), None)
        if sec is None:
            st.warning(tr("bad_param", name="metric", value=str(wanted)[:40]))
            st.session_state.cmp_section, st.session_state.cmp_measure = "derived", "applications"
        else:
            st.session_state.cmp_section, st.session_state[f"cmp_metric_{sec}"] = sec, wanted
c1, c2 = st.columns([1, 3])
section = c1.selectbox(tr("section"), sections, key="cmp_section",
                       format_func=lambda s: tr("derived") if s == "derived" else section_label(s, lang()))
if section == "derived":
    key = c2.selectbox(tr("metric"), list(queries.MEASURES), key="cmp_measure",
                       format_func=lambda k: queries.MEASURES[k][0 if lang() == "zh" else 1])
    measure = queries.MEASURES[key]
    rate, label = measure.rate, measure[0 if lang() == "zh" else 1]
    st.caption(f"**{tr('definition')}**：{queries.definition(key, lang())}")
    years = q("years_with", flt, measure=key)
    rank_args = {"measure": key}
else:
    key = c2.selectbox(tr("metric"), keys_of[section], key=f"cmp_metric_{section}",
                       format_func=lambda k: catalog.label(k, lang()))
    rate, label = False, catalog.label(key, lang())
    years = q("years_with", flt, key=key)
    rank_args = {"key": key}
if not years:
    write_url({"metric": key})
    st.info(tr("no_data"))
    st.stop()

# -- the agencies: any agency in scope, by name or by group; ?agencies=id&agencies=id (or =none) --------
everyone = q("agencies", flt)
names = dict(zip(everyone.agency_id, everyone.name))
latest = q("ranking", flt, years[0], **rank_args)
if "cmp_agencies" not in st.session_state:
    from_url = url_list("agencies")
    if from_url == ["none"]:
        st.session_state.cmp_agencies = []
    elif from_url:
        st.session_state.cmp_agencies = [a for a in from_url if a in names]
        if len(st.session_state.cmp_agencies) < len(from_url):
            st.warning(tr("unknown_agencies", n=len(from_url) - len(st.session_state.cmp_agencies)))
    else:
        st.session_state.cmp_agencies = list(latest.agency_id.head(6))


def _add_group():
    g = st.session_state.get("cmp_group")
    if not g:
        return
    kind, _, value = g.partition(":")
    if kind == "level":
        ids = everyone[everyone.level == value].agency_id
    else:
        ids = everyone[everyone.parent_id == value].agency_id
    st.session_state.cmp_agencies = list(dict.fromkeys(list(st.session_state.cmp_agencies) + list(ids)))
    st.session_state.cmp_group = ""


groups = {"": tr("group_none")}
for lvl in sorted(everyone.level.dropna().unique()):
    groups[f"level:{lvl}"] = tr("group_level", level=level_label(lvl, lang()))
for parent in sorted(everyone.parent_id.dropna().unique()):
    if parent in names:
        groups[f"parent:{parent}"] = tr("group_parent", name=names[parent])
c1, c2 = st.columns([3, 1])
chosen = c1.multiselect(tr("agencies"), list(names), key="cmp_agencies", format_func=lambda a: names.get(a, a),
                        placeholder=tr("choose"))
c2.selectbox(tr("add_group"), list(groups), key="cmp_group", format_func=groups.get, on_change=_add_group)

st.subheader(tr("trend"))
if not chosen:
    st.info(tr("choose_agencies"))
else:
    sub = dataclasses.replace(flt, agency_ids=tuple(chosen))
    series = q("measure_series", sub, key) if section == "derived" else q("metric_series", sub, key)
    if not empty_note(series):
        fig = px.line(with_gaps(series, "agency"), x="year", y="value", color="agency", markers=True,
                      labels={"year": tr("year"), "value": label, "agency": tr("agency")})
        fig.update_traces(connectgaps=False)  # a missing year is a gap, never a zero
        fig.update_xaxes(dtick=1)
        fig.update_yaxes(tickformat=".0%" if rate else ",~r", separatethousands=True)
        st.plotly_chart(fig, width="stretch")
        download(series[["agency", "agency_id", "year", "value"]].rename(columns={"value": key}), f"compare-{key}", "cmp_lines")

# -- ranking of one year: every agency, worst-first or best-first; ?year=2023&order=asc ---------------
st.subheader(tr("ranking"))
if "cmp_year" not in st.session_state:
    y = url_value("year", None)
    st.session_state.cmp_year = int(y) if y and y.isascii() and y.isdigit() and int(y) in years else years[0]
    if y and st.session_state.cmp_year != (int(y) if y.isascii() and y.isdigit() else None):
        st.warning(tr("bad_param", name="year", value=str(y)[:40]))
if "cmp_order" not in st.session_state:
    st.session_state.cmp_order = url_value("order", "desc") == "asc"
c1, c2, c3 = st.columns([1, 2, 1])
year = c1.selectbox(tr("year"), years, key="cmp_year")
lowest_first = c2.radio(tr("order"), [False, True], format_func=lambda v: tr("lowest_first" if v else "highest_first"),
                        horizontal=True, key="cmp_order")
n_bars = c3.number_input(tr("bars"), 5, 100, 20, step=5, key="cmp_n")
write_url({"metric": key, "agencies": list(chosen) or ["none"], "year": str(year),
           "order": "asc" if lowest_first else None})

ranked = q("ranking", flt, year, **rank_args)
if rate:
    st.caption(tr("rate_rule", n=queries.MEASURES[key].min_den))
if not empty_note(ranked):
    usable = ranked[~ranked.small_sample]
    median = float(usable.value.median()) if len(usable) else None
    order = ranked.sort_values(["small_sample", "value", "agency"], ascending=[True, lowest_first, True])
    bars = order.head(int(n_bars)).copy()
    bars["shown"] = bars.agency + bars.small_sample.map(lambda s: " *" if s else "")
    fig = px.bar(bars, x="value", y="shown", orientation="h", custom_data=["agency_id"],
                 labels={"value": label, "shown": ""})
    if median is not None:
        fig.add_vline(x=median, line_dash="dash", line_color="#b22222",
                      annotation_text=f"{tr('median')} {fmt_number(median, rate)}")
    fig.update_layout(height=max(300, 24 * len(bars) + 60), yaxis=dict(autorange="reversed"))
    fig.update_xaxes(tickformat=".0%" if rate else ",~r")
    st.caption(tr("click_bar"))
    event = st.plotly_chart(fig, width="stretch", on_select="rerun", selection_mode="points", key="cmp_bar")
    target = clicked(event)
    if target:
        st.switch_page("app_pages/profile.py", query_params={"agency": target})
    table = order.assign(level=order.level.map(lambda v: level_label(v, lang()) if isinstance(v, str) else ""),
                         profile="profile?agency=" + order.agency_id)
    cols = {"rank": tr("rank"), "agency": tr("agency"), "level": tr("level"), "province": tr("province"),
            "value": label, "prev_value": tr("prev_year_value", y=year - 1), "change": tr("change"),
            "pct_change": tr("pct_change"), "peer_median": tr("peer_median")}
    if rate:
        cols |= {"denominator": tr("denominator"), "small_sample": tr("small_sample")}
    cols["profile"] = tr("profile")
    shown = table[list(cols)].rename(columns=cols)
    st.caption(tr("all_ranked", n=len(shown)))
    fmt = "percent" if rate else "localized"
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        label: st.column_config.NumberColumn(format=fmt),
        cols["prev_value"]: st.column_config.NumberColumn(format=fmt),
        cols["change"]: st.column_config.NumberColumn(format="percent" if rate else "localized"),
        cols["pct_change"]: st.column_config.NumberColumn(format="percent"),
        cols["peer_median"]: st.column_config.NumberColumn(format=fmt),
        cols["profile"]: st.column_config.LinkColumn(display_text=tr("open")),
    })
    download(order[["rank", "agency", "agency_id", "level", "province", "city", "year", "value", "prev_value", "change",
                    "pct_change", "peer_median", "denominator", "small_sample"]].rename(columns={"value": key}),
             f"ranking-{key}-{year}", "cmp_rank_all")
