"""The downloads in a real browser (as tests/dashboard/test_browser.py: `streamlit run` on 127.0.0.1,
Debian's Chromium driven by Playwright): the circular from the overview and a letter from the report page
are clicked, downloaded and opened."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.dashboard.test_browser import CHROMIUM, _free_port, _open, browser  # noqa: F401 (a fixture)
from tests.writing.conftest import ROOT, YEAR, doc_tables, doc_text, table_with

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(wh):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI (tests/install_prerequisites.py should have installed it)")
        pytest.skip("Chromium is not installed (Debian package `chromium`; tests/install_prerequisites.py installs it)")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
                             "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=dict(os.environ, NIANBAO_DB=str(wh)),
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


def _download(tab, label: str, tmp_path) -> bytes:
    button = tab.get_by_role("button", name=label)
    button.scroll_into_view_if_needed()
    with tab.expect_download(timeout=120000) as dl:
        button.click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    return path.read_bytes()


def test_the_circular_and_a_letter_download_and_open(server, browser, con, tmp_path):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = _open(ctx, f"{server}/?prov=江苏省")
    data = _download(tab, "审查情况通报 PDF", tmp_path)
    n = con.execute("select count(*) from agencies where province = '江苏省'").fetchone()[0]
    text = doc_text(data, "pdf").replace(" ", "")
    assert f"江苏省{YEAR}年度政府信息公开工作年度报告审查情况通报" in text and f"本次审查范围内共有{n}个机关" in text
    late = con.execute("""select count(*) from reports r join agencies a using (agency_id)
                          where a.province = '江苏省' and r.year = ? and r.published_on > r.deadline""", [YEAR]).fetchone()[0]
    assert late and len(table_with(doc_tables(data, "pdf"), ["机关", "法定期限", "发布日期", "逾期天数"])) == late

    rid, name = con.execute("""select r.report_id, a.name from reports r join agencies a using (agency_id)
        join check_results c using (report_id) where c.check_id = 'app_columns_sum' limit 1""").fetchone()
    tab = _open(ctx, f"{server}/report?report={rid}")
    data = _download(tab, "审查意见 DOCX", tmp_path)
    assert dict(table_with(doc_tables(data, "docx"), ["项目", "内容"]))["机关"] == name
    ctx.close()
