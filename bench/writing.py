"""The office's writing: time to draft a region's circular and one report's letter from a warehouse of
N reports (made by bench/warehouse.py's corpus maker and a full refresh, or an existing one with --db).

Usage: .venv/bin/python bench/writing.py [--reports 10000] [--db data/warehouse.duckdb] [--repeat 3] [--workdir DIR]

For the province with the most agencies and for every agency: the circular in each format (first run,
then the median of --repeat), and the letter of the report with the most findings. Charts are drawn by
matplotlib (its first use in the process, font lookup included, is in the first run).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.serve import queries  # noqa: E402
from pipeline.serve.writing.brief import brief_bytes, region_filter  # noqa: E402
from pipeline.serve.writing.letter import letter_bytes  # noqa: E402


def build(n: int, where: Path) -> Path:
    from bench.warehouse import make_corpus
    from pipeline.refresh.run import refresh

    t = time.perf_counter()
    made = make_corpus(where / "inbox", n)
    db = where / "data" / "warehouse.duckdb"
    rr = refresh(where / "inbox", db, quiet=True, workers=2)
    print(f"built {made} reports in {time.perf_counter() - t:.0f} s (exit {rr.exit_code})", flush=True)
    return db


def timed(fn, repeat: int) -> tuple[float, float, int]:
    t = time.perf_counter()
    size = len(fn())
    first = time.perf_counter() - t
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return first, statistics.median(runs), size


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10000)
    ap.add_argument("--db", help="an existing warehouse (else one of --reports reports is built in a temporary folder)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", help="build the warehouse here and keep it (default: a temporary folder)")
    args = ap.parse_args()
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else build(args.reports, Path(args.workdir or tmp))
        con = duckdb.connect(str(db), read_only=True)
        n = con.execute("select count(*) from reports").fetchone()[0]
        year = con.execute("select max(year) from reports").fetchone()[0]
        code, province, k = con.execute("""select left(adcode, 2) || '0000', province, count(*) from agencies
            where adcode is not null group by all order by 3 desc limit 1""").fetchone()
        ids, name = region_filter(con, code)
        rid = con.execute("select report_id from check_results group by 1 order by count(*) desc limit 1").fetchone()[0]
        print(f"warehouse: {n} reports, {year}; region {code} {name}: {k} agencies")
        print("| document | format | first run (s) | median of next (s) | bytes |")
        print("|---|---|---|---|---|")
        for label, flt, region in ((f"circular, {name} ({k} agencies)", queries.Filters(agency_ids=ids), name),
                                   ("circular, every agency", queries.Filters(), None)):
            for fmt in ("docx", "pdf", "html", "md"):
                first, med, size = timed(lambda: brief_bytes(con, year, flt, fmt, None, "zh", region), args.repeat)
                print(f"| {label} | {fmt} | {first:.2f} | {med:.2f} | {size:,} |", flush=True)
        for fmt in ("docx", "pdf"):
            first, med, size = timed(lambda: letter_bytes(con, rid, fmt, None, "zh"), args.repeat)
            print(f"| letter, one report | {fmt} | {first:.2f} | {med:.2f} | {size:,} |", flush=True)
        con.close()


if __name__ == "__main__":
    main()
