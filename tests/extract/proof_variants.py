"""Issue 15's proof variants: every labelled corpus report rewritten the ways real copies come out,
made at test time, so that the rule "no value by position" is tested on material nobody tuned for.

Three families (see tests/extract/test_proof_variants.py for what each must give):

- `ocpl`: the report as text with ONE CELL PER LINE (a page saved or copied from a browser), its prose
  paragraphs in between, in four styles: plain cells; item numbers on lines of their own (`1.` then
  `属于国家秘密`, `（一）` alone) and header words broken (`本年增` `/` `减`, `商业` `企业`) with a blank
  line after each cell; the number's point moved to the next line (`1` then `.属于…`); labels wrapped
  every few characters. And `lost` variants: one row's label removed (an empty line left where it was),
  whose facts must then be absent while the rows after it are read as before.
- `narrow`: the HTML report with its tables' label columns forced narrow (td widths), so that labels
  wrap over several lines, converted HTML -> DOCX -> PDF by LibreOffice.
- `hant`: the report in Traditional script (OpenCC s2t), written as DOCX (LibreOffice from the HTML, or
  python-docx from the read tables for the text and PDF reports) and as PDF (LibreOffice from the DOCX).

`python -m tests.extract.proof_variants` builds them all and prints, per variant, the share of golden
facts given, the wrong values and the facts given without `verified` (the test's declared losses
are not applied there). The office variants are made in proof_office.py.
"""
from __future__ import annotations

import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import golden_pairs, load_json

SOURCES = golden_pairs((".html", ".htm", ".txt", ".pdf"))
HTML_SOURCES = [(r, e) for r, e in SOURCES if r.suffix.lower() in (".html", ".htm")]
OCPL_STYLES = ("cells", "apart", "dot", "wrapped")

# Rows whose label a `lost` variant removes: a word that finds the row, the metric the row holds,
# the metric of the row just before it in the table (None when a header precedes it), and the metrics
# that share one of 表三's identities with the row: with the row left out, those identities cannot be
# checked, so their facts may be given unverified. The row before may be left out too: its values
# run straight on into the unlabelled row's values.
_OUTCOMES = ("app.granted", "app.partial", "app.denied", "app.unavailable", "app.not_processed", "app.other",
             "app.total")
LOST_ROWS = {
    "received": ("本年新收", "app.received_new", None, ("app.carried_in", "app.total", "app.carried_out")),
    "security": ("三安全一稳定", "app.denied.security_stability", "app.denied.prohibited_by_law", _OUTCOMES),
    "reconfirm": ("要求行政机关确认", "app.not_processed.reconfirm", "app.not_processed.excessive", _OUTCOMES),
    "licensing": ("行政许可", "active.licensing", None, ()),
}

_VALUE = re.compile(r"^[-+−]?[\d,，]+(\.\d+)?\s*(万元|亿元|元|万)?$")
_ITEM = re.compile(r"^\s*(?P<num>[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）]|\d{1,2}\s*[.．、])"
                   r"\s*(?P<rest>\S.*)$")
_SPACE = re.compile(r"[\s\u00a0\u3000]+")
# header words and how a narrow column or a copy breaks them
_HEADER_BREAKS = {
    "本年增/减": ["本年增", "/", "减"],
    "商业企业": ["商业", "企业"],
    "科研机构": ["科研", "机构"],
    "社会公益组织": ["社会公益", "组织"],
    "法律服务机构": ["法律服务", "机构"],
    "本年新制作数量": ["本年新", "制作数量"],
    "本年新公开数量": ["本年新", "公开数量"],
    "对外公开总数量": ["对外公开", "总数量"],
    "上一年项目数量": ["上一年", "项目数量"],
    "处理决定数量": ["处理决定", "数量"],
    "本年处理决定数量": ["本年处理", "决定数量"],
    "本年制发件数": ["本年制发", "件数"],
    "本年废止件数": ["本年废止", "件数"],
    "现行有效件数": ["现行有效", "件数"],
    "结果维持": ["结果", "维持"],
    "结果纠正": ["结果", "纠正"],
    "其他结果": ["其他", "结果"],
    "尚未审结": ["尚未", "审结"],
    "未经复议直接起诉": ["未经复议", "直接起诉"],
}


@dataclass
class Variant:
    name: str
    family: str  # ocpl | lost | narrow | hant
    source: Path
    expected: Path
    path: Path | None = None
    unlabelled: dict[str, str] = field(default_factory=dict)  # key -> why it must be absent
    may_lose: dict[str, str] = field(default_factory=dict)  # key -> why it may be missing (never wrong)
    unverifiable: dict[str, str] = field(default_factory=dict)  # key -> why it may be given unverified


def variant_names() -> list[tuple[str, str, Path, Path]]:
    """(name, family, source, expected) of every variant, known without building any."""
    out = []
    for src, exp in SOURCES:
        for style in OCPL_STYLES:
            out.append((f"{src.stem}.ocpl-{style}.txt", "ocpl", src, exp))
        for key in LOST_ROWS:
            out.append((f"{src.stem}.lost-{key}.txt", "lost", src, exp))
    for src, exp in HTML_SOURCES:
        out.append((f"{src.stem}.narrow.pdf", "narrow", src, exp))
    for src, exp in SOURCES:
        out.append((f"{src.stem}.hant.docx", "hant", src, exp))
        out.append((f"{src.stem}.hant.pdf", "hant", src, exp))
    return out


# ---------------------------------------------------------------- one cell per line

def _norm(text: str) -> str:
    return _SPACE.sub("", text or "")


def is_value(text: str) -> bool:
    return bool(_VALUE.match(_norm(text)))


def _split_cell(text: str, style: str) -> list[str]:
    """The lines one label or header cell becomes in a style."""
    t = _SPACE.sub(" ", text).strip()
    if not t or is_value(t) or style == "cells":
        return [t]
    if style == "wrapped":
        flat = _norm(t)
        return [flat[i:i + 6] for i in range(0, len(flat), 6)]
    if _norm(t) in _HEADER_BREAKS:
        return list(_HEADER_BREAKS[_norm(t)])
    m = _ITEM.match(t)
    if not m:
        return [t]
    num, rest = _norm(m.group("num")), m.group("rest")
    if style == "dot" and num[-1] in "、.．":
        return [num[:-1], num[-1] + rest]
    return [num, rest]


def _origin_rows(table) -> list[list[str]]:
    return [[c.text for c in row if c.origin] for row in table.rows]


def _find_lost_row(tables, word: str) -> tuple[int, int, int] | None:
    """(table, row, cell) of the label cell holding `word` in a row that has values."""
    for ti, table in enumerate(tables):
        for ri, cells in enumerate(_origin_rows(table)):
            if not any(is_value(c) for c in cells):
                continue
            for ci, c in enumerate(cells):
                if word in _norm(c) and not is_value(c):
                    return ti, ri, ci
    return None


def one_cell_per_line(doc, style: str, lose: str | None = None) -> tuple[str, str | None]:
    """The document as text, one table cell per line, paragraphs as lines; with `lose`, the label cell
    of that LOST_ROWS row replaced by an empty line. Returns (text, the removed label or None)."""
    tables = doc.tables
    target = None
    if lose:
        target = _find_lost_row(tables, LOST_ROWS[lose][0])
        if target is None:
            return "", None
    removed = None
    lines: list[str] = []
    gap = style == "apart"
    for block in doc.blocks:
        if not hasattr(block, "rows"):
            lines.append(block.text)
            continue
        ti = next(i for i, t in enumerate(tables) if t is block)
        for ri, cells in enumerate(_origin_rows(block)):
            for ci, c in enumerate(cells):
                if target == (ti, ri, ci):
                    removed = c
                    lines.append("")
                    continue
                for piece in _split_cell(c, style):
                    lines.append(piece)
                    if gap:
                        lines.append("")
    return "\n".join(lines) + "\n", removed


def rows_of(want: dict, metric: str | None) -> list[str]:
    if metric is None:
        return []
    return [k for k in want["facts"] if k == metric or k.startswith(metric + ":")]


def write_one_cell_per_line(variant: Variant, doc) -> None:
    style = variant.name.rsplit(".", 1)[0].rsplit("-", 1)[1]
    lose = style if variant.family == "lost" else None
    text, removed = one_cell_per_line(doc, "cells" if lose else style, lose)
    variant.path.write_text(text, encoding="utf-8")
    if lose:
        if removed is None:
            return  # the report has no such row (2021 format has none of the 2019 rows, and so on)
        word, metric, before, shared = LOST_ROWS[lose]
        cells_left = [ln for ln in text.splitlines() if word in _norm(ln) and len(ln) <= 40 and "。" not in ln]
        assert not cells_left, f"{variant.name}: the lost label is still in the file: {cells_left}"
        want = load_json(variant.expected)
        for k in rows_of(want, metric):
            variant.unlabelled[k] = f"its row's label {removed!r} was removed from the file"
        for k in rows_of(want, before):
            variant.may_lose[k] = "its values run straight on into the unlabelled row's values"
        for k in want["facts"]:
            if k.split(":")[0].startswith(shared) and k not in variant.unlabelled:
                variant.unverifiable[k] = "it shares an identity of 表三 with the unlabelled row"


# ---------------------------------------------------------------- building them

def build_text_variants(out: Path) -> dict[str, Variant]:
    from pipeline.read import read

    variants = {}
    docs = {}
    for name, family, src, exp in variant_names():
        if family not in ("ocpl", "lost"):
            continue
        if src not in docs:
            docs[src] = read(src)
        v = Variant(name, family, src, exp, out / name)
        write_one_cell_per_line(v, docs[src])
        variants[name] = v
    return variants


# ---------------------------------------------------------------- comparing

def judge(report, variant: Variant) -> dict:
    """What a variant gave against its golden answer: wrong values, unlabelled values given, golden
    facts missing (beyond the declared), share of golden facts given, facts given without `verified`."""
    want = load_json(variant.expected)
    got = report.values()
    wrong = [(k, got[k], v) for k, v in want["facts"].items()
             if k in got and k not in variant.unlabelled and not math.isclose(float(got[k]), float(v), abs_tol=1e-6)]
    wrong += [(k, got[k], "absent") for k in want.get("absent", []) if k in got]
    unlabelled = [(k, got[k]) for k in variant.unlabelled if k in got]
    expected = [k for k in want["facts"] if k not in variant.unlabelled]
    missing = [k for k in expected if k not in got and k not in variant.may_lose]
    given = sum(1 for k in expected if k in got)
    unverified = [f.key() for f in report.facts
                  if getattr(f, "verified", None) is not True and f.key() not in variant.unverifiable]
    return {"wrong": wrong, "unlabelled": unlabelled, "missing": missing, "given": given,
            "golden": len(expected), "fraction": given / len(expected) if expected else 1.0,
            "verified": sum(1 for f in report.facts if getattr(f, "verified", None) is True),
            "unverified": unverified, "year": report.year, "template": report.template,
            "want_year": want["year"], "want_template": want["template"]}


def unverified_in_source(report) -> dict[str, str]:
    """The facts the original report itself leaves unverified (its printed numbers do not add up):
    no rewriting of it can confirm them."""
    return {f.key(): "unverified in the original report too: the identities that contain it do not hold there"
            for f in report.facts if getattr(f, "verified", None) is not True}


def main(argv: list[str]) -> int:
    import tempfile

    from pipeline.extract import extract

    out = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="proof-variants-"))
    out.mkdir(parents=True, exist_ok=True)
    variants = build_text_variants(out)
    soffice = shutil.which("soffice")
    if soffice:
        from tests.extract.proof_office import build_office_variants

        variants.update(build_office_variants(out, soffice))
    for name in sorted(variants):
        v = variants[name]
        if v.family == "lost" and not v.unlabelled:
            continue
        try:
            v.unverifiable.update(unverified_in_source(extract(v.source)))
            j = judge(extract(v.path), v)
        except Exception as e:  # noqa: BLE001 - a report of every variant, whatever happens
            print(f"{name}\tERROR {type(e).__name__}: {e}")
            continue
        print(f"{name}\t{j['given']}/{j['golden']} ({j['fraction']:.1%})\twrong={len(j['wrong'])}"
              f"\tunlabelled_given={len(j['unlabelled'])}\tunverified={len(j['unverified'])} (verified {j['verified']})")
        for k, g, w in j["wrong"]:
            print(f"    WRONG {k}: got {g} want {w}")
        if j["unverified"]:
            print(f"    unverified {len(j['unverified'])}: {' '.join(j['unverified'][:20])}")
        for k, g in j["unlabelled"]:
            print(f"    UNLABELLED GIVEN {k}: got {g}")
        if j["missing"]:
            print(f"    missing {len(j['missing'])}: {' '.join(j['missing'][:40])}")
    print(f"files in {out}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
