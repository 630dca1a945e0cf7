"""The demo's agencies (and the tests' and benchmark corpora's): names at every level, from a number."""
from __future__ import annotations

PLACES = (
    ("江苏省", "南京市", "玄武区", "梅园新村街道"), ("河南省", "洛阳市", "西工区", "王城路街道"),
    ("湖北省", "武汉市", "江岸区", "大智街道"), ("广东省", "广州市", "天河区", "石牌街道"),
    ("四川省", "成都市", "锦江区", "春熙路街道"), ("浙江省", "杭州市", "西湖区", "北山街道"),
    ("陕西省", "西安市", "雁塔区", "小寨路街道"), ("福建省", "福州市", "鼓楼区", "东街街道"),
    ("山东省", "济南市", "历下区", "泉城路街道"), ("湖南省", "长沙市", "岳麓区", "橘子洲街道"),
    ("安徽省", "合肥市", "蜀山区", "三里庵街道"), ("江西省", "南昌市", "东湖区", "公园街道"),
)


CITY_DEPTS = ("生态环境局", "交通运输局", "公安局", "财政局", "教育局", "卫生健康委员会", "自然资源和规划局",
              "市场监督管理局", "司法局", "住房和城乡建设局", "民政局", "行政审批局")


PROVINCE_DEPTS = ("生态环境厅", "交通运输厅", "财政厅", "教育厅", "司法厅", "民政厅")


NATIONAL = ("生态环境部", "交通运输部", "国家税务总局", "国家新闻出版署", "教育部", "司法部")


_CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    return "".join(_CN[int(d)] for d in str(n))


def agency_name(i: int) -> tuple[str, str]:
    """A realistic agency name and its level, deterministic and unique in i (levels and places vary with i)."""
    kind = i % 10
    prov, city, district, street = PLACES[(i // 10) % len(PLACES)]
    k = i // (10 * len(PLACES))
    extra = "" if k == 0 else f"第{_cn(k)}分局"
    if kind == 0:
        return NATIONAL[(i // 10) % len(NATIONAL)] + (f"第{_cn(k * 2 + (i // 10) // len(NATIONAL))}派出机构" if (k or (i // 10) >= len(NATIONAL)) else ""), "national"
    if kind in (1, 2):
        dept = "人民政府办公厅" if kind == 1 else PROVINCE_DEPTS[(i // 10) % len(PROVINCE_DEPTS)]
        return f"{prov}{dept}{extra}", "provincial"
    if kind in (3, 4, 5, 6):
        return f"{city}{CITY_DEPTS[(kind + i // 10) % len(CITY_DEPTS)]}{extra}", "city"
    if kind == 7:
        return f"{city}{district}人民政府" + ("" if k == 0 else f"{_cn(k)}号派出机构"), "county"
    if kind == 8:
        return f"{city}{district}{CITY_DEPTS[(i // 10) % len(CITY_DEPTS)]}{extra}", "county"
    return f"{city}{district}{street}办事处" + ("" if k == 0 else f"第{_cn(k)}社区工作站"), "township"
