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


@pytest.fixture
def county_ctx(qtbot, county_dir: Path, county_store):
    """The window's AppContext over the empty 西峡县 store; waits for its workers at the end."""
    from desktop.gui.context import AppContext
    from desktop.storage.paths import DataDir

    ctx = AppContext(county_store, DataDir(county_dir))
    yield ctx
    ctx.wait_for_workers()


@pytest.fixture
def county_demo_page(qtbot, county_dir: Path):
    """open(title) -> (window, page): the main window (1280×900, shown) on county demo data
    (seed 1, as of 2026-12-03) with the page of that navigation title selected."""
    from datetime import date

    from desktop.gui.context import AppContext
    from desktop.gui.main_window import MainWindow
    from desktop.storage.db import Store
    from desktop.storage.demo import generate_demo
    from desktop.storage.paths import DataDir

    store = Store.open(county_dir)
    generate_demo(store, scale="county", seed=1, today=date(2026, 12, 3))

    def open_page(title: str):
        window = MainWindow(AppContext(store, DataDir(county_dir)))
        qtbot.addWidget(window)
        window.resize(1280, 900)
        window.show()
        window.show_page(window.page_titles().index(title))
        return window, window.current_page()

    yield open_page
    store.close()
