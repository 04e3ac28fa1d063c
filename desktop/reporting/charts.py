"""Charts of the report model drawn with reportlab.graphics (value axes start at zero)."""
from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing, String
from reportlab.lib import colors

from desktop.reporting.fonts import FontSet
from desktop.reporting.model import Chart

PALETTE = (colors.HexColor("#1f4e79"), colors.HexColor("#c0504d"), colors.HexColor("#9bbb59"),
           colors.HexColor("#8064a2"), colors.HexColor("#f79646"), colors.HexColor("#4bacc6"))


def chart_flowable(chart: Chart, fonts: FontSet, width: float, height: float) -> Drawing:
    # The graphics renderer starts every drawing in its default font (Helvetica), which would
    # leave an unembedded font in the PDF; start it in the embedded CJK font instead.
    STATE_DEFAULTS["fontName"] = fonts.song
    d = Drawing(width, height)
    d.add(String(width / 2, height - 12, chart.title, fontName=fonts.hei, fontSize=10.5, textAnchor="middle"))
    d.add(String(4, height - 26, f"单位：{chart.unit}", fontName=fonts.song, fontSize=8))
    plot = HorizontalLineChart() if chart.kind == "line" else VerticalBarChart()
    plot.x, plot.y = 48, 34
    plot.width, plot.height = width - 150, height - 70
    data = [tuple(float(v) for v in values) or (0.0,) for _name, values in chart.series] or [(0.0,)]
    plot.data = data
    plot.categoryAxis.categoryNames = list(chart.categories) or [""]
    plot.categoryAxis.labels.fontName = fonts.song
    plot.categoryAxis.labels.fontSize = 7.5
    if len(chart.categories) > 8:
        plot.categoryAxis.labels.angle = 30
        plot.categoryAxis.labels.boxAnchor = "ne"
    plot.valueAxis.valueMin = 0
    peak = max((max(vals) for vals in data if vals), default=0.0)
    if peak <= 0:
        plot.valueAxis.valueMax = 1  # an empty period still draws a sensible axis
    plot.valueAxis.labels.fontName = fonts.song
    plot.valueAxis.labels.fontSize = 7.5
    plot.valueAxis.labelTextFormat = _axis_format
    for i in range(len(data)):
        colour = PALETTE[i % len(PALETTE)]
        if chart.kind == "line":
            plot.lines[i].strokeColor = colour
            plot.lines[i].strokeWidth = 1.5
        else:
            plot.bars[i].fillColor = colour
    d.add(plot)
    legend = Legend()
    legend.x, legend.y = width - 95, height - 40
    legend.fontName = fonts.song
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, (name, _v) in enumerate(chart.series)]
    d.add(legend)
    return d


def _axis_format(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:g}"
