"""The .cbecpkg file: a zip holding manifest.json, its detached Ed25519 signature and one JSON
Lines member per table. This module knows bytes and names only — no database.

Reading is defensive: every problem a damaged, edited or hostile file can have ends in a
`PackageFormatError` (or `PackageKeyError`) with a Chinese reason, never in another exception.
See docs/package-format.md.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
import zlib
from itertools import chain
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from desktop.core.errors import FileFormatError, OutputFileError
from desktop.exchange.keys import KeyPair, PackageKeyError, verify_signature

FORMAT_NAME = "cbecpkg"
FORMAT_VERSION = 1            # the format this program writes
MIN_FORMAT_VERSION = 1        # the oldest format it still reads (upgraded on import)
SUFFIX = ".cbecpkg"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DATA_PREFIX = "data/"

# Limits far above any real package (a county with a few thousand enterprises is a few MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 64
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_MEMBER_BYTES = 128 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
_CHUNK = 1024 * 1024
_MEMBER_NAME = re.compile(r"^data/[a-z][a-z0-9_]{0,40}\.jsonl$")


_CELL_TYPES = {str, int, bool, type(None)}


class PackageFormatError(FileFormatError):
    """The file is not a readable, intact, signed package."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- members ------------------------------------------------------------------------------------
def encode_table(table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> bytes:
    """JSON Lines: a header object with the column names, then one JSON array per row."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = [dumps({"table": table, "columns": columns})]
    lines.extend(dumps(list(r)) for r in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[list[Any]]


def decode_table(member: str, data: bytes) -> Table:
    where = f"数据包成员“{member}”"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageFormatError(f"{where}不是 UTF-8 文本（第 {exc.start} 字节）") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise PackageFormatError(f"{where}是空的，缺少表头行")
    try:
        head = json.loads(lines[0])
        rows = json.loads("[" + ",".join(lines[1:]) + "]") if len(lines) > 1 else []
    except (ValueError, RecursionError) as exc:
        raise PackageFormatError(f"{where}的内容不是有效的 JSON Lines（{exc}）") from None
    if not (isinstance(head, dict) and isinstance(head.get("table"), str)
            and isinstance(head.get("columns"), list) and all(isinstance(c, str) for c in head["columns"])):
        raise PackageFormatError(f"{where}的表头行不正确")
    width = len(head["columns"])
    if any(type(r) is not list for r in rows) or set(map(len, rows)) - {width}:
        bad = next(i for i, r in enumerate(rows, start=2) if type(r) is not list or len(r) != width)
        raise PackageFormatError(f"{where}第 {bad} 行的列数不对（应为 {width} 列）")
    kinds = set(map(type, chain.from_iterable(rows)))
    if kinds - _CELL_TYPES:
        bad_kind = sorted(k.__name__ for k in kinds - _CELL_TYPES)[0]
        raise PackageFormatError(f"{where}含有不允许的值类型（{bad_kind}），只允许文本、整数和空值")
    return Table(head["table"], head["columns"], rows)


# -- writing ------------------------------------------------------------------------------------
@dataclass
class Package:
    """A package read from a file (or about to be written): manifest, signature and members."""
    path: Path | None
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    members: dict[str, bytes]
    file_sha256: str = ""
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return sha256_hex(self.manifest_bytes)

    def table(self, name: str) -> Table | None:
        if name not in self.tables:
            member = f"{DATA_PREFIX}{name}.jsonl"
            if member not in self.members:
                return None
            self.tables[name] = decode_table(member, self.members[member])
        return self.tables[name]


def build_manifest(base: dict[str, Any], members: dict[str, bytes], row_counts: dict[str, int]) -> bytes:
    listed = [{"name": n, "table": n[len(DATA_PREFIX):-len(".jsonl")], "rows": row_counts[n],
               "bytes": len(b), "sha256": sha256_hex(b)} for n, b in sorted(members.items())]
    manifest = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **base, "members": listed}
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


def package_file_name(unit_name: str, unit_code: str, sequence: int, when: datetime) -> str:
    return f"南阳跨境电商_{unit_name}_{unit_code}_第{sequence:04d}号_{when:%Y%m%d}{SUFFIX}"


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def write_package(folder: Path, file_name: str, manifest_bytes: bytes, members: dict[str, bytes],
                  key: KeyPair) -> Package:
    """Write atomically (temp file, fsync, os.replace), then read back and verify everything."""
    folder = Path(folder)
    target = folder / file_name
    tmp = folder / f".{file_name}.tmp"
    signature = key.sign(manifest_bytes)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                zf.writestr(MANIFEST, manifest_bytes)
                zf.writestr(SIGNATURE, signature)
                for name in sorted(members):
                    zf.writestr(name, members[name])
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except PermissionError:
        _remove_quietly(tmp)
        raise OutputFileError(f"无法写入“{target}”：文件被其他程序占用或文件夹没有写权限",
                              detail="请关闭占用该文件的程序或换一个文件夹。旧文件保持不变。") from None
    except OSError as exc:
        _remove_quietly(tmp)
        raise OutputFileError(f"无法写入“{target}”：{exc.strerror or exc}") from None
    back = read_package(target)
    if back.digest != sha256_hex(manifest_bytes):
        raise OutputFileError(f"“{target}”写入后读回校验不一致，请换一个文件夹重试")
    return back


# -- reading ------------------------------------------------------------------------------------
def _fail(path: Path, reason: str, detail: str | None = None) -> PackageFormatError:
    return PackageFormatError(f"数据包“{path.name}”{reason}",
                              detail=detail or "请让报送单位重新导出并发送。数据库未作改动。")


def _safe_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name or "\x00" in name:
        return False
    return ".." not in name.split("/")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, path: Path) -> bytes:
    """Stream a member with a hard cap: a lying header cannot make us inflate more than `cap`."""
    out = io.BytesIO()
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            out.write(chunk)
            if out.tell() > cap:
                raise _fail(path, f"的成员“{info.filename}”解压后超过声明的大小，疑似压缩炸弹，已拒绝")
    return out.getvalue()


def _open_zip(path: Path) -> tuple[zipfile.ZipFile, int, str]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackageFormatError(f"无法读取数据包“{path}”：{exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise _fail(path, f"大小为 {size // (1024 * 1024)} MB，超过数据包上限 {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackageFormatError(f"无法读取数据包“{path}”：{exc.strerror or exc}") from None
    if not raw.startswith(b"PK"):
        raise _fail(path, "不是数据包（不是 zip 格式的文件）", "请选择扩展名为 .cbecpkg 的数据包。数据库未作改动。")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, OSError, EOFError, IndexError,
            NotImplementedError, KeyError, OverflowError):
        raise _fail(path, "不完整或已损坏（zip 目录无法读取，可能在传输中被截断）") from None
    return zf, size, sha256_hex(raw)


def _check_listing(zf: zipfile.ZipFile, path: Path) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _fail(path, f"含有 {len(infos)} 个成员，超过上限 {MAX_MEMBERS}，已拒绝")
    names = [i.filename for i in infos]
    for n in names:
        if not _safe_name(n):
            raise _fail(path, f"含有不安全的成员名“{n}”（绝对路径或“..”），已拒绝")
    if len(set(names)) != len(names):
        raise _fail(path, "含有重名的成员，已拒绝")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES or any(i.file_size > MAX_MEMBER_BYTES for i in infos):
        raise _fail(path, f"声明的解压后大小为 {total} 字节，超过上限 {MAX_TOTAL_BYTES} 字节，疑似压缩炸弹，已拒绝")
    for n in (MANIFEST, SIGNATURE):
        if n not in names:
            raise _fail(path, f"缺少“{n}”，不是完整的数据包")
    return infos


def _parse_manifest(data: bytes, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _fail(path, "的清单（manifest.json）损坏，无法读取") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _fail(path, "不是本系统的数据包（清单格式名不符）")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(path, "的清单缺少格式版本号")
    if version > FORMAT_VERSION:
        raise PackageFormatError(
            f"数据包“{path.name}”的格式版本为 {version}，高于本程序支持的 {FORMAT_VERSION}",
            detail="它由更新版本的程序生成。请先升级本程序再导入。数据库未作改动。")
    if version < MIN_FORMAT_VERSION:
        raise _fail(path, f"的格式版本 {version} 过旧，本程序不再支持")
    return manifest


_REQUIRED = {"role": str, "unit_code": str, "unit_name": str, "sequence": int, "schema_version": int,
             "public_key": str, "members": list, "created_at_local": str}


def _check_manifest_fields(manifest: dict[str, Any], path: Path) -> None:
    for key, kind in _REQUIRED.items():
        v = manifest.get(key)
        if not isinstance(v, kind) or isinstance(v, bool):
            raise _fail(path, f"的清单字段“{key}”缺失或类型不对")
    if manifest["role"] not in ("county", "municipal") or manifest["sequence"] < 1:
        raise _fail(path, "的清单中角色或序号无效")
    pk = manifest["public_key"]
    if len(pk) != 64 or any(c not in "0123456789abcdef" for c in pk):
        raise _fail(path, "的清单中公钥格式无效")
    for m in manifest["members"]:
        if not (isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("sha256"), str)
                and isinstance(m.get("bytes"), int) and isinstance(m.get("rows"), int)):
            raise _fail(path, "的清单成员列表格式不对")


def read_package(path: Path | str) -> Package:
    """Open, bound, verify signature and every member hash. No database involved."""
    path = Path(path)
    zf, _size, file_hash = _open_zip(path)
    try:
        with zf:
            infos = {i.filename: i for i in _check_listing(zf, path)}
            manifest_bytes = _read_member(zf, infos[MANIFEST], MAX_MANIFEST_BYTES, path)
            signature = _read_member(zf, infos[SIGNATURE], 1024, path)
            manifest = _parse_manifest(manifest_bytes, path)
            _check_manifest_fields(manifest, path)
            if not verify_signature(manifest["public_key"], signature, manifest_bytes):
                raise PackageKeyError(
                    f"数据包“{path.name}”的签名验证失败：清单被改动过，或签名不属于该清单",
                    detail="文件可能在传输中被改动或损坏。请让报送单位重新导出并发送。数据库未作改动。")
            members = _read_listed_members(zf, infos, manifest, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError, IndexError, KeyError, OverflowError) as exc:
        raise _fail(path, f"不完整或已损坏（{type(exc).__name__}：{exc}）") from None
    return Package(path, manifest, manifest_bytes, signature, members, file_hash)


def _read_listed_members(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], manifest: dict[str, Any],
                         path: Path) -> dict[str, bytes]:
    listed = {m["name"]: m for m in manifest["members"]}
    extra = set(infos) - set(listed) - {MANIFEST, SIGNATURE}
    if extra:
        raise _fail(path, f"含有清单中没有列出的成员“{sorted(extra)[0]}”，已拒绝")
    members: dict[str, bytes] = {}
    for name, meta in listed.items():
        if not _MEMBER_NAME.match(name):
            raise _fail(path, f"的清单列出了不允许的成员名“{name}”")
        info = infos.get(name)
        if info is None:
            raise _fail(path, f"缺少清单中列出的成员“{name}”，文件不完整")
        if info.file_size != meta["bytes"] or meta["bytes"] > MAX_MEMBER_BYTES:
            raise _fail(path, f"的成员“{name}”大小与清单不符（清单 {meta['bytes']}，文件 {info.file_size} 字节）")
        data = _read_member(zf, info, meta["bytes"], path)
        if sha256_hex(data) != meta["sha256"]:
            raise _fail(path, f"的成员“{name}”校验值（SHA-256）与清单不符：内容被改动或损坏")
        members[name] = data
    return members
