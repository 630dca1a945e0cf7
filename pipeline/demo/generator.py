"""The bundled demo reports: about 40 agencies of every level in several provinces, 2019-2024, both
formats, every readable file type, realistic magnitudes and trends, and a few deliberate defects
that the checks must catch. Written by the project's renderer, deterministically:

    nianbao demo --out data/inbox/demo

The dashboard marks reports loaded from `demo/` in the inbox as 演示数据 (demo data).

Each report also carries the date its (made-up) site published it, written where `nianbao fetch` writes
what it saw (`demo/.fetch/provenance.jsonl`, and each agency's list page in `demo/.fetch/state.json`):
most are on time, the ones in LATE are late by the days given, and the missing report (agency 14, 2022)
is not published, its list page read after the deadline without it. So the demo shows timeliness.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path

from pipeline.demo.render import Layout, agency_name, next_year, random_facts, render
from pipeline.spec.model import fact_key

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
N_AGENCIES = 40
SIZE = {"national": 25, "provincial": 8, "city": 2.5, "county": 0.8, "township": 0.15}

# (agency index, year): what is wrong on purpose, and which check catches it
DEFECTS = {
    (3, 2022): "table3_column_sum",      # app_columns_sum / app_outcomes_sum
    (5, 2023): "carryover",              # carryover
    (8, 2021): "copied_narrative",       # narrative_copied
    (11, 2024): "tenfold",               # jump_tenfold
    (14, 2022): "missing",               # the coverage matrix shows a gap
    (17, 2020): "blank_cells",           # blank_cells (info), never zeros
    (21, 2023): "review_total",          # review_sum
    (24, 2022): "two_files_disagree",    # files_disagree (an HTML page and its TXT version)
    (27, 2024): "text_vs_table",         # text_vs_table
    (32, 2023): "thin_closing",          # section_five_empty, fees_not_stated (sections 五 and 六 say "无。")
}


# (agency index, year): published this many days after the deadline
LATE = {(2, 2023): 12, (6, 2024): 45, (19, 2023): 3, (25, 2024): 20}
NOT_PUBLISHED = (14, 2022)
LIST_READ_ON = "2025-05-06T09:00:00+08:00"  # the day the demo's list pages were "read" (after every deadline)


def _is_government(name: str, tier: str) -> bool:
    return tier == "township" or name.endswith(("人民政府", "人民政府办公厅"))


def deadline(name: str, tier: str, year: int) -> dt.date:
    """Article 49: governments by 31 March of the next year, departments by 31 January."""
    return dt.date(year + 1, 3, 31) if _is_government(name, tier) else dt.date(year + 1, 1, 31)


def publication_date(i: int, year: int) -> dt.date:
    """The date the demo's site shows for agency i's report of `year` (deterministic)."""
    name, tier = agency_name(i)
    due = deadline(name, tier, year)
    if (i, year) in LATE:
        return due + dt.timedelta(days=LATE[(i, year)])
    return due - dt.timedelta(days=random.Random(f"{i}-{year}").randint(0, 40))


def write_publications(out: Path, written: list[Path]) -> None:
    """What a fetch of the demo's site would have recorded: each file's page address and date, and each
    agency's list page with the years it listed."""
    records, years = [], {}
    for path in sorted(written):
        i, year = int(path.name[:2]), int(path.name[3:7])
        years.setdefault(i, set()).add(year)
        records.append({"kind": "file", "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                        "agency_id": f"demo-{i:02d}", "url": None, "page_url": None,
                        "published_on": publication_date(i, year).isoformat(), "fetched_at": LIST_READ_ON})
    sources = {f"demo-{i:02d}": {"list_url": None, "list_ok": LIST_READ_ON, "last_run": LIST_READ_ON,
                                 "years_listed": sorted(ys), "last_error": None}
               for i, ys in sorted(years.items()) if i not in UNREGISTERED}
    fetch = out / ".fetch"
    fetch.mkdir(exist_ok=True)
    (fetch / "provenance.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                                    for r in records), encoding="utf-8")
    (fetch / "state.json").write_text(json.dumps({"sources": sources}, ensure_ascii=False, indent=1, sort_keys=True)
                                      + "\n", encoding="utf-8")


def formats() -> tuple[str, ...]:
    """Every format the demo is written in (python-docx and reportlab are main dependencies, so a plain
    install writes the same files as the bundled ones)."""
    return ("html", "txt", "docx", "pdf")


def generate(out: Path) -> list[Path]:
    """The bundled demo reports written into `out` (the same bytes every time). One function past 60 lines:
    every file is drawn from one random sequence in one order, which a split must not change."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    fmts = formats()
    for i in range(N_AGENCIES):
        name, level = agency_name(i)
        rng = random.Random(1000 + i)
        prev = None
        prev_seed = None
        prev_fmt = "html"
        for year in YEARS:
            tpl = "2021" if year >= 2021 else "2019"
            facts = random_facts(rng, tpl, size=SIZE[level] * rng.uniform(0.7, 1.3))
            if prev is not None:
                facts = next_year(prev, facts, tpl if year != 2021 else "2019", rng)
            defect = DEFECTS.get((i, year))
            seed = 10_000 * i + year
            if defect == "missing":
                prev = facts
                continue
            if defect == "table3_column_sum":
                facts["app.granted:natural_person"] = facts.get("app.granted:natural_person", 0) + 4
            elif defect == "carryover":
                facts["app.carried_in:natural_person"] += 3
                facts["app.received_new:natural_person"] = max(0, facts["app.received_new:natural_person"] - 3)
                facts["app.carried_in:total"] += 3
                facts["app.received_new:total"] = sum(facts[fact_key("app.received_new", d)] for d in
                                                      ("natural_person", "commercial", "research", "social_org",
                                                       "legal_service", "other_org"))
            elif defect == "copied_narrative":  # last year's text, figures and all
                seed = prev_seed
                facts = {k: v for k, v in facts.items() if ":" in k}
                facts.update({k: v for k, v in prev.items() if ":" not in k})
            elif defect == "tenfold":
                facts["website.visits"] = prev["website.visits"] * 14
            elif defect == "blank_cells":
                for k in [k for k in facts if k.startswith(("app.denied.", "active.fees"))][:9]:
                    del facts[k]
            elif defect == "review_total":
                facts["review:total"] += 2
            fmt = fmts[(i + year) % len(fmts)] if defect != "text_vs_table" else "html"
            if defect == "copied_narrative":
                fmt = prev_fmt
            lay = Layout(fmt, chrome=(fmt == "html" and i % 3 == 0), pad=(i % 4 == 1), split_labels=(i % 5 == 2 and fmt == "txt"),
                         thin_closing=defect == "thin_closing")
            stem = f"{i:02d}-{year}"
            path = out / f"{stem}{_suffix(fmt)}"
            path.write_bytes(render(facts, name, year, tpl, lay, seed=seed))
            written.append(path)
            if defect == "two_files_disagree":
                other = dict(facts)
                other["review:upheld"] += 1
                other["review:total"] += 1
                alt = "txt" if fmt != "txt" else "html"
                p2 = out / f"{stem}-copy{_suffix(alt)}"
                p2.write_bytes(render(other, name, year, tpl, Layout(alt), seed=seed))
                written.append(p2)
            if defect == "text_vs_table":
                # the text says one more application than the table: re-render with a stated count
                text = path.read_bytes()
                marker = "本报告由".encode("utf-8") if not text.startswith(b"\xef\xbb\xbf") else b""
                stated = f"全年共收到政府信息公开申请{int(facts['app.received_new:total']) + 5}件。".encode("utf-8")
                if marker and marker in text and fmt in ("html", "txt"):
                    path.write_bytes(text.replace(marker, stated + marker, 1))
            prev, prev_seed, prev_fmt = facts, seed, fmt
    write_publications(out, written)
    return written


def _suffix(fmt: str) -> str:
    return {"html": ".html", "txt": ".txt", "docx": ".docx", "pdf": ".pdf"}[fmt]


# the demo's last agency is left out of the register on purpose: its reports load under the name their
# text gives and are flagged (agency_unregistered) for the office to register
UNREGISTERED = (39,)


def register_entries():
    """The demo's agency register (data/agencies.csv): each demo agency with its division code and level."""
    from pipeline.warehouse.agencies import resolve
    from pipeline.warehouse.register import NATIONAL_CODE, Entry

    names = [agency_name(i) for i in range(N_AGENCIES)]
    resolved = resolve([n for n, _ in names])
    entries = []
    for i, (name, tier) in enumerate(names):
        if i in UNREGISTERED:
            continue
        ag = resolved[name]
        code = NATIONAL_CODE if tier == "national" else (ag.adcode or "")[:6]
        if tier == "national":
            level = "ministry"
        elif name.endswith(("人民政府", "人民政府办公厅")):
            level = {"provincial": "province", "city": "city", "county": "county"}[tier]
        elif tier == "township":
            level = "township"
        else:
            level = "department"
        e = Entry(f"demo-{i:02d}", name, [], code, level, "", "", [], "demo agency")
        entries.append(e)
    for e in entries:  # a department's (or a street office's) parent: the government of its division
        if e.level in ("department", "township"):
            gov = next((g for g in entries if g.level in ("province", "city", "county") and g.region_code == e.region_code),
                       None)
            e.parent_id = gov.agency_id if gov else ""
    return entries
