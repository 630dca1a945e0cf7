"""The DuckDB warehouse: connect read-only, and build a new warehouse file from extracted sources.

`Builder` writes a complete warehouse into a new file: it carries over what an earlier warehouse
already read (unchanged files), adds what was just extracted, resolves agencies, chooses one file
per agency and year, applies the analysts' corrections, runs every check and records the run.
Publishing (the swap) is the refresh's job (`pipeline/refresh/run.py`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.spec import catalog
from pipeline.spec.measures import derived_sql, inputs_sql, rates_sql, verified_sql
from pipeline.warehouse import checks, marts
from pipeline.warehouse.agencies import resolve, sector_of
from pipeline.spec.model import PARSER_VERSION, fact_key, split_key
from pipeline.warehouse.corrections import (  # noqa: F401  (re-exported: callers use build.<name>)
    Correction, _CORR_FIELDS, _CORR_ALIASES, read_corrections)

from pipeline.warehouse.version import SCHEMA_VERSION  # noqa: F401,E402  (re-exported: callers use build.SCHEMA_VERSION)
# the rates' SQL is made from the one definition of each measure (pipeline/spec/measures.py)
SCHEMA_SQL = (Path(__file__).with_name("schema.sql")).read_text(encoding="utf-8").replace("{rates}", rates_sql()).replace(
    "{inputs}", inputs_sql()).replace("{derived}", derived_sql()).replace("{verified}", verified_sql())
SCHEMA_TABLES, SCHEMA_DERIVED = SCHEMA_SQL.split("-- @after-load", 1)
FILE_COLUMNS = ["sha256", "name", "inbox_path", "format", "size_bytes", "mtime_ns", "raw_path", "first_load_id",
                "last_load_id", "status", "error", "source_url", "page_url", "published_on", "fetched_at", "fetched_for"]
FORMAT_PREFERENCE = {"html": 0, "mhtml": 0, "docx": 1, "odt": 1, "pdf": 2, "txt": 3, "doc": 4, "wps": 4,
                     "rtf": 4}


def connect_readonly(path: str | Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


@dataclass
class Extraction:
    """One file's extraction, as the refresh workers return it."""
    sha256: str
    name: str
    format: str
    report: dict  # Report.to_json()
    sentence_hashes: list[int] = field(default_factory=list)
    report_checks: list[tuple] = field(default_factory=list)  # id, severity, zh, en, evidence, cells, data (JSON)
    fact_rows: list[tuple] | None = None  # (metric, dim, value, evidence JSON, verified), made by `prepare`

    def prepare(self) -> "Extraction":
        """Serialise the facts' evidence where the extraction ran (a worker), so the process writing the
        warehouse only inserts rows; the report keeps its facts' count, not the facts."""
        if self.fact_rows is None:
            facts = self.report.get("facts", [])
            self.fact_rows = [(f["metric"], f["dim"], float(f["value"]), json.dumps(f["evidence"], ensure_ascii=False),
                               bool(f.get("verified", True))) for f in facts]
            self.report = dict(self.report, facts=None, n_facts=len(facts),
                               issues=json.dumps(self.report.get("issues", []), ensure_ascii=False),
                               statements=json.dumps(self.report.get("statements", []), ensure_ascii=False))
        return self


def first_row(con, sql: str, params=None):
    """The first row of a query, or None. (DuckDB 2 wants every result read to its end.)"""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def _df(rows: list, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def insert_rows(con, table: str, rows: list, columns: list[str] | None = None):
    """Insert many rows at once through a DataFrame (DuckDB's executemany runs one statement a row)."""
    if not rows:
        return
    if not re.fullmatch(r"[a-z_]+", table) or (columns and not all(re.fullmatch(r"[a-z_0-9]+", c) for c in columns)):
        raise ValueError(f"not a table or column name of the warehouse: {table!r} {columns!r}")
    cols = columns or [d[0] for d in con.execute(f"select * from {table} limit 0").description]
    con.register("_rows", _df(rows, cols))
    try:
        con.execute(f"insert into {table} ({', '.join(cols)}) select {', '.join(cols)} from _rows")
    finally:
        con.unregister("_rows")


class Builder:
    """Writes a complete warehouse into a new file, in steps, so extractions stream in as they come
    (memory stays flat however many reports a refresh reads):

        b = Builder(target, load_id, built_at)
        b.carry_over(previous_db, unchanged_shas)   # what an earlier warehouse already read
        b.add(extractions)                          # called per batch
        counts = b.finish(files_rows, run_row, corrections)
    """

    def __init__(self, target: Path, load_id: str, built_at, threads: int | None = None):
        self.con = duckdb.connect(str(target), config={"threads": threads} if threads else {})
        self.load_id = load_id
        self.prev_runs = None
        con = self.con
        con.execute(SCHEMA_TABLES)
        insert_rows(con, "meta", [
            ("schema_version", SCHEMA_VERSION), ("parser_version", PARSER_VERSION), ("load_id", load_id),
            ("built_at", built_at.isoformat())])
        _metrics_table(con)
        insert_rows(con, "checks", checks.registry_rows())

    def carry_over(self, keep_from: Path | None, keep_shas: list[str]):
        if keep_from is None:
            return
        con = self.con
        con.execute("attach ? as prev (read_only)", [str(keep_from)])
        try:
            if keep_shas:
                con.execute("create temp table keep as select unnest(?::varchar[]) as sha256", [keep_shas])
                for t in ("sources", "source_facts", "sentences", "source_checks"):
                    con.execute(f"insert into {t} select p.* from prev.{t} p semi join keep k on k.sha256 = p.sha256")
            try:
                self.prev_runs = con.execute("select * from prev.runs").fetchdf()
                if list(self.prev_runs.columns) != [d[0] for d in con.execute("select * from runs limit 0").description]:
                    self.prev_runs = None  # an older layout of the run history: start it anew
            except duckdb.Error:
                self.prev_runs = None
        finally:
            con.execute("detach prev")

    def add(self, extractions: list[Extraction]):
        _insert_extractions(self.con, extractions, self.load_id)

    def close(self):
        self.con.close()

    def finish(self, files_rows: list[dict], run_row: dict, corrections: list[Correction],
               context: dict | None = None) -> dict:
        """`context`: the register's entries (`register`), the older-format reports fetch recorded
        (`publications`) and each source's last fetch (`fetch_sources`)."""
        con = self.con
        context = context or {}
        try:
            files_df = _df([[r.get(c) for c in FILE_COLUMNS] for r in files_rows], FILE_COLUMNS)
            files_df["published_on"] = pd.to_datetime(files_df["published_on"], errors="coerce").dt.date
            files_df["fetched_at"] = pd.to_datetime(files_df["fetched_at"], errors="coerce", utc=True).dt.tz_localize(None)
            if len(files_df):
                con.register("new_files", files_df)
                con.execute(f"insert into files ({', '.join(FILE_COLUMNS)}) select * from new_files")
                con.unregister("new_files")
            # agencies (the register's, then those named by reports), one report per agency and year,
            # facts with corrections
            unregistered = _agencies(con, context.get("register") or [])
            _fetch_tables(con, context)
            _reports(con)
            con.execute("""insert into meta select 'demo', case when count(*) > 0 then '1' else '0' end
                           from reports r join files f on f.sha256 = r.source_sha256 where f.inbox_path like 'demo/%'""")
            correction_problems = _facts(con, corrections)
            # checks, then the derived tables the dashboard reads
            _checks(con, corrections)
            con.execute(SCHEMA_DERIVED)
            marts.build(con)
            counts = {"error": 0, "warning": 0, "info": 0}
            for sev, n in con.execute("select severity, count(*) from check_results group by 1").fetchall():
                counts[sev] = n
            reports_loaded = first_row(con, "select count(*) from reports")[0]
            run = dict(run_row, reports_loaded=reports_loaded, checks_error=counts["error"],
                       checks_warning=counts["warning"], checks_info=counts["info"])
            if self.prev_runs is not None and len(self.prev_runs):
                con.register("prev_runs", self.prev_runs)
                con.execute("insert into runs select * from prev_runs")
                con.unregister("prev_runs")
            cols = ["load_id", "started_at", "finished_at", "parser_version", "status", "files_seen", "files_new",
                    "files_unchanged", "files_failed", "reports_loaded", "checks_error", "checks_warning", "checks_info",
                    "seconds"]
            con.execute(f"insert into runs values ({', '.join('?' * len(cols))})", [run.get(c) for c in cols])
            by_check = con.execute("select check_id, severity, count(*) from check_results group by all order by 2, 1").fetchall()
            unplaced = con.execute("select name from sources where agency_id is null or year is null order by name").fetchall()
            con.execute("checkpoint")
            return {"reports_loaded": reports_loaded, "checks": counts, "unregistered": unregistered,
                    "checks_by_id": [{"check": c, "severity": s, "rows": n} for c, s, n in by_check],
                    "unplaced": [u[0] for u in unplaced], "correction_problems": correction_problems}
        finally:
            con.close()


def _metrics_table(con):
    rows = []
    order = 0
    for m in catalog.METRICS:
        for k in m.keys():
            dim = split_key(k)[1]
            zh = catalog.label(k, "zh")
            en = catalog.label(k, "en")
            rows.append((k, m.code, dim, m.section, m.unit, "|".join(m.templates), zh, en, order))
            order += 1
    insert_rows(con, "metrics", rows)


def _insert_extractions(con, extractions: list[Extraction], load_id: str):
    if not extractions:
        return
    src, facts, sents, chks = [], [], [], []
    for e in extractions:
        e.prepare()
        r = e.report
        src.append((e.sha256, r.get("parser_version", PARSER_VERSION), load_id, r.get("agency"), None, r.get("year"),
                    r.get("template"), e.format, e.name, r.get("title"), r.get("published"), r["n_facts"],
                    r["issues"], r["statements"]))
        facts += [(e.sha256, *row) for row in e.fact_rows]
        sents += [(e.sha256, h) for h in e.sentence_hashes]
        chks += [(e.sha256, *c) for c in e.report_checks]
    for table, rows, cols in (
        ("sources", src, ["sha256", "parser_version", "load_id", "agency_raw", "agency_id", "year", "template", "format",
                          "name", "title", "published", "n_facts", "issues", "statements"]),
        ("source_facts", facts, ["sha256", "metric", "dim", "value", "evidence", "verified"]),
        ("sentences", sents, ["sha256", "h"]),
        ("source_checks", chks, ["sha256", "check_id", "severity", "message", "message_en", "evidence", "cells", "data"]),
    ):
        if rows:
            df = _df(rows, cols)
            if table == "sources":
                df["published"] = pd.to_datetime(df["published"], errors="coerce").dt.date
                df["year"] = df["year"].astype("Int64")
            con.register("new_rows", df)
            con.execute(f"insert into {table} select * from new_rows")
            con.unregister("new_rows")


def _agencies(con, register: list) -> list[str]:
    """The agencies table and every source's agency: a register entry when the report's address, the
    agency it was fetched for or its names attach it to one; otherwise the agency named by the report's
    text, as resolved by `agencies.resolve` (flagged as unregistered when a register exists).
    Returns the names of unregistered agencies with reports."""
    from pipeline.warehouse.register import Matcher, region_names, squeeze

    srcs = con.execute("""
        select s.sha256, s.agency_raw, f.source_url, f.fetched_for
        from sources s left join files f using (sha256)""").fetchall()
    names = sorted({r[1] for r in srcs if r[1]})
    resolved = resolve(names)
    matcher = Matcher(register)
    rows: dict[str, tuple] = {}
    seen_names: dict[str, set] = {}
    for e in register:
        prov, city, dist = region_names(e.region_code)
        rows[e.agency_id] = (e.agency_id, e.name, list(e.aliases), prov, city, dist, e.region_code, e.tier,
                             sector_of(e.name), True, e.level, e.parent_id or None, e.list_url or None)
    mapping, why = [], {}
    for sha, raw, url, hint in srcs:
        name = squeeze(raw) if raw else None
        ag = resolved.get(name) if name else None
        entry, how = matcher.match(raw, url, hint, ag.adcode if ag else None) if register else (None, "")
        if entry is not None:
            mapping.append((sha, entry.agency_id))
            if name and name not in entry.names:
                seen_names.setdefault(entry.agency_id, set()).add(name)
        elif ag is not None:
            mapping.append((sha, ag.agency_id))
            if ag.agency_id not in rows:
                rows[ag.agency_id] = (ag.agency_id, ag.name, ag.aliases, ag.province, ag.city, ag.district, ag.adcode,
                                      ag.level, ag.sector, False, None, None, None)
            why[ag.agency_id] = how
    for aid, extra in seen_names.items():
        r = rows[aid]
        rows[aid] = (*r[:2], sorted(set(r[2]) | extra), *r[3:])
    insert_rows(con, "agencies", list(rows.values()))
    if mapping:
        con.register("amap", _df(mapping, ["sha256", "agency_id"]))
        con.execute("update sources s set agency_id = m.agency_id from amap m where m.sha256 = s.sha256")
        con.unregister("amap")
    used = {aid for _, aid in mapping}
    return sorted(rows[a][1] for a in why if a in used) if register else []


def _fetch_tables(con, context: dict):
    pubs = [(p.get("agency_id"), p.get("year"), p.get("url"), p.get("title"), p.get("published_on"), "older_format")
            for p in context.get("publications") or []]
    if pubs:
        df = _df(pubs, ["agency_id", "year", "url", "title", "published_on", "status"]).drop_duplicates(["agency_id", "year", "url"])
        df["published_on"] = pd.to_datetime(df["published_on"], errors="coerce").dt.date
        con.register("pubs", df)
        con.execute("insert into publications select * from pubs")
        con.unregister("pubs")
    srcs = [(aid, s.get("list_url"), s.get("list_ok"), s.get("last_run"), s.get("years_listed") or [], s.get("last_error"))
            for aid, s in (context.get("fetch_sources") or {}).items()]
    if srcs:
        df = _df(srcs, ["agency_id", "list_url", "list_ok", "last_run", "years_listed", "last_error"])
        for c in ("list_ok", "last_run"):
            df[c] = pd.to_datetime(df[c], errors="coerce", utc=True).dt.tz_localize(None)
        con.register("srcs", df)
        con.execute("insert into fetch_sources select * from srcs")
        con.unregister("srcs")


def _reports(con):
    pref = " ".join(f"when '{k}' then {v}" for k, v in FORMAT_PREFERENCE.items())
    con.execute(f"""
        insert into reports
        with ranked as (
            select *, row_number() over (
                partition by agency_id, year
                order by n_facts desc, case format {pref} else 9 end, published desc nulls last, sha256) as rk,
                count(*) over (partition by agency_id, year) as n_files,
                max(n_facts) over (partition by agency_id, year) as best
            from sources where agency_id is not null and year is not null
        ),
        runner as (select agency_id, year, n_facts as second from ranked where rk = 2),
        -- the earliest date a site showed for any file of this agency and year (a page and its PDF)
        dates as (
            select s.agency_id, s.year, min(f.published_on) as published_on
            from sources s join files f using (sha256)
            where s.agency_id is not null and s.year is not null and f.published_on is not null
            group by all
        )
        select r.sha256, r.agency_id, r.year, r.template, r.sha256, r.format, r.name, r.published, r.parser_version,
            r.load_id, r.n_files - 1,
            case when r.n_files = 1 then 'only file'
                 when r.n_facts > coalesce(x.second, -1) then format('most facts read ({{}} vs {{}})', r.n_facts, x.second)
                 else format('same number of facts; {{}} preferred', r.format) end,
            d.published_on, coalesce(f.page_url, f.source_url), null, null,
            case when r.n_files = 1 then 'only' when r.n_facts > coalesce(x.second, -1) then 'most_facts'
                 else 'format' end,
            r.n_facts, case when r.n_files > 1 then x.second end
        from ranked r left join runner x using (agency_id, year)
        left join dates d using (agency_id, year)
        left join files f on f.sha256 = r.sha256
        where r.rk = 1
    """)
    # the deadline of the register's level (Article 49), and whether the site's date met it
    con.execute("""
        update reports r set deadline = report_deadline(a.register_level, r.year)
        from agencies a where a.agency_id = r.agency_id and a.registered
    """)
    con.execute("""
        update reports set timeliness = case when published_on is null then 'unknown'
            when published_on <= deadline then 'on_time' else 'late' end
        where deadline is not null
    """)


def _facts(con, corrections: list[Correction]) -> list[str]:
    con.execute("""
        insert into facts
        select r.report_id, r.agency_id, r.year, f.metric, f.dim, f.value, f.evidence, 'extracted', null, f.verified
        from reports r join source_facts f on f.sha256 = r.source_sha256
    """)
    problems = []
    if not corrections:
        return problems
    names = {}
    for aid, name, aliases in con.execute("select agency_id, name, aliases from agencies").fetchall():
        names[name] = aid
        for a in aliases or []:
            names[a] = aid
    for c in corrections:
        aid = names.get(c.agency.replace(" ", ""))
        if aid is None:
            problems.append(f"corrections.csv line {c.line}: no agency named {c.agency!r}")
            continue
        rep = first_row(con, "select report_id from reports where agency_id = ? and year = ?", [aid, c.year])
        if rep is None:
            problems.append(f"corrections.csv line {c.line}: no report of {c.agency} for {c.year}")
            continue
        old = first_row(con, "select value, evidence from facts where report_id = ? and metric = ? and dim is not distinct from ?",
                        [rep[0], c.metric, c.dim])
        con.execute("delete from facts where report_id = ? and metric = ? and dim is not distinct from ?",
                    [rep[0], c.metric, c.dim])
        evidence = {"correction": c.note, "extracted_value": old[0] if old else None,
                    "extracted_evidence": json.loads(old[1]) if old and old[1] else None}
        con.execute("insert into facts values (?, ?, ?, ?, ?, ?, ?, 'correction', ?, true)",
                    [rep[0], aid, c.year, c.metric, c.dim, c.value, json.dumps(evidence, ensure_ascii=False), c.note])
    return problems


def _checks(con, corrections: list[Correction]):
    # report checks were run on each file when it was read; reports with corrections are checked again
    corrected = {r[0] for r in con.execute("select distinct report_id from facts where provenance = 'correction'").fetchall()}
    con.execute("""
        insert into check_results
        select c.check_id, c.severity, r.report_id, r.agency_id, r.year, c.message, c.evidence, c.message_en, c.cells, c.data
        from reports r join source_checks c on c.sha256 = r.source_sha256
        where r.report_id not in (select unnest(?::varchar[]))
    """, [sorted(corrected)])
    for rid in corrected:
        agency_id, year, issues, statements = first_row(
            con, "select r.agency_id, r.year, s.issues, s.statements from reports r join sources s on s.sha256 = r.source_sha256 "
            "where r.report_id = ?", [rid])
        values = {fact_key(m, d): v for m, d, v in con.execute(
            "select metric, dim, value from facts where report_id = ?", [rid]).fetchall()}
        ctx = {"issues": json.loads(issues or "[]"), "statements": json.loads(statements or "[]")}
        rows = checks.run_report_checks(values, ctx)
        insert_rows(con, "check_results", [(cid, sev, rid, agency_id, year, msg, ev, en, cells, data)
                                            for cid, sev, msg, en, ev, cells, data in rows])
    insert_rows(con, "check_results", checks.run_warehouse_checks(con))
