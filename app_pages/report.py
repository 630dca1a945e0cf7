"""报告 Report: one agency-year drawn as the official tables, cells that fail a check in red, and the
original file to download."""
import pandas as pd
import streamlit as st

from app_pages.common import db_path, download, empty_note, filters, lang, md_text, q, tr
from pipeline import catalog, tables
from pipeline.identities import OUTCOME_METRICS_2019, OUTCOME_METRICS_2021

st.title(tr("page_report"))
reps = q("reports", filters())
if empty_note(reps):
    st.stop()
labels = {r.report_id: f"{r.agency} · {r.year}" for r in reps.itertuples()}
rid = st.selectbox(tr("choose_report"), list(labels), format_func=labels.get, key="rp_report")
rep = reps[reps.report_id == rid].iloc[0]
facts = q("report_facts", rid)
values = dict(zip(facts.key, facts.value))
chk = q("report_checks", rid)
st.caption(f"{tr('template')}: {rep.template or '—'} · {tr('source')}: {md_text(rep.source_name)} · "
           f"{tr('choice_reason')}: {md_text(rep.choice_reason)}")

# cells named by failing identity checks: (metric, dim) pairs
bad: set[tuple[str, str]] = set()
for c in chk.itertuples():
    outcome_rows = OUTCOME_METRICS_2021 if rep.template == "2021" else OUTCOME_METRICS_2019
    if c.check_id in ("app_balance", "app_outcomes_sum"):
        rows = (["app.received_new", "app.carried_in", "app.total", "app.carried_out"] if c.check_id == "app_balance"
                else list(outcome_rows) + ["app.total"])
        bad |= {(m, c.evidence) for m in rows}
    elif c.check_id == "app_columns_sum":
        bad |= {(c.evidence, d) for d in catalog.APPLICANT}
    elif c.check_id == "review_sum":
        bad |= {(c.evidence, d) for d in catalog.REVIEW}


def _as_printed(v) -> str:
    """A number as a report prints it: 3985758, 1,205.5 stays 1205.5; never 3.98576e+06; blank stays blank."""
    if v is None or pd.isna(v):
        return ""
    f = float(v)
    return str(int(f)) if f.is_integer() else format(f, ".6f").rstrip("0").rstrip(".")


def show(df: pd.DataFrame, cells: list[list[tuple[str, str]]], name: str, **kw):
    """A table as printed: numbers as written, blank where the report gave no number, failing cells red;
    with the CSV of exactly this table."""
    text = df.map(_as_printed)

    def color(_):
        return pd.DataFrame([["background-color: #ffcdd2" if cell in bad else "" for cell in row] for row in cells],
                            index=df.index, columns=df.columns)

    st.dataframe(text.style.apply(color, axis=None), width="stretch", **kw)
    download(text.rename_axis(tr("metric")).reset_index(), f"{name}-{rid[:12]}", f"rp_{name}")


tpl = rep.template if rep.template in ("2019", "2021") else "2021"
dim_names = [catalog.DIM_LABELS[d][0 if lang() == "zh" else 1] for d in catalog.APPLICANT]

st.subheader(tr("table2"))
for caption, header, block_rows, dims in tables.ACTIVE_BLOCKS[tpl]:
    st.caption(caption)
    block = pd.DataFrame([[values.get(f"{metric}:{d}") for d in dims] for _, metric in block_rows],
                         index=[catalog.label(metric, lang()) for _, metric in block_rows],
                         columns=[catalog.DIM_LABELS[d][0 if lang() == "zh" else 1] for d in dims])
    show(block, [[(metric, d) for d in dims] for _, metric in block_rows], "table2-" + caption[-3])

st.subheader(tr("table3"))
app_metrics = ["app.received_new", "app.carried_in"] + [m for _, _, m in tables.app_rows(tpl)] + ["app.carried_out"]
if rep.template == "2021" and "app.other:total" in values:
    app_metrics = [m if not m.startswith("app.other.") else None for m in app_metrics]
    app_metrics = [m for m in app_metrics if m]
    app_metrics.insert(app_metrics.index("app.total"), "app.other")
t3 = pd.DataFrame([[values.get(f"{m}:{d}") for d in catalog.APPLICANT] for m in app_metrics],
                  index=[catalog.label(m, lang()) for m in app_metrics], columns=dim_names)
show(t3, [[(m, d) for d in catalog.APPLICANT] for m in app_metrics], "table3", height=35 * len(app_metrics) + 40)

st.subheader(tr("table4"))
blocks = tables.REVIEW_BLOCKS
t4 = pd.DataFrame([[values.get(f"{b}:{d}") for d in catalog.REVIEW] for b in blocks],
                  index=[catalog.label(b, lang()) for b in blocks],
                  columns=[catalog.DIM_LABELS[d][0 if lang() == "zh" else 1] for d in catalog.REVIEW])
show(t4, [[(b, d) for d in catalog.REVIEW] for b in blocks], "table4")
if bad:
    st.caption(":material/error: " + tr("failing_cells"))

st.subheader(tr("narrative"))
nar = facts[facts.dim.isna()]
if not empty_note(nar):
    shown = pd.DataFrame({tr("metric"): nar.key.map(lambda k: catalog.label(k, lang())), tr("value"): nar.value,
                          tr("provenance"): nar.provenance})
    st.dataframe(shown, hide_index=True, width="stretch")
    download(shown, f"narrative-{rid[:12]}", "rp_narrative")

download(facts[["key", "value", "provenance"]], f"report-{rid[:12]}", "rp_facts")
src = q("report_source", rid)
if src and src.get("raw_path"):
    path = db_path().parent / src["raw_path"]
    if path.is_file():
        st.download_button(tr("download_original"), path.read_bytes(), file_name=src["name"], key="rp_original")
