"""Whether a file at the warehouse's path is one nianbao made, so a refresh never replaces another's."""
from __future__ import annotations

from pathlib import Path


def foreign_warehouse(db: Path, data_dir: Path) -> str | None:
    """Why the file at `db` must not be replaced (None when it is absent or nianbao's own).

    Nianbao's warehouse is a DuckDB file with its `meta` and `files` tables. A DuckDB file without them
    is someone else's; a file that is not DuckDB at all is too. A DuckDB file that cannot be opened is
    taken for a corrupt warehouse of nianbao's (moved aside and rebuilt) only when this data folder's
    raw store shows nianbao has run here."""
    db = Path(db)
    if not db.exists():
        return None
    if not db.is_file():
        return f"{db}: not a regular file; a warehouse cannot be published there (choose another --db)"
    try:
        with open(db, "rb") as fh:
            head = fh.read(16)
    except OSError as e:
        return f"{db}: cannot be read ({e.strerror or e})"
    if not head:
        return None  # an empty file: nothing to lose
    ours_here = (Path(data_dir) / "raw" / "index.jsonl").is_file()
    if head[8:12] != b"DUCK":
        return (f"{db}: not a DuckDB file, so a file nianbao did not make; it is left as it is (choose another --db, "
                "or move the file away)")
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    except Exception:
        return None if ours_here else (f"{db}: a DuckDB file that cannot be opened and no raw store of nianbao's beside "
                                       "it; it is left as it is (choose another --db)")
    if not {"meta", "files"} <= tables:
        return (f"{db}: a DuckDB database nianbao did not make (no meta and files tables); it is left as it is "
                "(choose another --db)")
    return None
