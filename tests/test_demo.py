"""The bundled demo reports load completely, cover every readable format, and each deliberate defect
is caught by the check meant for it."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.demo.generator import DEFECTS
from pipeline.refresh.run import refresh
from pipeline.demo.render import agency_name

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "inbox" / "demo"
CATCHES = {"table3_column_sum": "app_columns_sum", "carryover": "carryover", "copied_narrative": "narrative_copied",
           "tenfold": "jump_tenfold", "blank_cells": "blank_cells", "review_total": "review_sum",
           "two_files_disagree": "files_disagree", "text_vs_table": "text_vs_table",
           "thin_closing": "section_five_empty"}


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("bundled")
    (base / "inbox").symlink_to(DEMO.parent, target_is_directory=True)
    rr = refresh(base / "inbox", base / "data" / "warehouse.duckdb", quiet=True, workers=2,
                 agencies=DEMO.parent.parent / "agencies.csv")
    return rr, base / "data" / "warehouse.duckdb"


def test_bundled_demo_loads_every_file_in_every_format(demo_warehouse):
    rr, db = demo_warehouse
    assert rr.exit_code == 0 and not rr.files_failed and not rr.unplaced
    assert {p.suffix for p in DEMO.iterdir()} == {".html", ".txt", ".pdf", ".docx"}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(distinct agency_id), min(year), max(year) from reports").fetchall() == [(40, 2019, 2024)]
        assert set(r[0] for r in con.execute("select distinct level from agencies").fetchall()) == {
            "national", "provincial", "city", "county", "township"}
        assert con.execute("select value from meta where key = 'demo'").fetchall() == [("1",)]
        # every demo agency but the one left out of the register on purpose is the register's
        assert con.execute("select count(*) from agencies where registered").fetchall() == [(39,)]
    assert rr.unregistered == [agency_name(39)[0]] and rr.register_problems == []


@pytest.mark.parametrize("where,defect", sorted(DEFECTS.items()), ids=[d for _, d in sorted(DEFECTS.items())])
def test_each_deliberate_defect_is_caught(demo_warehouse, where, defect):
    _, db = demo_warehouse
    i, year = where
    name = agency_name(i)[0]
    with duckdb.connect(str(db), read_only=True) as con:
        if defect == "missing":
            status = con.execute("select status from coverage where agency = ? and year = ?", [name, year]).fetchall()
            assert status == [("not_collected",)]  # no file, and no list page read: nianbao cannot tell more
            return
        found = con.execute("select distinct c.check_id from check_results c join agencies a using (agency_id) "
                            "where a.name = ? and c.year = ?", [name, year]).fetchall()
    assert CATCHES[defect] in {r[0] for r in found}


def test_the_renderer_writes_the_same_bytes_every_time():
    """Deterministic in every format (PDF metadata and zip times fixed), so `nianbao demo` regenerates the
    bundled files exactly and a regenerated demo differs only where the renderer changed."""
    import random
    import time

    from pipeline.demo.generator import formats
    from pipeline.demo.render import Layout, random_facts, render

    facts = random_facts(random.Random(7), "2021", size=1)
    for fmt in formats():
        first = render(facts, "南京市财政局", 2023, "2021", Layout(fmt), seed=3)
        second = int(time.time())
        while int(time.time()) == second:  # wait for the clock's next second: no timestamp may leak in
            time.sleep(0.02)
        assert render(facts, "南京市财政局", 2023, "2021", Layout(fmt), seed=3) == first, fmt
    assert formats() == ("html", "txt", "docx", "pdf")


def test_demo_needs_no_dev_extra():
    """`nianbao demo` in a plain install: the renderer writes every format with the dev extra's packages
    unimportable (the dev extra as pyproject.toml declares it)."""
    import re
    import subprocess
    import sys
    import tomllib

    dev = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["dev"]
    blocked = [re.split(r"[<>=!~\[ ]", d, maxsplit=1)[0].lower().replace("-", "_") for d in dev]
    code = ("import random, sys\n"
            f"sys.modules.update(dict.fromkeys({blocked!r}))\n"
            "from pipeline.demo.generator import formats\n"
            "from pipeline.demo.render import Layout, random_facts, render\n"
            "facts = random_facts(random.Random(7), '2021', size=1)\n"
            "print(' '.join(f for f in formats() if render(facts, '南京市财政局', 2023, '2021', Layout(f), seed=3)))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["html", "txt", "docx", "pdf"]
