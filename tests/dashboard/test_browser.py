"""The dashboard in a real browser: `streamlit run` on 127.0.0.1, headless Chromium (Debian's
package) driven by Playwright, every page visited in both languages, failing on any Streamlit
exception block or browser console error; a screenshot of each page is saved under tests/screenshots/.
Waits are on the page's own state (Streamlit's script state, the title, the charts drawn), never on a
fixed sleep. Also: a copied link reproduces every page in a fresh browser context, no Streamlit English
on a Chinese page, the late list names the demo's late agencies, and a print style without the sidebar."""
from __future__ import annotations

import io
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
import pandas as pd
import pytest

from tests.dashboard.conftest import PAGES, ROOT

SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.slow

# the run is over (Streamlit's own state attribute), the title is drawn, and every chart has its SVG
READY = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const main = document.querySelector('[data-testid="stMain"]');
    const busy = !app || app.getAttribute('data-test-script-state') !== 'notRunning' || !document.querySelector('h1')
        || document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')
        || ![...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))
        || ![...document.querySelectorAll('[data-testid="stDataFrame"]')].every(d => d.querySelector('canvas, table'));
    const sig = busy ? null : main.innerText.length + ':' + main.querySelectorAll('*').length;
    const same = sig !== null && window.__nbReady === sig;  // unchanged since the last poll
    window.__nbReady = sig;
    return same;
}"""
# Streamlit's own English that must not reach a Chinese page (menu, table toolbar, widgets' defaults)
STREAMLIT_ENGLISH = ("Select all", "Download as CSV", "Search", "Fullscreen", "Print", "Record a screencast",
                     "Made with Streamlit", "Deploy", "Rerun", "Settings", "Clear all", "Choose an option",
                     "Choose options", "No results", "None", "extracted", "natural_person")


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
    deadline = time.monotonic() + 60
    while True:  # wait for the server's own health answer
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
            time.sleep(0.25)
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


def _wait(tab):
    tab.wait_for_function(READY, timeout=90000, polling=300)


def _open(ctx, url: str):
    tab = ctx.new_page()
    tab.goto(url, wait_until="domcontentloaded", timeout=60000)
    _wait(tab)
    return tab


def _path(page: str) -> str:
    return "" if page == "overview" else page


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
    tab.goto(f"{server}/{_path(page)}" + ("?lang=en" if lang == "en" else ""), wait_until="domcontentloaded", timeout=60000)
    _wait(tab)
    exceptions = tab.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{page}-{lang}.png"), full_page=True)
    assert tab.locator("h1").first.inner_text().strip()
    main = tab.locator("[data-testid='stMain']").first.inner_text()
    found = re.search(r".{0,40}\d(?:\.\d+)?e[+-]\d.{0,20}", main)
    assert not found, found.group()  # no number in scientific notation
    if lang == "zh":
        body = tab.locator("body").inner_text()
        english = [w for w in STREAMLIT_ENGLISH if re.search(rf"\b{re.escape(w)}\b", body)]
        assert not english, english
        assert tab.locator('[data-testid="stMainMenu"]').count() == 0  # no English menu (toolbarMode minimal)
        # a multiselect's dropdown offers no English "Select all"
        tab.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
        listbox = tab.locator('[role="listbox"]').first
        listbox.wait_for(state="visible", timeout=10000)
        assert "Select all" not in listbox.inner_text()
        tab.keyboard.press("Escape")
        grids = tab.locator('[data-testid="stDataFrame"]')
        if grids.count():  # a table's hover toolbar (English tooltips) is hidden
            grids.first.hover()
            toolbar = tab.locator('[data-testid="stElementToolbar"]')
            assert toolbar.count() == 0 or not toolbar.first.is_visible()
    assert not errors, errors
    assert not outside, f"requests to hosts other than the app's own: {outside}"
    ctx.close()


def _state_urls(demo_db) -> dict[str, str]:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rid = con.execute("select report_id from reports where agency_id = 'demo-05' and year = 2022").fetchall()[0][0]
    return {
        "overview": "?year=2022",
        "compare": "?metric=grant_rate&agencies=demo-03&agencies=demo-05&order=best&year=2022&bars=10",
        "profile": "?agency=demo-14&measure=grant_rate",
        "web_media": "?same=0&prov=河南省",
        "applications": "?same=0&y0=2020",
        "review": "?year=2021&level=city",
        "active": "?year=2019",  # the procurement year starts on 2020, the last of the 2019 format
        "quality": "?sev=error&status=open&check=review_sum",
        "report": f"?report={rid}",
    }


def _view(tab) -> str:
    """What the page shows: the main area's text and every widget's value (inputs, chosen options)."""
    return tab.locator('[data-testid="stMain"]').first.evaluate(
        "e => e.innerText + ' | ' + [...e.querySelectorAll('input')].map(i => i.type === 'checkbox' || i.type === 'radio'"
        " ? String(i.checked) : i.value).join(' ')")


@pytest.mark.parametrize("page", PAGES)
def test_a_copied_link_reproduces_each_page(server, browser, demo_db, page):
    """Open a page with its state in the link, copy the address the page shows, open it in a fresh
    browser context: the same view (every widget's value, every text), and the state still in the link."""
    query = _state_urls(demo_db)[page]
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/{_path(page)}{query}")
    copied, shown = tab.url, _view(tab)
    ctx.close()
    for part in query.lstrip("?").split("&"):  # the page keeps its state in the address
        key, _, value = part.partition("=")
        assert re.search(rf"[?&]{re.escape(key)}=", copied), (key, copied)
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    again = _open(fresh, copied)
    assert _view(again) == shown
    assert again.url == copied
    fresh.close()


@pytest.mark.parametrize("name", ["overview", "home"])
def test_the_overview_by_its_name_opens_the_overview(server, browser, name):
    """/overview (the name every other page's path suggests) and /home open the overview with the link's
    filters, not Streamlit's English "Page not found"."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/{name}?year=2022")
    tab.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('总览')",
                          timeout=30000)
    _wait(tab)
    body = tab.locator("body").inner_text()
    assert "Page not found" not in body and "year=2022" in tab.url
    ctx.close()


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


def test_the_late_list_names_the_demos_late_agencies(server, browser):
    from pipeline.demo.generator import LATE
    from pipeline.demo.render import agency_name

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = _open(ctx, f"{server}/?year=2024")
    expected = {agency_name(i)[0]: days for (i, y), days in LATE.items() if y == 2024}
    assert f"逾期发布 {len(expected)} 个" in tab.locator('[data-testid="stMain"]').first.inner_text()
    buttons = tab.locator('[data-testid="stDownloadButton"] button', has_text="下载 CSV")
    with tab.expect_download() as dl:
        buttons.nth(1).click()  # the tiles' file, then the late list's
    late = pd.read_csv(io.BytesIO(open(dl.value.path(), "rb").read()), encoding="utf-8-sig")
    late.columns = [re.sub(r".*\[(.+)\]$", r"\1", c) for c in late.columns]
    assert dict(zip(late.agency, late.days_late)) == expected
    assert late.profile.str.startswith(server).all()  # absolute links
    ctx.close()


def test_bad_parameters_show_plain_text(server, browser):
    ctx = browser.new_context()
    tab = _open(ctx, f"{server}/profile?y0=%C2%B2&y1={'9' * 5000}&agency=%5Bx%5D(http://example.com/)%20www.example.com")
    assert tab.locator('[data-testid="stException"]').count() == 0
    alerts = " ".join(tab.locator('[data-testid="stAlert"]').all_inner_texts())
    assert "y0" in alerts and "y1" in alerts and "agency" in alerts
    assert tab.locator('[data-testid="stAlert"] a, [data-testid="stAlert"] img').count() == 0  # no link, no image
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


def test_a_click_on_a_findings_row_chooses_it_for_review(server, browser):
    """At 100,000 reports the review picker lists only the table's first findings: a click on any row of the
    findings table is how the reviewer reaches the others, and the link keeps the finding chosen."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/quality")
    picker = "() => [...document.querySelectorAll('input[role=combobox]')].some(e => e.value.includes(' · '))"
    tab.wait_for_function(picker, timeout=60000, polling=300)  # the review form, drawn after the findings
    grid = tab.locator('[data-testid="stDataFrame"]').nth(1)  # the findings (the first is the agencies' scores)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()

    def chosen() -> str:
        return tab.evaluate("() => [...document.querySelectorAll('input[role=combobox]')].map(e => e.value)"
                            ".filter(t => t.includes(' · ')).join(' | ')")

    first = chosen()
    tab.mouse.click(box["x"] + 15, box["y"] + 35 * 4 + 17)  # the fourth row's selection cell (rows are 35 px)
    tab.wait_for_url(re.compile(r"/quality\?.*finding="), timeout=30000)
    _wait(tab)
    tab.wait_for_function(picker, timeout=60000, polling=300)
    assert chosen() != first
    ctx.close()


def test_switching_the_language_rewrites_every_chosen_option(server, browser):
    """The browser keeps a chosen option's words in the language it was chosen in (派生指标 and 市级 stayed on
    the English page): the switch loads the page afresh from its link, every choice kept."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/compare?metric=grant_rate&level=city&year=2022")
    values = ("() => [...document.querySelectorAll('input[role=combobox]')].map(e => e.value).join(' | ') + ' | ' + "
              "[...document.querySelectorAll('[data-testid=stSidebar] [data-testid=stMultiSelect]')].map(e => e.innerText).join(' | ')")
    assert "派生指标" in tab.evaluate(values) and "市级" in tab.evaluate(values)
    tab.get_by_text("English", exact=True).click()
    tab.wait_for_url(re.compile(r"lang=en"), timeout=30000)
    tab.wait_for_function(f"() => ({values})().includes('Derived measures')", timeout=60000, polling=500)
    _wait(tab)
    shown = tab.evaluate(values)
    assert "派生指标" not in shown and "公开率" not in shown and "市级" not in shown, shown
    assert "Grant rate" in shown and "level=city" in tab.url and "year=2022" in tab.url
    ctx.close()


def test_printing_leaves_out_the_sidebar_and_fits_charts_on_a4(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/compare?metric=grant_rate")
    tab.emulate_media(media="print")
    tab.set_viewport_size({"width": 718, "height": 1000})  # A4's printable width at 96 dpi (210 mm − 2 × 12 mm)
    assert not tab.locator('[data-testid="stSidebar"]').is_visible()
    assert not tab.locator('[data-testid="stDownloadButton"]').first.is_visible()
    widths = [c.bounding_box()["width"] for c in tab.locator('[data-testid="stPlotlyChart"]').all()]
    assert widths and max(widths) <= 718
    assert len(tab.pdf(format="A4")) > 1000
    ctx.close()


def test_unverified_values_are_marked_in_the_browser(server, browser, demo_db):
    """The demo's 表三 that does not add up: on its report page the cells its identities refute are drawn
    as unverified and counted under the tables; in the compare ranking its 公开率 carries †; the sidebar's
    switch, kept in the URL, leaves it out."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        aid, year = con.execute("select agency_id, year from measures_verified where not grant_rate").fetchall()[0]
        rid = con.execute("select report_id from reports where agency_id = ? and year = ?", [aid, year]).fetchall()[0][0]
        n = con.execute("select count(*) from facts where report_id = ? and not verified", [rid]).fetchall()[0][0]
    assert n > 0
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = _open(ctx, f"{server}/report?report={rid}")
    assert tab.locator("td.unv").count() == n
    assert f"含 {n} 个未经核验的数值" in tab.locator('[data-testid="stMain"]').first.inner_text()
    tab = _open(ctx, f"{server}/compare?metric=grant_rate&year={year}")
    assert "†" in tab.content()  # the ranking's bar label (the chart's SVG text)
    tab = _open(ctx, f"{server}/compare?metric=grant_rate&year={year}&verified=1")
    assert "已略去 1 个未经核验的数值" in tab.locator('[data-testid="stMain"]').first.inner_text()
    ctx.close()
