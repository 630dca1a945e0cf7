"""A check's finding written for people, from its fields, in Chinese or English.

A finding (a row of `check_results`) carries its fields: the check's id, the cells it concerns (`cells`,
a list of `metric:dim` keys) and its numbers and names (`data`: the table, the printed total, the computed
sum, the years, a count). `message(check_id, cells, data, lang)` writes it, one function per check, with
the catalog's labels for the cells: the refresh stores the two messages as a record (exports, CSV), and
the dashboard and the letters write them again from the fields in the interface's language. Nothing
reads a message back.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from pipeline.spec import catalog
from pipeline.spec.numbers import as_written as _n


def key_label(key: str, lang: str = "zh") -> str:
    """The label of one code: a `metric:dim` key, a metric code or a column code alone (natural_person);
    an unknown code is returned as it is."""
    if not isinstance(key, str) or not key:
        return "" if key is None else str(key)
    if key in catalog.DIM_LABELS:
        return catalog.DIM_LABELS[key][0 if lang == "zh" else 1]
    try:
        return catalog.label(key, lang)
    except KeyError:
        return key


def cells_text(cells, lang: str = "zh") -> str:
    """The cells of a finding, as their labels, joined."""
    return ("、" if lang == "zh" else "; ").join(key_label(k, lang) for k in list(cells if cells is not None else []))


def where_text(cells, evidence, lang: str = "zh") -> str:
    """What a finding points at, for people: its cells' labels, or else its evidence (a sentence of the
    text, a file's name, an address, where the reader was)."""
    if cells is not None and len(cells):
        return cells_text(cells, lang)
    if not isinstance(evidence, str):
        return ""
    # a row the reader found without a label of its own is written "(no label)" in its notes
    return evidence.replace("(no label)", "（无标签）") if lang == "zh" else evidence


def fields(data) -> dict:
    """A finding's `data` as a dict (stored as JSON text)."""
    if isinstance(data, dict):
        return data
    if isinstance(data, str) and data:
        return json.loads(data)
    return {}


def dumps(data: dict) -> str:
    """The one serialisation of a finding's fields (sorted, so a finding's key is stable)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _zh_en(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en


# --- one writer per check: (cells, data, lang) -> text -----------------------------------------------

def _identity(zh: str, en: str) -> Callable:
    """The four identities of 表三/表四: where (a column or a row) and the two sides."""
    def write(cells, d, lang):
        where = key_label(d.get("where", ""), lang)
        text = _zh_en(zh, en, lang).format(lhs=_n(d["lhs"]), rhs=_n(d["rhs"]))
        return f"{d.get('table', '')} {where}：{text}" if lang == "zh" else f"{where}: {text}"
    return write


STATEMENT_KINDS = {
    "applications_received": ("本年新收申请", "new applications"), "carried_in": ("上年结转", "carried over from last year"),
    "carried_out": ("结转下年度", "carried forward"), "review_total": ("行政复议", "reconsiderations"),
    "litigation_total": ("行政诉讼", "lawsuits"),
}


def _text_vs_table(cells, d, lang):
    name = STATEMENT_KINDS.get(d["kind"], (d["kind"], d["kind"]))[0 if lang == "zh" else 1]
    said, shown = _n(d["said"]), _n(d["shown"])
    return _zh_en(f"{name}：正文 {said}，表格 {shown}", f"{name}: the text says {said}, the table {shown}", lang)


def _blank_cells(cells, d, lang):
    n = d.get("count")
    n = "" if n is None else _n(n)
    return _zh_en(f"{n} 个单元格为空白或标注为不适用，未作为数据读取",
                  f"{n} table cells are blank or marked not applicable; no value was read from them", lang)


ISSUE_ZH = {
    "ambiguous_narrative": "正文数字有歧义，未采用", "row_cells": "表格行的单元格数与表头不符，该行未读取",
    "columns_missing": "表格缺少列", "template_unclear": "报告格式不明确（同时有 2019 与 2021 年格式的特征）",
    "template_unknown": "未识别报告格式", "unexpected_column": "该格式没有这一列，未采用",
    "agency_unknown": "未能确定机关名称", "flattened_table": "表格数字连在一起，按勾稽关系拆分",
    "no_header": "表格没有表头，未读取", "unit_assumed": "单位按惯例推定", "unmatched_row": "表格行未能对应标准行",
    "year_from_text": "年度取自正文", "year_implausible": "年度不合常理，未采用", "year_mismatch": "标题与正文年度不一致",
    "year_unknown": "未能确定年度", "implausible_value": "数值不合常理，未采用",
    "conflicting_values": "同一单元格出现两个不同数值，均未采用",
    "row_without_label": "表格行没有自己的标签，按位置无法证明是哪一行，未读取",
}


def _note_zh(code: str, d: dict) -> str:
    """A reader's note in Chinese where the reader gave its fields (the narrative reader's metric and
    its rival values); none otherwise: the reader writes its technical notes in English, shown in the
    English interface, and the Chinese one says the kind and where (not English inside Chinese)."""
    metric, values = d.get("metric"), d.get("values")
    if code != "ambiguous_narrative" or not metric or not values:
        return ""
    try:
        label = key_label(metric, "zh")
    except (KeyError, ValueError):
        label = metric
    shown = "、".join(str(v) for v in values)
    if d.get("rival"):
        return f"{label}：正文在 {shown} 之外还写有另一个数值，未说明哪个是该项数据，均未采用"
    return f"{label}：正文写有多个数值（{shown}），均未采用"


def _extraction(cells, d, lang):
    # the reader's notes are technical (which row, which cell): its English note follows the Chinese kind
    code, note = d.get("code", ""), d.get("note", "")
    kind = ISSUE_ZH[code] if code in ISSUE_ZH else f"读取提示（{code}）"  # a kind without Chinese words: its code
    zh = _note_zh(code, d)
    return _zh_en(f"{kind}：{zh}" if zh else kind, f"{code}: {note}", lang)


def _table_missing(cells, d, lang):
    t = d.get("table")
    if not t:
        return _zh_en("报告缺少应有的表格", "a required table is missing", lang)
    return _zh_en(f"未能读取{t}的任何数值", f"no value of {t} could be read", lang)


def _fixed(zh: str, en: str) -> Callable:
    return lambda cells, d, lang: _zh_en(zh, en, lang)


def _carryover(cells, d, lang):
    col = key_label(d["column"], lang)
    py, y, prev, cur = d["prev_year"], d["year"], _n(d["prev"]), _n(d["cur"])
    return _zh_en(f"{col}：{py} 年结转下年度 {prev} ≠ {y} 年上年结转 {cur}",
                  f"{col}: carried forward in {py} {prev} ≠ carried over in {y} {cur}", lang)


def _in_force_carry(cells, d, lang):
    m = key_label(d["metric"], lang)
    was, made, rep, exp, now = (_n(d[k]) for k in ("prev_in_force", "made", "repealed", "expected", "in_force"))
    return _zh_en(f"{m}：{d['prev_year']} 年现行有效 {was} + 制发 {made} − 废止 {rep} = {exp}，但本年现行有效为 {now}",
                  f"{m}: in force in {d['prev_year']} {was} + issued {made} − repealed {rep} = {exp}, "
                  f"but in force this year is {now}", lang)


def _narrative_copied(cells, d, lang):
    same, total, pct, py = _n(d["same"]), _n(d["total"]), _n(d["percent"]), d["prev_year"]
    return _zh_en(f"{same} / {total} 个句子（{pct}%）与 {py} 年报告相同",
                  f"{same} of {total} sentences ({pct}%) are identical to the {py} report", lang)


def _jump_tenfold(cells, d, lang):
    return f"{cells_text(cells, lang)}{_zh_en('：', ': ', lang)}{_n(d['prev'])} → {_n(d['cur'])}"


def _files_disagree(cells, d, lang):
    used, other = _n(d["used"]), _n(d["other"])
    return cells_text(cells, lang) + _zh_en(f"：采用文件 {used}，另一文件 {other}",
                                            f": the file used says {used}, the other file {other}", lang)


def _published_late(cells, d, lang):
    y, on, dl, late = d["year"], d["published_on"], d["deadline"], d["days_late"]
    return _zh_en(f"{y} 年报告 {on} 发布，期限为 {dl}（晚 {late} 天）",
                  f"the {y} report was published on {on}, the deadline was {dl} ({late} days late)", lang)


def _agency_unregistered(cells, d, lang):
    return _zh_en(f"{d['name']}：未在名录中登记", f"{d['name']}: not in the register", lang)


WRITERS: dict[str, Callable] = {
    "app_balance": _identity("本年新收 + 上年结转 = {lhs}，但办理结果总计 + 结转下年度 = {rhs}",
                             "new + carried over = {lhs} but total handled + carried forward = {rhs}"),
    "app_outcomes_sum": _identity("各项办理结果之和为 {lhs}，但（七）总计为 {rhs}",
                                  "the outcome rows add up to {lhs} but (7) total is {rhs}"),
    "app_columns_sum": _identity("各类申请人之和为 {lhs}，但总计列为 {rhs}",
                                 "the applicant columns add up to {lhs} but the total column is {rhs}"),
    "review_sum": _identity("结果维持 + 结果纠正 + 其他结果 + 尚未审结 = {lhs}，但总计为 {rhs}",
                            "upheld + corrected + other + pending = {lhs} but total is {rhs}"),
    "text_vs_table": _text_vs_table,
    "blank_cells": _blank_cells,
    "extraction": _extraction,
    "table_missing": _table_missing,
    "section_five_empty": _fixed("第五部分“存在的主要问题及改进情况”为空或少于 30 字",
                                 "section 5 (problems and improvements) is empty or fewer than 30 characters"),
    "fees_not_stated": _fixed("2021 年格式要求在第六部分说明信息处理费收取情况，报告未提及",
                              "the 2021 format asks section 6 to state the information-processing fees; the report does not"),
    "carryover": _carryover,
    "in_force_carry": _in_force_carry,
    "narrative_copied": _narrative_copied,
    "jump_tenfold": _jump_tenfold,
    "files_disagree": _files_disagree,
    "published_late": _published_late,
    "agency_unregistered": _agency_unregistered,
}


def message(check_id: str, cells, data, lang: str = "zh") -> str:
    """The finding of `check_id` with these fields, written in `lang` ('zh' or 'en')."""
    return WRITERS[check_id](list(cells if cells is not None else []), fields(data), lang)


def messages(frame, lang: str = "zh") -> list[str]:
    """The message of each finding of a frame with `check_id`, `cells` and `data` columns."""
    return [message(c, k, d, lang) for c, k, d in zip(frame["check_id"], frame["cells"], frame["data"])]


def places(frame, lang: str = "zh") -> list[str]:
    """What each finding of a frame with `cells` and `evidence` columns points at (`where_text`)."""
    return [where_text(k, e, lang) for k, e in zip(frame["cells"], frame["evidence"])]
