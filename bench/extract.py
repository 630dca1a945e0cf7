"""Extraction speed and memory: reports per second and peak memory on one core.

Usage: .venv/bin/python bench/extract.py [--repeat N] [--corpus DIR]

Reads every TXT, HTML, PDF and Word report of the shared corpus (and reports made by the project's renderer)
N times over in one process pinned to one core, and prints a table. Each row runs in its own
process so that peak memory (max RSS) is that row's own.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _worker(files: list[str], repeat: int) -> dict:
    import resource

    from pipeline.extract import extract

    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    pages_per_round = 0
    for f in files:  # warm-up: imports, regex compilation; count PDF pages once
        extract(f)
        if f.endswith(".pdf"):
            import pdfplumber

            with pdfplumber.open(f) as pdf:
                pages_per_round += len(pdf.pages)
    t0 = time.perf_counter()
    n = 0
    for _ in range(repeat):
        for f in files:
            extract(f)
            n += 1
    dt = time.perf_counter() - t0
    rss = next((int(line.split()[1]) / 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:")),
               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"reports": n, "seconds": dt, "rss_mb": rss, "pages": pages_per_round * repeat}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--corpus", default=os.environ.get("NIANBAO_CORPUS", str(ROOT.parent / "shared" / "corpus")))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        spec = json.loads(a.worker)
        print(json.dumps(_worker(spec["files"], spec["repeat"])))
        return
    corpus = Path(a.corpus)
    groups: dict[str, list[str]] = {}
    if corpus.is_dir():
        for p in sorted(corpus.rglob("*")):
            if p.is_file() and not p.name.endswith(".json") and p.name != "README.md":
                fmt = {".txt": "txt", ".md": "txt", ".html": "html", ".pdf": "pdf", ".docx": "docx"}.get(p.suffix.lower())
                if fmt:
                    groups.setdefault(f"corpus {fmt}", []).append(str(p))
    from pipeline.demo.render import Layout, random_facts, render

    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    for fmt in ("txt", "html", "pdf", "docx"):
        files = []
        for i in range(50 if fmt in ("txt", "html") else 20):
            rng = random.Random(i)
            tpl = rng.choice(["2019", "2021"])
            p = tmp / f"r{i}.{fmt}"
            p.write_bytes(render(random_facts(rng, tpl), f"某市第{i}局", 2020 if tpl == "2019" else 2022, tpl,
                                 Layout(fmt, chrome=fmt == "html"), seed=i))
            files.append(str(p))
        groups[f"rendered {fmt}"] = files
    rows = []
    for name, files in groups.items():
        out = subprocess.run([sys.executable, __file__, "--worker", json.dumps({"files": files, "repeat": a.repeat})],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        size = sum(os.path.getsize(f) for f in files) / len(files) / 1024
        pages = f"{r['pages'] / r['seconds']:.1f}" if r["pages"] else "—"
        rows.append((name, len(files), f"{size:.0f}", r["reports"], f"{r['seconds']:.2f}",
                     f"{r['reports'] / r['seconds']:.0f}", pages, f"{r['rss_mb']:.0f}"))
    head = ("input", "files", "avg KiB", "reports", "seconds", "reports/s (1 core)", "PDF pages/s (1 core)", "peak RSS MiB")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")


if __name__ == "__main__":
    main()
