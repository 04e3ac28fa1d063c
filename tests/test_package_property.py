"""Property tests: whatever bytes arrive, the reader answers with a CbecError or a package."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.errors import CbecError
from desktop.exchange.package_format import read_package
from desktop.exchange.package_import import verify_file
from test_package_support import export, make_county, members_of

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> bytes:
    root = tmp_path_factory.mktemp("prop")
    return export(make_county(root, "411330", seed=5), root / "out").read_bytes()


def _read(tmp: Path, raw: bytes) -> None:
    f = tmp / "x.cbecpkg"
    f.write_bytes(raw)
    try:
        verify_file(f)
    except CbecError as exc:
        assert exc.message.strip()


@_SETTINGS
@given(data=st.data())
def test_random_byte_corruption_never_escapes(sample, tmp_path_factory, data):
    raw = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    _read(tmp_path_factory.mktemp("c"), bytes(raw))


@_SETTINGS
@given(cut=st.integers(0, 10_000), tail=st.binary(max_size=64))
def test_truncation_and_garbage_never_escape(sample, tmp_path_factory, cut, tail):
    raw = sample[: max(0, len(sample) - cut)] + tail
    _read(tmp_path_factory.mktemp("t"), raw)


@_SETTINGS
@given(name=st.sampled_from(["manifest.json", "data/park.jsonl", "data/indicator_value.jsonl", "manifest.sig"]),
       payload=st.binary(max_size=300) | st.text(max_size=200).map(lambda s: s.encode("utf-8")))
def test_replaced_members_never_escape(sample, tmp_path_factory, name, payload):
    with zipfile.ZipFile(io.BytesIO(sample)) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members[name] = payload
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)
    _read(tmp_path_factory.mktemp("r"), buf.getvalue())


def test_intact_sample_reads(sample, tmp_path):
    f = tmp_path / "ok.cbecpkg"
    f.write_bytes(sample)
    pkg = read_package(f)
    assert pkg.manifest["unit_code"] == "411330"
    assert set(members_of(f)) == {"manifest.json", "manifest.sig", *pkg.members}


@pytest.fixture(scope="module")
def signed_world(tmp_path_factory):
    from desktop.exchange.keys import load_keypair
    from test_package_support import make_municipal

    root = tmp_path_factory.mktemp("signed")
    county = make_county(root, "411321", seed=5)
    pkg = export(county, root / "out")
    return {"pkg": pkg, "key": load_keypair(county), "city": make_municipal(root)}


_CELL = st.none() | st.integers(-2**70, 2**70) | st.booleans() | st.text(max_size=12) | st.floats(allow_nan=True)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(table=st.sampled_from(["park", "enterprise", "enterprise_volume", "indicator_value", "submission"]),
       rows=st.lists(st.lists(_CELL, min_size=0, max_size=30), max_size=4),
       junk=st.sampled_from(["", "{", "[1,2", "\ufeff", "null"]))
def test_validly_signed_random_rows_are_refused_cleanly(signed_world, tmp_path_factory, table, rows, junk):
    """A correctly signed package whose data rows are nonsense: refused (or imported), never a crash,
    and a refusal leaves the database as it was."""
    import hashlib
    import json as _json

    from desktop.exchange.package_import import import_packages
    from desktop.storage.db import Store
    from test_package_support import copy_folder, dump, resign, write_zip

    members = members_of(signed_world["pkg"])
    man = _json.loads(members["manifest.json"])
    name = f"data/{table}.jsonl"
    head = members[name].split(b"\n", 1)[0]
    body = b"\n".join(_json.dumps(r, ensure_ascii=False).encode() for r in rows)
    members[name] = head + b"\n" + body + junk.encode() + b"\n"
    for entry in man["members"]:
        if entry["name"] == name:
            entry["sha256"], entry["bytes"] = hashlib.sha256(members[name]).hexdigest(), len(members[name])
    tmp = tmp_path_factory.mktemp("s")
    f = write_zip(tmp / "p.cbecpkg", resign(members, man, signed_world["key"]))
    city = copy_folder(signed_world["city"], tmp / "city")
    before = dump(city)
    with Store.open(city) as store:
        try:
            import_packages(store, [f])
        except CbecError as exc:
            assert exc.message.strip()
            refused = True
        else:
            refused = False
    if refused:
        assert dump(city) == before
