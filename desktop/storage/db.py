"""Open, migrate and back up the SQLite store; transactions; settings.

Schema lives in db/migrations/NNNN_name.sql. `PRAGMA user_version` is the highest applied number.
A newer database than the program is refused; an older one is backed up, then upgraded.
"""
from __future__ import annotations

import contextlib
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from desktop.core.errors import (
    DatabaseError,
    NotInitialisedError,
    SchemaTooNewError,
)
from desktop.storage.paths import DataDir, resource_root

_MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


@dataclass(frozen=True)
class Migration:
    number: int
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def migrations_dir() -> Path:
    return resource_root() / "db" / "migrations"


def list_migrations(folder: Path | None = None) -> list[Migration]:
    folder = folder or migrations_dir()
    found = []
    for p in sorted(folder.glob("*.sql")):
        m = _MIGRATION_NAME.match(p.name)
        if m:
            found.append(Migration(int(m[1]), p))
    return found


def schema_version() -> int:
    """The schema level this program writes."""
    migs = list_migrations()
    return migs[-1].number if migs else 0


# Migrations that change no table or column travelling in data packages (local caches, indexes).
LOCAL_ONLY_MIGRATIONS = frozenset({4})


def exchange_schema_version() -> int:
    """The schema level of the tables that travel in data packages: the newest migration that
    changed them. Packages carry this number, so a local-only migration (a cache table) does not
    make a newer program's packages unreadable for an older one."""
    migs = [m.number for m in list_migrations() if m.number not in LOCAL_ONLY_MIGRATIONS]
    return migs[-1] if migs else 0


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def new_uid() -> str:
    import uuid  # not at start-up: uuid pulls in platform probing

    return uuid.uuid4().hex


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the project's pragmas: WAL, foreign keys, busy timeout.

    isolation_level=None: we issue BEGIN/SAVEPOINT ourselves (see Store.atomic).
    """
    uri = f"file:{Path(path).as_posix()}?mode={'ro' if readonly else 'rwc'}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA foreign_keys = ON")
        # Read through a memory map (a city database is ~15 MB, stress ~60 MB): the first queries
        # after start-up no longer pay a read() per page (home page figures 26 ms instead of 40-75).
        conn.execute("PRAGMA mmap_size = 268435456")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"数据库文件“{path}”已损坏或不是本程序的数据库（{exc}）",
            detail="请从 backups 文件夹中的备份恢复，或换一个数据文件夹。原文件未作任何改动。",
        ) from None
    return conn


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """Online backup with the SQLite backup API (consistent even while in use)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target


def migrate(conn: sqlite3.Connection, *, backup_dir: Path | None, db_label: str = "") -> list[int]:
    """Bring `conn` to the program's schema. Returns the numbers applied.

    Refuses a newer database; backs up an older, non-empty one first.
    """
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    migs = list_migrations()
    latest = migs[-1].number if migs else 0
    if current > latest:
        raise SchemaTooNewError(
            f"数据库{db_label}的结构版本为 {current}，高于本程序支持的 {latest}",
            detail="它由更新版本的程序创建。请安装最新版本后再打开，本程序不会改动它。",
        )
    pending = [m for m in migs if m.number > current]
    if not pending:
        return []
    if current > 0 and backup_dir is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup_to(conn, backup_dir / f"升级前备份_v{current}_{stamp}.sqlite3")
    for m in pending:
        try:
            conn.executescript(f"BEGIN;\n{m.sql()}\n;PRAGMA user_version = {m.number};\nCOMMIT;")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DatabaseError(f"数据库升级到版本 {m.number}（{m.path.name}）失败：{exc}") from None
    return [m.number for m in pending]


class Store:
    """An open database of one installation (county or municipal) and its data folder."""

    def __init__(self, conn: sqlite3.Connection, data_dir: DataDir | None = None) -> None:
        self.conn = conn
        self.data_dir = data_dir
        self._depth = 0

    # -- opening ------------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: DataDir | Path | str, *, create: bool = False) -> Store:
        dd = data_dir if isinstance(data_dir, DataDir) else DataDir(Path(data_dir))
        if not dd.db_path.exists():
            if not create:
                raise NotInitialisedError(
                    f"数据文件夹“{dd.root}”中还没有数据库",
                    detail="请先初始化：cbec init --unit 单位代码（县区）或 cbec init --municipal（市级）",
                )
            dd.ensure()
        elif not create:
            # Existing database: make sure the folder is still writable for WAL and backups.
            pass
        conn = connect(dd.db_path)
        store = cls(conn, dd)
        try:
            migrate(conn, backup_dir=dd.backups, db_label=f"“{dd.db_path}”")
        except Exception:
            conn.close()
            raise
        return store

    @classmethod
    def memory(cls) -> Store:
        """A migrated in-memory store (tests)."""
        conn = connect(":memory:")
        migrate(conn, backup_dir=None)
        return cls(conn, None)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------
    @contextlib.contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block; nests as savepoints. Never use sqlite-utils writers inside."""
        name = f"sp{self._depth}"
        outer = self._depth == 0
        self.conn.execute("BEGIN IMMEDIATE" if outer else f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self.conn
        except BaseException:
            self._depth -= 1
            if outer:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        else:
            self._depth -= 1
            self.conn.execute("COMMIT" if outer else f"RELEASE {name}")

    # -- queries ------------------------------------------------------------------------------
    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description or ()]
        return [dict(zip(cols, row)) for row in cur.fetchall()]  # type: ignore[misc]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- settings -----------------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        v = self.scalar("SELECT value FROM setting WHERE key = ?", (key,))
        return default if v is None else v

    def set_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, str(value)),
        )

    @property
    def role(self) -> str | None:
        """'county' or 'municipal' (None before init)."""
        return self.get_setting("role")

    @property
    def unit_code(self) -> str | None:
        """The county's unit, or 411300 for the municipal office."""
        return self.get_setting("unit_code")

    @property
    def operator(self) -> str:
        return self.get_setting("operator", "") or ""

    @property
    def is_municipal(self) -> bool:
        return self.role == "municipal"

    def unit_name(self, code: str | None = None) -> str:
        code = code or self.unit_code
        return self.scalar("SELECT name FROM unit WHERE code = ?", (code,)) or str(code)
