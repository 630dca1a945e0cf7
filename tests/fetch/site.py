"""A fixture website on 127.0.0.1 for the fetch tests: list pages with pagination and relative links,
report pages in UTF-8 and GBK, attachments, and every failure a real government site shows (404, a 500
that recovers, a slow answer, a redirect loop, an oversized file, robots.txt, pages that change or not).

Its content is the bundled demo reports (data/inbox/demo). Every request is logged with its headers,
so tests count what was asked."""
from __future__ import annotations

import re
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

DEMO = Path(__file__).resolve().parents[2] / "data" / "inbox" / "demo"


def _wrap_page(title: str, body: str, charset: str = "utf-8") -> bytes:
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}</title></head><body>{body}</body></html>")
    return html.encode("gb18030" if charset == "gbk" else charset)


def _table_picture() -> bytes:
    """表二's 第二十条第（一）项 rows drawn as a ruled table in a CJK font: a page's table pasted as a PNG."""
    import io

    from PIL import Image

    from tests.extract.test_ocr import ROWS, _drawn_table

    buf = io.BytesIO()
    Image.fromarray(_drawn_table(ROWS, [260, 200, 200, 200])).save(buf, format="PNG")
    return buf.getvalue()


def _pictures_page() -> bytes:
    """A report page whose tables are pictures: 表二 a PNG on the site, 表三 a picture on another site,
    表四 a picture too large to take."""
    html = (DEMO / "01-2023.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table.*?</table>", html, flags=re.DOTALL)
    assert len(tables) == 3
    html = html.replace(tables[0], '<p>第二十条第（一）项</p><p><img src="img/t2.png" alt="表二"></p>')
    html = html.replace(tables[1], '<p><img src="http://example.invalid/t3.png"></p>')
    return html.replace(tables[2], '<p><img src="/czj/pics/img/big.png"></p>').encode("utf-8")


@cache
def _cached(make) -> bytes:
    return make()


class Site:
    def __init__(self):
        self.run = 1          # tests bump it between fetch runs: the changing page changes
        self.log: list[tuple[int, str, dict]] = []
        self.flaky_failures = 1
        self._flaky_seen = 0
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
        self.server.shutdown()
        self.server.server_close()

    def requests(self, path: str, run: int | None = None) -> list[dict]:
        return [h for r, p, h in self.log if p == path and (run is None or r == run)]

    # -- content ------------------------------------------------------------------------------
    def pages(self) -> dict:
        demo = lambda n: (DEMO / n).read_bytes()
        list1 = """
        <div class="list"><ul>
          <li><a href="./202401/t20240120_1.html" title="南京市财政局2023年度政府信息公开工作年度报告">南京市财政局2023年度政府信息公开…</a>
              <span>2024-01-20</span></li>
          <li><a href="../files/03-2022.txt">南京市财政局2022年政府信息公开工作年度报告</a><span>2023-04-15</span></li>
          <li><a href="./2018/old.html">南京市财政局二〇一七年政府信息公开工作年度报告</a><span>2018-01-25</span></li>
          <li><a href="./notice.html">关于做好2023年政府信息公开工作年度报告编制发布工作的通知</a><span>2023-12-01</span></li>
          <li><a href="javascript:;">2020年政府信息公开工作年度报告</a></li>
          <li><a href="http://example.invalid/t/2020.html">某区2020年政府信息公开工作年度报告</a></li>
        </ul>
        <div class="page"><a href="index.html">首页</a> <a href="index_1.html">下一页</a></div></div>"""
        list2 = """
        <table><tr><td><a href="../202201/t20220125_3.html">南京市财政局2021年政府信息公开工作年度报告</a></td></tr>
        <tr><td><a href="missing.html">南京市财政局2020年政府信息公开工作年度报告</a></td><td>2021-01-20</td></tr></table>
        <script>createPageHTML(2, 1, "index", "html");</script>"""
        page2023 = """<h1>南京市财政局2023年度政府信息公开工作年度报告</h1>
            <div class="info">发布时间：2024-01-20 09:30 来源：南京市财政局</div>
            <p>全文见附件。</p><p>附件：<a href="../../files/03-2023.docx">南京市财政局2023年度政府信息公开工作年度报告.docx</a></p>"""
        gbk2021 = demo("03-2021.html").decode("utf-8").replace('charset="utf-8"', 'charset="gbk"').replace(
            "charset=utf-8", "charset=gbk")
        if "charset=" not in gbk2021[:500]:
            gbk2021 = gbk2021.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=gbk">', 1)
        return {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
            "/czj/list/index.html": (200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"list-1"'},
                                     _wrap_page("年报", list1)),
            "/czj/list/index_1.html": (200, {"Content-Type": "text/html", "ETag": '"list-2"'}, _wrap_page("年报", list2, "gbk")),
            "/czj/list/202401/t20240120_1.html": (200, {"Content-Type": "text/html; charset=utf-8"},
                                                 _wrap_page("南京市财政局2023年度政府信息公开工作年度报告", page2023)),
            "/czj/files/03-2023.docx": (200, {"Content-Type": "application/vnd.openxmlformats-officedocument."
                                              "wordprocessingml.document"}, demo("03-2023.docx")),
            "/czj/files/03-2022.txt": (200, {"Content-Type": "text/plain; charset=utf-8"}, demo("03-2022.txt")),
            "/czj/list/2018/old.html": (200, {"Content-Type": "text/html"}, _wrap_page("2017", "<p>2017年报</p>")),
            "/czj/list/notice.html": (200, {"Content-Type": "text/html"}, _wrap_page("通知", "<p>通知</p>")),
            "/czj/202201/t20220125_3.html": (200, {"Content-Type": "text/html"}, gbk2021.encode("gb18030")),
            "/xw/t20200325_9.docx": (200, {}, demo("07-2019.docx")),
            "/xw/stable.html": (200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"stable-1"',
                                      "Last-Modified": "Mon, 22 Jan 2024 08:00:00 GMT"}, demo("07-2021.html")),
            "/xw/changing.txt": (200, {"Content-Type": "text/plain; charset=utf-8", "ETag": f'"changing-{self.run}"'},
                                 demo("07-2022.txt") + f"\n（第 {self.run} 次更新）\n".encode()),
            "/xw/flaky.pdf": (200, {"Content-Type": "application/pdf"}, demo("07-2020.pdf")),
            "/private/r.html": (200, {"Content-Type": "text/html"}, demo("07-2021.html")),
        }

    # made only when asked (drawing needs a CJK font): a report page whose tables are pictures
    made: ClassVar[dict] = {"/czj/pics/t20240125_5.html": ("text/html; charset=utf-8", _pictures_page),
            "/czj/pics/img/t2.png": ("image/png", _table_picture),
            "/czj/pics/img/big.png": ("image/png", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 400_000)}

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                path = self.path.split("?")[0]
                site.log.append((site.run, path, dict(self.headers)))
                if path == "/xw/slow.html":
                    time.sleep(2)
                    return self._send(200, {"Content-Type": "text/html"}, b"<html>late</html>")
                if path in ("/xw/loop", "/xw/loop2"):
                    return self._send(302, {"Location": "/xw/loop2" if path == "/xw/loop" else "/xw/loop"}, b"")
                if path == "/xw/flaky.pdf" and site._flaky_seen < site.flaky_failures:
                    site._flaky_seen += 1
                    return self._send(500, {}, b"busy")
                if path == "/xw/big.pdf":  # no Content-Length: the size is only known while reading
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pdf")
                    self.end_headers()
                    try:
                        for _ in range(40):
                            self.wfile.write(b"%PDF-1.4 " + b"x" * 10_000)
                    except OSError:
                        pass
                    return
                if path in site.made:
                    kind, make = site.made[path]
                    return self._send(200, {"Content-Type": kind}, _cached(make))
                found = site.pages().get(path)
                if found is None:
                    return self._send(404, {"Content-Type": "text/html"}, b"<html>404</html>")
                status, headers, body = found
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    return self._send(304, {"ETag": etag}, b"")
                self._send(status, headers, body)

            def _send(self, status, headers, body):
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    try:
                        self.wfile.write(body)
                    except OSError:
                        pass

        return Handler
