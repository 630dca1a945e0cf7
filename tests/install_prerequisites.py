"""Install the system programs some tests need, when they are missing: Debian's Chromium and CJK
fonts (the real-browser test) and LibreOffice Writer (reading legacy .doc/.wps reports).

Run by the README's test command before pytest. As root with apt-get (CI, a fresh machine) it
installs `chromium`, `fonts-noto-cjk` (with `fontconfig`, which lists fonts) and
`libreoffice-writer-nogui`, then checks each program is there; when apt-get fails, or a program is
still missing after it, it says which and exits non-zero, so the test command stops.

Where it cannot install (not root, no apt-get) it says what is missing and what to run: under
CI=true (which `.ci/run` sets) that is a failure too, so CI never passes with the browser or
legacy-Word tests skipped; on a developer's machine it exits 0 and those tests skip, saying why.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys


def have_chromium() -> bool:
    return any(shutil.which(n) for n in ("chromium", "chromium-browser"))


def have_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


def have_soffice() -> bool:
    return bool(shutil.which("soffice"))


# what a test needs -> the Debian packages that provide it, and how to tell it is there
NEEDED = (
    ("Chromium", ("chromium",), have_chromium),
    ("a CJK font", ("fontconfig", "fonts-noto-cjk"), have_cjk_font),
    ("LibreOffice (soffice)", ("libreoffice-writer-nogui",), have_soffice),
)


def missing() -> list[tuple[str, tuple[str, ...]]]:
    return [(what, pkgs) for what, pkgs, ok in NEEDED if not ok()]


def fail(message: str) -> int:
    print(f"install_prerequisites: FAILED: {message}", file=sys.stderr)
    return 1


def main() -> int:
    lacking = missing()
    if not lacking:
        return 0
    names = ", ".join(what for what, _ in lacking)
    packages = [p for _, pkgs in lacking for p in pkgs]
    in_ci = os.environ.get("CI") == "true"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        how = f"`sudo apt-get install {' '.join(packages)}`"
        if in_ci:
            return fail(f"{names} missing and cannot be installed here (needs root and apt-get); install with {how}")
        print(f"test prerequisites missing ({names}); install them with {how} to run the browser and "
              "legacy-Word tests (they skip until then)", file=sys.stderr)
        return 0
    print(f"installing {' '.join(packages)} from Debian's packages", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run(["apt-get", "update", "-qq"], env=env, stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        return fail(f"apt-get update failed (exit {r.returncode}); {names} not installed")
    r = subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=env, stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        return fail(f"apt-get install {' '.join(packages)} failed (exit {r.returncode})")
    still = missing()
    if still:
        return fail(f"still missing after apt-get install: {', '.join(what for what, _ in still)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
