"""The dashboard in a real browser: `streamlit run` on 127.0.0.1, headless Chromium (Debian's
package) driven by Playwright, every page visited, failing on any Streamlit exception block or
browser console error; a screenshot of each page is saved under tests/screenshots/."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.dashboard.conftest import PAGES, ROOT

SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI (tests/install_prerequisites.py should have installed it)")
        pytest.skip("Chromium is not installed (Debian package `chromium`; tests/install_prerequisites.py installs it as root)")
    port = _free_port()
    env = dict(os.environ, NIANBAO_DB=str(demo_db))
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
                             "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_in_a_real_browser(server, browser, page, lang):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    tab = ctx.new_page()
    errors: list[str] = []
    # "Failed to load resource" console lines are judged by the responses below instead: Streamlit's
    # frontend, opened on a page path, first probes <page>/_stcore/health and host-config (404) and
    # then the root; those probes are its own and harmless, every other failed request counts.
    tab.on("console", lambda m: errors.append(m.text)
           if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}")
           if r.status >= 400 and not re.search(r"/[^/]+/_stcore/(health|host-config)$", r.url) else None)
    path = "" if page == "overview" else page
    tab.goto(f"{server}/{path}" + ("?lang=en" if lang == "en" else ""), wait_until="networkidle", timeout=60000)
    tab.wait_for_selector("h1", timeout=60000)
    # wait until the script run is over (no running indicator) and charts have drawn
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    tab.wait_for_timeout(1500)
    exceptions = tab.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{page}-{lang}.png"), full_page=True)
    title = tab.locator("h1").first.inner_text()
    assert title.strip()
    assert not errors, errors
    ctx.close()
