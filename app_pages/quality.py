"""数据质量 Data quality: a score per report, agencies worst-first, every finding with its report, and
analysts' reviews (confirmed / dismissed, with a note) kept in data/reviews.csv beside corrections.csv;
scores count open findings only. Below, every fact of one report with where it came from."""
import json

import pandas as pd
import streamlit as st

from app_pages import writing
from app_pages.common import db_path, download, empty_note, filters, lang, no_none, q, tr
from pipeline.spec import catalog
from pipeline.serve import queries
from pipeline.serve.reviews import STATUSES, add_review, read_reviews

st.title(tr("page_quality"))
reviews_path = db_path().parent / "reviews.csv"
reviews = read_reviews(reviews_path)
reviewed = tuple(sorted((k, v[0]) for k, v in reviews.items()))

# -- scores -------------------------------------------------------------------------------------------
st.subheader(tr("scores"))
st.caption(tr("score_rule", e=queries.SCORE_ERROR, w=queries.SCORE_WARNING))
scores = q("quality_scores", filters(), reviewed)
if not empty_note(scores):
    by_agency = queries.quality_by_agency(scores)
    shown = pd.DataFrame({
        tr("agency"): by_agency.agency, tr("n_reports"): by_agency.reports, tr("min_score"): by_agency.min_score,
        tr("mean_score"): by_agency.mean_score.round(1), tr("errors_open"): by_agency.errors_open,
        tr("warnings_open"): by_agency.warnings_open, tr("worst_year"): by_agency.worst_year.astype(str),
        tr("profile"): "profile?agency=" + by_agency.agency_id})
    st.dataframe(no_none(shown), hide_index=True, width="stretch", column_config={
        tr("profile"): st.column_config.LinkColumn(display_text=tr("open")),
        tr("min_score"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d")})
    download(by_agency, "quality-by-agency", "dq_agencies")
    download(scores.drop(columns=["report_id"]), "quality-by-report", "dq_scores")

# -- findings ---------------------------------------------------------------------------------------
st.subheader(tr("findings"))
sev_all = ["error", "warning", "info"]
c1, c2, c3 = st.columns(3)
sev = c1.multiselect(tr("severity"), sev_all, default=["error", "warning"], key="dq_sev",
                     format_func=lambda s: tr(f"sev_{s}"))
res = q("checks", filters(), tuple(sev))
expl = "explanation_zh" if lang() == "zh" else "explanation_en"
msg = "message" if lang() == "zh" else "message_en"  # every finding in the interface's language
check_names = dict(zip(res.check_id, res[expl])) if len(res) else {}
chosen = c2.multiselect(tr("check"), sorted(check_names), key="dq_checks", format_func=lambda c: check_names.get(c, c),
                        placeholder=tr("choose"))
status_pick = c3.multiselect(tr("review_status"), list(STATUSES), default=["open"], key="dq_status",
                             format_func=lambda s: tr(f"review_{s}"))
res = res.assign(status=res.finding_key.map(lambda k: reviews.get(k, ("open",))[0]),
                 review_note=res.finding_key.map(lambda k: reviews.get(k, ("", ""))[1]))
if chosen:
    res = res[res.check_id.isin(chosen)]
if status_pick:
    res = res[res.status.isin(status_pick)]
if len(res) == 0:
    st.success(tr("no_checks"))
else:
    shown = pd.DataFrame({
        tr("review_status"): res.status.map(lambda s: tr(f"review_{s}")), tr("agency"): res.agency,
        tr("year"): res.year.astype(str), tr("severity"): res.severity.map(lambda v: tr(f"sev_{v}")),
        tr("explanation"): res[expl], tr("message"): res[msg].map(lambda m: catalog.with_labels(m, lang())),
        tr("evidence"): res.evidence.map(lambda m: catalog.with_labels(m, lang())), tr("note"): res.review_note,
        tr("page_report"): "report?report=" + res.report_id, tr("finding_key"): res.finding_key})
    st.dataframe(no_none(shown), width="stretch", hide_index=True,
                 column_config={tr("page_report"): st.column_config.LinkColumn(display_text=tr("open"))})
    download(shown, "findings", "dq_checks_dl")

    # -- review one finding -------------------------------------------------------------------------
    with st.form("dq_review", clear_on_submit=True):
        st.markdown(f"**{tr('review_one')}**")
        labels = {r.finding_key: f"{r.agency} · {r.year} · {check_names.get(r.check_id, r.check_id)}"
                  for r in res.itertuples()}
        key = st.selectbox(tr("finding"), list(labels), format_func=labels.get, key="dq_review_key")
        status = st.radio(tr("review_status"), ["confirmed", "dismissed", "open"], horizontal=True,
                          format_func=lambda s: tr(f"review_{s}"), key="dq_review_status")
        note = st.text_input(tr("note"), key="dq_review_note", max_chars=500)
        if st.form_submit_button(tr("save_review")):
            try:
                add_review(reviews_path, key, status, note)
                st.success(tr("review_saved", path=reviews_path.name))
                st.rerun()
            except OSError as e:
                st.error(tr("review_failed", why=e.strerror or str(e)))

# -- one report's facts -------------------------------------------------------------------------------
st.subheader(tr("one_report"))


def _where(ev: dict) -> str:
    if "correction" in ev:
        return f"{tr('correction')}: {ev['correction']} ({tr('extracted')}: {ev.get('extracted_value')})"
    if "text" in ev:
        return ev["text"]
    parts = [ev.get("table", ""), ev.get("row", ""), ev.get("column", "")]
    if ev.get("page"):
        parts.append(f"p.{ev['page']}")
    return " / ".join(p for p in parts if p)


reps = q("reports", filters())
if not empty_note(reps):
    labels = {r.report_id: f"{r.agency} · {r.year} · {r.source_name}" for r in reps.itertuples()}
    rid = st.selectbox(tr("choose_report"), list(labels), format_func=labels.get, key="dq_report")
    writing.letter_downloads(rid, "dq")
    facts = q("report_facts", rid)
    if not empty_note(facts):
        shown = pd.DataFrame({
            "metric:dim": facts.key, tr("metric"): facts.key.map(lambda k: catalog.label(k, lang())),
            tr("value"): facts.value, tr("provenance"): facts.provenance,
            tr("evidence"): facts.evidence.map(lambda e: _where(json.loads(e)) if isinstance(e, str) else ""),
        })
        st.dataframe(no_none(shown), width="stretch", hide_index=True)
        download(shown, f"report-facts-{rid[:12]}", "dq_facts")
