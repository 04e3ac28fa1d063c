"""Ed25519 key pair of this installation and the pinned keys of the other side.

The private key lives in <data>/keys/ (mode 0600 where the OS supports it). A municipal database
pins a unit's public key on the unit's first accepted package; a county pins the municipal key.
A different key is refused until the clerk re-keys the unit on purpose (`cbec units rekey`).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from desktop.core.errors import CbecError, DataFolderError
from desktop.storage.db import now_iso
from desktop.storage.paths import DataDir

PRIVATE_KEY_FILE = "installation_ed25519.pem"
PUBLIC_KEY_FILE = "installation_ed25519.pub"


class PackageKeyError(CbecError):
    """A package's key does not match the pinned key (or the key file cannot be read)."""


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey
    public_hex: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_hex)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def fingerprint(public_hex: str) -> str:
    """Short, phone-readable fingerprint: first 16 bytes of SHA-256, in groups of four."""
    digest = hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:32].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def _raw_public(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _key_dir(data_dir: DataDir | Path | str) -> Path:
    dd = data_dir if isinstance(data_dir, DataDir) else DataDir(Path(data_dir))
    return dd.keys


def _write_private(path: Path, pem: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        os.chmod(path, 0o600)
    except OSError:  # e.g. FAT on a USB stick: no permission bits
        pass


def load_keypair(data_dir: DataDir | Path | str) -> KeyPair | None:
    path = _key_dir(data_dir) / PRIVATE_KEY_FILE
    if not path.exists():
        return None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise DataFolderError(f"本机签名密钥文件“{path}”无法读取：{exc}",
                              detail="请从备份恢复 keys 文件夹；如需重新生成，须请市级重新登记本单位密钥。") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise DataFolderError(f"本机签名密钥文件“{path}”不是 Ed25519 密钥")
    return KeyPair(key, _raw_public(key.public_key()))


def ensure_keypair(data_dir: DataDir | Path | str) -> KeyPair:
    """The installation's key pair, made on first need (init or first export)."""
    existing = load_keypair(data_dir)
    if existing is not None:
        return existing
    folder = _key_dir(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        _write_private(folder / PRIVATE_KEY_FILE, pem)
        pair = KeyPair(key, _raw_public(key.public_key()))
        (folder / PUBLIC_KEY_FILE).write_text(pair.public_hex + "\n", encoding="ascii")
    except OSError as exc:
        raise DataFolderError(f"无法在“{folder}”中保存签名密钥：{exc.strerror or exc}") from None
    return pair


def verify_signature(public_hex: str, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


# -- pinning ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PinCheck:
    """Outcome of checking a package key against the pins: already pinned, or to pin now."""
    unit_code: str
    public_hex: str
    new_pin: bool

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_hex)


def check_pin(conn: sqlite3.Connection, unit_code: str, public_hex: str, unit_name: str) -> PinCheck:
    row = conn.execute("SELECT public_key, fingerprint FROM pinned_key WHERE unit_code = ?",
                       (unit_code,)).fetchone()
    if row is None:
        other = conn.execute("SELECT unit_code FROM pinned_key WHERE public_key = ?", (public_hex,)).fetchone()
        if other is not None:
            raise PackageKeyError(f"数据包的签名密钥已登记为单位 {other[0]} 的密钥，不能用于{unit_name}（{unit_code}）",
                            detail="同一密钥不能代表两个单位。请核实数据包来源。数据库未作改动。")
        return PinCheck(unit_code, public_hex, True)
    if row[0] != public_hex:
        raise PackageKeyError(
            f"{unit_name}（{unit_code}）的数据包签名密钥与已登记的密钥不同",
            detail=f"已登记指纹：{row[1]}；本数据包指纹：{fingerprint(public_hex)}。"
                   "如果该单位确实更换了电脑或重装了程序，请电话核对新指纹后执行“cbec units rekey "
                   f"{unit_code}”再导入。数据库未作改动。")
    return PinCheck(unit_code, public_hex, False)


def pin(conn: sqlite3.Connection, check: PinCheck, *, operator: str) -> None:
    if check.new_pin:
        conn.execute("INSERT INTO pinned_key(unit_code, public_key, fingerprint, pinned_at, pinned_by)"
                     " VALUES (?, ?, ?, ?, ?)",
                     (check.unit_code, check.public_hex, check.fingerprint, now_iso(), operator))


def pinned_fingerprint(conn: sqlite3.Connection, unit_code: str) -> str | None:
    row = conn.execute("SELECT fingerprint FROM pinned_key WHERE unit_code = ?", (unit_code,)).fetchone()
    return row[0] if row else None
