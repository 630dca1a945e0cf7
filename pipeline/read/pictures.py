"""Where a web page's pictures are, for the OCR of tables pasted as screenshots.

A page's `<img>` is found, by its `src` as written in the page:

- beside a page on disk: the file the `src` names in the page's folder or below it (a page saved by a
  browser, `r_files/t1.png`), never a path out of the folder, another site's address or a data: URI;
  else the picture `nianbao fetch` downloaded with the page, kept in `<page stem>_files/<key>.<ext>`
  beside it, `<key>` being `picture_key(src)`;
- handed over with the page's bytes (the refresh, from its raw store): `{picture_key(src): bytes}`.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

# the formats a picture may have (by its first bytes), and the suffix it is kept under
_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"), (b"GIF89a", ".gif"),
          (b"BM", ".bmp"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"))


def picture_key(src: str) -> str:
    """The name a picture is kept under, from its `src` as the page writes it."""
    return hashlib.sha1(src.strip().encode("utf-8", "surrogatepass")).hexdigest()[:16]


def picture_suffix(data: bytes) -> str | None:
    """`.png`, `.jpg`, … by the picture's own first bytes; None when it is not a picture."""
    for magic, suffix in _MAGIC:
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return None


def saved_folder(page: Path) -> Path:
    """The folder beside a page that holds the pictures fetched with it."""
    return page.with_name(page.stem + "_files")


def _beside(src: str, folder: Path) -> Path | None:
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(src.strip())
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    path = (folder / unquote(parts.path)).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        return None
    return path


class Pictures:
    """A page's pictures: beside it on disk (`folder`, the page's `page_name`), or held in memory."""

    def __init__(self, folder: Path | None = None, page_name: str | None = None, held: dict[str, bytes] | None = None):
        self.folder, self.page_name, self.held = folder, page_name, held

    def find(self, src: str) -> tuple[str, int, Callable[[], bytes]] | None:
        """(a name for messages, its size, how to read it), or None where the page's `src` names no
        picture of its own."""
        if self.held is not None:
            data = self.held.get(picture_key(src))
            return None if data is None else (picture_key(src), len(data), lambda: data)
        path = self.path(src)
        if path is None:
            return None
        return path.name, path.stat().st_size, path.read_bytes

    def path(self, src: str) -> Path | None:
        """The file on disk a `src` names (for the refresh to keep it in the raw store)."""
        if self.folder is None:
            return None
        path = _beside(src, self.folder)
        if path is None and self.page_name:
            kept = saved_folder(self.folder / Path(self.page_name).name)
            if kept.is_dir():
                path = next((p for p in sorted(kept.glob(picture_key(src) + ".*")) if p.is_file()), None)
        return path
