"""Where data lives: per-user folder, --data-dir / CBEC_DATA_DIR, or beside a portable executable."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop.core.errors import DataFolderError

DB_NAME = "cbec.sqlite3"
PORTABLE_MARKER = "portable"


def program_dir() -> Path:
    """Folder of the running executable (frozen) or of the source tree."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parents[2]


def resource_root() -> Path:
    """Root that holds db/ and resources/: the PyInstaller bundle or the source checkout."""
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if meipass else Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    if getattr(sys, "frozen", False) and (program_dir() / PORTABLE_MARKER).exists():
        return program_dir() / "data"
    from platformdirs import user_data_dir

    return Path(user_data_dir("nanyang-cbec", appauthor=False, roaming=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir wins, then CBEC_DATA_DIR, then the portable marker, then the per-user folder."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("CBEC_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


class DataDir:
    """The data folder's layout: database, backups, logs, exports, keys."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    def ensure(self) -> None:
        """Create the folder tree and prove it is writable; Chinese message otherwise."""
        try:
            for p in (self.root, self.backups, self.logs, self.exports, self.keys):
                p.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".write-test"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise DataFolderError(
                f"数据文件夹“{self.root}”无法写入：{exc.strerror or exc}", detail="请检查文件夹权限或换一个数据文件夹（--data-dir）"
            ) from None

    def exists(self) -> bool:
        return self.db_path.exists()
