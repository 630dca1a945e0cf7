"""Weekly job cost when nothing changed: `nianbao fetch` then `refresh` over N unchanged sources.

Usage: .venv/bin/python bench/fetch.py [--sources 1000] [--hosts 20] [--delay 0]

A local site is served on --hosts loopback addresses (127.0.0.2, 127.0.0.3, ...; a province's portal
hosts many agencies' columns, so several sources share a host). Each source is a register row with a
list page that lists one report (a report of the renderer, made unique per source). The first run
fetches and loads everything (set-up, timed too); the second run is the weekly job when no agency
published anything new: each list page answers 304 to its conditional request. Printed: requests
per source of the second run, its fetch and refresh seconds.

`--delay` is the pause between two requests to one host (the default of `nianbao fetch` is 1 s):
with it, a host's sources are asked one per `delay` seconds, in parallel across hosts.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NIANBAO_FETCH_ALLOW_LOCAL", "1")  # the bench's sites are on loopback addresses and ports

from pipeline.fetch.run import Settings, fetch  # noqa: E402
from pipeline.refresh.run import refresh  # noqa: E402
from pipeline.warehouse.register import Entry, write_register  # noqa: E402
from pipeline.demo.render import Layout, agency_name, random_facts, render  # noqa: E402


def serve(host: str, pages: dict, counter: list):
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            counter.append((host, self.path, self.headers.get("If-None-Match")))
            if self.path == "/robots.txt":
                body, etag = b"User-agent: *\nAllow: /\n", None
            else:
                got = pages.get(self.path)
                if got is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, etag = got
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer((host, 0), H)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--delay", type=float, default=0.0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-fetch-"))
    hosts = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
    pages = {h: {} for h in hosts}
    counter: list = []
    servers = {h: serve(h, pages[h], counter) for h in hosts}
    entries = []
    for i in range(args.sources):
        h = hosts[i % len(hosts)]
        base = f"http://{h}:{servers[h].server_address[1]}"
        name = f"{agency_name(i)[0]}"
        year = 2023
        tpl = "2021"
        body = render(random_facts(random.Random(i), tpl, size=1), name, year, tpl, Layout("html"), seed=i)
        pages[h][f"/s{i}/list.html"] = (
            f'<html><head><meta charset="utf-8"></head><body><ul><li><a href="t20240120_{i}.html">{name}{year}年度'
            f"政府信息公开工作年度报告</a> 2024-01-20</li></ul></body></html>".encode(), f'"list-{i}"')
        pages[h][f"/s{i}/t20240120_{i}.html"] = (body, f'"r-{i}"')
        entries.append(Entry(f"a{i:05d}", name, [], "320100", "department", "", f"{base}/s{i}/list.html"))
    register = work / "agencies.csv"
    write_register(entries, register)
    inbox, db = work / "inbox", work / "data" / "warehouse.duckdb"
    settings = Settings(delay=args.delay, hosts_in_parallel=max(16, args.hosts))
    for run in ("first (set-up: everything new)", "second (nothing changed)"):
        counter.clear()
        t0 = time.monotonic()
        out = fetch(register, inbox, settings)
        t_fetch = time.monotonic() - t0
        t1 = time.monotonic()
        rr = refresh(inbox, db, agencies=register, workers=2)
        t_refresh = time.monotonic() - t1
        non_robots = [c for c in counter if c[1] != "/robots.txt"]
        print(f"{run}: {args.sources} sources on {args.hosts} hosts, delay {args.delay:g} s")
        print(f"  fetch   {t_fetch:6.1f} s  requests {len(counter)} ({len(counter) - len(non_robots)} robots.txt), "
              f"conditional {sum(1 for c in non_robots if c[2])}, 304 {out['not_modified']}, "
              f"files new {sum(len(r['new']) for r in out['results'])}, "
              f"requests per source {len(non_robots) / args.sources:.2f}")
        print(f"  refresh {t_refresh:6.1f} s  files seen {rr.files_seen}, new {rr.files_new}, extracted "
              f"{rr.files_extracted}, reports {rr.reports_loaded}, stages {rr.stage_seconds}")
        print(f"  total   {t_fetch + t_refresh:6.1f} s")
    for s in servers.values():
        s.shutdown()


if __name__ == "__main__":
    main()
