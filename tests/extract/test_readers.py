"""Readers on hand-made inputs: encodings, blank cells, merged cells, broken labels."""
from __future__ import annotations

from pipeline.extract import extract_bytes
from pipeline.read import read_bytes

APP_HEADER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t申请人情况\n\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"


def txt_report(body: str, title="某市统计局2020年政府信息公开工作年度报告") -> str:
    return f"{title}\n\n一、总体情况\n\n本年报所列数据的统计期限为2020年1月1日至2020年12月31日。\n\n三、收到和处理政府信息公开申请情况\n\n{APP_HEADER}{body}"


def test_txt_blank_cells_stay_blank_and_never_zero():
    body = "一、本年新收政府信息公开申请数量\t3\t\t0\t0\t0\t0\t3\n"
    r = extract_bytes(txt_report(body).encode(), "a.txt")
    v = r.values()
    assert v["app.received_new:natural_person"] == 3
    assert "app.received_new:commercial" not in v
    assert v["app.received_new:total"] == 3
    assert any(i.code == "blank_cells" and "商业企业" in i.where for i in r.issues)


def test_txt_not_applicable_marks_are_not_zero():
    body = "一、本年新收政府信息公开申请数量\t3\t/\t—\t无\t－\t0\t3\n"
    v = extract_bytes(txt_report(body).encode(), "a.txt").values()
    assert v["app.received_new:natural_person"] == 3 and v["app.received_new:other_org"] == 0
    for d in ("commercial", "research", "social_org", "legal_service"):
        assert f"app.received_new:{d}" not in v


def test_txt_label_broken_over_two_lines():
    body = "（二）部分公开（区分处理的，只计这一情形，不\n计其他情形）\t1\t0\t0\t0\t0\t0\t1\n"
    v = extract_bytes(txt_report(body).encode(), "a.txt").values()
    assert v["app.partial:natural_person"] == 1 and v["app.partial:total"] == 1


def test_txt_gbk_crlf_and_bom():
    body = "一、本年新收政府信息公开申请数量\t5\t1\t0\t0\t0\t0\t6\n"
    text = txt_report(body).replace("\n", "\r\n")
    for data in (text.encode("gb18030"), text.encode("gbk"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        r = extract_bytes(data, "a.txt")
        assert r.values()["app.received_new:total"] == 6
        assert r.agency == "某市统计局" and r.year == 2020


def test_txt_numbering_variants_and_fullwidth():
    body = ("（三）不予公开\t①属于国家秘密\t１\t0\t0\t0\t0\t0\t1\n"
            "\t（2）其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0\n"
            "\t3、危及 “三安全一稳定”\t2\t0\t0\t0\t0\t0\t2\n")
    v = extract_bytes(txt_report(body).encode(), "a.txt").values()
    assert v["app.denied.state_secret:natural_person"] == 1
    assert v["app.denied.prohibited_by_law:total"] == 0
    assert v["app.denied.security_stability:total"] == 2


def test_txt_label_typo_seen_in_real_reports():
    body = "（三）不予公开\t2.其他法律行政止公开\t4\t0\t0\t0\t0\t0\t4\n"
    v = extract_bytes(txt_report(body).encode(), "a.txt").values()
    assert v["app.denied.prohibited_by_law:total"] == 4


def test_numbers_with_separators_signs_and_units():
    text = ("某区人民政府2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
            "第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
            "行政许可\t1,205\t+3\t12,345\n行政处罚\t86\t-185\t0\n"
            "第二十条第（九）项\n信息内容\t采购项目数量\t采购总金额\n政府集中采购\t7\t1.2亿元\n")
    r = extract_bytes(text.encode(), "a.txt")
    v = r.values()
    assert v["active.licensing:items_prev"] == 1205 and v["active.licensing:items_change"] == 3
    assert v["active.licensing:decisions"] == 12345 and v["active.punishment:items_change"] == -185
    assert v["active.procurement:amount_wan_yuan"] == 12000
    ev = next(f.evidence for f in r.facts if f.key() == "active.procurement:amount_wan_yuan")
    assert ev["original"].startswith("1.2亿元")
    assert r.template == "2019"


def test_amount_in_yuan_in_the_cell():
    text = ("某区人民政府2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（九）项\n"
            "信息内容\t采购项目数量\t采购总金额\n政府集中采购\t135\t75394432.52元\n")
    v = extract_bytes(text.encode(), "a.txt").values()
    assert v["active.procurement:amount_wan_yuan"] == 7539.443252


HTML = """<html><head><meta charset="gb2312"><title>某市公安局2022年政府信息公开工作年度报告_门户网站</title></head>
<body><div class="nav"><a>首页</a> 网站访问量：99999次</div>
<div class="TRS_Editor"><p>一、总体情况</p><p><span>全年发布政策解读</span><span>12篇。</span></p>
<p>三、收到和处理政府信息公开申请情况</p>
<table><tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业<br>企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3"><p><span>一、本年新收政府信息公开申请数量</span></p></td><td>&nbsp;4&nbsp;</td><td><p>&nbsp;</p><p>1</p></td><td>0</td><td></td><td>0</td><td>0</td><td>5</td></tr>
<tr><td rowspan="3">三、本年度办理结果</td><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>2.其他法律行政法规禁止公开</td><td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>
<tr><td colspan="2">（七）总计</td><td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>
</table><p>二、主动公开政府信息情况</p>
<table><tr><td colspan="4">第二十条第（一）项</td></tr><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>/</td><td>3</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr><tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">&nbsp;12.5&nbsp;</td></tr></table>
</div><div class="footer">总访问量：123456</div></body></html>"""


def test_html_spans_nbsp_gbk_and_chrome():
    r = extract_bytes(HTML.encode("gb18030"), "p.html")
    v = r.values()
    assert r.agency == "某市公安局" and r.year == 2022 and r.template == "2021"
    assert v["app.received_new:natural_person"] == 4 and v["app.received_new:commercial"] == 1
    assert "app.received_new:social_org" not in v
    assert v["app.denied.prohibited_by_law:natural_person"] == 2 and v["app.total:total"] == 2
    assert v["active.regulations:made"] == 0 and "active.regulations:repealed" not in v
    assert v["active.fees:amount_wan_yuan"] == 12.5
    assert v["interpretation.docs"] == 12
    assert "website.visits" not in v  # the site's own counters are not the report's


def test_html_grid_expansion():
    doc = read_bytes(HTML.encode("gb18030"), "p.html")
    app = doc.tables[0]
    widths = {len(r) for r in app.rows}
    assert widths == {10}
    assert app.rows[5][1].text == "（三）不予公开" and not app.rows[5][1].origin  # the group label spans down


def test_traditional_chinese_mirror_is_read_as_simplified():
    text = "某市環境局2020年政府信息公開工作年度報告\n三、收到和處理政府信息公開申請情況\n" + APP_HEADER + \
        "一、本年新收政府信息公開申請數量\t3\t0\t0\t0\t0\t0\t3\n"
    r = extract_bytes(text.encode("utf-8"), "t.txt")
    assert r.values()["app.received_new:total"] == 3 and r.year == 2020


def test_html_page_laid_out_in_tables():
    """Older sites put the whole page in layout tables; the report's own tables sit inside them."""
    import random

    from pipeline.demo.render import Layout, random_facts, render

    facts = random_facts(random.Random(3), "2021")
    page = render(facts, "福州市鼓楼区人民政府", 2022, "2021", Layout("html")).decode("utf-8")
    start, end = page.index("<body>") + len("<body>"), page.index("</body>")
    wrapped = (page[:start] + '<table width="100%"><tr><td class="nav">首页 | 政务公开</td></tr><tr><td>'
               + '<table><tr><td>' + page[start:end] + "</td></tr></table></td></tr></table>" + page[end:])
    r = extract_bytes(wrapped.encode("utf-8"), "layout.html")
    assert r.values() == {k: v for k, v in facts.items()}
    assert r.agency == "福州市鼓楼区人民政府" and r.template == "2021"


def test_title_variants():
    cases = {
        "南京市财政局关于2021年度政府信息公开工作年度报告": ("南京市财政局", 2021),
        "2022年度南京市财政局政府信息公开工作年度报告": ("南京市财政局", 2022),
        "南京市财政局政府信息公开工作年度报告（2023年度）": ("南京市财政局", 2023),
        "南京市财政局二〇二〇年政府信息公开工作年度报告": ("南京市财政局", 2020),
        "标题: 南京市财政局2024年政府信息公开年报": ("南京市财政局", 2024),
    }
    for title, (agency, year) in cases.items():
        r = extract_bytes(f"{title}\n一、总体情况\n本年度工作有序开展。\n".encode(), "t.txt")
        assert (r.agency, r.year) == (agency, year), title


def test_narrative_breakdowns_changes_and_conflicts():
    text = ("某市统计局2022年政府信息公开工作年度报告\n一、总体情况\n"
            "全年完成政策解读12篇，其中图文解读5篇，视频解读2篇。"
            "网站总访问量达35.6万次，同比增长12%。"
            "“某市统计”微信公众号全年发布信息800余条，关注人数2.1万人。"
            "局长信箱收到来信30件；另据统计，局长信箱收到来信31件。\n")
    v = extract_bytes(text.encode(), "n.txt").values()
    assert v["interpretation.docs"] == 12  # not the breakdown after 其中
    assert v["website.visits"] == 356000  # 35.6万
    assert "newmedia.wechat.posts" not in v  # 800余 is approximate
    assert v["newmedia.wechat.followers"] == 21000
    assert "mailbox.letters" not in v  # two different values: neither is reported


def test_a_platform_named_in_a_breakdown_keeps_its_figure():
    text = ("某市统计局2022年政府信息公开工作年度报告\n一、总体情况\n"
            "开通政务新媒体2个，其中微信公众号全年发布信息500条，微博发布信息120条。\n")
    v = extract_bytes(text.encode(), "n.txt").values()
    assert v["newmedia.wechat.posts"] == 500 and v["newmedia.weibo.posts"] == 120


def test_flattened_tables_never_give_a_wrong_value():
    """Tables flattened into one line (cells' digits run together): a row is read only when one cut of
    its digits satisfies its identity, and the table's identities must hold for any of them to count."""
    import math
    import random

    from pipeline.demo.render import Layout, random_facts, render

    read = total = 0
    for seed in range(12):
        rng = random.Random(seed)
        template = rng.choice(["2019", "2021"])
        facts = random_facts(rng, template, size=rng.choice([0.1, 1, 5]))
        text = render(facts, "南京市财政局", 2022, template, Layout("txt"), seed=seed).decode("utf-8")
        head, _, rest = text.partition("二、主动公开政府信息情况")
        flat = head + "二、主动公开政府信息情况" + rest.replace("\t", "").replace("\n", "")
        got = extract_bytes(flat.encode(), "flat.txt").values()
        wrong = [(k, v, facts.get(k)) for k, v in got.items() if k not in facts or not math.isclose(v, facts[k])]
        assert not wrong, (seed, wrong[:5])
        app = [k for k in facts if k.startswith(("app.", "review", "litigation"))]
        read += sum(1 for k in app if k in got)
        total += len(app)
    assert read >= 0.5 * total  # most rows have a single consistent cut
