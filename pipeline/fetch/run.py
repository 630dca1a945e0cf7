"""`nianbao fetch`: collect new annual reports from the agencies' websites into the inbox.

For every agency of the register (data/agencies.csv) with a list page or report addresses:

1. the list page (the site's 政府信息公开年报 column) and its next pages, within the same site and up
   to a bound, are read for links whose title names an annual report (…2023年度政府信息公开工作年度报告,
   …年报; the year in Arabic or Chinese digits), each with the date the list shows beside it;
2. each report is downloaded: a document (PDF, DOC, DOCX, WPS, XLS, TXT) as it is; a report page as
   HTML, with its attachments, and the date the page shows (发布时间, 发布日期, 成文日期, or the date in
   the address such as t20240308_…); a report of a year before the 2019 format is recorded (agency,
   year, address, date), not downloaded;
3. what was downloaded goes into the inbox (fetched/<agency_id>/…) with its provenance (address, fetch
   time, publication date, agency) in inbox/.fetch/provenance.jsonl, which the refresh keeps in the
   raw store.

Politeness and bounds: robots.txt is honoured; one host is asked at most once per `delay` seconds
(hosts are fetched in parallel, each host's requests in sequence); every request has connect and read
timeouts and an overall time bound, a size limit and a bounded number of redirects; 5xx answers and
connection errors are retried with backoff, a bounded number of times; a page seen before is asked
for conditionally (ETag, Last-Modified), so an unchanged page costs one small request and is not
downloaded again; a report already downloaded is not asked for again unless it is one of the
register's own report addresses (those are asked conditionally every run). A source that fails is
named with its reason and does not stop the others.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
import urllib.robotparser
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from pipeline.warehouse.register import Entry, Register, host_of, read_register

USER_AGENT = ("nianbao/0.3 (collects government-information-disclosure annual reports for an oversight "
              "office; honours robots.txt; one request per host at a time)")
DOC_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".txt")
FIRST_FORMAT_YEAR = 2019
CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
             "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = r"((?:19|20)\d{2}|[〇零○Ｏ一二][〇零○Ｏ一二三四五六七八九]{3})"
# a link title naming an annual disclosure report
REPORT_TITLE = re.compile(_YEAR + r"\s*年\s*度?.{0,40}?(?:政府信息公开|政务公开|信息公开).{0,16}?(?:年度报告|年报|工作报告)"
                          r"|" + _YEAR + r"\s*年\s*度?\s*(?:政府信息公开|信息公开)?\s*年报")
# titles that name such a report but are not one
NOT_REPORT = re.compile(r"通知|意见|要点|解读|图解|说明|公示|发布会|编制|格式|模板|审查|评估|考核|第三方|通报|目录|指南")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PAGE_DATE = re.compile(r"(?:发布时间|发布日期|成文日期|发文日期|公开日期|日期)\s*[:：]?\s*" + _DATE.pattern)
_URL_DATE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_")
_NEXT = re.compile(r"^\s*(下一页|下页|后页|next|›|»|>)\s*$", re.I)
# TRS-style pagers: createPageHTML(pages, current, "index", "html")
_TRS_PAGER = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")


def year_of(title: str) -> int | None:
    m = REPORT_TITLE.search(title or "")
    if not m:
        return None
    y = m.group(1) or m.group(2)
    y = "".join(CN_DIGITS.get(c, c) for c in y)
    return int(y) if y.isdigit() and y.isascii() else None


def is_report_title(title: str) -> bool:
    return bool(title) and REPORT_TITLE.search(title) is not None and not NOT_REPORT.search(title)


def date_in(text: str, pattern=_DATE) -> dt.date | None:
    for m in pattern.finditer(text or ""):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def url_date(url: str) -> dt.date | None:
    return date_in(url, _URL_DATE)


@dataclass
class Settings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    request_seconds: float = 120.0      # one request, however slowly its bytes arrive
    retries: int = 3                    # after the first try, on 5xx, 429 and connection errors
    backoff: float = 2.0                # seconds before the first retry, doubled each time
    delay: float = 1.0                  # between two requests to one host
    max_bytes: int = 200 * 1024 * 1024
    max_list_pages: int = 20            # a list page and its next pages
    max_items: int = 100                # reports taken from one source
    max_redirects: int = 5
    source_seconds: float = 900.0       # one source, all its requests
    hosts_in_parallel: int = 8
    user_agent: str = USER_AGENT
    recheck: bool = False               # ask again (conditionally) for reports already downloaded

    @classmethod
    def from_env(cls) -> "Settings":
        from pipeline import limits

        s = cls(max_bytes=limits.current().file_mb * 1024 * 1024)
        for name, attr, kind in (("NIANBAO_FETCH_DELAY", "delay", float), ("NIANBAO_FETCH_TIMEOUT", "read_timeout", float),
                                 ("NIANBAO_FETCH_RETRIES", "retries", int), ("NIANBAO_FETCH_HOSTS", "hosts_in_parallel", int)):
            if os.environ.get(name):
                setattr(s, attr, kind(os.environ[name]))
        return s


class FetchFailed(Exception):
    pass


@dataclass
class Answer:
    url: str
    status: int
    content: bytes = b""
    headers: dict = field(default_factory=dict)
    not_modified: bool = False


class _Hosts:
    """The per-host delay and robots.txt, shared by the threads of one run."""

    def __init__(self, settings: Settings):
        self.s = settings
        self.last: dict[str, float] = {}
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.lock = threading.Lock()
        self.host_locks: dict[str, threading.Lock] = {}

    def lock_of(self, host: str) -> threading.Lock:
        with self.lock:
            return self.host_locks.setdefault(host, threading.Lock())

    def wait(self, host: str):
        last = self.last.get(host)
        if last is not None:
            pause = self.s.delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)
        self.last[host] = time.monotonic()


class Fetcher:
    """One fetch run: an HTTP client, the state of earlier runs, the inbox it writes into."""

    def __init__(self, inbox: Path, settings: Settings | None = None, transport=None):
        import httpx

        self.s = settings or Settings.from_env()
        self.inbox = Path(inbox)
        self.dir = self.inbox / ".fetch"
        self.state_path = self.dir / "state.json"
        self.state = _load_json(self.state_path, {"pages": {}, "sources": {}})
        self.state.setdefault("pages", {})
        self.state.setdefault("sources", {})
        self.client = httpx.Client(
            headers={"User-Agent": self.s.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
            timeout=httpx.Timeout(self.s.read_timeout, connect=self.s.connect_timeout),
            follow_redirects=True, max_redirects=self.s.max_redirects, transport=transport, trust_env=False)
        self.hosts = _Hosts(self.s)
        self.lock = threading.Lock()
        self.requests = 0
        self.conditional = 0
        self.not_modified = 0
        self.provenance: list[dict] = []

    # -- HTTP -------------------------------------------------------------------------------
    def get(self, url: str, conditional: dict | None = None, deadline: float | None = None) -> Answer:
        """GET with the host's delay, robots.txt, retries, the size and time limits. Raises FetchFailed
        with a reason a person can read."""
        import httpx

        host = host_of(url)
        if not self.allowed(url):
            raise FetchFailed(f"robots.txt of {host} disallows {urlsplit(url).path or '/'}")
        headers = {}
        if conditional:
            if conditional.get("etag"):
                headers["If-None-Match"] = conditional["etag"]
            if conditional.get("last_modified"):
                headers["If-Modified-Since"] = conditional["last_modified"]
        wait = self.s.backoff
        last_error = ""
        for attempt in range(self.s.retries + 1):
            if deadline is not None and time.monotonic() > deadline:
                raise FetchFailed(f"the source's time bound ({self.s.source_seconds:.0f} s) was reached")
            with self.hosts.lock_of(host):
                self.hosts.wait(host)
                with self.lock:
                    self.requests += 1
                    self.conditional += bool(headers)
                try:
                    ans = self._once(url, headers)
                except _TooBig as e:
                    raise FetchFailed(str(e)) from None
                except httpx.TooManyRedirects:
                    raise FetchFailed(f"more than {self.s.max_redirects} redirects (a redirect loop?)") from None
                except (httpx.TimeoutException, httpx.TransportError, _Slow) as e:
                    ans, last_error = None, _why(e, self.s)
            if ans is not None:
                if ans.status == 304:
                    with self.lock:
                        self.not_modified += 1
                    ans.not_modified = True
                    return ans
                if ans.status < 400:
                    return ans
                last_error = f"HTTP {ans.status}"
                if ans.status < 500 and ans.status != 429:
                    raise FetchFailed(last_error)
            if attempt < self.s.retries:
                time.sleep(wait)
                wait *= 2
        raise FetchFailed(f"{last_error} (after {self.s.retries + 1} tries)")

    def _once(self, url: str, headers: dict) -> Answer:
        start = time.monotonic()
        with self.client.stream("GET", url, headers=headers) as r:
            if r.status_code >= 400 or r.status_code == 304:
                return Answer(str(r.url), r.status_code, b"", dict(r.headers))
            declared = r.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.s.max_bytes:
                raise _TooBig(int(declared), self.s.max_bytes)
            chunks, size = [], 0
            for chunk in r.iter_bytes(65536):
                size += len(chunk)
                if size > self.s.max_bytes:
                    raise _TooBig(size, self.s.max_bytes)
                if time.monotonic() - start > self.s.request_seconds:
                    raise _Slow(f"the answer took longer than {self.s.request_seconds:.0f} s")
                chunks.append(chunk)
            return Answer(str(r.url), r.status_code, b"".join(chunks), dict(r.headers))

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self.hosts.lock:
            known = key in self.hosts.robots
        if not known:
            rp = urllib.robotparser.RobotFileParser()
            try:
                with self.hosts.lock_of(host_of(url)):
                    self.hosts.wait(host_of(url))
                    with self.lock:
                        self.requests += 1
                    r = self.client.get(key + "/robots.txt")
                if r.status_code >= 500:
                    rp.disallow_all = True  # the site is failing: ask nothing of it this run (RFC 9309)
                elif r.status_code >= 400:
                    rp.allow_all = True
                else:
                    rp.parse(r.text[:500_000].splitlines())
            except Exception:
                rp.disallow_all = True
            with self.hosts.lock:
                self.hosts.robots[key] = rp
        rp = self.hosts.robots[key]
        return rp.can_fetch(self.s.user_agent, url)

    # -- one source -------------------------------------------------------------------------
    def fetch_source(self, entry: Entry) -> dict:
        """Fetch one register entry. Returns its outcome (what was new, what failed)."""
        deadline = time.monotonic() + self.s.source_seconds
        out = {"agency_id": entry.agency_id, "name": entry.name, "new": [], "unchanged": 0, "older_format": [],
               "failed": [], "list_ok": None, "years_listed": []}
        items: list[dict] = []
        if entry.list_url:
            try:
                items = self.list_items(entry.list_url, deadline)
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
                    self._record(rec)
                    with self.lock:
                        self.state["pages"][url] = {"older_format": True, "fetched_at": rec["fetched_at"]}
                continue
            try:
                got = self.document(entry, item, deadline)
            except FetchFailed as e:
                out["failed"].append({"url": url, "reason": str(e)})
                continue
            out["new"] += got["new"]
            out["unchanged"] += got["unchanged"]
            out["failed"] += got["failed"]
        out["years_listed"] = sorted(set(out["years_listed"]))
        return out

    def list_items(self, list_url: str, deadline: float) -> list[dict]:
        """The report links of a list page and its next pages (same site, bounded)."""
        items: list[dict] = []
        queue, done = [list_url], set()
        site = host_of(list_url)
        while queue and len(done) < self.s.max_list_pages:
            url = queue.pop(0)
            if url in done:
                continue
            done.add(url)
            page = self.page(url, deadline)
            items += [i for i in page["items"] if i["url"] not in {x["url"] for x in items}]
            for nxt in page["next"]:
                if host_of(nxt) == site and nxt not in done and nxt not in queue:
                    queue.append(nxt)
        return items

    def page(self, url: str, deadline: float) -> dict:
        """A list page's items and next pages: asked conditionally when seen before."""
        known = self.state["pages"].get(url)
        ans = self.get(url, known, deadline)
        if ans.not_modified and known and "items" in known:
            return known
        html = _decode_html(ans)
        parsed = parse_list(html, ans.url)
        rec = {"etag": ans.headers.get("etag"), "last_modified": ans.headers.get("last-modified"),
               "items": parsed["items"], "next": parsed["next"], "fetched_at": _now()}
        with self.lock:
            self.state["pages"][url] = rec
        return rec

    def document(self, entry: Entry, item: dict, deadline: float) -> dict:
        """Download a report (a document, or a page with its attachments) unless known."""
        url = item["url"]
        out = {"new": [], "unchanged": 0, "failed": []}
        known = self.state["pages"].get(url)
        if known and known.get("file") and not item.get("direct") and not self.s.recheck:
            out["unchanged"] += 1 + len(known.get("attachments", []))
            return out
        ans = self.get(url, known if known and known.get("file") else None, deadline)
        if ans.not_modified or (known and known.get("sha256") == hashlib.sha256(ans.content).hexdigest()
                                and (self.inbox / known.get("file", "")).is_file()):
            out["unchanged"] += 1  # 304, or the same bytes from a server that gives no ETag nor Last-Modified
            return out
        kind = _kind(ans)
        published = item.get("date")
        attachments: list[str] = []
        title = item.get("title")
        year = item.get("year")
        if kind == ".html":
            html = _decode_html(ans)
            info = parse_report_page(html, ans.url)
            published = info["date"] or published
            attachments = info["attachments"]
            title = title or info["title"]
            year = year or year_of(title or "")
            if year and year < FIRST_FORMAT_YEAR:
                rec = {"kind": "older_format", "agency_id": entry.agency_id, "year": year, "url": url, "title": title,
                       "published_on": published, "fetched_at": _now()}
                self._record(rec)
                return out
        published = published or (url_date(url).isoformat() if url_date(url) else None)
        saved = self._save(entry, url, ans, kind, title, year, published, page_url=None)
        out["new"].append(saved)
        with self.lock:
            self.state["pages"][url] = {"etag": ans.headers.get("etag"), "last_modified": ans.headers.get("last-modified"),
                                        "file": saved["path"], "sha256": saved["sha256"], "fetched_at": _now(),
                                        "attachments": attachments}
        for a in attachments:
            if a in self.state["pages"] and self.state["pages"][a].get("file") and not self.s.recheck:
                out["unchanged"] += 1
                continue
            try:
                got = self.get(a, None, deadline)
            except FetchFailed as e:
                out["failed"].append({"url": a, "reason": str(e)})
                continue
            saved_a = self._save(entry, a, got, _kind(got), title, year, published, page_url=url)
            out["new"].append(saved_a)
            with self.lock:
                self.state["pages"][a] = {"etag": got.headers.get("etag"), "last_modified": got.headers.get("last-modified"),
                                          "file": saved_a["path"], "sha256": saved_a["sha256"], "fetched_at": _now()}
        return out

    def _save(self, entry: Entry, url: str, ans: Answer, kind: str, title, year, published, page_url) -> dict:
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
               "fetched_at": _now()}
        self._record(rec)
        return rec

    def _record(self, rec: dict):
        with self.lock:
            self.provenance.append(rec)

    # -- the run ----------------------------------------------------------------------------
    def run(self, entries: list[Entry], progress=None) -> dict:
        sources = [e for e in entries if e.list_url or e.report_urls]
        by_host: dict[str, list[Entry]] = {}
        for e in sources:
            by_host.setdefault(sorted(e.hosts)[0], []).append(e)
        results: list[dict] = []

        def one_host(group: list[Entry]):
            for e in group:
                try:
                    r = self.fetch_source(e)
                except Exception as exc:  # a bug must not stop the other sources
                    r = {"agency_id": e.agency_id, "name": e.name, "new": [], "unchanged": 0, "older_format": [],
                         "failed": [{"url": e.list_url or "", "reason": f"{type(exc).__name__}: {exc}"}],
                         "list_ok": None, "years_listed": []}
                with self.lock:
                    results.append(r)
                    prev = self.state["sources"].get(e.agency_id, {})
                    self.state["sources"][e.agency_id] = {
                        "list_url": e.list_url, "last_run": _now(),
                        "list_ok": r["list_ok"] or prev.get("list_ok"),
                        "years_listed": sorted(set(prev.get("years_listed", [])) | set(r["years_listed"])),
                        "last_error": "; ".join(f["reason"] for f in r["failed"])[:500] or None}
                if progress:
                    progress(len(results), len(sources))

        with ThreadPoolExecutor(max_workers=max(1, self.s.hosts_in_parallel)) as pool:
            list(pool.map(one_host, by_host.values()))
        self.save()
        return {"sources": len(sources), "requests": self.requests, "conditional": self.conditional,
                "not_modified": self.not_modified, "results": sorted(results, key=lambda r: r["agency_id"])}

    def save(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.provenance:
            with open(self.dir / "provenance.jsonl", "a", encoding="utf-8") as fh:
                for rec in self.provenance:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            self.provenance = []
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.state_path)

    def close(self):
        self.client.close()


class _TooBig(Exception):
    def __init__(self, size: int, limit: int):
        super().__init__(f"larger than the {limit // (1024 * 1024) or limit} {'MiB' if limit >= 1048576 else 'bytes'} "
                         f"limit ({size:,} bytes or more)")


class _Slow(Exception):
    pass


def _why(e: Exception, s: Settings) -> str:
    import httpx

    if isinstance(e, httpx.ConnectTimeout):
        return f"no connection within {s.connect_timeout:g} s"
    if isinstance(e, httpx.TimeoutException):
        return f"no answer within {s.read_timeout:g} s"
    if isinstance(e, _Slow):
        return str(e)
    return f"connection failed ({type(e).__name__}: {str(e)[:120]})"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _kind(ans: Answer) -> str:
    path = urlsplit(ans.url).path.lower()
    for suf in DOC_SUFFIXES:
        if path.endswith(suf):
            return suf
    ctype = (ans.headers.get("content-type") or "").lower()
    for word, suf in (("pdf", ".pdf"), ("msword", ".doc"), ("wordprocessingml", ".docx"), ("spreadsheetml", ".xlsx"),
                      ("ms-excel", ".xls"), ("text/plain", ".txt")):
        if word in ctype:
            return suf
    if ans.content[:5] == b"%PDF-":
        return ".pdf"
    return ".html"


def _decode_html(ans: Answer) -> str:
    from pipeline.read.common import ReadError, decode

    m = re.search(r"charset=([\w-]+)", ans.headers.get("content-type") or "", re.I)
    if m:
        enc = m.group(1).lower()
        enc = "gb18030" if enc in ("gb2312", "gbk", "gb18030") else enc
        try:
            return ans.content.decode(enc)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return decode(ans.content, ans.url, html=True)
    except ReadError as e:
        raise FetchFailed(e.reason) from None


def _links(html: str, base: str):
    import lxml.html

    try:
        root = lxml.html.fromstring(html or "<html/>")
    except Exception:
        return None, []
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        url = urldefrag(urljoin(base, href))[0]
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        title = re.sub(r"\s+", "", a.get("title") or "") or re.sub(r"\s+", "", a.text_content() or "")
        text = re.sub(r"\s+", "", a.text_content() or "")
        out.append((a, url, title, text))
    return root, out


def parse_list(html: str, base: str) -> dict:
    """Report links of a list page (title, year, the date shown beside it) and its next pages."""
    root, links = _links(html, base)
    items, nexts = [], []
    site = host_of(base)
    for a, url, title, text in links:
        if is_report_title(title) or is_report_title(text):
            t = title if is_report_title(title) else text
            if host_of(url) != site and not urlsplit(url).path.lower().endswith(DOC_SUFFIXES):
                continue  # a link to another site's report page: not this agency's
            row = a.getparent()
            while row is not None and row.tag not in ("li", "tr", "dd", "div", "p"):
                row = row.getparent()
            shown = date_in((row.text_content() if row is not None else "").replace(text, "")) if row is not None else None
            items.append({"url": url, "title": t, "year": year_of(t),
                          "date": (shown or url_date(url) or None) and (shown or url_date(url)).isoformat()})
        elif _NEXT.match(text) and host_of(url) == site:
            nexts.append(url)
    for m in _TRS_PAGER.finditer(html or ""):
        pages, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        if current + 1 < pages:
            nexts.append(urljoin(base, f"{stem}_{current + 1}.{ext}"))
    return {"items": items, "next": list(dict.fromkeys(nexts))}


def parse_report_page(html: str, base: str) -> dict:
    """A report page's title, the publication date it shows and its attachments."""
    root, links = _links(html, base)
    text = root.text_content() if root is not None else ""
    date = date_in(text, _PAGE_DATE) or url_date(base)
    title_el = root.find(".//title") if root is not None else None
    title = re.sub(r"\s+", "", title_el.text_content()) if title_el is not None else ""
    attachments = [url for _, url, _, _ in links if urlsplit(url).path.lower().endswith(DOC_SUFFIXES)]
    return {"date": date.isoformat() if date else None, "title": title, "attachments": list(dict.fromkeys(attachments))}


def _load_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


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
        if r["new"] or r["failed"] or r["older_format"]:
            lines.append(f"  {r['agency_id']} {r['name']}: {len(r['new'])} new"
                         + (f", {len(r['older_format'])} older-format reports recorded" if r["older_format"] else ""))
            for n in r["new"]:
                lines.append(f"    new {n['year'] or '?'} {n['url']}")
            for fl in r["failed"]:
                lines.append(f"    FAILED {fl['url']}: {fl['reason']}")
    return "\n".join(lines)
