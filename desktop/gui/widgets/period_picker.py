"""Period picker: year plus month, quarter or whole year, emitting a core Period."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSpinBox, QWidget

from desktop.core.periods import Period

_KINDS = (("month", "月报"), ("quarter", "季报"), ("year", "年报"))
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


class PeriodPicker(QWidget):
    """Pick a period; `kinds` limits the choice (e.g. ('month',) for monthly entry)."""

    period_changed = Signal(object)  # Period

    def __init__(self, period: Period | None = None, *, kinds: tuple[str, ...] = ("month", "quarter", "year"),
                 first_year: int = 2021, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        period = period or Period.last_full_month()
        self._kind = QComboBox()
        for code, label in _KINDS:
            if code in kinds:
                self._kind.addItem(label, code)
        self._year = QSpinBox()
        self._year.setRange(first_year, max(date.today().year + 1, period.year))
        self._year.setSuffix(" 年")
        self._index = QComboBox()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self._year, self._index, self._kind):
            layout.addWidget(w)
        self._kind.setVisible(self._kind.count() > 1)
        self.set_period(period)
        self._kind.currentIndexChanged.connect(self._kind_changed)
        self._year.valueChanged.connect(self._emit)
        self._index.currentIndexChanged.connect(self._emit)

    def period(self) -> Period:
        kind = self._kind.currentData() or "month"
        year = self._year.value()
        if kind == "month":
            return Period.month(year, self._index.currentIndex() + 1)
        if kind == "quarter":
            return Period.quarter(year, self._index.currentIndex() + 1)
        return Period.of_year(year)

    def set_period(self, period: Period) -> None:
        """Show `period` without emitting period_changed (the caller knows what it set)."""
        widgets = (self._kind, self._year, self._index)
        for w in widgets:
            w.blockSignals(True)
        try:
            i = self._kind.findData(period.kind)
            self._kind.setCurrentIndex(max(i, 0))
            self._year.setValue(period.year)
            self._fill_index(self._kind.currentData())
            if period.kind != "year" and self._kind.currentData() == period.kind:
                self._index.setCurrentIndex(period.index - 1)
        finally:
            for w in widgets:
                w.blockSignals(False)

    def _fill_index(self, kind: str) -> None:
        self._index.clear()
        if kind == "month":
            self._index.addItems([f"{m}月" for m in range(1, 13)])
        elif kind == "quarter":
            self._index.addItems(list(_QUARTERS))
        self._index.setVisible(kind != "year")

    def _kind_changed(self) -> None:
        self._index.blockSignals(True)
        try:
            self._fill_index(self._kind.currentData())
        finally:
            self._index.blockSignals(False)
        self._emit()

    def _emit(self) -> None:
        self.period_changed.emit(self.period())
