"""The report's agency, statistical year and publication date, from its title, the statistical period
or the opening of its 总体情况.
"""
from __future__ import annotations

import datetime
import re
from pipeline.read.cells import chinese_year
from pipeline.read.document import Document
from pipeline.spec.numbers import CN_YEAR
from pipeline.spec.tables import APPLICANT_HEAD
from pipeline.spec.model import PARSER_VERSION, Fact, Issue, Report  # noqa: F401  (re-exported)


_THIS_YEAR = datetime.date.today().year


_YEAR = r"(?P<year>(?:19|20)\d{2}|" + CN_YEAR + ")"


_TAIL = r"\s*年\s*(?:度)?\s*(?:的)?\s*(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"


_AGENCY = r"(?P<agency>[\u4e00-\u9fff（）()·\s]{2,60}?)"


_TITLE_A = re.compile(_AGENCY + r"\s*" + _YEAR + _TAIL)


_TITLE_B = re.compile(_YEAR + r"\s*年\s*(?:度)?\s*" + _AGENCY
                      + r"\s*(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)")


_TITLE_C = re.compile(_AGENCY + r"\s*(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)\s*[（(]\s*"
                      + _YEAR + r"\s*年?\s*(?:度)?\s*[)）]")


_PERIOD = re.compile(r"统计(?:期限|时限|期间|时间)[^。]{0,12}?(?:自|为|从)?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")


_PREFIX = re.compile(r"^(?:标题|题目|title)\s*[:：]\s*", re.I)


_AGENCY_PREFIX = re.compile(r"^(?:关于|当前位置|首页|发布机构|来源)[:：]?")


_BY = re.compile(r"(?:本报告|本年度报告|本年报|本年度年报|报告)(?:是)?由\s*([\u4e00-\u9fff（）()]{4,40}?)(?:办公室|办公厅)?\s*(?:编制|负责编制|根据|依据|按照)")


_ISSUER = re.compile(r"^(?:发布机构|发文机关|来源)\s*[:：]\s*([\u4e00-\u9fff（）()]{4,40})\s*$")


_PUBLISHED = re.compile(r"(?:发布时间|发布日期|时间|日期|成文日期)\s*[:：]\s*((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


_BOOK_TITLE = re.compile(r"《[^》]*》?|<[^>]*>")


_OPENING_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年(?:度)?\s*[，,]")


_GENERIC = re.compile(r"关于|^(本|我|全)?(本|我|全)?(单位|机关|部门|局|区|县|市|镇|乡|街道|政府|委|办)?$|政府信息公开|年度报告|公开工作|^现|^根据|^按照|^依据")


def _plausible_agency(a: str) -> bool:
    return 3 <= len(a) <= 40 and not _GENERIC.search(a)


def _clean_agency(a: str) -> str:
    a = re.sub(r"\s+", "", a)
    a = _AGENCY_PREFIX.sub("", a)
    a = re.sub(r"(关于|的)$", "", a)  # 某局关于2021年度政府信息公开工作年度报告
    return a.strip("（）()·")


def _identify(doc: Document, report: Report):
    """The report's year, agency and publication date: from its title, else from its text; an issue when
    the year is implausible or either cannot be found."""
    _from_title(doc, report)
    _from_text(doc, report)
    _judge_identity(report)


def _from_title(doc: Document, report: Report):
    """Year and agency from the title (or one of the first paragraphs, a title broken over two lines joined)."""
    candidates = []
    if doc.title:
        candidates.append(doc.title)
    first = [p.text.strip() for p in doc.paragraphs[:40]]
    for i, t in enumerate(first):
        candidates.append(t)
        if len(t) <= 40 and i + 1 < len(first):
            candidates.append(t + first[i + 1][:40])  # a title broken over two lines
    for raw in candidates:
        if "公开" not in raw or ("报告" not in raw and "年报" not in raw):
            continue  # every title pattern ends in …公开…报告 or …公开…年报: none can match
        text = _BOOK_TITLE.sub(" ", _PREFIX.sub("", raw.strip()))  # 《…》 names another document
        for rx in (_TITLE_A, _TITLE_B, _TITLE_C):
            m = rx.search(text)
            if not m:
                continue
            y = m.group("year")
            year = int(y) if y.isdigit() else chinese_year(y)
            agency = _clean_agency(m.group("agency"))
            if year and report.year is None:
                report.year = year
            if report.agency is None and _plausible_agency(agency):
                report.agency = agency
            if report.year is not None and report.agency is not None:
                break
        if report.year is not None and report.agency is not None:
            break


def _from_text(doc: Document, report: Report):
    """What the title did not give, from the text: the statistical period's year (an issue when it differs
    from the title's), the year the 总体情况 opens with, the agency that signs, the date of publication."""
    text = doc.text()
    m = _PERIOD.search(text)
    if m:
        period_year = int(m.group(1))
        if report.year is None:
            report.year = period_year
        elif period_year != report.year:
            report.issues.append(Issue("year_mismatch", "warning",
                                       f"the title says {report.year} but the statistical period starts in {period_year}",
                                       m.group(0)))
    if report.year is None:
        paras = [p.text.strip() for p in doc.paragraphs[:80]]
        for i, t in enumerate(paras[:-1]):
            if re.search(r"总体情况$", t) or re.fullmatch(r".{0,6}总体情况.{0,4}", t):
                m = _OPENING_YEAR.match(paras[i + 1])
                if m:
                    report.year = int(m.group(1))
                    report.issues.append(Issue("year_from_text", "info",
                                               f"no title or statistical period; the year {report.year} is the one the 总体情况 section opens with",
                                               paras[i + 1][:80]))
                break
    if report.agency is None:
        for p in doc.paragraphs[:60]:
            m = _BY.search(p.text) or _ISSUER.search(p.text.strip())
            if m:
                report.agency = _clean_agency(m.group(1))
                break
    if report.published is None:
        for p in doc.paragraphs[:30]:
            m = _PUBLISHED.search(p.text)
            if m:
                report.published = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                break


def _judge_identity(report: Report):
    """An implausible year is dropped with an error; a year or an agency not found is an error."""
    if report.year is not None and not (2008 <= report.year <= _THIS_YEAR + 1):
        report.issues.append(Issue("year_implausible", "error",
                                   f"the year {report.year} cannot be a report's statistical year (the regulation "
                                   f"took effect in 2008); the report is not placed in any year"))
        report.year = None
    elif report.year is None:
        report.issues.append(Issue("year_unknown", "error", "the statistical year could not be found"))
    if report.agency is None:
        report.issues.append(Issue("agency_unknown", "error", "the issuing agency could not be found"))


_OVERALL = re.compile(r"^\s*(?:[一1]\s*[、.．]|第一部分)?\s*总体情况")
# 表三's header words, in both formats (its 商业企业 may be printed 商业 企业: its first two characters)
_APPLICANTS = (APPLICANT_HEAD[0], APPLICANT_HEAD[1][:2])


def several_reports(doc: Document) -> list[tuple[str, int]]:
    """The reports one file holds, when it holds more than one: each a title line (agency and year) whose
    总体情况 follows within a few blocks, with its own 表三 — a workbook of two agencies' sheets, two pages
    saved into one. Empty when the file holds one report (a title repeated, or named twice in two spellings,
    beside one 表三, is one report)."""
    blocks = doc.blocks
    opened: list[tuple[str, int]] = []
    for i, b in enumerate(blocks):
        text = getattr(b, "text", None)
        if text is None or len(text) > 80 or "公开" not in text or not any(
                getattr(x, "text", None) is not None and _OVERALL.match(x.text) for x in blocks[i + 1:i + 6]):
            continue
        for rx in (_TITLE_A, _TITLE_B, _TITLE_C):
            m = rx.search(_BOOK_TITLE.sub(" ", _PREFIX.sub("", text.strip())))
            if m:
                y = m.group("year")
                year = int(y) if y.isdigit() else chinese_year(y)
                pair = (_clean_agency(m.group("agency")), year)
                if year and pair not in opened:
                    opened.append(pair)
                break
    if len(opened) < 2:
        return []
    tables = sum(1 for t in doc.tables if all(any(w in c.text for r in t.rows[:4] for c in r) for w in _APPLICANTS))
    return opened if tables >= 2 else []
