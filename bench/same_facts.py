"""Accuracy guard for speed work: the JSON of `nianbao extract` for a fixed set of files, dumped before a
change and compared byte for byte after it.

Usage:
    .venv/bin/python bench/same_facts.py dump DIR      # write one JSON per file into DIR
    .venv/bin/python bench/same_facts.py compare DIR   # extract again, report every file that differs
    ... --formats pdf --extra DIR2 [--extra DIR3]        # only PDFs, and also every PDF of DIR2 and DIR3
    ... compare DIR --any-version                        # the parser's version left out of the comparison

`--extra DIR` (repeatable) adds the files of DIR in the chosen formats, e.g. the LibreOffice and Chromium
variants tests/extract/test_variants.py makes, or the PDFs bench/extract.py renders, kept in a folder so that
the same bytes are read before and after.

The files: every report of the shared corpus (its unlabeled folder included), every report of the demo
inbox (`data/inbox`), and the HTML and TXT reports `bench/extract.py` renders (same seeds). Each is
extracted in this process with `extract(path).to_json()`, what `nianbao extract` prints (a file that is
not read: its reason). Exit 1 when any file's JSON differs or is missing.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _files(corpus: Path, tmp: Path, formats: set[str], extra: list[str]) -> dict[str, Path]:
    from pipeline.demo.render import Layout, random_facts, render

    out: dict[str, Path] = {}
    for base, label in ((corpus, "corpus"), (ROOT / "data" / "inbox", "inbox"),
                        *((Path(d), f"extra/{Path(d).name}") for d in extra)):
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and not p.name.endswith(".json") and p.name != "README.md" \
                        and p.suffix.lower().lstrip(".") in formats | ({"md"} if "txt" in formats else set()):
                    out[f"{label}/{p.relative_to(base)}"] = p
    for fmt in ("txt", "html"):
        if fmt not in formats:
            continue
        for i in range(50):
            rng = random.Random(i)
            tpl = rng.choice(["2019", "2021"])
            p = tmp / f"r{i}.{fmt}"
            p.write_bytes(render(random_facts(rng, tpl), f"某市第{i}局", 2020 if tpl == "2019" else 2022, tpl,
                                 Layout(fmt, chrome=fmt == "html"), seed=i))
            out[f"rendered/r{i}.{fmt}"] = p
    return out


def _json(path: Path, name: str) -> str:
    from pipeline.extract import ReadError, extract

    try:
        got = extract(path).to_json()
    except ReadError as e:
        got = {"not read": e.reason}
    # the file's place on disk (a temporary folder, a worktree) is not part of what is compared
    return json.dumps(got, ensure_ascii=False, indent=1).replace(json.dumps(str(path))[1:-1], name) + "\n"


_VERSION = re.compile(r'^ *"parser_version": "[^"]*",?\n', re.M)


def _versionless(text: str, drop: bool) -> str:
    return _VERSION.sub("", text) if drop else text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["dump", "compare"])
    ap.add_argument("dir")
    ap.add_argument("--corpus", default=os.environ.get("NIANBAO_CORPUS", str(ROOT.parent / "shared" / "corpus")))
    ap.add_argument("--formats", default="txt,html,pdf,docx", help="comma-separated (default: all four)")
    ap.add_argument("--extra", action="append", default=[], metavar="DIR", help="also the files of DIR; repeatable")
    ap.add_argument("--any-version", action="store_true",
                    help="compare the JSONs without their parser_version (a change that raised it on purpose)")
    a = ap.parse_args()
    out = Path(a.dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-same-"))
    files = _files(Path(a.corpus), tmp, set(a.formats.split(",")), a.extra)
    differ, missing = [], []
    for name, path in files.items():
        got = _json(path, name)
        target = out / (hashlib.sha1(name.encode()).hexdigest()[:16] + "-" + path.name + ".json")
        if a.action == "dump":
            target.write_text(got, encoding="utf-8")
        elif not target.exists():
            missing.append(name)
        elif _versionless(target.read_text(encoding="utf-8"), a.any_version) != _versionless(got, a.any_version):
            differ.append(name)
            target.with_suffix(".now.json").write_text(got, encoding="utf-8")
    if a.action == "dump":
        print(f"{len(files)} files dumped")
        return 0
    print(f"{len(files)} files compared: {len(files) - len(differ) - len(missing)} the same, "
          f"{len(differ)} different, {len(missing)} missing")
    for name in differ:
        print("  differs:", name)
    for name in missing:
        print("  missing:", name)
    return 1 if differ or missing else 0


if __name__ == "__main__":
    sys.exit(main())
