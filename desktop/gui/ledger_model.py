"""Table model of one ledger: holds only the ids of the current query; rows come in blocks on demand.

The pattern of Anki's browser model: `list_ids` runs the (filtered, sorted) query in SQL and
returns ids; `fetch_rows` loads display-ready rows for a block of ids when the view asks for
them. A bounded cache keeps memory flat however far the clerk scrolls.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication

from desktop.core.money import format_money
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
