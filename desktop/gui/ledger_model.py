"""Table models of the ledger pages and of the import wizard.

LedgerTableModel holds only the ids of the current query; rows come in blocks on demand.

The pattern of Anki's browser model: `list_ids` runs the (filtered, sorted) query in SQL and
returns ids; `fetch_rows` loads display-ready rows for a block of ids when the view asks for
them. A bounded cache keeps memory flat however far the clerk scrolls.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QWidget

from desktop.core.money import format_money
from desktop.exchange.roster import ImportPlan
from desktop.exchange.roster_read import SheetData, mapping_targets, target_label
from desktop.storage import ledgers as ledger_store

AnyIndex = QModelIndex | QPersistentModelIndex

BLOCK_SIZE = 200
CACHE_LIMIT = 6000
RESULT_CACHE = 12
# Plain ints: data() and flags() run thousands of times per repaint, and PySide6 enum
# arithmetic/comparison is slow enough to show in the keystroke benchmark.
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
USER = int(Qt.ItemDataRole.UserRole.value)
RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
NO_FLAGS = Qt.ItemFlag.NoItemFlags  # id lists of recent queries: erasing a search letter or clearing it costs nothing


@dataclass(frozen=True)
class Column:
    """One column of the table: key in fetch_rows' dict, header, how to show it, sort key."""

    key: str
    header: str
    kind: str = "text"  # 'text' | 'int' | 'money' | 'bool'
    sort_key: str | None = None  # column name given to list_ids(order_by=...); None = not sortable


def display_text(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_money(int(value))
    if kind == "bool":
        return "是" if value else "否"
    return str(value)


class LedgerTableModel(QAbstractTableModel):
    """Rows of one ledger kind for the current search, filters and sort order."""

    def __init__(
        self,
        store: Any,
        kind: str,
        columns: Sequence[Column],
        parent: Any = None,
        *,
        list_ids: Callable[..., list[int]] | None = None,
        fetch_rows: Callable[..., dict[int, dict]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._kind = kind
        self._columns = list(columns)
        self._list_ids = list_ids or ledger_store.list_ids
        self._fetch_rows = fetch_rows or ledger_store.fetch_rows
        self._ids: list[int] = []
        self._cache: OrderedDict[int, dict] = OrderedDict()
        self._results: OrderedDict[tuple, list[int]] = OrderedDict()
        self._search = ""
        self._filters: dict[str, Any] = {}
        self._order_by: str | None = None
        self._descending = False
        self._sort_column = -1
        self.fetch_count = 0  # blocks fetched since the last reset (tests, benchmark)

    # -- query -------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self._kind

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def set_query(self, *, search: str | None = None, filters: dict[str, Any] | None = None,
                  fresh: bool = False) -> None:
        """Change the search and/or filters; a query answered moments ago is reused unless `fresh`
        (the data may have changed)."""
        if search is not None:
            self._search = search
        if filters is not None:
            self._filters = {k: v for k, v in filters.items() if v not in (None, "")}
        if fresh:
            self._results.clear()
        self._run(reuse=not fresh)

    def refresh(self) -> None:
        """Re-run the query against the database (after a write or when the page is shown)."""
        self._results.clear()
        self._run(reuse=False)

    def _key(self) -> tuple:
        return (self._search, tuple(sorted(self._filters.items())), self._order_by, self._descending)

    def _run(self, *, reuse: bool) -> None:
        key = self._key()
        ids = self._results.get(key) if reuse else None
        if ids is None:
            # A sort over 100,000 rows can take a moment: say so with the busy cursor.
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                ids = list(self._list_ids(
                    self._store, self._kind, search=self._search, filters=dict(self._filters),
                    order_by=self._order_by, descending=self._descending,
                ))
            finally:
                QGuiApplication.restoreOverrideCursor()
            self._results[key] = ids
            while len(self._results) > RESULT_CACHE:
                self._results.popitem(last=False)
        else:
            self._results.move_to_end(key)
        self.beginResetModel()
        self._ids = ids
        if not reuse:
            self._cache.clear()  # rows stay valid across searches until the data changes
        self.fetch_count = 0
        self.endResetModel()

    def query(self) -> dict[str, Any]:
        """The current search, filters and order, as list_ids and export_ledger take them."""
        return {"search": self._search, "filters": dict(self._filters), "order_by": self._order_by,
                "descending": self._descending}

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: int) -> int:
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def ids(self) -> list[int]:
        return list(self._ids)

    def row_values(self, row: int) -> dict:
        """The display-ready row (fetching its block if needed)."""
        return self._row(row)

    # -- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].header
            if role == Qt.ItemDataRole.ToolTipRole and self._columns[section].sort_key:
                return f"点击按“{self._columns[section].header}”排序"
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self._ids):
                return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        # The delegate asks ~10 roles per painted cell: answer the uninteresting ones first.
        if role == DISPLAY or role == TOOLTIP:
            row, column = index.row(), index.column()
            if 0 <= row < len(self._ids) and 0 <= column < len(self._columns) and index.isValid():
                col = self._columns[column]
                return display_text(self._row(row).get(col.key), col.kind)
        elif role == ALIGN:
            column = index.column()
            if 0 <= column < len(self._columns) and self._columns[column].kind in ("int", "money"):
                return RIGHT
        elif role == USER and index.isValid() and 0 <= index.row() < len(self._ids):
            return self._ids[index.row()]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else NO_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting happens in SQL: the ids are re-queried in the new order."""
        if not (0 <= column < len(self._columns)) or not self._columns[column].sort_key:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        key = self._columns[column].sort_key
        if key == self._order_by and descending == self._descending and self._ids:
            return
        self._order_by, self._descending, self._sort_column = key, descending, column
        self._run(reuse=True)

    # -- block fetching ----------------------------------------------------------------------
    def _row(self, row: int) -> dict:
        rid = self._ids[row]
        hit = self._cache.get(rid)
        if hit is not None:
            self._cache.move_to_end(rid)
            return hit
        self._fetch_block(row)
        return self._cache.get(rid, {})

    def _fetch_block(self, row: int) -> None:
        start = (row // BLOCK_SIZE) * BLOCK_SIZE
        wanted = [i for i in self._ids[start:start + BLOCK_SIZE] if i not in self._cache]
        fetched = self._fetch_rows(self._store, self._kind, wanted)
        self.fetch_count += 1
        for rid in wanted:
            # A row deleted meanwhile is cached as empty so that painting does not refetch it.
            self._cache[rid] = fetched.get(rid, {})
        while len(self._cache) > CACHE_LIMIT:
            self._cache.popitem(last=False)

    def cached_count(self) -> int:
        return len(self._cache)


# -- import wizard tables ------------------------------------------------------------------
def column_letter(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


class _FixedColumnsModel(QAbstractTableModel):
    """A table whose columns are the class's HEADERS (the import wizard's two tables)."""

    HEADERS: tuple[str, ...] = ()

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


class MappingModel(_FixedColumnsModel):
    """Columns of one sheet: letter, header text, a sample value, and the field it imports into."""

    HEADERS = ("列", "表头", "第一行数据", "导入为")

    def __init__(self, kind: str, sheet: SheetData, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.sheet = sheet
        self.mapping: dict[int, str] = {c: t for c, t in sheet.mapping.items() if t}
        self.targets = mapping_targets(kind)
        self._labels = dict(self.targets)
        first = sheet.rows[0][1] if sheet.rows else []
        self._sample = [("" if v is None else str(v)) for v in first]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.sheet.headers)

    def target_text(self, key: str) -> str:
        return self._labels.get(key) or target_label(self.kind, key)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.rowCount()):
            return None
        r, c = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if c == 0:
                return column_letter(r)
            if c == 1:
                return self.sheet.headers[r]
            if c == 2:
                return self._sample[r] if r < len(self._sample) else ""
            if c == 3:
                return self.target_text(self.mapping.get(r, ""))
        if role == Qt.ItemDataRole.EditRole and c == 3:
            return self.mapping.get(r, "")
        if role == Qt.ItemDataRole.ForegroundRole and c == 3 and not self.mapping.get(r):
            return QGuiApplication.palette().placeholderText()
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == 3 else base

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 3 or role != Qt.ItemDataRole.EditRole:
            return False
        key = str(value or "")
        if key and key not in self._labels:
            return False
        if key:
            self.mapping[index.row()] = key
        else:
            self.mapping.pop(index.row(), None)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def full_mapping(self) -> dict[int, str]:
        return {c: self.mapping.get(c, "") for c in range(len(self.sheet.headers))}


class TargetDelegate(QStyledItemDelegate):
    """A combo box of the import targets in the 导入为 column."""

    def __init__(self, targets: list[tuple[str, str]], parent: Any = None) -> None:
        super().__init__(parent)
        self.targets = targets

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex) -> QWidget:  # noqa: N802
        combo = QComboBox(parent)
        for key, label in self.targets:
            combo.addItem(label, key)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class PreviewModel(_FixedColumnsModel):
    """Rows the clerk should look at before importing: rejected, warned and skipped rows."""

    HEADERS = ("工作表", "行号", "结果", "名称", "原因或提示")

    def __init__(self, plan: ImportPlan | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, int, str, str, str]] = []
        if plan is not None:
            self.set_plan(plan)

    def set_plan(self, plan: ImportPlan) -> None:
        items = [(o.sheet, o.row, "退回", o.name, o.reason) for o in plan.rejected]
        items += [(o.sheet, o.row, "提示", o.name, w) for o in plan.accepted for w in o.warnings]
        items += [(s, r, "跳过", "", why) for s, r, why in plan.skipped]
        items.sort(key=lambda t: (t[0], t[1]))
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.items)):
            return None
        item = self.items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return str(item[index.column()])
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            return QColor({"退回": "#c53030", "提示": "#b7791f"}.get(item[2], "#4a5568"))
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
