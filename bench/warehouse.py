"""Warehouse speed: full build and one-file incremental refresh, and the dashboard's main queries.

Usage: .venv/bin/python bench/warehouse.py [--sizes 1000 10000] [--query-sizes 10000 100000]

Corpora are made by the project's renderer: agencies of every level over 2019-2024, half TXT,
half HTML, years chained so the carry-over checks have work. The full build is `refresh` from an
empty data folder on both cores; the incremental run adds one new file. Query timings use the
functions of `pipeline.queries`; the 100k warehouse is the 10k one with its agencies replicated
ten times in SQL (reading 100k files would time the extractor, not the queries).
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.serve import queries  # noqa: E402
from pipeline.warehouse import marts
from pipeline.demo.render import Layout, agency_name, next_year, random_facts, render  # noqa: E402

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


def make_corpus(inbox: Path, n_reports: int, start: int = 0) -> int:
    inbox.mkdir(parents=True, exist_ok=True)
    n_agencies = -(-n_reports // len(YEARS))
    made = 0
    for i in range(start, start + n_agencies):
        name, level = agency_name(i)
        size = {"national": 20, "provincial": 8, "city": 2, "county": 0.6, "township": 0.1}[level]
        rng = random.Random(i)
        prev = None
        for year in YEARS:
            if made >= n_reports:
                return made
            tpl = "2021" if year >= 2021 else "2019"
            f = random_facts(rng, tpl, size=size)
            if prev is not None:
                f = next_year(prev, f, tpl if year != 2021 else "2019", rng)
            prev = f
            fmt = "html" if (i + year) % 2 else "txt"
            (inbox / f"{i:05d}-{year}.{fmt}").write_bytes(render(f, name, year, tpl, Layout(fmt), seed=i * 10 + year))
            made += 1
    return made


def _refresh_in_child(inbox: Path, db: Path) -> tuple[dict, float]:
    """`nianbao refresh` in its own process: its run report and its own peak RSS (the two
    extraction workers are separate processes of about 100 MiB each; the builder process reports its
    own peak in the run report)."""
    import json
    import subprocess

    code = ("import json, sys; from pathlib import Path; from pipeline.refresh.run import refresh\n"
            f"rr = refresh(Path({str(inbox)!r}), Path({str(db)!r}), quiet=True, workers=2)\n"
            "hwm = next(int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
            "print(json.dumps({'rr': rr.to_json(), 'hwm': hwm}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return res["rr"], res["hwm"]


def time_queries(db: Path, repeat: int = 5) -> dict[str, float]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    opts = queries.options(con)
    year = opts["years"][-1]
    province = opts["provinces"][0] if opts["provinces"] else None
    rid = con.execute("select report_id from reports limit 1").fetchall()[0][0]
    flt_all = queries.Filters()
    flt_prov = queries.Filters(provinces=(province,)) if province else flt_all
    cases = {
        "filter options": lambda: queries.options(con),
        "overview tiles (all)": lambda: queries.tiles(con, flt_all, year),
        "coverage matrix (one province)": lambda: queries.coverage(con, flt_prov),
        "metric across years (one province)": lambda: queries.metric_series(con, flt_prov, "app.received_new:total"),
        "metric ranking with peer medians (all, one year)": lambda: queries.ranking(con, flt_all, year, key="app.received_new:total"),
        "rate ranking with peer medians (all, one year)": lambda: queries.ranking(con, flt_all, year, measure="grant_rate"),
        "section totals by year (applications)": lambda: queries.section_totals(con, flt_all, "applications"),
        "section totals, agency search": lambda: queries.section_totals(con, queries.Filters(search="生态环境"), "website"),
        "failing checks (errors, one province)": lambda: queries.checks(con, flt_prov, ("error",)),
        "one report's facts": lambda: queries.report_facts(con, rid),
    }
    out = {}
    for name, fn in cases.items():
        fn()  # warm
        ts = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        out[name] = statistics.median(ts) * 1000
    con.close()
    return out


def replicate(src: Path, dest: Path, times: int) -> int:
    """A warehouse with every agency (and its reports, facts, checks) copied `times` times."""
    import duckdb

    shutil.copyfile(src, dest)
    con = duckdb.connect(str(dest))
    con.execute("drop index if exists facts_report")
    def s(col: str) -> str:
        return f"{col} || '~' || k as {col}"

    for t, replace in (
        ("agencies", [s("agency_id"), "name || '#' || k as name", s("parent_id")]),
        ("reports", [s("report_id"), s("agency_id")]),
        ("facts", [s("report_id"), s("agency_id")]),
        ("check_results", [s("report_id"), s("agency_id")]),
        ("measures", [s("agency_id")]),
        ("measures_verified", [s("agency_id")]),
        ("coverage", [s("agency_id"), "agency || '#' || k as agency", s("report_id")]),
        ("facts_cube", []),
    ):
        rep = f" replace ({', '.join(replace)})" if replace else ""
        con.execute(f"create temp table x as select * exclude (k){rep} from {t}, range(1, {times}) r(k)")
        con.execute(f"insert into {t} select * from x")
        con.execute("drop table x")
    con.execute("create index facts_report on facts (report_id)")
    marts.build(con)  # the marts of the replicated warehouse, as its build makes them
    n = con.execute("select count(*) from reports").fetchall()[0][0]
    con.execute("checkpoint")
    con.close()
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--scale", type=int, default=10, help="replicate the largest warehouse this many times for queries")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-wh-"))
    build_rows, query_cols = [], {}
    largest = None
    for n in a.sizes:
        d = tmp / str(n)
        t = time.perf_counter()
        made = make_corpus(d / "inbox", n)
        gen = time.perf_counter() - t
        t = time.perf_counter()
        rr, peak = _refresh_in_child(d / "inbox", d / "data" / "warehouse.duckdb")
        full = time.perf_counter() - t
        make_corpus(d / "inbox2", 1, start=900000)
        shutil.copy(next((d / "inbox2").iterdir()), d / "inbox" / "new-one.html")
        t = time.perf_counter()
        rr2, _ = _refresh_in_child(d / "inbox", d / "data" / "warehouse.duckdb")
        inc = time.perf_counter() - t
        size_mb = (d / "data" / "warehouse.duckdb").stat().st_size / 2**20
        build_rows.append((made, f"{gen:.1f}", f"{full:.1f}", f"{made / full:.0f}", f"{peak:.0f}",
                           rr.get("builder_peak_rss_mib") or "—", f"{inc:.2f}",
                           rr2["files_extracted"], f"{size_mb:.0f}", rr["checks"].get("error", 0) + rr["checks"].get("warning", 0)))
        query_cols[f"{rr2['reports_loaded']} reports"] = time_queries(d / "data" / "warehouse.duckdb")
        largest = d / "data" / "warehouse.duckdb"
    if largest is not None and a.scale > 1:
        big = tmp / "big.duckdb"
        n = replicate(largest, big, a.scale)
        query_cols[f"{n} reports"] = time_queries(big)
    print("| reports | corpus made (s) | full build (s) | reports/s | refresh peak RSS MiB (main process) | builder process peak RSS MiB | one-file refresh (s) | files extracted | warehouse MiB | checks (error+warning) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in build_rows:
        print("| " + " | ".join(map(str, r)) + " |")
    print()
    cols = list(query_cols)
    print("| query (median of 5, ms) | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for q in next(iter(query_cols.values())):
        print(f"| {q} | " + " | ".join(f"{query_cols[c][q]:.1f}" for c in cols) + " |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
