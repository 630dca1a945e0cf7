"""The dashboard's questions about one report or one agency: the reports, a report's facts, checks and
source file, an agency's record, reports, measures against its peers and checks; the checks' list."""
from __future__ import annotations

import pandas as pd

from pipeline.serve import marts
from pipeline.serve.query_scope import KIND_SQL, Filters, _q, _scope
from pipeline.spec import findings
from pipeline.spec.measures import INPUTS, MEASURES, MIN_PEERS, inputs_of


def checks(con, flt: Filters, severities: tuple[str, ...] = (), check_ids: tuple[str, ...] = ()) -> pd.DataFrame:
    scope, params = _scope(flt, "c")
    extra = ""
    if severities:
        extra += " and c.severity in (select unnest(?::varchar[]))"
        params.append(list(severities))
    if check_ids:
        extra += " and c.check_id in (select unnest(?::varchar[]))"
        params.append(list(check_ids))
    if marts.has(con):
        return marts.checks(con, scope, extra, params)
    return _q(con, f"""
        select c.agency, c.agency_id, c.year, c.severity, c.check_id, c.explanation_zh, c.explanation_en,
            c.evidence, c.cells, c.data, c.source_name, c.report_id, c.finding_key
        from v_check_results c where {scope} {extra}
        order by case c.severity when 'error' then 0 when 'warning' then 1 else 2 end, c.agency, c.year
    """, params)


def checks_described(con, flt: Filters, severities: tuple[str, ...], lang: str) -> pd.DataFrame:
    """`checks` with each finding written in words in `lang`: `message` (what it found) and `place` (the cells
    or the text it points at), as the data-quality page lists them."""
    res = checks(con, flt, severities)
    return res.assign(written=findings.messages(res, lang), place=findings.places(res, lang))


def unplaced_files(con) -> pd.DataFrame:
    """The files read whose agency or year could not be told (so in no report): their name, and the agency
    and year that were told, if either."""
    return _q(con, "select name, agency_raw, year from sources where agency_id is null or year is null "
                   "order by name", [])


def reports(con, flt: Filters) -> pd.DataFrame:
    scope, params = _scope(flt, "r")
    if marts.has(con):
        return marts.reports(con, scope, params)
    return _q(con, f"""
        select r.report_id, r.agency_id, a.name as agency, r.year, r.template, r.source_name, r.source_format, r.published,
            r.alternatives, r.choice_reason, r.choice, r.choice_facts, r.choice_runner_up, r.published_on, r.source_url
        from reports r join agencies a using (agency_id) where {scope} order by a.name, r.year
    """, params)


PICK_LIMIT = 50  # the most agencies a report picker lists at once (the rest are reached by typing a name)


def report_agencies(con, flt: Filters, text: str = "", limit: int = PICK_LIMIT, reported: bool = True) -> pd.DataFrame:
    """A picker's agencies: those in scope (with a report, unless `reported` is false) whose name contains
    `text` (literal text, or one of its aliases, as the sidebar's search), the first `limit` by name, and
    `matches`: how many match in all."""
    literal = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if reported:
        scope, params = _scope(flt, "r")
        source = f"reports r join agencies a using (agency_id) where {scope}"
    else:
        scope, params = flt.agency_where("a")
        source = f"agencies a where {scope}"
    return _q(con, f"""
        select a.agency_id, a.name as agency, count(*) over () as matches
        from {source} and (a.name like ? escape '\\' or list_contains(a.aliases, ?))
        group by a.agency_id, a.name order by a.name, a.agency_id limit ?""",
              [*params, f"%{literal}%", text.strip(), int(limit)])


def report_agency(con, report_id: str) -> str | None:
    """The agency of a report (a linked report, whatever the filters), or None when there is no such report."""
    rows = con.execute("select agency_id from reports where report_id = ?", [report_id]).fetchall()
    return rows[0][0] if rows else None


def report_facts(con, report_id: str) -> pd.DataFrame:
    return _q(con, """
        select f.metric, f.dim, f.key,
            f.value, coalesce(f.verified, false) as verified, f.provenance, f.note, f.evidence
        from v_values f where f.report_id = ?
    """, [report_id])


def evidence_of(value) -> dict:
    """A fact's evidence as a dict, however the warehouse handed it over (JSON text, a dict, null)."""
    import json

    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            got = json.loads(value)
        except ValueError:
            return {}
        return got if isinstance(got, dict) else {}
    return {}


def report_ocr(con, report_id: str) -> dict | None:
    """How much of a report was read by OCR (a scan, or tables pasted as pictures): the values read so,
    of all its values, and the lowest and mean recognition confidence among them; None when none was."""
    row = con.execute("""
        select count(*) filter (where json_extract_string(evidence, '$.read_by') = 'ocr'),
            count(*),
            min(try_cast(json_extract(evidence, '$.ocr_confidence') as double))
                filter (where json_extract_string(evidence, '$.read_by') = 'ocr'),
            avg(try_cast(json_extract(evidence, '$.ocr_confidence') as double))
                filter (where json_extract_string(evidence, '$.read_by') = 'ocr')
        from v_values where report_id = ?""", [report_id]).fetchone()
    if not row or not row[0]:
        return None
    return {"facts": int(row[0]), "of": int(row[1]), "min_confidence": row[2], "mean_confidence": row[3]}


def report_checks(con, report_id: str) -> pd.DataFrame:
    return _q(con, "select check_id, severity, evidence, cells, data from check_results where report_id = ?", [report_id])


def report_source(con, report_id: str) -> dict | None:
    rows = con.execute("""
        select r.source_name, r.source_format, f.raw_path, r.source_sha256
        from reports r left join files f on f.sha256 = r.source_sha256 where r.report_id = ?
    """, [report_id]).fetchall()
    if not rows:
        return None
    name, fmt, raw, sha = rows[0]
    return {"name": name, "format": fmt, "raw_path": raw, "sha256": sha}


def agency_info(con, agency_id: str) -> dict | None:
    rows = _q(con, f"""
        select a.*, p.name as parent_name, {KIND_SQL} as kind from agencies a left join agencies p on p.agency_id = a.parent_id
        where a.agency_id = ?""", [agency_id])
    return None if rows.empty else rows.iloc[0].to_dict()


def agency_reports(con, agency_id: str, dismissed: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each year's report of one agency with its dates and how many findings of each severity (those in
    `dismissed`, finding keys the analysts dismissed, not counted)."""
    from pipeline.serve.query_coverage import reviewed

    return reviewed(con, _q(con, """
        select r.year, r.report_id, r.template, r.source_name, r.published_on, r.deadline, r.timeliness, r.source_url,
            count(c.check_id) filter (where c.severity = 'error') as errors,
            count(c.check_id) filter (where c.severity = 'warning') as warnings,
            count(c.check_id) filter (where c.severity = 'info') as infos
        from reports r left join check_results c using (report_id)
        where r.agency_id = ? group by all order by r.year""", [agency_id]), dismissed)


def agency_measures(con, flt: Filters, agency_id: str) -> pd.DataFrame:
    """measure, year, value of one agency (a rate with its denominator and whether it is a small sample)
    beside the median of its peers, as the ranking defines them (agencies of the same level and kind,
    within the filtered region when a region is filtered, small samples left out), and over how many
    peers (`peers`) that median is."""
    cols = ["measure", "year", "value", "denominator", "small_sample", "verified", "peer_median", "peers"]
    info = agency_info(con, agency_id)
    if info is None:
        return pd.DataFrame(columns=cols)
    peers_flt = Filters(provinces=flt.provinces, cities=flt.cities, levels=(info["level"],))
    aw, ap = peers_flt.agency_where("a")
    rows = []
    mart = marts.has(con)
    own = marts.agency_own(con, agency_id) if mart else _q(
        con, f"select m.*, {KIND_SQL} as kind, " + ", ".join(f"v.{k} as ok_{k}" for k in MEASURES)
        + " from measures m join agencies a using (agency_id) join measures_verified v using (agency_id, year) "
          "where m.agency_id = ?", [agency_id])
    if own.empty:
        return pd.DataFrame(columns=cols)
    kind = own.kind.iloc[0]
    medians, peers = None, None
    if mart and not (flt.provinces or flt.cities):  # every region: the medians computed at build time
        medians = marts.peer_medians(con, info["level"], kind, flt.verified_only)
    elif mart:
        peers = marts.peer_rows(con, info["level"], kind, *_scope(Filters(provinces=flt.provinces, cities=flt.cities), "m"))
    else:
        peers = _q(con, "select m.*, " + ", ".join(f"v.{k} as ok_{k}" for k in MEASURES)
                   + f" from measures m join agencies a using (agency_id) join measures_verified v using (agency_id, year) "
                     f"where {aw} and {KIND_SQL} = ?", [*ap, kind])
    for key, m in MEASURES.items():
        if medians is not None:
            med = medians[medians.measure == key].set_index("year")[["median", "peers"]].rename(columns={"peers": "count"})
        else:
            ok = peers.dropna(subset=[key])
            if flt.verified_only:
                ok = ok[ok[f"ok_{key}"] == True]  # noqa: E712
            if m.rate:
                ok = ok[ok.eval(m.den) >= m.min_den]
            med = ok.groupby("year")[key].agg(["median", "count"])
        peer = dict(zip(med.index.tolist(), zip(med["median"].tolist(), med["count"].tolist())))
        dens = own.eval(m.den).tolist() if m.rate else [None] * len(own)  # each year's own row: one per year
        for year, v, ok, den in zip(own.year.tolist(), own[key].tolist(), own[f"ok_{key}"].tolist(), dens):
            if pd.isna(v):
                continue
            den = float(den) if m.rate else None
            rows.append({"measure": key, "year": year, "value": float(v), "denominator": den,
                         "small_sample": bool(m.rate and den is not None and den < m.min_den),
                         "verified": bool(ok) if not pd.isna(ok) else False,
                         "peer_median": float(peer[year][0]) if year in peer and peer[year][1] >= MIN_PEERS else None,
                         "peers": int(peer[year][1]) if year in peer else 0})
    return pd.DataFrame(rows, columns=cols)


def agency_checks(con, agency_id: str) -> pd.DataFrame:
    if marts.has(con):
        return marts.agency_checks(con, agency_id)
    return _q(con, """
        select c.year, c.severity, c.check_id, c.explanation_zh, c.explanation_en, c.evidence, c.cells, c.data,
            c.report_id, c.finding_key
        from v_check_results c where c.agency_id = ?
        order by c.year, case c.severity when 'error' then 0 when 'warning' then 1 else 2 end""", [agency_id])


def tenfold_jumps(con, flt: Filters, year: int, measures: tuple[str, ...],
                  dismissed: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """measure -> the agencies (sorted) whose figure feeding it changed more than tenfold from the year
    before: an open `jump_tenfold` finding of `year` in scope (one whose key is in `dismissed` is not), so
    that a total or its change shown for the year says when one agency's unconfirmed swing is in it."""
    import duckdb

    fy = Filters(**{**flt.__dict__, "year_from": year, "year_to": year})
    found = checks(con, fy, check_ids=("jump_tenfold",))
    found = found[~found.finding_key.isin(set(dismissed))]
    cells = [(r.agency, key) for r in found.itertuples() for key in (r.cells if r.cells is not None else ())]
    hit: dict[str, list[str]] = {}
    if not cells:
        return hit
    keys = pd.DataFrame(cells, columns=["agency", "key"])
    keys["metric"] = keys.key.str.split(":").str[0]
    keys["dim"] = keys.key.str.split(":").str[1]
    with duckdb.connect() as local:  # the conditions are SQL over (key, metric, dim): run them on these keys alone
        local.register("keys", keys)
        for m in measures:
            conds = [INPUTS[c][1] for c in (inputs_of(m) if m in MEASURES else ()) if c in INPUTS]
            if conds:
                names = sorted(a for (a,) in local.execute(
                    f"select distinct agency from keys where {' or '.join(f'({c})' for c in conds)}").fetchall())
                if names:
                    hit[m] = names
    return hit
