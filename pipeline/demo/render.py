"""Facts in, a report file out: the official tables and narrative sentences, as TXT, HTML, DOCX or PDF.

`random_facts` draws a self-consistent set of facts (the tables' identities hold); `render` writes
them into a report of either template in one of several layouts (header styles, whitespace, labels
broken over lines, GBK, site chrome). Used by the round-trip tests, the demo data and the
benchmark corpora. The parser must return exactly the facts given.
"""
from __future__ import annotations

import html as _html
import random
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.spec.catalog import APPLICANT, REVIEW

# --- the official tables: declared once in tables.py ----------------------------------------------
from pipeline.spec import tables
from pipeline.spec.tables import (ACTIVE_BLOCKS, APP_HEAD, APP_NOTE, APPLICANT_HEAD, REVIEW_BLOCKS,  # noqa: E402,F401
                     REVIEW_HEAD, app_rows, outcome_metrics)
from pipeline.spec.model import fact_key
from pipeline.demo.facts import (  # noqa: F401  (re-exported: callers use render.<name>)
    _amount, random_facts, next_year)
from pipeline.demo.agencies import (  # noqa: F401  (re-exported: callers use render.<name>)
    PLACES, CITY_DEPTS, PROVINCE_DEPTS, NATIONAL, _CN, _cn, agency_name)


# --- layout ---------------------------------------------------------------------------------------

@dataclass
class Layout:
    """How a report is written; every combination must read back to the same facts."""
    fmt: str = "html"  # txt | html | docx | pdf
    txt_sep: str = "tab"  # tab | pipe | spaces | lines (one cell per line)  (TXT only)
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | gb18030
    crlf: bool = False
    pad: bool = False  # &nbsp; / extra spaces around values
    split_labels: bool = False  # long row labels broken over two lines (TXT) or two <p> (HTML)
    one_active_table: bool = True  # 表二 as one table with caption rows, or one table per block
    chrome: bool = False  # site navigation and footer around the report (HTML)
    amount_in_yuan: bool = False  # procurement amount printed as '123456.78元' (2019 only)
    title_year_first: bool = False  # 2020年XX局政府信息公开工作年度报告
    blank_mark: str = ""  # how a blank cell is printed: '' (empty) or '/' or '—'
    thin_closing: bool = False  # sections 五 and 六 with a word each (what the office's checks flag)
    extra: dict = field(default_factory=dict)


def layouts() -> list[Layout]:
    """A spread of layouts for tests and corpora."""
    return [
        Layout("txt"), Layout("txt", txt_sep="pipe", crlf=True), Layout("txt", txt_sep="spaces", blank_mark="—"),
        Layout("txt", encoding="gb18030", split_labels=True, pad=True),
        Layout("txt", encoding="utf-8-sig", title_year_first=True, amount_in_yuan=True),
        Layout("html"), Layout("html", chrome=True, pad=True, one_active_table=False),
        Layout("html", encoding="gb18030", split_labels=True, blank_mark="/"),
        Layout("html", amount_in_yuan=True, title_year_first=True),
    ]


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) or isinstance(v, Decimal):
        d = Decimal(str(v)).normalize()
        s = format(d, "f")
        return s
    return str(v)


@dataclass
class _Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False


def _tables(facts: dict, template: str, lay: Layout) -> list[tuple[str, list[list[_Cell]]]]:
    """The three tables as rows of cells (with spans), each under its section heading. Past 60 lines: the
    three layouts read top to bottom as the report prints them, each a few lines of cells."""
    blank = lay.blank_mark

    def val(key):
        v = facts.get(key)
        return _Cell(blank if v is None else _fmt(v), value=True)

    # 表二
    active: list[list[_Cell]] = []
    active_tables: list[list[list[_Cell]]] = []
    for caption, header, rows, dims in ACTIVE_BLOCKS[template]:
        block: list[list[_Cell]] = []
        width = 4
        block.append([_Cell(caption, colspan=width)])
        head = list(header)
        if tables.PROCUREMENT_AMOUNT in head and not lay.amount_in_yuan:  # in 元 the unit is printed in each cell instead
            head[head.index(tables.PROCUREMENT_AMOUNT)] = tables.PROCUREMENT_AMOUNT + tables.IN_WAN_YUAN
        span = width - 1 if len(head) == 2 else 1
        hrow = [_Cell(head[0])] + [_Cell(h, colspan=span) for h in head[1:]]
        if len(head) == 3:
            hrow.append(_Cell(""))
        block.append(hrow)
        for label, metric in rows:
            r = [_Cell(label)]
            for d in dims:
                c = val(fact_key(metric, d))
                if d == "amount_wan_yuan" and lay.amount_in_yuan and template == "2019" and c.text not in ("", "/", "—"):
                    yuan = (Decimal(c.text) * 10000).normalize()
                    c.text = format(yuan.quantize(Decimal("0.01")) if yuan != yuan.to_integral_value() else yuan, "f") + "元"
                c.colspan = span
                r.append(c)
            if len(head) == 3:
                r.append(_Cell(""))
            block.append(r)
        active_tables.append(block)
        active += block
    # 表三
    app: list[list[_Cell]] = [
        [_Cell(APP_NOTE[0], rowspan=3, colspan=3), _Cell(tables.APPLICANTS[0], colspan=7)],
        [_Cell(APPLICANT_HEAD[0], rowspan=2), _Cell(tables.LEGAL_PERSONS[0], colspan=5), _Cell(APPLICANT_HEAD[-1], rowspan=2)],
        [_Cell(h) for h in APPLICANT_HEAD[1:6]],
    ]
    for _, label, metric in APP_HEAD:
        app.append([_Cell(label, colspan=3)] + [val(fact_key(metric, d)) for d in APPLICANT])
    results = app_rows(template)
    first = True
    group_seen: dict[str, int] = {}
    for group, label, metric in results:
        r: list[_Cell] = []
        if first:
            r.append(_Cell(tables.APP_OUTCOMES[0], rowspan=len(results)))
            first = False
        if group is None:
            r.append(_Cell(label, colspan=2))
        else:
            if group not in group_seen:
                group_seen[group] = sum(1 for g, _, _ in results if g == group)
                r.append(_Cell(group, rowspan=group_seen[group]))
            r.append(_Cell(label))
        r += [val(fact_key(metric, d)) for d in APPLICANT]
        app.append(r)
    carried_label, carried = tables.APP_CARRIED_OUT
    app.append([_Cell(carried_label, colspan=3)] + [val(fact_key(carried, d)) for d in APPLICANT])
    # 表四
    rev: list[list[_Cell]] = [
        [_Cell(tables.REVIEW_GROUP[0], colspan=5), _Cell(tables.LITIGATION_GROUP[0], colspan=10)],
        [_Cell(h, rowspan=2) for h in REVIEW_HEAD] + [_Cell(zh, colspan=5) for zh, _ in tables.LITIGATION_BLOCKS.values()],
        [_Cell(h) for h in REVIEW_HEAD] * 2,
        [val(fact_key(b, d)) for b in REVIEW_BLOCKS for d in REVIEW],
    ]
    out = []
    if lay.one_active_table:
        out.append((tables.HEADINGS["active"][0], active))
    else:
        out.append((tables.HEADINGS["active"][0], active_tables[0]))
        out += [("", t) for t in active_tables[1:]]
    out.append((tables.HEADINGS["applications"][0], app))
    out.append((tables.HEADINGS["review_litigation"][0], rev))
    return out


FILLER = (
    "坚持以公开为常态、不公开为例外，持续深化政务公开工作。",
    "严格落实政府信息公开保密审查制度，确保公开内容合法合规。",
    "进一步规范依申请公开办理流程，做到依法依规、按时答复。",
    "加强政策文件解读工作，做到政策文件与解读材料同步起草、同步审签、同步发布。",
    "围绕重点领域信息公开，及时发布财政预决算、重大建设项目等信息。",
    "健全政务新媒体管理制度，规范信息发布审核流程。",
    "开展政务公开业务培训，提升工作人员业务能力和水平。",
    "完善政府信息公开指南和目录，方便公众查询。",
    "加强政府网站内容保障，及时更新各栏目信息。",
    "认真办理网民留言，及时回应社会关切。",
    "推进基层政务公开标准化规范化建设，细化公开事项清单。",
    "建立健全政务公开工作机制，明确责任分工。",
    "做好政府信息管理工作，定期清理规范性文件。",
    "加强政务公开监督检查，将政务公开纳入年度绩效考核。",
    "持续优化政务服务，推动办事指南全面公开。",
    "拓展公开渠道，充分利用政务公开专区和新闻媒体发布信息。",
    "主动公开权责清单、公共服务事项清单，并实行动态调整。",
    "积极推进决策公开，重大行政决策事项均向社会征求意见。",
    "规范信息发布流程，落实三审三校制度。",
    "强化公开平台建设，推动政府网站集约化。",
    "认真做好人大代表建议和政协委员提案办理结果公开工作。",
    "加强对下级单位政务公开工作的指导和监督。",
    "及时公开行政许可、行政处罚等执法信息。",
    "围绕优化营商环境，集中公开惠企政策。",
    "不断完善政务公开制度体系，形成长效机制。",
    "聚焦群众关切，开展政策咨询和在线访谈活动。",
    "政务公开工作存在信息更新不够及时的问题，下一步将加强日常巡查。",
    "政策解读形式还比较单一，下一步将更多运用图解、视频等形式。",
    "公开工作人员业务水平有待提高，下一步将加强培训。",
    "依申请公开答复规范化水平有待提升，下一步将完善答复文书模板。",
)


def filler(rng: random.Random, n: int = 14) -> list[str]:
    """Narrative sentences without figures, as every report has many of."""
    return rng.sample(FILLER, n)


def narrative(facts: dict, agency: str, year: int, rng: random.Random) -> list[str]:
    """Sentences stating the narrative facts, in one of a few phrasings each."""
    out = []
    s = []
    if "website.posts" in facts:
        s.append(rng.choice(["门户网站信息发布总数 {} 条", "在政府网站主动公开政府信息{}条", "通过门户网站发布信息{}条"])
                 .format(facts["website.posts"]))
    if "website.visits" in facts:
        s.append(rng.choice(["网站总访问量 {} 次", "网站访问量达{}次"]).format(facts["website.visits"]))
    if s:
        out.append(f"{year}年度，{rng.choice(['我单位', '本机关'])}" + "，".join(s) + "。")
    names = {"wechat": "微信公众号", "weibo": "官方微博", "douyin": "抖音账号", "toutiao": "今日头条号", "kuaishou": "快手账号"}
    for p, name in names.items():
        parts = []
        if f"newmedia.{p}.posts" in facts:
            parts.append(rng.choice(["全年发布信息{}条", "共发布信息量 {} 条", "发稿量为{}篇"]).format(facts[f"newmedia.{p}.posts"]))
        if f"newmedia.{p}.followers" in facts:
            parts.append(rng.choice(["关注量{}人", "粉丝量为 {} 人", "订阅数{}个"]).format(facts[f"newmedia.{p}.followers"]))
        if parts:
            out.append(f"{name}“{agency[-4:]}”" + "，".join(parts) + "。")
    if "interpretation.docs" in facts:
        out.append(rng.choice(["全年发布政策解读{}篇。", "全年共解读规范性文件及需群众广泛知晓的文件 {} 份。"])
                   .format(facts["interpretation.docs"]))
    if "press_conferences" in facts:
        out.append("全年召开新闻发布会{}场，及时回应社会关切。".format(facts["press_conferences"]))
    if "mailbox.letters" in facts:
        out.append("领导信箱共收到群众来信{}件，均已按时办结。".format(facts["mailbox.letters"]))
    if "fees.collected_yuan" in facts:
        out.append("全年收取政府信息公开信息处理费{}元。".format(facts["fees.collected_yuan"]))
    return out


def closing(lay: "Layout", rng) -> list[tuple[str, list[str]]]:
    """Sections 五 and 六 as reports write them: problems and next steps, and the fees statement the 2021
    format asks for (no figure: the fee, when there is one, is stated in section 一)."""
    if lay.thin_closing:
        return [("五、存在的主要问题及改进情况", ["无。"]), ("六、其他需要报告的事项", ["无。"])]
    problems = rng.choice([
        "一是公开内容还不够丰富，部分栏目更新不够及时。二是政策解读形式较为单一，图解、视频解读偏少。",
        "一是主动公开的深度和广度有待提升。二是依申请公开答复的规范化水平还需提高，工作人员业务能力有待加强。"])
    plans = rng.choice([
        "下一步，将加强栏目日常维护，丰富解读形式，提升政府信息公开工作质量。",
        "下一步，将健全公开工作机制，加强业务培训，持续提高答复质量和公开实效。"])
    return [("五、存在的主要问题及改进情况", [problems, plans]),
            ("六、其他需要报告的事项", ["本机关依据《政府信息公开信息处理费管理办法》收取信息处理费，收取情况见本报告第一部分。"])]


def _split(label: str) -> tuple[str, str] | None:
    if len(label) < 12:
        return None
    cut = len(label) // 2
    return label[:cut], label[cut:]


# --- writers --------------------------------------------------------------------------------------

def _txt(facts, agency, year, template, lay: Layout, rng) -> str:
    """The report as plain text: title, sections, sentences and the tables in the layout's separator. Past 60
    lines: the report written top to bottom, drawing from `rng` in the order the corpora depend on."""
    lines = []
    title = (f"{year}年{agency}政府信息公开工作年度报告" if lay.title_year_first
             else f"{agency} {year} 年政府信息公开工作年度报告")
    lines += [title, "", "一、总体情况", ""]
    lines.append(f"本报告由{agency}编制。本年报所列数据的统计期限为 {year} 年 1 月 1 日至 {year} 年 12 月 31 日。")
    lines += narrative(facts, agency, year, rng)
    lines += filler(rng)
    sep = {"tab": "\t", "pipe": " | ", "spaces": "    ", "lines": "\n"}[lay.txt_sep]
    for heading, table in _tables(facts, template, lay):
        if heading:
            lines += ["", heading, ""]
        pending: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
        for row in table:
            cells: list[str] = []
            col = 0
            it = iter(row)
            while True:
                while pending.get(col, 0) > 0:
                    pending[col] -= 1
                    cells.append("")
                    col += 1
                c = next(it, None)
                if c is None:
                    break
                text = c.text
                if lay.pad and c.value and text:
                    text = f" {text} "
                cells.append(text)
                for k in range(c.colspan):
                    if c.rowspan > 1:
                        pending[col + k] = c.rowspan - 1
                cells += [""] * (c.colspan - 1)
                col += c.colspan
            if lay.txt_sep == "lines":
                # one cell per line, as text saved from a page: blank cells leave no line behind
                for w in (x.strip() for x in cells if x.strip()):
                    sp = _split(w) if lay.split_labels and not any(ch.isdigit() for ch in w) else None
                    lines.extend(sp if sp else [w])
                continue
            if lay.txt_sep == "spaces":
                # no empty cells in a space-separated table: label words, then the values
                words = [x for x in cells if x.strip()]
                if not words:
                    continue
                line = sep.join(w.strip() for w in words)
            elif lay.txt_sep == "pipe":
                line = "| " + sep.join(cells).strip() + " |"
            else:
                line = sep.join(cells)
            if lay.split_labels:
                labels = [x for x in cells if x.strip() and not any(ch.isdigit() for ch in x)]
                sp = _split(labels[-1]) if labels and any(ch.isdigit() for ch in line) else None
                if sp and lay.txt_sep == "tab":
                    lines.append(sp[0])
                    line = line.replace(labels[-1], sp[1], 1)
            lines.append(line)
    for heading, paras in closing(lay, rng):
        lines += ["", heading, ""] + paras
    nl = "\r\n" if lay.crlf else "\n"
    return nl.join(lines) + nl


def _html_doc(facts, agency, year, template, lay: Layout, rng) -> str:
    title = (f"{year}年{agency}政府信息公开工作年度报告" if lay.title_year_first
             else f"{agency}{year}年度政府信息公开工作年度报告")
    charset = "gb2312" if lay.encoding == "gb18030" else "utf-8"
    out = [f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
           f"<title>{_html.escape(title)}_政府信息公开年报_{_html.escape(agency)}门户网站</title>",
           "<script>var visits = 123456; document.write('访问量：' + visits + '次');</script></head><body>"]
    if lay.chrome:
        out.append('<div class="nav"><ul><li>首页</li><li>新闻发布会</li><li>政策解读</li><li>网站访问量：9876543次</li></ul></div>')
        out.append('<div class="share">分享到：微信 微博 QQ空间</div>')
    out.append(f'<div class="TRS_Editor"><h1>{_html.escape(title)}</h1>')
    out.append("<p>一、总体情况</p>")
    out.append(f"<p>本报告由{_html.escape(agency)}编制。本年报所列数据的统计期限为{year}年1月1日至{year}年12月31日。</p>")
    for s in narrative(facts, agency, year, rng) + filler(rng):
        out.append(f"<p><span style=\"font-family:仿宋\">{_html.escape(s)}</span></p>")
    for heading, table in _tables(facts, template, lay):
        if heading:
            out.append(f"<p><strong>{heading}</strong></p>")
        out.append('<table border="1" cellspacing="0">')
        for row in table:
            out.append("<tr>")
            for c in row:
                attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
                text = _html.escape(c.text)
                if lay.pad and c.value:
                    text = f"&nbsp;{text}&nbsp;&nbsp;" if text else "&nbsp;"
                if lay.split_labels and not c.value:
                    sp = _split(c.text)
                    if sp:
                        text = f"{_html.escape(sp[0])}</span></p><p><span>{_html.escape(sp[1])}"
                out.append(f'<td{attrs}><p><span style="font-size:12pt">{text}</span><o:p></o:p></p></td>')
            out.append("</tr>")
        out.append("</table>")
    for heading, paras in closing(lay, rng):
        out.append(f"<p>{heading}</p>" + "".join(f"<p>{_html.escape(x)}</p>" for x in paras))
    out.append("</div>")
    if lay.chrome:
        out.append('<div class="footer">版权所有 网站标识码 3500000000 总访问量：5555555</div>')
    out.append("</body></html>")
    return "\n".join(out)


def render(facts: dict, agency: str, year: int, template: str, layout: Layout | None = None,
           seed: int = 0) -> bytes:
    """A report file's bytes for these facts."""
    lay = layout or Layout()
    rng = random.Random(seed)
    if lay.fmt == "txt":
        text = _txt(facts, agency, year, template, lay, rng)
    elif lay.fmt == "html":
        text = _html_doc(facts, agency, year, template, lay, rng)
    elif lay.fmt in ("docx", "pdf"):
        from pipeline.demo.render_office import render_office

        sentences = narrative(facts, agency, year, rng) + filler(rng)
        return render_office(agency, year, lay, sentences, _tables(facts, template, lay), rng, closing(lay, rng))
    else:
        raise ValueError(f"unknown format {lay.fmt}")
    enc = lay.encoding
    return text.encode(enc)


def suffix(layout: Layout) -> str:
    return {"txt": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf"}[layout.fmt]
