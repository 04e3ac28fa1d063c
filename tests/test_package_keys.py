"""Installation keys and the export's atomic write."""
from __future__ import annotations

import os
import stat
import sys

import pytest

from desktop.core.errors import OutputFileError
from desktop.exchange.keys import PRIVATE_KEY_FILE, ensure_keypair, fingerprint, load_keypair, verify_signature
from desktop.exchange.package_export import export_package
from desktop.storage.db import Store


def test_keypair_made_once_private_and_signs(tmp_path):
    assert load_keypair(tmp_path) is None
    pair = ensure_keypair(tmp_path)
    again = ensure_keypair(tmp_path)
    assert again.public_hex == pair.public_hex
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(tmp_path / "keys" / PRIVATE_KEY_FILE).st_mode) == 0o600
    sig = pair.sign("清单".encode())
    assert verify_signature(pair.public_hex, sig, "清单".encode())
    assert not verify_signature(pair.public_hex, sig, "改过".encode())
    assert not verify_signature("00" * 32, sig, "清单".encode())
    fp = fingerprint(pair.public_hex)
    assert len(fp) == 39 and fp == pair.fingerprint and fp.upper() == fp


def test_cbec_init_makes_the_key(tmp_path, capsys):
    from desktop.cli import main

    assert main(["--data-dir", str(tmp_path / "d"), "init", "--unit", "411323"]) == 0
    assert load_keypair(tmp_path / "d") is not None


def test_unreadable_key_is_a_clear_error(tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / PRIVATE_KEY_FILE).write_text("坏的密钥", encoding="utf-8")
    with pytest.raises(Exception, match="本机签名密钥文件"):
        ensure_keypair(tmp_path)


def test_failed_write_leaves_nothing_and_uses_no_sequence(county_store, tmp_path):
    blocker = tmp_path / "是文件不是文件夹"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputFileError, match="无法写入"):
        export_package(county_store, blocker)
    assert county_store.scalar("SELECT count(*) FROM package_log") == 0
    r = export_package(county_store, tmp_path / "ok")
    assert r.sequence == 1 and [p.name for p in (tmp_path / "ok").iterdir()] == [r.path.name]
    assert county_store.scalar("SELECT count(*) FROM package_log WHERE direction = 'out'") == 1


def test_export_needs_a_data_folder():
    with pytest.raises(Exception, match="没有数据文件夹"):
        store = Store.memory()
        store.set_setting("role", "county")
        store.set_setting("unit_code", "411323")
        export_package(store, "/tmp")
