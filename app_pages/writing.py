"""The office's written output on the dashboard: the review letter of a report (report and data-quality
pages) and the year's circular for the current filters (overview page), as downloads drafted only when
their button is clicked (pipeline/serve/writing). One call per page:

    writing.letter_downloads(report_id, key="rp")
    writing.brief_downloads(year, key="ov")
"""
from __future__ import annotations

import streamlit as st

from app_pages.common import connection, db_path, filters, lang, q
from pipeline.serve import queries
from pipeline.serve.i18n import level_label
from pipeline.serve.writing.brief import brief_bytes
from pipeline.serve.writing.letter import letter_bytes
from pipeline.serve.writing.render import MIME

_WORDS = {
    "letter": ("审查意见", "Review letter"),
    "brief": ("审查情况通报", "Circular"),
    "letter_help": ("根据本报告的待核实和已确认问题（已排除的不列）起草的审查意见，可在 Word 中修改",
                    "A review letter drafted from this report's open and confirmed findings (dismissed ones left out), "
                    "editable in Word"),
    "brief_help": ("按当前筛选条件起草的本年度年报审查情况通报：发布情况、质量、主要数据与上年比较",
                   "The year's circular for the current filters: publication, quality, key figures against the "
                   "previous year"),
}


def _w(key: str) -> str:
    zh, en = _WORDS[key]
    return zh if lang() == "zh" else en


def _make(fn, *args):
    """Bytes of a document, drafted on a connection of its own (the click runs outside the page's run)."""
    def run() -> bytes:
        con = connection()
        try:
            return fn(con, *args)
        finally:
            con.close()
    return run


def letter_downloads(report_id: str, key: str, rep=None) -> None:
    """DOCX and PDF of the report's review letter (`rep`: the report's row of `reports`, when the page has it)."""
    if rep is None:
        reps = q("reports", queries.Filters())
        row = reps[reps.report_id == report_id]
        rep = row.iloc[0] if len(row) else None
    stem = f"{rep.agency}-{int(rep.year)}" if rep is not None else report_id[:12]
    cols = st.columns([1, 1, 4])
    for col, fmt in zip(cols, ("docx", "pdf")):
        col.download_button(f"{_w('letter')} {fmt.upper()}", _make(letter_bytes, report_id, fmt, db_path().parent, lang()),
                            file_name=f"{stem}-{_w('letter')}.{fmt}", mime=MIME[fmt], key=f"wr_{key}_letter_{fmt}", on_click="ignore",
                            help=_w("letter_help"))


def _region(flt: queries.Filters) -> str | None:
    """The circular's region from the sidebar: one city, or one province, else none named."""
    if len(flt.cities) == 1:
        return (flt.provinces[0] if len(flt.provinces) == 1 else "") + flt.cities[0]
    if len(flt.provinces) == 1 and not flt.cities:
        return flt.provinces[0]
    return None


def brief_downloads(year: int, key: str) -> None:
    """DOCX, PDF and HTML of the year's circular for the current filters."""
    flt = filters()
    if not len(q("agencies", flt)):  # a circular of no agency would say that all was collected and found well
        return
    cols = st.columns([1, 1, 1, 1])  # wide enough for "审查情况通报 DOCX" at an office laptop's width
    # named as its title names it: the region and the levels chosen, then the year
    levels = ("、" if lang() == "zh" else "-").join(level_label(x, lang()) for x in flt.levels)
    stem = f"{_region(flt) or ''}{levels}{year}-{_w('brief')}"
    for col, fmt in zip(cols, ("docx", "pdf", "html")):
        col.download_button(f"{_w('brief')} {fmt.upper()}",
                            _make(brief_bytes, year, flt, fmt, db_path().parent, lang(), _region(flt)),
                            file_name=f"{stem}.{fmt}", mime=MIME[fmt],
                            key=f"wr_{key}_brief_{fmt}", on_click="ignore", help=_w("brief_help"))
