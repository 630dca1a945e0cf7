"""The `nianbao` command line (also `python -m pipeline`). Thin: it parses arguments and calls the library."""
from __future__ import annotations

import argparse
import json
import os
import sys


def cmd_extract(args) -> int:
    """Print the facts of one report as JSON.

    Example: nianbao extract reports/luoyang-2020.txt
    Exit 0 when the file was read as a report (even partly: the issues say what is missing),
    2 when it is not a report or cannot be read (one line on stderr names the file and the reason).
    The file is read in a child process under the refresh's limits per file (NIANBAO_FILE_TIMEOUT,
    NIANBAO_FILE_MEMORY_MB); a FIFO, a device or a folder is refused without being opened.
    """
    import os
    import stat

    from pipeline.refresh.report import shown

    def fail(reason: str) -> int:
        print(f"nianbao extract: {shown(args.file)}: {shown(reason)}", file=sys.stderr)
        return 2

    try:
        st = os.stat(args.file)
    except FileNotFoundError:
        return fail("no such file")
    except OSError as e:
        return fail(f"cannot be read ({e.strerror or e})")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a directory" if stat.S_ISDIR(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        return fail(f"{kind}, not a report file; not read")
    ok, got = _extract_bounded(args.file)
    if not ok:
        return fail(got)
    json.dump(got, sys.stdout, ensure_ascii=False, indent=1 if args.pretty else None)
    sys.stdout.write("\n")
    return 0


def _extract_child(path: str):
    """In the limited child: (True, the report as JSON) or (False, the reader's one-line reason)."""
    from pipeline.extract import ReadError, extract
    from pipeline.refresh.workers import unreadable

    try:
        return True, extract(path).to_json()
    except (ReadError, MemoryError, RecursionError) as e:
        return False, unreadable(e)


def _extract_bounded(path: str) -> tuple[bool, object]:
    """Run `_extract_child` in one worker process of the refresh's kind (address space capped, dies with
    us), stopped after the time limit per file."""
    import os
    import time
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessPool
    from pebble.common import ProcessExpired

    from pipeline import limits
    from pipeline.refresh.workers import _worker_init

    lim = limits.current()
    with ProcessPool(max_workers=1, initializer=_worker_init,
                     initargs=((), os.getpid(), lim.memory_mb * 1024 * 1024)) as pool:
        started = time.monotonic()
        future = pool.schedule(_extract_child, args=(path,), timeout=lim.seconds)
        too_long = False, f"took longer than {lim.seconds:g} s to read (NIANBAO_FILE_TIMEOUT)"
        try:
            got = future.result()
        except FutureTimeout:
            return too_long
        except ProcessExpired:
            return False, ("its reader died (more memory than the limit per file allows, NIANBAO_FILE_MEMORY_MB, "
                           "or a crash)")
        except MemoryError:
            return False, "needs more memory than the limit per file allows (NIANBAO_FILE_MEMORY_MB)"
    # pebble checks the limit now and then: a file read between two checks but after the limit is over it
    return too_long if time.monotonic() - started > lim.seconds else got


def cmd_refresh(args) -> int:
    """Bring new report files from the inbox into the warehouse and publish it atomically.

    Example: nianbao refresh --inbox data/inbox --db data/warehouse.duckdb
             nianbao refresh --fetch            (fetch new reports from the register's sites first)
    Exit 0 when all went well, 1 when some sources or files failed (the rest is loaded and published),
    2 when the run itself failed (nothing published) or another refresh is running.
    """
    from pathlib import Path

    from pipeline.refresh.report import shown
    from pipeline.refresh.run import RefreshError, refresh

    agencies = Path(args.agencies) if args.agencies else (
        Path(args.data_dir) / "agencies.csv" if args.data_dir else Path(args.db).parent / "agencies.csv")
    got: dict = {}
    fetch_first = None
    if args.fetch:
        if not agencies.is_file():
            return _fetch(agencies, Path(args.inbox), args.quiet)[0]

        def fetch_first():  # called by the refresh once it holds its lock
            code, got["out"] = _fetch(agencies, Path(args.inbox), args.quiet)
            if code == 2:
                raise RefreshError("the fetch failed (see above); nothing was refreshed")
            return got["out"]
    draw = _Progress(args.quiet)
    try:
        rr = refresh(Path(args.inbox), Path(args.db), workers=args.workers,
                     data_dir=Path(args.data_dir) if args.data_dir else None, rebuild=args.rebuild,
                     progress=draw, agencies=agencies, fetched=fetch_first, dask_scheduler=args.dask_scheduler)
    except RefreshError as e:
        draw.close()
        print(f"nianbao refresh: {shown(str(e))}", file=sys.stderr)
        return 2
    draw.close()
    print(rr.summary())
    fetched = got.get("out")
    if fetched and fetched["failed_sources"]:
        return max(rr.exit_code, 1)
    return rr.exit_code


def cmd_fetch(args) -> int:
    """Fetch new annual reports from the sites of the agency register into the inbox.

    Example: nianbao fetch --agencies data/agencies.csv --inbox data/inbox
    Exit 0 when every source was read, 1 when some sources failed (the others were fetched),
    2 when the run failed (no register, say).
    """
    from pathlib import Path

    return _fetch(Path(args.agencies), Path(args.inbox), args.quiet, args.recheck)[0]


def _fetch(agencies, inbox, quiet: bool, recheck: bool = False):
    from pipeline.fetch.run import fetch, summary
    from pipeline.refresh.report import shown

    if not agencies.is_file():
        print(f"nianbao fetch: {shown(str(agencies))}: no agency register there (see the README: data/agencies.csv)",
              file=sys.stderr)
        return 2, None

    def progress(done, total):
        if not quiet and (done == total or done % 50 == 0):
            print(f"fetched {done}/{total} sources", file=sys.stderr, flush=True)

    from pipeline.fetch.run import Settings

    settings = Settings.from_env()
    settings.recheck = recheck
    try:
        out = fetch(agencies, inbox, settings, progress=progress)
    except OSError as e:
        print(f"nianbao fetch: {shown(str(e))}", file=sys.stderr)
        return 2, None
    print(summary(out))
    return (1 if out["failed_sources"] or out["register_problems"] else 0), out


class _Progress:
    """Extraction progress: a bar on a terminal, a line every few seconds otherwise, nothing when quiet."""

    def __init__(self, quiet: bool):
        import time

        self.quiet, self.bar, self.time, self.last = quiet, None, time.monotonic, 0.0

    def __call__(self, done: int, total: int):
        if self.quiet:
            return
        if sys.stderr.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="file", desc="extracting", file=sys.stderr)
            self.bar.update(done - self.bar.n)
        elif done == total or self.time() - self.last > 5:
            self.last = self.time()
            print(f"extracted {done}/{total}", file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def cmd_export(args) -> int:
    """Write the warehouse's facts as a long table and a wide table.

    Example: nianbao export --db data/warehouse.duckdb --out exports --format csv --year 2023
    """
    from pathlib import Path

    from pipeline.serve.export import export
    from pipeline.warehouse.build import connect_readonly

    if not Path(args.db).is_file():
        print(f"nianbao export: {args.db}: no warehouse there (run `nianbao refresh` first)", file=sys.stderr)
        return 2
    with connect_readonly(args.db) as con:
        paths = export(con, Path(args.out), args.format, args.agency or None, args.year or None, args.metric or None)
    for p in paths:
        print(p)
    return 0


def _writing_db(args, command: str):
    from pathlib import Path

    if not Path(args.db).is_file():
        print(f"nianbao {command}: {args.db}: no warehouse there (run `nianbao refresh` first)", file=sys.stderr)
        return None
    return Path(args.db)


def cmd_letter(args) -> int:
    """Draft the review letter (年报审查意见) of one report, as DOCX or PDF (from the suffix; .html and .md too).

    Example: nianbao letter --report 3f2a9c… --out 审查意见.docx [--lang en]
    Reviews are read from reviews.csv and templates from templates/ in the data folder (the warehouse's).
    Exit 0 when written, 2 when the report or the warehouse is not there or the suffix is unknown.
    """
    from pathlib import Path

    from pipeline.serve.writing.letter import NotFound, write_letter
    from pipeline.warehouse.build import connect_readonly

    db = _writing_db(args, "letter")
    if db is None:
        return 2
    with connect_readonly(db) as con:
        try:
            written = write_letter(con, args.report, Path(args.out), Path(args.data_dir) if args.data_dir else db.parent,
                                   args.lang)
        except (NotFound, ValueError) as e:
            print(f"nianbao letter: {e}", file=sys.stderr)
            return 2
    return _print_paths(written)


def _print_paths(written) -> int:
    """The files a command wrote, one a line; exit 0."""
    for p in written:
        print(p)
    return 0


def cmd_brief(args) -> int:
    """Draft the year's circular (年报审查情况通报) for a region and level; the format from the suffix
    (.docx .pdf .html .md; Markdown's charts go beside it as PNG files).

    Example: nianbao brief --year 2024 --region 320000 --level county --out 通报.docx [--lang en]
    Exit 0 when written, 2 when the warehouse is not there, the region has no agency or the suffix is unknown.
    """
    from pathlib import Path

    from pipeline.serve.queries import Filters
    from pipeline.serve.writing.brief import region_filter, write_brief
    from pipeline.warehouse.build import connect_readonly

    db = _writing_db(args, "brief")
    if db is None:
        return 2
    with connect_readonly(db) as con:
        try:
            ids, region = region_filter(con, args.region)
            flt = Filters(levels=tuple(args.level or ()), agency_ids=ids)
            written = write_brief(con, args.year, flt, Path(args.out), Path(args.data_dir) if args.data_dir else db.parent,
                                  args.lang, region)
        except ValueError as e:
            print(f"nianbao brief: {e}", file=sys.stderr)
            return 2
    return _print_paths(written)


def cmd_demo(args) -> int:
    """Write the bundled demo reports (deterministic: the same files every time).

    Example: nianbao demo --out data/inbox/demo
    """
    from pathlib import Path

    from pipeline.demo.generator import generate

    paths = generate(Path(args.out))
    print(f"{len(paths)} demo reports written to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line: every command and its options, declared in one place. Past 60 lines as a flat
    list of declarations (one or two lines an option), with no logic to split."""
    p = argparse.ArgumentParser(prog="nianbao", description="Read, check and compare 政府信息公开工作年度报告.")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="print the facts of one report as JSON", description=cmd_extract.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("file")
    e.add_argument("--pretty", action="store_true", help="indent the JSON")
    e.set_defaults(func=cmd_extract)
    r = sub.add_parser("refresh", help="load new reports from the inbox and publish the warehouse",
                       description=cmd_refresh.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--inbox", default="data/inbox", help="folder of report files, read recursively (default data/inbox)")
    r.add_argument("--db", default="data/warehouse.duckdb", help="the published warehouse (default data/warehouse.duckdb)")
    r.add_argument("--data-dir", help="raw store, run reports and corrections.csv (default: the warehouse's folder)")
    r.add_argument("--workers", type=int, help="extraction processes (default: 2 or the core count if lower)")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.add_argument("--rebuild", action="store_true",
                   help="read every original of the raw store again and build the warehouse afresh")
    r.add_argument("--fetch", action="store_true", help="first fetch new reports from the register's sites")
    r.add_argument("--agencies", help="the agency register (default: agencies.csv in the data folder)")
    r.add_argument("--dask-scheduler", default=os.environ.get("NIANBAO_DASK_SCHEDULER") or None,
                   metavar="tcp://HOST:PORT", help="read the new files on this Dask cluster instead of local "
                   "workers (default: NIANBAO_DASK_SCHEDULER; needs the dask extra)")
    r.set_defaults(func=cmd_refresh)
    f = sub.add_parser("fetch", help="fetch new reports from the agencies' sites into the inbox",
                       description=cmd_fetch.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    f.add_argument("--agencies", default="data/agencies.csv", help="the agency register (default data/agencies.csv)")
    f.add_argument("--inbox", default="data/inbox", help="where fetched files go (default data/inbox)")
    f.add_argument("--quiet", action="store_true", help="no progress output")
    f.add_argument("--recheck", action="store_true",
                   help="ask again (conditionally) for reports already downloaded, not only for list pages")
    f.set_defaults(func=cmd_fetch)
    x = sub.add_parser("export", help="write the facts as long and wide tables", description=cmd_export.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    x.add_argument("--db", default="data/warehouse.duckdb")
    x.add_argument("--out", required=True, help="output folder")
    x.add_argument("--format", choices=["csv", "parquet", "xlsx"], default="csv")
    x.add_argument("--agency", action="append", help="agency name (repeatable)")
    x.add_argument("--year", action="append", type=int, help="statistical year (repeatable)")
    x.add_argument("--metric", action="append", help="metric code or metric:dim key (repeatable)")
    x.set_defaults(func=cmd_export)
    lt = sub.add_parser("letter", help="draft the review letter of one report (DOCX, PDF)", description=cmd_letter.__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    lt.add_argument("--report", required=True, help="the report's id (the report page's ?report=)")
    lt.add_argument("--out", required=True, help="the file to write: .docx or .pdf (.html, .md)")
    bf = sub.add_parser("brief", help="draft the year's circular for a region (DOCX, PDF, HTML, Markdown)",
                        description=cmd_brief.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bf.add_argument("--year", type=int, required=True, help="the statistical year")
    bf.add_argument("--region", help="six-digit division code (320000 a province, 320100 a city); default: every agency")
    bf.add_argument("--level", action="append", choices=["national", "provincial", "city", "county", "township"],
                    help="the agencies' level (repeatable); default: every level")
    bf.add_argument("--out", required=True, help="the file to write: .docx .pdf .html or .md")
    for w, fn in ((lt, cmd_letter), (bf, cmd_brief)):
        w.add_argument("--db", default="data/warehouse.duckdb")
        w.add_argument("--data-dir", help="where reviews.csv and templates/ are (default: the warehouse's folder)")
        w.add_argument("--lang", choices=["zh", "en"], default="zh", help="Chinese (default) or English")
        w.set_defaults(func=fn)
    d = sub.add_parser("demo", help="write the bundled demo reports", description=cmd_demo.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("--out", default="data/inbox/demo")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # never a traceback for a user: one line, and exit 2
        from pipeline.refresh.report import shown

        print(f"nianbao {args.command}: internal error: {type(e).__name__}: {shown(str(e))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
