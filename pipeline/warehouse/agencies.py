"""Agency names in, canonical agencies out: region (via cpca), level and sector.

Reports name their agency in several forms (洪泽区人民政府 / 淮安市洪泽区人民政府). Names that resolve to
the same administrative division and the same body (the part after the place names) are one agency;
its canonical name is the longest form seen, the others are its aliases.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

_SECTORS = (
    ("environment", ("生态环境", "环境保护", "环保")),
    ("natural_resources", ("自然资源", "国土", "规划")),
    ("transport", ("交通", "运输")),
    ("public_security", ("公安",)),
    ("justice", ("司法",)),
    ("finance", ("财政", "税务")),
    ("education", ("教育",)),
    ("health", ("卫生", "健康", "医疗保障", "医保")),
    ("housing", ("住房", "城乡建设", "住建", "建设局")),
    ("market", ("市场监督", "市场监管")),
    ("approval", ("行政审批", "政务服务", "数据")),
    ("agriculture", ("农业", "农村", "水利", "林业")),
    ("social", ("民政局", "民政厅", "人力资源", "社会保障", "社会事业", "退役军人")),
    ("development", ("发展和改革", "发改", "商务", "工业", "科技", "科学技术", "科委")),
    ("procurement", ("采购",)),
    ("media", ("新闻出版", "广播电视", "文化", "旅游")),
    ("government", ("人民政府", "管委会", "管理委员会", "办公厅", "办公室", "街道办事处", "实验区")),
)

SECTOR_LABELS = {
    "environment": ("生态环境", "Environment"), "natural_resources": ("自然资源", "Natural resources"),
    "transport": ("交通运输", "Transport"), "public_security": ("公安", "Public security"),
    "justice": ("司法", "Justice"), "finance": ("财政税务", "Finance"), "education": ("教育", "Education"),
    "health": ("卫生健康", "Health"), "housing": ("住房建设", "Housing"), "market": ("市场监管", "Market regulation"),
    "approval": ("行政审批", "Approval services"), "agriculture": ("农业水利", "Agriculture and water"),
    "social": ("民政社保", "Social affairs"), "development": ("发展改革科技", "Development and technology"),
    "procurement": ("政府采购", "Procurement"), "media": ("文化传媒", "Culture and media"),
    "government": ("政府及办公厅", "Government offices"), "other": ("其他", "Other"),
}
LEVEL_LABELS = {
    "national": ("中央", "National"), "provincial": ("省级", "Provincial"), "city": ("市级", "City"),
    "county": ("县区级", "County"), "township": ("乡镇街道", "Township"), "unknown": ("未知", "Unknown"),
}


# special zones that are no division in cpca's table: the province (and city) they belong to and a code
# for grouping (the province's or city's division code). Their committee and its departments rank with
# a prefecture-level city (平潭综合实验区 is run by 福建省; 雄安新区 by 河北省; 横琴 by 广东省 with 珠海市).
SPECIAL_ZONES = {
    "平潭综合实验区": ("福建省", None, "350128"),
    "雄安新区": ("河北省", None, "130600"),
    "横琴粤澳深度合作区": ("广东省", "珠海市", "440400"),
    "贵安新区": ("贵州省", None, "520100"),
    "赣江新区": ("江西省", None, "360100"),
}


@dataclass
class Agency:
    agency_id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    province: str | None = None
    city: str | None = None
    district: str | None = None
    adcode: str | None = None
    level: str = "unknown"
    sector: str = "other"


def sector_of(name: str) -> str:
    for sector, words in _SECTORS:
        if any(w in name for w in words):
            return sector
    return "other"


def _clean(v) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    if not s or s in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "nan"):
        return None
    return s


def resolve(names: list[str]) -> dict[str, Agency]:
    """Map every raw agency name to its canonical Agency."""
    names = sorted({re.sub(r"\s+", "", n) for n in names if n})
    if not names:
        return {}
    import cpca

    df = cpca.transform(names)
    keyed: dict[str, list[tuple[str, dict]]] = {}
    for name, (_, row) in zip(names, df.iterrows()):
        info = {"province": _clean(row.get("省")), "city": _clean(row.get("市")), "district": _clean(row.get("区")),
                "adcode": _clean(row.get("adcode")), "body": _clean(row.get("地址")) or name}
        if not _named(name, info):  # cpca guessed from a fragment (沐阳县 -> 重庆市): no region rather than a wrong one
            info = {"province": None, "city": None, "district": None, "adcode": None, "body": name}
        zone = next((z for z in SPECIAL_ZONES if z in name), None)
        if zone and not info["city"]:  # a zone cpca does not know: its province (and city) from the table below
            province, city, adcode = SPECIAL_ZONES[zone]
            info = {"province": province, "city": city, "district": None, "adcode": adcode,
                    "body": name.split(zone, 1)[1] or zone, "zone": zone}
        if info["adcode"] and info["body"]:
            key = f"{info['adcode']}|{info['body']}"
        else:
            key = f"name|{name}"
        keyed.setdefault(key, []).append((name, info))
    out: dict[str, Agency] = {}
    for key, members in keyed.items():
        canonical, info = max(members, key=lambda m: (len(m[0]), m[0]))
        aid = hashlib.sha1(key.encode()).hexdigest()[:12]
        level = _level(canonical, info)
        ag = Agency(aid, canonical, sorted(n for n, _ in members if n != canonical), info["province"], info["city"],
                    info["district"], info["adcode"], level, sector_of(canonical))
        for n, _ in members:
            out[n] = ag
    return out


def _named(name: str, info: dict) -> bool:
    """Does the name itself spell the most specific division cpca found?"""
    for part in ("district", "city", "province"):
        v = info.get(part)
        if v:
            stem = re.sub(r"(省|市|自治区|自治州|地区|盟|县|区|旗)$", "", v)
            return bool(stem) and stem[:2] in name
    return True


def _level(name: str, info: dict) -> str:
    body = info.get("body") or name
    if info.get("zone"):
        return "city"
    if re.search(r"(镇|乡|街道|街)(人民政府|办事处)?|街道办", body) or re.search(r"(镇|乡|街道)", name[-8:]):
        return "township"
    if info.get("district"):
        return "county"
    if info.get("city"):
        return "city"
    if info.get("province"):
        return "provincial"
    if name.startswith(("国家", "国务院", "中华人民共和国", "中国")) or (
            re.search(r"(部|总局|署)", name[:6]) and not re.search(r"[省市县区镇乡]", name)):
        return "national"
    if re.search(r"(县|区)(人民政府|政府)?", name):
        return "county"
    if "市" in name:
        return "city"
    return "unknown"
