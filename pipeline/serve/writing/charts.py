"""The circular's charts as PNG images, drawn offline by matplotlib (Agg: no browser, no display).

Chinese labels need a CJK font; the first of CJK_FONTS installed is used. Without one, `cjk()` is
False and the caller labels the charts in English rather than print empty boxes.
"""
from __future__ import annotations

import io
from functools import lru_cache

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN")


@lru_cache(maxsize=1)
def _font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in names), None)


def cjk() -> bool:
    return _font() is not None


def _figure(height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if _font():
        plt.rcParams["font.sans-serif"] = [_font(), "DejaVu Sans"]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(7.2, height), dpi=120)
    ax.spines[["top", "right"]].set_visible(False)
    return plt, fig, ax


def _png(plt, fig) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png", metadata={"Software": None})
    plt.close(fig)
    return out.getvalue()


def hbars(labels: list[str], values: list[float], xlabel: str, color: str = "#3b6ea8") -> bytes:
    """One horizontal bar per label, its count written at the end of the bar."""
    plt, fig, ax = _figure(0.45 * len(labels) + 1.0)
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, values, color=color)
    ax.set_yticks(ys, labels)
    ax.set_xlabel(xlabel)
    top = max(values) if values else 0
    for y, v in zip(ys, values):
        ax.text(v + top * 0.01, y, f"{v:,.0f}", va="center", fontsize=9)
    ax.set_xlim(0, top * 1.12 if top else 1)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    return _png(plt, fig)


def paired_bars(labels: list[str], before: list[float | None], after: list[float | None], names: tuple[str, str],
                unit_pct: bool = True) -> bytes:
    """Two bars per label (the previous year and this one, over the same agencies); a missing value draws
    no bar (never 0)."""
    plt, fig, ax = _figure(0.6 * len(labels) + 1.2)
    ys = list(range(len(labels)))[::-1]
    h = 0.38
    for off, vals, color, name in ((h / 2, before, "#b0bec5", names[0]), (-h / 2, after, "#3b6ea8", names[1])):
        pts = [(y + off, v * (100 if unit_pct else 1)) for y, v in zip(ys, vals) if v is not None]
        ax.barh([p[0] for p in pts], [p[1] for p in pts], height=h, color=color, label=name)
        for y, v in pts:
            ax.text(v, y, f" {v:.1f}%" if unit_pct else f" {v:,.0f}", va="center", fontsize=8)
    ax.set_yticks(ys, labels)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0f}%" if unit_pct else f"{x:,.0f}")
    return _png(plt, fig)
