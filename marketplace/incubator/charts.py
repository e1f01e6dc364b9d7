"""The cohort dashboard's charts as standalone SVG (pygal, no script): served as ``<img>`` beside
tables of the same numbers. Labels and number formats come from the caller (the reader's language)."""

from __future__ import annotations

from typing import Callable

import sys

import pygal
from pygal.style import Style

# pygal puts a finder for its map plugins on sys.meta_path that has no find_spec: every later
# import then warns (an error under -W error, e.g. in spawned worker processes). No map is used.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

#: colours that keep 3:1 contrast on white, told apart also by their order in the legend
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    font_family="DejaVu Sans, Arial, sans-serif",
    colors=("#1f6feb", "#b35900", "#2b8a3e", "#9c36b5", "#c92a2a", "#0b7285", "#5c5f66", "#8f6d00"),
    title_font_size=16,
    label_font_size=12,
    legend_font_size=12,
    major_label_font_size=12,
)
#: every chart: no script (``js=[]``), sized by the page, the legend under the plot
CONFIG = {"js": [], "style": STYLE, "width": 760, "height": 380, "explicit_size": False, "legend_at_bottom": True,
          "legend_at_bottom_columns": 3, "truncate_legend": 30, "truncate_label": 20, "print_values": False}

Formatter = Callable[[float], str]


def milestones(startups: list[dict], title: str, labels: dict[str, str]) -> bytes:
    """Each startup's milestones as a stacked bar: done, still due, overdue (including missed)."""
    chart = pygal.HorizontalStackedBar(title=title, **CONFIG)
    chart.x_labels = [s["startup"]["name"] for s in startups]
    for key in ("done", "due", "overdue"):
        chart.add(labels[key], [s["milestones"][key] for s in startups])
    return chart.render()


def trend(trends: dict, figure: str, title: str, period_label: Callable, total_label: str,
          formatter: Formatter, scale: float = 1) -> bytes:
    """One figure over the periods: a line per startup and a dashed line for the cohort total."""
    chart = pygal.Line(title=title, value_formatter=formatter, show_minor_x_labels=True, **CONFIG)
    periods = trends["periods"]
    chart.x_labels = [period_label(p) for p in periods]
    for startup in trends["startups"]:
        values = [startup["periods"].get(p, {}).get(figure) for p in periods]
        chart.add(startup["name"], [None if v is None else v / scale for v in values])
    chart.add(total_label, [trends["totals"][p][figure] / scale for p in periods],
              stroke_style={"width": 3, "dasharray": "6, 4"})
    return chart.render()


def payments(startups: list[dict], currency: str, title: str, labels: dict[str, str], formatter: Formatter,
             scale: float = 1) -> bytes:
    """Each startup's invoices in the program's currency: paid and outstanding amounts, stacked."""
    chart = pygal.HorizontalStackedBar(title=title, value_formatter=formatter, **CONFIG)
    chart.x_labels = [s["startup"]["name"] for s in startups]
    for key in ("paid_amount", "outstanding_amount"):
        chart.add(labels[key], [sum(i[key] for i in s["invoices"] if i["currency"] == currency) / scale
                                for s in startups])
    return chart.render()
