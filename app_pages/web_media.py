"""网站与新媒体 Website and new media: posts and visits; followers and posts per platform."""
import re

import plotly.express as px
import streamlit as st

from app_pages.common import (download, download_totals, empty_note, filters, lang, q, sum_note, sum_scope, tr,
                              with_gaps, yearly)
from pipeline.spec import catalog

st.title(tr("page_web"))
same = sum_scope("website", "web_same")

st.subheader(tr("website"))
web = q("section_totals", filters(), "website", same)
if not empty_note(web):
    web = web.assign(label=web.key.map(lambda k: catalog.label(k, lang())))
    keys = list(dict.fromkeys(web.key))
    for col, key in zip(st.columns(len(keys)), keys):  # posts and visits differ by orders of magnitude
        part = web[web.key == key]
        fig = px.bar(part, x="year", y="value", title=catalog.label(key, lang()),
                     labels={"year": tr("year"), "value": tr("value")})
        yearly(fig)
        col.plotly_chart(fig, width="stretch")
    sum_note("website", same)
    download_totals(web, "website", "web_site")

st.subheader(tr("newmedia"))
nm = q("section_totals", filters(), "newmedia", same)
if not empty_note(nm):
    parts = nm.metric.str.split(".", expand=True)
    nm = nm.assign(platform=parts[1], kind=parts[2])
    platform_names = {m.code.split(".")[1]: re.sub(r"(发布量|发稿量|发文量)$", "", m.zh) if lang() == "zh"
                      else m.en.replace(" posts", "") for m in catalog.METRICS if m.code.endswith(".posts")}
    nm["platform_label"] = nm.platform.map(platform_names)
    c1, c2 = st.columns(2)
    for col, kind, title in ((c1, "followers", tr("followers")), (c2, "posts", tr("posts"))):
        part = nm[nm.kind == kind]
        fig = px.line(with_gaps(part, "platform_label"), x="year", y="value", color="platform_label", markers=True, title=title,
                      labels={"year": tr("year"), "value": title, "platform_label": tr("platform")})
        fig.update_traces(connectgaps=False)
        yearly(fig)
        col.plotly_chart(fig, width="stretch")
    sum_note("newmedia", same)
    download(nm[["year", "platform", "platform_label", "kind", "value", "agencies"]], "newmedia", "web_nm",
             labels={"platform": tr("platform"), "platform_label": tr("platform"), "kind": tr("metric")})
    year = int(nm.year.max())  # the latest year with new-media figures in scope: the table lists it alone
    table = q("agency_section_table", filters(), "newmedia", year)  # (the cache hands out its own copy)
    if len(table):
        table.columns = [catalog.label(k, lang()) for k in table.columns]
        st.caption(f"{year}")
        st.dataframe(table, width="stretch", column_config={c: st.column_config.NumberColumn(format="localized")
                                                           for c in table.columns})
        download(table.reset_index().assign(year=year)[["agency", "year", *table.columns]],
                 f"newmedia-by-agency-{year}", "web_nm_agency")
