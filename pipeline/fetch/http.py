"""The fetch's HTTP client: the per-host delay, robots.txt, retries, and the time and size bounds of
every answer."""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pipeline.warehouse.register import host_of

USER_AGENT = ("nianbao/0.3 (collects government-information-disclosure annual reports for an oversight "
              "office; honours robots.txt; one request per host at a time)")

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


class Client:
    """HTTP for one fetch run, shared by its threads: counts its requests."""

    def __init__(self, settings: Settings, transport=None):
        import httpx

        self.s = settings
        self.client = httpx.Client(
            headers={"User-Agent": self.s.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
            timeout=httpx.Timeout(self.s.read_timeout, connect=self.s.connect_timeout),
            follow_redirects=True, max_redirects=self.s.max_redirects, transport=transport, trust_env=False)
        self.hosts = _Hosts(self.s)
        self.lock = threading.Lock()
        self.requests = 0
        self.conditional = 0
        self.not_modified = 0

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


