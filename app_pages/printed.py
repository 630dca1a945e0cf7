"""The official tables laid out as the State Council's format prints them: header groups, the
（一）…（七） numbering, full labels that wrap, 表四's fifteen columns. Each builder returns the HTML
to draw and the same table as a DataFrame for its CSV (with agency and year columns)."""
from __future__ import annotations

import html

import pandas as pd

from pipeline.spec import catalog, tables
from pipeline.spec.model import fact_key

_CSS = ("<style>.nb-t{border-collapse:collapse;width:100%;font-size:0.86rem;margin-bottom:0.6rem}"
        ".nb-t th,.nb-t td{border:1px solid #9e9e9e;padding:3px 6px;vertical-align:middle}"
        ".nb-t th{background:#f3f4f6;font-weight:600;text-align:center}"
        ".nb-t td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
        ".nb-t td.bad{background:#ffcdd2}.nb-t td.warn{background:#fff3c4}.nb-t td.lab{white-space:normal}"
        ".nb-t td.unv{outline:1px dashed #b26a00;outline-offset:-3px}.nb-t td.unv::after{content:' †';color:#b26a00}"
        "</style>")


class Values(dict):
    """A report's values by key, and the keys whose facts are unverified (drawn in a dashed box, marked †)."""

    def __init__(self, values: dict, unverified=()):
        super().__init__(values)
        self.unverified = frozenset(unverified)


def as_printed(v, grouped: bool = False) -> str:
    """A number as a report prints it: 3985758, 1205.5; never 3.98576e+06; a blank stays blank. `grouped`:
    with thousands separators (3,985,758), as prose figures are read more easily, every digit kept."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    f = float(v)
    sep = "," if grouped else ""
    return format(int(f), sep) if f.is_integer() else format(f, sep + ".6f").rstrip("0").rstrip(".")


def _num(v):
    """A cell's value for the table's export: a number (int when whole) or empty, never text."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


def _unverified(values: dict, cells: list[tuple[str, str, str]]) -> str | None:
    """The export's mark of what the screen marks †: the names of a row's cells (metric, dim, name) whose facts
    are unverified, or None."""
    unv = getattr(values, "unverified", ())
    return "; ".join(name for metric, dim, name in cells if fact_key(metric, dim) in unv) or None


def _flagged(bad: dict, cells: list[tuple[str, str, str]]) -> str | None:
    """The export's mark of what the screen colours: the names of a row's cells (metric, dim, name) a check names
    (red: an identity that fails; yellow: a warning), or None."""
    return "; ".join(name for metric, dim, name in cells if (metric, dim) in bad) or None


def _e(s) -> str:
    return html.escape(str(s))


def _td(values: dict, bad: dict, metric: str, dim: str | None) -> str:
    key = fact_key(metric, dim)
    why = bad.get((metric, dim))  # (message, severity) of a check naming the cell: red for an error, yellow a warning
    unv = key in getattr(values, "unverified", ())
    cls = "n" + ((" bad" if why[1] == "error" else " warn") if why else "") + (" unv" if unv else "")
    why = why[0] if why else None
    why = "; ".join(x for x in (why, "未经核验 unverified" if unv else None) if x)
    title = f' title="{_e(why)}"' if why else ""
    return f'<td class="{cls}"{title}>{_e(as_printed(values.get(key)))}</td>'


def _dim(d: str, lang: str) -> str:
    return catalog.DIM_LABELS[d][0 if lang == "zh" else 1]


def table2(values: dict, bad: dict, template: str, lang: str) -> tuple[str, pd.DataFrame]:
    parts, rows = [], []
    for printed_caption, header, block_rows, dims in tables.ACTIVE_BLOCKS[template]:
        caption = tables.active_caption(printed_caption, lang)
        heads = (header[0], *(_with_unit(h, d) for h, d in zip(header[1:], dims))) if lang == "zh" else \
            ("", *(_dim(d, lang) for d in dims))
        h = "".join(f"<th>{_e(x)}</th>" for x in heads)
        body = ""
        for label, metric in block_rows:
            shown = label if lang == "zh" else catalog.label(metric, lang)
            body += f'<tr><td class="lab">{_e(shown)}</td>' + "".join(_td(values, bad, metric, d) for d in dims) + "</tr>"
            rows.append({"block": caption, "row": shown, **{heads[i + 1]: _num(values.get(fact_key(metric, d)))
                                                          for i, d in enumerate(dims)},
                         "unverified": _unverified(values, [(metric, d, heads[i + 1]) for i, d in enumerate(dims)]),
                         "flagged": _flagged(bad, [(metric, d, heads[i + 1]) for i, d in enumerate(dims)])})
        parts.append(f'<table class="nb-t"><tr><th colspan="{len(heads)}">{_e(caption)}</th></tr><tr>{h}</tr>{body}</table>')
    return _CSS + "".join(parts), pd.DataFrame(rows)


def _with_unit(head: str, dim: str) -> str:
    """A column header as the template prints it, with the unit said where the template leaves it out: the 2019
    format's 采购总金额 is in 万元 without saying so."""
    return head + tables.IN_WAN_YUAN if dim.endswith("wan_yuan") and "万元" not in head else head


def _pair(pair: tuple[str, str], lang: str) -> str:
    """A label the tables declare as (zh, en), in the page's language."""
    return pair[0 if lang == "zh" else 1]


def table3(values: dict, bad: dict, template: str, lang: str) -> tuple[str, pd.DataFrame]:
    zh = lang == "zh"
    dims = catalog.APPLICANT
    head = (f'<tr><th rowspan="3" colspan="3">{_e(_pair(tables.APP_NOTE, lang))}</th>'
            f'<th colspan="7">{_e(_pair(tables.APPLICANTS, lang))}</th></tr>'
            f'<tr><th rowspan="2">{_e(_dim("natural_person", lang))}</th>'
            f'<th colspan="5">{_e(_pair(tables.LEGAL_PERSONS, lang))}</th>'
            f'<th rowspan="2">{_e(_dim("total", lang))}</th></tr>'
            "<tr>" + "".join(f"<th>{_e(_dim(d, lang))}</th>" for d in dims[1:6]) + "</tr>")
    results = list(tables.app_rows(template))
    if template == "2021" and "app.other:total" in values:  # a 2021 report that printed 其他处理 as one row
        results = [r for r in results if not r[2].startswith("app.other.")]
        results.insert(len(results) - 1, tables.APP_OTHER["2019"][0])
    group_size: dict[str, int] = {}
    for g, _, _ in results:
        if g:
            group_size[g] = group_size.get(g, 0) + 1
    body, rows = [], []

    def numbers(metric: str) -> str:
        return "".join(_td(values, bad, metric, d) for d in dims)

    def record(label: str, metric: str):
        rows.append({"row": label, **{_dim(d, lang): _num(values.get(fact_key(metric, d))) for d in dims},
                     "unverified": _unverified(values, [(metric, d, _dim(d, lang)) for d in dims]),
                     "flagged": _flagged(bad, [(metric, d, _dim(d, lang)) for d in dims])})

    for _, label, metric in tables.APP_HEAD:
        shown = label if zh else catalog.label(metric, lang)
        body.append(f'<tr><td class="lab" colspan="3">{_e(shown)}</td>{numbers(metric)}</tr>')
        record(shown, metric)
    started: set[str] = set()
    for i, (g, label, metric) in enumerate(results):
        shown = label if zh else catalog.label(metric, lang)
        lead = ""
        if i == 0:
            lead += f'<td class="lab" rowspan="{len(results)}">{_e(_pair(tables.APP_OUTCOMES, lang))}</td>'
        if g and g not in started:
            started.add(g)
            lead += f'<td class="lab" rowspan="{group_size[g]}">{_e(g if zh else tables.APP_GROUPS_EN.get(g, g))}</td>'
        cell = f'<td class="lab">{_e(shown)}</td>' if g else f'<td class="lab" colspan="2">{_e(shown)}</td>'
        body.append(f"<tr>{lead}{cell}{numbers(metric)}</tr>")
        record(f"{g} · {label}" if (g and zh) else shown, metric)  # the group and the item, apart
    last_label, carried = tables.APP_CARRIED_OUT
    last = last_label if zh else catalog.label(carried, lang)
    body.append(f'<tr><td class="lab" colspan="3">{_e(last)}</td>{numbers(carried)}</tr>')
    record(last, carried)
    return _CSS + f'<table class="nb-t">{head}{"".join(body)}</table>', pd.DataFrame(rows)


def table4(values: dict, bad: dict, lang: str) -> tuple[str, pd.DataFrame]:
    dims = catalog.REVIEW
    head = (f'<tr><th colspan="5" rowspan="2">{_e(_pair(tables.REVIEW_GROUP, lang))}</th>'
            f'<th colspan="10">{_e(_pair(tables.LITIGATION_GROUP, lang))}</th></tr>'
            "<tr>" + "".join(f'<th colspan="5">{_e(_pair(pair, lang))}</th>' for pair in tables.LITIGATION_BLOCKS.values())
            + "</tr>"
            "<tr>" + "".join(f"<th>{_e(_dim(d, lang))}</th>" for d in dims) * 3 + "</tr>")
    body = "<tr>" + "".join(_td(values, bad, b, d) for b in tables.REVIEW_BLOCKS for d in dims) + "</tr>"
    names = {(b, d): f"{catalog.label(b, lang)} · {_dim(d, lang)}" for b in tables.REVIEW_BLOCKS for d in dims}
    row = {name: _num(values.get(fact_key(b, d))) for (b, d), name in names.items()}
    row["unverified"] = _unverified(values, [(b, d, name) for (b, d), name in names.items()])
    row["flagged"] = _flagged(bad, [(b, d, name) for (b, d), name in names.items()])
    return _CSS + f'<table class="nb-t">{head}{body}</table>', pd.DataFrame([row])
