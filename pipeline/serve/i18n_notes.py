"""The dashboard's longer notes in Chinese and English (what cannot be judged, what was not read, why
nothing is ranked), merged into `i18n.UI`."""
from __future__ import annotations

NOTES: dict[str, tuple[str, str]] = {
    "applications_unit": ("申请数（件）", "Applications"),
    "table_not_read": ("未能从报告中读取本表的任何数值：下面是空白的标准表样，不是报告填写的空表。请查看原始文件。",
                       "No value of this table could be read from the report: below is the blank standard form, not a "
                       "table the report left empty. See the original file."),
    "narrative_none": ("未从报告正文读到这些数据（网站、新媒体、解读、信箱等）。", "No figure of these (website, new media, "
                       "interpretation, mailbox…) was read from the report's text."),
    "open_report": ("打开报告", "Open the report"),
    "open_year_overview": ("查看当年概况（无报告）", "That year's overview (no report)"),
    "too_few_to_rank": ("只有 {n} 个机关可以排名（排名至少需要 {min} 个）：下表不给名次，只列出数值。",
                        "Only {n} agencies can be ranked (a ranking needs at least {min}): the table lists their values "
                        "without ranks."),
    "unplaced_files": ("有 {n} 个文件已读取，但未能确定其机关或年度，没有计入任何报告：{names}。请人工核对这些文件。",
                       "{n} files were read but their agency or year could not be told, so they are in no report: "
                       "{names}. Please check these files by hand."),
    "late_unknown": ("{year} 年无法完整判断是否按期：{known} 份报告已知按期发布；{unknown} 份报告没有发布日期；{uncollected} 个机关"
                     "尚未收集到报告（不确定是否未发布）。这些机关不计为按期。",
                     "Timeliness for {year} cannot be fully judged: {known} reports are known to be on time; {unknown} "
                     "reports have no publication date; {uncollected} agencies have no report collected (whether they "
                     "published is not known). They are not counted as on time."),
}
