"""Shared fixtures: where the shared corpus is, and helpers to compare facts."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# In CI (CI=true, set by .ci/run) Hypothesis draws the same examples every run, so a failure there is
# one anyone can reproduce and a pass is not luck; elsewhere it explores afresh each run.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


def corpus_dir() -> Path | None:
    env = os.environ.get("NIANBAO_CORPUS")
    p = Path(env) if env else ROOT.parent / "shared" / "corpus"
    return p if p.is_dir() else None


CORPUS = corpus_dir()
NO_CORPUS = "the shared corpus is absent (set NIANBAO_CORPUS or place it at ../shared/corpus)"
SPEC = (CORPUS.parent / "spec") if CORPUS else None


def golden_pairs(suffixes: tuple[str, ...]) -> list[tuple[Path, Path]]:
    if CORPUS is None:
        return []
    out = []
    for exp in sorted(CORPUS.rglob("*.expected.json")):
        stem = exp.name[: -len(".expected.json")]
        for rep in sorted(exp.parent.glob(stem + ".*")):
            if rep.suffix.lower() in suffixes and not rep.name.endswith(".expected.json"):
                out.append((rep, exp))
    return out


def unlabeled(suffixes: tuple[str, ...]) -> list[Path]:
    """Every report in the corpus without a golden answer."""
    if CORPUS is None:
        return []
    out = []
    for p in sorted(CORPUS.rglob("*")):
        if not p.is_file() or p.name.endswith(".expected.json") or p.name.lower() == "readme.md":
            continue
        if p.suffix.lower() not in suffixes:
            continue
        stem = p.name.split(".")[0]
        if (p.parent / f"{stem}.expected.json").exists():
            continue
        out.append(p)
    return out


def compare(got: dict, want: dict) -> list[str]:
    """Differences between reported facts (`key` -> value) and a golden answer's facts and absent list."""
    problems = []
    for k, v in want["facts"].items():
        if k not in got:
            problems.append(f"missing {k} (want {v})")
        elif not math.isclose(float(got[k]), float(v), rel_tol=0, abs_tol=1e-6):
            problems.append(f"{k} = {got[k]} want {v}")
    for k in want.get("absent", []):
        if k in got:
            problems.append(f"{k} = {got[k]} but should be absent")
    return problems


def found_without_wrong(name: str, report, want: dict) -> int:
    """How many of the golden facts `report` gives, after asserting it gives none wrong, none the golden
    answer says is absent, and the golden year and format."""
    got = report.values()
    assert report.year == want["year"] and report.template == want["template"]
    wrong = [(k, got[k], v) for k, v in want["facts"].items()
             if k in got and not math.isclose(float(got[k]), float(v), abs_tol=1e-6)]
    assert not wrong, f"wrong values in {name}: {wrong[:10]}"
    absent = [k for k in want.get("absent", []) if k in got]
    assert not absent, f"{name} reports facts the golden says are absent: {absent}"
    return sum(1 for k in want["facts"] if k in got)


def load_json(p: Path) -> dict:
    return json.loads(p.read_text(encoding="utf-8"))


def skip_without_corpus():
    if CORPUS is None:
        pytest.skip(NO_CORPUS)
