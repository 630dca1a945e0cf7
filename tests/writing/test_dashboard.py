"""The downloads on the dashboard (AppTest): the circular on the overview for the current filters, the
letter on the report and data-quality pages; each button's document, drafted as a click would draft it,
opened and checked."""
from __future__ import annotations

import re

import gc

import pytest
from streamlit.testing.v1 import AppTest

from tests.writing.conftest import ROOT, YEAR, doc_tables, doc_text, table_with


def _app(db, monkeypatch, page: str, **params) -> AppTest:
    monkeypatch.setenv("NIANBAO_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _deferred(button) -> dict:
    """The button's deferred download as the server holds it: its callable, mimetype and file name."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    file_id = button.proto.deferred_file_id
    assert file_id, f"{button.label}: not a deferred download"
    for o in gc.get_objects():
        if isinstance(o, MediaFileManager) and file_id in o._deferred_callables:
            return o._deferred_callables[file_id]
    raise KeyError(file_id)


def _drafted(button) -> bytes:
    """What the button's click downloads: its deferred callable, run as the server runs it."""
    return _deferred(button)["callable"]()


def _drafted_all(at: AppTest, prefix: str) -> dict[str, bytes]:
    """Every button's document; the page is run once more if a rerun dropped a callable under us."""
    for attempt in (1, 2):
        try:
            return {fmt: _drafted(b) for fmt, b in _buttons(at, prefix).items()}
        except KeyError:
            if attempt == 2:
                raise
            at.run()


def _buttons(at: AppTest, prefix: str) -> dict:
    return {b.label.split()[-1].lower(): b for b in at.get("download_button") if b.label.startswith(prefix)}


def test_overview_offers_the_circular_for_the_current_filters(wh, con, monkeypatch):
    at = _app(wh, monkeypatch, "overview", prov="江苏省")
    buttons = _buttons(at, "审查情况通报")
    assert set(buttons) == {"docx", "pdf", "html"}
    n = con.execute("select count(*) from agencies where province = '江苏省'").fetchone()[0]
    for fmt, data in _drafted_all(at, "审查情况通报").items():
        text = doc_text(data, fmt)
        assert f"江苏省{YEAR}年度政府信息公开工作年度报告审查情况通报" in text
        assert f"本次审查范围内共有 {n} 个机关" in text.replace("\n", "")


def test_the_circulars_file_is_named_as_its_title_names_it(wh, con, monkeypatch):
    """江苏省市级2024-审查情况通报.docx: the region and the levels chosen, as in the title (the level was lost)."""
    level = con.execute("select level from agencies where province = '江苏省' and level = 'city' limit 1").fetchone()
    assert level, "the demo has city-level agencies in 江苏省"
    at = _app(wh, monkeypatch, "overview", prov="江苏省", level="city")
    buttons = _buttons(at, "审查情况通报")
    assert {_deferred(b)["filename"] for b in buttons.values()} == {f"江苏省市级{YEAR}-审查情况通报.{f}" for f in buttons}
    text = doc_text(_drafted_all(at, "审查情况通报")["html"], "html")
    assert f"江苏省市级{YEAR}年度政府信息公开工作年度报告审查情况通报" in text


@pytest.mark.parametrize("page", ["report", "quality"])
def test_report_and_quality_pages_offer_the_letter(wh, con, monkeypatch, page):
    rid, name, year = con.execute("""select r.report_id, a.name, r.year from reports r join agencies a using (agency_id)
        join check_results c using (report_id) where c.check_id = 'app_columns_sum' limit 1""").fetchone()
    at = _app(wh, monkeypatch, page, report=rid)
    if page == "quality":
        at.selectbox(key="dq_report").set_value(rid).run()
    buttons = _buttons(at, "审查意见")
    assert set(buttons) == {"docx", "pdf"}
    for fmt, data in _drafted_all(at, "审查意见").items():
        basics = dict(table_with(doc_tables(data, fmt), ["项目", "内容"]))
        assert (basics["机关"], basics["报告年度"]) == (name, str(year))
        cells = "".join(re.sub(r"\s+", "", c or "") for t in doc_tables(data, fmt) for r in t for c in r)
        assert "各类申请人之和" in cells  # in its table's cells (a PDF's page text interleaves the cells' lines)


def test_english_downloads(wh, monkeypatch):
    at = _app(wh, monkeypatch, "overview", lang="en")
    buttons = _buttons(at, "Circular")
    assert set(buttons) == {"docx", "pdf", "html"}
    assert "Review of the" in doc_text(_drafted_all(at, "Circular")["html"], "html")
