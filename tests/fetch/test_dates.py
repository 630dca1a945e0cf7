"""Publication dates as the site states them: the list's date from the link's row whatever holds it,
then the report page's own, the date in the address only when neither exists (and marked as such)."""
from __future__ import annotations

import pytest

from pipeline.fetch.run import parse_list, parse_report_page

BASE = "http://www.example.gov.cn/zwgk/ndbg/index.html"
T = "某市人民政府2025年政府信息公开工作年度报告"


@pytest.mark.parametrize("row", [
    f'<dl><dd><a href="./202603/t20260313_1.html">{T}</a></dd><dd>2026-03-10</dd></dl>',
    f'<table><tr><td><a href="./202603/t20260313_1.html">{T}</a></td><td class="date">2026-03-10</td></tr></table>',
    f'<ul><li><a href="./202603/t20260313_1.html">{T}</a><span class="time">[2026-03-10]</span></li></ul>',
    f'<ul><li><div class="t"><a href="./202603/t20260313_1.html">{T}</a></div><div class="d">2026年3月10日</div></li></ul>',
    f'<ul><li><span>2026-03-10</span><a href="./202603/t20260313_1.html">{T}</a></li></ul>',
    f'<ul><li><a href="./202603/t20260313_1.html">{T}</a> 2026/03/10</li></ul>',
])
def test_the_list_date_is_taken_from_the_links_row(row):
    items = parse_list(row, BASE)["items"]
    assert [(i["date"], i["date_source"]) for i in items] == [("2026-03-10", "list")]


def test_a_date_of_another_row_is_not_taken():
    html = (f'<div><a href="./202603/t20260313_1.html">{T}</a><a href="./b.html">某市人民政府2024年政府信息公开工作年度报告</a>'
            '</div><p>2026-01-01</p>')
    items = parse_list(html, BASE)["items"]
    assert [i["date"] for i in items] == [None, None]  # the address's date is not the list's


@pytest.mark.parametrize("page,date", [
    ('<meta name="PubDate" content="2026-03-10 09:30"><p>正文</p>', "2026-03-10"),
    ('<p>来源：某市人民政府 时间：2026-03-10</p>', "2026-03-10"),
    ('<p>发布日期：2026年03月10日</p><p>日期：2026-03-11</p>', "2026-03-10"),
    ('<p>正文</p>', None),
])
def test_the_report_page_states_its_own_date(page, date):
    assert parse_report_page(page, "http://www.example.gov.cn/zwgk/ndbg/202603/t20260313_1.html")["date"] == date


def test_the_list_date_wins_and_the_address_date_is_last_and_marked(tmp_path):
    from pipeline.fetch.run import Fetcher
    from pipeline.warehouse.register import Entry

    class Stub(Fetcher):
        def get(self, url, conditional=None, deadline=None, max_bytes=None):
            from pipeline.fetch.http import Answer

            body = "<html><head><title>t</title></head><body><p>一、总体情况</p><p>二、主动公开政府信息情况</p>"
            if "meta" in url:
                body = body.replace("<title>", '<meta name="PubDate" content="2026-03-12"><title>')
            return Answer(url, 200, body.encode(), {"content-type": "text/html; charset=utf-8"})

    f = Stub(tmp_path / "inbox")
    e = Entry("a", "某市人民政府", [], "320100", "city")
    got = {}
    for name, listed in (("list", "2026-03-10"), ("meta", None), ("bare", None)):
        url = f"http://www.example.gov.cn/{name}/t20260313_1.html"
        rec = f.document(e, {"url": url, "title": T, "year": 2025, "date": listed}, 1e18)["new"][0]
        got[name] = (rec["published_on"], rec["published_on_source"])
    f.close()
    assert got == {"list": ("2026-03-10", "list"), "meta": ("2026-03-12", "page"), "bare": ("2026-03-13", "address")}


def test_a_page_that_does_not_read_as_a_report():
    url = "http://www.example.gov.cn/zwgk/ndbg/202603/t20260313_1.html"
    assert not parse_report_page(f"<title>{T}</title><h1>页面不存在</h1>", url)["is_report"]
    assert parse_report_page("<p>一、总体情况</p><p>二、主动公开政府信息情况</p>", url)["is_report"]
    viewer = parse_report_page('<iframe src="/pdfjs/web/viewer.html?file=%2Ffiles%2Fr2025.pdf"></iframe>', url)
    assert viewer["is_report"] and viewer["attachments"] == ["http://www.example.gov.cn/files/r2025.pdf"]
