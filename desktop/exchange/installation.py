"""Setting up an installation: its database (storage.setup) and its package-signing key pair.

The window's first-run dialog and `cbec init` both come through here, so every installation has
its key from the start (the municipal office pins it on the first package)."""
from __future__ import annotations

from pathlib import Path

from desktop.exchange.keys import ensure_keypair
from desktop.storage.paths import DataDir
from desktop.storage.setup import InitResult, init_data_dir


def initialise(data_dir: Path | str | DataDir, *, role: str, unit_code: str | None = None,
               operator: str = "") -> InitResult:
    result = init_data_dir(data_dir, role=role, unit_code=unit_code, operator=operator)
    ensure_keypair(DataDir(result.data_dir))
    return result
