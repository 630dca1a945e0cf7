"""`nianbao fetch`: collect new annual reports from the agencies' websites into the inbox.

For every agency of the register (data/agencies.csv) with a list page or report addresses:

1. the list page (the site's 政府信息公开年报 column) and its next pages, within the same site and up
   to a bound, are read for links whose title names an annual report (…2023年度政府信息公开工作年度报告,
   …年报; the year in Arabic or Chinese digits), each with the date the list shows in the link's row;
   a next page that fails is named, and what the earlier pages gave is kept;
2. each report is downloaded: a document (PDF, DOC, DOCX, WPS, XLS, TXT) as it is; a report page as
   HTML, with its attachments (a bounded number) and, when the page has no report table, the pictures
   of its body (its tables pasted as images; a bounded number, each under the limits of an attachment),
   kept beside it in <page stem>_files/ for the OCR. Its publication date is the list's, else the one the
   page states (<meta name="PubDate">, 发布时间, 发布日期, 时间：), else the date in its address
   (t20240308_…), and `published_on_source` says which (list, page, address). A page that does not
   read as a report (a "page not found" answered 200 under a report's title) is recorded as such, not
   put in the inbox and not asked again; a report of a year before the 2019 format is recorded
   (agency, year, address, date), not downloaded;
3. what was downloaded goes into the inbox (fetched/<agency_id>/…) with its provenance (address, fetch
   time, publication date, agency) in inbox/.fetch/provenance.jsonl, written as each file arrives; the
   refresh keeps it in the raw store.

Politeness and bounds (pipeline/fetch/http.py): robots.txt honoured; one host asked at most once per
`delay` seconds (hosts in parallel, each host's requests in sequence); every answer within its own
deadline, its source's and the run's, and a size limit after decompression; only the register's hosts
on standard ports, every redirect checked again, local and private addresses refused; 5xx answers and
connection errors retried with backoff, a bounded number of times; a page seen before asked for
conditionally (ETag, Last-Modified); a report already downloaded not asked again unless it is one of
the register's own report addresses (asked conditionally every run). A source that fails is named with
its reason and does not stop the others.
"""
from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from pipeline.fetch.http import Answer, Client, FetchFailed, Settings, _now
from pipeline.fetch.scrape import (FIRST_FORMAT_YEAR, _decode_html, _kind, is_report_title, parse_list,  # noqa: F401
                                   parse_report_page, url_date, year_of)
from pipeline.fetch.state import State
from pipeline.read.html import body_pictures
from pipeline.read.pictures import picture_key, picture_suffix, saved_folder
from pipeline.warehouse.register import Entry, Register, host_of, read_register

__all__ = ["Settings", "fetch", "summary", "parse_list", "parse_report_page", "year_of", "is_report_title", "FetchFailed"]


class Fetcher:
    """One fetch run: the sources of the register, through one HTTP client, into the inbox."""

    def __init__(self, inbox: Path, settings: Settings | None = None, transport=None):
        self.s = settings or Settings.from_env()
        self.inbox = Path(inbox)
        self.st = State(self.inbox)
        self.state = {"pages": self.st.pages, "sources": self.st.sources}
        self.http = Client(self.s, transport)
        self.lock = self.http.lock

    def get(self, url: str, conditional: dict | None = None, deadline: float | None = None,
            max_bytes: int | None = None) -> Answer:
        return self.http.get(url, conditional, deadline, max_bytes)

    def allow(self, entries: list[Entry]):
        """Only the register's hosts, on standard ports or the (host, port) pairs it names."""
        hosts, ports = set(), set()
        for e in entries:
            for u in [e.list_url, *e.report_urls]:
                try:
                    parts = urlsplit(u)
                    if parts.hostname:
                        hosts.add(parts.hostname.lower())
                        if parts.port:
                            ports.add((parts.hostname.lower(), parts.port))
                except ValueError:
                    continue
        self.http.allow(hosts, ports)

    # -- one source -------------------------------------------------------------------------
    def fetch_source(self, entry: Entry) -> dict:
        """Fetch one register entry. Returns its outcome (what was new, what failed)."""
        deadline = time.monotonic() + self.s.source_seconds
        out = {"agency_id": entry.agency_id, "name": entry.name, "new": [], "unchanged": 0, "older_format": [],
               "not_report": [], "failed": [], "list_ok": None, "years_listed": []}
        items: list[dict] = []
        if entry.list_url:
            try:
                items, failed = self.list_items(entry.list_url, deadline)
                out["failed"] += failed
                out["list_ok"] = _now()
            except FetchFailed as e:
                out["failed"].append({"url": entry.list_url, "reason": str(e)})
        for u in entry.report_urls:
            items.append({"url": u, "title": None, "year": None, "date": None, "direct": True})
        seen: set[str] = set()
        for item in items[: self.s.max_items]:
            url = item["url"]
            if url in seen:
                continue
            seen.add(url)
            year = item.get("year")
            if year:
                out["years_listed"].append(year)
            if year and year < FIRST_FORMAT_YEAR:
                rec = {"kind": "older_format", "agency_id": entry.agency_id, "year": year, "url": url,
                       "title": item.get("title"), "published_on": item.get("date"), "fetched_at": _now()}
                out["older_format"].append(rec)
                if not self.state["pages"].get(url, {}).get("older_format"):  # recorded once, not every week
                    self.st.record(rec)
                    self.st.set_page(url, {"older_format": True, "fetched_at": rec["fetched_at"]})
                continue
            try:
                got = self.document(entry, item, deadline)
            except FetchFailed as e:
                out["failed"].append({"url": url, "reason": str(e)})
                continue
            for k in ("new", "failed", "not_report"):
                out[k] += got[k]
            out["unchanged"] += got["unchanged"]
        if len(items) > self.s.max_items:
            out["failed"].append({"url": entry.list_url, "reason": f"{len(items)} reports listed; the first "
                                  f"{self.s.max_items} taken (the bound per source)"})
        out["years_listed"] = sorted(set(out["years_listed"]))
        return out

    def list_items(self, list_url: str, deadline: float) -> tuple[list[dict], list[dict]]:
        """The report links of a list page and its next pages (same site, bounded), and the next pages
        that failed (what the pages before gave is kept). The first page failing raises FetchFailed."""
        items: list[dict] = []
        failed: list[dict] = []
        have: set[str] = set()
        queue, done = [list_url], set()
        site = host_of(list_url)
        while queue and len(done) < self.s.max_list_pages:
            url = queue.pop(0)
            if url in done:
                continue
            done.add(url)
            try:
                page = self.page(url, deadline)
            except FetchFailed as e:
                if url == list_url:
                    raise
                failed.append({"url": url, "reason": f"next page: {e}"})
                continue
            for i in page["items"]:
                if i["url"] not in have:
                    have.add(i["url"])
                    items.append(i)
            for nxt in page["next"]:
                if host_of(nxt) == site and nxt not in done and nxt not in queue:
                    queue.append(nxt)
        if queue and len(done) >= self.s.max_list_pages:
            failed.append({"url": queue[0], "reason": f"not read: {self.s.max_list_pages} list pages is the bound "
                           "(NIANBAO_FETCH_LIST_PAGES)"})
        return items, failed

    def page(self, url: str, deadline: float) -> dict:
        """A list page's items and next pages: asked conditionally when seen before."""
        known = self.state["pages"].get(url)
        ans = self.get(url, known, deadline, self.s.page_bytes)
        if ans.not_modified and known and "items" in known:
            return known
        html = _decode_html(ans)
        parsed = parse_list(html, ans.url)
        rec = {"etag": ans.headers.get("etag"), "last_modified": ans.headers.get("last-modified"),
               "items": parsed["items"], "next": parsed["next"], "fetched_at": _now()}
        self.st.set_page(url, rec)
        return rec

    def document(self, entry: Entry, item: dict, deadline: float) -> dict:
        """Download a report (a document, or a page with its attachments) unless known."""
        url = item["url"]
        out = {"new": [], "unchanged": 0, "failed": [], "not_report": []}
        known = self.state["pages"].get(url)
        if known and known.get("not_report") and not self.s.recheck:
            return out  # recorded once as not a report: not asked again (`--recheck` asks again)
        if known and known.get("file") and not item.get("direct") and not self.s.recheck:
            out["unchanged"] += 1 + len(known.get("attachments", []))
            return out
        ans = self.get(url, known if known and known.get("file") else None, deadline)
        if ans.not_modified or (known and known.get("sha256") == hashlib.sha256(ans.content).hexdigest()
                                and (self.inbox / known.get("file", "")).is_file()):
            out["unchanged"] += 1  # 304, or the same bytes from a server that gives no ETag nor Last-Modified
            return out
        kind = ".html" if _looks_html(ans.content) else _kind(ans)  # an HTML page where a document was expected
        published, source = item.get("date"), ("list" if item.get("date") else None)
        attachments: list[str] = []
        pictures: list[str] = []
        title = item.get("title")
        year = item.get("year")
        if kind == ".html":
            if len(ans.content) > self.s.page_bytes:
                raise FetchFailed(f"a page larger than {self.s.page_bytes // (1024 * 1024)} MiB (NIANBAO_FETCH_PAGE_MB)")
            html = _decode_html(ans)
            info = parse_report_page(html, ans.url)
            if not published and info["date"]:
                published, source = info["date"], "page"
            attachments = info["attachments"]
            pictures = body_pictures(html, url)
            title = title or info["title"]
            year = year or year_of(title or "")
            if year and year < FIRST_FORMAT_YEAR:
                rec = {"kind": "older_format", "agency_id": entry.agency_id, "year": year, "url": url, "title": title,
                       "published_on": published, "fetched_at": _now()}
                self.st.record(rec)
                return out
            if not info["is_report"]:
                self._not_report(entry, url, title, out)
                return out
        if not published and url_date(url):
            published, source = url_date(url).isoformat(), "address"
        saved = self._save(entry, url, ans, kind, title, year, published, source, page_url=None)
        out["new"].append(saved)
        if len(attachments) > self.s.max_attachments:
            out["failed"].append({"url": url, "reason": f"{len(attachments)} attachments; the first "
                                  f"{self.s.max_attachments} taken (NIANBAO_FETCH_ATTACHMENTS)"})
            attachments = attachments[: self.s.max_attachments]
        kept = self._pictures(saved, ans.url, pictures, deadline, out)
        self.st.set_page(url, {"etag": ans.headers.get("etag"), "last_modified": ans.headers.get("last-modified"),
                               "file": saved["path"], "sha256": saved["sha256"], "fetched_at": _now(),
                               "attachments": attachments, "pictures": kept})
        self._attachments(entry, url, attachments, (title, year, published, source), deadline, out)
        return out

    def _pictures(self, saved: dict, page_url: str, pictures: list[str], deadline: float, out: dict) -> list[str]:
        """The pictures of a report page's body (its tables pasted as images), each asked as an attachment
        is (the register's hosts, robots.txt, the guard, the size and time limits) and kept beside the page
        in <page stem>_files/<picture_key(src)>.<ext>, where the reader finds them. One that cannot be
        taken is named with its reason; the others are taken. Returns the addresses kept."""
        if not pictures:
            return []
        if len(pictures) > self.s.max_pictures:
            out["failed"].append({"url": page_url, "reason": f"{len(pictures)} pictures in the page; the first "
                                  f"{self.s.max_pictures} taken (NIANBAO_FETCH_PICTURES)"})
            pictures = pictures[: self.s.max_pictures]
        folder = saved_folder(self.inbox / saved["path"])
        kept = []
        for src in pictures:
            try:
                url = urljoin(page_url, src)
            except ValueError:
                out["failed"].append({"url": src[:200], "reason": "picture: not a valid address"})
                continue
            try:
                got = self.get(url, None, deadline)
            except FetchFailed as e:
                out["failed"].append({"url": url, "reason": f"picture: {e}"})
                continue
            suffix = picture_suffix(got.content)
            if suffix is None:
                out["failed"].append({"url": url, "reason": "picture: the answer is not a picture (PNG, JPEG, GIF, "
                                      "BMP, TIFF, WebP); not kept"})
                continue
            folder.mkdir(parents=True, exist_ok=True)
            dest = folder / f"{picture_key(src)}{suffix}"
            tmp = dest.with_name(f".{dest.name}.part")
            tmp.write_bytes(got.content)
            os.replace(tmp, dest)
            kept.append(url)
        if kept:
            self.st.record({"kind": "pictures", "page_url": page_url, "path": saved["path"], "sha256": saved["sha256"],
                            "pictures": kept, "fetched_at": _now()})
        return kept

    def _attachments(self, entry: Entry, page_url: str, attachments: list[str], about: tuple, deadline: float,
                     out: dict) -> None:
        """A report page's attachments, each with the page's title, year and date, unless known."""
        title, year, published, source = about
        url = page_url
        for a in attachments:
            if a in self.state["pages"] and self.state["pages"][a].get("file") and not self.s.recheck:
                out["unchanged"] += 1
                continue
            try:
                got = self.get(a, None, deadline)
            except FetchFailed as e:
                out["failed"].append({"url": a, "reason": str(e)})
                continue
            if _html_not_report(got):  # a "not found" page answered 200 in place of the document
                self._not_report(entry, a, title, out)
                continue
            saved_a = self._save(entry, a, got, _kind(got), title, year, published, source, page_url=url)
            out["new"].append(saved_a)
            self.st.set_page(a, {"etag": got.headers.get("etag"), "last_modified": got.headers.get("last-modified"),
                                 "file": saved_a["path"], "sha256": saved_a["sha256"], "fetched_at": _now()})

    def _not_report(self, entry: Entry, url: str, title, out: dict) -> None:
        """Recorded once (provenance and state), not put in the inbox, not asked again without --recheck."""
        rec = {"kind": "not_report", "agency_id": entry.agency_id, "url": url, "title": title,
               "reason": "the page does not read as a report (no report sections, no attachment)", "fetched_at": _now()}
        self.st.record(rec)
        self.st.set_page(url, {"not_report": True, "reason": rec["reason"], "fetched_at": rec["fetched_at"]})
        out["not_report"].append(rec)

    def _save(self, entry: Entry, url: str, ans: Answer, kind: str, title, year, published, source, page_url) -> dict:
        sha = hashlib.sha256(ans.content).hexdigest()
        stem = f"{year or 'unknown'}_{hashlib.sha1(url.encode()).hexdigest()[:10]}"
        rel = Path("fetched") / entry.agency_id / f"{stem}{kind}"
        dest = self.inbox / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.part")
        tmp.write_bytes(ans.content)
        os.replace(tmp, dest)
        rec = {"kind": "file", "sha256": sha, "path": str(rel), "url": url, "final_url": ans.url, "page_url": page_url,
               "agency_id": entry.agency_id, "year": year, "title": title, "published_on": published,
               "published_on_source": source, "fetched_at": _now()}
        self.st.record(rec)
        return rec

    # -- the run ----------------------------------------------------------------------------
    def run(self, entries: list[Entry], progress=None) -> dict:
        self.allow(entries)
        sources = [e for e in entries if e.list_url or e.report_urls]
        by_host: dict[str, list[Entry]] = {}
        for e in sources:
            by_host.setdefault(sorted(e.hosts)[0], []).append(e)
        results: list[dict] = []

        def one_host(group: list[Entry]):
            for e in group:
                try:
                    if time.monotonic() > self.http.run_deadline:
                        raise FetchFailed(f"not asked: the run's time bound ({self.s.run_seconds:g} s, "
                                          "NIANBAO_FETCH_RUN_S) was reached")
                    r = self.fetch_source(e)
                except Exception as exc:  # a bug must not stop the other sources
                    reason = str(exc) if isinstance(exc, FetchFailed) else f"{type(exc).__name__}: {exc}"
                    r = {"agency_id": e.agency_id, "name": e.name, "new": [], "unchanged": 0, "older_format": [],
                         "not_report": [], "failed": [{"url": e.list_url or "", "reason": reason}],
                         "list_ok": None, "years_listed": []}
                with self.lock:
                    results.append(r)
                    prev = self.state["sources"].get(e.agency_id, {})
                self.st.set_source(e.agency_id, {
                    "list_url": e.list_url, "last_run": _now(),
                    "list_ok": r["list_ok"] or prev.get("list_ok"),
                    "years_listed": sorted(set(prev.get("years_listed", [])) | set(r["years_listed"])),
                    "last_error": "; ".join(f["reason"] for f in r["failed"])[:500] or None})
                if progress:
                    progress(len(results), len(sources))

        with ThreadPoolExecutor(max_workers=max(1, self.s.hosts_in_parallel)) as pool:
            list(pool.map(one_host, by_host.values()))
        self.st.save()
        return {"sources": len(sources), "requests": self.http.requests, "conditional": self.http.conditional,
                "not_modified": self.http.not_modified, "results": sorted(results, key=lambda r: r["agency_id"])}

    def close(self):
        self.st.close()
        self.http.close()


def _looks_html(content: bytes) -> bool:
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<body", b"<title"))


def _html_not_report(ans: Answer) -> bool:
    if not _looks_html(ans.content) or len(ans.content) > 5 * 1024 * 1024:
        return False
    try:
        return not parse_report_page(_decode_html(ans), ans.url)["is_report"]
    except FetchFailed:
        return False


def fetch(agencies: Path, inbox: Path, settings: Settings | None = None, progress=None, transport=None) -> dict:
    """Fetch every source of the register into the inbox. Returns the run's outcome: per source what
    was new, unchanged, older format or failed, and the register's problems."""
    register: Register = read_register(agencies)
    f = Fetcher(inbox, settings, transport=transport)
    try:
        out = f.run(register.entries, progress)
    finally:
        f.close()
    out["register_problems"] = register.problems
    out["register"] = str(agencies)
    out["failed_sources"] = sum(1 for r in out["results"] if r["failed"])
    return out


def summary(out: dict) -> str:
    lines = [f"fetch: {out['sources']} sources, {out['requests']} requests "
             f"({out['conditional']} conditional, {out['not_modified']} unchanged), "
             f"{sum(len(r['new']) for r in out['results'])} files new, {out['failed_sources']} sources with failures"]
    for p in out.get("register_problems", []):
        lines.append(f"  register: {p}")
    for r in out["results"]:
        if r["new"] or r["failed"] or r["older_format"] or r.get("not_report"):
            lines.append(f"  {r['agency_id']} {r['name']}: {len(r['new'])} new"
                         + (f", {len(r['older_format'])} older-format reports recorded" if r["older_format"] else ""))
            for n in r["new"]:
                lines.append(f"    new {n['year'] or '?'} {n['url']}")
            for nr in r.get("not_report", []):
                lines.append(f"    not a report (recorded, not asked again) {nr['url']}")
            for fl in r["failed"]:
                lines.append(f"    FAILED {fl['url']}: {fl['reason']}")
    return "\n".join(lines)
