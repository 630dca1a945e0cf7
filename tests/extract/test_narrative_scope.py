"""Figures in prose that are not the agency's year: a part of the year, subordinate units' sites, the
website and new media together, another outlet's reprints, petitions, waived fees, a figure for each;
and the same words where the figure is the agency's own (the whole year said by its months, year-end
levels, digit groups split by full-width commas). Written here after a probe of new phrasings found
each trap giving a value."""
from __future__ import annotations

import pytest

from pipeline.extract import extract_bytes
from tests.extract.test_narrative import _narrative, _report

TRAPS = [
    # a part of the year
    ("2023年1-6月，网站访问量为32.5万次。", "a half year"),
    ("上半年网站访问量18.6万次。", "a half year"),
    ("一季度门户网站发布信息612条。", "a quarter"),
    ("12月份公众号推送信息98条。", "one month"),
    ("截至11月底，网站共发布信息1,802条。", "to November"),
    # subordinate units and the website with new media
    ("局属5家二级单位网站全年发布信息2,340条。", "subordinate units' sites"),
    ("二级单位门户网站访问量15.6万次。", "subordinate units' sites"),
    ("门户网站和政务新媒体共发布信息6,420条。", "website and new media together"),
    ("网站、两微一端全年发布信息6,002条。", "website and new media together"),
    # someone else's use of the agency's items
    ("微信公众号发布信息被人民网、新华网转载56篇。", "reprinted by others"),
    ("公众号推文被“学习强国”平台采用120篇。", "taken up by another platform"),
    # petitions are not the mailbox's letters
    ("受理群众信访来信213件。", "petition letters"),
    ("受理信访件87件，其中来信52件。", "petition letters"),
    # fees waived or returned are not collected
    ("减免信息处理费500元。", "waived"),
    ("免收信息处理费300元。", "waived"),
    ("退回已收取的信息处理费100元。", "returned"),
    # each, not a total
    ("承办人大代表建议和政协委员提案各15件。", "each kind"),
    # another body as the clause's subject, in a bureau's report (a sixth probe found each read as the bureau's)
    ("市政府新闻办全年召开新闻发布会86场，我局参与其中4场。", "the city's press office held them"),
    ("市政府办公室全年解读市政府规范性文件32件，我局配合提供解读素材5份。", "the city government's office"),
    ("我局积极配合市政府开展政策解读。市政府全年发布政策解读156篇。", "the city government's interpretations"),
    ("我局依托市政府门户网站发布信息，该网站全年总访问量2,860万人次。", "该网站 is the city portal"),
    # a seventh probe: a superior department's site and events, one column's items, the home page alone
    ("省厅门户网站全年发布信息12,608条，我局报送信息被采用136条。", "the province department's site"),
    ("上级部门网站全年访问量1,260万次。", "a superior department's site"),
    ("上级主管部门召开新闻发布会5场。", "a superior department's conferences"),
    ("在局网站新增“惠企政策”专栏1个，发布相关政策信息64条。", "one new column's items"),
    ("门户网站首页浏览量12.6万次。", "the home page alone"),
    ("全市共发布信息6,531条，其中门户网站3,210条、微信公众号2,106条。", "the whole city's, by place"),
    ("全年共接待群众来访520人次，其中门户网站留言120人次。", "a part of something else"),
    ("全年共发布信息6,531条，其中各县区网站3,210条。", "subordinate sites"),
    ("转发上级部门政策解读文章56篇。", "a superior's interpretations reposted"),
    ("网站“局长信箱”栏目访问量3,200次。", "one column's visits"),
    ("网站互动量1,200次。", "interactions, not visits"),
    ("“在线咨询”栏目访问量1,200次。", "the consultation column's visits"),
    ("局长信箱栏目点击量1,200次。", "the mailbox column's clicks"),
    ("全市各级政府网站，共计发布信息3,612条。", "every site of the city"),
    # an eighth probe: a province's bureau, a joint report's other agency, a rate per quarter, subordinate stations
    ("省税务局官方微博粉丝已达86万。", "a province's bureau's account"),
    ("省税务局门户网站访问量120万次。", "a province's bureau's site"),
    ("本报告由某某市某某局与某某市某某中心联合编制，其中某某中心全年召开新闻发布会3场。", "the joint report's other agency"),
    ("联合报告单位某某市数据局门户网站全年访问量45.2万次。", "the joint report's other agency"),
    ("每季度召开新闻发布会1场，全年共4场。", "a rate per quarter (the 4 is not read either)"),
    ("各派出所抖音号粉丝合计12.3万。", "subordinate police stations"),
    # a form's instructions and examples (a workbook's 填报说明 sheet)
    ("3. 网站总访问量 100000 次（示例）", "an example"),
    ("例：门户网站全年发布信息1,200条。", "an example"),
    ("门户网站开设“政策解读”专栏，共计发布信息320条。", "one column's items"),
    ("微信公众号转载市政府信息320条。", "the city government's items reposted"),
]

OWN_FIGURES = [
    ("2023年1-12月，网站访问量为52.1万次。", {"website.visits": 521000}),
    ("2023年1月至12月，门户网站发布信息1,356条。", {"website.posts": 1356}),
    ("截至2023年12月31日，微博粉丝5.1万人。", {"newmedia.weibo.followers": 51000}),
    ("截至12月底，网站全年发布信息2,014条。", {"website.posts": 2014}),
    ("网站访问量1，236，580次。", {"website.visits": 1236580}),
    ("微信公众号全年发布信息1，024条。", {"newmedia.wechat.posts": 1024}),
    ("门户网站全年发布信息2,340条，政务新媒体矩阵同步推送。", {"website.posts": 2340}),
    ("局长信箱全年收到群众来信46件。", {"mailbox.letters": 46}),
    ("全年收取信息处理费200元。", {"fees.collected_yuan": 200}),
    ("承办人大代表建议和政协委员提案共30件。", {"proposals.handled": 30}),
    # interpretations given at conferences are no count of conferences
    ("全年发布政策解读42篇，其中新闻发布会解读8次。", {"interpretation.docs": 42}),
    ("市政府新闻办全年召开新闻发布会86场，我局全年召开新闻发布会4场。", {"press_conferences": 4}),
    ("我局通过市政府门户网站发布信息326条。", {"website.posts": 326}),
    # 新增信息 is what the year added to the site, that is published; 千 multiplies
    ("门户网站现有栏目56个，本年度新增信息2,931条。", {"website.posts": 2931}),
    ("网站全年新增政务信息2,604条。", {"website.posts": 2604}),
    # the agency's own column on a portal is its site (a department without one of its own): a Word probe's phrasing
    ("在椒江区人民政府门户网站本局栏目发布信息358条。", {"website.posts": 358}),
    ("门户网站本局栏目全年网站总访问量356,218次。", {"website.visits": 356218}),
    ("我局门户网站全年发布政务公开相关信息1,210条，设有专栏8个。", {"website.posts": 1210}),
    ("在局网站新增“惠企政策”专栏1个。全年门户网站发布信息2,106条。", {"website.posts": 2106}),
    # parts that name only their place count what the total before them counts; the agency's own part of a region's
    ("全年共发布信息6,531条，其中门户网站3,210条、微信公众号2,106条、微博1,215条。",
     {"website.posts": 3210, "newmedia.wechat.posts": 2106, "newmedia.weibo.posts": 1215}),
    ("全年共推送信息1,200条，其中微信公众号800条、抖音400条。", {"newmedia.wechat.posts": 800, "newmedia.douyin.posts": 400}),
    ("网站全年共发布信息6,531条，其中政策文件210条、工作动态3,000条。", {"website.posts": 6531}),
    ("全市政务新媒体共发布信息18.6万条，其中我局微信公众号发布1,240条。", {"newmedia.wechat.posts": 1240}),
    # fees in Chinese numerals, the capitals of accounts too; a mailbox's column is the mailbox; an interactive platform
    ("收取信息处理费合计叁佰元。", {"fees.collected_yuan": 300}),
    ("全年收取信息处理费壹仟零伍拾元整。", {"fees.collected_yuan": 1050}),
    ("收取信息处理费三百元。", {"fees.collected_yuan": 300}),
    ("“局长信箱”栏目共收到来信（含咨询、投诉、建议）358件。", {"mailbox.letters": 358}),
    ("全年通过网站互动平台受理网民在线咨询1,036条。", {"consultation.online": 1036}),
    ("“在线咨询”栏目全年共受理网民咨询331件。", {"consultation.online": 331}),
    # the deputies of every level are no region; a level reached "this year"; a total whose clause before names it
    ("本年度共办理各级人大代表建议、政协委员提案合计52件。", {"proposals.handled": 52}),
    ("网站访问量从上年的62万次增长到本年的78.5万次。", {"website.visits": 785000}),
    ("全年在门户网站上发布的各类政务信息，总计达到3,612条。", {"website.posts": 3612}),
    ("微博关注者一千三百人。", {"newmedia.weibo.followers": 1300}),
    ("微信公众号粉丝三万人。", {"newmedia.wechat.followers": 30000}),
    ("快手号“某某交警”全年更新短视频146条，粉丝6千人。",
     {"newmedia.kuaishou.posts": 146, "newmedia.kuaishou.followers": 6000}),
]


@pytest.mark.parametrize("sentence,why", TRAPS, ids=[s[:16] for s, _ in TRAPS])
def test_not_the_agencys_year_gives_nothing(sentence, why):
    assert _narrative(_report(sentence)) == {}, why


@pytest.mark.parametrize("sentence,want", OWN_FIGURES, ids=[s[:16] for s, _ in OWN_FIGURES])
def test_the_same_words_around_the_agencys_own_figure(sentence, want):
    got = _narrative(_report(sentence))
    assert {k: float(v) for k, v in got.items()} == {k: float(v) for k, v in want.items()}, sentence


@pytest.mark.parametrize("sentence,want", [
    ("微信公众号“某某头条”全年推送信息1,032条。", {"newmedia.wechat.posts": 1032}),
    ("政务微博全年发博2 014条。", {"newmedia.weibo.posts": 2014}),
    ("“某某微博”头条号全年发稿356篇。", {"newmedia.toutiao.posts": 356}),
    ("在“今日头条”发布信息88条。", {"newmedia.toutiao.posts": 88}),
], ids=["name-with-头条", "发博", "name-with-微博", "platform-only-quoted"])
def test_an_accounts_quoted_name_does_not_name_another_platform(sentence, want):
    got = _narrative(_report(sentence))
    assert {k: float(v) for k, v in got.items()} == {k: float(v) for k, v in want.items()}, sentence


def test_a_government_speaks_of_itself():
    """市政府 is another body in a bureau's report, the agency itself in the city government's."""
    sentence = "市政府新闻办全年召开新闻发布会12场，市政府全年发布政策解读56篇。"
    text = f"某某市人民政府2023年政府信息公开工作年度报告\n一、总体情况\n{sentence}\n二、主动公开政府信息情况\n"
    got = _narrative(extract_bytes(text.encode("utf-8"), "case.txt"))
    assert {k: float(v) for k, v in got.items()} == {"press_conferences": 12.0, "interpretation.docs": 56.0}
    assert _narrative(_report(sentence)) == {}


def test_a_provinces_department_speaks_of_itself():
    """省厅 is a superior in a city bureau's report, the agency itself in the province department's."""
    sentence = "省厅门户网站全年发布信息12,608条。"
    text = f"福建省交通运输厅2023年政府信息公开工作年度报告\n一、总体情况\n{sentence}\n二、主动公开政府信息情况\n"
    got = _narrative(extract_bytes(text.encode("utf-8"), "case.txt"))
    assert {k: float(v) for k, v in got.items()} == {"website.posts": 12608.0}
    assert _narrative(_report(sentence)) == {}


def test_a_provinces_bureau_speaks_of_itself():
    text = "国家税务总局福建省税务局2023年政府信息公开工作年度报告\n一、总体情况\n省税务局官方微博粉丝已达86万。\n二、主动公开政府信息情况\n"
    assert _narrative(extract_bytes(text.encode("utf-8"), "case.txt")) == {"newmedia.weibo.followers": 860000}


def test_a_change_in_new_items_is_still_a_change():
    assert _narrative(_report("网站全年新增信息较上年增加312条。")) == {}
