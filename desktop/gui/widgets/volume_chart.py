"""Monthly volume chart (QtCharts): this year's months beside last year's."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from desktop.core.money import to_decimal

MONTHS = [f"{m}月" for m in range(1, 13)]


def nice_ceiling(value: Decimal) -> Decimal:
    """A round axis maximum just above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return Decimal(1)
    exp = value.adjusted()
    for step in (1, 2, 5, 10):
        top = Decimal(step).scaleb(exp)
        if top >= value:
            return top
    return Decimal(10).scaleb(exp)


class VolumeChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        self._chart = QChart()
        super().__init__(self._chart, parent)
        # No antialiasing: bars, grid and legend squares are axis-aligned (crisp without it), text
        # is antialiased anyway, and the first paint is ~2 ms faster.
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setMinimumHeight(300)
        self._chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._chart.setBackgroundRoundness(0)  # square panel: no antialiasing needed
        self.series_values: dict[str, list[Decimal]] = {}

    def show_series(self, this_year: list[tuple[str, int]], last_year: list[tuple[str, int]],
                    money_unit: str, year: int) -> None:
        """Bars per month; values are integer 元, shown in `money_unit` (Decimal → float only for Qt)."""
        chart = self._chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        series = QBarSeries()
        self.series_values = {}
        for label, points, color in ((f"{year - 1}年", last_year, "#a0aec0"), (f"{year}年", this_year, "#2b6cb0")):
            values = [to_decimal(v, money_unit) for _, v in points]
            values += [Decimal(0)] * (12 - len(values)) if label == f"{year}年" else []
            self.series_values[label] = values
            bar_set = QBarSet(label)
            bar_set.setColor(QColor(color))
            bar_set.append([float(v) for v in values[:12]])
            series.append(bar_set)
        chart.addSeries(series)
        chart.setTitle(f"跨境电商交易额（{money_unit}）")
        # createDefaultAxes gives a category axis and a value axis for a bar series; adjusting
        # them avoids touching the Qt namespace (whose enums cost start-up time).
        chart.createDefaultAxes()
        top = max((v for vals in self.series_values.values() for v in vals), default=Decimal(0))
        for axis in chart.axes():
            if isinstance(axis, QBarCategoryAxis):
                axis.clear()
                axis.append(MONTHS)
            elif isinstance(axis, QValueAxis):
                axis.setRange(0, float(nice_ceiling(top)))
                axis.setTickCount(6)  # 0 and five steps: round labels for 1/2/5 × 10^n ceilings
                axis.setLabelFormat("%.0f" if top >= 10 else "%.1f")
