"""Computed figures kept between runs, used only while the data they came from is unchanged.

Every write to a table the plan-figure engine reads bumps data_generation.generation (triggers
in db/migrations/0004_figure_cache.sql, so no code path can forget it). An entry stores the
generation it was computed at and a stamp of the program that computed it; `cached` returns it
only when both still match, and otherwise computes afresh and stores the result. The home page
uses it so that opening the program does not recompute the same figures every morning
(tests/benchmarks/bench_startup.py); everything else reads the engine directly.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from desktop import __version__
from desktop.storage.db import Store, now_iso

log = logging.getLogger(__name__)
T = TypeVar("T")

FORMAT = 1  # bump when a cached payload's shape or meaning changes
# In a source checkout the engine can change without a new version number: its files' times
# join the stamp there (an installed or frozen program is stamped by its version alone).
_ENGINE_FILES = ("storage/figures.py", "core/periods.py", "core/money.py", "gui/pages/home_data.py")


def program_stamp() -> str:
    stamp = f"{__version__}/{FORMAT}"
    if getattr(sys, "frozen", False):
        return stamp
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        times = [os.stat(os.path.join(root, f)).st_mtime_ns for f in _ENGINE_FILES]
    except OSError:
        return stamp
    return f"{stamp}/{max(times)}"


def generation(store: Store) -> int:
    return store.scalar("SELECT generation FROM data_generation WHERE id = 1")


def get(store: Store, key: str, *, stamp: str | None = None) -> Any | None:
    """The payload stored under `key` if it is still valid, else None."""
    row = store.conn.execute(
        "SELECT c.payload FROM figure_cache c JOIN data_generation g ON g.id = 1"
        " WHERE c.key = ? AND c.stamp = ? AND c.generation = g.generation", (key, stamp or program_stamp())).fetchone()
    return None if row is None else json.loads(row[0])


def put(store: Store, key: str, at_generation: int, payload: Any, *, stamp: str | None = None) -> bool:
    """Store `payload` as computed at `at_generation`; stale entries go. Best effort: a read-only
    or busy database only means the next run computes again."""
    stamp = stamp or program_stamp()
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    try:
        with store.atomic() as conn:
            conn.execute("DELETE FROM figure_cache WHERE stamp != ? OR generation != ?", (stamp, at_generation))
            conn.execute("INSERT OR REPLACE INTO figure_cache (key, stamp, generation, payload, created_at)"
                         " VALUES (?, ?, ?, ?, ?)", (key, stamp, at_generation, text, now_iso()))
    except sqlite3.Error as exc:
        log.info("figures not cached (%s): %s", key, exc)
        return False
    return True


def cached(store: Store, key: str, compute: Callable[[], T], encode: Callable[[T], Any],
           decode: Callable[[Any], T]) -> T:
    """`decode(payload)` of a valid entry, or `compute()` — stored when no data was committed
    while it ran (the generation before and after are equal), so an entry is never a mixture."""
    stamp = program_stamp()
    hit = get(store, key, stamp=stamp)
    if hit is not None:
        return decode(hit)
    before = generation(store)
    value = compute()
    if generation(store) == before:
        put(store, key, before, encode(value), stamp=stamp)
    return value
