"""Import packages: check everything first (file, signature, direction, unit, pinned key,
sequence, schema), preview the changes, then apply all packages in one transaction after a
backup. A refused package changes nothing; a package already imported is reported unchanged."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Sequence

from desktop.core.errors import CbecError, FileFormatError, RoleError
from desktop.exchange.keys import PinCheck, check_pin, fingerprint, pin
from desktop.exchange.package_diff import TableChange, diff_table
from desktop.exchange.package_format import (
    FORMAT_VERSION,
    Package,
    PackageFormatError,
    read_package,
)
from desktop.exchange.package_apply import apply_county_package, apply_municipal_package
from desktop.exchange.package_tables import COUNTY_SPECS, MUNICIPAL_SPECS, SPECS_BY_NAME, package_columns
from desktop.exchange.package_upgrade import upgrade_package
from desktop.storage import audit
from desktop.storage.db import Store, backup_to, exchange_schema_version, now_iso
from desktop.storage.reference import CITY_CODE

UNCHANGED = "已导入，无变化"


@dataclass
class Preview:
    package: Package
    status: str                    # 'new' or 'unchanged'
    unit_code: str
    unit_name: str
    sequence: int
    last_sequence: int
    pin: PinCheck
    changes: list[TableChange] = field(default_factory=list)
    returned: list[tuple[str, str]] = field(default_factory=list)

    @property
    def periods(self) -> list[dict[str, Any]]:
        return [p for p in self.package.manifest.get("periods", []) if isinstance(p, dict)]

    @property
    def file_name(self) -> str:
        return self.package.path.name if self.package.path else ""

    def to_json(self) -> dict[str, Any]:
        m = self.package.manifest
        return {"file": self.file_name, "status": self.status, "unit_code": self.unit_code,
                "unit_name": self.unit_name, "sequence": self.sequence, "last_sequence": self.last_sequence,
                "created_at": m.get("created_at_local"), "operator": m.get("operator"),
                "fingerprint": self.pin.fingerprint, "new_key": self.pin.new_pin, "periods": self.periods,
                "changes": [c.to_json() for c in self.changes],
                "returned": [{"period": p, "note": n} for p, n in self.returned]}

    def text(self) -> str:
        m = self.package.manifest
        head = (f"{self.unit_name}（{self.unit_code}）第{self.sequence}号数据包，"
                f"{m.get('created_at_local', '')[:16].replace('T', ' ')} 由{m.get('operator') or '未署名'}导出")
        if self.status == "unchanged":
            return f"{head}：{UNCHANGED}"
        lines = [head]
        if self.pin.new_pin:
            lines.append(f"  首次收到该单位数据包，登记签名密钥指纹：{self.pin.fingerprint}（请电话与对方核对）")
        if self.periods:
            lines.append("  期别：" + "、".join(f"{p['period']}（{_STATE.get(p.get('state'), p.get('state'))}）"
                                              for p in self.periods[-12:]) + ("等" if len(self.periods) > 12 else ""))
        for c in self.changes:
            if c.any:
                lines.append(f"  {c.label}：新增 {c.added}，修改 {c.changed}，删除 {c.removed}")
                lines.extend(f"    {d}" for d in c.details[:20])
                if len(c.details) > 20:
                    lines.append(f"    ……另有 {len(c.details) - 20} 处")
        if not any(c.any for c in self.changes):
            lines.append("  数据与本库相同（仅更新序号）")
        lines.extend(f"  {p} 被退回修改：{n}" for p, n in self.returned)
        return "\n".join(lines)


_STATE = {"open": "未报", "submitted": "已报", "reopened": "更正中", "returned": "退回"}


@dataclass
class ImportResult:
    previews: list[Preview]
    applied: bool
    dry_run: bool
    backup: Path | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"applied": self.applied, "dry_run": self.dry_run,
                "backup": str(self.backup) if self.backup else None,
                "packages": [p.to_json() for p in self.previews], "findings": self.findings}


# -- checks ---------------------------------------------------------------------------------------
def _check_direction(store: Store, pkg: Package) -> None:
    name = pkg.path.name if pkg.path else ""
    role = pkg.manifest["role"]
    if store.role == "municipal" and role != "county":
        raise RoleError(f"“{name}”是市级下发的数据包，应由县市区导入，不能导入市级数据库",
                        detail="数据库未作改动。")
    if store.role == "county" and role != "municipal":
        raise RoleError(f"“{name}”是县市区上报的数据包，应由市级导入，不能导入县区数据库",
                        detail="数据库未作改动。")
    if store.role not in ("county", "municipal"):
        raise RoleError("数据库尚未初始化角色，不能导入数据包")


def _check_unit(store: Store, pkg: Package) -> str:
    unit, name = pkg.manifest["unit_code"], pkg.path.name if pkg.path else ""
    if pkg.manifest["role"] == "municipal":
        if unit != CITY_CODE:
            raise RoleError(f"“{name}”声称为市级数据包，但单位代码为“{unit}”，已拒绝", detail="数据库未作改动。")
        return store.unit_name(CITY_CODE)
    local = store.scalar("SELECT name FROM unit WHERE code = ? AND code != ?", (unit, CITY_CODE))
    if local is None:
        raise RoleError(f"“{name}”的报送单位“{unit}（{pkg.manifest['unit_name']}）”不在本系统的单位名单中，已拒绝",
                        detail="请核实数据包来源。数据库未作改动。")
    return local


def _check_schema(pkg: Package) -> None:
    v, mine = pkg.manifest["schema_version"], exchange_schema_version()
    if v > mine:
        raise PackageFormatError(
            f"数据包“{pkg.path.name if pkg.path else ''}”的数据结构版本为 {v}，高于本程序的 {mine}",
            detail="它由更新版本的程序生成。请先升级本程序再导入。数据库未作改动。")


def _check_tables(store: Store, pkg: Package) -> None:
    """Known tables only, key columns present, no unknown columns, rows of the owner unit only."""
    name = pkg.path.name if pkg.path else ""
    expected = {s.name for s in (COUNTY_SPECS if pkg.manifest["role"] == "county" else MUNICIPAL_SPECS)}
    for member in pkg.members:
        tname = member[len("data/"):-len(".jsonl")]
        if tname not in expected:
            raise PackageFormatError(f"数据包“{name}”含有本程序不认识或不该出现的数据表“{tname}”，已拒绝")
        table = pkg.table(tname)
        assert table is not None
        spec = SPECS_BY_NAME[tname]
        where = f"数据包“{name}”的“{tname}”"
        if table.name != tname:
            raise PackageFormatError(f"{where}表头中的表名不符")
        local = set(package_columns(store.conn, spec))
        unknown = [c for c in table.columns if c not in local]
        missing = [k for k in spec.key if k not in table.columns]
        if unknown or missing or len(set(table.columns)) != len(table.columns):
            raise PackageFormatError(f"{where}的列与本程序不符（未知列：{'、'.join(unknown) or '无'}；"
                                     f"缺少关键列：{'、'.join(missing) or '无'}）")
        if pkg.manifest["role"] == "county" and "unit_code" in table.columns:
            u, owner = table.columns.index("unit_code"), pkg.manifest["unit_code"]
            if set(map(itemgetter(u), table.rows)) - {owner}:
                i, r = next((i, r) for i, r in enumerate(table.rows, start=2) if r[u] != owner)
                raise PackageFormatError(f"{where}第 {i} 行属于单位“{r[u]}”，不属于报送单位 {owner}，已拒绝")


def _sequence_status(store: Store, pkg: Package) -> tuple[str, int]:
    """Sequences count per signing key: after a deliberate rekey the new installation starts at 1."""
    unit, seq, fp = pkg.manifest["unit_code"], pkg.manifest["sequence"], fingerprint(pkg.manifest["public_key"])
    last = store.scalar("SELECT max(sequence) FROM package_log WHERE direction = 'in' AND unit_code = ?"
                        " AND fingerprint = ?", (unit, fp)) or 0
    latest = store.scalar("SELECT digest FROM package_log WHERE direction = 'in' AND unit_code = ?"
                          " AND fingerprint = ? ORDER BY sequence DESC, id DESC LIMIT 1", (unit, fp))
    if latest == pkg.digest:
        return "unchanged", last
    if seq <= last:
        raise FileFormatError(
            f"数据包“{pkg.path.name if pkg.path else ''}”是{pkg.manifest['unit_name']}的第{seq}号，"
            f"不新于已导入的第{last}号，已拒绝",
            detail="这是一个旧的或重复的数据包。请让报送单位导出最新的数据包。数据库未作改动。")
    return "new", last


def preview_package(store: Store, path: Path | str) -> Preview:
    """All checks and the preview of one package; writes nothing."""
    pkg = upgrade_package(read_package(path))
    _check_direction(store, pkg)
    unit_name = _check_unit(store, pkg)
    _check_schema(pkg)
    pin_check = check_pin(store.conn, pkg.manifest["unit_code"], pkg.manifest["public_key"], unit_name)
    status, last = _sequence_status(store, pkg)
    preview = Preview(pkg, status, pkg.manifest["unit_code"], unit_name, pkg.manifest["sequence"], last, pin_check)
    if status == "unchanged":
        return preview
    _check_tables(store, pkg)
    preview.changes = _diff(store, pkg)
    return preview


def _diff(store: Store, pkg: Package) -> list[TableChange]:
    changes = []
    county = pkg.manifest["role"] == "county"
    for spec in COUNTY_SPECS if county else MUNICIPAL_SPECS:
        table = pkg.table(spec.name)
        if table is None:
            continue
        if county:
            changes.append(diff_table(store.conn, spec, table, pkg.manifest["unit_code"]))
        else:
            own = store.unit_code if spec.owned_by_unit else None
            if own is not None:
                u = table.columns.index("unit_code")
                table = type(table)(table.name, table.columns, [r for r in table.rows if r[u] == own])
            changes.append(diff_table(store.conn, spec, table, own))
    return changes


# -- apply ----------------------------------------------------------------------------------------
def _log(store: Store, pv: Preview, operator: str) -> None:
    m = pv.package.manifest
    store.conn.execute(
        "INSERT INTO package_log(direction, unit_code, sequence, digest, file_sha256, file_name, format_version,"
        " schema_version, fingerprint, package_created, logged_at, logged_by, periods, summary)"
        " VALUES ('in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (pv.unit_code, pv.sequence, pv.package.digest, pv.package.file_sha256, pv.file_name,
         int(m.get("original_format_version", m["format_version"])), m["schema_version"], pv.pin.fingerprint,
         m["created_at_local"], now_iso(), operator, json.dumps(pv.periods, ensure_ascii=False),
         json.dumps({c.table: [c.added, c.changed, c.removed] for c in pv.changes}, ensure_ascii=False)))
    audit.record(store.conn, operator=operator, table="package_log", row_key=f"{pv.unit_code}/{pv.sequence}",
                 action="import", after={"file": pv.file_name, "digest": pv.package.digest,
                                         "changes": {c.table: [c.added, c.changed, c.removed] for c in pv.changes}})


def _check_batch(previews: list[Preview]) -> None:
    seen: dict[str, Preview] = {}
    for pv in previews:
        if pv.status != "new":
            continue
        other = seen.get(pv.unit_code)
        if other is not None:
            raise FileFormatError(
                f"一次导入中有{pv.unit_name}的两个数据包（第{other.sequence}号和第{pv.sequence}号）",
                detail="请只导入该单位最新的一个数据包。数据库未作改动。")
        seen[pv.unit_code] = pv


class ImportCancelled(CbecError):
    def __init__(self) -> None:
        super().__init__("已取消导入数据包，数据库未作任何改动")


def import_packages(store: Store, paths: Sequence[Path | str], *, dry_run: bool = False,
                    operator: str | None = None, progress: Callable[[int, int, str], None] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Check and preview every file; if all pass and not dry_run, back up and apply all at once.

    `progress(done, total, text)` is told before each step (checking a file, the backup, applying
    a package, the cross-unit checks); when `cancelled()` turns true the next step raises
    ImportCancelled — during the apply, inside the one transaction, so nothing is changed (and
    the backup made for this import is removed again)."""
    if not paths:
        raise FileFormatError("没有选择要导入的数据包")
    operator = store.operator if operator is None else operator
    steps = [len(paths)]  # grows once the packages to apply are known

    def step(done: int, text: str) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(done, steps[0], text)

    previews = []
    for i, p in enumerate(paths):
        step(i, f"正在校验 {Path(p).name}（{i + 1}/{len(paths)}）")
        previews.append(preview_package(store, p))
    _check_batch(previews)
    todo = [pv for pv in previews if pv.status == "new"]
    result = ImportResult(previews, applied=False, dry_run=dry_run)
    if dry_run or not todo:
        if progress is not None:
            progress(steps[0], steps[0], "校验完成")
        return result
    steps[0] = len(paths) + 1 + len(todo) + 1
    if store.data_dir is not None:
        step(len(paths), "正在备份数据库")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        result.backup = backup_to(store.conn, store.data_dir.backups / f"导入数据包前备份_{stamp}.sqlite3")
    try:
        with store.atomic():
            for i, pv in enumerate(todo):
                step(len(paths) + 1 + i, f"正在导入 {pv.unit_name} 第{pv.sequence}号（{i + 1}/{len(todo)}）")
                if pv.package.manifest["role"] == "county":
                    apply_county_package(store, pv.package)
                else:
                    pv.returned = apply_municipal_package(store, pv.package, operator=operator)
                pin(store.conn, pv.pin, operator=operator)
                _log(store, pv, operator)
            step(steps[0] - 1, "正在提交")
    except ImportCancelled:
        if result.backup is not None:
            Path(result.backup).unlink(missing_ok=True)
            result.backup = None
        raise
    result.applied = True
    if store.role == "municipal":
        from desktop.exchange.consolidation import cross_checks

        if progress is not None:
            progress(steps[0] - 1, steps[0], "正在做跨单位核对")
        result.findings = [f.to_json() for f in cross_checks(store, [pv.unit_code for pv in todo],
                                                             declared={pv.unit_code: pv.package.manifest.get("totals")
                                                                       for pv in todo})]
    if progress is not None:
        progress(steps[0], steps[0], "导入完成")
    return result


def verify_file(path: Path | str) -> dict[str, Any]:
    """`cbec package verify`: file, signature and member hashes, without any database."""
    pkg = upgrade_package(read_package(path))
    m = pkg.manifest
    return {"file": str(path), "ok": True, "format_version": m.get("original_format_version", m["format_version"]),
            "current_format_version": FORMAT_VERSION, "schema_version": m["schema_version"], "role": m["role"],
            "unit_code": m["unit_code"], "unit_name": m["unit_name"], "sequence": m["sequence"],
            "created_at": m.get("created_at_local"), "operator": m.get("operator"),
            "fingerprint": m.get("key_fingerprint"), "digest": pkg.digest,
            "periods": [p for p in m.get("periods", []) if isinstance(p, dict)],
            "members": [{"name": x["name"], "rows": x["rows"], "bytes": x["bytes"]} for x in m["members"]]}
