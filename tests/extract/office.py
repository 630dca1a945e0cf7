"""The programs the variant tests make documents with (LibreOffice, Chromium), found or the test stopped,
and one conversion of labelled HTML reports into what those programs make of them."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def need(program: str) -> str:
    """The program's path; in CI a missing program fails the test, elsewhere it skips it, saying why."""
    exe = shutil.which(program)
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{program} is missing in CI (tests/install_prerequisites.py should have installed it)")
        pytest.skip(f"{program} is not installed (tests/install_prerequisites.py installs it)")
    return exe


def office_and_browser(sources: list[Path], out: Path) -> None:
    """Each HTML report copied into `out`, then `<stem>.docx` and `<stem>.pdf` (the .docx printed) by
    LibreOffice and `<stem>.chromium.pdf` printed by Chromium, beside it."""
    soffice, chromium = need("soffice"), need("chromium")
    for src in sources:
        shutil.copy(src, out / src.name)
    lo = [soffice, f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless", "--convert-to"]
    subprocess.run(lo + ["docx:MS Word 2007 XML", "--outdir", str(out)] + [str(out / s.name) for s in sources],
                   check=True, capture_output=True, timeout=600)
    subprocess.run(lo + ["pdf", "--outdir", str(out)] + [str(out / (s.stem + ".docx")) for s in sources],
                   check=True, capture_output=True, timeout=600)
    for src in sources:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={out / 'chromium-profile'}",
                        f"--print-to-pdf={out / (src.stem + '.chromium.pdf')}", str(out / src.name)],
                       check=True, capture_output=True, timeout=120)
