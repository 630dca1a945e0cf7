"""Phrasings a second probe of new sentences found read wrong or not at all: counts in Chinese numerals
above twenty (一百零八 gave 8), a total after its parts, a level reached from another (由…增至…), the
words after the last platform of a `分别` list, a parenthesis between a label and its number, what was
interpreted between 对 and its count; and the traps beside them (one month, a level in mid-year, the
same count restated another way, a range, a level after another figure's number); and from a third
probe, parts in a parenthesis, unique visitors after 其中, a sentence of the year before, and a city
portal's traffic in a bureau's report (the harness's agency is 某某市某某局); and from a fourth, digit
groups set with thin or no-break spaces (1\u2009234\u2009567 gave 1), digits each set apart (no figure),
a level at the end of the year before (截至2022年底), letters counted with calls (来信来电), Chinese
numerals times 万 (一百二十三万次), and 现有用户 as followers."""
from __future__ import annotations

import pytest

from tests.extract.test_narrative import _narrative, _report

READ = [
    ("全年接收局长信箱来信一百零八件。", {"mailbox.letters": 108}),
    ("召开新闻发布会十五场。", {"press_conferences": 15}),
    ("全年收到局长信箱来信两千零三十件。", {"mailbox.letters": 2030}),
    ("门户网站全年发布工作动态1,120条、通知公告486条、政策文件154条，合计1,760条。", {"website.posts": 1760}),
    ("全年办理人大代表建议21件、政协委员提案17件，共38件。", {"proposals.handled": 38}),
    ("全年通过微信公众号发布原创稿件612篇、转载稿件388篇，共1,000篇。", {"newmedia.wechat.posts": 1000}),
    # parts that are each their own metric stay theirs; a total over several kinds is no metric's
    ("全年收到局长信箱来信19件、网上咨询23件，共计42件。", {"mailbox.letters": 19, "consultation.online": 23}),
    ("召开新闻发布会3场、政策吹风会2场，共5场。", {"press_conferences": 3}),
    ("“某某人社”微信公众号关注数由年初的21.4万增至27.9万。", {"newmedia.wechat.followers": 279000}),
    ("抖音政务号“某某公安”全年发布短视频624条，粉丝量由年初的9.8万增长至15.6万。",
     {"newmedia.douyin.posts": 624, "newmedia.douyin.followers": 156000}),
    ("抖音号、快手号粉丝量分别为3.5万、1.2万。",
     {"newmedia.douyin.followers": 35000, "newmedia.kuaishou.followers": 12000}),
    ("网站、微信公众号发布信息分别为1,200条、300条。", {"website.posts": 1200, "newmedia.wechat.posts": 300}),
    ("召开新闻发布会（含线上发布会）9场。", {"press_conferences": 9}),
    ("网站访问量（不含爬虫）128万次。", {"website.visits": 1280000}),
    ("对本机关印发的12份行政规范性文件逐一进行解读。", {"interpretation.docs": 12}),
    # a third probe: parts in a parenthesis that sum to the figure; unique visitors after 其中
    ("共承办建议提案47件（人大代表建议29件、政协委员提案18件）。", {"proposals.handled": 47}),
    ("网站总访问量1,284,390次，其中独立用户访问量213,507次。",
     {"website.visits": 1284390, "website.unique_visitors": 213507}),
    ("2023年，我局门户网站访问量为46.5万次。", {"website.visits": 465000}),
    ("全年在省政府网站发布信息245条。", {"website.posts": 245}),  # the department's column on the portal
    # a date's month, spaced as a PDF's text gives it, is no part of the year (a LibreOffice print lost 784)
    ("2022 年 7月正式开通官方微信公众号，2023 年度共发送 784条信息。", {"newmedia.wechat.posts": 784}),
    # a fourth probe: digit groups set with a thin, a narrow no-break or a no-break space
    ("网站总访问量1\u2009234\u2009567次。", {"website.visits": 1234567}),
    ("网站全年发布信息4\u202f102条，总访问量98\u00a0765次。", {"website.posts": 4102, "website.visits": 98765}),
    ("截至2023年底，微信公众号粉丝2.1万人。", {"newmedia.wechat.followers": 21000}),
    ("热线电话接听来电120个，领导信箱收到来信45件。", {"mailbox.letters": 45}),
    ("年度网站总访问量一百二十三万次。", {"website.visits": 1230000}),
    ("微信公众号“某某发布”现有用户43,210人。", {"newmedia.wechat.followers": 43210}),
    # a fifth probe, of paragraphs: a part's later figure is that part's platform's
    ("其中，微信公众号“某某应急”发布1,240条，粉丝3.4万人。",
     {"newmedia.wechat.posts": 1240, "newmedia.wechat.followers": 34000}),
]

TRAPS = [
    ("信箱来信一二件。", "not a number"),
    ("12月单月微信公众号推送信息96条。", "one month"),
    ("2月起，网站发布信息300条。", "from February"),
    ("截至2023年6月底，微博粉丝2.7万人。", "the level in mid-year"),
    ("网站访问量为126万次（含搜索引擎爬虫访问），剔除后为98.4万次。", "one count stated two ways"),
    ("网站日访问量在3,000至5,000次之间。", "a daily range"),
    ("网站访问量在3,000至5,000次之间。", "a range"),
    ("门户网站发布政务动态120条、通知公告80条，共计300条。", "parts that do not sum to the total"),
    ("针对群众关心的5个问题进行解读。", "questions, not documents"),
    ("共承办建议提案47件（人大代表建议29件、政协委员提案16件）。", "parts that do not sum: which is it?"),
    ("2022年度，我局门户网站访问量为46.5万次，发布信息1,921条。", "the year before"),
    ("我局未单独建设门户网站，信息通过市政府门户网站专栏发布。市政府门户网站全年总访问量2,360万次。",
     "the city portal's traffic, in a bureau's report"),
    ("网站全年总访问量 1 8 6 4 5 2 次。", "digits each set apart: which are the figure?"),
    ("截至2022年底，微信公众号粉丝2.1万人。", "the level at the end of the year before"),
    ("截止到2022年12月31日，微信公众号粉丝2.1万人。", "the level at the end of the year before"),
    ("局长信箱及热线电话（0379-63218765）共受理群众来信来电236件。", "letters and calls counted together"),
    ("网站访问量三万余次。", "an approximation"),
    ("网站访问量十二万五千次。", "Chinese numerals past 万 are not read (is 五千 a figure?)"),
    ("所有来信均在5个工作日内答复，答复率100%。", "a time limit, not a count of letters"),
]


@pytest.mark.parametrize("sentence,want", READ, ids=[s[:18] for s, _ in READ])
def test_the_phrasing_is_read(sentence, want):
    got = _narrative(_report(sentence))
    assert {k: float(v) for k, v in got.items()} == {k: float(v) for k, v in want.items()}, sentence


@pytest.mark.parametrize("sentence,why", TRAPS, ids=[s[:18] for s, _ in TRAPS])
def test_the_trap_gives_nothing(sentence, why):
    assert _narrative(_report(sentence)) == {}, why


def test_a_level_is_not_carried_past_another_number():
    """发布短视频624条，粉丝量由年初的9.8万增长至15.6万: 15.6万 must never become a count of videos."""
    got = _narrative(_report("抖音政务号全年发布短视频624条，粉丝量由年初的9.8万增长至15.6万。"))
    assert got.get("newmedia.douyin.posts") == 624


def test_followers_over_two_platforms_are_neither_platforms():
    """The followers summed over two platforms are neither's; the parts of the posts before them, each naming
    its platform, count what their total counts (items published)."""
    got = _narrative(_report("全年发布信息6,432条，其中微信公众号1,240条、微博2,018条，粉丝共5.6万人。"))
    assert {k: float(v) for k, v in got.items()} == {"newmedia.wechat.posts": 1240.0, "newmedia.weibo.posts": 2018.0}
