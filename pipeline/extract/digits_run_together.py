"""Tables flattened into running text, the digits of neighbouring cells run together:

    一、本年新收政府信息公开申请数量640020470二、上年结转政府信息公开申请数量0000000…

Scraped pages and some text conversions lose the cell boundaries. The official row labels are still
there, so each row's digit run can be cut into its cells when exactly one cut satisfies the row's own
identity (表三: the six applicant columns add up to 总计; 表四: each block's four results add up to its
总计), with no number written with a leading zero. A row with no such cut, or with several, is left out;
and when the rows read this way break the table's column identities, none of them is kept. 表二 rows
are read only when the cut is forced (one cell, or as many digits as cells).
"""
from __future__ import annotations

import re
from functools import lru_cache
from decimal import Decimal

from pipeline.spec import catalog
from pipeline.extract import identities
from pipeline.spec.tables import ACTIVE_BLOCKS, ACTIVE_LABEL_HEAD, APP_CARRIED_OUT, APP_HEAD, REVIEW_BLOCKS, app_rows
from pipeline.spec.model import fact_key, split_key

_WS = r"[\s\u3000\u00a0]*"
_MARK = re.compile(r"本年新收" + _WS + r"政府信息公开申请数量" + _WS + r"\d")


@lru_cache(maxsize=1024)
def _label_rx(label: str) -> re.Pattern:
    """A label as printed, with any whitespace between its characters."""
    return re.compile(_WS.join(re.escape(ch) for ch in label if not ch.isspace()))


class _TooMany(Exception):
    """The search for a row's cut went past its bound."""


class _Budget:
    """Search steps one report may spend on cutting digit runs (NIANBAO_MAX_CUT_STEPS; about 2 µs each).
    `used` counts the steps taken: each does a bounded amount of work, so it measures the search."""

    def __init__(self, steps: int | None = None):
        if steps is None:
            from pipeline.limits import current

            steps = current().cut_steps
        self.steps = steps
        self.used = 0
        self.exhausted = False

    def step(self):
        self.used += 1
        if self.used > self.steps:
            self.exhausted = True
            raise _TooMany


def _cut_to_sum(digits: str, n: int, target: int, budget: _Budget) -> tuple[tuple[int, ...], ...]:
    """Up to two ways to cut `digits` into n numbers (no leading zeros) that add up to `target`.

    Pruned by the running sum (no part above what is left) and by digit counts (the parts left must
    be able to hold the digits left), so a long run is settled in thousands of steps, not millions.
    """
    from functools import lru_cache

    size = len(digits)

    @lru_cache(maxsize=None)
    def go(pos: int, k: int, rem: int) -> tuple:
        budget.step()
        left = size - pos
        if k == 0:
            return ((),) if left == 0 and rem == 0 else ()
        if left < k or rem < 0:
            return ()
        maxlen = len(str(rem))
        if left > k * maxlen:
            return ()
        out: list = []
        for length in range(1, min(maxlen, left - (k - 1)) + 1):
            part = digits[pos:pos + length]
            if length > 1 and part[0] == "0":
                break  # no number is written with a leading zero
            v = int(part)
            if v > rem:
                break
            for rest in go(pos + length, k - 1, rem - v):
                out.append((v, *rest))
                if len(out) >= 2:
                    return tuple(out)
        return tuple(out)

    return go(0, n, target)


def _with_total(digits: str, n: int, budget: _Budget) -> list[tuple[int, ...]]:
    """Up to two cuts of `digits` into n-1 parts and, last, their total."""
    out = []
    for length in range(1, min(8, len(digits) - (n - 1)) + 1):
        total = digits[-length:]
        if length > 1 and total[0] == "0":
            continue
        for parts in _cut_to_sum(digits[:-length], n - 1, int(total), budget):
            out.append((*parts, int(total)))
            if len(out) >= 2:
                return out
    return out


def cut_app_row(digits: str, budget: _Budget | None = None) -> tuple[int, ...] | None:
    """表三 row: six applicant columns and 总计; the one cut, or None (none, several, or past the bound)."""
    if not digits or len(digits) < 7 or len(digits) > 7 * 7:
        return None
    try:
        found = _with_total(digits, 7, budget or _Budget())
    except _TooMany:
        return None
    return found[0] if len(found) == 1 else None


def cut_review_row(digits: str, budget: _Budget | None = None) -> tuple[int, ...] | None:
    """表四 run: three blocks of four results and their 总计; the one cut, or None."""
    if not digits or len(digits) < 15 or len(digits) > 15 * 7:
        return None
    budget = budget or _Budget()
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def blocks(pos: int, b: int) -> tuple:
        if b == 3:
            return ((),) if pos == len(digits) else ()
        out: list = []
        rest_min = (2 - b) * 5
        ends = [len(digits)] if b == 2 else range(pos + 5, len(digits) - rest_min + 1)
        for end in ends:
            for cut in _with_total(digits[pos:end], 5, budget):
                for tail in blocks(end, b + 1):
                    out.append((*cut, *tail))
                    if len(out) >= 2:
                        return tuple(out)
        return tuple(out)

    try:
        found = blocks(0, 0)
    except _TooMany:
        return None
    return found[0] if len(found) == 1 else None


def _rows(text: str, labels: list[tuple[str, str]]):
    """(metric, label, digit run) for each label found in order; the run is the digits right after it."""
    pos = 0
    spans = []
    for metric, label in labels:
        m = _label_rx(label).search(text, pos)
        if m is None:
            continue
        spans.append((metric, label, m.start(), m.end()))
        pos = m.end()
    out = []
    for i, (metric, label, _, end) in enumerate(spans):
        stop = spans[i + 1][2] if i + 1 < len(spans) else len(text)
        run = re.match(r"[\d\s\u3000\u00a0]*", text[end:stop]).group(0)
        out.append((metric, label, re.sub(r"\D", "", run)))
    return out


def read_flattened(text: str, report, add) -> int:
    """Read flattened 表三, 表四 and 表二 rows from one paragraph; returns the number of facts added."""
    if not _MARK.search(text):
        return 0
    from pipeline.spec.model import Issue

    added = 0
    budget = _Budget()
    best: list = []
    for template in ("2021", "2019"):
        labels = [(m, lab) for _, lab, m in APP_HEAD] + [(m, lab) for _, lab, m in app_rows(template)] \
            + [APP_CARRIED_OUT[::-1]]
        rows = _rows(text, labels)
        if len(rows) > len(best):
            best = rows
    values: dict[str, int] = {}
    evidence: dict[str, tuple[str, str]] = {}
    skipped = []
    for metric, label, digits in best:
        parts = cut_app_row(digits, budget)
        if parts is None:
            if digits:
                skipped.append(label)
            continue
        for dim, v in zip(catalog.APPLICANT, parts):
            values[fact_key(metric, dim)] = v
            evidence[fact_key(metric, dim)] = (label, digits)
    if values and not identities.balance(values) and not identities.outcomes_sum(values):
        for key, v in values.items():
            metric, dim = split_key(key)
            label, digits = evidence[key]
            add(metric, dim, Decimal(v), {"table": "applications", "row": label,
                                          "column": catalog.DIM_LABELS[dim][0], "flattened": digits})
            added += 1
    elif values:
        report.issues.append(Issue("flattened_table", "warning",
                                   "table 三 is flattened into text; the cells read from it break the table's "
                                   "identities, so none is reported"))
    if skipped:
        report.issues.append(Issue("flattened_table", "info",
                                   f"table 三 is flattened into text; {len(skipped)} rows could not be cut into cells "
                                   "with confidence and were left out", "; ".join(skipped[:20])))
    added += _review(text, report, add, budget)
    added += _active(text, add)
    if budget.exhausted:
        report.issues.append(Issue("flattened_table", "warning",
                                   "a flattened table's digit runs allow too many cuts to settle within the search bound; "
                                   "the rows past the bound were left out"))
    return added


def _review(text: str, report, add, budget: _Budget) -> int:
    m = re.search(r"尚未" + _WS + r"审结" + _WS + r"总" + _WS + r"计" + r"([\d\s\u3000\u00a0]+)(?!.*尚未审结)", text, re.S)
    if not m:
        return 0
    digits = re.sub(r"\D", "", m.group(1))

    parts = cut_review_row(digits, budget)
    if parts is None:
        return 0
    n = 0
    for b, block in enumerate(REVIEW_BLOCKS):
        for d, v in zip(catalog.REVIEW, parts[b * 5:(b + 1) * 5]):
            add(block, d, Decimal(v), {"table": "review_litigation", "row": "(flattened)",
                                       "column": catalog.DIM_LABELS[d][0], "flattened": digits})
            n += 1
    return n


def _active(text: str, add) -> int:
    n = 0
    start = text.find(ACTIVE_LABEL_HEAD)
    end = text.find("收到和处理政府信息公开申请", start)
    if start < 0:
        return 0
    text = text[start:end if end > start else len(text)]  # only the table's own stretch of text
    for template in ("2021", "2019"):
        blocks = ACTIVE_BLOCKS[template]
        if not all(_label_rx(h).search(text) for _, header, _, _ in blocks[:1] for h in header[1:]):
            continue
        for _, _, rows, dims in blocks:
            for label, metric in rows:
                m = re.search(_label_rx(label).pattern + r"([-+\d\s.,]+)(元|万元)?(?=[\u4e00-\u9fff（(]|$)", text)
                if not m:
                    continue
                run = re.sub(r"[\s,]", "", m.group(1))
                if len(dims) == 1:
                    if not re.fullmatch(r"\d+(\.\d+)?", run):
                        continue
                    value = Decimal(run)
                    if dims[0] == "amount_wan_yuan" and m.group(2) == "元":
                        value = value / Decimal(10000)
                    parts = (value,)
                elif re.fullmatch(r"\d+", run) and len(run) == len(dims):
                    parts = tuple(Decimal(c) for c in run)
                else:
                    continue
                for d, v in zip(dims, parts):
                    add(metric, d, v, {"table": "active", "row": label, "column": catalog.DIM_LABELS[d][0],
                                       "flattened": run})
                    n += 1
        break
    return n
