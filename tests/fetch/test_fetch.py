"""`nianbao fetch` against a fixture site on 127.0.0.1 (tests/fetch/site.py), then `refresh` of what it
fetched: provenance, the register, deadlines and coverage. Every request loop is bounded: small
timeouts, one retry, a per-test time limit through the fetch settings."""
from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.fetch.run import Settings, fetch, parse_list, parse_report_page, year_of
from pipeline.warehouse.register import Entry, write_register
from tests.fetch.site import DEMO, Site


def settings() -> Settings:
    return Settings(connect_timeout=1, read_timeout=0.5, request_seconds=5, retries=1, backoff=0.01, delay=0,
                    max_bytes=200_000, max_list_pages=5, source_seconds=30)


def register(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "agencies.csv"
    write_register([
        Entry("nj-czj", "南京市财政局", ["南京财政局"], "320100", "department", "nj-gov", f"{base}/czj/list/index.html"),
        Entry("nj-gov", "南京市人民政府", [], "320100", "city"),
        Entry("xw-gov", "南京市玄武区人民政府", ["玄武区人民政府"], "320102", "county", "nj-gov", "", [
            f"{base}/xw/t20200325_9.docx", f"{base}/xw/stable.html", f"{base}/xw/changing.txt", f"{base}/xw/flaky.pdf",
            f"{base}/xw/slow.html", f"{base}/xw/loop", f"{base}/xw/big.pdf", f"{base}/private/r.html"]),
    ], path)
    return path


@pytest.fixture()
def site():
    with Site() as s:
        yield s


def _fetch(tmp_path, site):
    t0 = time.monotonic()
    out = fetch(register(tmp_path, site.base), tmp_path / "inbox", settings())
    assert time.monotonic() - t0 < 60
    return out


def _failed(out, agency):
    r = next(r for r in out["results"] if r["agency_id"] == agency)
    return {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in r["failed"]}


def test_first_fetch_takes_reports_and_names_every_failure(tmp_path, site):
    out = _fetch(tmp_path, site)
    czj = next(r for r in out["results"] if r["agency_id"] == "nj-czj")
    new = {(n["year"], Path(n["path"]).suffix, n["published_on"]) for n in czj["new"]}
    # the 2023 report page (its date shown on the page) and its attachment, the 2022 document (the list's
    # date), the 2021 page in GBK from the second list page (the date in its address)
    assert (2023, ".html", "2024-01-20") in new and (2023, ".docx", "2024-01-20") in new
    assert (2022, ".txt", "2023-04-15") in new
    assert (2021, ".html", "2022-01-25") in new
    source = {(n["year"], Path(n["path"]).suffix): n["published_on_source"] for n in czj["new"]}
    assert source[(2022, ".txt")] == "list" and source[(2023, ".html")] == "list" and source[(2021, ".html")] == "address"
    assert [o["year"] for o in czj["older_format"]] == [2017]
    # a notice about reports, a javascript: link and another site's link are not reports of this agency
    assert not site.requests("/czj/list/notice.html") and not any("invalid" in n["url"] for n in czj["new"])
    assert _failed(out, "nj-czj") == {"missing.html": "HTTP 404"}
    xw = _failed(out, "xw-gov")
    assert xw["slow.html"].startswith("no answer within 0.5 s")
    assert "redirect" in xw["loop"]
    assert xw["big.pdf"].startswith("larger than")
    assert "robots.txt" in xw["r.html"]
    assert "flaky.pdf" not in xw and len(site.requests("/xw/flaky.pdf")) == 2  # a 500, then the retry
    assert not site.requests("/private/r.html")
    # the GBK page was read: its file holds the GBK bytes, and the extractor reads it
    gbk = next(n for n in czj["new"] if n["year"] == 2021)
    assert "南京市财政局".encode("gb18030") in (tmp_path / "inbox" / gbk["path"]).read_bytes()
    assert all(h.get("user-agent", h.get("User-Agent", "")).startswith("nianbao/") for _, _, h in site.log)
    assert out["failed_sources"] == 2


def test_second_fetch_asks_conditionally_and_downloads_only_what_changed(tmp_path, site):
    _fetch(tmp_path, site)
    inbox = tmp_path / "inbox"
    stable = next(inbox.glob("fetched/xw-gov/*.html"))
    before = stable.stat().st_mtime_ns
    site.run = 2
    out = _fetch(tmp_path, site)
    # the unchanged page: one conditional request, answered 304, not written again
    asked = site.requests("/xw/stable.html", run=2)
    assert len(asked) == 1 and asked[0].get("If-None-Match") == '"stable-1"'
    assert stable.stat().st_mtime_ns == before
    # the changed one is downloaded again
    xw = next(r for r in out["results"] if r["agency_id"] == "xw-gov")
    assert [Path(n["path"]).suffix for n in xw["new"]] == [".txt"]
    assert "第 2 次更新" in (inbox / xw["new"][0]["path"]).read_text(encoding="utf-8")
    # an unchanged list page costs one conditional request; the reports it lists are not asked again
    assert len(site.requests("/czj/list/index.html", run=2)) == 1
    assert site.requests("/czj/list/index.html", run=2)[0].get("If-None-Match") == '"list-1"'
    assert not site.requests("/czj/files/03-2023.docx", run=2)
    assert not site.requests("/czj/list/202401/t20240120_1.html", run=2)
    # the 2017 report is recorded once, not again every run
    older = [json.loads(line) for line in (inbox / ".fetch" / "provenance.jsonl").read_text(encoding="utf-8").splitlines()
             if '"older_format"' in line]
    assert [o["year"] for o in older] == [2017]


def test_refresh_after_fetch_keeps_provenance_deadlines_and_coverage(tmp_path, site):
    from pipeline.refresh.run import refresh
    from pipeline.serve.export import long_table

    agencies = register(tmp_path, site.base)
    fetch(agencies, tmp_path / "inbox", settings())
    # a report put in the inbox by hand, of an agency the register does not list
    (tmp_path / "inbox" / "by-hand").mkdir()
    (tmp_path / "inbox" / "by-hand" / "39-2022.txt").write_bytes((DEMO / "39-2022.txt").read_bytes())
    db = tmp_path / "data" / "warehouse.duckdb"
    rr = refresh(tmp_path / "inbox", db, agencies=agencies, workers=1)
    assert rr.register_problems == []
    assert rr.unregistered == ["广州市天河区石牌街道办事处"]
    with duckdb.connect(str(db), read_only=True) as con:
        reps = {(a, y): (str(p) if p else None, d and str(d), t, u) for a, y, p, d, t, u in con.execute(
            "select agency_id, year, published_on, deadline, timeliness, source_url from reports").fetchall()}
        # a department: 31 January; a government: 31 March
        assert reps[("nj-czj", 2023)][:3] == ("2024-01-20", "2024-01-31", "on_time")
        assert reps[("nj-czj", 2023)][3].endswith("/t20240120_1.html")  # the docx came from the report page
        assert reps[("nj-czj", 2022)][:3] == ("2023-04-15", "2023-01-31", "late")
        assert reps[("nj-czj", 2021)][:3] == ("2022-01-25", "2022-01-31", "on_time")
        assert reps[("xw-gov", 2019)][:3] == ("2020-03-25", "2020-03-31", "on_time")
        assert reps[("xw-gov", 2020)][:3] == (None, "2021-03-31", "unknown")
        late = con.execute("select agency_id, year, message from check_results where check_id = 'published_late'").fetchall()
        assert [(a, y) for a, y, _ in late] == [("nj-czj", 2022)] and "晚 74 天" in late[0][2]
        flagged = con.execute("select a.name from check_results c join agencies a using (agency_id) "
                              "where check_id = 'agency_unregistered'").fetchall()
        assert flagged == [("广州市天河区石牌街道办事处",)]
        cov = dict(((a, y), s) for a, y, s in con.execute("select agency_id, year, status from coverage").fetchall())
        assert cov[("nj-czj", 2017)] == "older_format"
        # 2019 and 2020: its list page was read after their deadlines and does not list them
        assert cov[("nj-czj", 2019)] == "not_published"
        assert cov.get(("nj-czj", 2024)) in ("not_collected", None)
        # no list page for the district: a year without a file is "not collected", never "not published"
        assert cov[("xw-gov", 2023)] == "not_collected"
        assert cov[("nj-gov", 2021)] == "not_collected"
        long = long_table(con)
    row = long[(long.agency_id == "nj-czj") & (long.year == 2022)].iloc[0]
    assert str(row.published_on) == "2023-04-15" and row.source_url.endswith("/czj/files/03-2022.txt")
    hand = long[long.agency == "广州市天河区石牌街道办事处"].iloc[0]
    assert hand.source_url is None or hand.source_url != hand.source_url  # null: put in the inbox by hand


def test_provenance_survives_a_rebuild_from_the_raw_store(tmp_path, site):
    from pipeline.refresh.run import refresh

    agencies = register(tmp_path, site.base)
    fetch(agencies, tmp_path / "inbox", settings())
    db = tmp_path / "data" / "warehouse.duckdb"
    refresh(tmp_path / "inbox", db, agencies=agencies, workers=1)
    (tmp_path / "inbox" / ".fetch" / "provenance.jsonl").unlink()
    refresh(tmp_path / "inbox", db, agencies=agencies, workers=1, rebuild=True)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select published_on::varchar from reports where agency_id = 'nj-czj' and year = 2022"
                           ).fetchall() == [("2023-04-15",)]


def test_cli_fetch_and_refresh_fetch_exit_codes(tmp_path, site, capsys, monkeypatch):
    from pipeline import cli
    from pipeline.fetch import run as fetch_mod

    monkeypatch.setattr(fetch_mod.Settings, "from_env", classmethod(lambda cls: settings()))
    agencies = register(tmp_path, site.base)
    assert cli.main(["fetch", "--agencies", str(agencies), "--inbox", str(tmp_path / "inbox"), "--quiet"]) == 1
    text = capsys.readouterr().out
    assert "FAILED" in text and "HTTP 404" in text and "new 2023" in text
    code = cli.main(["refresh", "--fetch", "--agencies", str(agencies), "--inbox", str(tmp_path / "inbox"),
                     "--db", str(tmp_path / "data" / "wh.duckdb"), "--quiet"])
    assert code == 1  # some sources failed; what was fetched is loaded and published
    assert (tmp_path / "data" / "wh.duckdb").is_file()
    report = json.loads(next((tmp_path / "data" / "runs").glob("*.json")).read_text(encoding="utf-8"))
    by_agency = {r["agency_id"]: r for r in report["fetch"]["by_agency"]}
    assert by_agency["xw-gov"]["failed"] and report["fetch"]["failed_sources"] == 2
    assert cli.main(["fetch", "--agencies", str(tmp_path / "none.csv"), "--inbox", str(tmp_path / "inbox")]) == 2


# -- parsing, without a server ------------------------------------------------------------------

@pytest.mark.parametrize("title,year", [
    ("南京市财政局2023年度政府信息公开工作年度报告", 2023),
    ("2022年政府信息公开年报", 2022),
    ("二〇二一年度政府信息公开工作年度报告", 2021),
    ("某县人民政府2020年政务公开工作年度报告", 2020),
    ("关于2023年政府信息公开工作年度报告的解读", 2023),  # a year, but the title filter refuses it
])
def test_year_of_titles(title, year):
    assert year_of(title) == year


def test_list_parsing_resolves_links_and_pagers():
    html = """<ul><li><a href="./202403/t20240308_87885.htm">2023年政府信息公开工作年度报告</a> 2024-03-08</li>
              <li><a href="/a.html">关于2023年政府信息公开工作年度报告的解读</a></li>
              <li><a href="javascript:;" onclick="x()">2022年政府信息公开工作年度报告</a></li></ul>
              <script>createPageHTML(3, 0, "index", "shtml");</script>"""
    got = parse_list(html, "http://www.example.gov.cn/zwgk/ndbg/index.shtml")
    assert got["items"] == [{"url": "http://www.example.gov.cn/zwgk/ndbg/202403/t20240308_87885.htm",
                             "title": "2023年政府信息公开工作年度报告", "year": 2023, "date": "2024-03-08",
                             "date_source": "list"}]
    assert got["next"] == ["http://www.example.gov.cn/zwgk/ndbg/index_1.shtml"]
    page = parse_report_page('<p>成文日期：2024年1月18日</p><a href="P02024.pdf">附件</a><a href="x.html">x</a>',
                             "http://h/a/t20240120_1.html")
    assert page["date"] == "2024-01-18" and page["attachments"] == ["http://h/a/P02024.pdf"]
    # the report as WPS's spreadsheet, OpenDocument or Rich Text is an attachment too (nianbao reads them)
    page = parse_report_page('<a href="b.et">附件1</a><a href="c.odt">附件2</a><a href="d.rtf">附件3</a>'
                             '<a href="e.png">图</a>', "http://h/a/t20240120_1.html")
    assert page["attachments"] == ["http://h/a/b.et", "http://h/a/c.odt", "http://h/a/d.rtf"]
    # the address's date is not the page's: the fetch takes it last, marked as such
    assert parse_report_page("<p>正文</p>", "http://h/a/t20240120_1.html")["date"] is None


def test_a_page_whose_tables_are_pictures_is_fetched_with_them_and_read_by_ocr(tmp_path, site):
    """The page's body pictures come with it (beside it in the inbox, then in the raw store): the one on
    the site is read by OCR at the refresh and its facts published as read by OCR, the one on another site
    and the one over the size limit are refused with their reasons, the rest goes on; a rebuild from the
    raw store alone reads the picture again."""
    from pipeline.refresh.run import refresh
    from tests.extract.test_ocr import ROWS, _drawn_table

    _drawn_table(ROWS, [260] * 4)  # skips without a CJK font
    agencies = tmp_path / "agencies.csv"
    write_register([Entry("js-bgt", "江苏省人民政府办公厅", [], "320000", "province", "", "",
                          [f"{site.base}/czj/pics/t20240125_5.html"])], agencies)
    out = fetch(agencies, tmp_path / "inbox", settings())
    (r,) = out["results"]
    assert [Path(n["path"]).suffix for n in r["new"]] == [".html"]
    failed = {f["url"]: f["reason"] for f in r["failed"]}
    assert failed[f"{site.base}/czj/pics/img/big.png"].startswith("picture: larger than")
    assert "not a host of the register" in failed["http://example.invalid/t3.png"]
    assert len(failed) == 2
    page = tmp_path / "inbox" / r["new"][0]["path"]
    kept = list((page.parent / f"{page.stem}_files").iterdir())
    assert [p.suffix for p in kept] == [".png"] and kept[0].read_bytes().startswith(b"\x89PNG")
    assert len(site.requests("/czj/pics/img/t2.png")) == 1

    def published(db):
        with duckdb.connect(str(db), read_only=True) as con:
            return {f"{m}:{d}": (v, json.loads(e)) for m, d, v, e in con.execute(
                "select metric, dim, value, evidence from v_values where agency_id = 'js-bgt' and year = 2023").fetchall()}

    db = tmp_path / "data" / "warehouse.duckdb"
    refresh(tmp_path / "inbox", db, agencies=agencies, workers=1)
    facts = published(db)
    want = {"active.regulations:made": 3, "active.regulations:in_force": 12, "active.normative_docs:made": 5,
            "active.normative_docs:repealed": 1, "active.normative_docs:in_force": 47}
    assert {k: facts[k][0] for k in want if k in facts} == want
    assert all(facts[k][1]["read_by"] == "ocr" and facts[k][1]["ocr_confidence"] >= 0.9 for k in want)
    assert not any(k.startswith(("app.", "review.")) for k in facts)  # its other tables were not taken
    # the raw store alone: the picture is kept with the page, and read again
    import shutil

    shutil.rmtree(tmp_path / "inbox")
    (tmp_path / "inbox").mkdir()
    refresh(tmp_path / "inbox", db, agencies=agencies, workers=1, rebuild=True)
    assert {k: published(db)[k][0] for k in want} == want
