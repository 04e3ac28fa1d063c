"""The report model: plain data that both renderers (PDF, XLSX) and the GUI preview read.

A report is built once from the plan-figure engine and the ledgers, then drawn. Values keep their
exact types: money as integer 元 (shown in the column's 万元/亿元), counts as int, percentages as
Decimal; `None` is an empty cell. Formatting lives here so that PDF, XLSX and the preview agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from desktop.core.money import format_money, to_decimal
from desktop.core.periods import Period

# text: plain text; int: count; money: integer 元 shown in Column.unit; percent: Decimal %;
# measure: a number whose unit the row says (Row.money True → money in Column.unit, else count).
ColumnKind = Literal["text", "int", "money", "percent", "measure"]
RowStyle = Literal["normal", "section", "total"]

SIGNATURES = ("单位负责人", "统计负责人", "填表人", "联系电话", "报出日期")


@dataclass(frozen=True)
class HeaderBlock:
    """The 表号 block printed top right of an approved statistics table."""

    table_no: str
    authority: str
    approval_no: str = ""
    valid_until: str = ""

    def lines(self) -> list[str]:
        # Blank approval number / validity stay blank fields: never invent official numbers.
        return [
            f"表\u3000\u3000号：{self.table_no}",
            f"制定机关：{self.authority}",
            f"批准文号：{self.approval_no}",
            f"有效期至：{self.valid_until}",
        ]


@dataclass(frozen=True)
class Column:
    """One leaf column. `path` holds its header labels from the top level down to the leaf."""

    path: tuple[str, ...]
    kind: ColumnKind = "text"
    unit: str = "万元"          # money display unit for money/measure columns
    width: float | None = None  # relative width hint in characters (None = fitted)
    wrap: bool = False          # long text that may wrap in the PDF

    @property
    def title(self) -> str:
        return self.path[-1]

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Row:
    values: list[Any]
    level: int = 0              # indentation of the first column
    style: RowStyle = "normal"
    money: bool = False         # for 'measure' columns: the row's figures are money


@dataclass
class Table:
    columns: list[Column]
    rows: list[Row]
    caption: str = ""           # section caption above the table (e.g. 一、海外仓)
    sheet: str = ""             # XLSX sheet name when a report has several tables

    @property
    def header_depth(self) -> int:
        return max((len(c.path) for c in self.columns), default=1)


@dataclass
class Chart:
    title: str
    kind: Literal["line", "bar"]
    categories: list[str]
    series: list[tuple[str, list[Decimal]]]  # name, values in `unit`
    unit: str


@dataclass
class Section:
    """A heading of a narrative report with its paragraphs (generated and clerk-written)."""

    heading: str
    paragraphs: list[str]


@dataclass
class Report:
    code: str                   # T1..T11
    number: int                 # 1..11 (表号 order)
    short_title: str            # for file names: 跨境电商主要指标
    title: str
    unit_code: str
    unit_name: str              # 填报单位
    period: Period
    header: HeaderBlock | None
    measure_unit: str           # 计量单位 text
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signatures: tuple[str, ...] = SIGNATURES
    charts: list[Chart] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)    # narrative report only
    attachments: list[Report] = field(default_factory=list)  # tables appended to a narrative
    narrative: bool = False
    landscape: bool = False
    issuer: str = ""            # narrative: 发文单位 line above the date
    dated: str = ""             # narrative: 成文日期 (2025年10月8日)

    @property
    def formats(self) -> tuple[str, ...]:
        return ("pdf",) if self.narrative else ("pdf", "xlsx")

    @property
    def subtitle(self) -> str:
        return f"（{self.period.label}）"

    def file_stem(self) -> str:
        label = self.short_title if self.narrative else f"表{self.number}_{self.short_title}"
        return f"{self.unit_name}_{label}_{self.period}"


# -- shared formatting -------------------------------------------------------------------------
def cell_kind(column: Column, row: Row) -> str:
    """The effective kind of one cell: 'measure' resolves through the row."""
    if column.kind == "measure":
        return "money" if row.money else "int"
    return column.kind


def display(column: Column, row: Row, value: Any) -> str:
    """The text a clerk sees in the PDF and the preview."""
    if value is None:
        return ""
    kind = cell_kind(column, row)
    if kind == "money" and isinstance(value, int):
        return format_money(value, column.unit, thousands=False)
    if kind == "percent" and isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
    if kind == "int" and isinstance(value, int):
        return str(value)
    return str(value)


def excel_value(column: Column, row: Row, value: Any) -> Any:
    """The stored cell value in the workbook: money as exact Decimal in the display unit."""
    if value is None:
        return None
    kind = cell_kind(column, row)
    if kind == "money" and isinstance(value, int):
        return to_decimal(value, column.unit)
    if kind == "percent" and isinstance(value, Decimal):
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return value


def number_format(column: Column, row: Row) -> str:
    kind = cell_kind(column, row)
    return {"money": "0.00", "percent": '0.0"%"', "int": "0"}.get(kind, "@")


def text_width(text: str) -> float:
    """Width in Latin-character units: CJK characters count twice."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.0 for ch in text)


def header_grid(table: Table) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """Header rows as a grid plus merged ranges (row0, col0, row1, col1), inclusive.

    A leaf shorter than the deepest path spans down to the last header row; adjacent columns
    sharing a parent label at a level are merged across.
    """
    depth = table.header_depth
    cols = table.columns
    grid = [["" for _ in cols] for _ in range(depth)]
    spans: list[tuple[int, int, int, int]] = []
    for j, col in enumerate(cols):
        for r, label in enumerate(col.path):
            grid[r][j] = label
        if len(col.path) < depth:
            spans.append((len(col.path) - 1, j, depth - 1, j))
    for r in range(depth - 1):
        j = 0
        while j < len(cols):
            path = cols[j].path
            if len(path) - 1 <= r:
                j += 1
                continue
            k = j
            while k + 1 < len(cols) and len(cols[k + 1].path) - 1 > r and cols[k + 1].path[: r + 1] == path[: r + 1]:
                k += 1
            if k > j:
                spans.append((r, j, r, k))
            j = k + 1
    for r0, c0, r1, c1 in spans:  # only the anchor of a merged range keeps its label
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    grid[r][c] = ""
    return grid, spans
