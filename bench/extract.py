"""Extraction speed and memory: reports per second and peak memory on one core.

Usage: .venv/bin/python bench/extract.py [--repeat N] [--corpus DIR] [--pdf DIR ...] [--only txt,html,pdf,docx] [--no-floor]

Reads every TXT, HTML, PDF and Word report of the shared corpus (and reports made by the project's renderer)
N times over in one process pinned to one core, and prints a table. Each row runs in its own
process so that peak memory (max RSS) is that row's own.

Beside each reader, in the same process and in turn with it, its floor: for HTML lxml's parse and
every table cell's text, for TXT decoding and a scan for numbers, for PDF pdfplumber's naive pass
(tables and words of every page). "cost ÷ floor" is the reader's time over the floor's on the same
files (the goal: at most 2); the floor includes the peak memory of its own libraries. The same ratio is
also given in the process's CPU time, which time spent waiting for a core on a loaded machine does not
inflate.
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


def _floor(kind: str):
    """The least any reader of this kind must do, as a function of a file's path:

    - html: parse the page with lxml and take the text of every table cell;
    - txt: decode the bytes (UTF-8, else GB18030) and scan the text for numbers;
    - pdf: pdfplumber's naive pass, the tables and the words of every page;
    - docx: none measured (None)."""
    import re

    if kind == "html":
        import lxml.html

        def html_floor(path):
            doc = lxml.html.document_fromstring(Path(path).read_bytes())
            return [c.text_content() for c in doc.iter("td", "th")]
        return html_floor
    if kind == "txt":
        number = re.compile(r"\d+(?:\.\d+)?")

        def txt_floor(path):
            data = Path(path).read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("gb18030", errors="replace")
            return number.findall(text)
        return txt_floor
    if kind == "pdf":
        import pdfplumber

        def pdf_floor(path):
            with pdfplumber.open(path) as pdf:
                return [(page.extract_tables(), page.extract_words()) for page in pdf.pages]
        return pdf_floor
    return None


def _worker(files: list[str], repeat: int, kind: str, with_floor: bool = True) -> dict:
    """Extract every file `repeat` times; when the kind has a floor, run it on the same files in the
    same process, round by round in turn with the extraction, so that both see the same machine."""
    import resource

    from pipeline.extract import extract

    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    floor = _floor(kind) if with_floor else None
    pages_per_round = 0
    for f in files:  # warm-up: imports, regex compilation; count PDF pages once
        extract(f)
        if floor:
            floor(f)
        if f.endswith(".pdf"):
            import pdfplumber

            with pdfplumber.open(f) as pdf:
                pages_per_round += len(pdf.pages)
    spent, floor_spent, n = 0.0, 0.0, 0
    cpu, floor_cpu = 0.0, 0.0  # the process's own CPU time: on a shared machine, what waiting for a core hides
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for f in files:
            extract(f)
            n += 1
        spent += time.perf_counter() - t0
        cpu += time.process_time() - c0
        if floor:
            t0, c0 = time.perf_counter(), time.process_time()
            for f in files:
                floor(f)
            floor_spent += time.perf_counter() - t0
            floor_cpu += time.process_time() - c0
    with open("/proc/self/status") as status:
        rss = next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:")),
                   resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"reports": n, "seconds": spent, "floor_seconds": floor_spent if floor else None, "rss_mb": rss,
            "cpu_seconds": cpu, "floor_cpu_seconds": floor_cpu if floor else None,
            "pages": pages_per_round * repeat}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--corpus", default=os.environ.get("NIANBAO_CORPUS", str(ROOT.parent / "shared" / "corpus")))
    ap.add_argument("--pdf", action="append", default=[], metavar="DIR",
                    help="also time the PDFs of DIR as a row of their own (e.g. the LibreOffice and Chromium "
                         "variants tests/extract/test_variants.py makes); repeatable")
    ap.add_argument("--only", help="comma-separated formats to run (txt,html,pdf,docx; default: all)")
    ap.add_argument("--no-floor", action="store_true",
                    help="time the readers only, not their floors (pdfplumber's naive pass costs several times "
                         "what the PDF reader does)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        spec = json.loads(a.worker)
        print(json.dumps(_worker(spec["files"], spec["repeat"], spec["kind"], spec.get("floor", True))))
        return
    corpus = Path(a.corpus)
    groups: dict[str, list[str]] = {}
    if corpus.is_dir():
        for p in sorted(corpus.rglob("*")):
            if p.is_file() and not p.name.endswith(".json") and p.name != "README.md":
                fmt = {".txt": "txt", ".md": "txt", ".html": "html", ".pdf": "pdf", ".docx": "docx"}.get(p.suffix.lower())
                if fmt:
                    groups.setdefault(f"corpus {fmt}", []).append(str(p))
    for d in a.pdf:
        pdfs = sorted(str(p) for p in Path(d).rglob("*.pdf"))
        if pdfs:
            groups[f"{Path(d).name} pdf"] = pdfs
    from pipeline.demo.render import Layout, random_facts, render

    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    only = set(a.only.split(",")) if a.only else {"txt", "html", "pdf", "docx"}
    groups = {k: v for k, v in groups.items() if k.split()[-1] in only}
    for fmt in ("txt", "html", "pdf", "docx"):
        if fmt not in only:
            continue
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
        if name.split()[-1] not in only:
            continue
        out = subprocess.run([sys.executable, __file__, "--worker", json.dumps({"files": files, "repeat": a.repeat,
                                                                           "kind": name.split()[-1],
                                                                           "floor": not a.no_floor})],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        size = sum(os.path.getsize(f) for f in files) / len(files) / 1024
        pages = f"{r['pages'] / r['seconds']:.1f}" if r["pages"] else "—"
        # on a shared machine the wall clock counts the time other processes hold the core: CPU time does not
        per_cpu = f"{r['pages'] / r['cpu_seconds']:.1f}" if r["pages"] else "—"
        fl = r["floor_seconds"]
        floor_rate = (f"{r['pages'] / fl:.1f} pages/s" if r["pages"] else f"{r['reports'] / fl:.0f}") if fl else "—"
        rows.append((name, len(files), f"{size:.0f}", r["reports"], f"{r['seconds']:.2f}",
                     f"{r['reports'] / r['seconds']:.0f}", pages, per_cpu, floor_rate,
                     f"{r['seconds'] / fl:.2f}" if fl else "—",
                     f"{r['cpu_seconds'] * 1000 / r['reports']:.2f}",
                     f"{r['cpu_seconds'] / r['floor_cpu_seconds']:.2f}" if r["floor_cpu_seconds"] else "—",
                     f"{r['rss_mb']:.0f}"))
    head = ("input", "files", "avg KiB", "reports", "seconds", "reports/s (1 core)", "PDF pages/s (1 core)",
            "PDF pages per CPU-second", "floor (1 core)", "cost ÷ floor", "CPU ms/report", "cost ÷ floor, CPU time",
            "peak RSS MiB")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")


if __name__ == "__main__":
    main()
