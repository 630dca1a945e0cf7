"""数据质量 Data quality: failing checks with explanation and evidence, and every fact of one report
with where it came from."""
import json

import pandas as pd
import streamlit as st

from app_pages.common import download, empty_note, filters, lang, q, tr
from pipeline import catalog

st.title(tr("page_quality"))
sev_all = ["error", "warning", "info"]
c1, c2 = st.columns(2)
sev = c1.multiselect(tr("severity"), sev_all, default=["error", "warning"], key="dq_sev",
                     format_func=lambda s: tr(f"sev_{s}"))
res = q("checks", filters(), tuple(sev))
check_ids = sorted(res.check_id.unique()) if len(res) else []
expl = "explanation_zh" if lang() == "zh" else "explanation_en"
check_names = dict(zip(res.check_id, res[expl])) if len(res) else {}
chosen = c2.multiselect(tr("check"), check_ids, key="dq_checks", format_func=lambda c: check_names.get(c, c),
                        placeholder=tr("choose"))
if chosen:
    res = res[res.check_id.isin(chosen)]
if len(res) == 0:
    st.success(tr("no_checks"))
else:
    res = res.assign(severity=res.severity.map(lambda v: tr(f"sev_{v}")),
                     message=res.message.map(lambda m: catalog.with_labels(m, lang())),
                     evidence=res.evidence.map(lambda m: catalog.with_labels(m, lang())))
    shown = res[["agency", "year", "severity", expl, "message", "evidence", "source_name", "check_id"]].rename(columns={
        "agency": tr("agency"), "year": tr("year"), "severity": tr("severity"), "check_id": tr("check"),
        expl: tr("explanation"), "message": tr("message"), "evidence": tr("evidence"), "source_name": tr("source")})
    st.dataframe(shown, width="stretch", hide_index=True)
    download(shown, "checks", "dq_checks_dl")

st.subheader(tr("one_report"))


def _where(ev: dict) -> str:
    if "correction" in ev:
        return f"correction: {ev['correction']} (extracted: {ev.get('extracted_value')})"
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
    facts = q("report_facts", rid)
    if not empty_note(facts):
        shown = pd.DataFrame({
            "metric:dim": facts.key, tr("metric"): facts.key.map(lambda k: catalog.label(k, lang())),
            tr("value"): facts.value, tr("provenance"): facts.provenance,
            tr("evidence"): facts.evidence.map(lambda e: _where(json.loads(e)) if isinstance(e, str) else ""),
        })
        st.dataframe(shown, width="stretch", hide_index=True)
        download(shown, f"report-facts-{rid[:12]}", "dq_facts")
