"""Initialise a data folder for a role (county unit or municipal office)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from desktop.core.errors import RoleError, ValidationError
from desktop.storage.db import Store, now_iso
from desktop.storage.paths import DataDir
from desktop.storage.reference import CITY_CODE, bundled_version, load_reference

@dataclass(frozen=True)
class InitResult:
    data_dir: Path
    role: str
    unit_code: str
    unit_name: str
    created: bool


def _known_unit(store: Store, code: str) -> str:
    name = store.scalar("SELECT name FROM unit WHERE code = ? AND code != ?", (code, CITY_CODE))
    if name is None:
        valid = "、".join(f"{r[0]} {r[1]}" for r in store.conn.execute(
            "SELECT code, name FROM unit WHERE code != ? ORDER BY sort", (CITY_CODE,)))
        raise ValidationError(f"单位代码“{code}”不存在", field="单位代码", detail=f"可用的单位代码：{valid}")
    return name


def init_data_dir(data_dir: Path | str | DataDir, *, role: str, unit_code: str | None = None,
                  operator: str = "") -> InitResult:
    """Create (or confirm) the database for `role`. An existing database of another role or unit
    is refused and left untouched; the same role and unit again is a no-op."""
    dd = data_dir if isinstance(data_dir, DataDir) else DataDir(Path(data_dir))
    if role not in ("county", "municipal"):
        raise ValidationError(f"角色“{role}”无效，应为 county 或 municipal", field="角色")
    target_unit = CITY_CODE if role == "municipal" else (unit_code or "").strip()
    existed = dd.exists()
    if existed:
        store = Store.open(dd)
        try:
            if store.role:
                if store.role != role or store.unit_code != target_unit:
                    have = "市级（综试办）" if store.role == "municipal" else f"{store.unit_name()}（{store.unit_code}）"
                    raise RoleError(
                        f"数据文件夹“{dd.root}”已经是{have}的数据库，不能改为其他单位",
                        detail="原数据库未作任何改动。请换一个数据文件夹（--data-dir）。",
                    )
                if bundled_version() > int(store.get_setting("reference_version", "0") or 0):
                    load_reference(store)
                return InitResult(dd.root, role, target_unit, store.unit_name(target_unit), False)
        except BaseException:
            store.close()
            raise
    else:
        # Validate the unit against the bundled list before any file is created.
        probe = Store.memory()
        try:
            load_reference(probe)
            if role == "county":
                _known_unit(probe, target_unit)
        finally:
            probe.close()
        dd.ensure()
        store = Store.open(dd, create=True)
    try:
        load_reference(store)
        name = _known_unit(store, target_unit) if role == "county" else store.unit_name(CITY_CODE)
        with store.atomic():
            store.set_setting("role", role)
            store.set_setting("unit_code", target_unit)
            store.set_setting("operator", operator)
            store.set_setting("install_id", uuid.uuid4().hex)
            store.set_setting("created_at", now_iso())
        return InitResult(dd.root, role, target_unit, name, True)
    finally:
        store.close()
