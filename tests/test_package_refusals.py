"""Every refusal of `cbec package import`: exit 1, a Chinese reason, and a byte-identical database."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from desktop.exchange.keys import ensure_keypair, load_keypair
from test_package_support import (
    copy_folder, dump, export, make_county, make_municipal, members_of, resign, run_cli, write_zip,
)

A, B = "411321", "411330"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """County A (two packages), county B, and a city that has accepted A's first package."""
    root = tmp_path_factory.mktemp("refusals")
    a, b = make_county(root, A, seed=3), make_county(root, B, seed=3)
    out = root / "out"
    a1, a2, b1 = export(a, out), export(a, out), export(b, out)
    city = make_municipal(root)
    from desktop.cli import main

    assert main(["--data-dir", str(city), "package", "import", str(a1)]) == 0
    return {"root": root, "a": a, "b": b, "a1": a1, "a2": a2, "b1": b1, "city": city}


@pytest.fixture
def city(prepared, tmp_path):
    return copy_folder(prepared["city"], tmp_path / "city")


def _refused(capsys, folder: Path, pkg: Path, *fragments: str) -> str:
    before = dump(folder)
    code, out, err = run_cli(capsys, "--data-dir", folder, "package", "import", pkg)
    assert code == 1, (out, err)
    for f in fragments:
        assert f in err, err
    assert "错误：" in err
    assert dump(folder) == before
    return err


def _manifest(pkg: Path) -> dict:
    return json.loads(members_of(pkg)["manifest.json"])


def test_not_a_zip(city, tmp_path, capsys):
    f = tmp_path / "随便.cbecpkg"
    f.write_text("这不是压缩包", encoding="utf-8")
    _refused(capsys, city, f, "不是数据包", "不是 zip")


def test_truncated(prepared, city, tmp_path, capsys):
    raw = prepared["a2"].read_bytes()
    f = tmp_path / "截断.cbecpkg"
    f.write_bytes(raw[: int(len(raw) * 0.6)])
    _refused(capsys, city, f, "截断.cbecpkg", "不完整或已损坏")


def test_flipped_byte_in_compressed_member(prepared, city, tmp_path, capsys):
    raw = bytearray(prepared["a2"].read_bytes())
    raw[len(raw) // 2] ^= 0x5A
    f = tmp_path / "翻转.cbecpkg"
    f.write_bytes(bytes(raw))
    _refused(capsys, city, f, "翻转.cbecpkg")


def test_member_hash_wrong(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    data = bytearray(m["data/indicator_value.jsonl"])
    pos = data.rindex(b"1,")  # same length, different figure
    data[pos:pos + 1] = b"2"
    m["data/indicator_value.jsonl"] = bytes(data)
    _refused(capsys, city, write_zip(tmp_path / "改数.cbecpkg", m), "data/indicator_value.jsonl", "SHA-256")


def test_manifest_edited(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    m["manifest.json"] = m["manifest.json"].replace("填表人".encode(), "改表人".encode(), 1)
    _refused(capsys, city, write_zip(tmp_path / "改清单.cbecpkg", m), "签名验证失败")


def test_signature_swapped(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    m["manifest.sig"] = members_of(prepared["a1"])["manifest.sig"]
    _refused(capsys, city, write_zip(tmp_path / "换签名.cbecpkg", m), "签名验证失败")


def test_unknown_unit(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    signed = resign(m, dict(_manifest(prepared["a2"]), unit_code="419999", unit_name="虚构县"),
                    ensure_keypair(tmp_path / "stranger"))
    _refused(capsys, city, write_zip(tmp_path / "未知单位.cbecpkg", signed), "419999", "不在本系统的单位名单中")


def test_key_not_the_pinned_one(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    signed = resign(m, _manifest(prepared["a2"]), ensure_keypair(tmp_path / "other-pc"))
    _refused(capsys, city, write_zip(tmp_path / "新密钥.cbecpkg", signed), "与已登记的密钥不同", "cbec units rekey 411321")


def test_signed_with_another_units_key(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    b_key = load_keypair(prepared["b"])
    signed = resign(m, _manifest(prepared["a2"]), b_key)
    _refused(capsys, city, write_zip(tmp_path / "冒名.cbecpkg", signed), "与已登记的密钥不同")
    # B's key, once pinned for B, cannot speak for an unpinned unit either
    assert run_cli(capsys, "--data-dir", city, "package", "import", prepared["b1"])[0] == 0
    claim = dict(_manifest(prepared["b1"]), unit_code="411322", unit_name="方城县")
    forged = write_zip(tmp_path / "冒名2.cbecpkg", resign(members_of(prepared["b1"]), claim, b_key))
    _refused(capsys, city, forged, "已登记为单位 411330 的密钥")


def test_rows_of_another_unit_inside_a_signed_package(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    name = "data/submission.jsonl"
    m[name] = m[name].replace(f'"{A}"'.encode(), f'"{B}"'.encode(), 1)
    man = _manifest(prepared["a2"])
    for entry in man["members"]:
        if entry["name"] == name:
            import hashlib
            entry["sha256"] = hashlib.sha256(m[name]).hexdigest()
    signed = resign(m, man, load_keypair(prepared["a"]))
    _refused(capsys, city, write_zip(tmp_path / "越界.cbecpkg", signed), "不属于报送单位 411321")


def test_replay_older_package_and_same_package_again(prepared, city, capsys):
    assert run_cli(capsys, "--data-dir", city, "package", "import", prepared["a2"])[0] == 0
    _refused(capsys, city, prepared["a1"], "不新于已导入的第2号")
    before = dump(city)
    code, out, _ = run_cli(capsys, "--data-dir", city, "package", "import", prepared["a2"])
    assert code == 0 and "已导入，无变化" in out and dump(city) == before


@pytest.mark.parametrize("field,value,fragment", [
    ("format_version", 2, "格式版本为 2，高于本程序支持的 1"),
    ("schema_version", 99, "数据结构版本为 99"),
])
def test_newer_format_or_schema(prepared, city, tmp_path, capsys, field, value, fragment):
    m = members_of(prepared["a2"])
    signed = resign(m, dict(_manifest(prepared["a2"]), **{field: value}), load_keypair(prepared["a"]))
    _refused(capsys, city, write_zip(tmp_path / "新版本.cbecpkg", signed), fragment, "升级")


@pytest.mark.parametrize("bad_name", ["../逃逸.txt", "/etc/passwd", "data/../../x.jsonl"])
def test_unsafe_member_names(prepared, city, tmp_path, capsys, bad_name):
    m = members_of(prepared["a2"])
    m[bad_name] = b"x"
    _refused(capsys, city, write_zip(tmp_path / "路径.cbecpkg", m), "不安全的成员名")


def test_too_many_members(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    m.update({f"data/extra_{i}.jsonl": b"{}" for i in range(80)})
    _refused(capsys, city, write_zip(tmp_path / "成员多.cbecpkg", m), "超过上限 64")


def _patch_sizes(raw: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size of `member` in its local and central headers."""
    buf, name = bytearray(raw), member.encode()
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = 0
        while (i := buf.find(sig, i)) >= 0:
            nlen_off = 26 if sig == b"PK\x03\x04" else 28
            nlen = struct.unpack_from("<H", buf, i + nlen_off)[0]
            start = i + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(buf[start:start + nlen]) == name:
                struct.pack_into("<I", buf, i + off, size)
            i += 4
    return bytes(buf)


def test_member_declared_one_gigabyte(prepared, city, tmp_path, capsys):
    raw = _patch_sizes(prepared["a2"].read_bytes(), "data/enterprise.jsonl", 1 << 30)
    f = tmp_path / "炸弹.cbecpkg"
    f.write_bytes(raw)
    _refused(capsys, city, f, "疑似压缩炸弹")


def test_deflate_bomb_with_lying_header(prepared, city, tmp_path, capsys):
    m = members_of(prepared["a2"])
    m["data/park.jsonl"] = b"0" * (40 * 1024 * 1024)
    raw = write_zip(tmp_path / "tmp.zip", m).read_bytes()
    f = tmp_path / "炸弹2.cbecpkg"
    f.write_bytes(_patch_sizes(raw, "data/park.jsonl", 1000))
    _refused(capsys, city, f, "炸弹2.cbecpkg")


def test_wrong_direction(prepared, tmp_path, capsys):
    county = copy_folder(prepared["b"], tmp_path / "county")
    _refused(capsys, county, prepared["a2"], "县市区上报的数据包", "不能导入县区数据库")
    city = copy_folder(prepared["city"], tmp_path / "city")
    down = export(city, tmp_path / "down")
    city2 = copy_folder(prepared["city"], tmp_path / "city2")
    _refused(capsys, city2, down, "市级下发的数据包", "不能导入市级数据库")


def test_county_pins_the_municipal_key(prepared, tmp_path, capsys):
    county = copy_folder(prepared["b"], tmp_path / "county")
    city = copy_folder(prepared["city"], tmp_path / "city")
    down = export(city, tmp_path / "down")
    code, out, _ = run_cli(capsys, "--data-dir", county, "package", "import", down)
    assert code == 0 and "登记签名密钥指纹" in out
    other_city = make_municipal(tmp_path, "other-city")
    forged = export(other_city, tmp_path / "forged")
    _refused(capsys, county, forged, "南阳市（411300）的数据包签名密钥与已登记的密钥不同")
    code, out, _ = run_cli(capsys, "--data-dir", county, "units", "rekey", "411300", "--reason", "市级换电脑")
    assert code == 0 and "已撤销" in out
    code, out, _ = run_cli(capsys, "--data-dir", county, "package", "import", forged)
    assert code == 0, out
