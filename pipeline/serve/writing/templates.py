"""The templates' environment: the shipped templates (this package's templates/), a file of the same
name in the data folder's templates/ replacing one, and the filters that write numbers for people.

A template writes a small Markdown subset (render.py reads it): `#`, `##`, `###` headings, paragraphs,
`- ` items, `> ` notes, `| a | b |` tables (the first row is the header) and `![caption](chart:name)`.
Every value printed by a template passes `_finalize`: on one line, with `|` escaped, so nothing from a
report (an agency's name, a message) can break that structure.
"""
from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd
from jinja2.sandbox import SandboxedEnvironment

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGS = ("zh", "en")


def missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def num(v, digits: int = 2) -> str:
    """1,234 for a count, 12.5 for a fraction; — for a missing value (never 0)."""
    if missing(v):
        return "—"
    v = float(v)
    if abs(v - round(v)) < 1e-9:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}".rstrip("0").rstrip(".")


def signed(v) -> str:
    if missing(v):
        return "—"
    return ("+" if float(v) > 0 else "") + num(v) if float(v) != 0 else "0"


def pct(v) -> str:
    """A rate as a percentage with one decimal: 0.4682 -> 46.8%."""
    return "—" if missing(v) else f"{float(v) * 100:.1f}%"


def pct_change(v) -> str:
    return "—" if missing(v) else no_minus_zero(f"{float(v) * 100:+.1f}") + "%"


def no_minus_zero(s: str) -> str:
    """-0.0 and +0.0 (a change that rounds to nothing) written 0.0."""
    return "0.0" if s in ("-0.0", "+0.0") else s


def pp(v, lang: str = "zh") -> str:
    """A change of a rate in percentage points: +1.2 个百分点 / +1.2 pp."""
    if missing(v):
        return "—"
    return no_minus_zero(f"{float(v) * 100:+.1f}") + (" 个百分点" if lang == "zh" else " pp")


def date(v) -> str:
    if missing(v):
        return "—"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%Y-%m-%d")
    return str(v)[:10]


def _finalize(v):
    if v is None:
        return "—"
    return str(v).replace("\r", " ").replace("\n", " ").replace("|", "\\|")


def agencies(n) -> str:
    """English count of agencies: 1 agency, 2 agencies."""
    return f"{n} agency" if n == 1 else f"{n} agencies"


def environment(data_dir: Path | None) -> SandboxedEnvironment:
    """Templates from `data_dir/templates/` first, then the package's. Sandboxed: a template from the data
    folder can word things, not run code. One environment per folder (Jinja reloads a template whose file
    changed), made again when the folder appears or goes."""
    own = Path(data_dir) / "templates" if data_dir is not None else None
    if own is None or not own.is_dir():
        return _environment(None, ())
    # a template added to the folder later is seen (Jinja reloads only the files it has loaded)
    return _environment(str(own), tuple(sorted((p.name, p.stat().st_mtime_ns) for p in own.glob("*.j2"))))


@lru_cache(maxsize=16)
def _environment(own: str | None, _files: tuple) -> SandboxedEnvironment:
    loaders = []
    if own is not None:
        loaders.append(jinja2.FileSystemLoader(own))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
    env = SandboxedEnvironment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                               finalize=_finalize, autoescape=False)
    env.filters.update(num=num, signed=signed, pct=pct, pct_change=pct_change, pp=pp, date=date, agencies=agencies)
    return env


def render_text(name: str, context: dict, data_dir: Path | None, lang: str) -> str:
    """The template `<name>.<lang>.md.j2` rendered with `context`."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}")
    env = environment(data_dir)
    return env.get_template(f"{name}.{lang}.md.j2").render(**context, lang=lang)
