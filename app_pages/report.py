"""报告 Report: one agency-year drawn as the official tables print it (header groups, numbering, full
labels, 表四's fifteen columns), cells that fail a check marked with the check, the original file to
download. ?report=<report_id> in the URL; CSVs are named agency-year-table.csv and carry agency and
year columns."""
import pandas as pd
import streamlit as st

from app_pages import printed, writing
from app_pages.picker import pick_report
from app_pages.common import db_path, download, empty_note, lang, md_text, q, show_table, tr, url_value, write_url
from pipeline.spec import catalog
from pipeline.serve import queries
from pipeline.serve.i18n import choice_reason
from pipeline.spec import findings
from pipeline.spec.model import split_key

st.title(tr("page_report"))
rep, _ = pick_report("rp", url_value("report"))
if rep is None:
    empty_note(None)
    st.stop()
rid = rep.report_id
write_url({"report": rid})
facts = q("report_facts", rid)
values = printed.Values(zip(facts.key, facts.value), facts.key[~facts.verified.astype(bool)])
chk = q("report_checks", rid)
meta = [f"{tr('template')}: {rep.template or '—'}", f"{tr('source')}: {md_text(rep.source_name)}"]
if not pd.isna(rep.published_on):
    meta.append(f"{tr('published_on')}: {str(rep.published_on)[:10]}")
reason = choice_reason(rep.choice, rep.choice_facts, rep.choice_runner_up, rep.source_format, lang())
meta.append(f"{tr('choice_reason')}: {md_text(reason)}")
st.caption(" · ".join(meta))
ocr = q("report_ocr", rid)
if ocr:
    from pipeline.read.ocr import OCR_MIN_CONFIDENCE

    st.caption(":material/document_scanner: " + tr("read_by_ocr", n=ocr["facts"], total=ocr["of"],
                                                   low=f"{ocr['min_confidence']:.2f}", mean=f"{ocr['mean_confidence']:.2f}",
                                                   bar=f"{OCR_MIN_CONFIDENCE:.2f}"))
if isinstance(rep.get("source_url"), str) and rep.source_url.startswith(("http://", "https://")):
    st.caption(f"{tr('source_url')}: {md_text(rep.source_url)}")
st.page_link("app_pages/profile.py", label=tr("open_profile", name=rep.agency), icon=":material/account_balance:",
             query_params={"agency": rep.agency_id})
writing.letter_downloads(rid, "rp", rep)

# cells a check names (an identity that fails, the text or another file of the report stating another value):
# (metric, dim) -> (the check's message, written from its fields; its severity); each table's findings, stated
# under it (information findings, such as blank cells, mark nothing)
TABLES = (("active.", "table2"), ("app.", "table3"), ("review", "table4"), ("litigation.", "table4"))
bad: dict[tuple[str, str], tuple[str, str]] = {}
problems: dict[str, list[str]] = {}
for c in sorted(chk.itertuples(), key=lambda c: c.severity != "warning"):  # an error's red over a warning's yellow
    keys = [k for k in (list(c.cells) if c.cells is not None else []) if split_key(k)[1] is not None]
    where = {t for k in keys for prefix, t in TABLES if k.startswith(prefix)}
    if c.severity == "info" or not where:
        continue
    said = findings.message(c.check_id, c.cells, c.data, lang())
    bad |= {split_key(k): (f"{tr('check')}: {c.check_id} · {said}", c.severity) for k in keys}
    for t in sorted(where):
        problems.setdefault(t, []).append(said)

stem = f"{rep.agency}-{rep.year}"
# the tables of which no value could be read: said over their blank form, which otherwise reads as a table of blanks
not_read = {findings.fields(c.data).get("table", "")[:2] for c in chk.itertuples() if c.check_id == "table_missing"}


def show(title: str, built: tuple[str, pd.DataFrame], name: str):
    html, frame = built
    st.subheader(title)
    if {"table2": "表二", "table3": "表三", "table4": "表四"}[name] in not_read:
        st.warning(tr("table_not_read"), icon=":material/visibility_off:")
    st.markdown(html, unsafe_allow_html=True)
    for said in dict.fromkeys(problems.get(name, ())):
        st.caption(":material/error: " + md_text(said))
    if problems.get(name):
        st.caption(tr("failing_cells"))
    frame.insert(0, "year", int(rep.year))
    frame.insert(0, "agency_id", rep.agency_id)
    frame.insert(0, "agency", rep.agency)
    download(frame, f"{stem}-{name}", f"rp_{name}", labels={"block": tr("section"), "row": tr("metric"),
                                                           "unverified": tr("unverified_cells_col"),
                                                           "flagged": tr("flagged_cells_col")})


tpl = rep.template if rep.template in ("2019", "2021") else "2021"
show(tr("table2"), printed.table2(values, bad, tpl, lang()), "table2")
show(tr("table3"), printed.table3(values, bad, tpl, lang()), "table3")
show(tr("table4"), printed.table4(values, bad, lang()), "table4")
if values.unverified:
    st.caption(tr("unverified_cells") + " " + tr("unverified_in", n=len(values.unverified)).replace("（标 †）", ""))

st.subheader(tr("narrative"))
nar = facts[facts.dim.isna()]
if nar.empty:  # one report, no filter: nothing read from its text (not "no data under the filters")
    st.info(tr("narrative_none"))
else:
    prov = nar.provenance.map(lambda v: tr(f"prov_{v}") if isinstance(v, str) else "")
    shown = pd.DataFrame({tr("metric"): nar.key.map(lambda k: catalog.label(k, lang())),
                          tr("value"): nar.value.map(lambda v: printed.as_printed(v, grouped=True)), tr("provenance"): prov})
    show_table(shown, hide_index=True, width="stretch")
    download(pd.DataFrame({"agency": rep.agency, "agency_id": rep.agency_id, "year": int(rep.year), "key": nar.key,
                           "metric": nar.key.map(lambda k: catalog.label(k, lang())), "value": nar.value,
                           "provenance": prov}), f"{stem}-narrative", "rp_narrative", labels={"key": tr("metric_code")})

evidence = facts.evidence.map(queries.evidence_of)
st.subheader(tr("all_facts"))
st.caption(tr("all_facts_note"))
download(pd.DataFrame({"agency": rep.agency, "agency_id": rep.agency_id, "year": int(rep.year), "key": facts.key,
                       "metric": facts.key.map(lambda k: catalog.label(k, lang())), "value": facts.value,
                       "verified": facts.verified.astype(bool),
                       "provenance": facts.provenance.map(lambda v: tr(f"prov_{v}") if isinstance(v, str) else ""),
                       "read_by_ocr": evidence.map(lambda e: e.get("read_by") == "ocr"),
                       "ocr_confidence": evidence.map(lambda e: e.get("ocr_confidence"))}),
         f"{stem}-facts", "rp_facts", labels={"key": tr("metric_code"), "read_by_ocr": tr("read_by"),
                                              "ocr_confidence": tr("ocr_confidence")})
src = q("report_source", rid)
if src and src.get("raw_path"):
    path = db_path().parent / src["raw_path"]
    if path.is_file():
        st.download_button(tr("download_original"), path.read_bytes(), file_name=src["name"], key="rp_original", on_click="ignore")
