"""The report picker of the report and data-quality pages: first the agency (among the agencies in the
sidebar's scope, at most `PICK_LIMIT` listed at once, narrowed by typing part of its name), then one of its
reports. Every report stays reachable, and a linked report (?report=) is shown even outside the filters;
the browser is never sent a list of every report."""
from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from app_pages.common import bad_param, filters, q, tr
from pipeline.serve import queries


def pick_agency(prefix: str, flt: queries.Filters, initial: str, cols=None, reported: bool = True) -> str:
    """An agency chosen among those in `flt` (with a report, unless `reported` is false): a text box narrows
    them by name, at most `PICK_LIMIT` are listed, and the one chosen stays listed. `initial` is chosen
    when the page opens; `cols` are the two columns the box and the list are drawn in."""
    key_agency, key_find = f"{prefix}_agency", f"{prefix}_find"
    if key_agency not in st.session_state:
        st.session_state[key_agency] = initial
    current = st.session_state[key_agency]
    c1, c2 = cols or st.columns([1, 3])
    text = c1.text_input(tr("find_agency"), key=key_find, placeholder=tr("find_agency_hint"))
    found = q("report_agencies", flt, text, reported=reported)
    names = dict(zip(found.agency_id, found.agency))
    options = list(found.agency_id)
    if current not in options:  # the chosen agency stays chosen while the list is narrowed
        info = q("agency_info", current)
        names[current] = info["name"] if info else current
        options.insert(0, current)
    matches = int(found.matches.iloc[0]) if len(found) else 0
    if matches > len(found):
        c1.caption(tr("find_agency_more", shown=len(found), n=f"{matches:,}"))
    return c2.selectbox(tr("agency"), options, key=key_agency, format_func=lambda a: names.get(a, a))


def pick_report(prefix: str, wanted: str | None, with_source: bool = False) -> tuple[pd.Series | None, bool]:
    """The chosen report's row (as `queries.reports` gives it) and whether it is the default one (the first
    report of the first agency in scope); (None, False) when there is no report in scope. `wanted` is the
    linked report, chosen when the page opens; an unknown one is said to be so."""
    flt = filters()
    first = q("report_agencies", flt, "", reported=True)
    linked = q("report_agency", wanted) if wanted else None
    if wanted and linked is None:
        bad_param("report", wanted)
        wanted = None
    if first.empty and linked is None:
        return None, False
    key_agency, key_report = f"{prefix}_agency", f"{prefix}_report"
    if key_agency in st.session_state and st.session_state[key_agency] != linked and q(
            "reports", dataclasses.replace(flt, agency_ids=(st.session_state[key_agency],))).empty:
        del st.session_state[key_agency]  # the agency chosen has no report in scope any more (the filters changed)
    c1, c2, c3 = st.columns([1, 2, 1])
    aid = pick_agency(prefix, flt, linked or first.agency_id.iloc[0], (c1, c2))
    reps = q("reports", dataclasses.replace(flt, agency_ids=(aid,)))
    if wanted and linked == aid and wanted not in set(reps.report_id):  # a linked report outside the filters
        every = q("reports", queries.Filters(agency_ids=(aid,)))
        reps = pd.concat([reps, every[every.report_id == wanted]], ignore_index=True)
    labels = dict(zip(reps.report_id.tolist(), (
        f"{y} · {s}" if with_source else str(y) for y, s in zip(reps.year.tolist(), reps.source_name.tolist()))))
    if st.session_state.get(key_report) not in labels:
        st.session_state[key_report] = wanted if wanted in labels else next(iter(labels))
    rid = c3.selectbox(tr("choose_report"), list(labels), format_func=labels.get, key=key_report)
    default = not first.empty and aid == first.agency_id.iloc[0] and rid == next(iter(labels))
    return reps[reps.report_id == rid].iloc[0], default
