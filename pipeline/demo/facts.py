"""Random, self-consistent facts for the demo and the tests' corpora: a report's tables drawn so that every
identity holds (`random_facts`), and the next year's drawn from the last so that what was carried over
agrees (`next_year`)."""
from __future__ import annotations

import random
from decimal import Decimal

from pipeline.spec.catalog import APPLICANT, REVIEW
from pipeline.spec.model import fact_key
from pipeline.spec.tables import (
    ACTIVE_BLOCKS,
    REVIEW_BLOCKS,
    outcome_metrics,
)


def _amount(rng: random.Random, scale: float) -> Decimal:
    cents = int(rng.lognormvariate(0, 1.2) * scale * 100)
    return (Decimal(cents) / Decimal(1000000)).normalize()  # 万元, from a whole number of 分


def random_facts(rng: random.Random, template: str, size: float = 1.0, blank_rate: float = 0.0) -> dict:
    """A dict `metric:dim` -> value whose tables obey every identity. A cell left blank is absent.

    `size` scales the magnitudes (a ministry receives thousands of applications, a town a few);
    `blank_rate` leaves that share of cells blank (blank cells never become facts).

    Past 60 lines on purpose: the three tables are drawn in one sequence from `rng`, in an order every
    test corpus and the demo data depend on.
    """
    f: dict[str, int | float] = {}
    # 表三: draw outcomes per applicant column, then new + carried so that the balance holds
    outcomes = outcome_metrics(template)
    for d in APPLICANT[:-1]:
        weight = {"natural_person": 1.0, "commercial": 0.25, "research": 0.03, "social_org": 0.03,
                  "legal_service": 0.05, "other_org": 0.08}[d]
        n = int(40 * size * weight * rng.uniform(0.7, 1.4)) if rng.random() < 0.85 else 0
        total = 0
        for i, m in enumerate(outcomes):
            v = 0
            if n:
                share = 0.45 if m == "app.granted" else 0.2 if m in ("app.partial", "app.unavailable.not_held") else 0.03
                v = sum(1 for _ in range(n) if rng.random() < share) if n < 200 else int(n * share * rng.uniform(0.8, 1.2))
            f[fact_key(m, d)] = v
            total += v
        f[fact_key("app.total", d)] = total
        carried_out = int(total * rng.uniform(0.0, 0.1))
        carried_in = min(total + carried_out, int(total * rng.uniform(0.0, 0.1)))
        f[fact_key("app.carried_out", d)] = carried_out
        f[fact_key("app.carried_in", d)] = carried_in
        f[fact_key("app.received_new", d)] = total + carried_out - carried_in
    for m in ["app.received_new", "app.carried_in", *outcomes, "app.total", "app.carried_out"]:
        f[fact_key(m, "total")] = sum(f[fact_key(m, d)] for d in APPLICANT[:-1])
    # 表四
    for block in REVIEW_BLOCKS:
        parts = [int(rng.uniform(0.5, 1.5) * base * size * (1 if block == "review" else 0.6))
                 for base in (3, 0.6, 1.2, 0.5)]
        for d, v in zip(REVIEW[:-1], parts):
            f[fact_key(block, d)] = v
        f[fact_key(block, "total")] = sum(parts)
    # 表二
    for _, _, rows, dims in ACTIVE_BLOCKS[template]:
        for _, metric in rows:
            for d in dims:
                if d == "amount_wan_yuan":
                    v: int | float = float(_amount(rng, 300 * size))
                elif d == "items_change":
                    v = rng.randint(-5, 5)
                elif d in ("made", "repealed"):
                    v = rng.randint(0, int(20 * size) + 2)
                else:
                    v = rng.randint(0, int(500 * size) + 5)
                f[fact_key(metric, d)] = v
    if template == "2021" and "active.regulations:made" in f:
        f["active.regulations:in_force"] = max(f["active.regulations:in_force"], f["active.regulations:made"])
    # narrative
    f["website.posts"] = rng.randint(100, int(5000 * size) + 200)
    f["website.visits"] = rng.randint(10000, int(3_000_000 * size) + 20000)
    for p in ("wechat", "weibo", "douyin"):
        if rng.random() < 0.8:
            f[f"newmedia.{p}.posts"] = rng.randint(50, int(2000 * size) + 60)
            f[f"newmedia.{p}.followers"] = rng.randint(100, int(200_000 * size) + 200)
    f["interpretation.docs"] = rng.randint(1, int(60 * size) + 2)
    if rng.random() < 0.6:
        f["press_conferences"] = rng.randint(1, 30)
    if rng.random() < 0.6:
        f["mailbox.letters"] = rng.randint(0, int(500 * size) + 1)
    if template == "2021":
        f["fees.collected_yuan"] = rng.choice([0, 0, 0, rng.randint(1, 500)])
    if blank_rate:
        for k in [k for k in f if ":" in k]:
            if rng.random() < blank_rate:
                del f[k]
    return f


def next_year(prev: dict, facts: dict, template: str, rng: random.Random | None = None) -> dict:
    """`facts` adjusted so that they follow on from last year's `prev`: 上年结转 equals last year's
    结转下年度 in every applicant column, and (2021 format) 现行有效 = last year's + 制发 − 废止.
    With `rng`, narrative figures and table 二 counts also move smoothly from last year's values
    (a realistic trend instead of a fresh draw)."""
    f = dict(facts)
    if rng is not None:
        for k, v in prev.items():
            if k not in f or k.startswith(("app.", "review", "litigation")) or k.endswith(("items_change", "in_force", "repealed")):
                continue
            factor = rng.uniform(0.85, 1.3)
            if isinstance(v, float):
                f[k] = float((Decimal(str(v)) * Decimal(str(round(factor, 2)))).quantize(Decimal("0.0001")).normalize())
            else:
                f[k] = max(0, int(round(v * factor)))
    for d in APPLICANT[:-1]:
        key_in, key_out = fact_key("app.carried_in", d), fact_key("app.carried_out", d)
        if fact_key("app.carried_out", d) not in prev or key_in not in f:
            continue
        f[key_in] = prev[key_out]
        new = f[fact_key("app.total", d)] + f[key_out] - f[key_in]
        if new < 0:
            f[key_out] -= new
            new = 0
        f[fact_key("app.received_new", d)] = new
    for m in ("app.received_new", "app.carried_in", "app.carried_out"):
        if all(fact_key(m, d) in f for d in APPLICANT[:-1]):
            f[fact_key(m, "total")] = sum(f[fact_key(m, d)] for d in APPLICANT[:-1])
    if template == "2021":
        for m in ("active.regulations", "active.normative_docs"):
            made, repealed, in_force = (fact_key(m, d) for d in ("made", "repealed", "in_force"))
            if in_force in prev and made in f:
                f[repealed] = min(f.get(repealed, 0), prev[in_force] + f[made])
                f[in_force] = prev[in_force] + f[made] - f[repealed]
    return f
