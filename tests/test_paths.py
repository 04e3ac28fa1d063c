"""Where the data folder is: --data-dir, CBEC_DATA_DIR, portable marker, per-user default."""
from __future__ import annotations

import sys
from pathlib import Path

from desktop.storage import paths


def test_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("CBEC_DATA_DIR", str(tmp_path / "环境"))
    assert paths.resolve_data_dir(tmp_path / "显式 目录") == (tmp_path / "显式 目录").resolve()
    assert paths.resolve_data_dir(None) == (tmp_path / "环境").resolve()
    monkeypatch.delenv("CBEC_DATA_DIR")
    default = paths.resolve_data_dir(None)
    assert default.name == "nanyang-cbec" and str(Path.home()) in str(default)


def test_portable_marker_beside_frozen_executable(monkeypatch, tmp_path):
    exe = tmp_path / "南阳跨境电商填报" / "cbec.exe"
    exe.parent.mkdir()
    exe.write_bytes(b"")
    monkeypatch.delenv("CBEC_DATA_DIR", raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert paths.resolve_data_dir(None) != exe.parent / "data"  # no marker: per-user folder
    (exe.parent / paths.PORTABLE_MARKER).write_text("")
    assert paths.resolve_data_dir(None) == exe.parent / "data"


def test_data_dir_layout_is_created(tmp_path):
    dd = paths.DataDir(tmp_path / "新 文件夹")
    dd.ensure()
    for sub in (dd.backups, dd.logs, dd.exports, dd.keys):
        assert sub.is_dir()
