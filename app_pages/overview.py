"""总览 Overview: tiles for a year (each rate with its denominator, small samples marked) with the change
against the year before over the same agencies; who published, on time or late, and what the checks
found (two marks per cell); the agencies late or not published that year. Year and page in the URL. A
tile whose total holds an agency's unconfirmed tenfold swing names it, marked ⚠ (app_pages/jumps.py)."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages import jumps, writing
from app_pages.common import (clicked, download, empty_note, filters, lang, missing, q, show_table, tr, unverified_note, url_int, write_url, year_choice)
from app_pages.formats import fmt_number, fmt_pp, fmt_wan_yuan
from pipeline.serve.queries import FINDING_STATES, MEASURES, TIMELINESS_STATES, definition

st.title(tr("page_overview"))
year = year_choice("year", "ov_year")
if year is None:
    st.info(tr("no_data"))
    st.stop()

tiles = q("tiles", filters(), year)
swings = jumps.by_measure(year, tiles.tile)  # tiles whose total holds an unconfirmed tenfold swing
PER_ROW = 4  # seven tiles in one row cut their names and values at an office laptop's width (1366 px)
cols = [c for start in range(0, len(tiles), PER_ROW) for c in st.columns(PER_ROW)][:len(tiles)]
for col, row in zip(cols, tiles.itertuples()):
    m = MEASURES.get(row.tile)
    rate = bool(m and m.rate)
    money = row.tile == "procurement_wan_yuan"
    delta, help_text = None, None
    if not missing(row.change):
        if rate:
            delta = fmt_pp(row.change)
        elif money:
            delta = ("+" if row.change >= 0 else "-") + fmt_wan_yuan(abs(row.change))
        else:
            delta = ("+" if row.change >= 0 else "-") + fmt_number(abs(row.change), compact=True)
        same_n, all_n = (0 if missing(v) else int(v) for v in (row.same_agencies, row.agencies))
        if row.tile != "agencies" and (not missing(row.pairs) or same_n != all_n):
            # the change compares a part of this year's total (the same agencies, or platforms, in both years):
            # said on the arrow itself, which otherwise reads as the total's rise or fall
            delta += tr("like_for_like")
    shown = fmt_wan_yuan(row.value) if money else fmt_number(row.value, rate, compact=True)
    if rate and row.small_sample:
        shown += " *"
    if row.unverified and not filters().verified_only:  # the caption says "(标 †)": the value carries it
        shown += " †"
    if row.tile != "agencies":
        fmt = fmt_wan_yuan if money else (lambda v: fmt_number(v, rate))
        help_text = tr("tile_help" if missing(row.pairs) else "tile_help_pairs", n=row.agencies, prev=year - 1,
                       same=int(row.same_agencies or 0), pairs=0 if missing(row.pairs) else int(row.pairs),
                       a=fmt(row.previous), b=fmt(row.current_same))
        help_text = f"{definition(row.tile, lang())}{'。' if lang() == 'zh' else '.'}\n\n{help_text}"
    flat = not missing(row.change) and row.change == 0  # no change: no arrow, no colour ("↑ +0" read as a rise)
    col.metric(row.zh if lang() == "zh" else row.en, shown, delta.replace("+", "±", 1) if flat and delta else delta,
               delta_color="off" if flat else "inverse" if (m and m.higher_is_worse) else "normal",
               delta_arrow="off" if flat else "auto", help=help_text)
    if row.tile == "agencies":
        continue
    notes = [tr("n_agencies", n=row.agencies)]
    if rate and not missing(row.denominator):
        notes.append(tr("small_sample_tile", n=f"{row.denominator:,.0f}", min=m.min_den) if row.small_sample
                     else tr("denominator_n", n=f"{row.denominator:,.0f}"))
    if not missing(row.change):
        notes.append(tr("change_same", n=int(row.same_agencies)) if missing(row.pairs) else
                     tr("change_same_pairs", pairs=int(row.pairs), n=int(row.same_agencies)))
    if row.unverified:
        notes.append(unverified_note(row.unverified))
    if row.tile in swings:
        notes.append(jumps.note(swings[row.tile]))
    col.caption(" · ".join(notes))
    if money and row.agencies == 0:
        col.caption(tr("procurement_2019_only", year=year))
is_rate = tiles.tile.map(lambda k: bool(MEASURES.get(k) and MEASURES[k].rate))
split = {f"{w}_{c}": tiles[c].where(is_rate if w == "rate" else ~is_rate) for w in ("rate", "count")
         for c in ("value", "previous", "current_same", "change")}  # one unit per column: a rate in %, a count as is
download(tiles.assign(year=year, label=tiles.zh if lang() == "zh" else tiles.en, **split)[
    ["year", "tile", "label", "count_value", "rate_value", "agencies", "denominator", "small_sample", "unverified",
     "count_previous", "rate_previous", "count_current_same", "rate_current_same", "same_agencies", "pairs",
     "count_change", "rate_change"]], f"overview-{year}", "ov_tiles",
    kinds={"rate_value": "rate", "rate_previous": "rate", "rate_current_same": "rate", "rate_change": "pp"},
    labels={"tile": tr("metric_code"), "label": tr("metric"), "count_value": tr("value"), "rate_value": tr("rate"),
            "agencies": tr("agencies"), "unverified": tr("unverified_count"),
            "count_previous": tr("prev_year_value", y=year - 1), "rate_previous": tr("rate_of", y=year - 1),
            "count_current_same": tr("current_same_value", y=year), "rate_current_same": tr("rate_same_of", y=year),
            "same_agencies": tr("same_agencies_count"), "pairs": tr("pairs"), "count_change": tr("change"),
            "rate_change": tr("rate_change")})
writing.brief_downloads(year, "ov")

# -- late and unpublished ------------------------------------------------------------------------------
st.subheader(tr("late_title", year=year))
late = q("late_agencies", filters(), year)
n_late, n_unpub = int((late.timeliness == "late").sum()), int((late.timeliness == "not_published").sum())
if late.empty:  # nothing late said only of a scope that has agencies: an empty scope is no data, not all clear
    states = q("timeliness_counts", filters(), year)
    unknown = states.get("date_unknown", 0) + states.get("deadline_unknown", 0)
    uncollected = states.get("not_collected", 0)
    if not len(q("agencies", filters())):
        st.info(tr("no_data"))
    elif unknown or uncollected:  # what cannot be judged is said, not counted as on time
        st.warning(tr("late_unknown", year=year, known=states.get("on_time", 0), unknown=unknown,
                      uncollected=uncollected))
    else:
        st.info(tr("no_late", year=year))
else:
    st.markdown(f"**{tr('late_count', late=n_late, unpub=n_unpub)}**")
    days = [tr("at_least_days", n=int(d), d=str(r)[:10]) if t == "not_published" and not missing(d) else
            ("" if missing(d) else str(int(d))) for t, d, r in zip(late.timeliness, late.days_late, late.list_read_on)]
    show_table(pd.DataFrame({
        tr("agency"): late.agency, tr("timeliness"): late.timeliness.map(lambda s: tr(f"status_{s}")),
        tr("deadline"): late.deadline.map(lambda d: "" if missing(d) else str(d)[:10]),
        tr("published_on"): late.published_on.map(lambda d: "" if pd.isna(d) else str(d)[:10]),
        tr("days_late"): days, tr("profile"): "profile?agency=" + late.agency_id}),
        hide_index=True, width="stretch", column_config={tr("profile"): st.column_config.LinkColumn(display_text=tr("open"))})
download(late.assign(profile="profile?agency=" + late.agency_id, timeliness_label=late.timeliness.map(
    lambda s: tr(f"status_{s}")))[["agency", "agency_id", "level", "province", "year", "timeliness", "timeliness_label",
                                    "deadline", "published_on", "days_late", "list_read_on", "profile"]],
    f"late-{year}", "ov_late", labels={"timeliness": tr("status_code"), "timeliness_label": tr("timeliness")})

# -- coverage: two marks per cell -------------------------------------------------------------------------
st.subheader(tr("coverage"))
n_agencies, _ = q("coverage_size", filters())
if not empty_note(range(n_agencies)):
    PAGE = 100  # agencies grouped by region and level, as the query orders them; one page's cells read
    pages, page = (n_agencies + PAGE - 1) // PAGE, 1
    if pages > 1:
        if "ov_page" not in st.session_state:
            st.session_state.ov_page = min(url_int("page", 1, 10**6, 1), pages)
        page = st.number_input(tr("page_n", total=pages), 1, pages, key="ov_page")
        write_url({"page": str(page) if page > 1 else None})
        st.caption(tr("showing_range", a=(page - 1) * PAGE + 1, b=min(page * PAGE, n_agencies), total=n_agencies))
    cov = q("coverage_page", filters(), page, PAGE, jumps.dismissed())  # a dismissed finding fails no report
    colors = {"on_time": "#2e7d32", "late": "#f9a825", "date_unknown": "#81c784",
              "deadline_unknown": "#c5e1a5", "not_published": "#6d4c41",
              "not_collected": "#e0e0e0", "older_format": "#90a4ae"}
    marks = {"failing_checks": ("x-thin-open", "#b71c1c"), "incomplete": ("triangle-up-open", "#6a1b9a")}
    order = list(dict.fromkeys(cov.agency))
    years_shown = sorted(cov.year.unique())
    # one square per agency and year (a scatter, so a click selects it); what a click opens: the report
    # when there is one, else the agency's profile
    cells = cov.assign(target=[f"report:{r}" if isinstance(r, str) else f"agency:{a}"
                               for r, a in zip(cov.report_id, cov.agency_id)],
                       label=[tr(f"status_{s}") + ("" if not isinstance(f, str) else " · " + tr(f"finding_{f}"))
                              for s, f in zip(cov.timeliness, cov.findings)], x=cov.year.astype(str))
    fig = go.Figure()
    for state in TIMELINESS_STATES:
        part = cells[cells.timeliness == state]
        if len(part):
            fig.add_trace(go.Scatter(
                x=part.x, y=part.agency, mode="markers", name=tr(f"status_{state}"), customdata=part.target,
                text=part.label, hovertemplate="%{y} %{x}: %{text}<extra></extra>", legendgroup="t",
                marker=dict(symbol="square", size=16, color=colors[state], line=dict(width=0))))
    for state in FINDING_STATES:
        part = cells[cells.findings == state]
        if state in marks and len(part):
            symbol, color = marks[state]
            fig.add_trace(go.Scatter(
                x=part.x, y=part.agency, mode="markers", name=tr(f"finding_{state}"), customdata=part.target,
                text=part.label, hovertemplate="%{y} %{x}: %{text}<extra></extra>", legendgroup="f",
                marker=dict(symbol=symbol, size=11, color=color, line=dict(width=2, color=color))))
    fig.update_layout(height=max(300, 22 * len(order) + 110), margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", y=1.0, yanchor="bottom"), plot_bgcolor="#ffffff",
                      yaxis=dict(autorange="reversed", categoryorder="array", categoryarray=order),
                      xaxis=dict(type="category", categoryorder="array", categoryarray=[str(y) for y in years_shown]))
    st.caption(tr("coverage_marks") + " " + tr("click_cell"))
    event = st.plotly_chart(fig, width="stretch", on_select="rerun", selection_mode="points", key="ov_cov_chart")
    kind, _, value = str(clicked(event) or "").partition(":")
    if kind == "report":
        st.switch_page("app_pages/report.py", query_params={"report": value})
    elif kind == "agency":
        st.switch_page("app_pages/profile.py", query_params={"agency": value})
    st.caption(tr("coverage_rule"))
    out = cov.assign(timeliness_label=cov.timeliness.map(lambda s: tr(f"status_{s}")),
                     findings_label=cov.findings.map(lambda f: tr(f"finding_{f}") if isinstance(f, str) else None))
    download(out[["agency", "agency_id", "year", "timeliness", "timeliness_label", "findings", "findings_label",
                  "published_on", "deadline", "days_late", "errors", "warnings"]], "coverage", "ov_cov",
             labels={"timeliness": tr("status_code"), "timeliness_label": tr("timeliness"), "findings": tr("finding_code"),
                     "findings_label": tr("findings"),
                     "errors": tr("sev_error"), "warnings": tr("sev_warning")})
