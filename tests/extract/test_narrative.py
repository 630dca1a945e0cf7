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


def test_competing_values_are_named_in_issues():
    r = _report("网站总访问量为1,560,000次（第三方统计平台数据为1,498,230次）。")
    assert "website.visits" not in _narrative(r)
    assert any(i.code == "ambiguous_narrative" and "website.visits" in i.message for i in r.issues)


def test_digit_runs_are_not_cut_at_thousands_commas():
    r = _report("快手号全年发布视频210条，粉丝13,058人。")
    assert _narrative(r)["newmedia.kuaishou.followers"] == 13058
