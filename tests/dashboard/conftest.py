"""A warehouse built from the bundled demo reports, shared by the dashboard tests."""
from __future__ import annotations

import gc
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


def media_bytes(url: str) -> bytes:
    """The bytes behind a download button in AppTest (its in-memory media storage)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    file_id = re.search(r"/([0-9a-f]+)\.\w+$", url).group(1)
    for o in gc.get_objects():
        if isinstance(o, MemoryMediaFileStorage) and file_id in o._files_by_id:
            return o._files_by_id[file_id].content
    raise KeyError(url)


def by_code(df):
    """A download's frame with its columns named by their codes (`公开率（%） [grant_rate]` -> grant_rate)."""
    return df.rename(columns=lambda c: re.search(r"\[([^\]]+)\]$", c).group(1) if re.search(r"\[([^\]]+)\]$", c) else c)
