"""`nianbao fetch` against a hostile web server on 127.0.0.1 (tests/robustness/web.py): every answer
ends within its bounds (small ones here, so each test takes seconds), the fetch goes only where the
register sends it, and what one page gives is bounded. Each fetch runs in a child process with a hard
timeout, so a fetch that would hang fails its test instead of stalling the suite."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.warehouse.register import Entry, parse_register, write_register
from tests.robustness.web import DEMO, REPORT_TITLE, HostileServer, bomb, page

ROOT = Path(__file__).resolve().parents[2]
# bounds the old fetch already knew, so a test fails on it by what it does, not by a missing option
SETTINGS = dict(connect_timeout=1, read_timeout=1, request_seconds=2, retries=0, backoff=0.01, delay=0,
                max_bytes=1_000_000, source_seconds=12, max_list_pages=5)
ENV = {"NIANBAO_FETCH_ALLOW_LOCAL": "1", "NIANBAO_FETCH_ROBOTS_KB": "64", "NIANBAO_FETCH_ATTACHMENTS": "5"}
RUNNER = ("import json, sys\nfrom pathlib import Path\nfrom pipeline.fetch.run import Settings, fetch\n"
          "out = fetch(Path(sys.argv[1]), Path(sys.argv[2]), Settings(**json.loads(sys.argv[3])))\n"
          "print(json.dumps(out, default=str))\n")


def run_fetch(agencies: Path, inbox: Path, timeout: float = 40, env: dict | None = None, **overrides) -> tuple[float, dict]:
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", RUNNER, str(agencies), str(inbox), json.dumps({**SETTINGS, **overrides})],
                       cwd=ROOT, capture_output=True, timeout=timeout,
                       env={**os.environ, "PYTHONPATH": str(ROOT), **ENV, **(env or {})})
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")[-2000:]
    return time.monotonic() - t0, json.loads(r.stdout)


def register(tmp_path: Path, list_url: str = "", report_urls: list[str] | None = None) -> Path:
    path = tmp_path / "agencies.csv"
    write_register([Entry("hx", "某市生态环境局", [], "320100", "department", "", list_url, report_urls or [])], path)
    return path


def failures(out: dict) -> dict[str, str]:
    return {f["url"]: f["reason"] for r in out["results"] for f in r["failed"]}


def new_files(out: dict) -> list[dict]:
    return [n for r in out["results"] for n in r["new"]]


# -- 1. bounded by the clock and the byte -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/trickle-headers/a.pdf", "/trickle-body/a.pdf"])
def test_an_answer_that_trickles_ends_at_its_deadline(tmp_path, path):
    with HostileServer() as s:
        took, out = run_fetch(register(tmp_path, report_urls=[s.base + path]), tmp_path / "inbox")
    reason = failures(out)[s.base + path]
    assert "time bound (2 s)" in reason, reason
    assert took < 20 and s.hits[path] == 1  # one try: a slow answer is not asked again


def test_a_trickling_robots_txt_ends_and_is_reported_as_unreadable(tmp_path):
    with HostileServer(robots="trickle") as s:
        took, out = run_fetch(register(tmp_path, report_urls=[s.base + "/redirect/0"]), tmp_path / "inbox")
    reason = failures(out)[s.base + "/redirect/0"]
    assert "robots.txt" in reason and "could not be read" in reason and "disallows" not in reason, reason
    assert took < 20 and "/redirect/0" not in s.hits


def test_a_failing_robots_txt_is_not_called_a_disallow(tmp_path):
    with HostileServer(robots="503") as s:
        _, out = run_fetch(register(tmp_path, report_urls=[s.base + "/redirect/0"]), tmp_path / "inbox")
    reason = failures(out)[s.base + "/redirect/0"]
    assert "could not be read (HTTP 503)" in reason and "disallows" not in reason, reason


@pytest.mark.parametrize("robots", ["huge", "gzip-bomb"])
def test_an_endless_or_inflating_robots_txt_is_read_up_to_its_limit(tmp_path, robots):
    with HostileServer(robots=robots) as s:
        took, out = run_fetch(register(tmp_path, report_urls=[s.base + "/redirect/0", s.base + "/private/x.pdf"]),
                              tmp_path / "inbox", timeout=60)
    # its first 64 KiB are read and obeyed: /private/ is disallowed, the rest fetched
    assert [n["url"] for n in new_files(out)] == [s.base + "/redirect/0"]
    assert "disallows /private/x.pdf" in failures(out)[s.base + "/private/x.pdf"]
    assert took < 30


@pytest.mark.parametrize("path", ["/huge.pdf", "/bomb.pdf"])
def test_a_huge_or_inflating_document_is_refused_at_the_limit(tmp_path, path):
    bomb()  # made before the server answers with it
    with HostileServer(robots="gzip-bomb") as s:
        took, out = run_fetch(register(tmp_path, report_urls=[s.base + path]), tmp_path / "inbox", timeout=60)
    reason = failures(out)[s.base + path]
    assert reason.startswith("larger than") and "decompressed" in reason, reason
    assert not list((tmp_path / "inbox").glob("fetched/*/*")) and took < 30


def test_a_list_of_100000_links_in_one_div_is_read_in_linear_time(tmp_path):
    links = "".join(f'<a href="/p/{i}.html">第{i}条</a>' for i in range(100_000))
    body = (f'<div class="list">{links}<a href="/r/t20260313_1.txt">{REPORT_TITLE}</a><span>2026-03-10</span></div>')
    with HostileServer() as s:
        s.routes["/list.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page("年报", body))
        s.routes["/r/t20260313_1.txt"] = (200, {"Content-Type": "text/plain; charset=utf-8"}, (DEMO / "07-2022.txt").read_bytes())
        took, out = run_fetch(register(tmp_path, s.base + "/list.html"), tmp_path / "inbox", timeout=90,
                              request_seconds=20, source_seconds=60)
    got = new_files(out)
    assert [(n["url"].rsplit("/", 1)[-1], n["published_on"]) for n in got] == [("t20260313_1.txt", "2026-03-10")]
    assert took < 60


def test_a_report_page_with_1000_attachments_takes_the_bound(tmp_path):
    atts = "".join(f'<p><a href="/att/{i}.pdf">附件{i}</a></p>' for i in range(1000))
    with HostileServer() as s:
        s.routes["/r/report.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page(REPORT_TITLE, atts))
        for i in range(1000):
            s.routes[f"/att/{i}.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 attachment")
        _, out = run_fetch(register(tmp_path, report_urls=[s.base + "/r/report.html"]), tmp_path / "inbox")
    assert sum(v for k, v in s.hits.items() if k.startswith("/att/")) == 5
    assert len(new_files(out)) == 6 and "1000 attachments; the first 5 taken" in failures(out)[s.base + "/r/report.html"]


# -- 2. the fetch stays where it was sent ----------------------------------------------------------

@pytest.mark.parametrize("where,words", [("file", "file scheme"), ("ftp", "ftp scheme"),
                                         ("metadata", "169.254.169.254 is not a host of the register"),
                                         ("other-port", "is not a standard port")])
def test_a_redirect_is_checked_again(tmp_path, where, words):
    with HostileServer() as s, HostileServer() as other:
        other.routes["/x.txt"] = (200, {"Content-Type": "text/plain"}, (DEMO / "07-2022.txt").read_bytes())
        s.other = other.base + "/x.txt"
        took, out = run_fetch(register(tmp_path, report_urls=[s.base + "/to/" + where]), tmp_path / "inbox", retries=3)
    reason = failures(out)[s.base + "/to/" + where]
    assert reason.startswith("redirected to") and words in reason, reason
    assert s.hits["/to/" + where] == 1 and not other.hits and took < 20  # refused at once, not retried


def test_redirect_chains_within_the_bound_are_followed_and_loops_are_not(tmp_path):
    with HostileServer() as s:
        _, out = run_fetch(register(tmp_path, report_urls=[s.base + "/redirect/3", s.base + "/redirect/9"]),
                           tmp_path / "inbox")
    assert [n["url"] for n in new_files(out)] == [s.base + "/redirect/3"]
    assert "more than 5 redirects" in failures(out)[s.base + "/redirect/9"]


def test_links_to_other_ports_and_hosts_are_not_followed(tmp_path):
    with HostileServer() as s, HostileServer() as other:
        other.routes["/r.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 elsewhere")
        body = (f'<ul><li><a href="{other.base}/r.pdf">{REPORT_TITLE}</a><span>2024-01-20</span></li>'
                f'<li><a href="http://10.1.2.3/r.pdf">某市生态环境局2022年度政府信息公开工作年度报告</a></li></ul>')
        s.routes["/list.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page("年报", body))
        _, out = run_fetch(register(tmp_path, s.base + "/list.html"), tmp_path / "inbox")
    assert not other.hits and not new_files(out)
    reasons = failures(out)
    assert "is not a standard port" in reasons[other.base + "/r.pdf"]
    assert "10.1.2.3 is not a host of the register" in reasons["http://10.1.2.3/r.pdf"]


def test_a_register_host_that_resolves_to_a_local_address_is_refused(tmp_path, monkeypatch):
    import socket

    from pipeline.fetch import run as fetch_run
    from pipeline.fetch.http import Settings

    real = socket.getaddrinfo
    fake = {"reports.example.gov.cn": "169.254.169.254", "mirror.example.gov.cn": "127.0.0.1",
            "lan.example.gov.cn": "192.168.1.10"}
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: (
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (fake[host], port))] if host in fake else real(host, port, *a, **k)))
    monkeypatch.delenv("NIANBAO_FETCH_ALLOW_LOCAL", raising=False)
    agencies = register(tmp_path, report_urls=[f"http://{h}/r.pdf" for h in fake])
    out = fetch_run.fetch(agencies, tmp_path / "inbox", Settings(**SETTINGS))
    reasons = failures(out)
    assert "resolves to 169.254.169.254, a link-local address" in reasons["http://reports.example.gov.cn/r.pdf"]
    assert "resolves to 127.0.0.1, a loopback address" in reasons["http://mirror.example.gov.cn/r.pdf"]
    assert "resolves to 192.168.1.10, a private address" in reasons["http://lan.example.gov.cn/r.pdf"]


def test_the_register_refuses_local_addresses_and_other_ports(monkeypatch):
    monkeypatch.delenv("NIANBAO_FETCH_ALLOW_LOCAL", raising=False)
    from pipeline.warehouse.register import HEADER

    rows = [",".join(HEADER)] + [f"a{i},某局{i},,320100,department,,{u},," for i, u in enumerate([
        "http://169.254.169.254/latest/", "http://127.0.0.1:8080/list.html", "http://10.0.0.8/", "http://localhost/x",
        "http://[::1]/x", "http://www.example.gov.cn:8443/list.html", "http://www.example.gov.cn/list.html"])]
    reg = parse_register("\n".join(rows))
    assert [e.agency_id for e in reg.entries] == ["a6"]
    text = "\n".join(reg.problems)
    for line, words in ((2, "link-local"), (3, "loopback"), (4, "private"), (5, "loopback"), (6, "loopback"),
                        (7, "port 8443")):
        assert any(p.startswith(f"agencies.csv line {line}: ") and words in p for p in reg.problems), (line, text)


# -- 3. partial success -----------------------------------------------------------------------------

def test_a_broken_next_page_keeps_what_the_first_gave(tmp_path):
    body = (f'<ul><li><a href="/r/t20240120_1.txt">{REPORT_TITLE}</a><span>2024-01-20</span></li></ul>'
            '<a href="/list_1.html">下一页</a>')
    with HostileServer() as s:
        s.routes["/list.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page("年报", body))
        s.routes["/list_1.html"] = (500, {}, b"broken")
        s.routes["/r/t20240120_1.txt"] = (200, {"Content-Type": "text/plain; charset=utf-8"}, (DEMO / "07-2022.txt").read_bytes())
        _, out = run_fetch(register(tmp_path, s.base + "/list.html"), tmp_path / "inbox")
    assert [n["url"] for n in new_files(out)] == [s.base + "/r/t20240120_1.txt"]
    assert list(failures(out)) == [s.base + "/list_1.html"] and "HTTP 500" in failures(out)[s.base + "/list_1.html"]


def test_a_not_found_page_under_a_report_title_is_recorded_not_loaded_and_not_asked_again(tmp_path):
    from pipeline.refresh.run import refresh

    body = (f'<ul><li><a href="/r/gone.html">{REPORT_TITLE}</a><span>2024-01-20</span></li>'
            f'<li><a href="/r/gone.pdf">某市生态环境局2022年度政府信息公开工作年度报告</a><span>2023-01-20</span></li></ul>')
    not_found = page(REPORT_TITLE, "<h1>页面不存在</h1><p>您访问的页面不存在或已被删除。</p>")
    with HostileServer() as s:
        s.routes["/list.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page("年报", body))
        s.routes["/r/gone.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, not_found)
        s.routes["/r/gone.pdf"] = (200, {"Content-Type": "application/pdf"}, not_found)  # HTML where a PDF should be
        agencies = register(tmp_path, s.base + "/list.html")
        _, out = run_fetch(agencies, tmp_path / "inbox")
        assert not list((tmp_path / "inbox").glob("fetched/*/*")) and not new_files(out)
        assert sorted(r["url"] for r in out["results"][0].get("not_report", [])) == [s.base + "/r/gone.html",
                                                                                     s.base + "/r/gone.pdf"]
        assert not out["failed_sources"]
        run_fetch(agencies, tmp_path / "inbox")
        assert s.hits["/r/gone.html"] == 1 and s.hits["/r/gone.pdf"] == 1
    for _ in range(2):
        rr = refresh(tmp_path / "inbox", tmp_path / "data" / "wh.duckdb", agencies=agencies, workers=1)
        assert rr.exit_code == 0, rr.summary()


def test_a_kill_mid_fetch_loses_at_most_the_file_in_flight(tmp_path):
    from pipeline.refresh.run import refresh

    import duckdb

    names = ["07-2020.pdf", "07-2021.html", "07-2022.txt"]
    with HostileServer() as s:
        for n in names:
            ctype = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "txt": "text/plain; charset=utf-8"}
            s.routes[f"/r/{n}"] = (200, {"Content-Type": ctype[n.rsplit('.', 1)[1]]}, (DEMO / n).read_bytes())
        urls = [s.base + f"/r/{n}" for n in names] + [s.base + "/trickle-body/last.pdf"]
        agencies = register(tmp_path, report_urls=urls)
        inbox = tmp_path / "inbox"
        proc = subprocess.Popen([sys.executable, "-c", RUNNER, str(agencies), str(inbox),
                                 json.dumps({**SETTINGS, "request_seconds": 600, "read_timeout": 600, "source_seconds": 600})],
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **ENV},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            t0 = time.monotonic()
            while not any(k.startswith("/trickle-body") for k in s.hits) and time.monotonic() - t0 < 30:
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert len(list(inbox.glob("fetched/hx/*"))) == 3
        # a plain refresh in between loads them with their addresses
        rr = refresh(inbox, tmp_path / "data" / "wh.duckdb", agencies=agencies, workers=1)
        with duckdb.connect(str(tmp_path / "data" / "wh.duckdb"), read_only=True) as con:
            got = sorted(u.rsplit("/", 1)[-1] for (u,) in con.execute("select source_url from files where source_url is not null").fetchall())
        assert got == sorted(names), rr.summary()
        # the next fetch asks the three conditionally or not at all; none is downloaded again
        s.routes["/trickle-body/last.pdf"] = (200, {"Content-Type": "application/pdf"}, (DEMO / "07-2020.pdf").read_bytes())
        _, out = run_fetch(agencies, inbox)
    assert [n["url"] for n in new_files(out)] == [s.base + "/trickle-body/last.pdf"]


def test_refresh_fetch_fetches_inside_the_refresh_lock(tmp_path):
    from pipeline import cli
    from pipeline.refresh.lock import take_lock as _lock

    with HostileServer() as s:
        s.routes["/r.txt"] = (200, {"Content-Type": "text/plain; charset=utf-8"}, (DEMO / "07-2022.txt").read_bytes())
        agencies = register(tmp_path, report_urls=[s.base + "/r.txt"])
        db = tmp_path / "data" / "wh.duckdb"
        args = ["refresh", "--fetch", "--agencies", str(agencies), "--inbox", str(tmp_path / "inbox"), "--db", str(db),
                "--quiet", "--workers", "1"]
        held = _lock(db.parent / f".{db.name}.lock")  # another refresh is running
        try:
            os.environ["NIANBAO_FETCH_ALLOW_LOCAL"] = "1"
            assert cli.main(args) == 2
            assert not s.hits, "the second run fetched before it knew another refresh holds the lock"
        finally:
            held.close()
            os.environ.pop("NIANBAO_FETCH_ALLOW_LOCAL", None)
        os.environ["NIANBAO_FETCH_ALLOW_LOCAL"] = "1"
        try:
            assert cli.main(args) == 0 and s.hits["/r.txt"] == 1
        finally:
            os.environ.pop("NIANBAO_FETCH_ALLOW_LOCAL", None)


def test_the_run_has_a_time_bound_of_its_own(tmp_path):
    with HostileServer() as s:
        path = tmp_path / "agencies.csv"
        write_register([Entry(f"s{i}", f"某市第{i}局", [], "320100", "department", "", "",
                              [f"{s.base}/trickle-body/{i}.pdf"]) for i in range(4)], path)
        took, out = run_fetch(path, tmp_path / "inbox", run_seconds=3, request_seconds=30, read_timeout=30,
                              source_seconds=30, hosts_in_parallel=1)
    reasons = [f["reason"] for r in out["results"] for f in r["failed"]]
    assert len(reasons) == 4 and all("the run's time bound (3 s" in r for r in reasons), reasons
    assert took < 20
