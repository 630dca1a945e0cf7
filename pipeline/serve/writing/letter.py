"""A review letter for one report (年报审查意见): the agency, the year, the publication date against its
deadline, the tables and sections missing, every open or confirmed finding (dismissed ones left out)
with the cells it concerns and what the format requires, and the figures that moved most from the
previous year. Every value comes from pipeline.serve.queries; reviews from data/reviews.csv."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.serve import queries
from pipeline.serve.i18n import level_label
from pipeline.serve.reviews import read_reviews
from pipeline.serve.writing import render
from pipeline.serve.writing.templates import missing, render_text
from pipeline.spec import catalog
from pipeline.spec.findings import message as finding_message
from pipeline.spec.findings import where_text
from pipeline.spec.model import split_key

# findings that say a table or a section is missing (listed apart, as the format's gaps)
MISSING_CHECKS = ("table_missing", "section_five_empty", "fees_not_stated")
MOVED_TOP = 5          # how many moved figures the letter lists
MOVED_MIN = 10         # a figure moves "much" only when it is at least this large in one of the two years
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class NotFound(LookupError):
    pass


def _findings(con, rep: pd.Series, reviews: dict, lang: str) -> pd.DataFrame:
    flt = queries.Filters(year_from=int(rep.year), year_to=int(rep.year), agency_ids=(rep.agency_id,))
    f = queries.checks(con, flt)
    f = f[f.report_id == rep.report_id].copy()
    f["status"] = f.finding_key.map(lambda k: reviews.get(k, ("open",))[0])
    f = f[f.status.isin(("open", "confirmed"))]
    f["order"] = f.severity.map(_SEVERITY_ORDER).fillna(3)
    return f.sort_values(["order", "check_id", "finding_key"]).reset_index(drop=True)


def _moved(con, rep: pd.Series, lang: str, unverified_keys: set[str]) -> tuple[list[dict], int | None]:
    """The figures of this report that changed most from the agency's report of the year before:
    relative change |this − last| ÷ max(|this|, |last|), figures of at least MOVED_MIN in one year."""
    years = queries.agency_reports(con, rep.agency_id)
    prev = years[years.year == int(rep.year) - 1]
    if prev.empty:
        return [], None
    now = queries.report_facts(con, rep.report_id).set_index("key").value
    before = queries.report_facts(con, prev.report_id.iloc[0]).set_index("key").value
    both = pd.DataFrame({"now": now, "before": before}).dropna()
    both = both[(both.now != both.before) & (both[["now", "before"]].abs().max(axis=1) >= MOVED_MIN)]
    if both.empty:
        return [], int(rep.year) - 1
    both["rel"] = (both.now - both.before).abs() / both[["now", "before"]].abs().max(axis=1)
    both = both.sort_values("rel", ascending=False).head(MOVED_TOP)
    rows = []
    for key, r in both.iterrows():
        rows.append({"key": key, "label": catalog.label(key, lang) if split_key(key)[0] in catalog.BY_CODE else key,
                     "before": float(r.before), "now": float(r.now), "change": float(r.now - r.before),
                     "pct": float((r.now - r.before) / r.before) if r.before else None,
                     "unverified": key in unverified_keys})
    return rows, int(rep.year) - 1


def letter_context(con, report_id: str, reviews: dict | None = None, lang: str = "zh") -> dict:
    """What the letter template is given; raises NotFound for an unknown report."""
    reps = queries.reports(con, queries.Filters())
    reps = reps[reps.report_id == report_id]
    if reps.empty:
        raise NotFound(f"no report {report_id!r} in the warehouse")
    rep = reps.iloc[0]
    info = queries.agency_info(con, rep.agency_id) or {}
    tl = queries.timeliness(con, queries.Filters(agency_ids=(rep.agency_id,)), int(rep.year))
    tl = tl[tl.report_id == report_id]
    t = tl.iloc[0] if len(tl) else None
    unv = queries.unverified(con, queries.Filters(), report_id=report_id)
    unverified_keys = set(unv["keys"].iloc[0]) if unv is not None and len(unv) else set()
    f = _findings(con, rep, reviews or {}, lang)
    expl = "explanation_zh" if lang == "zh" else "explanation_en"

    def item(r) -> dict:
        return {"check": r.check_id, "severity": r.severity, "status": r.status,
                "requirement": r[expl] or r.check_id, "message": finding_message(r.check_id, r.cells, r.data, lang),
                "cells": where_text(r.cells, r.evidence, lang),
                "key": r.finding_key}

    gaps = [item(r) for _, r in f[f.check_id.isin(MISSING_CHECKS)].iterrows()]
    findings = [item(r) for _, r in f[~f.check_id.isin(MISSING_CHECKS)].iterrows()]
    moved, prev_year = _moved(con, rep, lang, unverified_keys)
    asof = queries.data_as_of(con)
    return {
        "agency": rep.agency, "agency_id": rep.agency_id, "year": int(rep.year), "report_id": report_id,
        "template": None if missing(rep.template) else rep.template, "source_name": rep.source_name, "source_url": rep.source_url if isinstance(
            rep.source_url, str) else None,
        "level": level_label(info.get("level"), lang) if info.get("level") else None,
        "region": "".join(x for x in (info.get("province"), info.get("city"), info.get("district"))
                          if isinstance(x, str)) or None,
        "published_on": None if t is None or missing(t.published_on) else t.published_on,
        "deadline": None if t is None or missing(t.deadline) else t.deadline,
        "timeliness": None if t is None or missing(t.timeliness) else t.timeliness,
        "days_late": None if t is None or missing(t.days_late) else int(t.days_late),
        "gaps": gaps, "findings": findings,
        "confirmed": sum(1 for x in gaps + findings if x["status"] == "confirmed"),
        "open": sum(1 for x in gaps + findings if x["status"] == "open"),
        "moved": moved, "prev_year": prev_year, "moved_min": MOVED_MIN,
        "verified_available": unv is not None,
        "unverified": sorted(catalog.label(k, lang) if split_key(k)[0] in catalog.BY_CODE else k
                             for k in unverified_keys),
        "data_as_of": asof.get("local"), "demo": bool(asof.get("demo")),
        "ocr": queries.report_ocr(con, report_id),  # values read by OCR: facts, of, min_confidence, mean_confidence
    }


def letter_text(con, report_id: str, data_dir: Path | None, lang: str = "zh") -> tuple[str, dict]:
    reviews = read_reviews(Path(data_dir) / "reviews.csv") if data_dir else {}
    ctx = letter_context(con, report_id, reviews, lang)
    return render_text("letter", ctx, data_dir, lang), ctx


def letter_title(ctx: dict, lang: str) -> str:
    return (f"{ctx['agency']}{ctx['year']}年政府信息公开工作年度报告审查意见" if lang == "zh"
            else f"Review of the {ctx['year']} annual report of {ctx['agency']}")


def letter_bytes(con, report_id: str, fmt: str, data_dir: Path | None, lang: str = "zh") -> bytes:
    text, ctx = letter_text(con, report_id, data_dir, lang)
    return render.to_bytes(text, {}, fmt, letter_title(ctx, lang), lang)


def write_letter(con, report_id: str, out: Path, data_dir: Path | None, lang: str = "zh") -> list[Path]:
    text, ctx = letter_text(con, report_id, data_dir, lang)
    return render.write(text, {}, Path(out), letter_title(ctx, lang), lang)
