"""Fixtures for the warehouse tests: an inbox of rendered reports and a helper to refresh it."""
from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from pipeline.demo.render import Layout, random_facts, render
from pipeline.refresh.run import refresh


def write_report(inbox: Path, name: str, agency: str, year: int, facts: dict | None = None, fmt: str = "html",
                 seed: int = 0, template: str | None = None) -> dict:
    template = template or ("2021" if year >= 2021 else "2019")
    facts = facts if facts is not None else random_facts(random.Random(seed), template)
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(render(facts, agency, year, template, Layout(fmt), seed=seed))
    return facts


@pytest.fixture
def env(tmp_path):
    class Env:
        inbox = tmp_path / "inbox"
        data = tmp_path / "data"
        db = tmp_path / "data" / "warehouse.duckdb"

        def refresh(self, **kw):
            kw.setdefault("quiet", True)
            kw.setdefault("workers", 1)
            return refresh(self.inbox, self.db, **kw)

        def query(self, sql, params=None):
            with duckdb.connect(str(self.db), read_only=True) as con:
                return con.execute(sql, params or []).fetchall()

    Env.inbox.mkdir(parents=True)
    return Env()
