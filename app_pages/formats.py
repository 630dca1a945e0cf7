"""How the dashboard writes a number for people: counts, rates with their denominators, amounts in 万元 and
changes in percentage points, each in the interface's language; — for a missing value."""
from __future__ import annotations

import pandas as pd

from app_pages.common import lang, missing, tr


def fmt_pp(change) -> str:
    """A rate's change in percentage points, signed, one decimal; a change that rounds to nothing is
    0.0, never -0.0."""
    from pipeline.serve.writing.templates import no_minus_zero

    return tr("pp", v=no_minus_zero(f"{change * 100:+.1f}"))


def fmt_wan_yuan(v) -> str:
    """An amount in 万元 for people: 6.4亿元, 3,200.5万元, or under 1 万元 in 元 (0.36 万元 is 3,600元), so
    a small amount is never written 0; — when missing."""
    if missing(v):
        return "—"

    def short(x: float, places: int) -> str:
        return f"{x:,.{places}f}".rstrip("0").rstrip(".") if places else f"{x:,.0f}"

    yuan = v * 1e4
    if lang() == "zh":
        if abs(v) >= 1e4:
            return short(v / 1e4, 2) + "亿元"
        return short(v, 2) + "万元" if abs(v) >= 1 or v == 0 else short(yuan, 2) + "元"
    if abs(yuan) >= 1e9:
        return short(yuan / 1e9, 2) + "B yuan"
    return short(yuan / 1e6, 2) + "M yuan" if abs(yuan) >= 1e6 else short(yuan, 2) + " yuan"


def fmt_rate_den(v, den, min_den: int) -> str:
    """A rate with its denominator beside (46.8%（n=214）) and, below the measure's minimum, marked as a small
    sample (100.0%（n=1，小样本）)."""
    if missing(v):
        return "—"
    n = "—" if missing(den) else f"{den:,.0f}"
    small = not missing(den) and den < min_den
    if lang() == "zh":
        return f"{v * 100:.1f}%（n={n}{'，' + tr('small_sample') if small else ''}）"
    return f"{v * 100:.1f}% (n={n}{', ' + tr('small_sample').lower() if small else ''})"


def fmt_number(v, rate: bool = False, compact: bool = False) -> str:
    """A number for people: 46.8%, 14,641, or compact 84.8万 / 848K when space is short; — when missing."""
    if missing(v):
        return "—"
    if rate:
        return f"{v * 100:.1f}%"
    if compact and abs(v) >= 10000:
        if lang() == "zh":
            if abs(v) >= 1e8:
                return f"{v / 1e8:.2f}亿"
            return f"{v / 1e4:.0f}万" if abs(v) >= 1e6 else f"{v / 1e4:.1f}万"
        # three figures, short enough for a tile (848M, 12.4M, 1.85M), rounded before the unit is chosen so
        # 999.6M is 1.00B and 9.996M is 10.0M
        r = float(f"{v:.3g}")
        if abs(r) >= 1e9:
            return f"{v / 1e9:.2f}B"
        if abs(r) >= 1e6:
            m = r / 1e6
            return f"{m:.0f}M" if abs(m) >= 100 else f"{m:.1f}M" if abs(m) >= 10 else f"{m:.2f}M"
        return f"{v / 1e3:.1f}K"
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.2f}".rstrip("0").rstrip(".")


def number_format(values, sign: str = "") -> str:
    """A table column's printf format (st.column_config.NumberColumn) by its own values, so that the
    column stays numbers (sorted as numbers by a click on its header): whole (14,641), halves (a median
    over an even number of peers: 1,940.5) or finer (12.35 万元). printf's %d cuts decimals off, so it is
    kept for columns of whole numbers."""
    vals = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").dropna().to_numpy(dtype=float)
    if (vals == vals.round()).all():
        return f"%{sign},d"
    return f"%{sign},.1f" if (abs(vals * 10 - (vals * 10).round()) < 1e-9).all() else f"%{sign},.2f"
