"""The fetch's HTTP client: the per-host delay, robots.txt, retries, and the bounds of every answer.

Every answer has one deadline, headers and body together, however slowly its bytes arrive (the
socket's reads are given what is left of it), within the source's and the run's; every answer is
read under a size limit counted after decompression (gzip and deflate are decoded here, in bounded
steps, so a bomb costs at most the limit). Only http(s) addresses of the register's hosts on their
standard ports (or a port the register names) are asked; every redirect is checked again (scheme,
host, port, robots.txt); a host that resolves to a loopback, link-local, private, reserved or
metadata address is refused at connection time (`NIANBAO_FETCH_ALLOW_LOCAL=1` lets loopback through,
for tests and local mirrors). A robots.txt that cannot be read is reported as such.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
import urllib.robotparser
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from pipeline.fetch.guard import Refused, guarded_backend
from pipeline.fetch.guard import deadline as answer_deadline
from pipeline.warehouse.register import host_of

USER_AGENT = ("nianbao/0.3 (collects government-information-disclosure annual reports for an oversight "
              "office; honours robots.txt; one request per host at a time)")
REDIRECTS = (301, 302, 303, 307, 308)


def _allow_local() -> bool:
    return os.environ.get("NIANBAO_FETCH_ALLOW_LOCAL", "") == "1"


def _limit(name: str, scale: int = 1):
    from pipeline import limits

    return field(default_factory=lambda: getattr(limits.current(), name) * scale)


@dataclass
class Settings:
    """The fetch's bounds and manners. Those of pipeline/limits.py default to the limits in force (their
    environment variables); the others to the values below (`from_env` reads NIANBAO_FETCH_DELAY,
    NIANBAO_FETCH_TIMEOUT, NIANBAO_FETCH_RETRIES, NIANBAO_FETCH_HOSTS)."""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0          # between two bytes
    request_seconds: float = _limit("fetch_answer_s")  # one answer, headers and body, however slowly they arrive
    retries: int = 3                    # after the first try, on 5xx, 429 and connection errors
    backoff: float = 2.0                # seconds before the first retry, doubled each time
    delay: float = 1.0                  # between two requests to one host
    max_bytes: int = _limit("file_mb", 1024 * 1024)  # a document, decompressed
    page_bytes: int = _limit("fetch_page_mb", 1024 * 1024)  # a list page, decompressed
    robots_bytes: int = _limit("fetch_robots_kb", 1024)  # a robots.txt: read up to this
    max_list_pages: int = _limit("fetch_list_pages")  # a list page and its next pages
    max_attachments: int = _limit("fetch_attachments")  # attachments of one report page
    max_pictures: int = _limit("fetch_pictures")  # pictures of one report page's body (tables pasted as images)
    max_items: int = 100                # reports taken from one source
    max_redirects: int = 5
    source_seconds: float = _limit("fetch_source_s")  # one source, all its requests
    run_seconds: float = _limit("fetch_run_s")  # the whole run
    hosts_in_parallel: int = 8
    user_agent: str = USER_AGENT
    recheck: bool = False               # ask again (conditionally) for reports already downloaded
    allow_local: bool = field(default_factory=_allow_local)  # loopback addresses (tests, local mirrors)

    @classmethod
    def from_env(cls) -> "Settings":
        s = cls()
        for name, attr, kind in (("NIANBAO_FETCH_DELAY", "delay", float), ("NIANBAO_FETCH_TIMEOUT", "read_timeout", float),
                                 ("NIANBAO_FETCH_RETRIES", "retries", int), ("NIANBAO_FETCH_HOSTS", "hosts_in_parallel", int)):
            if os.environ.get(name):
                try:
                    setattr(s, attr, kind(os.environ[name]))
                except ValueError:
                    pass
        return s


class FetchFailed(Exception):
    pass


class _Past(Exception):
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
        self.robots: dict[str, tuple[urllib.robotparser.RobotFileParser | None, str]] = {}
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
    """HTTP for one fetch run, shared by its threads: counts its requests. `hosts`/`ports` (set by the
    run from the register) are the hosts it may ask and the non-standard (host, port) pairs named."""

    def __init__(self, settings: Settings, transport=None):
        import httpx

        self.s = settings
        if transport is None:
            transport = httpx.HTTPTransport()
            import httpcore

            transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                                      network_backend=guarded_backend(settings.allow_local))
        self.client = httpx.Client(
            headers={"User-Agent": self.s.user_agent, "Accept-Language": "zh-CN,zh;q=0.9",
                     "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(self.s.read_timeout, connect=self.s.connect_timeout),
            follow_redirects=False, transport=transport, trust_env=False)
        self.hosts = _Hosts(self.s)
        self.lock = threading.Lock()
        self.requests = 0
        self.conditional = 0
        self.not_modified = 0
        self.allowed_hosts: set[str] | None = None
        self.allowed_ports: set[tuple[str, int]] = set()
        self.run_deadline = time.monotonic() + self.s.run_seconds

    def allow(self, hosts: set[str], ports: set[tuple[str, int]]) -> None:
        """The hosts it may ask (with or without `www.`) and the non-standard (host, port) pairs named."""
        self.allowed_hosts = {_bare(h) for h in hosts}
        self.allowed_ports = set(ports)

    def check(self, url: str) -> None:
        """Raise FetchFailed when the address is not one the fetch may ask."""
        try:
            parts = urlsplit(url)
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            raise FetchFailed(f"{url[:200]!r} is not a valid address") from None
        if parts.scheme not in ("http", "https"):
            raise FetchFailed(f"{parts.scheme or 'no'} scheme: only http(s) addresses are asked")
        host = (parts.hostname or "").lower()
        if self.allowed_hosts is not None and _bare(host) not in self.allowed_hosts:  # www.x.gov.cn is x.gov.cn
            raise FetchFailed(f"{host or 'no host'} is not a host of the register; not asked")
        if port not in (80, 443) and (host, port) not in self.allowed_ports:
            raise FetchFailed(f"port {port} of {host} is not a standard port nor one the register names; not asked")

    def get(self, url: str, conditional: dict | None = None, deadline: float | None = None,
            max_bytes: int | None = None) -> Answer:
        """GET with the host's delay, robots.txt, retries, the size and time limits; redirects followed
        one by one, each checked. Raises FetchFailed with a reason a person can read."""
        headers = {}
        if conditional:
            if conditional.get("etag"):
                headers["If-None-Match"] = conditional["etag"]
            if conditional.get("last_modified"):
                headers["If-Modified-Since"] = conditional["last_modified"]
        for _ in range(self.s.max_redirects + 1):
            self.check(url)
            self.robots_allow(url, deadline)
            ans = self._tries(url, headers, deadline, max_bytes or self.s.max_bytes)
            if ans.status not in REDIRECTS:
                return ans
            location = ans.headers.get("location")
            if not location:
                raise FetchFailed(f"HTTP {ans.status} without a Location")
            nxt = urljoin(url, location.strip())
            try:
                self.check(nxt)
            except FetchFailed as e:
                raise FetchFailed(f"redirected to {nxt[:200]}: {e}") from None
            url = nxt
        raise FetchFailed(f"more than {self.s.max_redirects} redirects (a redirect loop?)")

    def _tries(self, url: str, headers: dict, deadline: float | None, max_bytes: int) -> Answer:
        import httpx

        host = host_of(url)
        wait = self.s.backoff
        last_error = ""
        for attempt in range(self.s.retries + 1):
            end, why = self._end(deadline)
            if end <= time.monotonic():
                raise FetchFailed(why + " was reached")
            with self.hosts.lock_of(host):
                self.hosts.wait(host)
                with self.lock:
                    self.requests += 1
                    self.conditional += bool(headers)
                try:
                    ans = self._once(url, headers, end, max_bytes)
                except _TooBig as e:
                    raise FetchFailed(str(e)) from None
                except Refused as e:
                    raise FetchFailed(str(e)) from None
                except (httpx.TimeoutException, httpx.TransportError, httpx.DecodingError) as e:
                    if time.monotonic() >= end - 0.05:
                        raise FetchFailed(f"{why} was reached before the answer was complete") from None
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
                time.sleep(max(0.0, min(wait, self._end(deadline)[0] - time.monotonic())))
                wait *= 2
        raise FetchFailed(f"{last_error} (after {self.s.retries + 1} tries)")

    def _end(self, deadline: float | None) -> tuple[float, str]:
        """The answer's deadline: its own bound, the source's or the run's, whichever comes first."""
        now = time.monotonic()
        cands = [(now + self.s.request_seconds, f"the answer's time bound ({self.s.request_seconds:g} s)"),
                 (self.run_deadline, f"the run's time bound ({self.s.run_seconds:g} s)")]
        if deadline is not None:
            cands.append((deadline, f"the source's time bound ({self.s.source_seconds:g} s)"))
        return min(cands)

    def _once(self, url: str, headers: dict, end: float, max_bytes: int, truncate: bool = False) -> Answer:
        answer_deadline.value = end
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                if r.status_code >= 400 or r.status_code == 304 or r.status_code in REDIRECTS:
                    return Answer(str(r.url), r.status_code, b"", dict(r.headers))
                enc = (r.headers.get("content-encoding") or "identity").strip().lower()
                if enc not in ("identity", "gzip", "x-gzip", "deflate"):
                    raise FetchFailed(f"content encoding {enc[:40]!r} is not one the fetch asked for")
                declared = r.headers.get("content-length")
                if enc == "identity" and declared and declared.isdigit() and int(declared) > max_bytes and not truncate:
                    raise _TooBig(int(declared), max_bytes)
                body = _Body(enc, max_bytes)
                for chunk in r.iter_raw(65536):
                    if time.monotonic() > end:
                        raise _Past()
                    if not body.add(chunk):
                        if truncate:
                            break
                        raise _TooBig(body.size, max_bytes)
                return Answer(str(r.url), r.status_code, body.value(), dict(r.headers))
        except _Past:
            import httpx

            raise httpx.ReadTimeout("deadline") from None
        finally:
            answer_deadline.value = None

    def robots_allow(self, url: str, deadline: float | None) -> None:
        """Raise FetchFailed when the host's robots.txt disallows the address or cannot be read."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        host = host_of(url)
        with self.hosts.lock:
            known = self.hosts.robots.get(key)
        if known is None:
            known = self._read_robots(key, host, deadline)
            with self.hosts.lock:
                self.hosts.robots[key] = known
        rp, why = known
        if rp is None:
            raise FetchFailed(why)
        if not rp.can_fetch(self.s.user_agent, url):
            raise FetchFailed(f"robots.txt of {host} disallows {parts.path or '/'}")

    def _read_robots(self, key: str, host: str, deadline: float | None):
        """(parser, "") or (None, why): RFC 9309, a 4xx is no robots.txt (all allowed), a server error or
        no answer is a robots.txt that cannot be read (nothing is asked of the host this run)."""
        import httpx

        url = key + "/robots.txt"
        rp = urllib.robotparser.RobotFileParser()
        for _ in range(self.s.max_redirects + 1):
            end, why = self._end(deadline)
            try:
                with self.hosts.lock_of(host_of(url)):
                    self.hosts.wait(host_of(url))
                    with self.lock:
                        self.requests += 1
                    r = self._once(url, {}, end, self.s.robots_bytes, truncate=True)
            except Refused as e:
                return None, f"robots.txt of {host} could not be read: {e}"
            except FetchFailed as e:
                return None, f"robots.txt of {host} could not be read: {e}"
            except (httpx.TimeoutException, httpx.TransportError, httpx.DecodingError) as e:
                reason = (f"{why} was reached" if time.monotonic() >= end - 0.05 else _why(e, self.s))
                return None, f"robots.txt of {host} could not be read ({reason}); nothing asked of it this run"
            if r.status in REDIRECTS and r.headers.get("location"):
                nxt = urljoin(url, r.headers["location"].strip())
                try:
                    self.check(nxt)
                except FetchFailed as e:
                    return None, f"robots.txt of {host} could not be read: redirected to {nxt[:200]}: {e}"
                url = nxt
                continue
            if r.status >= 500 or r.status == 429 or r.status in REDIRECTS:
                return None, f"robots.txt of {host} could not be read (HTTP {r.status}); nothing asked of it this run"
            if r.status >= 400:
                rp.allow_all = True
            else:
                rp.parse(r.content.decode("utf-8", "replace").splitlines())
            return rp, ""
        return None, f"robots.txt of {host} could not be read (more than {self.s.max_redirects} redirects)"

    def close(self):
        self.client.close()


class _Body:
    """An answer's body, decoded as it arrives, refused past `limit` bytes decoded."""

    def __init__(self, encoding: str, limit: int):
        self.limit, self.size, self.parts = limit, 0, []
        self.dec = None if encoding == "identity" else zlib.decompressobj(47 if "gzip" in encoding else 15)
        self.raw_deflate = encoding == "deflate"

    def add(self, chunk: bytes) -> bool:
        if self.dec is not None:
            try:
                data = self.dec.decompress(chunk, self.limit - self.size + 1)
            except zlib.error:
                if not (self.raw_deflate and self.size == 0):
                    raise FetchFailed("the compressed answer is corrupt") from None
                self.dec, self.raw_deflate = zlib.decompressobj(-15), False  # deflate without its zlib header
                data = self.dec.decompress(chunk, self.limit - self.size + 1)
            if self.dec.unconsumed_tail:  # more than the limit inflates from this chunk
                self.parts.append(data[: self.limit - self.size])
                self.size = self.limit + 1
                return False
        else:
            data = chunk
        room = self.limit - self.size
        self.size += len(data)
        if self.size > self.limit:
            self.parts.append(data[:room])
            return False
        self.parts.append(data)
        return True

    def value(self) -> bytes:
        return b"".join(self.parts)


class _TooBig(Exception):
    def __init__(self, size: int, limit: int):
        super().__init__(f"larger than the {limit // (1024 * 1024) or limit} {'MiB' if limit >= 1048576 else 'bytes'} "
                         f"limit ({size:,} bytes or more, decompressed)")


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _why(e: Exception, s: Settings) -> str:
    import httpx

    if isinstance(e, httpx.ConnectTimeout):
        return f"no connection within {s.connect_timeout:g} s"
    if isinstance(e, httpx.TimeoutException):
        return f"no answer within {s.read_timeout:g} s"
    return f"connection failed ({type(e).__name__}: {str(e)[:120]})"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
