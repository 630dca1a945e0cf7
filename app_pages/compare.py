"""机构对比 Compare: any catalog metric or derived measure for chosen agencies across years, and a
ranking of every agency for one year (previous year, change, peer median, small samples marked).
Metric, agencies, year, order and the bar count live in the URL, so a copied link reproduces the view; a bar or a
row opens the agency's profile."""
import re
import dataclasses

import pandas as pd
import plotly.express as px
import streamlit as st

from app_pages.common import (bad_param, clicked, colon, download, empty_note, filters, lang, q, show_table, tr, unverified_note, url_int, url_list, url_value, with_gaps, write_url, yearly)
from app_pages.formats import number_format
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
            bad_param("metric", wanted)
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
    rate, label = measure.rate, measure.zh if lang() == "zh" else measure.en
    st.caption(f"**{tr('definition')}**{colon()}{queries.definition(key, lang())}")
    years = q("years_with", flt, measure=key)
    rank_args = {"measure": key}
else:
    key = c2.selectbox(tr("metric"), keys_of[section], key=f"cmp_metric_{section}",
                       format_func=lambda k: catalog.label(k, lang()))
    rate, label, measure = False, catalog.label(key, lang()), None
    years = q("years_with", flt, key=key)
    rank_args = {"key": key}
if not years:
    write_url({"metric": key})
    st.info(tr("no_data"))
    st.stop()

# -- the agencies: any agency in scope, by name or by group; ?agencies=id&agencies=id (or =none) --------
everyone = q("agencies", flt)
names = dict(zip(everyone.agency_id, everyone.name))
if "cmp_agencies" not in st.session_state:
    from_url = url_list("agencies")
    if from_url == ["none"]:
        st.session_state.cmp_agencies = []
    elif from_url:
        st.session_state.cmp_agencies = [a for a in from_url if a in names]
        if len(st.session_state.cmp_agencies) < len(from_url):
            st.warning(tr("unknown_agencies", n=len(from_url) - len(st.session_state.cmp_agencies)))
    else:  # the six highest of the latest year (asked only when the page opens)
        st.session_state.cmp_agencies = list(q("ranking", flt, years[0], worst_first=False, **rank_args).agency_id.head(6))


TREND_LIMIT = 20  # the most agencies drawn as lines at once: a group adds agencies up to it


def _add_group():
    g = st.session_state.get("cmp_group")
    if not g:
        return
    kind, _, value = g.partition(":")
    if kind == "level":
        ids = everyone[everyone.level == value].agency_id
    else:
        ids = everyone[everyone.parent_id == value].agency_id
    before = list(st.session_state.cmp_agencies)
    group = list(dict.fromkeys(ids))
    new = [a for a in group if a not in before]
    room = max(0, TREND_LIMIT - len(before))
    st.session_state.cmp_agencies = before + new[:room]
    # a group of thousands (every city-level agency of a country) would draw a line each: the first ones
    # up to the limit are added, and the page says how many were not (while the list is the one it made)
    st.session_state.cmp_group_left = ((len(new) - room, len(group), tuple(st.session_state.cmp_agencies))
                                       if len(new) > room else None)
    st.session_state.cmp_group = ""


groups = {"": tr("group_none")}
for lvl in sorted(everyone.level.dropna().unique()):
    groups[f"level:{lvl}"] = tr("group_level", level=level_label(lvl, lang()))
for parent in sorted(everyone.parent_id.dropna().unique()):
    if parent in names:
        # the departments of a government, whose register entry is its general office (人民政府办公厅)
        groups[f"parent:{parent}"] = tr("group_parent", name=re.sub(r"(人民政府)(办公厅|办公室)$", r"\1", names[parent]))
c0, c1, c2 = st.columns([1, 2, 1])
# the agencies listed: those chosen and at most PICK_LIMIT others, narrowed by typing part of a name (never
# every agency in scope: 16,670 options at 100,000 reports)
find = c0.text_input(tr("find_agency"), key="cmp_find", placeholder=tr("find_agency_hint"))
found = q("report_agencies", flt, find, reported=False)
if any(a not in names for a in st.session_state.cmp_agencies):  # chosen before the filters changed
    st.session_state.cmp_agencies = [a for a in st.session_state.cmp_agencies if a in names]
if len(found) and int(found.matches.iloc[0]) > len(found):
    c0.caption(tr("find_agency_more", shown=len(found), n=f"{int(found.matches.iloc[0]):,}"))
chosen = c1.multiselect(tr("agencies"), list(dict.fromkeys([*st.session_state.cmp_agencies, *found.agency_id])),
                        key="cmp_agencies", format_func=lambda a: names.get(a, a), placeholder=tr("choose"),
                        select_all=False)
c2.selectbox(tr("add_group"), list(groups), key="cmp_group", format_func=groups.get, on_change=_add_group)
if st.session_state.get("cmp_group_left"):
    left, of, made = st.session_state.cmp_group_left
    if tuple(chosen) == made:
        st.warning(tr("group_capped", n=TREND_LIMIT, left=f"{left:,}", of=f"{of:,}"))
    else:  # the list was changed since
        st.session_state.cmp_group_left = None

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
        if rate:  # a small sample: a hollow point with its denominator, on the line of its agency
            small = series[series.small_sample]
            for agency, part in small.groupby("agency"):
                fig.add_scatter(x=part.year, y=part.value, mode="markers", showlegend=False, name=agency,
                                marker=dict(symbol="circle-open", size=14, color="#b22222", line=dict(width=2)),
                                text=[tr("small_sample_tile", n=f"{d:,.0f}", min=measure.min_den) for d in part.denominator],
                                hovertemplate=f"{agency} %{{x}}: %{{y:.1%}}<br>%{{text}}<extra></extra>")
            st.caption(tr("trend_small", m=label, n=measure.min_den))
        unv = series[~series.verified.fillna(False).astype(bool)] if "verified" in series else series.head(0)
        if len(unv):  # an unverified value: † above its point, as the ranking marks it
            fig.add_scatter(x=unv.year, y=unv.value, mode="text", text=["†"] * len(unv), textposition="top center",
                            showlegend=False, hoverinfo="skip")
            st.caption(tr("unverified_mark") + " " + unverified_note(len(unv)))
        yearly(fig)  # the years in scope and no more: one year is one tick, not three
        fig.update_yaxes(tickformat=".1%" if rate else ",~r", separatethousands=True, rangemode="tozero" if rate else "normal")
        st.plotly_chart(fig, width="stretch")
        cols = ["agency", "agency_id", "year", "value"] + (["denominator", "small_sample"] if rate else []) + ["verified"]
        download(series[cols].rename(columns={"value": key}), f"compare-{key}", "cmp_lines")

# -- ranking of one year: every agency, worst-first or best-first; ?year=2023&order=best&bars=20 ------------
st.subheader(tr("ranking"))
if "cmp_year" not in st.session_state:
    y = url_int("year", 1900, 2200)
    if y is not None and y not in years:
        bad_param("year", y)
    st.session_state.cmp_year = y if y in years else years[0]
if "cmp_order" not in st.session_state:
    st.session_state.cmp_order = url_value("order", "worst") not in ("best", "asc")
if "cmp_n" not in st.session_state:
    st.session_state.cmp_n = url_int("bars", 5, 100, 20)
c1, c2, c3 = st.columns([1, 2, 1])
year = c1.selectbox(tr("year"), years, key="cmp_year")
if rate:
    worst_first = c2.radio(tr("order"), [True, False], format_func=lambda v: tr("worst_first" if v else "best_first"),
                           horizontal=True, key="cmp_order")
else:
    worst_first = c2.radio(tr("order"), [True, False], format_func=lambda v: tr("highest_first" if v else "lowest_first"),
                           horizontal=True, key="cmp_order")
n_bars = c3.number_input(tr("bars"), 5, 100, step=5, key="cmp_n")
write_url({"metric": key, "agencies": list(chosen) or ["none"], "year": str(year),
           "order": None if worst_first else "best", "bars": str(n_bars) if n_bars != 20 else None})

order = q("ranking", flt, year, worst_first=worst_first, **rank_args)
n_ranked = int(order["rank"].notna().sum()) if len(order) else 0
if 0 < n_ranked < queries.MIN_PEERS:  # one or two agencies ranked: "第 1 名" of one says nothing (nor "worst")
    order = order.assign(rank=pd.NA)
    st.warning(tr("too_few_to_rank", n=n_ranked, min=queries.MIN_PEERS), icon=":material/info:")
if rate:
    st.caption(tr("higher_worse" if measure.higher_is_worse else "lower_worse", m=label) + " "
               + tr("rate_rule", n=measure.min_den))
st.caption(tr("median_rule"))
if not empty_note(order):
    bars = order.head(int(n_bars)).copy()
    bars["shown"] = (bars.agency + bars.small_sample.map(lambda s: " *" if s else "")
                     + bars.verified.map(lambda v: " †" if v is False or v == False else ""))  # noqa: E712
    fig = px.bar(bars, x="value", y="shown", orientation="h", custom_data=["agency_id"],
                 labels={"value": label, "shown": ""})
    ticks = bars.dropna(subset=["peer_median"])
    if len(ticks):  # each agency's own peer median (same level and kind): the table's definition
        fig.add_scatter(x=ticks.peer_median, y=ticks.shown, mode="markers", name=tr("peer_median"),
                        marker=dict(symbol="line-ns-open", size=18, color="#b22222", line=dict(width=3)),
                        text=[tr("median_over", n=int(n)) for n in ticks.peers],
                        hovertemplate="%{y}: %{x}<br>%{text}<extra></extra>")
    fig.update_layout(height=max(300, 24 * len(bars) + 60), yaxis=dict(autorange="reversed"),
                      legend=dict(orientation="h", y=1.0, yanchor="bottom"))
    fig.update_xaxes(tickformat=".1%" if rate else ",~r")
    st.caption(tr("click_bar"))
    event = st.plotly_chart(fig, width="stretch", on_select="rerun", selection_mode="points", key="cmp_bar")
    target = clicked(event)
    if target and target in names:
        st.switch_page("app_pages/profile.py", query_params={"agency": target})

    # every agency's row from plain lists (16,670 rows at 100,000 reports): numbers kept as numbers, so a click
    # on a column's header sorts by the value (text sorted 100.0% before 46.8%), written by the column's format;
    # the marks (* small sample, † unverified) in a column of their own
    def _gone(v) -> bool:
        return v is None or v is pd.NA or (isinstance(v, float) and v != v)

    def _shown(col: pd.Series) -> list:
        """The column's values as they are written: a rate in % (×100), None when missing."""
        return [None if _gone(v) else (float(v) * 100 if rate else float(v)) for v in col.tolist()]

    def _signed(values: list) -> list:
        """A change as written, to one decimal: a change that rounds to nothing is 0.0, never -0.0."""
        return [None if v is None else round(v, 1) + 0.0 for v in values]

    def _words(col: pd.Series, word) -> list[str]:
        """Each value's word, each distinct value looked up once (empty for a missing one)."""
        words = {v: word(v) if isinstance(v, str) else "" for v in col.unique()}
        return [words[v] if isinstance(v, str) else "" for v in col.tolist()]

    def _inferred(words: list[str]) -> list[str]:
        """An agency's words read from its name, not the register, said so (由名称推断)."""
        mark = tr("inferred")  # once: tr reads the session's language each call (16,660 rows at 100,000 reports)
        return [w + ("" if ok or not w else mark) for w, ok in zip(words, order.registered.tolist())]

    value_format = "%.1f%%" if rate else number_format(order.value)
    change_format = tr("pp_format") if rate else number_format(order.change, "+")
    value_label, prev_label = label, tr("prev_year_value", y=year - 1)
    change_label = tr("change_rate") if rate else tr("change")
    table = pd.DataFrame({
        tr("rank"): order["rank"].astype("Int64"),
        tr("agency"): order.agency,
        tr("level"): _inferred(_words(order.level, lambda v: level_label(v, lang()))),
        tr("kind"): _inferred(_words(order.kind, lambda v: tr(f"kind_{v}"))),
        tr("province"): [v if isinstance(v, str) else "" for v in order.province.tolist()],
        value_label: _shown(order.value),
        tr("marks"): [("*" if s else "") + ("" if ok else (" †" if s else "†")) for s, ok in
                      zip(order.small_sample.tolist(), [bool(ok) for ok in order.verified.fillna(False).tolist()])],
        prev_label: _shown(order.prev_value),
        change_label: _signed(_shown(order.change)) if rate else _shown(order.change),
        tr("peer_median"): _shown(order.peer_median), tr("peers"): order.peers.astype(int)})
    formats = {value_label: value_format, change_label: change_format,
               prev_label: "%.1f%%" if rate else number_format(order.prev_value),
               tr("peer_median"): "%.1f%%" if rate else number_format(order.peer_median)}
    if "pairs" in order:  # a sum of parts: the previous value and the change over the same platforms only
        prev_label = tr("same_platforms_value", y=year - 1)
        table = table.rename(columns={tr("prev_year_value", y=year - 1): prev_label})
        now_label = tr("same_platforms_value", y=year)
        table.insert(table.columns.get_loc(prev_label) + 1, now_label, _shown(order.current_same))
        table.insert(table.columns.get_loc(change_label) + 1, tr("pairs"), order.pairs.astype(int))
        formats |= {prev_label: number_format(order.prev_value), now_label: number_format(order.current_same)}
        st.caption(tr("ranking_pairs_note", m=label, pairs=tr("pairs")))
    if rate:  # what the rate divides by, beside it (not off-screen at a laptop's width)
        at = table.columns.get_loc(value_label) + 1
        table.insert(at, tr("denominator"), order.denominator.astype("Float64").round().astype("Int64"))
        table.insert(at + 1, tr("small_sample"), [tr("yes") if v else "" for v in order.small_sample.tolist()])
    else:
        table[tr("pct_change")] = _signed([None if _gone(v) else float(v) * 100 for v in order["pct_change"].tolist()])
        formats[tr("pct_change")] = "%+.1f%%"
    # the agency's figures first, its level, kind and province after them (at a laptop's width the change and
    # the peer median were past the table's right edge)
    where = [tr("level"), tr("kind"), tr("province")]
    table = table[[c for c in table.columns if c not in where] + where]
    table[tr("profile")] = "profile?agency=" + order.agency_id
    st.caption(tr("all_ranked", n=len(table)))
    if not order.registered.all():
        st.caption(tr("inferred_note", n=int((~order.registered).sum())))
    n_unverified = int((order.verified.fillna(False) == False).sum())  # noqa: E712
    if n_unverified:
        st.caption(tr("unverified_mark") + " " + unverified_note(n_unverified))
    elif flt.verified_only:
        every = q("ranking", dataclasses.replace(flt, verified_only=False), year, worst_first=worst_first, **rank_args)
        st.caption(unverified_note(len(every) - len(order)) or tr("verified_only"))
    show_table(table, hide_index=True, width="stretch",
                 column_config={tr("profile"): st.column_config.LinkColumn(display_text=tr("open"))}
                 | {c: st.column_config.NumberColumn(format=f) for c, f in formats.items()})
    out = order.assign(profile="profile?agency=" + order.agency_id,  # the kind in words, as the level
                       kind=_words(order.kind, lambda v: tr(f"kind_{v}")))
    out_cols = ["rank", "agency", "agency_id", "level", "kind", "province", "city", "year", "value", "prev_value", "change",
                "peer_median", "peers", "verified", "registered"] + (["denominator", "small_sample"] if rate else ["pct_change"]) + \
        (["current_same", "pairs"] if "pairs" in order else []) + ["profile"]
    download(out[out_cols].rename(columns={"value": key}), f"ranking-{key}-{year}", "cmp_rank_all",
             kinds={"prev_value": "rate", "peer_median": "rate", "change": "pp"} if rate else {},
             labels={"prev_value": tr("prev_year_value", y=year - 1), "kind": tr("kind"), "change": tr("change"),
                     "current_same": tr("same_platforms_value", y=year)} | (
                         {"prev_value": tr("same_platforms_value", y=year - 1)} if "pairs" in order else {}),
             )
