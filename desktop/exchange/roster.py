"""Excel roster import: read_roster → plan_import (per-row outcome, nothing written) → apply_import
(all accepted rows in one transaction). The GUI wizard and `cbec roster import` both use this."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from desktop.core import credit
from desktop.core.errors import CbecError, FileFormatError, RoleError, ValidationError
from desktop.core.ledgers import kind_of, normalise_value, validate_record, volume_spec
from desktop.core.text import clean_name
from desktop.exchange.roster_read import (
    RosterFile,
    SheetData,
    mapping_targets,
    parse_volume_target,
    read_roster,
    target_label,
)
from desktop.storage import ledgers as ledger_store
from desktop.storage.db import Store

__all__ = ["ImportCancelled", "ImportPlan", "ImportResult", "RowOutcome", "RosterFile", "SheetData",
           "apply_import", "mapping_targets", "plan_import", "read_roster", "target_label"]


class ImportCancelled(CbecError):
    def __init__(self) -> None:
        super().__init__("已取消导入，数据库未作任何改动")


@dataclass
class RowOutcome:
    sheet: str
    row: int                          # Excel row number
    action: str                       # 'add' | 'update' | 'unchanged' | 'rejected'
    name: str = ""
    reason: str = ""                  # Chinese, for rejected rows
    warnings: list[str] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)
    cells: list[Any] = field(default_factory=list)


@dataclass
class ImportResult:
    added: int
    updated: int
    unchanged: int
    rejected: list[dict[str, Any]]
    warnings: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "warnings": self.warnings}

    def summary(self) -> str:
        text = f"新增 {self.added} 条，更新 {self.updated} 条，未变 {self.unchanged} 条，退回 {len(self.rejected)} 行"
        return text + (f"，提示 {len(self.warnings)} 条" if self.warnings else "")


@dataclass
class ImportPlan:
    kind: str
    source: Path
    outcomes: list[RowOutcome]
    headers: dict[str, list[str]]             # sheet -> header texts (for the errors workbook)
    skipped: list[tuple[str, int, str]]       # (sheet, row, why): 合计行, 表尾 ...
    # (db_state, upserts of the accepted rows) reused by apply_import if nothing changed since
    prepared: tuple[tuple[int, int], list[Any]] | None = field(default=None, repr=False)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def accepted(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action != "rejected"]

    @property
    def rejected(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action == "rejected"]

    def rejected_json(self) -> list[dict[str, Any]]:
        return [{"sheet": o.sheet, "row": o.row, "reason": o.reason} for o in self.rejected]

    def warnings_json(self) -> list[dict[str, Any]]:
        return [{"sheet": o.sheet, "row": o.row, "message": w} for o in self.accepted for w in o.warnings]

    def result(self) -> ImportResult:
        """What applying the plan would do (the --dry-run answer)."""
        return ImportResult(self.count("add"), self.count("update"), self.count("unchanged"),
                            self.rejected_json(), self.warnings_json())


# -- rows → records -------------------------------------------------------------------------------
def _record_of(cells: list[Any], mapping: dict[int, str]) -> tuple[dict[str, Any], list[str]]:
    """Raw field values of one row (blank cells left out: they keep stored values) and the
    problems found in volume cells."""
    record: dict[str, Any] = {}
    errors: list[str] = []
    for col, target in mapping.items():
        if not target or col >= len(cells):
            continue
        raw = cells[col]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        vol = parse_volume_target(target)
        if vol is None:
            record[target] = raw
            continue
        try:
            amount = normalise_value(volume_spec(*vol), raw)
        except ValidationError as exc:
            errors.append(exc.message)
            continue
        record.setdefault("volumes", {})[vol[0]] = amount
    return record, errors


def _key_of(kind: str, record: dict[str, Any]) -> str:
    k = kind_of(kind)
    raw = record.get(k.match_field)
    if k.match_field == "credit_code":
        return "" if isinstance(raw, (int, float)) else credit.normalise(raw)
    return clean_name(raw)


def _check_mapping(kind: str, sheet: SheetData, mapping: dict[int, str]) -> None:
    k = kind_of(kind)
    targets = set(mapping.values())
    for need in dict.fromkeys(("name", k.match_field)):
        if need not in targets:
            raise FileFormatError(f"工作表“{sheet.name}”没有对应“{k.field(need).label}”的列",
                                  detail="请在列对应关系中指定该列后再导入。")
    seen: dict[str, int] = {}
    for col, t in mapping.items():
        if t and t in seen:
            raise FileFormatError(f"工作表“{sheet.name}”有两列都对应“{target_label(kind, t)}”",
                                  detail="每一项只能对应一列。")
        seen[t] = col


def _first_pass(roster: RosterFile, mappings: dict[str, dict[int, str]]) -> list[tuple[RowOutcome, list[str], bool]]:
    """Build records; note bad amounts and keys repeated within the file (the later row)."""
    out: list[tuple[RowOutcome, list[str], bool]] = []
    first_row: dict[str, tuple[str, int]] = {}
    k = kind_of(roster.kind)
    label = k.field(k.match_field).label
    for sheet in roster.sheets:
        mapping = mappings.get(sheet.name, sheet.mapping)
        _check_mapping(roster.kind, sheet, mapping)
        for row, cells in sheet.rows:
            record, errors = _record_of(cells, mapping)
            o = RowOutcome(sheet.name, row, "pending", clean_name(record.get("name")), record=record, cells=cells)
            key = _key_of(roster.kind, record)
            duplicate = key in first_row
            if duplicate:
                s, r = first_row[key]
                where = f"第 {r} 行" if s == sheet.name else f"工作表“{s}”第 {r} 行"
                errors.insert(0, f"{label}“{key}”与{where}重复")
            elif key:
                first_row[key] = (sheet.name, row)
            out.append((o, errors, duplicate))
    return out


def plan_import(store: Store, roster: RosterFile, mapping: dict[str, dict[int, str]] | None = None) -> ImportPlan:
    """Per-row outcome of importing `roster` (nothing is written). `mapping` overrides the proposed
    column mapping per sheet name: {sheet: {column index: target key}}. A rejected row's reason
    lists every problem of the row."""
    if store.is_municipal:
        raise RoleError("名录导入用于县区单位的数据库：市级汇总库中的台账来自各单位报送的数据包",
                        detail="请在县区单位的程序中导入名录，再通过数据包报送。")
    mappings = {s.name: dict(s.mapping) for s in roster.sheets}
    mappings.update(mapping or {})
    first = _first_pass(roster, mappings)
    unique = [(o, errs) for o, errs, dup in first if not dup]
    state = ledger_store.db_state(store)
    ups = ledger_store.prepare_upserts(store, roster.kind, [o.record for o, _ in unique])
    for (o, errs), up in zip(unique, ups):
        # A stored, deliberately kept code (credit_override) is not an error on re-import.
        problems = ([e.message for e in up.check.errors] if up.action == "invalid" else []) + errs
        if problems:
            o.action, o.reason = "rejected", "；".join(problems)
        else:
            o.action = up.action
            o.warnings = [w.message for w in up.check.warnings]
    lookups = ledger_store.load_lookups(store)
    for o, errs, dup in first:
        if dup:
            check = validate_record(roster.kind, o.record, lookups=lookups)
            o.action, o.reason = "rejected", "；".join(errs[:1] + [e.message for e in check.errors] + errs[1:])
    headers = {s.name: s.headers for s in roster.sheets}
    skipped = [(s.name, r, why) for s in roster.sheets for r, why in s.skipped]
    plan = ImportPlan(roster.kind, roster.path, [o for o, _, _ in first], headers, skipped)
    plan.prepared = (state, [up for (o, _), up in zip(unique, ups) if o.action != "rejected"])
    return plan


def apply_import(store: Store, plan: ImportPlan, *, operator: str,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Write every accepted row of `plan` in one transaction (a crash or cancel leaves the database
    as it was). Rejected rows are only reported (see write_errors_workbook)."""
    def tick(done: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(done, total)

    records = [o.record for o in plan.accepted]
    added, updated, unchanged = ledger_store.upsert_many(
        store, plan.kind, records, operator=operator, source=plan.source.name, progress=tick,
        prepared=plan.prepared)
    return ImportResult(added, updated, unchanged, plan.rejected_json(), plan.warnings_json())


def import_file(store: Store, path: Path | str, kind: str, *, operator: str, dry_run: bool = False,
                errors_out: Path | str | None = None) -> tuple[ImportPlan, ImportResult]:
    """read → plan → (apply unless dry_run) → errors workbook; what the CLI runs."""
    from desktop.exchange.roster_write import write_errors_workbook

    plan = plan_import(store, read_roster(path, kind))
    result = plan.result() if dry_run else apply_import(store, plan, operator=operator)
    if errors_out is not None:
        write_errors_workbook(plan, errors_out)
    return plan, result
