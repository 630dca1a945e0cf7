"""Install the system programs some tests need, when they are missing: Debian's Chromium and CJK
fonts (the real-browser test) and LibreOffice Writer (reading legacy .doc/.wps reports).

Run by the README's test command before pytest. As root with apt-get (CI, a fresh machine) it
installs `chromium`, `fonts-noto-cjk` and `libreoffice-writer-nogui`; elsewhere it only says what is
missing, and those tests then skip with that reason (under CI=true they fail instead, so CI never
passes without them).
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


def main() -> int:
    missing = [pkg for pkg, ok in (("chromium", have_chromium()), ("fonts-noto-cjk", have_cjk_font()),
                                   ("libreoffice-writer-nogui", bool(shutil.which("soffice")))) if not ok]
    if not missing:
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"test prerequisites missing ({', '.join(missing)}); install them with "
              f"`sudo apt-get install {' '.join(missing)}` to run the browser and legacy-Word tests", file=sys.stderr)
        return 0
    print(f"installing {', '.join(missing)} from Debian's packages", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, stdout=subprocess.DEVNULL)
    r = subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env,
                       stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        print(f"apt-get install {' '.join(missing)} failed (exit {r.returncode})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
