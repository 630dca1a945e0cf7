"""Tenfold swings not yet confirmed, where a total shows them: the agencies whose figure feeding a tile or
a chart changed more than tenfold from the year before, while their `jump_tenfold` finding is open (a
review that dismisses it takes the mark away). The totals keep the values as reported; the mark says an
unconfirmed swing is in them, as the data-quality page and the circular do."""
from __future__ import annotations

from app_pages.common import db_path, filters, lang, q, tr
from pipeline.serve.reviews import read_reviews

MARK = " ⚠"


def statuses() -> dict[str, str]:
    """finding key -> the analysts' status of it (confirmed, dismissed; open when not reviewed)."""
    return {k: v[0] for k, v in read_reviews(db_path().parent / "reviews.csv").items()}


def dismissed() -> tuple[str, ...]:
    """The finding keys an analyst dismissed (data/reviews.csv beside the warehouse)."""
    return tuple(sorted(k for k, v in statuses().items() if v == "dismissed"))


def by_measure(year: int, measures) -> dict[str, list[str]]:
    return q("tenfold_jumps", filters(), year, tuple(measures), dismissed())


def by_key(keys) -> dict[tuple[int, str], list[str]]:
    """(year, metric:dim key) -> agencies with an open tenfold finding on that key in that year."""
    found = q("checks", filters(), check_ids=("jump_tenfold",))
    gone = set(dismissed())
    out: dict[tuple[int, str], list[str]] = {}
    for r in found.itertuples():
        if r.finding_key in gone or r.cells is None:
            continue
        for key in r.cells:
            if key in keys:
                out.setdefault((int(r.year), key), []).append(r.agency)
    return {k: sorted(set(v)) for k, v in out.items()}


def note(names: list[str], year: int | None = None) -> str:
    """含 A、B 等 3 个机关的数据较上年变化超过十倍，尚待核实: who, for a caption."""
    sep = "、" if lang() == "zh" else ", "
    shown = sep.join(names[:3]) + (tr("jump_more", n=len(names)) if len(names) > 3 else "")
    return MARK.strip() + " " + tr("jump_note" if year is None else "jump_note_year", names=shown, year=year)
