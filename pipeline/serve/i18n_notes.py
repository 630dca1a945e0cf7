"""The dashboard's longer notes in Chinese and English (what cannot be judged, what was not read, why
nothing is ranked), merged into `i18n.UI`."""
from __future__ import annotations

NOTES: dict[str, tuple[str, str]] = {
    "rates_unverified": ("† 合并了未经核验的数值，各比率所含的此类机关数：{detail}。", "† pools values not verified; agencies with such values: {detail}."),
    "rates_left_out": ("只用经核验的数值：各比率略去的机关数：{detail}。", "Verified values only; agencies left out of each rate: {detail}."),
    "sets_differ": ("各年合计的机关不尽相同（每年都有数据的只有 {n} 个）：年度间的变化可能来自机关的增减。",
                    "The years' sums are not over the same agencies (only {n} report every year): a change may come from agencies added or missing."),
    "pooled_same": ("开关“同一批机关”已打开：只合并每年都有复议诉讼数据的同一批 {n} 个机关。",
                    " The same-agencies switch is on: pooled over the same {n} agencies reporting every year."),
    "flagged_cells_col": ("检查指出的单元格（屏幕上标红或标黄）", "Cells a check names (red or yellow on screen)"),
    "no_checks_held": ("所收到的报告没有未通过的检查；{years} 年没有收到报告，未作检查。",
                       "The reports held fail no check; no report is held for {years}, so nothing of them was checked."),
    "finding_outside_filters": ("链接所指的发现不在当前筛选条件内（其复核状态为“{status}”），已列在首行，下方表单即针对该发现。",
                                "The linked finding is outside the filters (its review: {status}); it is listed first and the "
                                "form below is about it."),
    "no_findings_filtered": ("当前筛选条件下没有发现；其他复核状态或检查项下可能仍有发现。",
                             "No finding under these filters; findings may remain under other review statuses or checks."),
    "app_formats": ("（六）其他处理：2019 年格式（2019、2020 年度报告）只有一行，2021 年格式分为三项（逾期不补正、逾期未缴费、"
                    "其他）；图中 2021 年起为三项之和，与此前的一行口径相同。",
                    "(6) Other handling: one row in the 2019 format (reports for 2019 and 2020), three items in the 2021 "
                    "format (no correction in time, fees not paid, other); from 2021 the chart sums the three, the same "
                    "scope as the one row before."),
    "failing_cells": ("红色单元格未通过一致性检查；黄色单元格与正文或同一报告的另一文件所述不一致，或较上年变化超过十倍（警告）。",
                      "Cells in red fail a consistency check; cells in yellow differ from the text or from another file "
                      "of the report, or changed more than tenfold from the year before (warnings)."),
    "procurement_top": ("图中为金额最大的 {n} 个机关（共 {total} 个）；下载的表格含全部 {total} 个。",
                        "The chart shows the {n} largest of {total} agencies; the download holds all {total}."),
    "procurement_note_yuan": ("金额单位换算：1 万元 = 10,000 元（下载的表格以万元计）。",
                              "Amounts in yuan (the download is in 万元, ten thousand yuan, as the reports are)."),
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
    "late_unknown": ("{year} 年无法完整判断是否按期：{known} 份报告已知按期发布；{unknown} 份报告没有发布日期或无法确定截止日期；{uncollected} 个机关"
                     "尚未收集到报告（不确定是否未发布）。这些机关不计为按期。",
                     "Timeliness for {year} cannot be fully judged: {known} reports are known to be on time; {unknown} "
                     "reports have no publication date or no known deadline; {uncollected} agencies have no report collected (whether they "
                     "published is not known). They are not counted as on time."),
}
