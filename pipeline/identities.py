"""The tables' own identities, evaluated on one report's facts (`metric:dim` -> value).

表三, for every applicant column: 本年新收 + 上年结转 = 总计 + 结转下年度; the outcome rows add up to
总计; in every row the applicant columns add up to the 总计 column. 表四: 维持 + 纠正 + 其他 +
尚未审结 = 总计 in each block. An identity is only evaluated when every term of it was read.
These functions are shared by the parser's tests and the warehouse checks.
"""
from __future__ import annotations

from dataclasses import dataclass

from .catalog import APPLICANT, METRICS, REVIEW

OUTCOME_METRICS_2019 = tuple(m.code for m in METRICS if m.section == "applications"
                             and m.code not in ("app.received_new", "app.carried_in", "app.total", "app.carried_out")
                             and not m.code.startswith("app.other."))
OUTCOME_METRICS_2021 = tuple(m.code for m in METRICS if m.section == "applications"
                             and m.code not in ("app.received_new", "app.carried_in", "app.total", "app.carried_out",
                                                "app.other"))
APP_ROWS = tuple(m.code for m in METRICS if m.section == "applications")
from .tables import REVIEW_BLOCKS  # noqa: E402  (re-exported)


@dataclass(frozen=True)
class Violation:
    check: str  # the check id of the warehouse registry
    where: str  # metric / column
    message: str
    lhs: float
    rhs: float


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
        keys = [f"app.received_new:{d}", f"app.carried_in:{d}", f"app.total:{d}", f"app.carried_out:{d}"]
        if all(k in values for k in keys):
            lhs = values[keys[0]] + values[keys[1]]
            rhs = values[keys[2]] + values[keys[3]]
            if not _eq(lhs, rhs):
                out.append(Violation("app_balance", d, f"新收 + 上年结转 = {lhs} but 总计 + 结转下年度 = {rhs}", lhs, rhs))
    return out


def outcomes_sum(values: dict) -> list[Violation]:
    out = []
    rows = _outcomes(values)
    for d in APPLICANT:
        total = values.get(f"app.total:{d}")
        parts = [values.get(f"{m}:{d}") for m in rows]
        if total is None or any(p is None for p in parts):
            continue
        s = sum(parts)
        if not _eq(s, total):
            out.append(Violation("app_outcomes_sum", d, f"outcome rows add up to {s} but 总计 is {total}", s, total))
    return out


def _parts_equal_total(values: dict, check: str, rows, parts: tuple[str, ...], message: str) -> list[Violation]:
    """For each row: the values of its `parts` dims add up to its `total` dim."""
    out = []
    for m in rows:
        total = values.get(f"{m}:total")
        found = [values.get(f"{m}:{d}") for d in parts]
        if total is None or any(p is None for p in found):
            continue
        s = sum(found)
        if not _eq(s, total):
            out.append(Violation(check, m, message.format(s=s, total=total), s, total))
    return out


def columns_sum(values: dict) -> list[Violation]:
    return _parts_equal_total(values, "app_columns_sum", APP_ROWS, APPLICANT[:-1],
                              "applicant columns add up to {s} but 总计 is {total}")


def review_sum(values: dict) -> list[Violation]:
    return _parts_equal_total(values, "review_sum", REVIEW_BLOCKS, REVIEW[:-1],
                              "维持 + 纠正 + 其他 + 尚未审结 = {s} but 总计 is {total}")


def all_violations(values: dict) -> list[Violation]:
    return balance(values) + outcomes_sum(values) + columns_sum(values) + review_sum(values)
