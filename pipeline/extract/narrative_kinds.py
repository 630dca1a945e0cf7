"""What a count in prose counts: things, or the places they are in; one kind, or several.

- A count of places things are published or received in (栏目, 专栏, 账号, 平台, 信箱, 渠道, 热线, 群)
  counts no letters, posts or followers: 开设…等3个栏目, 开通政务微博、微信等5个新媒体账号,
  新媒体账号共5个, 开通热线、信箱等渠道3条. The counted noun is the one right after the measure word,
  or the label's last noun when the number closes the label.
- A column named after the place (网站新设“乡村振兴”专栏，发布信息320条) may own the figure after it.
- A count after a list of kinds is a total over them, not the count of one: 召开新闻发布会和政策吹风会
  共12场, 网上咨询和局长信箱来信共80件, 发布新闻稿件和政策解读共50篇. A list of kinds each with its own
  count (召开新闻发布会3场、政策吹风会2场) gives each kind its count: the second is no rival figure.
  A combined metric (人大代表建议和政协提案) is one kind; what 解读 governs (解读规范性文件和重要政策
  文件14份) is not a list of kinds.
"""
from __future__ import annotations

import re

# what a count counts when it is a count of places things are published or received in (栏目, 账号,
# 平台, 信箱, 渠道): the noun right after the measure word (3个栏目, 5个新媒体账号), or the label's last
# noun when the number closes it (新媒体账号共5个, 开通热线、信箱等渠道3条)
_CONTAINER = (r"栏目|专栏|专题|专区|频道|版块|板块|子站|站点|网站|门户|平台|账号|帐号|公众号|服务号|订阅号|视频号|头条号|抖音号"
              r"|快手号|微信号|微博号|政务号|百家号|信箱|邮箱|渠道|热线|专线|窗口|通道|途径|入口|端口|链接|客户端|小程序|APP|App"
              r"|矩阵|(?:微信|QQ|粉丝|工作|交流|服务|用户)群|系统|终端|载体|阵地|菜单")
_CONTAINER_AFTER = re.compile(r"^\s*(?:[^\d，。；、,;：:（(至到在向于给由从经将把被对为是的发推]{0,8}?)(?:" + _CONTAINER + ")")
_CONTAINER_TAIL = re.compile(r"(?:" + _CONTAINER + r")(?:共计|共|总计|合计|总数|数量|数目|个数|数|总量|为|达到|达|有|等|计|了|已|\s)*$")
_CONTAINER_UNITS = frozenset({"个", ""})
_LINES = r"渠道|热线|专线|通道|途径|链接"  # counted by 条 as well
_LINE_AFTER = re.compile(r"^\s*(?:[^\d，。；、,;：:（(至到在向于给由从经将把被对为是的发推]{0,8}?)(?:" + _LINES + ")")
_LINE_TAIL = re.compile(r"(?:" + _LINES + r")(?:共计|共|总计|合计|总数|数量|数|为|达到|达|有|等|计|\s)*$")


_COLUMN = re.compile(r"栏目|专栏|专题|专区|频道|版块|板块")
_COUNTED = re.compile(r"^\s*(?:共|共计|数量|数)?\s*(?:\d+|[一二两三四五六七八九十]+)\s*个")  # 专栏4个
_COUNTED_BEFORE = re.compile(r"(?:(?:\d+|[一二两三四五六七八九十]+)\s*个[^\d，。；]{0,8}|等|各|各类|多个)$")  # 8个专栏, 等栏目


def in_a_column(tail: str, label: str = "") -> bool:
    """One column (“乡村振兴”专栏), named in the words after the last place and neither counted (专栏4个,
    8个专栏) nor a listing of the site's columns (等栏目, 各栏目): what follows may be its own figure. The
    agency's own column on a portal (门户网站本局栏目) is its site, no column of one. A figure whose own label
    says it is of what was just named (新增“惠企政策”专栏1个，发布相关政策信息64条) is the column's too."""
    columns = [m for m in _COLUMN.finditer(tail) if not OWN_COLUMN_BEFORE.search(tail[:m.start()])]
    return any(not _COUNTED.match(tail[m.end():]) and not _COUNTED_BEFORE.search(tail[:m.start()]) for m in columns) \
        or bool(columns and _RELATED.search(label))


_RELATED = re.compile(r"(?:发布|更新|推送|上传|刊发|刊载)了?相关|该(?:栏目|专栏|专题|专区)")


# 本局栏目, 我委专栏: the agency's own column on a portal (a department without a site of its own)
OWN_COLUMN_BEFORE = re.compile(r"(?:本|我)(?:局|委|办|厅|署|院|中心|单位|部门)\s*$")
OWN_COLUMN = re.compile(r"(?:本|我)(?:局|委|办|厅|署|院|中心|单位|部门)\s*(?:栏目|专栏|专区|频道|版块|板块)")


def counts_containers(unit: str, left: str, after: str) -> bool:
    """3个栏目, 账号共5个: the number counts columns, accounts, platforms or mailboxes, not items in them."""
    if unit in _CONTAINER_UNITS:
        return bool(_CONTAINER_AFTER.match(after) or _CONTAINER_TAIL.search(left))
    if unit == "条":
        return bool(_LINE_AFTER.match(after) or _LINE_TAIL.search(left))
    return False


# events that are not press conferences: a count that names one of them beside 发布会 counts both kinds
OTHER_EVENT = re.compile(r"(?:吹风|通气|座谈|见面|说明|推介|恳谈|听证|交流|通报|协调|沟通|研讨|论证|评议|观摩|记者|媒体|情况|解读|宣讲"
                         r"|对话|答疑|培训|咨询|解答|辅导|介绍|问答|推进|调度)会|访谈|直播|采访|开放日|发布活动")

# the things a count may be over: its own kind (kin) and other kinds listed beside it
_KINDS = {
    "mailbox.letters": (re.compile(r"信箱|来信|信件"),
                        re.compile(r"热线|电话|咨询|留言板|信访|来访|平台|网站|邮件|微信|微博|12345|问政")),
    "consultation.online": (re.compile(r"咨询"), re.compile(r"信箱|来信|热线|电话|信访|投诉|举报|建议|留言")),
    "interpretation.docs": (re.compile(r"解读|图解|解析"),
                            re.compile(r"稿件|新闻|信息|动态|通知|公告|图片|视频|文章|简报|材料|文件|政策")),
}
_MEMBER_SEP = re.compile(r"以及|[、和及与]")
_VERB_USE = re.compile(r"(?:解读|解析)(?!材料|文章|稿件|信息|类|稿|产品|作品|视频|图|共|合计|总计|计|数|等|达|为|\s|$)")  # 解读规范性文件: a verb


def several_kinds(metric: str, label: str) -> bool:
    """The label lists the metric's thing beside another kind, and the count follows the list: a total."""
    if metric == "press_conferences":
        return bool(OTHER_EVENT.search(label))
    if metric not in _KINDS:
        return False
    kin, other = _KINDS[metric]
    members = [m for m in _MEMBER_SEP.split(label) if m.strip()]
    if len(members) < 2:
        return False
    if metric == "interpretation.docs" and any(_VERB_USE.search(m) for m in members if kin.search(m)):
        return False  # 解读规范性文件和重要政策文件14份: what was interpreted, one count
    return any(other.search(m) and not kin.search(m) for m in members)


def another_kind(metric: str, words: str) -> bool:
    """召开新闻发布会3场、政策吹风会2场: the value beside names its own kind of event, not a rival figure."""
    return metric == "press_conferences" and bool(OTHER_EVENT.search(words))
