"""One fact key: `metric:dim` is made by pipeline.spec.model.fact_key in Python and by the warehouse's
`fact_key` macro (read as the views' `key` column) in SQL, nowhere else."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from pipeline.spec import catalog
from pipeline.spec.model import Fact, fact_key, split_key

ROOT = Path(__file__).resolve().parent.parent
CODE = [ROOT / "pipeline", ROOT / "app_pages", ROOT / "dashboard.py"]
_METRIC_PREFIX = re.compile(r"^[a-z][a-z_.]*:$")


def test_fact_key_and_split_key_agree():
    for key in catalog.all_keys():
        metric, dim = split_key(key)
        assert fact_key(metric, dim) == key
    assert fact_key("website.visits") == "website.visits" and split_key("website.visits") == ("website.visits", None)
    assert fact_key("app.total", "total") == "app.total:total"
    assert Fact("review", "upheld", 1, {}).key() == "review:upheld"


def built_again(path: Path) -> list[str]:
    """f-strings in `path` that spell a key: f"{m}:{d}", f"app.total:{d}", f"{m}:total"."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.JoinedStr):
            continue
        parts = ["{}" if isinstance(v, ast.FormattedValue) else v.value for v in node.values]
        if parts == ["{}", ":", "{}"] or (len(parts) == 2 and parts[1] == "{}" and _METRIC_PREFIX.match(parts[0])
                    and parts[0][:-1] in catalog.BY_CODE) \
                or (len(parts) == 2 and parts[0] == "{}" and re.fullmatch(r":[a-z_]+", parts[1])):
            out.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{node.lineno}")
    return out


def test_no_module_builds_the_key_itself():
    found = []
    for top in CODE:
        for path in [top] if top.suffix == ".py" else sorted(top.rglob("*.py")):
            if path != ROOT / "pipeline" / "spec" / "model.py":
                found += built_again(path)
    assert not found, "a `metric:dim` key built outside spec.model.fact_key:\n" + "\n".join(found)


def test_the_check_finds_a_key_built_again(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('a = f"{m}:{d}"\nb = f"app.total:{d}"\nc = f"{m}:total"\nd = f"{kind}: {n}"\ne = f"level:{x}"\n',
                   encoding="utf-8")
    assert [x.rsplit(":", 1)[1] for x in built_again(bad)] == ["1", "2", "3"]


def test_sql_spells_the_key_once():
    """The warehouse's SQL (schema, checks, queries, measures) concatenates metric and dim in one macro."""
    hits = []
    for path in [*sorted((ROOT / "pipeline").rglob("*.py")), *sorted((ROOT / "pipeline").rglob("*.sql"))]:
        text = path.read_text(encoding="utf-8")
        hits += [f"{path.relative_to(ROOT)}: {m.group()}"
                 for m in re.finditer(r"metric\s*\|\|\s*':'\s*\|\|\s*\w*\.?dim|':'\s*\|\|\s*\w*\.?dim", text)]
    assert hits == ["pipeline/warehouse/schema.sql: metric || ':' || dim"], hits
