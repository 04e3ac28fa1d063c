"""Helpers for the package tests (no tests here): county/municipal folders, crafted files, dumps."""
from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

from desktop.cli import main
from desktop.exchange.keys import KeyPair, ensure_keypair
from desktop.storage.db import Store
from desktop.storage.demo import generate_demo
from desktop.storage.setup import init_data_dir

TODAY = date(2025, 10, 12)


def make_county(root: Path, unit: str, *, seed: int = 1) -> Path:
    folder = root / f"county-{unit}"
    init_data_dir(folder, role="county", unit_code=unit, operator=f"填表人{unit[-2:]}")
    ensure_keypair(folder)
    with Store.open(folder) as store:
        generate_demo(store, scale="county", seed=seed, today=TODAY)
    return folder


def make_municipal(root: Path, name: str = "city") -> Path:
    folder = root / name
    init_data_dir(folder, role="municipal", operator="李四")
    ensure_keypair(folder)
    return folder


def export(folder: Path, out: Path) -> Path:
    with Store.open(folder) as store:
        from desktop.exchange.package_export import export_package

        return export_package(store, out).path


def dump(folder: Path) -> str:
    conn = sqlite3.connect(folder / "cbec.sqlite3")
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def resign(members: dict[str, bytes], manifest: dict, key: KeyPair) -> dict[str, bytes]:
    """Members with a new manifest signed by `key` (and its public key written into it)."""
    manifest = dict(manifest, public_key=key.public_hex, key_fingerprint=key.fingerprint)
    raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    out = dict(members)
    out["manifest.json"] = raw
    out["manifest.sig"] = key.sign(raw)
    return out


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
