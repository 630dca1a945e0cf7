"""The tables' own identities, evaluated on one report's facts (`metric:dim` -> value).

表三, for every applicant column: 本年新收 + 上年结转 = 总计 + 结转下年度; the outcome rows add up to
总计; in every row the applicant columns add up to the 总计 column. 表四: 维持 + 纠正 + 其他 +
尚未审结 = 总计 in each block. An identity is only evaluated when every term of it was read.
These functions are shared by the parser's tests and the warehouse checks.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pipeline.spec.catalog import APPLICANT, METRICS, REVIEW
from pipeline.spec.model import fact_key, split_key
from pipeline.spec.numbers import as_written as _n

OUTCOME_METRICS_2019 = tuple(m.code for m in METRICS if m.section == "applications"
                             and m.code not in ("app.received_new", "app.carried_in", "app.total", "app.carried_out")
                             and not m.code.startswith("app.other."))
OUTCOME_METRICS_2021 = tuple(m.code for m in METRICS if m.section == "applications"
                             and m.code not in ("app.received_new", "app.carried_in", "app.total", "app.carried_out",
                                                "app.other"))
APP_ROWS = tuple(m.code for m in METRICS if m.section == "applications")
from pipeline.spec.tables import REVIEW_BLOCKS  # noqa: E402  (re-exported)


@dataclass(frozen=True)
class Violation:
    check: str  # the check id of the warehouse registry
    where: str  # metric / column
    message: str      # Chinese, as the interface shows it first
    lhs: float
    rhs: float
    message_en: str = ""
    cells: tuple = ()  # the `metric:dim` keys of the identity's terms


def _eq(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def _outcomes(values: dict) -> tuple[str, ...]:
    """The outcome rows this report printed: （六） as one row, or as three sub-rows."""
    if any(k.startswith("app.other.") for k in values):
        return OUTCOME_METRICS_2021
    return OUTCOME_METRICS_2019


def balance(values: dict) -> list[Violation]:
    out = []
    for d in APPLICANT:
        keys = [fact_key("app.received_new", d), fact_key("app.carried_in", d), fact_key("app.total", d), fact_key("app.carried_out", d)]
        if all(k in values for k in keys):
            lhs = values[keys[0]] + values[keys[1]]
            rhs = values[keys[2]] + values[keys[3]]
            if not _eq(lhs, rhs):
                out.append(Violation("app_balance", d, f"本年新收 + 上年结转 = {_n(lhs)}，但办理结果总计 + 结转下年度 = {_n(rhs)}",
                                     lhs, rhs, f"new + carried over = {_n(lhs)} but total handled + carried forward = {_n(rhs)}",
                                     tuple(keys)))
    return out


def outcomes_sum(values: dict) -> list[Violation]:
    out = []
    rows = _outcomes(values)
    for d in APPLICANT:
        total = values.get(fact_key("app.total", d))
        parts = [values.get(fact_key(m, d)) for m in rows]
        if total is None or any(p is None for p in parts):
            continue
        s = sum(parts)
        if not _eq(s, total):
            out.append(Violation("app_outcomes_sum", d, f"各项办理结果之和为 {_n(s)}，但（七）总计为 {_n(total)}", s, total,
                                 f"the outcome rows add up to {_n(s)} but (7) total is {_n(total)}",
                                 tuple(fact_key(m, d) for m in rows) + (fact_key("app.total", d),)))
    return out


def _parts_equal_total(values: dict, check: str, rows, parts: tuple[str, ...], message: str,
                       message_en: str) -> list[Violation]:
    """For each row: the values of its `parts` dims add up to its `total` dim."""
    out = []
    for m in rows:
        total = values.get(fact_key(m, "total"))
        found = [values.get(fact_key(m, d)) for d in parts]
        if total is None or any(p is None for p in found):
            continue
        s = sum(found)
        if not _eq(s, total):
            out.append(Violation(check, m, message.format(s=_n(s), total=_n(total)), s, total,
                                 message_en.format(s=_n(s), total=_n(total)),
                                 tuple(fact_key(m, d) for d in parts) + (fact_key(m, "total"),)))
    return out


def columns_sum(values: dict) -> list[Violation]:
    return _parts_equal_total(values, "app_columns_sum", APP_ROWS, APPLICANT[:-1],
                              "各类申请人之和为 {s}，但总计列为 {total}",
                              "the applicant columns add up to {s} but the total column is {total}")


def review_sum(values: dict) -> list[Violation]:
    return _parts_equal_total(values, "review_sum", REVIEW_BLOCKS, REVIEW[:-1],
                              "结果维持 + 结果纠正 + 其他结果 + 尚未审结 = {s}，但总计为 {total}",
                              "upheld + corrected + other + pending = {s} but total is {total}")


def all_violations(values: dict) -> list[Violation]:
    return balance(values) + outcomes_sum(values) + columns_sum(values) + review_sum(values)


def _identities(keys: set[str]) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """Every identity of 表三 and 表四 as (name, left-hand terms, right-hand terms), over the rows this
    report printed (`keys`: the `metric:dim` keys read or printed blank)."""
    return _identities_of(frozenset(split_key(k)[0] for k in keys))


@lru_cache(maxsize=256)
def _identities_of(printed: frozenset[str]) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """`_identities` for the set of metrics printed (a handful of sets recur across reports: computed once each)."""
    if any(m.startswith("app.other.") for m in printed):
        outcome_rows = OUTCOME_METRICS_2021
    elif "app.other" in printed:
        outcome_rows = OUTCOME_METRICS_2019
    else:
        outcome_rows = tuple(m for m in OUTCOME_METRICS_2019 if m != "app.other")
    out = []
    if printed & set(APP_ROWS):
        for m in APP_ROWS:
            if m in printed:
                out.append((f"{m} row", tuple(fact_key(m, d) for d in APPLICANT[:-1]), (fact_key(m, "total"),)))
        for d in APPLICANT:
            out.append((f"outcomes {d}", tuple(fact_key(m, d) for m in outcome_rows), (fact_key("app.total", d),)))
            out.append((f"balance {d}", (fact_key("app.received_new", d), fact_key("app.carried_in", d)),
                        (fact_key("app.total", d), fact_key("app.carried_out", d))))
    for b in REVIEW_BLOCKS:
        if b in printed:
            out.append((f"{b} block", tuple(fact_key(b, d) for d in REVIEW[:-1]), (fact_key(b, "total"),)))
    return tuple(out)


def verify(facts: list, blank: set[str]) -> None:
    """Set each fact's `verified`: a cell of 表三 or 表四 is verified when every identity that contains
    it holds. A term printed blank or not applicable (`blank`) counts as 0 there, as the table's own
    totals count it; a term that was not read at all (a row left out) leaves the identity unconfirmed,
    and so the cells in it unverified. Facts of 表二 and the prose have no identity: their label match
    is their proof, and they stay verified."""
    values = {f.key(): f.value for f in facts}
    table_keys = {k for k in values if k.startswith(("app.", "review", "litigation."))}
    if not table_keys:
        return
    confirmed: dict[str, bool] = {}
    get = values.get
    for _, lhs, rhs in _identities(table_keys | blank):
        terms = lhs + rhs
        read = [t for t in terms if t in values]
        if not read:
            continue  # nothing of it was read: it confirms or refutes no fact
        known = len(read) == len(terms) or all(t in values or t in blank for t in terms)
        holds = known and _eq(sum(get(t, 0) for t in lhs), sum(get(t, 0) for t in rhs))
        for t in read:
            confirmed[t] = confirmed.get(t, True) and holds
    for f in facts:
        k = f.key()
        if k in table_keys:
            f.verified = confirmed.get(k, False)
