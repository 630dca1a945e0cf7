"""Text as every reader hands it on: one spelling for each character.

PDF text layers (Chromium's among them) spell some ideographs with their Kangxi-radical or
CJK-compatibility code points: ⽂ (U+2F42) for 文, ⾏ (U+2F8F) for 行, 﨑 for 崎. They look the
same and match nothing. Full-width digits (１２８６４５) are turned into ASCII digits as well.
Nothing else is touched: full-width punctuation stays, since labels and sentences are cut on it.
"""
from __future__ import annotations

import re
import unicodedata


def _table() -> dict[int, str]:
    out: dict[int, str] = {}
    ranges = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            n = unicodedata.normalize("NFKC", ch)
            if n != ch and len(n) == 1 and "\u3400" <= n <= "\U0002ffff":
                out[cp] = n
    # CJK Radicals Supplement has no NFKC mapping; the common ones are mapped by hand
    out.update({0x2EA0: "民", 0x2ECB: "车", 0x2EC5: "见", 0x2EC8: "讠", 0x2ED3: "长", 0x2EE3: "骨"})
    for i in range(10):
        out[0xFF10 + i] = str(i)
    return out


_TABLE = _table()
_ANY = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\uff10-\uff19\U0002f800-\U0002fa1f]")


def normalize(text: str) -> str:
    """Kangxi radicals and compatibility ideographs as the ordinary ideographs; ASCII digits."""
    if not text or text.isascii() or not _ANY.search(text):
        return text
    return text.translate(_TABLE)


def needs_normalizing(text: str) -> bool:
    """Whether `normalize` would change anything in this text."""
    return bool(text) and not text.isascii() and _ANY.search(text) is not None
