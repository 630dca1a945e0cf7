"""Whose figure a narrative number is: another year's (a sentence that opens with another year), a government
portal's traffic in a department's report, or another body's (a clause whose subject is another government
body or a superior department)."""
from __future__ import annotations

import re

from pipeline.extract.narrative_items import _WEBSITE, Item

# 2022年度，我局门户网站访问量为46.5万次 / 截至2022年底，微信公众号粉丝2.1万人: that year's
_LEAD_YEAR = re.compile(r"^\s*(?:截至|截止(?:到|至)?|到|至)?\s*((?:19|20)\d{2})\s*年")
# a government's portal (市政府门户网站, 区人民政府网站): its traffic is the whole portal's ("政府网站" alone is any
# public body's site, and a department's items published on the portal, its column there, are its own)
_GOVERNMENT_SITE = re.compile(r"[省市区县州旗盟](?:人民)?政府[^，。；、\d]{0,4}$")


def scope_exclusion(item: Item, year: int | None, agency: str | None) -> str | None:
    """What makes a figure another year's or another body's whatever its label: a sentence that opens with
    another year (and does not name the report's year after it); the traffic of a government's portal
    (市政府门户网站全年总访问量2,360万次) in the report of an agency that is not a government or its office
    (whose own portal it is), or of an agency not known."""
    m = _LEAD_YEAR.match(item.before)
    if year is not None and m and int(m.group(1)) != year and str(year) not in item.before[m.end():]:
        return f"the figure of {m.group(1)}"
    if item.metric is not None and item.metric.startswith("website."):
        sites = [m for m in _WEBSITE.finditer(item.before) if not _THAT_SITE.search(item.before[:m.start()])]
        owner = item.before[:sites[-1].start()] if sites else ""
        if item.metric in ("website.visits", "website.unique_visitors") and sites and _GOVERNMENT_SITE.search(owner) \
                and (agency is None or "政府" not in agency):
            return "a government's portal, not the agency's own site"
        superior = _SUPERIOR_SITE.search(owner) if sites else None
        if superior and not _its_own(superior.group("body"), agency):  # 省厅门户网站全年发布信息12,608条
            return f"another body's site ({superior.group('body')})"
    body = _subject(item.before)
    if body is not None and not _its_own(body, agency):
        return f"the figure of another body ({body})"
    return None


# 该网站 / 上述网站 / 此网站: the site named before, whose words decide whose site it is
_THAT_SITE = re.compile(r"(?:该|此|上述|这一|这个)\s*$")
# a government, its office or its press office as a clause's subject (市政府新闻办全年召开新闻发布会86场), not its portal
_SUPERIOR = r"省厅|省局|省[^\s，。；、\d“”\"（）()]{1,8}?(?:局|厅)|上级(?:主管)?(?:部门|单位|机关)|省级(?:主管)?部门"
_BODY = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年度?|全年|本年度?|今年|当年)?\s*"
                   r"(?P<body>[省市区县州旗盟镇乡](?:人民)?政府(?:办公室|办公厅|新闻办公室|新闻办)?"
                   r"|[省市区县州](?:委|政府)?(?:新闻办公室|新闻办|宣传部)|" + _SUPERIOR + r")(?![^，。；\d]{0,4}(?:门户|网站|网))")
# a superior department's site (省厅门户网站, 上级部门网站): none of its figures is the agency's
_SUPERIOR_SITE = re.compile(r"(?:^|[^\u4e00-\u9fff]|[在的和与及、])(?P<body>" + _SUPERIOR + r")[^，。；、\d]{0,4}$")
_OWN_SUBJECT = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年度?|全年|本年度?|今年|当年)?\s*(?:我|本)(?:局|委|办|厅|部|署|院|中心|单位|机关|部门)")
_CLAUSE_START = re.compile(r"[，。；：,;:（）()]")


def _subject(before: str) -> str | None:
    """The body a figure's clause speaks of when it names one: the nearest clause, back from the number, that
    opens with the agency itself (我局, 本委) or a government body (市政府新闻办, 区政府办公室); None when none does
    or the nearest is the agency itself."""
    starts = [0] + [m.end() for m in _CLAUSE_START.finditer(before)]
    for at in reversed(starts):
        clause = before[at:]
        if _OWN_SUBJECT.match(clause):
            return None
        m = _BODY.match(clause)
        if m:
            return m.group("body")
    return None


def _its_own(body: str, agency: str | None) -> bool:
    """市政府 is the agency itself in the report of that government (某某市人民政府) or of its office; 省厅 (省局) in
    the report of a province's department (bureau) itself (某某省交通运输厅)."""
    if body.startswith("省") and body.endswith(("厅", "局")):  # 省厅, 省税务局: a province's department itself
        return agency is not None and re.search(r"省[^市县区州旗盟]*" + re.escape(body[1:]) + "$", agency) is not None
    if body[0] not in "省市区县州旗盟镇乡":
        return False  # 上级部门: never the agency itself
    return agency is not None and re.search(body[0] + r"(?:人民)?政府(?:办公室|办公厅)?$", agency) is not None
