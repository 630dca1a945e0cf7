"""Figures in prose: every case of ../shared/spec/narrative-cases.tsv, and phrasings of our own.

The shared cases are a sample; the second list holds sentences written here in the same spirit
(other numerals, other verbs, other traps), so the reader is not fitted to the sample's sentences.
"""
from __future__ import annotations

import csv

import pytest

from pipeline.extract import extract_bytes
from tests.conftest import SPEC, NO_CORPUS

AGENCY, YEAR = "某某市某某局", 2023


def _report(sentence: str):
    text = f"{AGENCY}{YEAR}年政府信息公开工作年度报告\n一、总体情况\n{sentence}\n二、主动公开政府信息情况\n"
    return extract_bytes(text.encode("utf-8"), "case.txt")


def _narrative(report) -> dict:
    return {f.key(): f.value for f in report.facts if "text" in f.evidence}


def _parse_expected(text: str) -> dict:
    if text.strip() == "NONE":
        return {}
    out = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        k, _, v = part.partition("=")
        out[k.strip()] = float(v)
    return out


def _shared_cases():
    if SPEC is None or not (SPEC / "narrative-cases.tsv").exists():
        return []
    with open(SPEC / "narrative-cases.tsv", encoding="utf-8") as f:
        return [(r["id"], r["sentence"], r["expected"]) for r in csv.DictReader(f, delimiter="\t")]


SHARED = _shared_cases()


def test_shared_cases_present():
    if SPEC is None:
        pytest.skip(NO_CORPUS)
    assert len(SHARED) >= 80


@pytest.mark.parametrize("cid,sentence,expected", SHARED, ids=[c[0] for c in SHARED])
def test_shared_case(cid, sentence, expected):
    got = _narrative(_report(sentence))
    want = _parse_expected(expected)
    assert {k: float(v) for k, v in got.items()} == want, sentence


# Our own sentences: (sentence, expected facts). Every figure a sentence states is listed; every
# metric it does not list must stay empty.
OWN = [
    # numerals and units
    ("全年召开新闻发布会三场，发布政策解读十二篇。", {"press_conferences": 3, "interpretation.docs": 12}),
    ("局长信箱共收到来信二十件。", {"mailbox.letters": 20}),
    ("网站全年访问量 1,204,557 人次。", {"website.visits": 1204557}),
    ("网站全年总访问量为２３４５６７次。", {"website.visits": 234567}),
    ("微信公众号关注人数1.2 万人。", {"newmedia.wechat.followers": 12000}),
    ("全年收取信息处理费 2,300 元。", {"fees.collected_yuan": 2300}),
    ("召开2场新闻发布会，解读政策文件5份。", {"press_conferences": 2, "interpretation.docs": 5}),
    ("对8项重要政策进行了解读。", {"interpretation.docs": 8}),
    # places
    ("抖音号全年发布短视频96条，粉丝数达1.5万。", {"newmedia.douyin.posts": 96, "newmedia.douyin.followers": 15000}),
    ("“某某发布”微信视频号发布作品58个。", {"newmedia.wechat_channels.posts": 58}),
    ("通过门户网站、微信公众号等平台发布信息1,230条。", {}),  # two places, one figure: whose?
    # traps in new words
    ("网站访问量同比上升15.2%。", {}),
    ("网站访问量比上年多出3万次。", {}),
    ("力争全年网站访问量达到50万次。", {}),
    ("微信公众号粉丝近5万人。", {}),
    ("微博粉丝3万余人。", {}),
    ("全区各部门共召开新闻发布会26场。", {}),
    ("网站单日最高访问量1.3万次。", {}),
    ("参加省政府新闻发布会2次。", {}),
    ("公众号自2018年上线以来累计发布信息6,210条。", {}),
    ("全年发布信息300-400条。", {}),
    ("开展信箱业务培训3期。", {}),
    ("网站访问量是上年的2倍。", {}),
    ("信息处理费收费标准为每页0.1元。", {}),
    ("全年未召开新闻发布会。", {"press_conferences": 0}),
    ("本年度我局没有收取信息处理费。", {"fees.collected_yuan": 0}),
    ("上半年未召开新闻发布会。", {}),  # part of the year only
    ("截至年底尚未收取信息处理费。", {}),
    # competing values
    ("网站访问量52万次（含移动端访问18万次）。", {"website.visits": 520000}),  # a part, named as such
    ("微信公众号发布信息800条、转发信息200条。", {}),
    ("门户网站发布信息1,500条，网站发布信息1,600条。", {}),
    # 分别
    ("微信公众号和微博分别发布信息520条、310条。", {"newmedia.wechat.posts": 520, "newmedia.weibo.posts": 310}),
    ("召开新闻发布会、政策吹风会分别为4场、2场。", {"press_conferences": 4}),
    ("两个公众号分别推送信息100条、200条、300条。", {}),
]


@pytest.mark.parametrize("sentence,want", OWN, ids=[s[:18] for s, _ in OWN])
def test_own_phrasing(sentence, want):
    got = _narrative(_report(sentence))
    assert {k: float(v) for k, v in got.items()} == {k: float(v) for k, v in want.items()}, sentence


# Issue 15, prose by meaning. Each kind has sentences that must give nothing, and sentences where the
# rule must leave the right figure in place; written here, not taken from the shared sample.

# 1. A count of columns, channels, accounts, platforms or mailboxes counts no letters, posts or followers.
CONTAINERS = [
    ("在门户网站开设“政策解读”“办事指南”等3个栏目。", {}),
    ("开通政务微博、微信等5个新媒体账号。", {}),
    ("开通在线咨询、局长信箱、网上留言3个渠道。", {}),
    ("网站设有局长信箱等6个互动栏目。", {}),
    ("开设在线咨询平台2个。", {}),
    ("建立微信粉丝群5个。", {}),
    ("开设图解、视频解读等解读渠道4个。", {}),
    ("设立局长信箱、书记信箱等4个信箱。", {}),
    ("开通热线、信箱等渠道3条。", {}),
    ("通过5个政务新媒体平台发布信息2,000条。", {}),
    ("整合关停政务新媒体账号3个。", {}),
    ("微信公众号设置“政策解读”“办事指南”3个一级菜单、12个二级菜单。", {}),
    ("局长信箱共有3个，全年收到来信25件。", {"mailbox.letters": 25}),
    ("门户网站新设“乡村振兴”专栏，发布信息320条。", {}),  # the column's posts, not the site's
    ("微信公众号开设“政策问答”栏目，推送信息56条。", {}),
    # the figure beside the count of places stays
    ("局长信箱、书记信箱等3个信箱全年共收到来信56件。", {"mailbox.letters": 56}),
    ("在抖音平台开设账号2个，发布短视频86条。", {"newmedia.douyin.posts": 86}),
    ("开设政策解读专区1个，发布解读文件12份。", {"interpretation.docs": 12}),
    ("网站开设专栏4个，全年发布信息5,480条。", {"website.posts": 5480}),
    ("门户网站开设了组织机构、重点领域信息公开等8个专栏，全年发布信息2306条。", {"website.posts": 2306}),
    ("门户网站设有政务公开、政民互动等栏目，全年访问量达35万次。", {"website.visits": 350000}),
    ("在门户网站“政府信息公开”专栏发布信息1,356条。", {}),
    ("快手号“某某应急”发布作品73个，粉丝1.1万人。", {"newmedia.kuaishou.posts": 73, "newmedia.kuaishou.followers": 11000}),
]

# 2. A total over several kinds is no kind's count; a list of kinds, each with its own count, is.
KINDS = [
    ("召开新闻发布会和政策吹风会共12场。", {}),
    ("全年共召开新闻发布会、新闻通气会12次。", {}),
    ("新闻发布会、政策吹风会等共举办12场。", {}),
    ("召开新闻发布会12场（含政策吹风会4场）。", {}),
    ("召开新闻发布会12场，其中政策吹风会4场。", {}),
    ("召开新闻发布会暨政策吹风会3场。", {}),
    ("召开3场新闻发布会和媒体见面会。", {}),
    ("发布新闻稿件和政策解读共50篇。", {}),
    ("网上咨询和局长信箱来信共80件。", {}),
    ("局长信箱和12345热线转办诉求共80件。", {}),
    ("召开新闻发布会3场、政策吹风会2场。", {"press_conferences": 3}),
    ("召开3场新闻发布会、2场政策吹风会。", {"press_conferences": 3}),
    ("召开政策吹风会2场、新闻发布会3场。", {"press_conferences": 3}),
    ("举办新闻发布会5次、媒体见面会3次，发布政策解读12篇。", {"press_conferences": 5, "interpretation.docs": 12}),
    ("召开新闻发布会4场，新闻通气会2场。", {"press_conferences": 4}),
    ("召开新闻发布会12场，其中主要负责人出席6场。", {"press_conferences": 12}),  # a part by who attended
    ("收到网上咨询、信箱来信分别为30件、20件。", {"consultation.online": 30, "mailbox.letters": 20}),
    ("发布政策解读、图解共20篇。", {"interpretation.docs": 20}),  # both are interpretations
    ("召开新闻发布会及政策解读会共8场。", {}),
    ("召开新闻发布会3场和政策解读会1场。", {"press_conferences": 3}),
    ("围绕社会关切召开新闻发布会5场。", {"press_conferences": 5}),
]

# 3. A whole-year negation of receiving, handling, holding or charging states 0, however phrased.
NEGATIONS = [
    ("全年未收到局长信箱来信。", {"mailbox.letters": 0}),
    ("信箱未收到留言。", {"mailbox.letters": 0}),
    ("局长信箱、书记信箱均未收到来信。", {"mailbox.letters": 0}),
    ("局长信箱本年度暂无来信。", {"mailbox.letters": 0}),
    ("领导信箱全年未接到任何信件。", {"mailbox.letters": 0}),
    ("局长信箱来信数量为零。", {"mailbox.letters": 0}),
    ("本年度无人大代表建议和政协提案办理。", {"proposals.handled": 0}),
    ("全年暂无建议提案办理任务。", {"proposals.handled": 0}),
    ("未承办省、市人大代表建议和政协委员提案。", {"proposals.handled": 0}),
    ("本年度人大代表建议和政协委员提案：无。", {"proposals.handled": 0}),
    ("本年度承办建议提案数为零。", {"proposals.handled": 0}),
    ("未收取任何费用。", {"fees.collected_yuan": 0}),
    ("没有向申请人收取检索、复制、邮寄等费用。", {"fees.collected_yuan": 0}),
    ("本机关全年均未收取信息处理费。", {"fees.collected_yuan": 0}),
    ("信息处理费全年未收取。", {"fees.collected_yuan": 0}),
    ("本年度信息处理费收取金额为零。", {"fees.collected_yuan": 0}),
    ("全年未发生收取信息处理费的情况。", {"fees.collected_yuan": 0}),
    ("本年度未举办新闻发布会。", {"press_conferences": 0}),
    ("全年新闻发布会召开数量为零。", {"press_conferences": 0}),
    ("本年度未收到网上咨询。", {"consultation.online": 0}),
    ("本年度不存在收取信息处理费的情况。", {"fees.collected_yuan": 0}),
    ("无网民通过局长信箱来信。", {"mailbox.letters": 0}),
    ("建议提案办理：本年度无。", {"proposals.handled": 0}),
    ("全年未收到“局长信箱”来信。", {"mailbox.letters": 0}),
    ("无信息处理费收取。", {"fees.collected_yuan": 0}),
    ("全年未收到涉及本单位的信箱来信。", {}),  # whose mailbox?
    ("无需收取信息处理费。", {}),  # a rule
    # not the whole year, not the agency, a part only, not yet, a rule, another charge, a condition
    ("上半年未收到局长信箱来信。", {}),
    ("2022年未收取信息处理费。", {}),
    ("局长信箱未收到投诉类来信。", {}),
    ("除局长信箱外，其他信箱未收到来信。", {}),
    ("全市各部门均未收取信息处理费。", {}),
    ("暂未收取信息处理费。", {}),
    ("依申请公开不收取任何费用。", {}),
    ("本年度未收取行政事业性收费。", {}),
    ("办理行政许可未收取任何费用。", {}),
    ("对逾期未缴纳信息处理费的申请不再处理。", {}),
    ("如未收到来信，应及时检查信箱。", {}),
    ("申请人未收到信息处理费缴费通知。", {}),
    ("全年未收到群众来信来访。", {}),  # petitions, not the mailbox
    ("本年度未承办人大代表建议。", {}),  # one kind of the combined count
    ("目前无未办结的建议提案。", {}),
    ("网站留言板未收到留言。", {}),
    ("未召开专题新闻发布会。", {}),
    ("局长信箱来信超期为零。", {}),
    ("未按期办结人大代表建议和政协提案的情况为零。", {}),
    ("本年度局长信箱收到来信12件，书记信箱未收到来信。", {"mailbox.letters": 12}),  # a number beside: no 0
    ("信箱收到留言12条，未收到信件。", {}),  # a number of the mailbox beside the negation
    ("全年未召开新闻发布会，参加市政府新闻发布会3场。", {}),
    ("全年未召开新闻发布会，发布政策解读5篇。", {"press_conferences": 0, "interpretation.docs": 5}),
]

# 4. Full-width decimal points in 万 and 亿 figures.
POINTS = [
    ("网站访问量12．5万次。", {"website.visits": 125000}),
    ("微信公众号粉丝3．2万人。", {"newmedia.wechat.followers": 32000}),
    ("全年收取信息处理费0．12万元。", {"fees.collected_yuan": 1200}),
    ("网站总访问量达1．2亿次。", {"website.visits": 120000000}),
    ("抖音号粉丝量为１２．６万人。", {"newmedia.douyin.followers": 126000}),
    ("今日头条号关注用户 2 ． 05 万人。", {"newmedia.toutiao.followers": 20500}),
    ("网站访问量较上年增长12．5%。", {}),
    ("网站全年访问量约12．5万次。", {}),
    ("网站日均访问量0．3万次。", {}),
    ("微博粉丝由年初的1．6万人增至2．4万人。", {"newmedia.weibo.followers": 24000}),
]

MEANING = [(k, s, w) for k, cases in (("containers", CONTAINERS), ("kinds", KINDS), ("negations", NEGATIONS),
                                       ("points", POINTS)) for s, w in cases]


@pytest.mark.parametrize("kind,sentence,want", MEANING, ids=[f"{k}-{s[:14]}" for k, s, _ in MEANING])
def test_prose_by_meaning(kind, sentence, want):
    got = _narrative(_report(sentence))
    assert {k: float(v) for k, v in got.items()} == {k: float(v) for k, v in want.items()}, sentence


def test_each_kind_has_cases_that_give_nothing_and_cases_that_give_a_figure():
    for cases in (CONTAINERS, KINDS, NEGATIONS, POINTS):
        assert len([w for _, w in cases if not w]) >= 3 and len([w for _, w in cases if w]) >= 3
        assert len(cases) >= 8


def test_a_negation_in_one_paragraph_and_a_figure_in_another_compete():
    text = (f"{AGENCY}{YEAR}年政府信息公开工作年度报告\n一、总体情况\n全年未收到局长信箱来信。\n"
            "二、主动公开政府信息情况\n局长信箱收到来信8件。\n")
    r = extract_bytes(text.encode("utf-8"), "case.txt")
    assert "mailbox.letters" not in _narrative(r)
    assert any(i.code == "ambiguous_narrative" and "mailbox.letters" in i.message for i in r.issues)


def test_competing_values_are_named_in_issues():
    r = _report("网站总访问量为1,560,000次（第三方统计平台数据为1,498,230次）。")
    assert "website.visits" not in _narrative(r)
    assert any(i.code == "ambiguous_narrative" and "website.visits" in i.message for i in r.issues)


def test_digit_runs_are_not_cut_at_thousands_commas():
    r = _report("快手号全年发布视频210条，粉丝13,058人。")
    assert _narrative(r)["newmedia.kuaishou.followers"] == 13058
