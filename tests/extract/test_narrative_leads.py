"""A figure named by the clause before it: words before a colon (全年政务新媒体共发布信息：微信公众号2,163条),
a topic (访问量方面，…), a change without a count before the level reached (同比增长23.5%，达到68.2万次);
a later number of a list whose own words name its platform (…2,163条、微博发布信息1,987条). And the traps
the same leads must not open: a change, a part of the year, the region, another year, a target, the year
before, a second source, a breakdown, an average, a count of columns."""
from __future__ import annotations

import pytest

from tests.extract.test_narrative import _narrative, _report

LED = [
    ("全年政务新媒体共发布信息：微信公众号2,163条、微博1,987条。",
     {"newmedia.wechat.posts": 2163, "newmedia.weibo.posts": 1987}),
    ("微信公众号全年发布信息：2,163条。", {"newmedia.wechat.posts": 2163}),
    ("全年共收到来信：网上咨询45件，局长信箱18件。", {"consultation.online": 45, "mailbox.letters": 18}),
    ("全年局长信箱共收到来信：咨询类19件、投诉类23件，共计42件。", {"mailbox.letters": 42}),
    ("网站访问量：本年度128万次，上年度100万次。", {"website.visits": 1280000}),
    ("全年共发布信息：网站1,200条，开设专栏5个。", {"website.posts": 1200}),
    ("访问量方面，全年门户网站达到1,286,000次。", {"website.visits": 1286000}),
    ("粉丝方面，微信公众号2.1万人、微博1.5万人。",
     {"newmedia.wechat.followers": 21000, "newmedia.weibo.followers": 15000}),
    ("微信公众号方面，全年发布信息1,024条，粉丝达到2.3万人。",
     {"newmedia.wechat.posts": 1024, "newmedia.wechat.followers": 23000}),
    ("网站访问量同比增长23.5%，达到68.2万次。", {"website.visits": 682000}),
    ("网站访问量较上年下降10%，为50万次。", {"website.visits": 500000}),
    ("微博粉丝同比增长15%，达到3.2万人。", {"newmedia.weibo.followers": 32000}),
    ("本年度网站访问情况：总访问量128万次，其中首页12万次。", {"website.visits": 1280000}),
    ("微信公众号发布信息2,163条、微博发布信息1,987条。",
     {"newmedia.wechat.posts": 2163, "newmedia.weibo.posts": 1987}),
]

TRAPS = [
    ("访问量方面，与上年相比增加12万次。", "a change"),
    ("网站访问量同比增长23.5%，增加13万次。", "a change, not the level"),
    ("门户网站访问量比上年增长20%，达到日均3000次。", "an average"),
    ("访问量方面，上半年门户网站达到60万次。", "a part of the year"),
    ("访问量方面，全市政府网站达到500万次。", "the region's sites"),
    ("2022年网站发布信息情况：网站1,100条。", "another year"),
    ("计划全年发布信息：网站2,000条。", "a target"),
    ("网站访问量：128万次（第三方统计130万次）。", "two sources"),
    ("全年政务新媒体共发布信息：原创230条、转载120条。", "no platform named"),
    ("网站访问量同比增长23.5%，截至年底累计达到350万次。", "cumulative since launch"),
]


@pytest.mark.parametrize("sentence,want", LED, ids=[s[:18] for s, _ in LED])
def test_the_clause_before_names_the_figure(sentence, want):
    got = _narrative(_report(sentence))
    assert {k: float(v) for k, v in got.items()} == {k: float(v) for k, v in want.items()}, sentence


@pytest.mark.parametrize("sentence,why", TRAPS, ids=[s[:18] for s, _ in TRAPS])
def test_a_lead_opens_no_trap(sentence, why):
    assert _narrative(_report(sentence)) == {}, why
