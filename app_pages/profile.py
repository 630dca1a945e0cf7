"""机关档案 Agency profile: one agency across years, every measure beside the median of its peers (same
level, and region when filtered), each year's report with its publication date and findings, and
links to each report. ?agency=<agency_id> in the URL."""
import pandas as pd
import plotly.express as px
import streamlit as st

from app_pages import jumps
from app_pages.common import (bad_param, colon, download, empty_note, filters, lang, md_text, q, show_table, tr, url_value, with_gaps, write_url)
from app_pages.formats import fmt_number, fmt_rate_den, fmt_wan_yuan
from app_pages.picker import pick_agency
from pipeline.spec import findings
from pipeline.serve import queries
from pipeline.serve.i18n import level_label

st.title(tr("page_profile"))
first = q("report_agencies", filters(), "", reported=False)
wanted = url_value("agency")
if "pf_agency" not in st.session_state and wanted and q("agency_info", wanted) is None:
    bad_param("agency", wanted)
    wanted = None
if first.empty and not wanted:
    first = q("report_agencies", queries.Filters(), "", reported=False)  # any agency can be chosen, whatever the filters
if empty_note(first) and not wanted:
    st.stop()
# the picker lists the agencies the sidebar's filters keep (every agency, said so, when they keep none); it
# opens on the first of them with a report, not on one nianbao holds nothing of
in_scope = not q("report_agencies", filters(), "", reported=False).empty
if not in_scope:
    st.caption(tr("profile_all_agencies"))
scope = filters() if in_scope else queries.Filters()
with_report = q("report_agencies", scope, "", reported=True)
aid = pick_agency("pf", scope, wanted or (with_report if len(with_report) else first).agency_id.iloc[0], reported=False)
write_url({"agency": aid})

info = q("agency_info", aid)
facts = [level_label(info["level"], lang()) + ("" if not isinstance(info.get("kind"), str) else
                                                 "·" + tr(f"kind_{info['kind']}"))]
region = "".join(x for x in (info.get("province"), info.get("city"), info.get("district")) if isinstance(x, str))
if region:
    facts.append(region)
facts.append(tr("registered") if info.get("registered") else tr("unregistered"))
if isinstance(info.get("parent_name"), str):
    facts.append(tr("parent", name=info["parent_name"]))
st.caption(" · ".join(md_text(f) for f in facts))
aliases = info.get("aliases")
if aliases is not None and len(aliases):
    st.caption(tr("aliases") + "：" + "、".join(md_text(a) for a in aliases))

# -- each year's report ---------------------------------------------------------------------------
st.subheader(tr("reports_by_year"))
reps = q("agency_reports", aid, jumps.dismissed())  # findings an analyst dismissed are not counted
# every year from this agency's first report to the last year the warehouse holds reports for (a year no
# agency's report is held for included, as the coverage matrix has it): a year without its report is a row
# that says so (a gap), never a year left out
with_reports = set(q("options")["years"])
last = max(with_reports, default=None)
held = list(range(int(reps.year.min()), int(last) + 1)) if len(reps) and last is not None else []
gaps = sorted(set(held) - set(reps.year))
if reps.empty:  # not "no data for the filters": the agency is chosen, nianbao holds no report of it
    st.info(tr("no_reports_checked"))
else:
    if gaps:
        reps = pd.concat([reps, pd.DataFrame({"year": gaps, "timeliness": "no_report", "report_id": None})])
    reps = reps.sort_values("year", kind="stable")  # oldest first, as the measures' columns below

    def _count(col: pd.Series) -> list[str]:
        """A count of findings; blank for a year without a report (not None, not 0)."""
        return ["" if pd.isna(v) else f"{int(v):,}" for v in col.tolist()]

    timely = {"on_time": tr("status_on_time"), "late": tr("status_late"), "unknown": tr("date_unknown"),
              "no_report": tr("no_report_held")}
    # a date the site showed but no deadline (an agency outside the register): the deadline is what is unknown
    reps = reps.assign(timeliness=[v if v in ("on_time", "late", "no_report") else
                                   "deadline" if isinstance(r, str) and not pd.isna(d) else v
                                   for v, d, r in zip(reps.timeliness.tolist(), reps.published_on.tolist(),
                                                      reps.report_id.tolist())])
    timely["deadline"] = tr("status_deadline_unknown")
    shown = pd.DataFrame({
        tr("year"): reps.year.astype(str), tr("template"): reps.template.fillna(""),
        tr("published_on"): reps.published_on.map(lambda d: "" if pd.isna(d) else str(d)[:10]),
        tr("deadline"): reps.deadline.map(lambda d: "" if pd.isna(d) else str(d)[:10]),
        # a report without a date the site showed: said so (was left blank)
        tr("timeliness"): [timely.get(v, "") if isinstance(v, str) else (tr("date_unknown") if isinstance(r, str) else "")
                           for v, r in zip(reps.timeliness.tolist(), reps.report_id.tolist())],
        tr("sev_error"): _count(reps.errors), tr("sev_warning"): _count(reps.warnings), tr("sev_info"): _count(reps.infos),
        # a year without a report opens the overview of that year: its coverage says whether the report was not
        # published by the deadline or not collected (no link for a year no report at all is held for: the
        # overview's year picker does not offer it)
        # each link says where it goes (the words after # are shown, the page ignores them)
        tr("page_report"): ["report?report=" + r + "#" + tr("open_report") if isinstance(r, str)
                            else f"overview?year={y}#" + tr("open_year_overview") if y in with_reports
                            else None for r, y in zip(reps.report_id.tolist(), reps.year.tolist())],
    })
    show_table(shown, hide_index=True, width="stretch",
                 column_config={tr("page_report"): st.column_config.LinkColumn(display_text=r"#(.+)$")})
    download(pd.DataFrame({"agency": info["name"], "agency_id": aid, "year": reps.year.astype(int).tolist(),
                           "template": reps.template.tolist(), "published_on": shown[tr("published_on")].tolist(),
                           "deadline": shown[tr("deadline")].tolist(), "timeliness": shown[tr("timeliness")].tolist(),
                           "errors": reps.errors.tolist(), "warnings": reps.warnings.tolist(), "infos": reps.infos.tolist(),
                           "report": [u.split("#")[0] if isinstance(u, str) else None for u in shown[tr("page_report")]]}),
             f"reports-{info['name']}", "pf_reports", kinds={"report": "link"},
             labels={"timeliness": tr("timeliness"), "errors": tr("sev_error"), "warnings": tr("sev_warning"),
                     "infos": tr("sev_info"), "report": tr("page_report")})
    if gaps:
        st.caption(tr("no_report_years", years=("、" if lang() == "zh" else ", ").join(map(str, gaps))))

# -- every measure beside the peer median -----------------------------------------------------------
st.subheader(tr("measures_vs_peers"))
flt = filters()
st.caption(tr("peers_are", level=level_label(info["level"], lang()),
              kind=tr(f"kind_{info['kind']}") if isinstance(info.get("kind"), str) else "",
              region=("、".join(flt.provinces + flt.cities) if (flt.provinces or flt.cities) else tr("all_regions"))))
if not info.get("registered"):
    st.caption(tr("inferred_self"))
ms = q("agency_measures", flt, aid)
if not reps.empty and not empty_note(ms):  # (no report held: said above)
    label = {k: (m.zh if lang() == "zh" else m.en) for k, m in queries.MEASURES.items()}
    rate = {k: m.rate for k, m in queries.MEASURES.items()}

    # the agency is among its own peers only when it is in the region the peers are taken from
    among_peers = ((not flt.provinces or info.get("province") in flt.provinces)
                   and (not flt.cities or info.get("city") in flt.cities))

    def _self_only(n, small, ok) -> bool:
        """The median is over one peer, and that peer is the agency itself (in the peers' region, not a
        small sample, and verified when only verified values count): no comparison at all."""
        return n == 1 and among_peers and not small and (ok or not flt.verified_only)

    def _cell(k, v, den, small, med, n, ok):
        m = queries.MEASURES[k]
        own = fmt_rate_den(v, den, m.min_den) if m.rate else (fmt_wan_yuan(v) if k.endswith("wan_yuan") else fmt_number(v))
        if small:
            own = "* " + own
        if not ok:
            own = "† " + own
        peer = (fmt_number(med, m.rate) if not k.endswith("wan_yuan") else fmt_wan_yuan(med)) if n else "—"
        if _self_only(n, small, ok):
            return f"{own}｜—（{tr('peer_self_only')}）" if lang() == "zh" else f"{own} | — ({tr('peer_self_only')})"
        if n and pd.isna(med):  # too few peers for a median (MIN_PEERS)
            return f"{own}｜—（{tr('peer_too_few', n=n)}）" if lang() == "zh" else f"{own} | — ({tr('peer_too_few', n=n)})"
        return f"{own}｜{peer}（{n}）" if lang() == "zh" else f"{own} | {peer} ({n})"

    wide = ms.assign(cell=[_cell(k, v, d, s_, p, n, ok) for k, v, d, s_, p, n, ok in
                           zip(ms.measure, ms.value, ms.denominator, ms.small_sample, ms.peer_median, ms.peers, ms.verified)])
    grid = wide.pivot(index="measure", columns="year", values="cell")
    grid = grid.reindex([k for k in queries.MEASURES if k in grid.index])
    grid = grid.reindex(columns=sorted(set(grid.columns) | set(gaps))).astype(object).fillna("")
    for y in gaps:  # a year without its report: said in its column, not a year left out
        grid[y] = tr("no_report_held")
    grid.index = [label[k] for k in grid.index]
    grid.columns = [str(c) for c in grid.columns]
    st.caption(tr("value_and_median") + " " + tr("small_mark_note")
               + (" " + tr("unverified_mark") if not ms.verified.all() else ""))
    show_table(grid, width="stretch")
    # a ratio that may exceed 100% said with why where it does, not left to look wrong (a share over 100%, such as a
    # 公开率 whose parts exceed the total the report states, is the report's error, which its checks name)
    over = ms[ms.measure.map(lambda k: queries.MEASURES[k].may_exceed_one) & (ms.value > 1)]
    for k, part in over.groupby("measure", sort=False):
        st.caption(tr("over_100", m=label[k], years=("、" if lang() == "zh" else ", ").join(map(str, sorted(part.year))))
                   + " " + queries.definition(k, lang()))
    choices = [k for k in queries.MEASURES if k in set(ms.measure)]
    if "pf_measure" not in st.session_state or st.session_state.pf_measure not in choices:
        wanted = url_value("measure")
        if wanted and wanted not in choices:
            bad_param("measure", wanted)
        st.session_state.pf_measure = wanted if wanted in choices else choices[0]
    pick = st.selectbox(tr("measure_profile"), choices, key="pf_measure", format_func=label.get)
    write_url({"measure": pick if pick != choices[0] else None})
    one = ms[ms.measure == pick]
    lines = pd.concat([one.assign(series=info["name"])[["series", "year", "value"]],
                       one.assign(series=tr("peer_median"), value=one.peer_median.where(
                           [not _self_only(n, s_, ok) for n, s_, ok in zip(one.peers, one.small_sample, one.verified)]))[
                           ["series", "year", "value"]]])
    fig = px.line(with_gaps(lines, "series"), x="year", y="value", color="series", markers=True,
                  labels={"year": tr("year"), "value": label[pick], "series": ""})
    fig.update_traces(connectgaps=False)
    small = one[one.small_sample]
    if len(small):  # the agency's small samples: hollow points with the denominator
        fig.add_scatter(x=small.year, y=small.value, mode="markers", showlegend=False,
                        marker=dict(symbol="circle-open", size=14, color="#b22222", line=dict(width=2)),
                        text=[tr("small_sample_tile", n=f"{d:,.0f}", min=queries.MEASURES[pick].min_den)
                              for d in small.denominator], hovertemplate="%{x}: %{y:.1%}<br>%{text}<extra></extra>")
        st.caption(tr("trend_small", m=label[pick], n=queries.MEASURES[pick].min_den))
    # a year a tick over the years shown (one year alone is not drawn over 2024-2026), from zero (a count of
    # one year alone was drawn from 1,294 to 1,296, a tick at half an application)
    fig.update_xaxes(dtick=1, range=[int(lines.year.min()) - 0.5, int(lines.year.max()) + 0.5])
    fig.update_yaxes(tickformat=".1%" if rate[pick] else ",~r", rangemode="tozero")
    st.plotly_chart(fig, width="stretch")
    st.caption(f"**{tr('definition')}**{colon()}{queries.definition(pick, lang())}")
    out = ms.assign(agency=info["name"], agency_id=aid, label=ms.measure.map(label),
                    rate_value=ms.value.where(ms.measure.map(rate)), count_value=ms.value.where(~ms.measure.map(rate)),
                    rate_median=ms.peer_median.where(ms.measure.map(rate)),
                    count_median=ms.peer_median.where(~ms.measure.map(rate)))
    # a year without its report is a row that says so, as its column on screen does (not a year left out)
    out = pd.concat([out, pd.DataFrame({"agency": info["name"], "agency_id": aid, "year": gaps,
                                        "label": tr("no_report_held")})]).sort_values("year", kind="stable")
    download(out[["agency", "agency_id", "year", "measure", "label", "rate_value", "count_value", "denominator",
                  "small_sample", "verified", "rate_median", "count_median", "peers"]], f"profile-{info['name']}", "pf_measures",
             kinds={"rate_value": "rate", "rate_median": "rate"},
             labels={"measure": tr("metric"), "label": tr("metric"), "rate_value": tr("value"),
                     "count_value": tr("value"), "rate_median": tr("peer_median"), "count_median": tr("peer_median")})

# -- findings ---------------------------------------------------------------------------------------
st.subheader(tr("findings"))
chk = q("agency_checks", aid)
if len(chk) == 0 and not len(reps):  # nothing held: no all-clear for reports nianbao has not read
    st.info(tr("no_reports_checked"))
elif len(chk) == 0:  # the years without a report were not checked: no all-clear for them
    st.success(tr("no_checks_held", years=("、" if lang() == "zh" else ", ").join(map(str, gaps))) if gaps else tr("no_checks"))
else:
    expl = "explanation_zh" if lang() == "zh" else "explanation_en"
    status = jumps.statuses()
    shown = pd.DataFrame({
        tr("year"): chk.year.astype(str), tr("severity"): chk.severity.map(lambda v: tr(f"sev_{v}")),
        tr("explanation"): chk[expl], tr("message"): findings.messages(chk, lang()),
        # the analysts' review of each finding, as the data-quality page keeps it (a dismissed one counts nowhere)
        tr("review_status"): chk.finding_key.map(lambda k: tr("review_" + status.get(k, "open"))),
        tr("page_report"): "report?report=" + chk.report_id,
    })
    show_table(shown, hide_index=True, width="stretch",
                 column_config={tr("page_report"): st.column_config.LinkColumn(display_text=tr("open"))})
    download(pd.DataFrame({"agency": info["name"], "agency_id": aid, "year": chk.year.tolist(),
                           "severity": chk.severity.map(lambda v: tr(f"sev_{v}")).tolist(), "check_id": chk.check_id.tolist(),
                           "explanation": chk[expl].tolist(), "message": list(findings.messages(chk, lang())),
                           "status": [tr("review_" + status.get(k, "open")) for k in chk.finding_key],
                           "page_report": ("report?report=" + chk.report_id).tolist(), "finding_key": chk.finding_key.tolist()}),
             f"findings-{info['name']}", "pf_findings", kinds={"page_report": "link"},
             labels={"status": tr("review_status"), "check_id": tr("check")})
