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

import itertools
import re
from decimal import Decimal

from . import catalog, identities
from .render import ACTIVE_BLOCKS, _APP_HEAD, app_rows

_WS = r"[\s\u3000\u00a0]*"
_MARK = re.compile(r"本年新收" + _WS + r"政府信息公开申请数量" + _WS + r"\d")


def _label_rx(label: str) -> re.Pattern:
    """A label as printed, with any whitespace between its characters."""
    return re.compile(_WS.join(re.escape(ch) for ch in label if not ch.isspace()))


def _splits(digits: str, n: int):
    """Every way to cut a digit string into n numbers, none written with a leading zero."""
    if n == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield (int(digits),)
        return
    for cuts in itertools.combinations(range(1, len(digits)), n - 1):
        bounds = (0, *cuts, len(digits))
        parts = [digits[a:b] for a, b in zip(bounds, bounds[1:])]
        if all(p == "0" or p[0] != "0" for p in parts):
            yield tuple(int(p) for p in parts)


def _unique(digits: str, n: int, ok) -> tuple[int, ...] | None:
    if not digits or len(digits) < n or len(digits) > n * 7:
        return None
    found = None
    for parts in _splits(digits, n):
        if ok(parts):
            if found is not None:
                return None  # two readings: ambiguous
            found = parts
    return found


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
    from .model import Issue

    added = 0
    best: list = []
    for template in ("2021", "2019"):
        labels = [(m, lab) for _, lab, m in _APP_HEAD] + [(m, lab) for _, lab, m in app_rows(template)] \
            + [("app.carried_out", "四、结转下年度继续办理")]
        rows = _rows(text, labels)
        if len(rows) > len(best):
            best = rows
    values: dict[str, int] = {}
    evidence: dict[str, tuple[str, str]] = {}
    skipped = []
    for metric, label, digits in best:
        parts = _unique(digits, 7, lambda p: sum(p[:6]) == p[6])
        if parts is None:
            if digits:
                skipped.append(label)
            continue
        for dim, v in zip(catalog.APPLICANT, parts):
            values[f"{metric}:{dim}"] = v
            evidence[f"{metric}:{dim}"] = (label, digits)
    if values and not identities.balance(values) and not identities.outcomes_sum(values):
        for key, v in values.items():
            metric, dim = key.split(":")
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
    added += _review(text, report, add)
    added += _active(text, add)
    return added


def _review(text: str, report, add) -> int:
    m = re.search(r"尚未" + _WS + r"审结" + _WS + r"总" + _WS + r"计" + r"([\d\s\u3000\u00a0]+)(?!.*尚未审结)", text, re.S)
    if not m:
        return 0
    digits = re.sub(r"\D", "", m.group(1))

    def ok(p):
        return all(sum(p[b * 5:b * 5 + 4]) == p[b * 5 + 4] for b in range(3))

    parts = _unique(digits, 15, ok)
    if parts is None:
        return 0
    n = 0
    for b, block in enumerate(identities.REVIEW_BLOCKS):
        for d, v in zip(catalog.REVIEW, parts[b * 5:(b + 1) * 5]):
            add(block, d, Decimal(v), {"table": "review_litigation", "row": "(flattened)",
                                       "column": catalog.DIM_LABELS[d][0], "flattened": digits})
            n += 1
    return n


def _active(text: str, add) -> int:
    n = 0
    start = text.find("信息内容")
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
