"""CI runs exactly the README's test command, strictly: CI=true set, and a prerequisites installer that
fails (exit non-zero) when a program the tests need cannot be installed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import install_prerequisites as prereq

ROOT = Path(__file__).resolve().parent.parent


def _readme_test_command() -> str:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "```sh", "the README opens with its two commands"
    return lines[2]  # the code block's second line: the test command


def test_ci_runs_the_readme_test_command_with_ci_set():
    command = _readme_test_command()
    assert "pytest" in command and "install_prerequisites.py" in command
    lines = [ln for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines[-1] == command, "the last line of .ci/run is the README's test command, verbatim"
    assert "export CI=true" in lines[:-1]


@pytest.fixture
def machine(monkeypatch):
    """A machine where nothing is installed and apt-get does what `apt` says."""
    state = {"installed": set(), "apt": {"update": 0, "install": 0}, "root": True, "calls": []}
    monkeypatch.setattr(prereq, "NEEDED", tuple(
        (what, pkgs, (lambda pkgs=pkgs: all(p in state["installed"] for p in pkgs)))
        for what, pkgs, _ in prereq.NEEDED))
    monkeypatch.setattr(prereq.os, "geteuid", lambda: 0 if state["root"] else 1000)
    monkeypatch.setattr(prereq.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)

    def run(cmd, **kw):
        state["calls"].append(cmd)
        step = cmd[1]
        code = state["apt"][step]
        if step == "install" and code == 0:
            state["installed"].update(cmd[4:])
        return subprocess.CompletedProcess(cmd, code)

    monkeypatch.setattr(prereq.subprocess, "run", run)
    monkeypatch.delenv("CI", raising=False)
    return state


def test_installs_what_is_missing(machine):
    assert prereq.main() == 0
    assert machine["installed"] == {"chromium", "fontconfig", "fonts-noto-cjk", "libreoffice-writer-nogui"}


def test_nothing_missing_runs_nothing(machine):
    machine["installed"].update(p for _, pkgs, _ in prereq.NEEDED for p in pkgs)
    assert prereq.main() == 0 and machine["calls"] == []


@pytest.mark.parametrize("step", ["update", "install"])
def test_apt_failing_fails(machine, capsys, step):
    machine["apt"][step] = 100
    assert prereq.main() != 0
    assert f"apt-get {step}" in capsys.readouterr().err


def test_a_program_still_missing_after_apt_fails(machine, capsys, monkeypatch):
    def run(cmd, **kw):  # apt-get says yes but installs nothing
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(prereq.subprocess, "run", run)
    assert prereq.main() != 0
    assert "still missing" in capsys.readouterr().err


def test_cannot_install_fails_in_ci_only(machine, capsys, monkeypatch):
    machine["root"] = False
    assert prereq.main() == 0, "a developer's machine: the tests skip, saying why"
    assert "sudo apt-get install" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    assert prereq.main() != 0
    assert "FAILED" in capsys.readouterr().err
    assert machine["calls"] == []


def test_hypothesis_is_derandomised_in_ci():
    from hypothesis import settings

    code = ("import tests.conftest; from hypothesis import settings; "
            "print(settings.default.derandomize, settings.default.database)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env=dict(os.environ, CI="true", PYTHONPATH=str(ROOT))).stdout.split()
    assert out == ["True", "None"]
    assert settings.get_profile("ci").derandomize
