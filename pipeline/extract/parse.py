"""Document in, a report out: agency, statistical year, template version, facts and issues.

Table rows are read one at a time in document order. Each row is split into its label (the text
cells, with the group labels that span it) and its value cells (the cells after the label, each
merged cell once). The label is matched against the catalog's row patterns; columns follow the
official format (表三: 自然人 … 总计; 表四: 复议, 直接起诉, 复议后起诉 × 结果维持 … 总计) and, for
表二, the header row above the values. A row whose cells cannot be placed with confidence gives
no fact and an issue instead.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pipeline.spec import catalog, tables
from pipeline.read.cells import NUMBER
from pipeline.read.document import Document, Paragraph, Table
from pipeline.extract import identities
from pipeline.extract.digits_run_together import read_flattened
from pipeline.spec.model import PARSER_VERSION, Fact, Issue, Report  # noqa: F401  (re-exported)
from pipeline.extract.narrative import read_narrative
from pipeline.extract.one_cell_per_line import fold_streams
from pipeline.extract.rows import _State, spanning_down, split_row, value_anchor
from pipeline.extract.table_applications import _resolve_orphan, _row_applications
from pipeline.extract.table_review import _row_review
from pipeline.extract.table_active import _row_active
from pipeline.extract.identify import _identify


_HEADINGS = (
    ("active", re.compile(r"^(二|一)?\.?(\(?[二一]\)?)?主动公开政府信息(情况)?$|^二\.?主动公开")),
    ("applications", re.compile(r"^(三|二)?\.?收到和处理政府信息公开申请|^三\.?收到和处理")),
    ("review", re.compile(r"^(四|三)?\.?(因)?政府信息公开.*(复议|诉讼)|^四\.?.*行政复议|^(四|三)\.?.*行政诉讼")),
    (None, re.compile(r"^(五|四)\.?.*(存在的主要问题|改进情况)|^六\.?其他需要报告")),
)


_RUN_IN_END = re.compile(r"^[五六]\.?(?:存在的主要问题|其他需要报告)")


_ACTIVE_ROW = re.compile(r"第二十条|信息内容")


_APP_ROW = re.compile(r"本年新收|申请人情况|勾稽关系")


@lru_cache(maxsize=4096)  # a pure function of the text; table labels recur across reports
def _heading_section(text: str) -> tuple[bool, str | None]:
    t = catalog.normalise_label(text)
    if len(t) > 40:
        # a heading run into its section's first paragraph (<strong>五、存在的主要问题及改进情况</strong>一是…)
        # ends the tables' sections all the same: no table of 表二-表四 follows it
        return (True, None) if _RUN_IN_END.match(t) else (False, None)
    for section, rx in _HEADINGS:
        if rx.search(t):
            return True, section
    return False, None


def _rows_of(table: Table):
    for i, cells in enumerate(table.rows):
        page = table.row_pages[i] if table.row_pages else table.page
        yield cells, page


def parse(doc: Document) -> Report:
    """The report's facts, issues and identification from a read document: its tables in the order of the
    document, the digits run together when no table gave 表三, the format, the prose, the report's own checks."""
    report = Report(path=doc.path, sha256=doc.sha256, format=doc.format, title=doc.title, published=doc.published)
    st = _State(report)
    _read_tables(doc, st)
    _read_run_together(doc, report, st)
    report.facts = list(st.seen.values())
    if st.blank_cells:
        report.issues.append(Issue("blank_cells", "warning",
                                   f"{len(st.blank_cells)} table cells are blank or marked not applicable; no fact was reported for them",
                                   "; ".join(st.blank_cells[:60]), data={"count": len(st.blank_cells)}))
    _decide_template(report, st.votes)
    _drop_foreign_dims(report)
    identities.verify(report.facts, st.blank_keys)
    _identify(doc, report)
    read_narrative(doc, report)
    _missing_tables(report)
    _sections(doc, report)
    return report


def _new_section(st: _State, section: str | None, keep_dims: bool = False) -> None:
    """A heading or a table's own section row starts `section`: what the last section's headers said
    of their columns no longer holds (表二's dimensions stay when only a 表三 row starts its section)."""
    st.section, st.group, st.pending, st.app_head, st.app_unofficial = section, None, [], [], False
    if not keep_dims:
        st.dims = None
        st.clear_review_head()


def _read_tables(doc: Document, st: _State) -> None:
    """Every table row of the document onto the state, in order; a heading or a table's own section row
    says which table (表二, 表三, 表四) the rows after it belong to."""
    blocks = fold_streams(doc.blocks, lambda t: _heading_section(t)[0])
    for block in blocks:
        if isinstance(block, Paragraph):
            is_heading, section = _heading_section(block.text)
            if is_heading:
                _resolve_orphan(st, ended_by_label=True)
                _new_section(st, section)
            continue
        rows = [split_row(cells) for cells in block.rows]
        spanning_down(rows, block.rows)
        st.anchor7 = value_anchor(rows, 7)
        st.aligned = block.aligned
        width = st.table_width = max(map(len, block.rows), default=0)
        if st.app_head and {len(h) for h in st.app_head} != {width}:
            st.app_head = []  # a table of another width: the last table's header says nothing of its columns
        st.table_start = True
        for (cells, page), row in zip(_rows_of(block), rows):
            st.page = page
            if st.orphan is not None and st.section != "applications":
                _resolve_orphan(st, ended_by_label=True)  # a new section closes the last label
            if not row.values and row.texts:
                is_heading, section = _heading_section(" ".join(row.texts))
                if is_heading:
                    _resolve_orphan(st, ended_by_label=True)
                    _new_section(st, section)
                    continue
            norm = catalog.normalise_label(" ".join(row.texts))
            if _ACTIVE_ROW.search(norm) and st.section != "active" and not row.values:
                st.section, st.dims = "active", None
            elif _APP_ROW.search(norm) and st.section != "applications":
                _new_section(st, "applications", keep_dims=True)
            elif tables.REVIEW_GROUP[0] in norm and tables.LITIGATION_GROUP[0] in norm and not any(v.kind == NUMBER for v in row.values):
                st.section, st.review_after_values = "review", False
                st.clear_review_head()
            if st.section == "active":
                _row_active(st, row, cells)
            elif st.section == "applications":
                _row_applications(st, row, cells)
            elif st.section == "review":
                _row_review(st, row, cells)
    _resolve_orphan(st, ended_by_label=True)


def _read_run_together(doc: Document, report: Report, st: _State) -> None:
    """When no table gave 表三: the first paragraph whose digits run together reads as the tables, and its
    header words vote for the format."""
    if not any(k.startswith("app.") for k in st.seen):
        for block in doc.paragraphs:
            if read_flattened(block.text, report, st.add):
                norm = catalog.normalise_label(block.text)
                for tpl, markers in catalog.TEMPLATE_MARKERS.items():
                    st.votes[tpl] += sum(1 for mk in markers if mk in norm)
                if any(k.startswith("app.other.") for k in st.seen):
                    st.votes["2021"] += 1
                break


def _decide_template(report: Report, v) -> None:
    """The format from the header words' votes (the 2019 or the 2021 one), or an issue saying it is unclear."""
    if v["2019"] or v["2021"]:
        report.template = "2021" if v["2021"] > v["2019"] else "2019" if v["2019"] > v["2021"] else None
        if report.template is None:
            report.issues.append(Issue("template_unclear", "warning",
                                       "the tables carry markers of both the 2019 and the 2021 format"))
    else:
        report.issues.append(Issue("template_unknown", "warning",
                                   "no table header shows which format (2019 or 2021) the report follows"))


_SECTION = re.compile(r"^\s*(?P<n>[一二三四五六七八])\s*[、.．]\s*(?P<title>.{0,40})")


_FEES = re.compile(r"处理费|收费|收取.{0,6}费|费用")


def _sections(doc, report: Report):
    """Section 五 (problems and improvements) that says nothing, and a 2021-format report whose section 六
    says nothing about 信息处理费 (the 2021 format asks for it): issues for the office, not errors."""
    heads: list[tuple[int, str, str]] = []
    paras = doc.paragraphs
    for i, p in enumerate(paras):
        m = _SECTION.match(p.text)
        if m and len(p.text) <= 60:
            heads.append((i, m.group("n"), m.group("title")))

    def body(number: str, words: str) -> str | None:
        for k, (i, n, title) in enumerate(heads):
            if n == number and re.search(words, title):
                end = next((j for j, n2, _ in heads[k + 1:] if n2 != number), len(paras))
                return "".join(p.text for p in paras[i + 1:end])
        return None

    five = body("五", r"问题|改进")
    if five is not None and len(re.findall(r"[\u4e00-\u9fff]", five)) < 30:
        report.issues.append(Issue("section_five_empty", "info",
                                   "section 五 (problems and improvements) is empty or says only a few words",
                                   five[:200]))
    if report.template == "2021":
        six = body("六", r"其他|报告")
        text = six if six is not None else "".join(p.text for p in paras)
        if not _FEES.search(text):
            report.issues.append(Issue("fees_not_stated", "info",
                                       "the 2021 format asks section 六 to state the information-processing fees "
                                       "(信息处理费) charged; the report says nothing about them", (six or "")[:200]))


def _drop_foreign_dims(report: Report):
    """Facts whose dim is not in the metric's columns for the report's format are left out."""
    if report.template is None:
        return
    keep = []
    for f in report.facts:
        m = catalog.BY_CODE[f.metric]
        if f.dim is not None and m.dims_by_template and f.dim not in m.dims_for(report.template):
            report.issues.append(Issue("unexpected_column", "warning",
                                       f"{f.key()} is not a column of the {report.template} format; left out",
                                       f.evidence.get("row", "")))
            continue
        keep.append(f)
    report.facts = keep


def _missing_tables(report: Report):
    sections = {catalog.BY_CODE[f.metric].section for f in report.facts}
    names = {"active": "表二 主动公开", "applications": "表三 依申请公开", "review_litigation": "表四 复议诉讼"}
    for s, name in names.items():
        if s not in sections:
            report.issues.append(Issue("table_missing", "warning", f"no value of {name} could be read",
                                       data={"table": name}))
