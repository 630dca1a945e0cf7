"""A national year on one machine: a corpus of N reports in the real mix, refreshed from an empty data folder.

Usage: .venv/bin/python bench/national.py [--n 1000] [--workers 2] [--cache DIR] [--json OUT] [--dask local|tcp://...]

The corpus is made by the project's renderer (pipeline/demo/render.py) in the mix the national office
sees: about 55 % HTML pages (with and without site chrome, UTF-8 and GB18030), 40 % PDFs of 4 to 12
pages (long prose before and after the tables, 表三 broken over a page), 5 % Word files; both formats
(reports for 2019 and 2020 in the 2019 format, 2021-2024 in the 2021 one); agencies of every level
(national, provincial, city, county, township), each agency's years following on from each other.
Report k is always the same file, so the corpus is cached on disk (default ~/.cache/nianbao/bench-national;
NIANBAO_BENCH_CACHE) and a larger N only renders what is missing.

Then `refresh()` runs over the N files from an empty data folder, as the weekly job would on its first
run (with --dask local, a LocalCluster of --workers processes on this machine, or --dask tcp://HOST:PORT,
reading on that Dask cluster as `refresh --dask-scheduler` does), and the bench prints: reports per
second, the time of every stage (the run report's stage_seconds; the builder's insert time overlaps the
extract stage), peak memory of every process (the refresh's own, its builder process, each extraction
worker: sampled by a watcher process with psutil when it is installed, and from getrusage), the
warehouse and raw-store sizes, and a linear extrapolation to 100,000 reports. The machine's load
average is printed beside them: on a shared machine the wall-clock figures are only as good as it.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
SIZE = {"national": 25, "provincial": 8, "city": 2.5, "county": 0.8, "township": 0.15}
CORPUS_VERSION = "v1"  # change when the corpus recipe changes, so the cache is not reused


def _fmt_of(k: int) -> str:
    u = random.Random(k * 7919 + 1).random()
    return "html" if u < 0.55 else "pdf" if u < 0.95 else "docx"


def _path(cache: Path, k: int) -> Path:
    return cache / f"{k // 1000:03d}" / f"r{k:06d}.{_fmt_of(k)}"


def _render_agency(args: tuple[str, int, list[int]]) -> int:
    """Render the missing reports of one agency (its reports are k = 6a .. 6a+5, one a year)."""
    from pipeline.demo.render import (FILLER, Layout, _tables, agency_name, closing, filler, narrative,
                                      next_year, random_facts, render)
    from pipeline.demo.render_office import render_office

    cache, a, wanted = Path(args[0]), args[1], set(args[2])
    name, level = agency_name(a)
    rng = random.Random(a)
    prev = None
    made = 0
    for y, year in enumerate(YEARS):
        tpl = "2021" if year >= 2021 else "2019"
        facts = random_facts(rng, tpl, size=SIZE[level] * rng.uniform(0.7, 1.3))
        if prev is not None:
            facts = next_year(prev, facts, tpl if year != 2021 else "2019", rng)
        prev = facts
        k = 6 * a + y
        if k not in wanted:
            continue
        fmt = _fmt_of(k)
        r = random.Random(k)
        if fmt == "html":
            lay = Layout("html", chrome=r.random() < 0.6, pad=r.random() < 0.3,
                         encoding="gb18030" if r.random() < 0.15 else "utf-8",
                         one_active_table=r.random() < 0.7, split_labels=r.random() < 0.2)
            data = render(facts, name, year, tpl, lay, seed=k)
        elif fmt == "docx":
            data = render(facts, name, year, tpl, Layout("docx", pad=r.random() < 0.5), seed=k)
        else:  # a PDF of 4-12 pages: prose paragraphs of six sentences, about twelve to a page
            lay = Layout("pdf", pad=r.random() < 0.5)
            pages = r.randint(4, 12)
            sentences = narrative(facts, name, year, r) + filler(r)
            sentences += ["".join(r.sample(FILLER, 6)) for _ in range((pages - 3) * 12)]
            data = render_office(name, year, lay, sentences, _tables(facts, tpl, lay), r, closing(lay, r))
        p = _path(cache, k)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, p)
        made += 1
    return made


def make_corpus(cache: Path, n: int, procs: int) -> tuple[list[Path], float]:
    """The first n reports of the cached corpus, rendering the missing ones in `procs` processes."""
    import multiprocessing

    t0 = time.monotonic()
    missing: dict[int, list[int]] = {}
    for k in range(n):
        if not _path(cache, k).is_file():
            missing.setdefault(k // 6, []).append(k)
    if missing:
        print(f"rendering {sum(map(len, missing.values()))} missing reports into the cache ...", file=sys.stderr)
        jobs = [(str(cache), a, ks) for a, ks in sorted(missing.items())]
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            done = 0
            for made in pool.imap_unordered(_render_agency, jobs, chunksize=4):
                done += made
                if done % 500 < made:
                    print(f"  {done} rendered", file=sys.stderr)
    return [_path(cache, k) for k in range(n)], time.monotonic() - t0


def _pdf_pages(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for p in files:
        if p.suffix == ".pdf":
            doc = pdfium.PdfDocument(str(p))
            total += len(doc)
            doc.close()
    return total


def _watch(pid: int, stop: str, out: str) -> None:
    """The watcher process: peak RSS of `pid` and each of its descendants, sampled every 0.2 s until the
    stop file appears. Roles: the bench itself (the refresh's main process), then its children in
    order of creation (the builder is forked first, then the extraction workers)."""
    import psutil

    root = psutil.Process(pid)
    peak: dict[int, dict] = {}
    total_peak = 0
    while not os.path.exists(stop):
        try:
            procs = [root] + root.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        total = 0
        for p in procs:
            if p.pid == os.getpid():  # the watcher itself
                continue
            try:
                rss = p.memory_info().rss
                entry = peak.get(p.pid) or peak.setdefault(p.pid, {"pid": p.pid, "created": p.create_time(), "rss": 0,
                                                                    "cmd": " ".join(p.cmdline())})
                entry["rss"] = max(entry["rss"], rss)
                cpu = p.cpu_times()
                entry["cpu"] = cpu.user + cpu.system  # the last sample: within 0.2 s of the process's total
                entry.setdefault("cpu_first", entry["cpu"])
                total += rss
            except psutil.Error:
                pass
        total_peak = max(total_peak, total)
        time.sleep(0.2)
    Path(out).write_text(json.dumps({"processes": sorted(peak.values(), key=lambda e: (e["created"], e["pid"])),
                                     "total_peak": total_peak}))


def _watcher(tmp: Path):
    try:
        import psutil  # noqa: F401
    except ImportError:
        return None
    stop, out = tmp / "watch.stop", tmp / "watch.json"
    proc = subprocess.Popen([sys.executable, __file__, "--watch", json.dumps([os.getpid(), str(stop), str(out)])])
    return proc, stop, out


def _roles(listed: list[dict]) -> dict:
    """Peak RSS by process: the refresh itself first, then its children by creation; the first child
    forked with the refresh's own command line is the builder, the others the extraction workers; Dask's
    worker processes (LocalCluster) and their reader processes are named by their command lines."""
    out, forked, dask_workers, readers, others = {}, 0, 0, 0, 0
    for i, e in enumerate(listed):
        cmd = e.get("cmd", "")
        if i == 0:
            name = "refresh (main)"
        elif "pipeline.refresh.cluster" in cmd:
            readers += 1
            name = f"Dask reader {readers}"
        elif "spawn_main" in cmd:
            dask_workers += 1
            name = f"Dask worker {dask_workers}"
        elif cmd != listed[0].get("cmd"):
            others += 1
            name = f"other {others} ({cmd[-40:]})"
        else:
            forked += 1
            name = "builder" if forked == 1 else f"worker {forked - 1}"
        out[name] = _mib(e["rss"])
    return out


def _mib(b: float) -> int:
    return round(b / (1 << 20))


def run(n: int, workers: int, cache: Path, dask: str | None = None) -> dict:
    from pipeline.refresh.run import refresh

    files, made_s = make_corpus(cache, n, max(1, workers))
    mix = {fmt: sum(1 for p in files if p.suffix == "." + fmt) for fmt in ("html", "pdf", "docx")}
    pages = _pdf_pages(files)
    corpus_bytes = sum(p.stat().st_size for p in files)
    tmp = Path(tempfile.mkdtemp(prefix="run-", dir=cache))
    try:
        inbox = tmp / "inbox"
        for p in files:  # hard links: the inbox holds exactly these N files, nothing is copied
            dest = inbox / p.parent.name / p.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, dest)
        data = tmp / "data"
        data.mkdir()
        watch = _watcher(tmp)
        time.sleep(0.5)
        load = os.getloadavg()
        t0 = time.monotonic()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cluster = None
        if dask == "local":  # a LocalCluster of `workers` processes, one thread each, on this machine
            from distributed import LocalCluster

            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None)
            dask = cluster.scheduler_address
        try:
            rr = refresh(inbox, data / "warehouse.duckdb", workers=workers, dask_scheduler=dask)
        finally:
            if cluster is not None:
                cluster.close()
        seconds = time.monotonic() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        load_after = os.getloadavg()
        procs = None
        if watch:
            proc, stop, out = watch
            stop.touch()
            proc.wait(30)
            procs = json.loads(out.read_text()) if out.exists() else None
        import duckdb

        con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
        facts = con.execute("select count(*) from facts").fetchone()[0]
        con.close()
        raw = sum(p.stat().st_size for p in (data / "raw").rglob("*") if p.is_file())
        result = {
            "n": n, "workers": workers, "dask": dask, "mix": mix, "pdf_pages": pages, "corpus_mib": _mib(corpus_bytes),
            "corpus_made_seconds": round(made_s, 1), "seconds": round(seconds, 1),
            "reports_per_second": round(n / seconds, 2), "status": rr.status, "files_failed": len(rr.files_failed),
            "failed_examples": rr.files_failed[:5], "reports_loaded": rr.reports_loaded, "facts": facts,
            "checks": rr.checks, "stage_seconds": rr.stage_seconds,
            "cpu_seconds": round(sum(b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime for a, b in zip(cpu0, cpu1)), 1),
            "peak_rss_mib": {"refresh (main, getrusage SELF)": _mib(cpu1[0].ru_maxrss * 1024),
                             "largest child (getrusage CHILDREN)": _mib(cpu1[1].ru_maxrss * 1024),
                             "builder (its own VmHWM)": rr.builder_peak_rss_mib},
            "warehouse_mib": round((data / "warehouse.duckdb").stat().st_size / (1 << 20), 1),
            "raw_store_mib": round(raw / (1 << 20), 1),
            "loadavg_before_after": [round(load[0], 1), round(load_after[0], 1)],
        }
        if procs:
            result["peak_rss_mib_sampled"] = _roles(procs["processes"])
            # CPU of every process of the run, grandchildren (Dask's readers) included, which getrusage misses
            result["cpu_seconds_sampled"] = round(sum(e.get("cpu", 0) for e in procs["processes"][1:])
                                                  + procs["processes"][0].get("cpu", 0)
                                                  - procs["processes"][0].get("cpu_first", 0), 1)
            result["peak_rss_mib_sampled"]["all at once"] = _mib(procs["total_peak"])
        scale = 100_000 / n
        result["extrapolated_100k"] = {
            "hours": round(seconds * scale / 3600, 2),
            "stage_hours": {k: round(v * scale / 3600, 2) for k, v in rr.stage_seconds.items()},
            "warehouse_gib": round(result["warehouse_mib"] * scale / 1024, 2),
            "raw_store_gib": round(result["raw_store_mib"] * scale / 1024, 2),
            # what the same work would take with every worker on a core of its own (an idle machine)
            "hours_from_cpu": round(result.get("cpu_seconds_sampled", result["cpu_seconds"]) * scale
                                    / max(1, min(workers, os.cpu_count() or 1)) / 3600, 2)}
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table(r: dict) -> str:
    rows = [("reports", f"{r['n']:,} ({r['mix']['html']} HTML, {r['mix']['pdf']} PDF with {r['pdf_pages']:,} pages, "
                        f"{r['mix']['docx']} DOCX; {r['corpus_mib']} MiB)"),
            ("refresh, empty data folder", f"{r['seconds']} s on {r['workers']} "
                                           + ("Dask workers" if r.get("dask") else "workers") + f", status {r['status']}, "
                                           f"{r['files_failed']} failed, {r['reports_loaded']:,} reports, {r['facts']:,} facts"),
            ("reports per second", r["reports_per_second"]),
            ("CPU seconds (getrusage: the refresh and its reaped children)", r["cpu_seconds"]),
            ("CPU seconds (sampled: every process of the run)", r.get("cpu_seconds_sampled", "—")),
            ("time per stage (s)", ", ".join(f"{k} {v}" for k, v in r["stage_seconds"].items())),
            ("peak RSS MiB (getrusage)", ", ".join(f"{k} {v}" for k, v in r["peak_rss_mib"].items()))]
    if "peak_rss_mib_sampled" in r:
        rows.append(("peak RSS MiB (sampled)", ", ".join(f"{k} {v}" for k, v in r["peak_rss_mib_sampled"].items())))
    e = r["extrapolated_100k"]
    rows += [("warehouse / raw store MiB", f"{r['warehouse_mib']} / {r['raw_store_mib']}"),
             ("machine load (1-min average) before / after", " / ".join(map(str, r["loadavg_before_after"]))),
             ("extrapolated to 100,000 (linear)", f"{e['hours']} h (" + ", ".join(
                 f"{k} {v} h" for k, v in e["stage_hours"].items()) + f"); warehouse {e['warehouse_gib']} GiB, "
                 f"raw store {e['raw_store_gib']} GiB"),
             ("extrapolated to 100,000 from CPU time (each worker on a core of its own)", f"{e['hours_from_cpu']} h")]
    return "\n".join(["| measure | value |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache", default=os.environ.get("NIANBAO_BENCH_CACHE",
                                                      str(Path.home() / ".cache" / "nianbao" / "bench-national")))
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--dask", help="read on a Dask cluster: 'local' (a LocalCluster of --workers processes) or tcp://HOST:PORT")
    ap.add_argument("--watch", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.watch:
        _watch(*json.loads(a.watch))
        return
    cache = Path(a.cache) / CORPUS_VERSION
    cache.mkdir(parents=True, exist_ok=True)
    r = run(a.n, a.workers, cache, a.dask)
    print(table(r))
    if a.json:
        Path(a.json).write_text(json.dumps(r, ensure_ascii=False, indent=1))
    if r["files_failed"]:
        print("failed:", json.dumps(r["failed_examples"], ensure_ascii=False), file=sys.stderr)


if __name__ == "__main__":
    main()
