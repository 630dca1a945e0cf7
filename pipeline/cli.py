"""The `nianbao` command line (also `python -m pipeline`). Thin: it parses arguments and calls the library."""
from __future__ import annotations

import argparse
import json
import sys


def cmd_extract(args) -> int:
    """Print the facts of one report as JSON.

    Example: nianbao extract reports/luoyang-2020.txt
    Exit 0 when the file was read as a report (even partly: the issues say what is missing),
    2 when it is not a report or cannot be read (one line on stderr names the file and the reason).
    """
    from .extract import ReadError, extract

    try:
        report = extract(args.file)
    except ReadError as e:
        print(f"nianbao extract: {e}", file=sys.stderr)
        return 2
    out = report.to_json()
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1 if args.pretty else None)
    sys.stdout.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nianbao", description="Read, check and compare 政府信息公开工作年度报告.")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="print the facts of one report as JSON", description=cmd_extract.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("file")
    e.add_argument("--pretty", action="store_true", help="indent the JSON")
    e.set_defaults(func=cmd_extract)
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
        print(f"nianbao {args.command}: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
