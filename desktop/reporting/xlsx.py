"""XLSX renderer (openpyxl, write-only for speed): merged multi-level headers, 表号 block top
right, typed number formats, frozen header, CJK-fitted widths, A4 fit-to-width print setup."""
from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any, Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from desktop.reporting.files import atomic_write
from desktop.reporting.model import (
    Column, Report, Row, Table, cell_kind, display, excel_value, header_grid, number_format, text_width,
)

FONT_NAME = "宋体"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_F_BODY = Font(name=FONT_NAME, size=10)
_F_BOLD = Font(name=FONT_NAME, size=10, bold=True)
_F_TITLE = Font(name="黑体", size=16, bold=True)
_F_SMALL = Font(name=FONT_NAME, size=9)
_HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center")
_RIGHT = Alignment(horizontal="right", vertical="center")
_SHEET_BAD = str.maketrans({c: "" for c in "[]:*?/\\"})
_MAX_WIDTH = 60.0


def render_xlsx(report: Report, target: Path) -> Path:
    return atomic_write(target, lambda fh: write_workbook(report, fh))


def xlsx_bytes(report: Report) -> bytes:
    buf = io.BytesIO()
    write_workbook(report, buf)
    return buf.getvalue()


def write_workbook(report: Report, fh: IO[bytes]) -> None:
    wb = Workbook(write_only=True)
    for i, table in enumerate(report.tables):
        name = (table.sheet or (report.short_title if i == 0 else f"{report.short_title}{i + 1}"))
        ws = wb.create_sheet(name.translate(_SHEET_BAD)[:31])
        _write_sheet(ws, report, table, notes=(i == len(report.tables) - 1))
    wb.save(fh)


def _cell(ws: Any, value: Any, *, font: Font = _F_BODY, align: Alignment | None = None,
          border: bool = False, fmt: str | None = None, fill: PatternFill | None = None,
          cls: type[Cell] | None = None) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=value) if cls is None else cls(ws, row=1, column=1, value=value)
    c.font = font
    if align is not None:
        c.alignment = align
    if border:
        c.border = _BORDER
    if fmt:
        c.number_format = fmt
    if fill is not None:
        c.fill = fill
    return c


def _write_sheet(ws: Any, report: Report, table: Table, *, notes: bool) -> None:
    ncols = len(table.columns)
    depth = table.header_depth
    block = report.header.lines() if report.header else []
    head_top = len(block) + 4  # block rows, title, subtitle, unit line, then headers
    first_data = head_top + depth
    _setup_sheet(ws, report, table, head_top, first_data)
    # 表号 block: top right, each line merged over the last columns.
    span = min(ncols, 4)
    for r, line in enumerate(block, start=1):
        ws.append([None] * (ncols - span) + [_cell(ws, line, font=_F_SMALL, align=_LEFT)])
        _merge(ws, r, ncols - span + 1, r, ncols)
    r0 = len(block) + 1
    ws.append([_cell(ws, report.title, font=_F_TITLE, align=_CENTER)])
    ws.append([_cell(ws, report.subtitle, align=_CENTER)])
    for r in (r0, r0 + 1):
        _merge(ws, r, 1, r, ncols)
    half = max(1, ncols // 2)
    ws.append([_cell(ws, f"填报单位（盖章）：{report.unit_name}", align=_LEFT)] + [None] * (half - 1)
              + [_cell(ws, f"计量单位：{report.measure_unit}", align=_RIGHT)])
    _merge(ws, r0 + 2, 1, r0 + 2, half)
    _merge(ws, r0 + 2, half + 1, r0 + 2, ncols)
    # Multi-level header: every grid cell bordered so merged ranges print their frame.
    grid, spans = header_grid(table)
    for row in grid:
        ws.append([_cell(ws, t or None, font=_F_BOLD, align=_CENTER, border=True, fill=_HEAD_FILL) for t in row])
    for a, b, c, d in spans:
        _merge(ws, head_top + a, b + 1, head_top + c, d + 1)
    _write_body(ws, table)
    if not table.rows:
        ws.append([_cell(ws, "（无数据）", align=_CENTER, border=True)] + [None] * (ncols - 1))
        _merge(ws, first_data, 1, first_data, ncols)
    if notes:
        _write_tail(ws, report, ncols)


def _write_body(ws: Any, table: Table) -> None:
    """Rows through per-column template cells: styles are resolved once per kind of row, each
    row only binds values (the roster has 20,000 rows; see _fast_append)."""
    cols = table.columns
    kinds: dict[tuple[str, bool, int], list[tuple[WriteOnlyCell, Callable[[Any], Any]]]] = {}
    append = _fast_append(ws)
    for row in table.rows:
        key = (row.style, row.money, row.level)
        plan = kinds.get(key)
        if plan is None:
            plan = kinds[key] = [(_template(ws, col, row, j), _converter(col, row)) for j, col in enumerate(cols)]
        cells = []
        for (cell, convert), value in zip(plan, row.values):
            cell.value = value if convert is _identity else convert(value)
            cells.append(cell)
        append(cells)


class _TemplateCell(Cell):
    """A body cell reused for every row of one kind: its style never changes after set-up, so
    its style id is looked up once instead of hashing the style for each of 240,000 cells."""

    __slots__ = ("_sid",)

    @property
    def style_id(self) -> int:
        try:
            return self._sid
        except AttributeError:
            self._sid = Cell.style_id.fget(self)
            return self._sid


def _template(ws: Any, col: Column, row: Row, j: int) -> WriteOnlyCell:
    fmt = number_format(col, row)
    numeric = fmt != "@"
    if numeric:
        align = _RIGHT
    elif j == 0 and row.level:
        align = Alignment(horizontal="left", vertical="center", indent=row.level)
    else:
        align = _LEFT
    return _cell(ws, None, font=_F_BOLD if row.style != "normal" else _F_BODY, align=align, border=True,
                 fmt=fmt if numeric else None, cls=_TemplateCell)


def _converter(col: Column, row: Row) -> Callable[[Any], Any]:
    kind = cell_kind(col, row)
    if kind in ("money", "percent"):
        return lambda v: excel_value(col, row, v)
    return _identity


def _identity(v: Any) -> Any:
    return v


def _fast_append(ws: Any) -> Callable[[list[WriteOnlyCell]], None]:
    """ws.append for rows of ready cells. openpyxl's write-only sheet re-binds every cell's value
    and, for a styled cell, fails a conversion and formats an error message before using it; a
    pre-bound template cell only needs its coordinates, which is all this does."""

    def values_to_row(values: list[Any], row_idx: int):
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(ws, value=cell)
            cell.column = col_idx
            cell.row = row_idx
            yield cell

    ws._values_to_row = values_to_row
    return ws.append


def _write_tail(ws: Any, report: Report, ncols: int) -> None:
    ws.append([])
    sig = "    ".join(f"{s}：    年  月  日" if s == "报出日期" else f"{s}：        " for s in report.signatures)
    ws.append([_cell(ws, sig, align=_LEFT)])
    for i, note in enumerate(report.notes):
        ws.append([_cell(ws, ("说明：" if i == 0 else "　　　") + note, font=_F_SMALL, align=_LEFT)])


def _setup_sheet(ws: Any, report: Report, table: Table, head_top: int, first_data: int) -> None:
    """Everything written before the first row in write-only mode: widths, views, print setup."""
    widths = fitted_widths(table)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = f"B{first_data}"
    ws.print_title_rows = f"{head_top}:{first_data - 1}"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if report.landscape or sum(widths) > 100 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "— &P —"
    ws.evenFooter.center.text = "— &P —"


def fitted_widths(table: Table) -> list[float]:
    """Column widths in Excel character units, CJK characters counted double."""
    sample = table.rows[:500]
    out = []
    for j, col in enumerate(table.columns):
        w = text_width(col.path[-1]) if len(col.path[-1]) <= 6 else text_width(col.path[-1]) * 0.6
        for r in sample:
            w = max(w, text_width(display(col, r, r.values[j])) + 1.5 * r.level)
        out.append(min(_MAX_WIDTH, max(6.0, w + 2)))
    return out


def _merge(ws: Any, r1: int, c1: int, r2: int, c2: int) -> None:
    if (r1, c1) != (r2, c2):
        ws.merged_cells.add(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
