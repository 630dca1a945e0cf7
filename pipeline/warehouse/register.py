"""The agency register, data/agencies.csv: who each agency is, where it publishes, which deadline applies.

One row per agency, UTF-8, header exactly

    agency_id,name,aliases,region_code,level,parent_id,list_url,report_urls,note

`aliases` and `report_urls` hold several values separated by `|`; `level` is one of ministry, province,
city, county, township, department; `region_code` is the six-digit administrative division code (the
Ministry of Civil Affairs' codes, as cpca ships them; 100000 for the central government).

The register is read at every refresh, in whatever encoding it was saved (pipeline/warehouse/handfile.py).
A row with a problem (a bad field, a control character, a duplicate id or name, a missing parent, a local
address) is named with its line and left out; the other rows are used. A register that cannot be read
at all is replaced by the last one read well, and the refresh says so and exits 1.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HEADER = ("agency_id", "name", "aliases", "region_code", "level", "parent_id", "list_url", "report_urls", "note")
LEVELS = ("ministry", "province", "city", "county", "township", "department")
NATIONAL_CODE = "100000"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass
class Entry:
    agency_id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    region_code: str = ""
    level: str = "department"
    parent_id: str = ""
    list_url: str = ""
    report_urls: list[str] = field(default_factory=list)
    note: str = ""
    line: int = 0

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    @property
    def hosts(self) -> set[str]:
        return {h for h in (host_of(u) for u in [self.list_url, *self.report_urls]) if h}

    @property
    def tier(self) -> str:
        """The dashboard's level (national, provincial, city, county, township) of this agency."""
        if self.level == "ministry" or self.region_code == NATIONAL_CODE:
            return "national"
        if self.level == "township":
            return "township"
        code = self.region_code
        if code.endswith("0000"):
            return "provincial"
        if code.endswith("00"):
            return "city"
        return "county"


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def address_problem(address: str, allow_local: bool = False) -> str | None:
    """Why an IP address must not be asked (loopback, link-local and the cloud metadata address, private,
    shared, reserved, multicast), or None. Loopback passes when `allow_local` (tests, local mirrors)."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return None  # a name, not an address: checked when it is resolved
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_local else "a loopback address"
    if ip.is_link_local:
        return "a link-local address (the cloud metadata service lives there)"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "not a public address"
    if ip.is_private or not ip.is_global:
        return "a private address"
    return None


def url_problem(url: str) -> str | None:
    """Why the register must not name this address: not http(s), no host, a local or private address,
    a non-standard port (both allowed for loopback with NIANBAO_FETCH_ALLOW_LOCAL=1)."""
    import os

    allow_local = os.environ.get("NIANBAO_FETCH_ALLOW_LOCAL", "") == "1"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"{url!r} is not a valid address"
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"{url!r} is not an http(s) address"
    local = host == "localhost" or host.endswith(".localhost")
    why = "a loopback address" if local and not allow_local else address_problem(host, allow_local)
    if why:
        return f"{url!r} names {why}; the fetch does not ask such addresses"
    if port not in (None, 80, 443) and not (allow_local and (local or address_problem(host) == "a loopback address")):
        return f"{url!r} names port {port}: only the standard ports (80, 443) are asked"
    return None


def squeeze(name: str) -> str:
    return re.sub(r"\s+", "", name or "")


def region_names(code: str) -> tuple[str | None, str | None, str | None]:
    """Province, city and district names of a six-digit code (None where the code has no such part)."""
    if not code or code == NATIONAL_CODE:
        return None, None, None
    import cpca

    def name(c: str) -> str | None:
        return cpca.adcode_name(c)

    prov = name(code[:2] + "0000")
    city = name(code[:4] + "00") if code[2:4] != "00" else None
    dist = name(code) if code[4:] != "00" else None
    return prov, city, dist


def known_region(code: str) -> bool:
    if code == NATIONAL_CODE:
        return True
    import cpca

    return cpca.adcode_name(code) is not None


@dataclass
class Register:
    entries: list[Entry]
    problems: list[str]
    path: str = ""
    unreadable: str | None = None  # why the file could not be read at all (then `entries` are the last good ones)


def read_register(path: Path | str, keep: Path | None = None) -> Register:
    """Read and check the register (any encoding a spreadsheet saves; see handfile.py). Returns the
    usable rows and, for every other, a message naming the line and the reason. A missing file is an
    empty register (no problem). With `keep` (a copy in the data folder): a register read well is kept
    there; one that cannot be read at all (an unknown encoding, no header, a folder) is replaced by the
    kept copy, and `unreadable` says why (the refresh then fails loudly)."""
    from pipeline.warehouse.handfile import read_rows

    path = Path(path)
    if not path.exists():
        return Register([], [], str(path))
    got = read_rows(path)
    why = got.unreadable
    if why is None:
        if not got.rows:
            why = f"{path.name}: no header (an empty register); save it with the header {','.join(HEADER)}"
        else:
            header = tuple(h.strip().lstrip("\ufeff") for h in got.rows[0][1])
            if header != HEADER:
                why = (f"{path.name} line {got.rows[0][0]}: the header must be exactly {','.join(HEADER)} "
                       f"(found {','.join(header)[:200]})")
    if why is None:
        reg = _check_rows(got.rows[1:], path.name, got.problems)
        reg.path = str(path)
        if keep is not None:
            try:
                keep.parent.mkdir(parents=True, exist_ok=True)
                tmp = keep.with_name(f".{keep.name}.tmp")
                tmp.write_bytes(path.read_bytes())
                tmp.replace(keep)
            except OSError:
                pass
        return reg
    if keep is not None and keep.is_file():
        prev = read_register(keep)
        if prev.unreadable is None:
            return Register(prev.entries, [f"{why}; the register cannot be read, so the last one read well is used "
                                           "until it is fixed", *got.problems], str(path), why)
    return Register([], [f"{why}; the register cannot be read: no agency is registered", *got.problems], str(path), why)


def parse_register(text: str, name: str = "agencies.csv") -> Register:
    """The register from its text (tests, the demo): the same checks as `read_register`."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_text(text, encoding="utf-8")
        reg = read_register(p)
    if reg.unreadable:
        reg.problems = [reg.unreadable]
    reg.path = name
    return reg


def _check_rows(rows: list[tuple[int, list[str]]], name: str, problems: list[str]) -> Register:
    """Every row checked: a row with a problem is named with its line and left out, as is a row whose
    parent is not in the register or whose name (in its region) another row already has."""
    candidates: list[Entry] = []
    seen_ids: dict[str, int] = {}
    problems = list(problems)
    for i, row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(HEADER):
            problems.append(f"{name} line {i}: {len(row)} fields, {len(HEADER)} expected; row left out")
            continue
        rec = dict(zip(HEADER, (c.strip() for c in row)))
        why = _row_problem(rec)
        if why:
            problems.append(f"{name} line {i}: {why}; row left out")
            continue
        if rec["agency_id"] in seen_ids:
            problems.append(f"{name} line {i}: agency_id {rec['agency_id']} is already used on line "
                            f"{seen_ids[rec['agency_id']]}; row left out")
            continue
        seen_ids[rec["agency_id"]] = i
        candidates.append(Entry(
            agency_id=rec["agency_id"], name=squeeze(rec["name"]),
            aliases=[squeeze(a) for a in rec["aliases"].split("|") if a.strip()],
            region_code=rec["region_code"], level=rec["level"], parent_id=rec["parent_id"],
            list_url=rec["list_url"], report_urls=[u.strip() for u in rec["report_urls"].split("|") if u.strip()],
            note=rec["note"], line=i))
    entries = _refuse_clashes(candidates, name, problems)
    urls: dict[str, Entry] = {}
    for e in entries:
        for u in [e.list_url, *e.report_urls]:
            if not u:
                continue
            other = urls.get(u)
            if other is not None and other.agency_id != e.agency_id:
                problems.append(f"{name} line {e.line}: the address {u} is also agency {other.agency_id}'s (line {other.line})")
            urls.setdefault(u, e)
    return Register(entries, problems, name)


def _refuse_clashes(candidates: list[Entry], name: str, problems: list[str]) -> list[Entry]:
    """The rows kept: a row whose name (in its region) an earlier row has is left out, and so is a row
    whose parent is not among the rows kept (and so on down)."""
    # the same name in the same region twice: reports could not be told apart; the later row is left out
    entries: list[Entry] = []
    named: dict[tuple[str, str], Entry] = {}
    for e in candidates:
        clash = next(((n, named[(n, e.region_code)]) for n in e.names if (n, e.region_code) in named), None)
        if clash is not None:
            n, other = clash
            problems.append(f"{name} line {e.line}: the name {n} in region {e.region_code} is already agency "
                            f"{other.agency_id}'s (line {other.line}); row left out")
            continue
        for n in e.names:
            named[(n, e.region_code)] = e
        entries.append(e)
    # a parent that is not in the register (rows left out included): the row is left out, and so on down
    while True:
        ids = {e.agency_id for e in entries}
        orphans = [e for e in entries if e.parent_id and e.parent_id not in ids]
        if not orphans:
            break
        for e in orphans:
            problems.append(f"{name} line {e.line}: parent_id {e.parent_id} is not an agency_id of the register; "
                            "row left out")
        gone = {e.agency_id for e in orphans}
        entries = [e for e in entries if e.agency_id not in gone]
    return entries


def _row_problem(rec: dict) -> str | None:
    for k, v in rec.items():
        if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in v):
            return f"{k} holds a control character"
    if not _ID.match(rec["agency_id"]):
        return f"agency_id {rec['agency_id']!r} must be letters, digits, '-', '_' or '.' (up to 64)"
    if not rec["name"]:
        return "no name"
    if rec["level"] not in LEVELS:
        return f"level {rec['level']!r} is not one of {', '.join(LEVELS)}"
    code = rec["region_code"]
    if not re.fullmatch(r"\d{6}", code):
        return f"region_code {code!r} is not a six-digit administrative division code"
    if not known_region(code):
        return f"region_code {code} is not a known administrative division code"
    for u in [rec["list_url"], *rec["report_urls"].split("|")]:
        u = u.strip()
        why = url_problem(u) if u else None
        if why:
            return why
    return None


def write_register(entries: list[Entry], path: Path) -> None:
    """Write a register (used by the demo and the tests)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for e in entries:
        w.writerow([e.agency_id, e.name, "|".join(e.aliases), e.region_code, e.level, e.parent_id, e.list_url,
                    "|".join(e.report_urls), e.note])
    Path(path).write_text(buf.getvalue(), encoding="utf-8")


class Matcher:
    """Attach a report to a register entry: by its source address first, then by its names, the site's
    region deciding between agencies of the same name."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.by_id = {e.agency_id: e for e in entries}
        self.by_url = {}
        self.by_host: dict[str, list[Entry]] = {}
        self.by_name: dict[str, list[Entry]] = {}
        for e in entries:
            for u in e.report_urls:
                self.by_url.setdefault(_norm_url(u), e)
            for h in e.hosts:
                self.by_host.setdefault(h, []).append(e)
            for n in e.names:
                self.by_name.setdefault(n, []).append(e)

    def match(self, agency_raw: str | None, source_url: str | None = None, agency_hint: str | None = None,
              adcode: str | None = None) -> tuple[Entry | None, str]:
        """(entry, how) or (None, why not). The register's own report addresses decide first; then the
        name the report gives (a city's list page may link its departments' reports); the agency the
        file was fetched for only when the name does not decide."""
        hinted = self.by_id.get(agency_hint or "")
        if source_url and _norm_url(source_url) in self.by_url:
            return self.by_url[_norm_url(source_url)], "its address is in the register"
        name = squeeze(agency_raw or "")
        cands = self.by_name.get(name, [])
        if not cands and name:
            # the title form without its place names (淮安市洪泽区人民政府 vs 洪泽区人民政府)
            cands = [e for n, es in self.by_name.items() if len(n) >= 4 and (name.endswith(n) or n.endswith(name))
                     and min(len(n), len(name)) >= 0.6 * max(len(n), len(name)) for e in es]
            cands = list({e.agency_id: e for e in cands}.values())
        if len(cands) == 1:
            return cands[0], "its name is in the register"
        if len(cands) > 1:
            if hinted is not None and hinted in cands:
                return hinted, "fetched for this agency (one of the register's agencies of this name)"
            host = host_of(source_url or "")
            site = {e.region_code for e in self.by_host.get(host, [])}
            narrowed = [e for e in cands if e.region_code in site] if site else []
            if len(narrowed) != 1 and adcode:
                narrowed = [e for e in cands if e.region_code == adcode[:6]]
            if len(narrowed) == 1:
                return narrowed[0], "its name is in the register; the region decided between agencies of that name"
            return None, f"{len(cands)} agencies of the register are named {name} and the region does not decide"
        if hinted is not None:
            return hinted, "fetched for this agency"
        return None, "no agency of the register has this name or address"


def _norm_url(u: str) -> str:
    s = urlsplit(u.strip())
    return f"{(s.hostname or '').lower()}{s.path}{'?' + s.query if s.query else ''}"
