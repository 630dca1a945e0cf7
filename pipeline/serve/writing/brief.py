"""The year's circular (年报审查情况通报) for a region and level: coverage (on time, late with the days,
not published by the deadline, not collected, counts per state), quality (score distribution, lowest and
highest agencies, the most frequent problems with how many agencies have each), the key measures against
the previous year over the same agencies, and charts. Every number comes from pipeline.serve.queries, the
dashboard's own functions (coverage, timeliness, quality_scores, checks, measure_changes)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.serve import queries
from pipeline.serve.i18n import level_label, t
from pipeline.serve.reviews import read_reviews
from pipeline.serve.writing import charts, render
from pipeline.serve.writing.templates import missing, render_text

KEY_MEASURES = ("applications", "accepted_total", "grant_rate", "refusal_rate", "review_correction_rate",
                "litigation_correction_rate", "correction_rate", "website_visits", "followers_total")
# findings about the register or nianbao's own reading, not about the report: not counted as its problems
NOT_PROBLEMS = ("agency_unregistered", "extraction")
SCORE_BANDS = ((100, 100, "100"), (90, 99, "90–99"), (80, 89, "80–89"), (60, 79, "60–79"), (0, 59, "0–59"))
LOWEST, HIGHEST, TOP_PROBLEMS, LIST_MAX = 5, 5, 8, 30
STATES = ("on_time", "late", "loaded", "incomplete", "failing_checks", "not_published", "not_collected", "older_format")


def region_filter(con, code: str | None) -> tuple[tuple[str, ...], str | None]:
    """The agencies of a six-digit division code (320000 a province, 320100 a city, 320102 a county;
    100000 the central government) and the region's name; ((), None) for no code."""
    if not code:
        return (), None
    if not (len(code) == 6 and code.isdigit()):
        raise ValueError(f"region must be a six-digit division code, not {code!r}")
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    ag = queries.agencies(con, queries.Filters())
    ag = ag[ag.adcode.fillna("").str.startswith(prefix)]
    if ag.empty:
        raise ValueError(f"no agency of region {code} in the warehouse")
    depth = {2: ("province",), 4: ("province", "city")}.get(len(prefix), ("province", "city", "district"))
    first = ag.iloc[0]
    name = "".join(str(first[c]) for c in depth if isinstance(first[c], str)) or ("中央" if code == "100000" else code)
    return tuple(ag.agency_id), name


def _names(df: pd.DataFrame, col: str = "agency") -> list[str]:
    return sorted(df[col].dropna().unique().tolist())


def brief_context(con, year: int, flt: queries.Filters, reviews: dict | None = None, lang: str = "zh",
                  region_name: str | None = None) -> dict:
    """What the circular template is given (and the charts' data)."""
    fy = queries.Filters(**{**flt.__dict__, "year_from": year, "year_to": year})
    asof = queries.data_as_of(con)
    return {"year": year, "region": region_name, "levels": [level_label(x, lang) for x in flt.levels],
            **_coverage(con, fy, year, lang, reviews or {}), **_quality(con, fy, year, reviews or {}, lang),
            "measures": _with_jumps(_measures(con, flt, year, lang), con, fy, year, reviews or {}),
            "score_error": queries.SCORE_ERROR,
            "score_warning": queries.SCORE_WARNING, "data_as_of": asof.get("local"), "demo": bool(asof.get("demo"))}


def _state(cov):
    """One state per agency and year for the circular's count (the dashboard paints two marks): a report's
    findings when they fail (incomplete, failing checks), else its timeliness (date or deadline unknown: loaded);
    without a report, why there is none."""
    findings = cov.findings.where(cov.findings.isin(["incomplete", "failing_checks"]))
    timeliness = cov.timeliness.replace({"date_unknown": "loaded", "deadline_unknown": "loaded"})
    return findings.fillna(timeliness)


def _coverage(con, fy: queries.Filters, year: int, lang: str, reviews: dict) -> dict:
    """Who published, when: the coverage matrix's states, the late reports with their days late, the
    agencies not published by the deadline and those not collected."""
    cov = queries.coverage(con, fy, tuple(k for k, v in reviews.items() if v[0] == "dismissed"))
    cov = cov[cov.year == year].assign(state=lambda c: _state(c))
    tl = queries.timeliness(con, fy, year)
    counts = cov.state.value_counts()
    late = tl[tl.timeliness == "late"].sort_values(["days_late", "agency"], ascending=[False, True])
    not_col = cov[cov.state == "not_collected"]
    return {
        "agencies": int(cov.agency_id.nunique()), "reports": int(len(tl)),
        "states": [{"state": s, "label": t(f"status_{s}", lang), "count": int(counts.get(s, 0))} for s in STATES],
        "late": _rows(late, ["agency", "deadline", "published_on", "days_late"]),
        "on_time": int((tl.timeliness == "on_time").sum()),
        "date_unknown": int((tl.timeliness == "unknown").sum()),
        "no_deadline": int(tl.timeliness.isna().sum()),  # agencies outside the register: no deadline known
        "not_published": _names(cov[cov.state == "not_published"]), "not_collected": _names(not_col)[:LIST_MAX],
        "not_collected_total": int(not_col.agency_id.nunique()), "list_max": LIST_MAX,
    }


def _quality(con, fy: queries.Filters, year: int, reviews: dict, lang: str) -> dict:
    """One score per report of the year (open findings only, reviews applied), its bands, the lowest and
    highest agencies, and the most frequent problems (dismissed findings left out). Agencies whose values
    are not all verified stay in the ranking (their findings are what it ranks), marked, and are named."""
    scores = queries.quality_scores(con, fy, tuple(sorted((k, v[0]) for k, v in reviews.items())))
    unv = queries.unverified(con, fy, year)
    ranked = scores.assign(unverified=scores.agency_id.isin(set(unv.agency_id) if unv is not None else set()))
    top_score = ranked.score.max() if len(ranked) else None
    # the lowest: below the top score only (agencies at the top score are the highest line's)
    lowest = ranked[ranked.score < top_score].sort_values(["score", "agency"]).head(LOWEST)
    highest = ranked[ranked.score == top_score].sort_values("agency") if top_score is not None else ranked.head(0)
    ties = int((ranked.score == lowest.score.iloc[-1]).sum() - (lowest.score == lowest.score.iloc[-1]).sum()) \
        if len(lowest) else 0

    found = queries.checks(con, fy)
    found = found[(found.year == year) & ~found.check_id.isin(NOT_PROBLEMS)]
    found = found[found.finding_key.map(lambda k: reviews.get(k, ("open",))[0]) != "dismissed"]
    expl = "explanation_zh" if lang == "zh" else "explanation_en"
    problems = []
    if len(found):
        g = found.groupby(["check_id", "severity", expl], dropna=False).agg(
            agencies=("agency_id", "nunique"), findings=("finding_key", "count")).reset_index()
        g = g.sort_values(["agencies", "findings", "check_id"], ascending=[False, False, True]).head(TOP_PROBLEMS)
        problems = [{"check": r.check_id, "severity": t(f"sev_{r.severity}", lang), "label": r[expl] or r.check_id,
                     "agencies": int(r.agencies), "findings": int(r.findings)} for _, r in g.iterrows()]
    return {
        "scored": int(len(scores)), "problems": problems,
        "bands": [{"band": label, "count": int(((scores.score >= lo) & (scores.score <= hi)).sum())}
                  for lo, hi, label in SCORE_BANDS],
        "lowest": _rows(lowest, ["agency", "score", "errors", "warnings", "unverified"]), "lowest_ties": ties,
        "highest": [r["agency"] + ("*" if r["unverified"] else "") for r in _rows(highest, ["agency", "unverified"])][:HIGHEST],
        "highest_total": int(highest.agency_id.nunique()), "top_score": None if top_score is None else int(top_score),
        "verified_available": unv is not None, "unverified": _names(unv) if unv is not None else [],
        # whether a * above marks any of them (the lists above show a few agencies: a note pointing at marks
        # that are not there would send the reader looking)
        "unverified_marked": bool(lowest.unverified.any() or highest.head(HIGHEST).unverified.any()),
    }


def _measures(con, flt: queries.Filters, year: int, lang: str) -> list[dict]:
    """The key measures against the previous year over the same agencies (the tiles' arithmetic), each with
    its definition and whether its pooled denominator is a small sample."""
    out = []
    for _, r in queries.measure_changes(con, flt, year, KEY_MEASURES).iterrows():
        m = queries.MEASURES[r.measure]
        out.append({"measure": r.measure, "label": m.zh if lang == "zh" else m.en, "rate": m.rate,
                    "definition": queries.definition(r.measure, lang), "value": _v(r.value),
                    "agencies": int(r.agencies), "previous": _v(r.previous), "current_same": _v(r.current_same),
                    "same_agencies": int(r.same_agencies), "change": _v(r.change),
                    "pairs": None if missing(r.get("pairs")) else int(r.pairs),  # a sum of parts: same platforms
                    "pct_change": (r.change / r.previous) if not m.rate and not missing(r.change)
                    and not missing(r.previous) and r.previous else None,
                    "denominator": _v(r.den_value), "min_den": m.min_den,
                    "small": bool(m.rate and not missing(r.den_value) and r.den_value < m.min_den),
                    "small_same": bool(m.rate and not missing(r.den_same) and r.den_same < m.min_den)})
    return out


def _with_jumps(measures: list[dict], con, fy: queries.Filters, year: int, reviews: dict) -> list[dict]:
    """Each measure with `jumps`: the agencies whose figure feeding it changed more than tenfold from the
    year before (the `jump_tenfold` check, a finding not dismissed), so that a change the circular states
    says when one agency's unconfirmed swing is in it (the data-quality page flags them)."""
    dismissed = tuple(k for k, v in reviews.items() if v[0] == "dismissed")
    hit = queries.tenfold_jumps(con, fy, year, tuple(m["measure"] for m in measures), dismissed)
    return [m | {"jumps": hit.get(m["measure"], [])} for m in measures]


def _v(x):
    return None if missing(x) else float(x)


def _rows(df: pd.DataFrame, cols: list[str]) -> list[dict]:
    return [{c: (None if missing(r[c]) else r[c]) for c in cols} for _, r in df.iterrows()]


def brief_charts(ctx: dict, lang: str) -> dict[str, bytes]:
    """coverage (reports per state), scores (reports per score band), rates (previous vs this year)."""
    cl = lang if charts.cjk() else "en"
    out = {}
    shown = [s for s in ctx["states"] if s["count"]]
    if shown:
        out["coverage"] = charts.hbars([t(f"status_{s['state']}", cl) for s in shown], [s["count"] for s in shown],
                                       "机关数" if cl == "zh" else "agencies")
    if ctx["scored"]:
        out["scores"] = charts.hbars([b["band"] for b in ctx["bands"]], [b["count"] for b in ctx["bands"]],
                                     "报告数" if cl == "zh" else "reports", color="#6d8f3b")
    rates = [m for m in ctx["measures"] if m["rate"] and (m["previous"] is not None or m["current_same"] is not None)]
    if rates:
        labels = [queries.MEASURES[m["measure"]].zh if cl == "zh" else queries.MEASURES[m["measure"]].en for m in rates]
        out["rates"] = charts.paired_bars(labels, [m["previous"] for m in rates], [m["current_same"] for m in rates],
                                          (f"{ctx['year'] - 1}", f"{ctx['year']}"))
    return out


def brief_title(ctx: dict, lang: str) -> str:
    where = ctx["region"] or ("" if lang == "zh" else "")
    lv = "、".join(ctx["levels"]) if lang == "zh" else ", ".join(ctx["levels"])
    if lang == "zh":
        return f"{where}{lv}{ctx['year']}年度政府信息公开工作年度报告审查情况通报"
    return " ".join(x for x in (f"Review of the {ctx['year']} annual reports", f"of {where}" if where else "",
                                f"({lv})" if lv else "") if x)


def brief_text(con, year: int, flt: queries.Filters, data_dir: Path | None, lang: str = "zh",
               region_name: str | None = None) -> tuple[str, dict]:
    reviews = read_reviews(Path(data_dir) / "reviews.csv") if data_dir else {}
    ctx = brief_context(con, year, flt, reviews, lang, region_name)
    ctx["title"] = brief_title(ctx, lang)
    return render_text("brief", ctx, data_dir, lang), ctx


def brief_bytes(con, year: int, flt: queries.Filters, fmt: str, data_dir: Path | None, lang: str = "zh",
                region_name: str | None = None) -> bytes:
    text, ctx = brief_text(con, year, flt, data_dir, lang, region_name)
    return render.to_bytes(text, brief_charts(ctx, lang) if fmt != "md" else {}, fmt, ctx["title"], lang)


def write_brief(con, year: int, flt: queries.Filters, out: Path, data_dir: Path | None, lang: str = "zh",
                region_name: str | None = None) -> list[Path]:
    text, ctx = brief_text(con, year, flt, data_dir, lang, region_name)
    return render.write(text, brief_charts(ctx, lang), Path(out), ctx["title"], lang)
