"""A house a newcomer can walk: no module past about 400 lines, no function past about 60 without saying
why in its docstring."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = [ROOT / "pipeline", ROOT / "app_pages", ROOT / "dashboard.py"]
MODULE_LINES = 420
FUNCTION_LINES = 60
# being rewritten (its text layer) by another change; its long functions are split there
NOT_YET: set[str] = set()


def _files():
    for top in CODE:
        yield from [top] if top.suffix == ".py" else sorted(top.rglob("*.py"))


def long_functions(path: Path, limit: int = FUNCTION_LINES) -> list[str]:
    """Functions of `path` longer than `limit` lines whose docstring does not say why (it names the 60 lines)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if node.end_lineno - first + 1 > limit and not re.search(r"\b60\s+lines\b", ast.get_docstring(node) or ""):
                rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)
                out.append(f"{rel.as_posix()}:{node.name}")
    return out


def test_no_module_past_the_mark():
    big = [f"{p.relative_to(ROOT)}: {n}" for p in _files()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINES]
    assert not big, "modules past the mark:\n" + "\n".join(big)


def test_no_long_function_without_a_reason():
    found = [f for p in _files() for f in long_functions(p) if f not in NOT_YET]
    assert not found, "functions past 60 lines with no reason in their docstring:\n" + "\n".join(found)


def test_the_check_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    (tmp_path / "m.py").write_text(f'def long():\n    """No reason."""\n{body}\n\n\n'
                                   f'def said():\n    """Past 60 lines: one table of constants."""\n{body}\n',
                                   encoding="utf-8")
    assert long_functions(tmp_path / "m.py") == ["m.py:long"]
