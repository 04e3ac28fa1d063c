"""重点任务台账: per quarter, the plan's tasks the unit is responsible for, with status, progress,
next steps and date; filter by status. The municipal office reads any unit's ledger."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QPlainTextEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget,
)

from desktop.core.errors import CbecError
from desktop.core.periods import Period
from desktop.gui.context import AppContext
from desktop.gui.widgets.messages import show_error
from desktop.gui.widgets.period_picker import PeriodPicker
from desktop.storage import tasks
from desktop.storage.db import Store
from desktop.storage.reference import unit_codes
from desktop.storage.tasks import STATUSES, Ledger, TaskRow

COLUMNS = ("序号", "任务", "牵头单位", "进展状态", "本季度进展", "下步计划", "日期")
STATUS_COLOURS = {"未启动": "#f1f1f1", "推进中": "#fff4cc", "已完成": "#dff0d8", "长期推进": "#dde9f7"}
_Index = QModelIndex | QPersistentModelIndex


def status_text(row: TaskRow) -> str:
    return f"{row.status}（沿用{Period.parse(row.carried_from).label}）" if row.carried_from else row.status


class TaskLedgerModel(QAbstractTableModel):
    """Holds the task numbers of the shown ledger; each row's entry is looked up when Qt asks."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.ledger: Ledger | None = None
        self._by_no: dict[int, TaskRow] = {}
        self.numbers: list[int] = []

    def load(self, unit_code: str, quarter: str, status: str | None = None) -> None:
        self.beginResetModel()
        self.ledger = tasks.task_ledger(self.store, unit_code, quarter, status=status)
        self._by_no = {r.no: r for r in self.ledger.rows}
        self.numbers = [r.no for r in self.ledger.rows]
        self.endResetModel()

    def row_at(self, row: int) -> TaskRow | None:
        return self._by_no.get(self.numbers[row]) if 0 <= row < len(self.numbers) else None

    def row_of(self, no: int) -> int:
        return self.numbers.index(no) if no in self.numbers else -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.numbers)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        r = self.row_at(index.row()) if index.isValid() else None
        if r is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(r.no), r.title, r.lead_label, status_text(r), r.progress, r.next_steps,
                    r.progress_date or "")[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"任务{r.no}　{r.title}\n{r.summary}\n牵头单位：{r.lead_label}\n责任单位：{r.responsible}"
        if role == Qt.ItemDataRole.BackgroundRole and col == 3:
            return QBrush(QColor(STATUS_COLOURS[r.status]))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class TasksPage(QWidget):
    page_title = "重点任务台账"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.municipal = ctx.is_municipal
        self.model = TaskLedgerModel(ctx.store, self)
        self._build()
        self._rewrap = QTimer(self)  # owned by the page, so it never fires after the page is gone
        self._rewrap.setSingleShot(True)
        self._rewrap.timeout.connect(self.view.resizeRowsToContents)
        self._unit = self.units.currentData() if self.municipal else ctx.unit_code
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_task())
        self.load()

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.picker = PeriodPicker(Period.last_full_month().quarter_of(), kinds=("quarter",))
        self.picker.period_changed.connect(lambda _p: self.load())
        self.filter = QComboBox()
        self.filter.addItem("全部状态", None)
        for s in STATUSES:
            self.filter.addItem(s, s)
        self.filter.currentIndexChanged.connect(lambda _i: self.load())
        self.units = QComboBox()
        top = QHBoxLayout()
        top.addWidget(QLabel("季度："))
        top.addWidget(self.picker)
        if self.municipal:
            for code in unit_codes(self.ctx.store):
                self.units.addItem(self.ctx.store.unit_name(code), code)
            self.units.currentIndexChanged.connect(self._unit_changed)
            top.addWidget(QLabel("单位："))
            top.addWidget(self.units)
        top.addWidget(QLabel("状态："))
        top.addWidget(self.filter)
        self.counts = QLabel()
        top.addWidget(self.counts, 1)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background:#fff3cd; color:#664d03; padding:5px;")
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(True)
        h = self.view.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.Interactive, QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.Interactive)):
            h.setSectionResizeMode(col, mode)
        h.resizeSection(2, 150)
        h.resizeSection(6, 92)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self._build_form())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)

    def _build_form(self) -> QWidget:
        box = QGroupBox("本季度推进情况")
        form = QFormLayout(box)
        self.task_title = QLabel()
        self.task_title.setWordWrap(True)
        self.task_title.setStyleSheet("font-weight:bold;")
        self.status = QComboBox()
        self.status.addItems(list(STATUSES))
        self.progress = QPlainTextEdit()
        self.progress.setPlaceholderText("本季度做了什么、取得了哪些成效")
        self.next_steps = QPlainTextEdit()
        self.next_steps.setPlaceholderText("下季度计划推进的工作")
        for w in (self.progress, self.next_steps):
            w.setMaximumHeight(90)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.save_button = QPushButton("保存 (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        form.addRow("任务：", self.task_title)
        form.addRow("进展状态：", self.status)
        form.addRow("本季度进展：", self.progress)
        form.addRow("下步计划：", self.next_steps)
        row = QHBoxLayout()
        row.addWidget(self.date)
        row.addStretch(1)
        row.addWidget(self.save_button)
        form.addRow("日期：", row)
        if self.municipal:
            self.save_button.hide()
            for w in (self.progress, self.next_steps):
                w.setReadOnly(True)
            self.status.setEnabled(False)
            self.date.setReadOnly(True)
        else:
            QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        return box

    # -- loading ----------------------------------------------------------------------------------
    def quarter(self) -> Period:
        return self.picker.period()

    def set_quarter(self, quarter: Period | str) -> None:
        self.picker.set_period(Period.parse(quarter))
        self.load()

    def set_status_filter(self, status: str | None) -> None:
        self.filter.setCurrentIndex(max(self.filter.findData(status), 0))  # reloads via the signal

    def load(self, keep: int | None = None) -> None:
        self.model.load(self._unit, str(self.quarter()), self.filter.currentData())
        led = self.model.ledger
        self.notice.setText(led.notice)
        self.notice.setVisible(bool(led.notice))
        counts = tasks.task_ledger(self.ctx.store, self._unit, self.quarter()).counts()
        self.counts.setText("　".join(f"{k} {v}" for k, v in counts.items()))
        self.view.resizeRowsToContents()
        row = self.model.row_of(keep) if keep is not None else 0
        if self.model.rowCount():
            self.view.selectRow(max(row, 0))
        self._show_task()

    def refresh(self) -> None:
        self.load(self.current_no())

    def resizeEvent(self, event) -> None:  # noqa: N802 — Qt override
        super().resizeEvent(event)
        self._rewrap.start(0)  # re-wrap texts once the columns have their new width

    def _unit_changed(self) -> None:
        self._unit = self.units.currentData()
        self.load()

    def current_no(self) -> int | None:
        r = self.model.row_at(self.view.currentIndex().row())
        return r.no if r else None

    def _show_task(self) -> None:
        r = self.model.row_at(self.view.currentIndex().row())
        enabled = r is not None
        for w in (self.status, self.progress, self.next_steps, self.date, self.save_button):
            w.setEnabled(enabled and not (self.municipal and w is self.status))
        if r is None:
            self.task_title.setText("（没有符合条件的任务）")
            return
        self.task_title.setText(f"任务{r.no}　{r.title}（牵头单位：{r.lead_label}）")
        self.status.setCurrentText(r.status)
        self.progress.setPlainText(r.progress)
        self.next_steps.setPlainText(r.next_steps)
        when = date.fromisoformat(r.progress_date) if r.progress_date else min(date.today(), self.quarter().end_date())
        self.date.setDate(QDate(when.year, when.month, when.day))

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> bool:
        no = self.current_no()
        if self.municipal or no is None:
            return False
        try:
            tasks.save_progress(
                self.ctx.store, self._unit, self.quarter(), no, status=self.status.currentText(),
                progress=self.progress.toPlainText(), next_steps=self.next_steps.toPlainText(),
                progress_date=self.date.date().toString("yyyy-MM-dd"), operator=self.ctx.operator)
        except CbecError as exc:
            show_error(self, exc)
            return False
        self.ctx.notify("task_progress")
        self.load(no)
        return True


def create_pages(ctx: AppContext) -> list[QWidget]:
    return [TasksPage(ctx)]
