"""The mandated reports: which exist, who may run them, build one, write it as PDF and/or XLSX."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop.core.errors import RoleError, ValidationError
from desktop.core.periods import Period
from desktop.reporting import figures_reports as fr
from desktop.reporting import ledger_reports as lr
from desktop.reporting import municipal_reports as mr
from desktop.reporting.common import Scope, scope_of
from desktop.reporting.files import safe_name
from desktop.reporting.model import Report
from desktop.reporting.narrative import build_narrative
from desktop.storage.db import Store
from desktop.storage.reference import CITY_CODE

Builder = Callable[[Store, Scope, Period], Report]
COUNTY, MUNICIPAL = "county", "municipal"
FORMATS = ("pdf", "xlsx")


@dataclass(frozen=True)
class ReportSpec:
    code: str
    number: int
    slug: str
    title: str
    scope: str                  # 'unit' (tables 1–8, any unit) or 'city' (municipal summaries 9–11)
    build: Builder
    periods: str                # what periods it accepts, for the clerk

    @property
    def formats(self) -> tuple[str, ...]:
        return ("pdf",) if self.code == "T8" else FORMATS

    @property
    def label(self) -> str:
        return f"表{self.number} {self.title}" if self.code != "T8" else f"{self.number}. {self.title}"

    def available_to(self, role: str | None) -> bool:
        return self.scope == "unit" or role == MUNICIPAL


REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec("T1", 1, "indicators", "跨境电商主要指标完成情况表", "unit", fr.build_table1, "月、季、年"),
    ReportSpec("T2", 2, "enterprises", "跨境电商企业名录", "unit", lr.build_table2, "月、季、年（期末名录）"),
    ReportSpec("T3", 3, "parks", "跨境电商园区情况表", "unit", lr.build_table3, "月、季、年（期末）"),
    ReportSpec("T4", 4, "bases", "跨境电商培训孵化基地情况表", "unit", lr.build_table4, "月、季、年"),
    ReportSpec("T5", 5, "talent", "跨境电商人才培养引进情况表", "unit", fr.build_table5, "月、季、年"),
    ReportSpec("T6", 6, "warehouses", "跨境电商海外仓及直播基地情况表", "unit", lr.build_table6, "月、季、年"),
    ReportSpec("T7", 7, "tasks", "重点任务推进台账", "unit", lr.build_table7, "季（月按所在季度）"),
    ReportSpec("T8", 8, "progress", "季度工作进展报告", "unit", build_narrative, "季（月按所在季度）、年"),
    ReportSpec("T9", 9, "summary", "各县市区主要指标汇总表", "city", mr.build_table9, "月、季、年"),
    ReportSpec("T10", 10, "targets", "规划目标任务完成情况表", "city", mr.build_table10, "月、季、年"),
    ReportSpec("T11", 11, "submissions", "各县市区数据报送情况表", "city", mr.build_table11, "月、季、年"),
)


def find_report(name: str) -> ReportSpec:
    """By code (T1), number (1), 表1, or slug (indicators)."""
    import unicodedata

    key = unicodedata.normalize("NFKC", str(name or "")).strip().lower()
    for spec in REPORTS:
        if key in (spec.code.lower(), str(spec.number), f"表{spec.number}", spec.slug):
            return spec
    names = "、".join(f"{s.number}（{s.slug}）" for s in REPORTS)
    raise ValidationError(f"没有名为“{name}”的报表", field="报表", detail=f"可用的报表：{names}")


def list_reports(role: str | None) -> list[ReportSpec]:
    return [s for s in REPORTS if s.available_to(role)]


def resolve_scope(store: Store, spec: ReportSpec, unit_code: str | None) -> Scope:
    """Who the report covers, with the role rules: a county reports on itself only; the municipal
    office may pick any unit (none = the whole city); summaries 9–11 are municipal only."""
    if not spec.available_to(store.role):
        raise RoleError(f"“{spec.label}”是市级汇总表，只能在市级（综试办）数据库中生成")
    if spec.scope == "city":
        return scope_of(store, CITY_CODE)
    if store.role != MUNICIPAL:
        if unit_code and unit_code != store.unit_code:
            raise RoleError(f"本数据库属于{store.unit_name()}，不能生成单位“{unit_code}”的报表")
        return scope_of(store, store.unit_code)
    return scope_of(store, unit_code or CITY_CODE)


def build_report(store: Store, name: str, period: Period | str, unit_code: str | None = None) -> Report:
    spec = find_report(name)
    return spec.build(store, resolve_scope(store, spec, unit_code), Period.parse(period))


def output_path(report: Report, out_dir: Path, fmt: str) -> Path:
    return Path(out_dir) / f"{safe_name(report.file_stem())}.{fmt}"


def write_report(store: Store, report: Report, out_dir: Path, fmt: str = "both") -> list[Path]:
    """Write the report in `fmt` ('pdf', 'xlsx' or 'both' = every format it has); returns the paths."""
    from desktop.reporting.fonts import fonts_for_store
    from desktop.reporting.pdf import render_pdf
    from desktop.reporting.xlsx import render_xlsx

    if fmt not in ("pdf", "xlsx", "both"):
        raise ValidationError(f"格式“{fmt}”无效，应为 pdf、xlsx 或 both", field="格式")
    wanted = report.formats if fmt == "both" else (fmt,)
    if "xlsx" in wanted and "xlsx" not in report.formats:
        raise ValidationError(f"“{report.title}”是文字报告，只能生成PDF", field="格式")
    paths = []
    if "pdf" in wanted:
        paths.append(render_pdf(report, output_path(report, out_dir, "pdf"), fonts_for_store(store)))
    if "xlsx" in wanted:
        paths.append(render_xlsx(report, output_path(report, out_dir, "xlsx")))
    return paths
