"""Roster workbooks written for the clerk: import template, ledger export, rejected-rows workbook."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from desktop.core.ledgers import LEVELS, FieldSpec, LedgerKind, kind_of, volume_label, volume_spec
from desktop.core.money import to_decimal
from desktop.exchange.xlsx_util import atomic_save, fit_widths, set_column_widths
from desktop.storage import ledgers as ledger_store
from desktop.storage.db import Store

if TYPE_CHECKING:
    from desktop.exchange.roster import ImportPlan

TEMPLATE_ROWS = 1000
EXPORT_CHUNK = 2000
REASON_HEADER = "错误原因"


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", text)[:31] or "Sheet"


# -- template -----------------------------------------------------------------------------------------
def template_years(today: date | None = None) -> list[int]:
    """Volume years a fresh template asks for: the two years before this one."""
    y = (today or date.today()).year
    return [y - 2, y - 1]


def _note(k: LedgerKind) -> str:
    parts = [f"填写说明：每行一个{k.title}；带 * 的列必须填写；表头请勿改动，合计行和填表人等表尾可保留（导入时跳过）。"]
    types = {f.type for f in k.fields}
    if "credit" in types:
        parts.append("统一社会信用代码按营业执照填写18位（本列已设为文本格式）。")
    if "bool" in types:
        parts.append("“是否”类填“是”或“否”（也可填 √，留空视为否）。")
    if "modes" in types:
        parts.append("经营模式可填多个海关监管方式代码，用顿号分隔，如 9610、9710。")
    if k.has_volumes:
        parts.append("交易额单位为万元，可保留两位小数。")
    return "".join(parts)


def _option_lists(store: Store, k: LedgerKind) -> dict[str, list[str]]:
    belts = [r[0] for r in store.conn.execute("SELECT name FROM industry_belt ORDER BY sort")]
    modes = [r[0] for r in store.conn.execute("SELECT code FROM customs_mode ORDER BY sort")]
    parks = [r[0] for r in store.conn.execute(
        "SELECT name FROM park WHERE unit_code = ? AND deleted_at IS NULL ORDER BY initials", (store.unit_code,))]
    out: dict[str, list[str]] = {}
    for f in k.fields:
        if f.type == "bool":
            out[f.name] = ["是", "否"]
        elif f.type == "choice":
            out[f.name] = list(f.choices or LEVELS)
        elif f.type == "belt":
            out[f.name] = belts
        elif f.type == "modes":
            out[f.name] = modes
        elif f.type == "park" and parks:
            out[f.name] = parks
    return out


def _validation(f: FieldSpec, ref: str | None) -> DataValidation | None:
    if ref is not None:
        strict = f.type in ("bool", "choice")
        dv = DataValidation(type="list", formula1=ref, allow_blank=True,
                            errorStyle="stop" if strict else "information")
        dv.error = f"请从下拉列表中选择{f.label}" if strict else f"{f.label}不在列表中，导入时会提示"
    elif f.type == "year":
        dv = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True)
        dv.error = f"{f.label}应为 2000—2100 之间的年份"
    elif f.type in ("int", "money"):
        dv = DataValidation(type="whole" if f.type == "int" else "decimal", operator="greaterThanOrEqual",
                            formula1="0", allow_blank=True)
        dv.error = f"{f.label}应为不小于 0 的数字"
    else:
        return None
    dv.errorTitle = "输入有误"
    dv.showErrorMessage = True
    return dv


def write_template(store: Store, kind: str, out: Path | str, *, years: Sequence[int] | None = None) -> Path:
    """An empty import template: note row, header row (required marked *), drop-down lists."""
    k = kind_of(kind)
    fields = list(k.fields)
    if k.has_volumes:
        fields += [volume_spec(y) for y in (years or template_years())]
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(f"{k.title}名录")
    lists_ws = wb.create_sheet("选项")
    lists_ws.sheet_state = "hidden"
    ws.append([_note(k)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(fields))
    ws.row_dimensions[1].height = 48
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(color="C00000")
    headers = [("*" if f.required else "") + f.label for f in fields]
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    options = _option_lists(store, k)
    list_col = 0
    for col, f in enumerate(fields, start=1):
        letter = get_column_letter(col)
        ref = None
        if f.name in options:
            list_col += 1
            lc = get_column_letter(list_col)
            for i, v in enumerate(options[f.name], start=1):
                lists_ws[f"{lc}{i}"] = v
            ref = f"'选项'!${lc}$1:${lc}${max(1, len(options[f.name]))}"
        dv = _validation(f, ref)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}3:{letter}{TEMPLATE_ROWS + 2}")
        if f.type in ("credit", "phone"):
            for r in range(3, TEMPLATE_ROWS + 3):
                ws[f"{letter}{r}"].number_format = "@"
    set_column_widths(ws, fit_widths([headers], minimum=10))
    ws.freeze_panes = "A3"
    return atomic_save(wb, out)


# -- export ------------------------------------------------------------------------------------------
def _cell(f: FieldSpec, row: dict[str, Any]) -> Any:
    v = row.get(f.name)
    if f.type == "park":
        return row.get("park_name") or None
    if f.type == "belt":
        return row.get("belt_name") or None
    if f.type == "modes":
        return (v or "").replace(",", "、") or None
    if f.type == "bool":
        return "是" if v else "否"
    return None if v == "" else v


def _export_rows(store: Store, k: LedgerKind, ids: list[int], years: list[int],
                 with_unit: bool) -> Iterator[list[Any]]:
    for start in range(0, len(ids), EXPORT_CHUNK):
        part = ids[start:start + EXPORT_CHUNK]
        rows = ledger_store.fetch_rows(store, k.key, part)
        for rid in part:
            row = rows[rid]
            out = [row["unit_name"]] if with_unit else []
            out += [_cell(f, row) for f in k.fields]
            if years:
                vols = row["volumes"]
                out += [to_decimal(vols[y]) if y in vols else None for y in years]
            yield out


def _volume_years(store: Store, ids: list[int]) -> list[int]:
    if not ids:
        return []
    return [r[0] for r in store.conn.execute(
        "SELECT DISTINCT year FROM enterprise_volume v JOIN enterprise e ON e.id = v.enterprise_id"
        " WHERE e.deleted_at IS NULL ORDER BY year")]


def export_ledger(store: Store, kind: str, out: Path | str, *, search: str = "", filters: dict | None = None,
                  order_by: str | None = None, descending: bool = False) -> int:
    """Write the (filtered) ledger as the import template's columns, so the file re-imports
    unchanged. Returns the number of rows. Money in 万元 as exact decimals."""
    k = kind_of(kind)
    ids = ledger_store.list_ids(store, kind, search=search, filters=filters, order_by=order_by,
                                descending=descending)
    years = _volume_years(store, ids) if k.has_volumes else []
    with_unit = store.is_municipal
    headers = (["单位"] if with_unit else []) + [f.label for f in k.fields] + [volume_label(y) for y in years]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(f"{k.title}台账"))
    rows = _export_rows(store, k, ids, years, with_unit)
    sample = [next(rows, None) for _ in range(min(len(ids), 100))]
    set_column_widths(ws, fit_widths([headers, *sample], minimum=8, maximum=40))
    title = f"{store.unit_name()}{k.title}台账（导出日期 {date.today().isoformat()}，共 {len(ids)} 条）"
    ws.append([title])
    ws.append(headers)
    for r in sample:
        ws.append(r)
    for r in rows:
        ws.append(r)
    atomic_save(wb, out)
    return len(ids)


# -- rejected rows -------------------------------------------------------------------------------------
def write_errors_workbook(plan: ImportPlan, out: Path | str) -> Path:
    """The rejected rows as they were in the file, plus a 错误原因 column, one sheet per source sheet."""
    wb = Workbook(write_only=True)
    by_sheet: dict[str, list[Any]] = {}
    for o in plan.rejected:
        by_sheet.setdefault(o.sheet, []).append(o)
    if not by_sheet:
        by_sheet = {name: [] for name in list(plan.headers)[:1]}
    for name, rejected in by_sheet.items():
        headers = list(plan.headers.get(name, []))
        width = max([len(headers)] + [len(o.cells) for o in rejected])
        headers += [""] * (width - len(headers))
        ws = wb.create_sheet(_sheet_title(name))
        set_column_widths(ws, fit_widths([headers + [REASON_HEADER]], minimum=10)[:-1] + [60])
        ws.append(headers + [REASON_HEADER])
        for o in rejected:
            cells = list(o.cells) + [None] * (width - len(o.cells))
            ws.append([_plain(c) for c in cells] + [o.reason])
    return atomic_save(wb, out)


def _plain(value: Any) -> Any:
    return value if not isinstance(value, Decimal) else str(value)
