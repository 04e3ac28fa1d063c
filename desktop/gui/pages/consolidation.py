"""报送情况 page (municipal): units × periods matrix of what arrived (on time, late, missing,
returned), the 催报 text ready to copy, and the cross-unit checks with the ownership decision."""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QListWidget, QPlainTextEdit,
    QPushButton, QSpinBox, QSplitter, QTableView, QVBoxLayout, QWidget,
)

from desktop.core.errors import CbecError
from desktop.core.periods import Period
from desktop.exchange.consolidation import Finding, Matrix, completeness, cross_checks, decide_credit_owner, urge_text
from desktop.gui.widgets.messages import show_error, show_info

_COLORS = {"on_time": "#d8f0d8", "late": "#fde9c8", "missing": "#f8d0d0", "returned": "#e3d5f5",
           "reopened": "#fff7c2", "pending": "#f0f0f0"}


class CompletenessModel(QAbstractTableModel):
    """Units (rows) × periods (columns); each cell the status label, colored by status."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.matrix: Matrix | None = None

    def set_matrix(self, matrix: Matrix) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.units)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.periods)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole or self.matrix is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return Period.parse(self.matrix.periods[section]).label
        return self.matrix.units[section][1]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.matrix is None:
            return None
        code = self.matrix.units[index.row()][0]
        cell = self.matrix.cell(code, self.matrix.periods[index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.label
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(_COLORS[cell.status]))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"截止日期：{cell.due}"
            return tip + (f"\n退回意见：{cell.note}" if cell.note else "")
        if role == Qt.ItemDataRole.UserRole:
            return cell.status
        return None


class ConsolidationPage(QWidget):
    page_title = "报送情况"
    page_roles = {"municipal"}

    def __init__(self, ctx, *, today: date | None = None) -> None:  # noqa: ANN001
        super().__init__()
        self.ctx = ctx
        self.today = today
        self.findings: list[Finding] = []
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.year = QSpinBox()
        self.year.setRange(2021, 2100)
        self.year.setValue((today or date.today()).year)
        self.kind = QComboBox()
        self.kind.addItems(["月报", "季报"])
        bar.addWidget(QLabel("年度"))
        bar.addWidget(self.year)
        bar.addWidget(QLabel("期别"))
        bar.addWidget(self.kind)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.model = CompletenessModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self._lower())
        layout.addWidget(split, 1)
        self.year.valueChanged.connect(self.refresh)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.urge_period.currentIndexChanged.connect(self._update_urge)
        self.refresh()

    def _lower(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        urge = QGroupBox("催报通知（复制后发送）")
        lay = QVBoxLayout(urge)
        self.urge_period = QComboBox()
        lay.addWidget(self.urge_period)
        self.urge = QPlainTextEdit(readOnly=True)
        lay.addWidget(self.urge)
        self.copy_button = QPushButton("复制催报通知")
        self.copy_button.clicked.connect(self.copy_urge)
        lay.addWidget(self.copy_button)
        checks = QGroupBox("跨单位核对")
        lay = QVBoxLayout(checks)
        self.findings_list = QListWidget()
        self.findings_list.setWordWrap(True)
        lay.addWidget(self.findings_list)
        self.decide_button = QPushButton("核定所选企业的归属单位…")
        self.decide_button.clicked.connect(self.decide_selected)
        lay.addWidget(self.decide_button)
        row.addWidget(urge, 1)
        row.addWidget(checks, 1)
        return w

    def periods(self) -> list[str]:
        y = self.year.value()
        if self.kind.currentIndex() == 1:
            return [str(Period.quarter(y, q)) for q in range(1, 5)]
        return [str(Period.month(y, m)) for m in range(1, 13)]

    def refresh(self) -> None:
        store = self.ctx.store
        matrix = completeness(store, self.periods(), today=self.today)
        self.model.set_matrix(matrix)
        keep = self.urge_period.currentData()
        self.urge_period.blockSignals(True)
        self.urge_period.clear()
        for p in matrix.periods:
            self.urge_period.addItem(Period.parse(p).label, p)
        due = [p for p in matrix.periods if any(matrix.cell(c, p).status in ("missing", "returned")
                                                 for c, _ in matrix.units)]
        target = keep if keep in matrix.periods else (due[-1] if due else matrix.periods[0])
        self.urge_period.setCurrentIndex(matrix.periods.index(target))
        self.urge_period.blockSignals(False)
        self._update_urge()
        self.findings = cross_checks(store)
        self.findings_list.clear()
        self.findings_list.addItems([f.message for f in self.findings] or ["未发现问题。"])

    def _update_urge(self) -> None:
        period = self.urge_period.currentData()
        if period and self.model.matrix is not None:
            self.urge.setPlainText(urge_text(self.ctx.store, self.model.matrix, period))

    def copy_urge(self) -> None:
        QGuiApplication.clipboard().setText(self.urge.toPlainText())
        show_info(self, "催报通知已复制，可粘贴到邮件或即时通讯中。")

    def decide_selected(self, owner: str | None = None) -> None:
        row = self.findings_list.currentRow()
        if not 0 <= row < len(self.findings) or self.findings[row].kind != "duplicate_credit":
            show_error(self, "请先在列表中选择一条“同一统一社会信用代码出现在两个单位”的记录。")
            return
        f = self.findings[row]
        names = [f"{self.ctx.store.unit_name(u)}（{u}）" for u in f.units]
        if not owner:
            choice, ok = QInputDialog.getItem(self, "核定归属单位", f"{f.detail['credit_code']} 属于：", names, 0, False)
            if not ok:
                return
            owner = f.units[names.index(choice)]
        try:
            notified = decide_credit_owner(self.ctx.store, f.detail["credit_code"], owner, operator=self.ctx.operator)
        except CbecError as exc:  # shown to the clerk; nothing was written
            show_error(self, exc)
            return
        self.ctx.notify("unit_note")
        show_info(self, "已记录。下次导出下发数据包时，通知将发给："
                  + "、".join(self.ctx.store.unit_name(u) for u in notified))
        self.refresh()


def create_pages(ctx) -> list[QWidget]:  # noqa: ANN001
    if not ctx.is_municipal:
        return []
    return [ConsolidationPage(ctx)]
