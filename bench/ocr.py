"""OCR speed and memory: pages per second on one core and the worker's peak memory.

Usage: .venv/bin/python bench/ocr.py [--repeat N] [--corpus DIR]

Makes image-only PDFs of every labelled corpus PDF (PDFium at 150 and 200 dpi, and a 150-dpi scan turned
by 0.8° and JPEG-compressed, as tests/extract/test_ocr.py makes them) and workbooks of their tables, then
reads each group N times in its own process pinned to one core (as a refresh worker runs), and prints a
table: pages (or files) per second and the process's peak resident memory (VmHWM), models loaded.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _worker(files: list[str], repeat: int) -> dict:
    from pipeline.extract import extract

    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    pages = 0
    for f in files:
        if f.endswith(".pdf"):
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(f)
            pages += len(pdf)
            pdf.close()
    t0, c0 = time.perf_counter(), time.process_time()
    facts = 0
    for _ in range(repeat):
        for f in files:
            facts += len(extract(f).facts)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = next(int(line.split()[1]) / 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    return {"files": len(files) * repeat, "pages": pages * repeat, "wall": wall, "cpu": cpu, "rss_mb": rss,
            "facts": facts}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--corpus", default=os.environ.get("NIANBAO_CORPUS", str(ROOT.parent / "shared" / "corpus")))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        spec = json.loads(a.worker)
        print(json.dumps(_worker(spec["files"], spec["repeat"])))
        return
    from tests.extract.test_ocr import _rasterise
    from tests.extract.test_spreadsheets import _layout, _write_xls, _write_xlsx

    corpus = Path(a.corpus)
    pdfs = sorted(p for p in corpus.glob("*.pdf") if (corpus / (p.stem + ".expected.json")).exists())
    if not pdfs:
        sys.exit(f"no labelled PDF in {corpus}")
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-ocr-"))
    groups: dict[str, list[str]] = {"image-only PDF, 150 dpi": [], "image-only PDF, 200 dpi": [],
                                    "scan: 150 dpi, turned 0.8°, JPEG": [], "workbook .xlsx": [], "workbook .xls": []}
    for p in pdfs:
        groups["image-only PDF, 150 dpi"].append(str(_rasterise(p, tmp / f"{p.stem}.150.pdf", 150)))
        groups["image-only PDF, 200 dpi"].append(str(_rasterise(p, tmp / f"{p.stem}.200.pdf", 200)))
        groups["scan: 150 dpi, turned 0.8°, JPEG"].append(str(_rasterise(p, tmp / f"{p.stem}.scan.pdf", 150, 0.8, True)))
    for p in sorted(corpus.glob("*.*")):
        if p.suffix in (".html", ".pdf", ".txt") and (corpus / (p.stem + ".expected.json")).exists():
            rows, merges, has_tables = _layout(p)
            if has_tables:
                _write_xlsx(rows, merges, tmp / f"{p.stem}.xlsx")
                _write_xls(rows, merges, tmp / f"{p.stem}.xls")
                groups["workbook .xlsx"].append(str(tmp / f"{p.stem}.xlsx"))
                groups["workbook .xls"].append(str(tmp / f"{p.stem}.xls"))
    head = ("input", "files", "pages", "CPU s", "pages/s (1 core, CPU)", "files/s (1 core, CPU)", "peak RSS MiB")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, files in groups.items():
        repeat = a.repeat if "PDF" in name or "scan" in name else a.repeat * 20
        out = subprocess.run([sys.executable, __file__, "--worker", json.dumps({"files": files, "repeat": repeat})],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        pages = f"{r['pages'] / r['cpu']:.2f}" if r["pages"] else "—"
        print(f"| {name} | {r['files']} | {r['pages'] or '—'} | {r['cpu']:.1f} | {pages} | "
              f"{r['files'] / r['cpu']:.2f} | {r['rss_mb']:.0f} |", flush=True)
    print("\n(wall-clock time depends on what else the core runs; CPU time is the process's own)")


if __name__ == "__main__":
    main()
