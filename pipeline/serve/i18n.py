"""The dashboard's words in Chinese and English. Metric labels are not here: they come from the catalog."""
from __future__ import annotations

import re

from pipeline.spec import catalog, tables
from pipeline.serve.i18n_notes import NOTES
from pipeline.warehouse.agencies import LEVEL_LABELS, SECTOR_LABELS

UI: dict[str, tuple[str, str]] = {
    "app_title": ("政府信息公开工作年度报告分析", "Government information disclosure annual reports"),
    "language": ("语言 / Language", "语言 / Language"),
    "filters": ("筛选", "Filters"),
    "choose": ("请选择（默认全部）", "Choose (all by default)"),
    "years": ("年度范围", "Years"),
    "province": ("省份", "Province"),
    "city": ("城市", "City"),
    "level": ("层级", "Level"),
    "sector": ("领域", "Sector"),
    "search": ("搜索机关", "Search agencies"),
    "data_as_of": ("数据更新于", "Data as of"),
    "reports": ("份报告", "reports"),
    "demo_banner": ("演示数据：以下为程序生成的示例报告，并非真实机关数据。", "Demo data: reports made by the program, not real agencies' data."),
    "demo": ("演示数据", "Demo data"),
    "bad_warehouse": ("数据仓库文件无法读取（可能已损坏或未写完）。下一次刷新会从原始文件存档重建它；也可以立即运行：",
                      "The warehouse file cannot be read (corrupt or incompletely written). The next refresh rebuilds it "
                      "from the raw store; or run now:"),
    "order": ("排序", "Order"),
    "highest_first": ("从高到低", "Highest first"),
    "lowest_first": ("从低到高", "Lowest first"),
    "inferred": ("（由名称推断）", " (from its name)"),
    "inferred_note": ("{n} 个机关未在机关名录登记：其级别和类型由报告中的名称推断（标“由名称推断”），排名和同级同类中位数据此计入。",
                      "{n} agencies are not in the register: their level and kind are read from the name their report "
                      "gives (marked \"from its name\"), and they are ranked and counted in peer medians by them."),
    "inferred_self": ("本机关未在机关名录登记：级别和类型由报告中的名称推断，同级同类比较据此进行。",
                      "This agency is not in the register: its level and kind are read from the name its report gives, "
                      "and its peers are chosen by them."),
    "all_ranked": ("全部 {n} 个机关（可点击列标题排序）", "All {n} agencies (click a column header to sort)"),
    "bad_param": ("链接中的参数 {name}={value} 无效，已使用默认值。", "The link's parameter {name}={value} is not valid; the default is used."),
    "no_warehouse": ("尚未建立数据仓库。请先运行：", "There is no warehouse yet. Build one with:"),
    "old_warehouse": ("数据仓库由旧版本建立，表结构已变。刷新一次即按新结构重建（原始文件会重新读取）：",
                      ("The warehouse was built by an older version whose tables have another shape. One refresh "
                       "rebuilds it (the raw files are read again):")),
    "no_data": ("当前筛选条件下没有数据。", "No data for the current filters."),
    "download_csv": ("下载 CSV", "Download CSV"),
    "page_overview": ("总览", "Overview"),
    "page_compare": ("机构对比", "Compare"),
    "page_web": ("网站与新媒体", "Website and new media"),
    "page_applications": ("依申请公开", "Applications"),
    "page_review": ("复议诉讼", "Reconsideration and litigation"),
    "page_active": ("主动公开与采购", "Disclosure and procurement"),
    "page_quality": ("数据质量", "Data quality"),
    "page_report": ("报告", "Report"),
    "year": ("年度", "Year"),
    "agency": ("机关", "Agency"),
    "agency_id": ("机关代码", "Agency ID"),
    "value": ("数值", "Value"),
    "coverage": ("报告覆盖情况（机关 × 年度）", "Coverage (agency × year)"),
    "status_loaded": ("已读取（无法判断是否按期）", "Loaded (timeliness unknown)"),
    "status_on_time": ("按期发布", "Published on time"),
    "status_late": ("逾期发布", "Published late"),
    "status_incomplete": ("不完整（缺少表格）", "Incomplete (a table is missing)"),
    "status_not_published": ("截止日期后仍未发布", "Not published by the deadline"),
    "status_not_collected": ("未收集", "Not collected"),
    "status_older_format": ("旧格式（2019 年前），未读取", "Older format (before 2019), not read"),
    "status_failing_checks": ("有错误", "Failing checks"),
    "tile_help": ("本年 {n} 个机关有数据。与 {prev} 年的变化只比较两年均有数据的 {same} 个机关：{a} → {b}。",
                  "{n} agencies have a value this year. The change from {prev} compares only the {same} agencies with "
                  "a value in both years: {a} → {b}."),
    "tile_help_pairs": ("本年 {n} 个机关有数据。与 {prev} 年的变化只比较同一机关、同一平台两年均有数据的 {pairs} 组"
                        "（{same} 个机关）：{a} → {b}。",
                        "{n} agencies have a value this year. The change from {prev} compares only the {pairs} pairs of "
                        "the same agency and the same platform with a value in both years ({same} agencies): {a} → {b}."),
    "change_same_pairs": ("变化按同一机关同一平台两年均有数据的 {pairs} 组（{n} 个机关）",
                          "change over the same agency and platform in both years: {pairs} pairs ({n} agencies)"),
    "ranking_pairs_note": ("{m}是各平台之和：上年数值与变化只计该机关同一平台两年均有数据的部分（“{pairs}”列为平台数），"
                           "某年未列的平台不算作减少。",
                           "{m} sums the platforms: the previous year's value and the change count only the agency's "
                           "platforms with a value in both years (the \"{pairs}\" column), so a platform not listed one "
                           "year is not a fall."),
    "pairs": ("同一机关同一平台组数", "Pairs (same agency, same platform)"),
    "n_agencies": ("{n} 个机关", "{n} agencies"),
    "like_for_like": ("（同口径）", " (like for like)"),
    "change_same": ("变化按同一批 {n} 个机关", "change over the same {n}"),
    "jump_note": ("含{names}的数据，较上年变化超过十倍，尚待核实（见数据质量页）",
                  "includes {names}, changed more than tenfold from the year before, not yet confirmed (see Data quality)"),
    "jump_note_year": ("{year} 年含{names}的数据，较上年变化超过十倍，尚待核实（见数据质量页）",
                       "{year} includes {names}, changed more than tenfold from the year before, not yet confirmed "
                       "(see Data quality)"),
    "act_formats": ("两种格式的栏目不同：2019 年格式的栏目（如本年新公开、上年项目数量）止于 2020 年，2021 年格式的栏目"
                    "（如现行有效、本年废止）始于 2021 年；线条在此断开是格式所致，并非缺数。",
                    "The two formats print different columns: the 2019 format's (newly published, previous year's items) "
                    "end in 2020, the 2021 format's (in force, repealed) start in 2021; a line stops there because of "
                    "the format, not a missing value."),
    "act_group_docs": ("规章和规范性文件（件）", "Regulations and normative documents"),
    "act_group_decisions": ("处理决定数量（件）", "Decisions"),
    "act_group_items": ("事项与项目数量（项）", "Items and projects"),
    "jump_more": ("等 {n} 个机关", " and others ({n} agencies)"),
    "definition": ("定义", "Definition"),
    "unknown_agencies": ("链接中的 {n} 个机关在当前范围内不存在，已略去。", "{n} agencies of the link are not in the current scope; left out."),
    "group_level": ("全部{level}机关", "All {level} agencies"),
    "review_pick_row": ("点击上表中的一行，即可在下方复核该问题。", "Click a row of the table above to review that finding below."),
    "review_pick_more": ("下拉框列出上表前 {shown} 个问题（共 {n} 个）；点击上表中的任一行，或用上方筛选缩小范围，即可复核其他问题。",
                         "The list offers the table's first {shown} findings (of {n}); click any row of the table above, or "
                         "narrow the filters, to review another."),
    "group_capped": ("趋势图最多同时显示 {n} 个机关：该组 {of} 个机关中有 {left} 个未加入（下方排名列出全部机关）。",
                     "The trend shows at most {n} agencies at once: {left} of the group's {of} were not added (the ranking "
                     "below lists every agency)."),
    "group_parent": ("{name}的全部部门", "All departments of {name}"),
    "add_group": ("添加一组", "Add a group"),
    "group_none": ("（选择一组机关）", "(choose a group)"),
    "choose_agencies": ("请选择机关（可按名称、级别或所属政府添加）。", "Choose agencies (by name, by level or by government)."),
    "bars": ("显示条数", "Bars"),
    "rate_rule": ("分母不足 {n} 的机关为小样本，标 *，排在最后，不计入中位数。", "Agencies whose denominator is under {n} are small samples: marked *, listed last, left out of the median."),
    "click_bar": ("点击条形打开该机关档案。", "Click a bar to open the agency's profile."),
    "rank": ("名次", "Rank"),
    "prev_year_value": ("{y} 年", "{y}"),
    "current_same_value": ("{y} 年（同一批机关）", "{y} (the same agencies)"),
    "rate": ("比率", "Rate"),
    "rate_of": ("{y} 年比率", "Rate {y}"),
    "rate_same_of": ("{y} 年比率（同一批机关）", "Rate {y} (the same agencies)"),
    "rate_change": ("比率变化", "Rate change"),
    "same_platforms_value": ("{y} 年（同一平台）", "{y} (the same platforms)"),
    "same_agencies_count": ("同一批机关数", "Same agencies"),
    "unverified_count": ("未经核验的数值个数", "Unverified values"),
    "unverified_cells_col": ("未经核验的单元格（屏幕上标 †）", "Unverified cells (marked † on screen)"),
    "metric_code": ("指标代码", "Metric code"),
    "result_code": ("结果代码", "Result code"),
    "status_code": ("状态代码", "Status code"),
    "finding_code": ("检查结果代码", "Findings code"),
    "change": ("变化", "Change"),
    "pct_change": ("变化率", "Relative change"),  # a download's header adds its unit: Relative change (%)
    "peer_median": ("同级同类中位数", "Peer median (same level and kind)"),
    "denominator": ("分母", "Denominator"),
    "small_sample": ("小样本", "Small sample"),
    "profile": ("机关档案", "Profile"),
    "page_profile": ("机关档案", "Agency profile"),
    "registered": ("已在机关名录登记", "In the register"),
    "unregistered": ("未在机关名录登记（名称取自报告）", "Not in the register (named from its report)"),
    "parent": ("所属：{name}", "Part of {name}"),
    "aliases": ("其他名称", "Other names"),
    "reports_by_year": ("各年度报告", "Reports by year"),
    "published_on": ("发布日期", "Published on"),
    "deadline": ("截止日期", "Deadline"),
    "timeliness": ("是否按期", "On time"),
    "date_unknown": ("发布日期未知", "Date unknown"),
    "measures_vs_peers": ("各项指标与同级机关中位数", "Measures beside the peer median"),
    "peers_are": ("同级同类机关：{level}{kind}，范围：{region}。比率的中位数不计小样本；不足 3 个机关时不给中位数。",
                  "Peers: {level} {kind} agencies in {region}. Rates' medians leave out small samples; none is given over fewer than 3 agencies."),
    "all_regions": ("全部地区", "all regions"),
    "value_and_median": ("每格：本机关数值（比率附分母 n）｜同级同类中位数（中位数所含机关数）。",
                         "Each cell: the agency's value (a rate with its denominator n) | the peer median (agencies in it)."),
    "findings": ("检查发现", "Findings"),
    "source_url": ("来源网址", "Source address"),
    "open_profile": ("{name} 的机关档案", "Profile of {name}"),
    "pooled_rate": ("合并比率", "Pooled rate"),
    "pooled_note": ("合并比率：范围内各机关分子之和 ÷ 分母之和（与总览卡片相同）；悬停可见机关数与分母。",
                    "Pooled rate: the sum of numerators over the sum of denominators of the agencies in scope (as on the "
                    "overview tile); hover for the agencies and the denominator."),
    "unverified_agencies": ("含未经核验数值的机关数", "Agencies with unverified values"),
    "enough_cases": ("样本足够", "Enough cases"),
    "concluded_reviews": ("已审结复议件数", "Concluded reconsiderations"),
    "scores": ("质量得分", "Quality scores"),
    "score_rule": ("每份报告得分 = 100 − {e} × 错误数 − {w} × 警告数（最低 0）；未读到的标准表格（表二、表三、表四）按错误计，"
                   "因为其中的数值都无法检查。未处理和已确认的发现都计入（已确认即报告确有问题）；"
                   "只有已排除的发现不再计入；提示不计分。机关按最低得分由低到高排列。",
                   "Each report scores 100 − {e} × errors − {w} × warnings (at least 0); a standard table not read (表二, "
                   "表三 or 表四) counts as an error, since none of its figures can be checked. Open and confirmed findings both "
                   "count (confirmed means the report does have the problem); only dismissed findings stop counting; "
                   "information does not count. Agencies are listed worst first, by their lowest score."),
    "n_reports": ("报告数", "Reports"),
    "min_score": ("最低得分", "Lowest score"),
    "mean_score": ("平均得分", "Mean score"),
    "errors": ("计分错误", "Errors counted"),
    "warnings": ("计分警告", "Warnings counted"),
    "open": ("打开", "Open"),
    "confirmed": ("已确认发现", "Confirmed findings"),
    "dismissed": ("已排除发现", "Dismissed findings"),
    "score": ("得分", "Score"),
    "worst_year": ("最低得分年度", "Year of the lowest"),
    "review_status": ("复核状态", "Review"),
    "scores_by_agency_dl": ("上表（每个机关一行）：", "The table above (a row per agency):"),
    "scores_by_report_dl": ("每份报告的得分（每份报告一行，含未处理、已确认、已排除的发现数）：",
                            "Each report's score (a row per report, with its open, confirmed and dismissed findings):"),
    "review_open": ("未处理", "Open"),
    "review_confirmed": ("已确认", "Confirmed"),
    "review_dismissed": ("已排除", "Dismissed"),
    "note": ("复核备注", "Reviewer's note"),
    "finding_key": ("发现编号", "Finding key"),
    "review_one": ("复核一条发现", "Review a finding"),
    "finding": ("发现", "Finding"),
    "save_review": ("保存复核", "Save the review"),
    "review_choose": ("请先选择复核状态，未保存。", "Choose a review status first; nothing was saved."),
    "review_saved_one": ("已保存复核（{status}）到 {path}；上表和得分已按此更新。", "Review saved ({status}) to {path}; the table and scores above now apply it."),
    "review_dismiss_reason": ("排除一条发现须在复核备注中写明理由，未保存。", "A dismissal needs its reason in the reviewer's note; nothing was saved."),
    "review_saved": ("已保存到 {path}。", "Saved to {path}."),
    "review_failed": ("未能保存：{why}", "Could not save: {why}"),
    "correction": ("人工更正", "Correction"),
    "extracted": ("原读取值", "value read"),
    "download_xlsx": ("下载 XLSX", "Download XLSX"),
    "reason_only": ("该年度唯一的文件", "the only file for that year"),
    "reason_most": ("读到的数据最多（{a} 项，另一文件 {b} 项）", "most facts read ({a} against {b})"),
    "reason_format": ("数据项数相同，优先采用 {fmt}", "same number of facts; {fmt} preferred"),
    "click_cell": ("点击格子打开该年度报告（无报告时打开机关档案）。", "Click a cell to open that report (or the agency's profile when there is none)."),
    "page_n": ("页码（共 {total} 页）", "Page (of {total})"),
    "showing_range": ("第 {a}–{b} 个机关，共 {total} 个", "Agencies {a}–{b} of {total}"),
    "coverage_rule": ("按期/逾期：网站显示的发布日期对照《政府信息公开条例》第四十九条期限（部门次年 1 月 31 日，政府次年 3 月 31 日）。"
                      "“截止日期后仍未发布”仅在期限后读取过该机关的年报栏目且未见该年报告时显示；否则为“未收集”。",
                      "On time / late: the publication date the site showed against Article 49's deadline (departments 31 January, "
                      "governments 31 March of the next year). \"Not published by the deadline\" only when the agency's list page was "
                      "read after the deadline and did not list that year's report; otherwise \"not collected\"."),
    "showing_first": ("仅显示前 {n} 个机关（共 {total} 个），请用筛选缩小范围。", "Showing the first {n} of {total} agencies; narrow the filters."),
    "section": ("类别", "Section"),
    "metric": ("指标", "Metric"),
    "derived": ("派生指标", "Derived measures"),
    "agencies": ("机关", "Agencies"),
    "trend": ("历年变化", "Across years"),
    "ranking": ("年度排名", "Ranking"),
    "median": ("同级同类中位数", "Peer median (same level and kind)"),
    "rate_note": ("比率仅对收到申请不少于 {n} 件的机关排名。", "Rates are ranked only for agencies with at least {n} applications."),
    "website": ("政府网站", "Website"),
    "newmedia": ("政务新媒体", "New media"),
    "platform": ("平台", "Platform"),
    "newmedia_by_agency": ("{year} 年各机关新媒体账号（每个平台的粉丝/关注量与发布量）", "New-media accounts of each agency in {year} (followers and posts per platform)"),
    "posts": ("发布量", "Posts"),
    "followers": ("粉丝/关注量", "Followers"),
    "outcomes": ("办理结果", "Outcomes"),
    "by_applicant": ("按申请人类型", "By applicant type"),
    "outcome_granted": ("予以公开", "Granted"),
    "outcome_partial": ("部分公开", "Partly granted"),
    "outcome_refused": ("不予公开", "Refused"),
    "refusal_reasons": ("不予公开、无法提供、不予处理的理由", "Reasons for refusing, not holding or not processing"),
    "outcome_unavailable": ("无法提供", "Unavailable"),
    "outcome_not_processed": ("不予处理", "Not processed"),
    "outcome_other": ("其他处理", "Other"),
    "results": ("结果", "Results"),
    "correction_rates": ("纠错率", "Correction rates"),
    "apps_vs_correction": ("已审结复议件数与复议纠错率", "Concluded reconsiderations against correction rate"),
    "procurement": (catalog.label("active.procurement", "zh"), "Centralised procurement"),
    "severity": ("严重程度", "Severity"),
    "check": ("检查项", "Check"),
    "explanation": ("检查说明", "Check's explanation"),
    "message": ("问题", "Problem"),
    "evidence": ("依据", "Evidence"),
    "source": ("来源文件", "Source file"),
    "one_report": ("单份报告的全部数据及出处", "Every fact of one report, with where it came from"),
    "choose_report": ("选择报告", "Choose a report"),
    "find_agency": ("查找机关", "Find an agency"),
    "find_agency_hint": ("输入机关名称的一部分", "Part of the agency's name"),
    "find_agency_more": ("列出前 {shown} 个，共 {n} 个机关：输入名称缩小范围", "The first {shown} of {n} agencies listed: type a name to narrow"),
    "provenance": ("来源", "Provenance"),
    "download_original": ("下载原始文件", "Download the original file"),
    "table2": tables.HEADINGS["active"],
    "table3": tables.HEADINGS["applications"],
    "table4": tables.HEADINGS["review_litigation"],
    "narrative": ("正文数据", "Figures from the text"),
    "all_facts": ("本报告全部数据", "Every figure of this report"),
    "all_facts_note": ("表格和正文的全部数据，每项注明是否经核验、来源及识别方式。",
                       "The tables' and the text's figures, each with whether it is verified, its source and how it was read."),
    "template": ("格式", "Format"),
    "no_checks": ("没有未通过的检查。", "No failing checks."),
    "no_reports_checked": ("尚未收到该机关的报告，没有可检查的数据。", "No report of this agency is held: nothing has been checked."),
    "profile_all_agencies": ("当前筛选条件下没有机关；可从全部机关中选择。",
                             "No agency matches the current filters; choose among every agency."),
    "sev_error": ("错误", "Error"),
    "sev_warning": ("警告", "Warning"),
    "sev_info": ("提示", "Info"),
    "choice_reason": ("选用原因", "Why this file"),
    "worst_first": ("最差在前", "Worst first"),
    "best_first": ("最好在前", "Best first"),
    "higher_worse": ("{m}越高越差：“最差在前”按从高到低排列。", "A higher {m} is worse: worst first is highest first."),
    "lower_worse": ("{m}越低越差：“最差在前”按从低到高排列。", "A lower {m} is worse: worst first is lowest first."),
    "peers": ("中位数所含机关数", "Agencies in the median"),
    "median_rule": ("同级同类中位数：当前范围内与该机关同一层级、同为政府或同为部门的机关的中位数，不计小样本；不足 3 个机关时不给中位数；竖线标记每个机关的同级同类中位数。",
                    "Peer median: the median of the agencies in scope of the same level and kind (government or "
                    "department), small samples left out; none is given over fewer than 3 agencies; a tick marks "
                    "each agency's peer median."),
    "kind": ("类型", "Kind"),
    "kind_government": ("政府", "Government"),
    "kind_department": ("部门", "Department"),
    "pp": ("{v} 个百分点", "{v} pp"),  # pp: percentage points, short enough for a tile
    "pp_format": ("%+.1f 个百分点", "%+.1f pp"),
    "marks": ("标记", "Marks"),
    "change_rate": ("变化（个百分点）", "Change (pp, percentage points)"),
    "status_date_unknown": ("已发布（发布日期未知）", "Published (date unknown)"),
    "status_deadline_unknown": ("已发布（截止日期未知：机关未在名录中登记）", "Published (deadline unknown: agency not in the register)"),
    "deadline_unknown": ("截止日期未知", "Deadline unknown"),
    "finding_ok": ("无错误（警告见数据质量页）", "No errors (warnings on the data-quality page)"),
    "finding_failing_checks": ("有错误", "Failing checks"),
    "finding_incomplete": ("不完整（缺少表格）", "Incomplete (a table is missing)"),
    "findings_mark": ("检查结果（格内标记）", "Checks (the mark inside)"),
    "coverage_marks": ("格子颜色：发布是否按期；格内标记：检查结果（✕ 有错误，△ 缺少表格，无标记为没有错误，警告见数据质量页）。",
                       "A cell's colour: whether it was published on time; the mark inside: the checks (✕ failing, "
                       "△ a table missing, no mark when none fails; warnings on the data-quality page)."),
    "late_title": ("{year} 年逾期发布与未发布的机关", "Agencies late or not published for {year}"),
    "late_count": ("逾期发布 {late} 个，截止日期后仍未发布 {unpub} 个。", "{late} published late, {unpub} not published by the deadline."),
    "no_late": ("{year} 年没有已知逾期或未发布的机关。", "No agency known to be late or unpublished for {year}."),
    "days_late": ("逾期天数", "Days late"),
    "at_least_days": ("至少 {n} 天（至 {d} 读取栏目时仍未发布）", "at least {n} (still not listed on {d})"),
    "list_read_on": ("栏目读取日期", "List page read on"),
    "small_sample_tile": ("小样本：分母 {n}，不足 {min}", "Small sample: denominator {n}, under {min}"),
    "denominator_n": ("分母 {n}", "denominator {n}"),
    "median_over": ("同级同类中位数，基于 {n} 个机关", "peer median, over {n} agencies"),
    "no_report_held": ("未收到报告", "No report held"),
    "no_report_years": ("这些年度没有收到本机关的报告（未发布或未采集），不是零：{years}。",
                        "No report of this agency is held for these years (not published or not collected), "
                        "which is not zero: {years}."),
    "peer_self_only": ("同级同类仅本机关", "no peer but this agency"),
    "peer_too_few": ("同级同类仅 {n} 个机关，不给中位数", "only {n} peers: no median"),
    "procurement_format": ("集中采购金额只有 2019 年格式（2019、2020 年度报告）填报；2021 年起的格式没有此项。",
                           "Only the 2019 format (reports for 2019 and 2020) states the procurement amount; the "
                           "format used from 2021 has no such row."),
    "procurement_2019_only": ("集中采购金额只有 2019 年格式（2019、2020 年度报告）填报；2021 年起的格式没有此项，故 {year} 年不显示。",
                              "Only the 2019 format (reports for 2019 and 2020) states the procurement amount; the "
                              "format used from 2021 has no such row, so {year} shows none."),
    "sum_over": ("各年合计所含机关数：{detail}", "Agencies in each year's sum: {detail}"),
    "platform_points": ("每个平台每年合计的机关数不同，悬停可见每个点所含机关数：{detail}。",
                        "Each platform's yearly sum is over a different number of agencies (hover a point for its "
                        "count): {detail}."),
    "platform_same": ("每个平台只合计在该平台有数据的每一年都列出它的同一批机关：{detail}。",
                      "Each platform sums only the same agencies, those listing it in every year it has figures: {detail}."),
    "no_same_agencies": ("当前范围内没有每年都有数据的机关。关闭“只合计每年都有数据的同一批机关”可查看各年全部机关的合计，或缩小年度范围。",
                         "No agency in scope has figures in every year. Turn off \"Sum only the same agencies in every "
                         "year\" for every agency's sums, or narrow the years."),
    "platforms_left_out": ("{names}：当前范围内没有每年都有其数据的机关，未计入上面的合计；关闭“只合计每年都有数据的同一批机关”可查看。",
                           "{names}: no agency in scope has its figures in every year, so it is not in the sums above; "
                           "turn off \"Sum only the same agencies in every year\" to see it."),
    "same_agencies_opt": ("只合计每年都有数据的同一批机关", "Sum only the same agencies in every year"),
    "same_verified_left": ("只用经核验的数值：同一批机关仅含各年该部分数值全部经核验的机关，另有 {n} 个机关因有未经核验的数值未计入。",
                           "Verified values only: the same agencies are those whose section is wholly verified every year; "
                           "agencies left out for an unverified value: {n}."),
    "same_agencies_note": ("同一批 {n} 个机关", "the same {n} agencies"),
    "cells": ("涉及单元格", "Cells"),
    "measure_profile": ("图中指标", "Measure in the chart"),
    "over_100": ("{m}在 {years} 年超过 100%，不是错误：", "{m} is over 100% in {years}, which is not an error:"),
    "small_mark_note": ("带 * 的数值为小样本（分母不足该指标的最小值），不计入中位数。",
                        "Values marked * are small samples (denominator under the measure's minimum), left out of medians."),
    "small_points": ("空心点为小样本（分母不足 {n}）。", "Hollow points are small samples (denominator under {n})."),
    "unit_wan_yuan": ("万元", "10k yuan"),
    "procurement_note": ("金额单位换算：1 亿元 = 10,000 万元。", "Amounts in {unit} (the reports print 万元, ten thousand yuan; the download is in them)."),
    "trend_small": ("{m}：空心点为小样本（分母不足 {n}），悬停可见分母。", "{m}: hollow points are small samples (denominator under {n}); hover for it."),
    "score_agency": ("机关", "Agency"),
    "filters_in_url": ("筛选条件保存在链接中，复制链接即可重现。", "The filters are kept in the link: copy it to share this view."),
    "yes": ("是", "yes"),
    "review_problems": ("{path} 中有 {n} 行无法使用（其余复核照常计入）：", "{n} lines of {path} could not be used (the other reviews count):"),
    "verified_only": ("只用经核验的数值", "Verified values only"),
    "verified_help": ("经核验：报告自身的勾稽关系（表三、表四的合计等）证实了该数值，或经人工更正。打开后，未经核验的数值不参与任何排名、中位数与合计。",
                      "Verified: the report's own identities (表三 and 表四 totals) confirm the value, or an analyst corrected it. "
                      "When on, unverified values are left out of every ranking, median and sum."),
    "unverified_in": ("含 {n} 个未经核验的数值（标 †）", "Includes {n} unverified values (marked †)"),
    "unverified_left_out": ("已略去 {n} 个未经核验的数值", "{n} unverified values left out"),
    "unverified_mark": ("† 未经核验：报告自身的勾稽关系未能证实该数值。", "† Unverified: the report's own identities do not confirm the value."),
    "verified": ("经核验", "Verified"),
    "unverified_cells": ("虚线框单元格未经核验（报告自身的勾稽关系未能证实）。", "Cells in a dashed box are unverified (the report's identities do not confirm them)."),
    "read_by_ocr": ("由 OCR 识别：本报告 {n}/{total} 个数值从扫描页或图片中识别（最低识别置信度 {low}，平均 {mean}）；"
                    "置信度低于 {bar} 的单元格已留空并记为问题，请以原件核对。",
                    "Read by OCR: {n} of {total} values of this report were recognised from scanned pages or pictures "
                    "(lowest recognition confidence {low}, mean {mean}); cells under {bar} were left blank and noted "
                    "as issues: check them against the original."),
    "read_by": ("由 OCR 识别", "Read by OCR"),
    "ocr_confidence": ("识别置信度", "OCR confidence"),
    "prov_extracted": ("从报告读取", "Read from the report"),
    "prov_correction": ("人工更正", "Corrected by hand"),
    "no": ("否", "no"),
}
UI |= NOTES  # the pages' longer notes, kept in a module of their own


# an English count of one takes the singular: "1 agencies are" reads "1 agency is"
_ONE = re.compile(r"(?<![\d.,])1 ((?:[a-z-]+ )?)(agencie|value|report|finding|application|pair|account|case|platform|"
                  r"lawsuit)s\b( are\b)?")


def _one(m: re.Match) -> str:
    noun = "agency" if m.group(2) == "agencie" else m.group(2)
    return f"1 {m.group(1)}{noun}" + (" is" if m.group(3) else "")


def t(key: str, lang: str, **kw) -> str:
    zh, en = UI[key]
    s = zh if lang == "zh" else en
    s = s.format(**kw) if kw else s
    return _ONE.sub(_one, s) if lang != "zh" and kw else s


# why a report's file was chosen among the agency-year's files (reports.choice): the words of each reason
CHOICE_REASONS = {"only": "reason_only", "most_facts": "reason_most", "format": "reason_format"}


def choice_reason(choice: str | None, facts, runner_up, fmt, lang: str) -> str:
    """Why this file was chosen (reports.choice and its fields), written in `lang`; '' when not recorded."""
    if choice not in CHOICE_REASONS:
        return ""
    return t(CHOICE_REASONS[choice], lang, a=_count(facts), b=_count(runner_up), fmt=str(fmt or "").upper())


def _count(v) -> str:
    try:
        return str(int(v))
    except (TypeError, ValueError):
        return "—"


def level_label(level: str, lang: str) -> str:
    return LEVEL_LABELS.get(level, (level, level))[0 if lang == "zh" else 1]


def sector_label(sector: str, lang: str) -> str:
    return SECTOR_LABELS.get(sector, (sector, sector))[0 if lang == "zh" else 1]


def section_label(section: str, lang: str) -> str:
    return catalog.SECTIONS[section][0 if lang == "zh" else 1]
