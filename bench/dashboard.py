"""Dashboard speed and memory: the time each page takes to run (AppTest) on warehouses of 1k, 10k
and 100k reports, and the process's peak memory.

Usage: .venv/bin/python bench/dashboard.py [--sizes 1000 10000] [--scale 10] [--cache DIR]

Warehouses are built as in bench/warehouse.py (the 100k one replicates the 10k one's agencies).
Each warehouse is measured in its own process: every page is opened once with empty caches (cold)
and once more (warm, cached queries), with the sidebar's default filters (everything selected). The
libraries the pages import are imported before the first page (a running dashboard has them), so the
first page measured pays for its queries, not for the process's imports. `--cache DIR` keeps the corpora
and warehouses there and reuses them (a warehouse is rebuilt when the code's schema version differs).
The build of the largest warehouse's marts (when the code has them) is timed, and each warehouse's size given.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ["overview", "compare", "profile", "web_media", "applications", "review", "active", "quality", "report"]


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM starts anew at exec, unlike ru_maxrss, which a child
    inherits from the process that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(db: str) -> dict:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["NIANBAO_DB"] = db
    import importlib

    for module in ("plotly.express", "plotly.graph_objects", "app_pages.common", "app_pages.printed", "app_pages.writing"):
        importlib.import_module(module)  # what every page imports: a running dashboard has them loaded
    out = {}
    for page in PAGES:
        times = []
        st.cache_data.clear()  # cold: no query of this or any earlier page is cached
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        at.switch_page(f"app_pages/{page}.py")
        for _ in range(2):
            t = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t)
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
        out[page] = times
    out["_ranking"] = time_ranking(db)
    out["_rss_mb"] = peak_rss_mb()
    return out


def time_ranking(db: str, repeat: int = 5) -> dict[str, float]:
    """The live ranking (the Compare page's table and bars, `queries.ranking`) for a rate and a catalog key,
    every agency of the latest year: the median of `repeat` runs, in seconds."""
    import statistics

    import duckdb

    from pipeline.serve import queries

    con = duckdb.connect(db, read_only=True)
    year = queries.options(con)["years"][-1]
    cases = {"ranking grant_rate": dict(measure="grant_rate"), "ranking correction_rate": dict(measure="correction_rate"),
             "ranking app.received_new:total": dict(key="app.received_new:total")}
    out = {}
    for name, kw in cases.items():
        ts = []
        for _ in range(repeat):
            t = time.perf_counter()
            queries.ranking(con, queries.Filters(), year, **kw)
            ts.append(time.perf_counter() - t)
        out[name] = statistics.median(ts)
    con.close()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--cache", type=Path, help="keep corpora and warehouses here and reuse them")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.measure:
        print(json.dumps(measure(a.measure)))
        return
    from pipeline.refresh.run import refresh
    from pipeline.warehouse.build import SCHEMA_VERSION
    from warehouse import make_corpus, replicate

    tmp = a.cache or Path(tempfile.mkdtemp(prefix="nianbao-bench-dash-"))
    dbs, notes = {}, []
    for n in a.sizes:
        inbox, db = tmp / f"corpus-{n}", tmp / f"schema-{SCHEMA_VERSION}" / str(n) / "warehouse.duckdb"
        if not (inbox / ".complete").exists():
            shutil.rmtree(inbox, ignore_errors=True)
            make_corpus(inbox, n)
            (inbox / ".complete").touch()
        if not db.exists():
            t = time.perf_counter()
            refresh(inbox, db, quiet=True, workers=2)
            notes.append(f"{n:,} reports: built in {time.perf_counter() - t:.1f} s")
        dbs[n] = db
    if a.scale > 1:
        big = tmp / f"schema-{SCHEMA_VERSION}" / "big.duckdb"
        dbs[max(a.sizes) * a.scale] = big
        if not big.exists():
            t = time.perf_counter()
            replicate(dbs[max(a.sizes)], big, a.scale)
            notes.append(f"{max(a.sizes) * a.scale:,} reports: replicated in {time.perf_counter() - t:.1f} s")
        notes.append(time_marts(big))
    results = {}
    for n, db in dbs.items():
        r = subprocess.run([sys.executable, __file__, "--measure", str(db)], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(r.stderr[-3000:])
        results[n] = json.loads(r.stdout.strip().splitlines()[-1])
    cols = list(results)
    print("| page: cold / warm (s) | " + " | ".join(f"{n:,} reports" for n in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for page in PAGES:
        print(f"| {page} | " + " | ".join(f"{results[n][page][0]:.2f} / {results[n][page][1]:.2f}" for n in cols) + " |")
    for name in results[cols[0]]["_ranking"]:
        print(f"| {name} (s, every agency, latest year) | " + " | ".join(f"{results[n]['_ranking'][name]:.3f}" for n in cols) + " |")
    print("| peak RSS of the dashboard process (MiB) | " + " | ".join(f"{results[n]['_rss_mb']:.0f}" for n in cols) + " |")
    print("| warehouse (MiB) | " + " | ".join(f"{dbs[n].stat().st_size / 2**20:.0f}" for n in cols) + " |")
    for note in notes:
        print(note)


def time_marts(db: Path) -> str:
    """The marts' build on a copy of the warehouse (what it adds to a build at this size), and their size."""
    try:
        from pipeline.warehouse import marts
    except ImportError:
        return "no marts in this code"
    import duckdb

    copy = db.with_name("marts-timing.duckdb")
    shutil.copyfile(db, copy)
    try:
        con = duckdb.connect(str(copy))
        for t in marts.TABLES:
            con.execute(f"drop table if exists {t}")
        con.execute("checkpoint")
        con.close()
        without = copy.stat().st_size
        con = duckdb.connect(str(copy))
        t = time.perf_counter()
        marts.build(con)
        con.execute("checkpoint")
        took = time.perf_counter() - t
        con.close()
        return (f"marts at {db.name}: built in {took:.1f} s; warehouse {without / 2**20:.0f} MiB without them, "
                f"{copy.stat().st_size / 2**20:.0f} MiB with them")
    finally:
        copy.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
