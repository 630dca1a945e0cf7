"""A warehouse built from the bundled demo reports, shared by the dashboard tests."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.refresh.run import refresh

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["overview", "compare", "profile", "web_media", "applications", "review", "active", "quality", "report"]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The warehouse of the bundled demo reports (data/inbox/demo) and register (data/agencies.csv), built in
    a temporary folder as the README's first command builds it."""
    base = tmp_path_factory.mktemp("demo")
    (base / "inbox").mkdir()
    shutil.copytree(ROOT / "data" / "inbox" / "demo", base / "inbox" / "demo")  # links out of an inbox are not followed
    db = base / "data" / "warehouse.duckdb"
    rr = refresh(base / "inbox", db, quiet=True, workers=2, agencies=ROOT / "data" / "agencies.csv")
    assert rr.exit_code == 0
    return db


_MEDIA: dict[str, bytes] = {}  # every download's bytes by file id, as the pages handed them to Streamlit


def _keep_media() -> None:
    """Record what each page hands to Streamlit's in-memory media storage. AppTest's storage lives only as
    long as its run's runtime: once nothing refers to it, a garbage collection between the run and the
    test's reading of a download frees it (the bytes were then looked for in vain, now and then)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    original = MemoryMediaFileStorage.load_and_get_id
    if getattr(original, "_nianbao_kept", False):
        return

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        _MEDIA[file_id] = self._files_by_id[file_id].content
        return file_id

    load_and_get_id._nianbao_kept = True
    MemoryMediaFileStorage.load_and_get_id = load_and_get_id


_keep_media()


def media_bytes(url: str) -> bytes:
    """The bytes behind a download button in AppTest (what the page stored in its media storage)."""
    file_id = re.search(r"/([0-9a-f]+)\.\w+$", url).group(1)
    if file_id not in _MEDIA:
        raise KeyError(url)
    return _MEDIA[file_id]


def by_code(df):
    """A download's frame with its columns named by their codes (`公开率（%） [grant_rate]` -> grant_rate)."""
    return df.rename(columns=lambda c: re.search(r"\[([^\]]+)\]$", c).group(1) if re.search(r"\[([^\]]+)\]$", c) else c)
