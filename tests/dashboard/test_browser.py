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
from urllib.parse import urlsplit

import duckdb
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


def _outside_requests(tab, server: str) -> list[str]:
    """Every request the page makes to a host other than the app's own (an intranet has no internet):
    recorded, and answered with an error so a page that depends on one shows it."""
    own = urlsplit(server).netloc
    seen: list[str] = []

    def route(r):
        if urlsplit(r.request.url).scheme in ("http", "https", "ws", "wss") and urlsplit(r.request.url).netloc != own:
            seen.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    tab.route("**/*", route)
    return seen


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
    outside = _outside_requests(tab, server)
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
    assert not outside, f"requests to hosts other than the app's own: {outside}"
    ctx.close()


def _open(ctx, url: str):
    tab = ctx.new_page()
    tab.goto(url, wait_until="networkidle", timeout=60000)
    tab.wait_for_selector("h1", timeout=60000)
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    tab.wait_for_timeout(1500)
    return tab


def test_a_click_on_a_ranking_bar_opens_the_profile(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/compare?metric=app.received_new:total&year=2023")
    first_bar = tab.locator('[data-testid="stPlotlyChart"]').last.locator("g.point path").first
    first_bar.scroll_into_view_if_needed()
    box = first_bar.bounding_box()  # plotly's drag layer lies over the bars: click where the bar is
    tab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.wait_for_url(re.compile(r"/profile\?.*agency="), timeout=30000)
    tab.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('机关档案')",
                          timeout=30000)
    assert "agency=demo-" in tab.url
    ctx.close()


def test_a_copied_url_reproduces_a_comparison_and_a_report(server, browser, demo_db):
    """Choose on screen, copy the address, open it in a fresh browser context: the same view."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/compare?metric=grant_rate&agencies=demo-03&agencies=demo-05&order=asc&year=2022")
    copied = tab.url
    shown = tab.locator('[data-testid="stMain"] [data-testid="stMultiSelect"]').first.inner_text()
    ctx.close()
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    again = _open(fresh, copied)
    assert again.locator('[data-testid="stMain"] [data-testid="stMultiSelect"]').first.inner_text() == shown
    assert "南京市财政局" in shown and "南京市卫生健康委员会" in shown
    for key in ("metric=grant_rate", "agencies=demo-03", "agencies=demo-05", "order=asc", "year=2022"):
        assert key in again.url
    fresh.close()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rid = con.execute("select report_id from reports where agency_id = 'demo-05' and year = 2022").fetchall()[0][0]
    ctx = browser.new_context()
    tab = _open(ctx, f"{server}/report?report={rid}")
    copied = tab.url
    ctx.close()
    fresh = browser.new_context()
    again = _open(fresh, copied)
    main = again.locator('[data-testid="stMain"]').first
    assert "南京市卫生健康委员会 的机关档案" in main.inner_text()  # the chosen report's agency
    assert "南京市卫生健康委员会 · 2022" in main.evaluate("e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")
    fresh.close()


@pytest.mark.parametrize("page", PAGES)
def test_no_number_on_screen_is_in_scientific_notation(server, browser, page):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/{'' if page == 'overview' else page}")
    text = tab.locator("section.main, [data-testid='stMain']").first.inner_text()
    assert not re.search(r"\d(?:\.\d+)?e[+-]\d", text), re.search(r".{0,40}\d(?:\.\d+)?e[+-]\d.{0,20}", text).group()
    # the Chinese interface shows no English widget text (Streamlit's defaults are replaced)
    for english in ("Choose an option", "Choose options", "No results", "None"):
        assert english not in tab.locator("body").inner_text(), english
    ctx.close()


def test_a_bad_year_in_the_url_shows_a_message(server, browser):
    ctx = browser.new_context()
    tab = _open(ctx, f"{server}/?y0=%C2%B2")
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert "y0" in " ".join(tab.locator('[data-testid="stAlert"]').all_inner_texts())
    ctx.close()


def test_a_click_on_a_coverage_cell_opens_the_report(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/")
    chart = tab.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.locator("g.points path.point").first.bounding_box()  # one agency-year square
    tab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.wait_for_url(re.compile(r"/(report\?report=|profile\?agency=)"), timeout=30000)
    ctx.close()
