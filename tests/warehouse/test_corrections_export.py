"""Analysts' corrections override extracted values and survive re-extraction; exports are right."""
from __future__ import annotations

import csv
import io
import random

import duckdb
import pandas as pd

from pipeline.spec import catalog, model
from pipeline.serve.export import export, long_table, to_csv_bytes, wide_table
from pipeline.demo.render import random_facts
from tests.warehouse.conftest import write_report

AG = "洛阳市生态环境局"


def _value(env, key):
    rows = env.query("select value, provenance, note, evidence from v_facts where agency = ? and key = ?", [AG, key])
    return rows[0] if rows else None


def test_correction_overrides_and_survives_reextraction(env, monkeypatch):
    f = random_facts(random.Random(1), "2021", size=2)
    write_report(env.inbox, "a.html", AG, 2023, f, seed=1)
    env.refresh()
    assert _value(env, "website.visits")[0] == f["website.visits"]
    (env.data / "corrections.csv").write_text(
        "agency,year,metric,dim,value,note\n"
        f"{AG},2023,website.visits,,12345,网站统计口径更正（局办公室来函）\n"
        f"{AG},2023,review,upheld,{f['review:upheld'] + 1},人工核对原件\n"
        "某不存在的局,2023,website.visits,,1,\n"
        f"{AG},2023,no.such.metric,,1,\n", encoding="utf-8")
    rr = env.refresh()
    value, provenance, note, evidence = _value(env, "website.visits")
    assert (value, provenance, note) == (12345, "correction", "网站统计口径更正（局办公室来函）")
    assert str(f["website.visits"]) in evidence  # the extracted value stays visible as the fact's provenance
    assert _value(env, "review:upheld")[1] == "correction"
    assert len(rr.corrections) == 2 and any("no.such.metric" in c for c in rr.corrections)
    # the corrected report is checked again with the corrected value: 表四 no longer adds up
    assert env.query("select count(*) from check_results where check_id = 'review_sum'")[0][0] == 1
    import pipeline.refresh.run as refresh_mod

    monkeypatch.setattr(model, "PARSER_VERSION", "next")
    monkeypatch.setattr(refresh_mod, "PARSER_VERSION", "next")
    rr = env.refresh()
    assert rr.files_extracted == 1
    assert _value(env, "website.visits")[:2] == (12345, "correction")


def test_export_long_and_wide_csv(env, tmp_path):
    f1 = random_facts(random.Random(1), "2019")
    f2 = random_facts(random.Random(2), "2021")
    write_report(env.inbox, "a2020.html", AG, 2020, f1, seed=1)
    write_report(env.inbox, "a2022.txt", AG, 2022, f2, seed=2, fmt="txt")
    write_report(env.inbox, "b2022.html", "南京市财政局", 2022, f2, seed=3)
    env.refresh()
    with duckdb.connect(str(env.db), read_only=True) as con:
        paths = export(con, tmp_path / "out", "csv")
    long_path, wide_path = paths
    raw = long_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Chinese Windows reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["agency", "agency_id", "province", "city", "district", "level", "sector", "year", "template",
                             "metric", "dim", "key", "label_zh", "label_en", "unit", "value", "verified", "read_by_ocr", "ocr_confidence", "provenance", "note",
                             "evidence", "source_name", "source_sha256", "published_on", "source_url"]
    assert rows[0]["published_on"] == "" and rows[0]["source_url"] == ""  # put in the inbox by hand: no site, no date
    assert len(rows) == len(f1) + 2 * len(f2)
    row = next(r for r in rows if r["agency"] == AG and r["year"] == "2020" and r["key"] == "app.granted:total")
    assert float(row["value"]) == f1["app.granted:total"] and row["label_zh"] == catalog.label("app.granted:total")
    assert row["province"] == "河南省" and row["city"] == "洛阳市"
    wide = pd.read_csv(wide_path, encoding="utf-8-sig")
    assert len(wide) == 3
    assert "app.granted:total" in wide.columns and "website.visits" in wide.columns
    r2022 = wide[(wide.agency == AG) & (wide.year == 2022)].iloc[0]
    for k, v in f2.items():
        assert r2022[k] == v, k
    assert pd.isna(wide[(wide.agency == AG) & (wide.year == 2020)].iloc[0].get("active.fees:amount_wan_yuan"))


def test_export_filters_and_formats(env, tmp_path):
    f = random_facts(random.Random(1), "2021")
    write_report(env.inbox, "a.html", AG, 2022, f, seed=1)
    write_report(env.inbox, "b.html", "南京市财政局", 2023, f, seed=2)
    env.refresh()
    with duckdb.connect(str(env.db), read_only=True) as con:
        long = long_table(con, agency=[AG], metric=["review"])
        assert set(long.agency) == {AG} and set(long.metric) == {"review"} and len(long) == 5
        assert long_table(con, year=[2023]).agency.unique().tolist() == ["南京市财政局"]
        for fmt in ("parquet", "xlsx"):
            paths = export(con, tmp_path / fmt, fmt, year=[2022])
            assert all(p.exists() and p.stat().st_size > 0 for p in paths)
        back = pd.read_parquet(tmp_path / "parquet" / "facts_wide.parquet")
        assert back["review:total"].iloc[0] == f["review:total"]
        assert len(pd.read_excel(tmp_path / "xlsx" / "facts_long.xlsx")) == len(f)
    wide = wide_table(long)
    assert list(wide.columns[-5:]) == [f"review:{d}" for d in catalog.REVIEW]
    assert to_csv_bytes(wide).startswith(b"\xef\xbb\xbf")


def test_export_cli(env, tmp_path):
    import subprocess
    import sys

    write_report(env.inbox, "a.html", AG, 2022, seed=1)
    env.refresh()
    r = subprocess.run([sys.executable, "-m", "pipeline", "export", "--db", str(env.db), "--out", str(tmp_path / "x"),
                        "--year", "2022"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x" / "facts_long.csv").exists()
    r = subprocess.run([sys.executable, "-m", "pipeline", "export", "--db", str(tmp_path / "none.duckdb"),
                        "--out", str(tmp_path / "y")], capture_output=True, text=True)
    assert r.returncode == 2 and "no warehouse" in r.stderr
