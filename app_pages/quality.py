"""数据质量 Data quality: a score per report, agencies worst-first, every finding with its report, and
analysts' reviews (confirmed / dismissed, with a note) kept in data/reviews.csv beside corrections.csv;
open and confirmed findings count against the score, dismissed ones do not. The filters (severity,
check, review status) and the chosen report are kept in the URL. Below, every fact of one report with
where it came from."""
import json

import pandas as pd
import streamlit as st

from app_pages import writing
from app_pages.picker import pick_report
from app_pages.common import (colon, db_path, download, download_later, empty_note, filters, lang, md_text, no_none, q, show_table, tr, url_list, url_value, write_url)
from app_pages.formats import number_format
from pipeline.spec import catalog, tables
from pipeline.serve import queries
from pipeline.serve.reviews import STATUSES, add_review, read_reviews_checked

st.title(tr("page_quality"))
reviews_path = db_path().parent / "reviews.csv"
reviews, review_problems = read_reviews_checked(reviews_path)
if review_problems:  # lines of the hand-edited file that could not be used, each named (plain text)
    st.warning(md_text(tr("review_problems", n=len(review_problems), path=reviews_path.name)), icon=":material/warning:")
    st.text("\n".join(str(p) for p in review_problems[:20]))
reviewed = tuple(sorted((k, v[0]) for k, v in reviews.items()))


# files read but in no report: their agency or year could not be told (named, not lost without a word)
unplaced = q("unplaced_files")
if len(unplaced):
    names = "、".join(md_text(n) for n in unplaced.name[:20]) + (" …" if len(unplaced) > 20 else "")
    st.warning(tr("unplaced_files", n=len(unplaced), names=names), icon=":material/help:")

# -- scores -------------------------------------------------------------------------------------------
st.subheader(tr("scores"))
st.caption(tr("score_rule", e=queries.SCORE_ERROR, w=queries.SCORE_WARNING))
by_agency = q("quality_agencies", filters(), reviewed)
if not empty_note(by_agency):
    shown = pd.DataFrame({
        tr("agency"): by_agency.agency, tr("n_reports"): by_agency.reports, tr("min_score"): by_agency.min_score,
        tr("mean_score"): by_agency.mean_score.round(1), tr("errors"): by_agency.errors,
        tr("warnings"): by_agency.warnings, tr("confirmed"): by_agency.confirmed,
        tr("worst_year"): by_agency.worst_year.astype(str), tr("profile"): "profile?agency=" + by_agency.agency_id})
    show_table(no_none(shown), hide_index=True, width="stretch", column_config={
        tr("profile"): st.column_config.LinkColumn(display_text=tr("open")),
        tr("min_score"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d")})
    st.caption(tr("scores_by_agency_dl"))
    download(by_agency.assign(mean_score=by_agency.mean_score.round(1), profile="profile?agency=" + by_agency.agency_id),
             "quality-by-agency", "dq_agencies", labels={"reports": tr("n_reports")})  # the page's own header
    st.caption(tr("scores_by_report_dl"))
    score_cols = ["agency_id", "agency", "level", "year", "errors", "warnings", "open", "confirmed", "dismissed", "score",
                  "page_report"]  # quality_scores' columns, the report's id as its page's link
    flt = filters()  # taken now: a large download is made when clicked, outside this run
    download_later(lambda: q("quality_scores", flt, reviewed).assign(
        page_report=lambda d: "report?report=" + d.report_id)[score_cols], score_cols, int(by_agency.reports.sum()),
        "quality-by-report", "dq_scores", labels={"open": tr("review_open"), "confirmed": tr("review_confirmed"),
                                                  "dismissed": tr("review_dismissed")})

# -- findings: filters from and to the URL (?sev=error&check=review_sum&status=confirmed) -----------------
st.subheader(tr("findings"))
sev_all = ["error", "warning", "info"]
if "dq_sev" not in st.session_state:
    st.session_state.dq_sev = [v for v in url_list("sev") if v in sev_all] or ["error", "warning"]
if "dq_status" not in st.session_state:
    # by default the findings that count: open and confirmed (a confirmed finding stays in view)
    st.session_state.dq_status = [v for v in url_list("status") if v in STATUSES] or (
        ["open", "confirmed"] if not url_list("status") else [])
c1, c2, c3 = st.columns(3)
sev = c1.multiselect(tr("severity"), sev_all, key="dq_sev", format_func=lambda s: tr(f"sev_{s}"), placeholder=tr("choose"), select_all=False)
res = q("checks_described", filters(), tuple(sev), lang())
expl = "explanation_zh" if lang() == "zh" else "explanation_en"
check_names = dict(zip(res.check_id, res[expl])) if len(res) else {}
if "dq_checks" not in st.session_state:
    st.session_state.dq_checks = [c for c in url_list("check") if c in check_names]
chosen = c2.multiselect(tr("check"), sorted(check_names), key="dq_checks", format_func=lambda c: check_names.get(c, c),
                        placeholder=tr("choose"), select_all=False)
status_pick = c3.multiselect(tr("review_status"), list(STATUSES), key="dq_status",
                             format_func=lambda s: tr(f"review_{s}"), placeholder=tr("choose"), select_all=False)
write_url({"sev": sev if sev != ["error", "warning"] else None, "check": chosen or None,
           "status": (status_pick or ["all"]) if status_pick != ["open", "confirmed"] else None})
status_words = {s: tr(f"review_{s}") for s in STATUSES}  # words looked up once, not once per row
sev_words = {s: tr(f"sev_{s}") for s in sev_all}
res = res.assign(status=res.finding_key.map(lambda k: reviews.get(k, ("open",))[0]),
                 review_note=res.finding_key.map(lambda k: reviews.get(k, ("", ""))[1]))
every_finding = res
if chosen:
    res = res[res.check_id.isin(chosen)]
if status_pick:
    res = res[res.status.isin(status_pick)]
linked = url_value("finding")
if "dq_review_key" not in st.session_state and linked and linked not in set(res.finding_key) \
        and linked in set(every_finding.finding_key):
    # a link to a finding the filters leave out (dismissed since, say): listed first and said so, never another
    # finding shown in its place (a review saved then would be of that other one)
    res = pd.concat([every_finding[every_finding.finding_key == linked], res])
    st.info(tr("finding_outside_filters", status=tr("review_" + reviews.get(linked, ("open",))[0])))
if st.session_state.get("dq_saved"):  # the review just saved, said once, whether or not its finding is still listed
    st.success(st.session_state.pop("dq_saved"), icon=":material/check:")
if len(res) == 0:  # no failing check said only where there are reports in scope
    if len(by_agency) and (chosen or status_pick != ["open", "confirmed"]):
        st.info(tr("no_findings_filtered"))  # the filters leave none out of those there are: no all-clear
    elif len(by_agency):
        st.success(tr("no_checks"))
    else:
        st.info(tr("no_data"))
else:
    cells, problems = res.place.astype(object), res.written.astype(object)
    shown = pd.DataFrame({
        tr("review_status"): res.status.map(status_words), tr("agency"): res.agency,
        tr("year"): res.year.astype(str), tr("severity"): res.severity.map(sev_words),
        tr("explanation"): res[expl], tr("message"): problems, tr("cells"): cells, tr("note"): res.review_note,
        tr("page_report"): "report?report=" + res.report_id, tr("finding_key"): res.finding_key})
    keys = res.finding_key.tolist()

    def _pick_row():
        """A row clicked in the table is the finding the form below reviews."""
        rows = st.session_state.dq_table.selection.rows
        if rows and rows[0] < len(keys):
            st.session_state.dq_review_key = keys[rows[0]]

    show_table(no_none(shown), width="stretch", hide_index=True, key="dq_table", on_select=_pick_row,
                 selection_mode="single-row",
                 column_config={tr("page_report"): st.column_config.LinkColumn(display_text=tr("open"))})
    out = pd.DataFrame({"status": res.status.map(status_words), "agency": res.agency,
                        "agency_id": res.agency_id, "year": res.year, "severity": res.severity.map(sev_words),
                        "check_id": res.check_id, "explanation": res[expl], "message": problems, "cells": cells,
                        "note": res.review_note, "page_report": "report?report=" + res.report_id,
                        "finding_key": res.finding_key})
    download(out, "findings", "dq_checks_dl", labels={"status": tr("review_status"), "check_id": tr("check")})

    # -- review one finding: what it is, which cells, which report, then the decision ------------------
    st.markdown(f"**{tr('review_one')}**")
    # the picker lists the table's first PICK_LIMIT findings and the one chosen (a row clicked in the table, or
    # the filters above, reach any other): never every finding (3,850 at 100,000 reports)
    every = set(keys)
    if "dq_review_key" not in st.session_state and url_value("finding") in every:  # ?finding=<key>: a link to it
        st.session_state.dq_review_key = url_value("finding")
    current = st.session_state.get("dq_review_key")
    listed = set(keys[:queries.PICK_LIMIT]) | ({current} if current in every else set())
    # a label does not change with the finding's review (the browser keeps a chosen option's old words): its
    # status is said below it
    labels = {k: f"{a} · {y} · {check_names.get(ck, ck)} · {str(c)[:60] or str(p)[:60]} · {k[-10:]}"
              for k, a, y, ck, c, p in zip(keys, res.agency.tolist(), res.year.tolist(), res.check_id.tolist(),
                                           cells.tolist(), problems.tolist()) if k in listed}
    if current not in labels and keys:
        # the finding reviewed left the list (dismissed under the default filters): the first one listed, set
        # explicitly so the picker shows the finding the form below describes
        st.session_state.dq_review_key = keys[0]
    if len(keys) > queries.PICK_LIMIT:
        st.caption(tr("review_pick_more", shown=queries.PICK_LIMIT, n=f"{len(keys):,}"))
    else:
        st.caption(tr("review_pick_row"))
    key = st.selectbox(tr("finding"), list(labels), format_func=labels.get, key="dq_review_key")
    write_url({"finding": key if key != keys[0] else None})
    one = res[res.finding_key == key].iloc[0]
    note = one.review_note if isinstance(one.review_note, str) and one.review_note else ""
    st.markdown(f"{md_text(tr('review_status'))}{colon()}{md_text(status_words.get(one.status, one.status))}"
                + ((f"（{md_text(note)}）" if lang() == "zh" else f" ({md_text(note)})") if note else "") + "  \n"
                f"{md_text(tr('explanation'))}{colon()}{md_text(one[expl])}  \n"
                f"{md_text(tr('message'))}{colon()}{md_text(problems[res.finding_key == key].iloc[0])}  \n"
                f"{md_text(tr('cells'))}{colon()}{md_text(cells[res.finding_key == key].iloc[0]) or '—'}")
    st.page_link("app_pages/report.py", label=f"{tr('page_report')}{colon()}{one.agency} · {one.year}",
                 icon=":material/description:", query_params={"report": one.report_id})
    writing.letter_downloads(one.report_id, "dqf")  # the letter of this finding's report (the one below is the picker's)
    if st.session_state.pop("dq_review_clear", False):  # a saved review: the form empty again (a refused one keeps it)
        st.session_state.dq_review_status, st.session_state.dq_review_note = None, ""
    with st.form("dq_review"):
        # nothing chosen until the reviewer chooses: saving must never confirm a finding by default
        status = st.radio(tr("review_status"), ["confirmed", "dismissed", "open"], horizontal=True, index=None,
                          format_func=lambda s: tr(f"review_{s}"), key="dq_review_status")
        note = st.text_input(tr("note"), key="dq_review_note", max_chars=500)
        if st.form_submit_button(tr("save_review")):
            if status is None:
                st.warning(tr("review_choose"))
                st.stop()
            if status == "dismissed" and not note.strip():  # a dismissal says why the finding is not a problem
                st.warning(tr("review_dismiss_reason"))
                st.stop()
            try:
                add_review(reviews_path, key, status, note)
                # said after the rerun that shows the review applied (a message before it would vanish at once)
                st.session_state.dq_saved = tr("review_saved_one", status=tr(f"review_{status}"), path=reviews_path.name)
                st.session_state.dq_review_clear = True
                st.rerun()
            except OSError as e:
                st.error(tr("review_failed", why=e.strerror or str(e)))

# -- one report's facts -------------------------------------------------------------------------------
st.subheader(tr("one_report"))


def _value_format(values) -> str:
    """One report's facts mix counts and amounts: the browser's own number format then (11,240 and 0.363, not
    11,240.00), whole counts as whole numbers when every value is one."""
    fmt = number_format(values)
    return fmt if fmt.endswith("d") else "localized"


def _where(ev: dict) -> str:
    if "correction" in ev:
        was = ev.get("extracted_value")
        return f"{tr('correction')}: {ev['correction']}（{tr('extracted')}: {'—' if was is None else was}）"
    if "text" in ev:
        return ev["text"]
    table = ev.get("table", "")
    heading = tables.HEADINGS.get(table)  # the table's own heading (表二 …), not its code
    parts = [(heading[0] if lang() == "zh" else heading[1]) if heading else table, ev.get("row", ""), ev.get("column", "")]
    if ev.get("page"):
        parts.append(f"p.{ev['page']}")
    return " / ".join(p for p in parts if p)


rep, is_default = pick_report("dq", url_value("report"), with_source=True)
if rep is None:
    empty_note(None)
else:
    rid = rep.report_id
    write_url({"report": None if is_default else rid})
    writing.letter_downloads(rid, "dq", rep)
    facts = q("report_facts", rid)
    if not empty_note(facts):
        where = facts.evidence.map(lambda e: _where(json.loads(e)) if isinstance(e, str) else "")
        unv = ~facts.verified.fillna(False).astype(bool)
        shown = pd.DataFrame({  # the label first, the code (for analysts who match it in the CSV) last
            tr("metric"): facts.key.map(lambda k: catalog.label(k, lang())),
            tr("value"): facts.value, tr("marks"): ["†" if u else "" for u in unv],
            tr("provenance"): facts.provenance.map(lambda v: tr(f"prov_{v}") if isinstance(v, str) else ""),
            tr("evidence"): where, tr("metric_code"): facts.key,
        })
        if unv.any():
            st.caption(tr("unverified_mark") + " " + tr("unverified_in", n=int(unv.sum())))
        # the value a number (sorted as numbers by a click on its header), its mark in a column of its own
        show_table(no_none(shown), width="stretch", hide_index=True,
                     column_config={tr("value"): st.column_config.NumberColumn(format=_value_format(facts.value))})
        download(pd.DataFrame({"agency": rep.agency, "agency_id": rep.agency_id, "year": int(rep.year), "key": facts.key,
                               "metric": facts.key.map(lambda k: catalog.label(k, lang())), "value": facts.value,
                               "provenance": facts.provenance.map(lambda v: tr(f"prov_{v}") if isinstance(v, str) else ""),
                               "evidence": where, "verified": ~unv}),
                 f"report-facts-{rep.agency}-{rep.year}", "dq_facts", labels={"key": tr("metric_code")})
