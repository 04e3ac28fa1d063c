"""Export this installation's partition as a signed package: a county's full snapshot going up,
or the municipal office's reference data (targets, catalogue, deadlines, return notes) going down."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from desktop import __version__
from desktop.core.errors import CbecError, RoleError
from desktop.core.periods import Period
from desktop.exchange.keys import ensure_keypair
from desktop.exchange.package_format import (
    DATA_PREFIX,
    FORMAT_VERSION,
    Package,
    build_manifest,
    encode_table,
    package_file_name,
    sha256_hex,
    write_package,
)
from desktop.exchange.package_tables import COUNTY_SPECS, MUNICIPAL_SPECS, Spec, read_rows
from desktop.storage.db import Store, exchange_schema_version, now_iso


@dataclass
class ExportResult:
    path: Path
    sequence: int
    unit_code: str
    unit_name: str
    fingerprint: str
    size: int
    rows: dict[str, int] = field(default_factory=dict)
    periods: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "sequence": self.sequence, "unit_code": self.unit_code,
                "unit_name": self.unit_name, "fingerprint": self.fingerprint, "bytes": self.size,
                "rows": self.rows, "periods": self.periods}


def next_sequence(store: Store) -> int:
    last = store.scalar("SELECT max(sequence) FROM package_log WHERE direction = 'out'") or 0
    return max(int(last), int(store.get_setting("package_sequence", "0") or 0)) + 1


def _county_periods(store: Store, unit: str) -> list[dict[str, Any]]:
    subs = {r[0]: r for r in store.conn.execute(
        "SELECT period, state, version, submitted_at FROM submission WHERE unit_code = ?", (unit,))}
    periods = set(subs) | {r[0] for r in store.conn.execute(
        "SELECT DISTINCT period FROM indicator_value WHERE unit_code = ?", (unit,))}
    out = []
    for p in sorted(periods, key=_period_key):
        s = subs.get(p)
        out.append({"period": p, "state": s[1] if s else "open", "version": s[2] if s else 1,
                    "submitted_at": s[3] if s else None})
    return out


def _period_key(text: str) -> tuple:
    try:
        return (0, Period.parse(text))
    except CbecError:
        return (1, text)


def _county_totals(store: Store, unit: str) -> dict[str, Any]:
    """Totals declared by the sender; the municipal side re-computes them after import.
    Sums of the parts: typed control totals (category 'TOTAL') travel as rows but are not added."""
    ind: dict[str, dict[str, int]] = defaultdict(dict)
    for period, code, total in store.conn.execute(
            "SELECT period, indicator_code, sum(value) FROM indicator_value WHERE unit_code = ?"
            " AND category != 'TOTAL' GROUP BY period, indicator_code", (unit,)):
        ind[period][code] = total
    counts = {s.name: store.scalar(f"SELECT count(*) FROM {s.name} WHERE unit_code = ? AND deleted_at IS NULL",
                                   (unit,))
              for s in COUNTY_SPECS if s.key == ("uid",)}
    return {"indicator_totals": dict(ind), "ledger_counts": counts}


def _members(store: Store, specs: tuple[Spec, ...], unit: str | None) -> tuple[dict[str, bytes], dict[str, int]]:
    members: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for spec in specs:
        filt = unit if (unit is not None and (spec.owned_by_unit or spec.parent)) else None
        cols, rows = read_rows(store.conn, spec, filt)
        name = f"{DATA_PREFIX}{spec.name}.jsonl"
        members[name] = encode_table(spec.name, cols, rows)
        counts[name] = len(rows)
    return members, counts


def export_package(store: Store, out_dir: Path | str, *, operator: str | None = None) -> ExportResult:
    """Snapshot, sign, write atomically, read back and verify; then log the sequence used."""
    role, unit = store.role, store.unit_code
    if role not in ("county", "municipal") or not unit:
        raise RoleError("数据库尚未初始化角色和单位，不能导出数据包")
    if store.data_dir is None:
        raise RoleError("内存数据库没有数据文件夹，不能导出数据包（没有签名密钥）")
    key = ensure_keypair(store.data_dir)
    operator = store.operator if operator is None else operator
    with store.atomic():
        if role == "municipal":
            store.conn.execute("UPDATE return_note SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL")
        sequence = next_sequence(store)
        members, counts = _members(store, COUNTY_SPECS if role == "county" else MUNICIPAL_SPECS,
                                   unit if role == "county" else None)
        periods = _county_periods(store, unit) if role == "county" else []
        totals = _county_totals(store, unit) if role == "county" else {}
        reference_version = int(store.get_setting("reference_version", "0") or 0)
    now = datetime.now().astimezone()
    base = {
        "program_version": __version__, "schema_version": exchange_schema_version(),
        "reference_version": reference_version, "role": role,
        "direction": "county_to_city" if role == "county" else "city_to_county",
        "unit_code": unit, "unit_name": store.unit_name(unit), "sequence": sequence,
        "created_at_utc": now.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "created_at_local": now.isoformat(timespec="seconds"), "operator": operator,
        "install_id": store.get_setting("install_id", "") or "",
        "public_key": key.public_hex, "key_fingerprint": key.fingerprint,
        "periods": periods, "totals": totals,
    }
    manifest_bytes = build_manifest(base, members, counts)
    name = package_file_name(store.unit_name(unit), unit, sequence, now)
    pkg = write_package(Path(out_dir), name, manifest_bytes, members, key)
    _log_export(store, pkg, sequence, operator, periods, counts)
    return ExportResult(pkg.path, sequence, unit, store.unit_name(unit), key.fingerprint,  # type: ignore[arg-type]
                        pkg.path.stat().st_size,  # type: ignore[union-attr]
                        {n[len(DATA_PREFIX):-6]: c for n, c in counts.items()}, periods)


def _log_export(store: Store, pkg: Package, sequence: int, operator: str, periods: list[dict[str, Any]],
                counts: dict[str, int]) -> None:
    with store.atomic() as conn:
        conn.execute(
            "INSERT INTO package_log(direction, unit_code, sequence, digest, file_sha256, file_name, format_version,"
            " schema_version, fingerprint, package_created, logged_at, logged_by, periods, summary)"
            " VALUES ('out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (store.unit_code, sequence, sha256_hex(pkg.manifest_bytes), pkg.file_sha256, pkg.path.name,  # type: ignore[union-attr]
             FORMAT_VERSION, pkg.manifest["schema_version"], pkg.manifest["key_fingerprint"],
             pkg.manifest["created_at_local"], now_iso(), operator,
             json.dumps(periods, ensure_ascii=False), json.dumps(counts, ensure_ascii=False)))
        store.set_setting("package_sequence", str(sequence))
