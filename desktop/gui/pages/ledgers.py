"""台账 pages: one page per ledger (园区, 企业, 培训孵化基地, 海外仓, 直播基地, O2O体验店).

A county edits its own ledgers; the municipal office sees every unit's rows read-only with a unit
filter (the counties own them). The table is a LedgerTableModel over SQL ids; searching, filtering
and sorting re-run the id query, rows are fetched in blocks as they scroll into view.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QTableView, QVBoxLayout, QWidget,
)

from desktop.core.errors import CbecError
from desktop.core.ledgers import KINDS, LedgerKind, kind_of
from desktop.gui.context import AppContext
from desktop.gui.ledger_form import LedgerForm
from desktop.gui.ledger_model import Column, LedgerTableModel
from desktop.gui.widgets.messages import confirm, show_error
from desktop.storage import ledgers as ledger_store

SEARCH_DEBOUNCE_MS = 250
PAGE_ORDER = ("parks", "enterprises", "bases", "warehouses", "livestream", "o2o")
HIDDEN_COLUMNS = {"note", "address", "brought_in_origin", "known_year", "brought_in_year"}
WIDE = {"name": 290, "credit_code": 170, "operator": 200, "main_products": 160, "park_name": 170,
        "modes_text": 150, "unit_name": 90, "phone": 120}
NARROW = {"bool": 50, "int": 70, "money": 110, "text": 90}
ALL = "全部"


def columns_for(kind: LedgerKind, *, municipal: bool) -> list[Column]:
    """Table columns of a ledger: its fields as fetch_rows shows them, plus volume and unit."""
    cols: list[Column] = []
    if municipal:
        cols.append(Column("unit_name", "填报单位", sort_key="unit_code"))
    for f in kind.fields:
        if f.name in HIDDEN_COLUMNS:
            continue
        if f.type == "park":
            cols.append(Column("park_name", f.label, sort_key="park_id"))
        elif f.type == "belt":
            cols.append(Column("belt_name", f.label, sort_key="belt_code"))
        elif f.type == "modes":
            cols.append(Column("modes_text", f.label, sort_key="modes"))
        else:
            shown = {"bool": "bool", "int": "int", "money": "money"}.get(f.type, "text")
            cols.append(Column(f.name, f.label, shown, sort_key=f.name))
    if kind.has_volumes:
        cols.append(Column("latest_volume_year", "交易额年度", "text", sort_key=None))
        cols.append(Column("latest_volume", "最近年度交易额（万元）", "money", sort_key="latest_volume"))
    return cols


class FilterBar(QWidget):
    """Combo boxes over the ledger's filterable fields; `filters()` gives list_ids' filters."""

    def __init__(self, ctx: AppContext, kind: LedgerKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.kind = ctx, kind
        self.combos: dict[str, QComboBox] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        if ctx.is_municipal:
            self._add(row, "unit_code", "单位", self._units())
        for f in kind.fields:
            if f.type == "park":
                self._add(row, "park_id", "园区", [])
            elif f.type == "belt":
                belts = ctx.store.query("SELECT code, name FROM industry_belt ORDER BY sort")
                self._add(row, "belt_code", "产业带", [(b["name"], b["code"]) for b in belts])
            elif f.type == "modes":
                modes = ctx.store.query("SELECT code, name FROM customs_mode ORDER BY sort")
                self._add(row, "modes", "模式", [(f"{m['code']} {m['name']}", m["code"]) for m in modes])
            elif f.type == "choice":
                self._add(row, f.name, f.label, [(c, c) for c in f.choices])
        if kind.has_volumes:
            self._add(row, "category", "类别", [("知名企业", "known"), ("引进企业", "brought_in")])
        else:
            for f in kind.fields:
                if f.type == "bool":
                    self._add(row, f.name, f.label.removeprefix("是否"), [("是", 1), ("否", 0)])
        row.addStretch(1)

    def _units(self) -> list[tuple[str, Any]]:
        rows = self.ctx.store.query("SELECT code, name FROM unit WHERE kind != 'city' ORDER BY sort")
        return [(r["name"], r["code"]) for r in rows]

    def _add(self, row: QHBoxLayout, key: str, label: str, items: list[tuple[str, Any]]) -> None:
        combo = QComboBox()
        combo.setObjectName(f"filter_{key}")
        combo.setToolTip(f"按{label}筛选")
        combo.addItem(f"{label}：{ALL}", None)
        for text, data in items:
            combo.addItem(text, data)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row.addWidget(combo)
        self.combos[key] = combo

    def reload_parks(self) -> None:
        """Parks change as the clerk edits the park ledger: refill, keeping the choice."""
        combo = self.combos.get("park_id")
        if combo is None:
            return
        current = combo.currentData()
        unit = self.combos["unit_code"].currentData() if "unit_code" in self.combos else self.ctx.unit_code
        sql = "SELECT id, name FROM park WHERE deleted_at IS NULL"
        params: tuple = ()
        if unit:
            sql, params = sql + " AND unit_code = ?", (unit,)
        parks = self.ctx.store.query(sql + " ORDER BY initials", params)
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(f"园区：{ALL}", None)
        for p in parks:
            combo.addItem(p["name"], p["id"])
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def filters(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, combo in self.combos.items():
            value = combo.currentData()
            if value is None:
                continue
            if key == "category":
                out[value] = 1
            else:
                out[key] = value
        return out

    def set_filter(self, key: str, value: Any) -> None:
        combo = self.combos[key]
        combo.setCurrentIndex(max(combo.findData(value), 0))


class LedgerPage(QWidget):
    """One ledger: search, filters, the table, and the actions on it."""

    page_roles = frozenset({"county", "municipal"})

    def __init__(self, ctx: AppContext, kind_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind_of(kind_key)
        self.page_title = f"{self.kind.title}台账"
        self.setObjectName(f"ledgerPage_{kind_key}")
        self.read_only = ctx.is_municipal
        self.form: LedgerForm | None = None
        self.wizard: Any = None
        self.task: Any = None  # the running export (widgets.long_task.LongTask)
        self._loaded = False
        self.model = LedgerTableModel(ctx.store, kind_key, columns_for(self.kind, municipal=ctx.is_municipal), self)
        self._build()
        self._shortcuts()

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel(f"<b>{self.page_title}</b>")
        title.setStyleSheet("font-size: 14pt;")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("搜索：名称、拼音首字母" + ("或统一社会信用代码" if self.kind.has_volumes else "")
                                       + "（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(300)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self.debounce.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _t: self.debounce.start())
        self.filter_bar = FilterBar(self.ctx, self.kind)
        for combo in self.filter_bar.combos.values():
            combo.currentIndexChanged.connect(self.apply_filters)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        self.table = self._build_table()
        self.status = QLabel()
        self.status.setObjectName("status")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filter_bar)
        layout.addLayout(self._build_buttons())
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("ledgerTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        fm = header.fontMetrics()
        for i, col in enumerate(self.model.columns):
            # Wide enough for the header with its sort arrow, and for the longest usual value.
            table.setColumnWidth(i, max(fm.horizontalAdvance(col.header) + 32, WIDE.get(col.key, NARROW[col.kind])))
        table.setSortingEnabled(True)
        # Enter and double-click both "activate" the row (the platform's convention): open it.
        table.activated.connect(lambda _i: self.edit_selected())
        return table

    def _button(self, text: str, slot: Any, name: str, tip: str = "") -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.clicked.connect(lambda _checked=False: slot())  # not the `checked` flag as an argument
        if tip:
            b.setToolTip(tip)
        return b

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = self._button("新增(Ctrl+N)", self.new_record, "new")
        self.edit_button = self._button("修改(Enter)" if not self.read_only else "查看(Enter)",
                                        self.edit_selected, "edit")
        self.delete_button = self._button("删除(Del)", self.delete_selected, "delete")
        self.undo_button = self._button("撤销(Ctrl+Z)", self.undo, "undo", "撤销本人最近一次台账改动")
        self.export_button = self._button("导出Excel", self.export_excel, "export", "导出当前筛选结果")
        self.import_button = self._button("从Excel导入", self.open_import_wizard, "import")
        for b in (self.new_button, self.edit_button, self.delete_button, self.undo_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.export_button)
        row.addWidget(self.import_button)
        for b in (self.new_button, self.delete_button, self.undo_button, self.import_button):
            b.setVisible(not self.read_only)
        return row

    def _shortcuts(self) -> None:
        page = Qt.ShortcutContext.WidgetWithChildrenShortcut
        table = Qt.ShortcutContext.WidgetShortcut
        for keys, slot, widget, context in (
            ("Ctrl+N", self.new_record, self, page),
            ("Ctrl+F", self.focus_search, self, page),
            ("Ctrl+Z", self.undo, self.table, table),
            ("Del", self.delete_selected, self.table, table),
        ):
            sc = QShortcut(QKeySequence(keys), widget, context=context)
            sc.activated.connect(slot)
        # Ctrl+Z anywhere on the page except while typing in the search box (where it undoes typing).
        for widget in (self.filter_bar, *self._buttons()):
            QShortcut(QKeySequence("Ctrl+Z"), widget, context=page).activated.connect(self.undo)
        self.search.returnPressed.connect(self._search_enter)

    def _buttons(self) -> list[QPushButton]:
        return [self.new_button, self.edit_button, self.delete_button, self.undo_button,
                self.export_button, self.import_button]

    # -- query --------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-run the query keeping the selected record; called when shown and after writes."""
        selected = self.selected_id()
        self.filter_bar.reload_parks()
        self.model.set_query(search=self.search.text().strip(), filters=self.filter_bar.filters(), fresh=True)
        self._loaded = True
        self._after_query(selected)

    def apply_search(self) -> None:
        self.debounce.stop()
        self.model.set_query(search=self.search.text().strip())
        self._after_query(None)

    def apply_filters(self) -> None:
        if self.sender() is self.filter_bar.combos.get("unit_code"):
            self.filter_bar.reload_parks()
        self.model.set_query(filters=self.filter_bar.filters())
        self._after_query(None)

    def _after_query(self, select_id: int | None) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"共 {n:,} 条")
        row = self.model.row_of(select_id) if select_id is not None else -1
        if row < 0 and n:
            row = 0
        if row >= 0:
            self.select_row(row)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_enter(self) -> None:
        self.apply_search()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- actions -------------------------------------------------------------------------------------
    def new_record(self) -> LedgerForm | None:
        if self.read_only:
            return None
        return self._open_form(None)

    def edit_selected(self) -> LedgerForm | None:
        record_id = self.selected_id()
        if record_id is None:
            return None
        return self._open_form(record_id)

    def _open_form(self, record_id: int | None) -> LedgerForm | None:
        try:
            form = LedgerForm(self.ctx.store, self.kind.key, operator=self.ctx.operator,
                              record_id=record_id, read_only=self.read_only, parent=self)
        except CbecError as exc:
            show_error(self, exc)
            return None
        form.saved.connect(self._saved)
        form.finished.connect(lambda _r: self.table.setFocus())
        self.form = form
        form.open()
        return form

    def _saved(self, record_id: int) -> None:
        self.model.refresh()
        self._after_query(record_id)
        self.status.setText("已保存（可按 Ctrl+Z 撤销）")
        self.ctx.notify(self.kind.table)

    def delete_selected(self) -> bool:
        record_id = self.selected_id()
        if self.read_only or record_id is None:
            return False
        name = self.model.row_values(self.table.currentIndex().row()).get("name", "")
        if not confirm(self, f"删除{self.kind.title}“{name}”？\n删除后可按 Ctrl+Z 撤销。"):
            return False
        row = self.table.currentIndex().row()
        try:
            ledger_store.delete(self.ctx.store, self.kind.key, record_id, operator=self.ctx.operator)
        except CbecError as exc:
            show_error(self, exc)
            return False
        self.model.refresh()
        if self.model.rowCount():
            self.select_row(min(row, self.model.rowCount() - 1))
        self.count_label.setText(f"共 {self.model.rowCount():,} 条")
        self.status.setText(f"已删除{self.kind.title}“{name}”（可按 Ctrl+Z 撤销）")
        self.ctx.notify(self.kind.table)
        return True

    def undo(self) -> str | None:
        if self.read_only:
            return None
        try:
            text = ledger_store.undo_last(self.ctx.store, operator=self.ctx.operator)
        except CbecError as exc:
            show_error(self, exc)
            return None
        self.status.setText(text or "没有可撤销的台账改动")
        if text:
            self.refresh()
            self.ctx.notify(self.kind.table)
        return text

    # -- Excel --------------------------------------------------------------------------------------
    def export_excel(self, path: str | None = None) -> bool:
        """导出Excel of the current (searched, filtered, sorted) table, written off the GUI thread."""
        from desktop.gui.widgets.long_task import run_long

        if path is None:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            default = str(Path(folder or Path.home()) / f"{self.ctx.unit_name}{self.kind.title}台账.xlsx")
            path, _ = QFileDialog.getSaveFileName(self, "导出Excel", default, "Excel 工作簿 (*.xlsx)")
            if not path:
                return False
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        query = self.model.query()

        def work(job: Any) -> int:
            from desktop.exchange.roster_write import export_ledger

            store = self.ctx.open_worker_store()
            try:
                return export_ledger(store, self.kind.key, path, **query)
            finally:
                store.close()

        def done(n: int) -> None:
            self.status.setText(f"已导出 {n:,} 条到“{path}”")

        self.task = run_long(self.ctx, self, "正在导出Excel…", work, done)
        return True

    def open_import_wizard(self) -> Any:
        if self.read_only:
            return None
        from desktop.gui.roster_wizard import RosterWizard

        self.wizard = RosterWizard(self.ctx, self.kind.key, parent=self)
        self.wizard.finished.connect(lambda _r: self.refresh())
        self.wizard.open()
        return self.wizard


def create_pages(ctx: AppContext) -> list[QWidget]:
    return [LedgerPage(ctx, key) for key in PAGE_ORDER if key in KINDS]
