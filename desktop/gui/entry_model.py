"""Table model of the 数据填报 grid: section rows + one row per indicator, columns = the
indicator's disaggregation options plus 合计; typed values stay pending until saved and are
validated against the catalogue rules as they are typed. The 合计 shows the sum of the parts
(grey italics) unless the clerk types a control total there, which is then checked against it."""
from __future__ import annotations

import unicodedata
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.core.errors import CbecError, ValidationError
from desktop.core.money import growth_percent, parse_money
from desktop.storage import entry
from desktop.storage.db import Store
from desktop.storage.entry import TOTAL_CATEGORY, EntryIssue, Grid, GridRow, Indicator, Key

COMPARE_ROLE = Qt.ItemDataRole.UserRole + 1  # second line of a cell: 上期 · 同期
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # (indicator, category) of a value cell

ERROR_BG = QColor("#f6c6c6")
WARNING_BG = QColor("#ffe08a")
EXPLAINED_BG = QColor("#fff4cc")
SECTION_BG = QColor("#e4e9f0")
LOCKED_BG = QColor("#f3f3f3")
PENDING_FG = QColor("#1554b0")
COMPUTED_FG = QColor("#666666")

_SET_TITLES = {"EXPORT_MODE": "出口（按监管方式）", "IMPORT_MODE": "进口（按监管方式）",
               "TALENT_CAT": "人才（按类别）", None: "其他指标"}
_Index = QModelIndex | QPersistentModelIndex


class _Line:
    """One model row: a section header (row is None) or an indicator."""

    __slots__ = ("row", "options", "title")

    def __init__(self, row: GridRow | None, options: tuple[tuple[str, str], ...], title: str = "") -> None:
        self.row, self.options, self.title = row, options, title


def parse_cell(ind: Indicator, text: str) -> int | None:
    """What the clerk typed, in the display unit, as a stored integer (None for an empty cell).
    A minus sign is kept so that the negative rule can mark the cell red."""
    s = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").replace(" ", "")
    if not s:
        return None
    neg = s.startswith("-")
    body = s[1:] if neg else s
    if ind.is_money:
        value = parse_money(body, ind.display_unit, field=ind.name)
    else:
        if not body.isdigit():
            raise ValidationError(f"{ind.name}“{text}”不是整数（单位：{ind.display_unit}）", field=ind.name)
        value = int(body)
    return -value if neg else value


class EntryGridModel(QAbstractTableModel):
    issues_changed = Signal()  # validation result or pending state changed

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.grid: Grid | None = None
        self.lines: list[_Line] = []
        self.width = 1
        self.read_only = True
        self._forced_read_only = False
        self.pending: dict[Key, int | None] = {}
        self.pending_comments: dict[Key, str | None] = {}
        self.bad_text: dict[Key, tuple[str, str]] = {}  # key -> (typed text, message)
        self.issues: dict[Key, list[EntryIssue]] = {}
        self._stored: dict[Key, entry.Cell] = {}
        self._inds: dict[str, Indicator] = {}

    # -- loading ----------------------------------------------------------------------------------
    def load(self, unit_code: str, period: str, *, read_only: bool) -> None:
        self.beginResetModel()
        self.grid = entry.entry_grid(self.store, unit_code, period)
        self._forced_read_only = read_only
        self.read_only = read_only or self.grid.submission.locked
        self.pending.clear()
        self.pending_comments.clear()
        self.bad_text.clear()
        self._build_lines()
        self._revalidate()
        self.endResetModel()
        self.issues_changed.emit()

    def _build_lines(self) -> None:
        self.lines, self._stored, self._inds = [], {}, {}
        current_set: object = object()
        for row in self.grid.rows if self.grid else []:
            ind = row.indicator
            self._inds[ind.code] = ind
            if ind.category_set != current_set:
                current_set = ind.category_set
                self.lines.append(_Line(None, ind.options, _SET_TITLES.get(ind.category_set, ind.category_set or "")))
            self.lines.append(_Line(row, ind.options))
            self._stored.update({(ind.code, c): cell for c, cell in row.cells.items()})
            if row.total is not None:
                self._stored[(ind.code, TOTAL_CATEGORY)] = row.total
        self.width = max((len(line.options) for line in self.lines), default=1)

    # -- Qt model interface -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.width + 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        if section == 0:
            return "指标（计量单位）"
        return "合计" if section == self.width + 1 else f"分项{section}"

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.key_at(index) is not None and not self.read_only:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def key_at(self, index: _Index) -> Key | None:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if line.row is None or col == 0:
            return None
        ind = line.row.indicator
        if col == self.width + 1:
            return (ind.code, TOTAL_CATEGORY) if ind.disaggregated else None
        if col - 1 < len(line.options):
            return (ind.code, line.options[col - 1][0])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        if line.row is None:
            return self._section_data(line, index.column(), role)
        if index.column() == 0:
            return self._label_data(line.row.indicator, role)
        key = self.key_at(index)
        if key is None:
            return QBrush(LOCKED_BG) if role == Qt.ItemDataRole.BackgroundRole else None
        return self._cell_data(key, role)

    def _section_data(self, line: _Line, col: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return line.title
            if col == self.width + 1:
                return "合计" if line.options[0][0] else ""
            if col - 1 < len(line.options):
                return line.options[col - 1][1] or "本期数值"
            return ""
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(SECTION_BG)
        if role == Qt.ItemDataRole.FontRole:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter) if col else int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _label_data(self, ind: Indicator, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{ind.name}（{ind.display_unit}）"
        if role == Qt.ItemDataRole.ToolTipRole and ind.requires:
            req = self._inds.get(ind.requires)
            return f"填报本指标时须同时填报“{req.name if req else ind.requires}”"
        return None

    def _cell_data(self, key: Key, role: int):
        ind = self._inds[key[0]]
        computed = self.is_computed(key)  # 合计 without a typed total: the sum of the parts
        if role == Qt.ItemDataRole.DisplayRole:
            if key in self.bad_text:
                return self.bad_text[key][0]
            return ind.format(self.shown_value(key))
        if role == Qt.ItemDataRole.EditRole:
            if key in self.bad_text:
                return self.bad_text[key][0]
            v = self.value(key)
            return "" if v is None else (ind.format(v).replace(",", ""))
        if role == COMPARE_ROLE:
            return self.compare_text(key)
        if role == KEY_ROLE:
            return f"{key[0]}/{key[1]}"
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(key)
        if role == Qt.ItemDataRole.ForegroundRole:
            if computed:
                return QBrush(COMPUTED_FG)
            return QBrush(PENDING_FG) if self.is_pending(key) else None
        if role == Qt.ItemDataRole.FontRole and computed:
            f = QFont()
            f.setItalic(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(key)
        return None

    def _background(self, key: Key):
        level = self.cell_level(key)
        if level == "error":
            return QBrush(ERROR_BG)
        if level == "warning":
            return QBrush(WARNING_BG)
        if level == "explained":
            return QBrush(EXPLAINED_BG)
        return QBrush(LOCKED_BG) if self.read_only else None

    def setData(self, index: _Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        key = self.key_at(index)
        if key is None or role != Qt.ItemDataRole.EditRole or self.read_only:
            return False
        self.set_value_text(key, "" if value is None else str(value))
        return True

    # -- editing ----------------------------------------------------------------------------------
    def set_value_text(self, key: Key, text: str) -> None:
        ind = self._inds[key[0]]
        try:
            parsed = parse_cell(ind, text)
        except CbecError as exc:
            self.bad_text[key] = (text, exc.message)
        else:
            self.bad_text.pop(key, None)
            stored = self._stored[key].value if key in self._stored else None
            if parsed == stored:
                self.pending.pop(key, None)
            else:
                self.pending[key] = parsed
        self._changed()

    def set_comment(self, key: Key, text: str) -> None:
        text = text.strip()
        stored = self._stored[key].comment if key in self._stored else None
        if (text or None) == (stored or None):
            self.pending_comments.pop(key, None)
        else:
            self.pending_comments[key] = text or None
        self._changed()

    def discard(self) -> None:
        self.pending.clear()
        self.pending_comments.clear()
        self.bad_text.clear()
        self._changed()

    def _changed(self) -> None:
        self._revalidate()
        if self.lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.lines) - 1, self.width + 1))
        self.issues_changed.emit()

    def _revalidate(self) -> None:
        self.issues = {}
        if self.grid is None:
            return
        found = entry.validate_entry(self.store, self.grid.unit_code, self.grid.period, self.pending,
                                     self.pending_comments)
        for issue in found:
            self.issues.setdefault((issue.indicator, issue.category), []).append(issue)

    # -- queries ----------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return bool(self.pending or self.pending_comments or self.bad_text)

    def commentable(self, key: Key) -> bool:
        """A 说明 belongs to a typed value (a typed 合计 too, not the computed one; not in a
        locked period)."""
        return not self.read_only and self.value(key) is not None

    def indicator(self, code: str) -> Indicator:
        return self._inds[code]

    def is_pending(self, key: Key) -> bool:
        return key in self.pending or key in self.pending_comments

    def value(self, key: Key) -> int | None:
        """The cell's typed value (pending or stored); for 合计 the typed control total, if any."""
        if key in self.pending:
            return self.pending[key]
        cell = self._stored.get(key)
        return cell.value if cell else None

    def comment(self, key: Key) -> str:
        if key in self.pending_comments:
            return self.pending_comments[key] or ""
        cell = self._stored.get(key)
        return (cell.comment or "") if cell else ""

    def is_computed(self, key: Key) -> bool:
        """True for a 合计 cell without a typed total (it shows the sum of the parts)."""
        return key[1] == TOTAL_CATEGORY and self.value(key) is None and key not in self.bad_text

    def shown_value(self, key: Key) -> int | None:
        """What the cell shows: the typed value, or for an untyped 合计 the sum of the parts."""
        return self.computed_total(key[0]) if self.is_computed(key) else self.value(key)

    def caption(self, key: Key) -> str:
        """The cell's name; a 合计 says whether it is typed or the sum of the parts."""
        ind = self._inds[key[0]]
        if key[1] != TOTAL_CATEGORY:
            return ind.label(key[1])
        if self.is_computed(key):
            return f"{ind.name}·合计（分项之和）"
        parts = self.computed_total(key[0])
        return f"{ind.name}·合计（填报数，分项之和为 {ind.format_with_unit(parts or 0)}）"

    def computed_total(self, code: str, which: str = "value") -> int | None:
        ind = self._inds[code]
        if which == "value":
            vals = [self.value((code, c)) for c, _ in ind.options]
        else:
            vals = [getattr(self._stored[(code, c)], which) for c, _ in ind.options]
        vals = [v for v in vals if isinstance(v, int)]
        return sum(vals) if vals else None

    def comparison(self, key: Key) -> tuple[int | None, int | None]:
        """(previous period, same period last year) of a cell; computed sums for an empty 合计."""
        if key[1] == TOTAL_CATEGORY:
            return self.computed_total(key[0], "previous"), self.computed_total(key[0], "last_year")
        cell = self._stored.get(key)
        return (cell.previous, cell.last_year) if cell else (None, None)

    def compare_text(self, key: Key) -> str:
        ind = self._inds[key[0]]
        prev, ly = self.comparison(key)
        return f"上期 {ind.format(prev) or '—'}\n同期 {ind.format(ly) or '—'}"

    def cell_issues(self, key: Key) -> list[str]:
        out = [self.bad_text[key][1]] if key in self.bad_text else []
        return out + [i.message for i in self.issues.get(key, [])]

    def cell_level(self, key: Key) -> str | None:
        found = self.issues.get(key, [])
        if key in self.bad_text or any(i.level == "error" for i in found):
            return "error"
        if any(i.blocking for i in found):
            return "warning"
        return "explained" if found else None

    def preview(self, key: Key, text: str) -> tuple[str | None, list[str]]:
        """Level and messages the cell would get with `text`, without changing anything (used
        while the clerk is still typing in the cell editor)."""
        try:
            value = parse_cell(self._inds[key[0]], text)
        except CbecError as exc:
            return "error", [exc.message]
        found = [i for i in entry.validate_entry(self.store, self.grid.unit_code, self.grid.period,
                                                 {**self.pending, key: value}, self.pending_comments)
                 if (i.indicator, i.category) == key]
        if any(i.level == "error" for i in found):
            level = "error"
        elif found:
            level = "warning" if any(i.blocking for i in found) else "explained"
        else:
            level = None
        return level, [i.message for i in found]

    def growth(self, key: Key) -> Decimal | None:
        v = self.shown_value(key)
        ly = self.comparison(key)[1]
        return growth_percent(v, ly) if isinstance(v, int) and ly else None

    def tooltip(self, key: Key) -> str:
        ind = self._inds[key[0]]
        prev, ly = self.comparison(key)
        g = self.growth(key)
        lines = [self.caption(key),
                 f"上期（{self.grid.previous_period}）：{ind.format(prev) or '未填'}",
                 f"上年同期（{self.grid.last_year_period}）：{ind.format(ly) or '未填'}"]
        if g is not None:
            lines.append(f"同比：{g:+}%")
        lines += self.cell_issues(key)
        if self.comment(key):
            lines.append(f"说明：{self.comment(key)}")
        return "\n".join(lines)

    def summary(self) -> tuple[int, int, int]:
        """(errors, warnings still needing a 说明, warnings explained)."""
        errors = len(self.bad_text)
        flat = [i for found in self.issues.values() for i in found]
        errors += sum(1 for i in flat if i.level == "error")
        return errors, sum(1 for i in flat if i.level == "warning" and not i.explained), \
            sum(1 for i in flat if i.level == "warning" and i.explained)

    def index_of(self, key: Key) -> QModelIndex:
        for r, line in enumerate(self.lines):
            if line.row is not None and line.row.indicator.code == key[0]:
                for c in range(1, self.width + 2):
                    if self.key_at(self.index(r, c)) == key:
                        return self.index(r, c)
        return QModelIndex()

    # -- writing ----------------------------------------------------------------------------------
    def save(self, *, operator: str) -> bool:
        """Write pending values and 说明; False when nothing was pending."""
        if self.bad_text:
            _, msg = next(iter(self.bad_text.values()))
            raise ValidationError(f"有 {len(self.bad_text)} 个单元格不是有效数字，请先改正", detail=msg)
        if not (self.pending or self.pending_comments):
            return False
        g = self.grid
        entry.save_values(self.store, g.unit_code, g.period, self.pending, self.pending_comments, operator=operator)
        self.load(g.unit_code, g.period, read_only=self._forced_read_only)
        return True
