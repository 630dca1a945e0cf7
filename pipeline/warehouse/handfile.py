"""One reader for the CSV files people edit by hand (the agency register, corrections, reviews).

Whatever a spreadsheet or an editor saved: UTF-8 with or without BOM, UTF-16 (BOM or detected),
GB18030/GBK, even a file whose lines mix UTF-8 and GBK (an analyst's old lines and the dashboard's new
ones). One record per line: a stray quote spoils its own line only, never the lines after it. A line
that cannot be decoded, holds a NUL, or has an unbalanced quote is named (file, line, reason) and left
out; the caller names the rest (wrong field count, bad values)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Rows:
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line number, fields), the header first
    problems: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    unreadable: str | None = None  # why the file as a whole cannot be read


def utf16(data: bytes) -> str | None:
    """The UTF-16 codec of these bytes (BOM, or NULs in every other byte), or None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return "utf-16-le"
    if len(data) >= 4 and data[0:1] == b"\x00" and data[2:3] == b"\x00":
        return "utf-16-be"
    return None


def decode_lines(data: bytes, name: str) -> tuple[list[tuple[int, str]], list[str], str, str | None]:
    """(line number, text) of every decodable line, the problems, the encoding, why unreadable."""
    problems: list[str] = []
    enc16 = utf16(data)
    if enc16:
        try:
            text = data.decode(enc16)
        except UnicodeDecodeError as e:
            return [], [], enc16, f"{name}: not valid UTF-16 (byte {e.start})"
        return [(i, line.lstrip("\ufeff") if i == 1 else line) for i, line in enumerate(text.splitlines(), 1)], \
            problems, enc16, None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out: list[tuple[int, str]] = []
    encodings = set()
    for i, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        for enc in ("utf-8", "gb18030"):
            try:
                out.append((i, raw.decode(enc)))
                if any(b > 127 for b in raw):
                    encodings.add(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            problems.append(f"{name} line {i}: neither UTF-8 nor GBK; line left out")
    if out and out[-1][1] == "" and data.endswith(b"\n"):
        out.pop()
    return out, problems, "gb18030" if encodings == {"gb18030"} else "utf-8", None


def read_rows(path: Path | str, delimiter: str | None = ",") -> Rows:
    """Every line of a hand-edited CSV as fields, each bad line named and left out. `delimiter=None`
    guesses among `,` `;` and tab from the first lines. A missing file is empty."""
    path = Path(path)
    name = path.name
    try:
        if not path.exists():
            return Rows()
        if not path.is_file():
            return Rows(unreadable=f"{name}: not a regular file")
        data = path.read_bytes()
    except OSError as e:
        return Rows(unreadable=f"{name}: cannot be read ({e.strerror or e})")
    lines, problems, encoding, why = decode_lines(data, name)
    if why:
        return Rows(problems=problems, encoding=encoding, unreadable=why)
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff("\n".join(t for _, t in lines[:20]), delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    rows: list[tuple[int, list[str]]] = []
    for i, text in lines:
        if "\x00" in text:
            problems.append(f"{name} line {i}: a NUL character; line left out")
            continue
        if not text.strip():
            continue
        try:
            rows.append((i, next(csv.reader([text], delimiter=delimiter, strict=True), [])))
        except csv.Error as e:
            problems.append(f"{name} line {i}: a stray or unbalanced quote ({e}); line left out")
    return Rows(rows, problems, encoding)
