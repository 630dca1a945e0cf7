"""The package's modules import one another without cycles (lazy imports inside functions included)."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "pipeline"


def _module(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    mod = _module(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("pipeline"):
                out.add(target)
                out.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("pipeline"))
    return out


def test_no_import_cycles():
    modules = {_module(p): p for p in PKG.rglob("*.py")}
    graph = {m: {i for i in _imports(p) if i in modules and i != m and not m.startswith(i + ".")}
             for m, p in modules.items()}
    # a package's __init__ importing its own submodules is not a cycle of the modules themselves
    graph = {m: {i for i in deps if not (modules[m].name == "__init__.py" and i.startswith(m + "."))}
             for m, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(d):] + [d]))
            if d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


# The flow, earliest first. A stage may import its own modules and those of earlier stages, never a
# later one. `spec` and `limits` are shared by all; `demo` and `fetch` stand beside the flow (they may
# use any stage, and no stage of the flow may use them); `cli` is the entry and may use everything.
STAGES = ["spec", "read", "extract", "warehouse", "refresh", "serve"]
BESIDE = {"demo", "fetch"}
SHARED = {"spec", "limits"}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_no_stage_imports_a_later_one():
    modules = {_module(p): p for p in PKG.rglob("*.py")}
    stages_seen = {_stage(m) for m in modules} - {None}
    assert set(STAGES) | BESIDE <= stages_seen, f"stage packages missing: {set(STAGES) | BESIDE - stages_seen}"
    bad = []
    for m, p in modules.items():
        own = _stage(m)
        if own in ("cli", "__main__", None) or own in BESIDE:
            continue
        for imp in _imports(p):
            other = _stage(imp)
            if other is None or other == own or other in SHARED:
                continue
            if other in BESIDE or other in ("cli", "__main__"):
                bad.append(f"{m} imports {imp} (beside the flow)")
            elif other in STAGES and own in STAGES and STAGES.index(other) > STAGES.index(own):
                bad.append(f"{m} imports {imp} (a later stage)")
            elif own in SHARED and other in STAGES:
                bad.append(f"{m} imports {imp} (shared modules use no stage)")
    assert not bad, "\n".join(bad)


def test_the_stage_check_catches_a_later_import(tmp_path, monkeypatch):
    """The rule above is not vacuous: a read module importing the warehouse is reported."""
    fake = tmp_path / "pipeline"
    (fake / "read").mkdir(parents=True)
    for s in STAGES + sorted(BESIDE):
        (fake / s).mkdir(exist_ok=True)
        (fake / s / "__init__.py").write_text("")
    (fake / "read" / "bad.py").write_text("from pipeline.warehouse.build import Builder\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["PKG"]), "PKG", fake)
    try:
        test_no_stage_imports_a_later_one()
    except AssertionError as e:
        assert "pipeline.read.bad imports pipeline.warehouse.build" in str(e)
    else:
        raise AssertionError("a read module importing the warehouse was not reported")


# a finding's stored text read for display: an attribute (.message, .message_en, .evidence's text through
# a regex), a column (["message"], "message_en" in SQL), or a text-to-labels substitution in the catalog
_READS_MESSAGE = ("message_en", "with_labels", "_KEY_RX")


def _reads_of_stored_messages(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("message", "message_en", "with_labels") \
                and not (isinstance(node.value, ast.Name) and node.value.id == "findings"):  # the writer itself
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                and node.slice.value in ("message", "message_en"):
            found.append(f"line {node.lineno}: [{node.slice.value!r}]")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and any(w in node.value for w in _READS_MESSAGE):
            found.append(f"line {node.lineno}: {node.value[:40]!r}")
        elif isinstance(node, ast.Name) and node.id in _READS_MESSAGE:
            found.append(f"line {node.lineno}: {node.id}")
    return found


def test_nothing_on_display_reads_a_findings_message_back():
    """The dashboard, the letters and the catalog write a finding from its fields (pipeline/spec/findings.py);
    none of them reads the stored message text (to substitute codes with labels, to count, to translate)."""
    root = Path(__file__).resolve().parent.parent
    files = [root / "dashboard.py", root / "pipeline" / "spec" / "catalog.py", *(root / "app_pages").glob("*.py"),
             *(root / "pipeline" / "serve").rglob("*.py")]
    assert len(files) > 20
    bad = {str(p.relative_to(root)): r for p in files if (r := _reads_of_stored_messages(ast.parse(p.read_text("utf-8"))))}
    assert bad == {}


def test_the_message_reader_check_catches_a_read_back():
    src = ('import re\nrows = [re.sub(r"app", "x", r.message) for r in f.itertuples()]\n'
           'con.execute("select message_en from check_results")\nlabels = with_labels(t)\nf["message"]\n')
    assert len(_reads_of_stored_messages(ast.parse(src))) == 4
    assert _reads_of_stored_messages(ast.parse("x = catalog.with_labels(m, 'zh')\n"))
