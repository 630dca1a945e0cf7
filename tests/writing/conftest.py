"""The demo warehouse with what the bundled demo lacks for the office's writing: publication dates
(some late, by varied days), one agency whose list page was read after the deadline without its 2024
report (not published) and one whose 2024 report is simply absent (not collected). The dates and the
list page are given as `nianbao fetch` records them (inbox/.fetch/), so the refresh loads them as it
loads a real fetch."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.refresh.run import refresh

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2024
NOT_PUBLISHED, NOT_COLLECTED = "05", "11"   # demo agency numbers whose 2024 file is left out


def published_on(number: int, year: int) -> str:
    """Spread over January to mid-April of the next year: departments (31 January) often late, governments
    (31 March) late now and then."""
    day = dt.date(year + 1, 1, 10) + dt.timedelta(days=(number * 17) % 65)
    if number % 7 == 3:
        day = dt.date(year + 1, 4, 1) + dt.timedelta(days=number % 20)
    return day.isoformat()


@pytest.fixture(scope="session")
def wh(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("writing")
    inbox = base / "inbox"
    shutil.copytree(ROOT / "data" / "inbox" / "demo", inbox / "demo")
    # the bundled demo carries its own publication dates (demo/.fetch); this fixture gives its own instead
    shutil.rmtree(inbox / "demo" / ".fetch", ignore_errors=True)
    for n in (NOT_PUBLISHED, NOT_COLLECTED):
        for f in (inbox / "demo").glob(f"{n}-{YEAR}.*"):
            f.unlink()
    records = []
    for f in sorted((inbox / "demo").iterdir()):
        m = re.fullmatch(r"(\d+)-(\d{4})", f.stem)
        if not m:
            continue  # the demo's second file of one report (its text version)
        number, year = int(m.group(1)), int(m.group(2))
        if year in (YEAR - 1, YEAR):
            records.append({"kind": "file", "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
                            "path": f"demo/{f.name}", "url": f"https://example.gov.cn/{f.name}",
                            "agency_id": f"demo-{number:02d}", "year": year, "published_on": published_on(number, year),
                            "fetched_at": "2025-06-01T00:00:00"})
    (inbox / ".fetch").mkdir()
    (inbox / ".fetch" / "provenance.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    state = {"sources": {f"demo-{NOT_PUBLISHED}": {
        "list_url": "https://example.gov.cn/ndbg/", "list_ok": "2025-06-01T00:00:00", "last_run": "2025-06-01T00:00:00",
        "years_listed": [2019, 2020, 2021, 2022, 2023], "last_error": None}}}
    (inbox / ".fetch" / "state.json").write_text(json.dumps(state), encoding="utf-8")
    db = base / "data" / "warehouse.duckdb"
    rr = refresh(inbox, db, quiet=True, workers=2, agencies=ROOT / "data" / "agencies.csv")
    assert rr.exit_code == 0
    return db


@pytest.fixture
def con(wh):
    c = duckdb.connect(str(wh), read_only=True)
    yield c
    c.close()


# -- reading the documents back ------------------------------------------------------------------

def _clean(s: str | None) -> str:
    return (s or "").replace("\n", "").strip()


def doc_tables(data: bytes, fmt: str) -> list[list[list[str]]]:
    """Every table of a DOCX, PDF or HTML document as rows of cell texts (a PDF table broken over pages,
    its header repeated, is joined back)."""
    if fmt == "docx":
        import docx

        return [[[_clean(c.text) for c in r.cells] for r in t.rows] for t in docx.Document(io.BytesIO(data)).tables]
    if fmt == "html":
        from lxml import html

        root = html.fromstring(data)
        return [[[_clean(c.text_content()) for c in tr.xpath("./th|./td")] for tr in t.xpath(".//tr")]
                for t in root.xpath("//table")]
    import pdfplumber

    out: list[list[list[str]]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for i, t in enumerate(page.extract_tables()):
                rows = [[_clean(c) for c in r] for r in t]
                if i == 0 and out and rows and rows[0] == out[-1][0]:
                    out[-1].extend(rows[1:])  # the same table continued on this page, its header repeated
                else:
                    out.append(rows)
    return out


def doc_text(data: bytes, fmt: str) -> str:
    """All the text of a document, table cells included, without line breaks inside paragraphs."""
    if fmt == "docx":
        import docx

        d = docx.Document(io.BytesIO(data))
        parts = [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]
        return "\n".join(parts)
    if fmt == "html":
        from lxml import html

        return html.fromstring(data).text_content()
    if fmt == "md":
        return data.decode("utf-8")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join((p.extract_text() or "").replace("\n", "") for p in pdf.pages)


def table_with(tables, header: list[str]) -> list[list[str]]:
    """The body rows of the table whose header is `header`."""
    found = [t for t in tables if t and t[0] == header]
    assert len(found) == 1, f"expected one table headed {header}, found {len(found)}: {[t[0] for t in tables]}"
    return found[0][1:]
