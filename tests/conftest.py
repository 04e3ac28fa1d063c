"""Shared fixtures: fresh data folders for each role; offscreen Qt."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CBEC_DATA_DIR", None)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder whose path has Chinese characters and a space."""
    d = tmp_path / "数据 文件夹"
    return d


@pytest.fixture
def county_dir(data_dir: Path) -> Path:
    from desktop.storage.setup import init_data_dir

    init_data_dir(data_dir, role="county", unit_code="411323", operator="张三")
    return data_dir


@pytest.fixture
def county_store(county_dir: Path):
    from desktop.storage.db import Store

    store = Store.open(county_dir)
    yield store
    store.close()


@pytest.fixture
def municipal_dir(data_dir: Path) -> Path:
    from desktop.storage.setup import init_data_dir

    init_data_dir(data_dir, role="municipal", operator="李四")
    return data_dir


@pytest.fixture
def municipal_store(municipal_dir: Path):
    from desktop.storage.db import Store

    store = Store.open(municipal_dir)
    yield store
    store.close()
