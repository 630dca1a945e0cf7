"""A hostile web server on 127.0.0.1 for the fetch: answers that trickle (in the headers, the body,
robots.txt), never end, inflate (gzip bombs), redirect in chains, loops, to other ports or schemes,
pages of 100,000 links or 1,000 attachments, a "page not found" answered 200 under a report's title,
a next page that fails, a document that hangs. Each route is a function of the handler; `hits` counts
requests per path. Every endless answer stops when the client goes or the server closes."""
from __future__ import annotations

import functools
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "data" / "inbox" / "demo"
REPORT_TITLE = "某市生态环境局2023年度政府信息公开工作年度报告"


def page(title: str, body: str) -> bytes:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>').encode()


def _gzip_endless(head: bytes):
    """An endless gzip stream: `head`, then newlines, about 1 KiB compressed per MiB inflated."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(b"\n" * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    yield first + block
    while True:
        yield block


@functools.lru_cache(maxsize=1)
def bomb() -> bytes:
    """A PDF header and 256 MiB of zeros, gzipped: about 250 KiB."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return c.compress(b"%PDF-1.4\n") + b"".join(c.compress(zeros) for _ in range(256)) + c.flush()


class HostileServer:
    def __init__(self, robots: str = "plain"):
        self.robots = robots  # plain | trickle | huge | gzip-bomb | 503
        self.hits: dict[str, int] = {}
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.stop = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        srv = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                path = self.path.split("?")[0]
                srv.hits[path] = srv.hits.get(path, 0) + 1
                try:
                    if path == "/robots.txt":
                        return self.robots()
                    if path in srv.routes:
                        status, headers, body = srv.routes[path]
                        return self.send(status, headers, body)
                    special = getattr(self, "r_" + path.strip("/").split("/")[0].replace("-", "_").replace(".", "_"), None)
                    if special:
                        return special(path)
                    self.send(404, {"Content-Type": "text/html"}, b"<html>404</html>")
                except OSError:
                    pass

            def send(self, status, headers, body=b""):
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def trickle(self, data: bytes, pause: float = 0.2):
                for i in range(len(data)):
                    if srv.stop.is_set():
                        return
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(pause)

            def endless(self, chunks, headers: dict):
                self.send_response(200)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in chunks:
                    if srv.stop.is_set():
                        return
                    self.wfile.write(chunk)

            def robots(self):
                kind = srv.robots
                if kind == "plain":
                    return self.send(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
                if kind == "503":
                    return self.send(503, {}, b"busy")
                if kind == "trickle":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
                    return self.trickle(b"User-agent: *\nAllow: /\n" * 1000)
                head = b"User-agent: *\nDisallow: /private/\n"
                if kind == "huge":
                    return self.endless(iter([head] + [b"# " + b"x" * 65533 + b"\n"] * 10**6), {"Content-Type": "text/plain"})
                if kind == "gzip-bomb":
                    return self.endless(_gzip_endless(head), {"Content-Type": "text/plain", "Content-Encoding": "gzip"})

            # -- routes by the first part of the path ----------------------------------------------
            def r_trickle_headers(self, path):
                self.trickle(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000 + b"\r\n\r\n")

            def r_trickle_body(self, path):
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n\r\n")
                self.trickle(b"%PDF-1.4 " + b"x" * 99_991)

            def r_huge_pdf(self, path):
                self.endless(iter([b"%PDF-1.4\n"] + [b"x" * 65536] * 10**6), {"Content-Type": "application/pdf"})

            def r_bomb_pdf(self, path):
                self.send(200, {"Content-Type": "application/pdf", "Content-Encoding": "gzip"}, bomb())

            def r_redirect(self, path):  # /redirect/<n>: n more hops, then a report
                n = int(path.rsplit("/", 1)[-1])
                if n > 0:
                    return self.send(302, {"Location": f"/redirect/{n - 1}"})
                return self.send(200, {"Content-Type": "text/plain; charset=utf-8"}, (DEMO / "07-2022.txt").read_bytes())

            def r_to(self, path):  # /to/<where>: a redirect to a place the fetch must not go
                where = path.split("/", 2)[2]
                targets = {"file": "file:///etc/passwd", "metadata": "http://169.254.169.254/latest/meta-data/",
                           "other-port": getattr(srv, "other", ""), "ftp": "ftp://127.0.0.1/x.pdf"}
                self.send(302, {"Location": targets[where]})

        return H
