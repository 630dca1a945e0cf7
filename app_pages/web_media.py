"""网站与新媒体 Website and new media: posts and visits; followers and posts per platform."""
import re

import plotly.express as px
import streamlit as st

from app_pages.common import (download, download_totals, empty_sums_note, filters, lang, q, show_table, sum_note, sum_scope, tr, unverified_note, with_gaps, yearly)
from app_pages import jumps
from app_pages.formats import number_format
from pipeline.spec import catalog


def platform_note(part, same: bool) -> str:
    """Under a chart of one line per platform: how many agencies each line sums (every year the same ones
    with the switch on; else the range, each point's count on hover), and its unverified values."""
    sep = "，" if lang() == "zh" else "; "
    per = part.groupby("platform_label", sort=False).agencies.agg(["min", "max"])
    detail = sep.join(f"{p} {tr('n_agencies', n=lo if lo == hi else f'{lo}–{hi}')}" for p, (lo, hi) in per.iterrows())
    note = tr("platform_same" if same else "platform_points", detail=detail)
    return note + ("" if not part.unverified.sum() else " " + unverified_note(int(part.unverified.sum())))


st.title(tr("page_web"))
same = sum_scope("website", "web_same")

st.subheader(tr("website"))
web = q("section_totals", filters(), "website", same)
if not empty_sums_note(web, "website", same):
    web = web.assign(label=web.key.map(lambda k: catalog.label(k, lang())))
    keys = list(dict.fromkeys(web.key))
    swings = jumps.by_key(set(keys))  # (year, key) -> agencies whose unconfirmed tenfold swing the bar holds
    for col, key in zip(st.columns(len(keys)), keys):  # posts and visits differ by orders of magnitude
        part = web[web.key == key]
        fig = px.bar(part, x="year", y="value", title=catalog.label(key, lang()),
                     text=[jumps.MARK.strip() if (int(y), key) in swings else "" for y in part.year],
                     labels={"year": tr("year"), "value": catalog.label(key, lang())})  # the axis says what it counts
        fig.update_traces(textposition="outside")
        yearly(fig)
        col.plotly_chart(fig, width="stretch")
        for (y, k), names in sorted(swings.items()):
            if k == key and int(y) in set(part.year.astype(int)):
                col.caption(jumps.note(names, y))
    sum_note("website", same, web)
    download_totals(web, "website", "web_site")

st.subheader(tr("newmedia"))
nm = q("key_totals", filters(), "newmedia", same)
if not empty_sums_note(nm, "newmedia", same):
    parts = nm.metric.str.split(".", expand=True)
    nm = nm.assign(platform=parts[1], kind=parts[2])
    platform_names = {m.code.split(".")[1]: re.sub(r"(发布量|发稿量|发文量)$", "", m.zh) if lang() == "zh"
                      else m.en.replace(" posts", "") for m in catalog.METRICS if m.code.endswith(".posts")}
    nm["platform_label"] = nm.platform.map(platform_names)
    c1, c2 = st.columns(2)
    for col, kind, title in ((c1, "followers", tr("followers")), (c2, "posts", tr("posts"))):
        part = nm[nm.kind == kind]
        fig = px.line(with_gaps(part, "platform_label"), x="year", y="value", color="platform_label", markers=True,
                      title=title, custom_data=["agencies"],
                      labels={"year": tr("year"), "value": title, "platform_label": tr("platform")})
        fig.update_traces(connectgaps=False, hovertemplate="%{fullData.name} %{x}: %{y:,}<br>"
                          + tr("n_agencies", n="%{customdata[0]}") + "<extra></extra>")
        yearly(fig)
        col.plotly_chart(fig, width="stretch")
        col.caption(platform_note(part, same))
    every = q("section_totals", filters(), "newmedia", False) if same else None  # (the cube: cheap)
    if every is not None and len(every):  # a platform no agency reports every year is not silently missing
        left_out = sorted(set(every.metric.str.split(".").str[1]) - set(nm.platform))
        if left_out:
            st.caption(tr("platforms_left_out", names=("、" if lang() == "zh" else ", ").join(
                platform_names.get(p, p) for p in left_out)))
    download(nm.assign(kind_label=nm.kind.map(tr))[["year", "platform", "platform_label", "kind", "kind_label", "value",
                                                    "agencies", "unverified"]], "newmedia", "web_nm",
             labels={"platform": tr("platform"), "platform_label": tr("platform"), "kind": tr("metric"),
                     "kind_label": tr("metric"),
                     "unverified": tr("unverified_count")})
    # the latest year with new-media figures in scope, whether or not the same agencies report it: the table
    # lists that year alone, each agency's own accounts (not a sum)
    year = int((every if every is not None and len(every) else nm).year.max())
    table, ok = q("agency_section_table", filters(), "newmedia", year)  # (the cache hands out its own copies)
    if len(table):
        keys = list(table.columns)  # the metric keys, for the download's headers (label [key])
        table.columns = [catalog.label(k, lang()) for k in table.columns]
        table.index.name = tr("agency")
        n_unverified = int((ok == False).sum().sum())  # noqa: E712  (a value not listed is NaN, not False)
        st.subheader(tr("newmedia_by_agency", year=year))
        if n_unverified:
            st.caption(tr("unverified_mark") + " " + unverified_note(n_unverified))
        # numbers kept numbers (a click on a header sorts them as numbers); an agency's unverified values
        # named in its marks column, after †
        sep = "、" if lang() == "zh" else ", "
        bad = ok.eq(False).to_numpy()  # a value not listed is NaN, not False
        marks = [""] * len(table)
        for i in bad.any(axis=1).nonzero()[0]:  # the few agencies with an unverified value
            marks[i] = "† " + sep.join(table.columns[bad[i]])
        show_table(table.assign(**{tr("marks"): marks}), width="stretch",
                     column_config={c: st.column_config.NumberColumn(format=number_format(table[c])) for c in table.columns})
        dl = table.set_axis(keys, axis=1).reset_index().rename(columns={tr("agency"): "agency"}).assign(year=year, marks=marks)
        download(dl[["agency", "year", *keys, "marks"]], f"newmedia-by-agency-{year}", "web_nm_agency",
                 labels={k: catalog.label(k, lang()) for k in keys} | {"marks": tr("marks")})  # † and what it marks
