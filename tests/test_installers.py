"""Installers: NSIS script compiles with makensis, .deb built from a bundle installs and runs,
build facts (names, company, version, pruning, Depends) and the app icon."""
from __future__ import annotations

import configparser
import os
import shutil
import stat
import struct
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALLERS = ROOT / "installers"
sys.path.insert(0, str(INSTALLERS))
import buildinfo  # noqa: E402

import desktop  # noqa: E402

NSI = INSTALLERS / "windows" / "setup.nsi"
BUILD_DEB = INSTALLERS / "linux" / "build-deb.sh"


# ---- build facts ---------------------------------------------------------------------------------
def test_product_facts_come_from_data_and_package_version() -> None:
    info = buildinfo.product()
    assert info["company"] == "南阳市商务局"
    assert info["app_id"] == desktop.APP_ID
    assert info["short_name"] == desktop.APP_NAME
    assert buildinfo.app_version() == desktop.__version__
    strings = buildinfo.version_strings("说明", "南阳跨境电商填报.exe")
    assert strings["CompanyName"] == "南阳市商务局"
    assert strings["ProductVersion"] == desktop.__version__
    assert buildinfo.exe_names("win32") == {"gui": "南阳跨境电商填报", "cli": "cbec"}
    assert buildinfo.exe_names("linux") == {"gui": "cbec-desktop", "cli": "cbec"}


@pytest.mark.parametrize("version, quad", [("0.1.0", (0, 1, 0, 0)), ("1.2", (1, 2, 0, 0)),
                                           ("2.0.3rc1", (2, 0, 3, 0)), ("1.2.3.4.5", (1, 2, 3, 4))])
def test_version_tuple(version: str, quad: tuple[int, int, int, int]) -> None:
    assert buildinfo.version_tuple(version) == quad


@pytest.mark.parametrize("dest, keep", [
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("PySide6/Qt/lib/libQt6Charts.so.6", True),
    ("PySide6/Qt/lib/libQt6OpenGLWidgets.so.6", True),  # libQt6Charts links it
    ("PySide6/Qt/lib/libQt6XcbQpa.so.6", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/plugins/platforms/qwindows.dll", True),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
    ("PySide6/translations/qt_zh_CN.qm", True),
    ("stdnum/cn/loc.dat", True),
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("PySide6/Qt/lib/libQt6Qml.so.6", False),
    ("PySide6/Qt6WebEngineCore.dll", False),
    ("PySide6/Qt/lib/libQt63DRender.so.6", False),
    ("PySide6/Qt/lib/libQt6Multimedia.so.6", False),
    ("PySide6/QtNetwork.abi3.so", False),
    ("PySide6/QtNetwork.pyd", False),
    ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/generic/libqevdevmouseplugin.so", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/opengl32sw.dll", False),
    ("stdnum/oui.dat", False),
])
def test_bundle_pruning(dest: str, keep: bool) -> None:
    assert buildinfo.keep_in_bundle(dest) is keep


def test_every_left_out_library_is_a_deb_dependency() -> None:
    depends = buildinfo.deb_depends("2.36")
    assert depends.startswith("libc6 (>= 2.36), ")
    assert buildinfo.deb_depends("").startswith("libc6, ")
    for soname, package in buildinfo.SYSTEM_LIBS.items():
        assert package in depends, soname
    # the Qt 6 xcb platform plugin's own needs
    for pkg in ("libxkbcommon-x11-0", "libxcb-xkb1", "libfontconfig1", "libgl1", "libegl1"):
        assert pkg in depends


def test_drop_system_libs_keeps_vendored_and_python_files() -> None:
    toc = [("libstdc++.so.6", "/usr/lib/libstdc++.so.6", "BINARY"),
           ("libxcb-cursor.so.0", "/usr/lib/libxcb-cursor.so.0", "BINARY"),
           ("libXau-154567c4.so.6.0.0", "/x/libXau-154567c4.so.6.0.0", "BINARY"),
           ("PySide6/Qt/lib/libQt6Core.so.6", "/x/libQt6Core.so.6", "BINARY"),
           ("libpython3.11.so.1.0", "/x/libpython3.11.so.1.0", "BINARY")]
    (kept,) = buildinfo.drop_system_libs(toc)
    assert [e[0] for e in kept] == [e[0] for e in toc[1:]]


# ---- icon -----------------------------------------------------------------------------------------
def test_app_icon_is_a_multi_size_windows_icon_and_pngs() -> None:
    icons = ROOT / "resources" / "icons"
    data = (icons / "app.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for i in range(count):
        w, h, _c, _r, _planes, bpp, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert bpp == 32 and offset + length <= len(data)
        sizes.add(w or 256)
    assert {16, 32, 48, 256} <= sizes
    for size in (16, 48, 256):
        png = (icons / f"app-{size}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (size, size)


# ---- NSIS -----------------------------------------------------------------------------------------
PAYLOAD_NOISE = 400_000


def make_windows_payload(folder: Path) -> Path:
    """A stand-in for the PyInstaller folder: the file names the script refers to."""
    (folder / "_internal" / "db" / "migrations").mkdir(parents=True)
    (folder / "南阳跨境电商填报.exe").write_bytes(b"MZ gui stand-in")
    (folder / "cbec.exe").write_bytes(b"MZ cli stand-in")
    (folder / "_internal" / "db" / "migrations" / "0001_initial.sql").write_text("-- test\n")
    (folder / "_internal" / "noise.bin").write_bytes(os.urandom(PAYLOAD_NOISE))  # incompressible
    (folder / "portable").write_text("")  # the script must delete it after copying
    return folder


def run_makensis(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["makensis", "-V2", "-WX", "-INPUTCHARSET", "UTF8", *args, str(NSI)],
                          cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="replace")


def test_nsis_script_compiles_against_a_payload(tmp_path: Path) -> None:
    payload = make_windows_payload(tmp_path / "载荷 目录")
    out = tmp_path / "nanyang-cbec-test-setup.exe"
    proc = run_makensis([*buildinfo.nsis_defines(str(payload)), f"-DOUTFILE={out}"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    exe = out.read_bytes()
    assert exe[:2] == b"MZ"
    assert len(exe) > PAYLOAD_NOISE  # the payload folder went in
    # 64-bit PE (machine 0x8664) carrying the version resource built from product.json
    pe = struct.unpack_from("<I", exe, 0x3C)[0]
    assert exe[pe:pe + 4] == b"PE\0\0" and struct.unpack_from("<H", exe, pe + 4)[0] == 0x8664
    assert "南阳市商务局".encode("utf-16-le") in exe
    assert desktop.__version__.encode("utf-16-le") in exe


def test_nsis_script_refuses_a_build_without_payload(tmp_path: Path) -> None:
    defines = [d for d in buildinfo.nsis_defines(None)]
    proc = run_makensis([*defines, f"-DOUTFILE={tmp_path / 'x.exe'}"], tmp_path)
    assert proc.returncode != 0
    assert "missing -DPAYLOAD" in proc.stdout + proc.stderr
    assert not (tmp_path / "x.exe").exists()


def test_nsis_uninstaller_targets_the_programs_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder the uninstaller may delete ($LOCALAPPDATA\\<APP_ID>) is the one the program
    uses on Windows (platformdirs, not roaming), and install goes to the per-user programs folder."""
    import platformdirs
    from platformdirs import windows

    from desktop.storage.paths import default_data_dir

    folders = {"CSIDL_LOCAL_APPDATA": r"C:\Users\clerk\AppData\Local",
               "CSIDL_APPDATA": r"C:\Users\clerk\AppData\Roaming"}
    monkeypatch.setattr(windows, "get_win_folder", folders.__getitem__)
    monkeypatch.setattr(platformdirs, "user_data_dir",
                        lambda *a, **k: windows.Windows(*a, **k).user_data_dir)
    used = str(default_data_dir()).replace("/", "\\")
    assert used == r"C:\Users\clerk\AppData\Local\nanyang-cbec"  # what $LOCALAPPDATA\${APP_ID} is
    assert buildinfo.product()["app_id"] == "nanyang-cbec"
    script = NSI.read_text(encoding="utf-8-sig")
    assert 'StrCpy $DataDir "$LOCALAPPDATA\\${APP_ID}"' in script
    assert 'StrCpy $INSTDIR "$LOCALAPPDATA\\Programs\\${INSTALL_DIR_NAME}"' in script
    assert "RequestExecutionLevel user" in script


# ---- .deb -----------------------------------------------------------------------------------------
def make_linux_bundle(folder: Path) -> Path:
    """A bundle whose executables run the real program from this checkout."""
    (folder / "_internal" / "db" / "reference").mkdir(parents=True)
    (folder / "_internal" / "db" / "reference" / "units.json").write_text("[]")
    (folder / "portable").write_text("")  # must not reach the package
    for name, module in (("cbec", "desktop.cli"), ("cbec-desktop", "desktop.gui.app")):
        exe = folder / name
        exe.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m {module} "$@"\n')
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def build_deb(bundle: Path, out: Path) -> Path:
    env = {**os.environ, "PYTHON": sys.executable, "DEB_XZ_LEVEL": "0"}
    proc = subprocess.run(["bash", str(BUILD_DEB), str(bundle), str(out)], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    deb = Path(proc.stdout.strip().splitlines()[-1])
    assert deb.parent == out and deb.name == f"nanyang-cbec_{desktop.__version__}_{deb.name.split('_')[-1]}"
    return deb


def test_deb_installs_under_opt_with_desktop_entry_mime_and_path(tmp_path: Path) -> None:
    deb = build_deb(make_linux_bundle(tmp_path / "bundle"), tmp_path / "out")
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    for entry in ("./opt/nanyang-cbec/cbec", "./opt/nanyang-cbec/_internal/db/reference/units.json",
                  "./usr/bin/cbec -> ../../opt/nanyang-cbec/cbec",
                  "./usr/bin/cbec-desktop -> ../../opt/nanyang-cbec/cbec-desktop",
                  "./usr/share/applications/nanyang-cbec.desktop",
                  "./usr/share/mime/packages/nanyang-cbec.xml",
                  "./usr/share/icons/hicolor/48x48/apps/nanyang-cbec.png"):
        assert entry in listing, entry
    assert "portable" not in listing
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Depends"],
                            capture_output=True, text=True, check=True).stdout
    assert f"Version: {desktop.__version__}" in fields and "libxkbcommon-x11-0" in fields

    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    run = subprocess.run([str(root / "usr" / "bin" / "cbec"), "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == f"cbec {desktop.__version__}"

    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(root / "usr/share/applications/nanyang-cbec.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Name"] == d["Name[zh_CN]"] == "南阳跨境电商填报"
    assert d["Exec"] == "/opt/nanyang-cbec/cbec-desktop %f"
    assert d["MimeType"] == "application/x-cbecpkg;"
    assert (root / f"usr/share/icons/hicolor/256x256/apps/{d['Icon']}.png").is_file()


def test_deb_mime_type_maps_the_extension(tmp_path: Path) -> None:
    """shared-mime-info XML: the type the .desktop entry names, the glob, zip parentage."""
    deb = build_deb(make_linux_bundle(tmp_path / "bundle"), tmp_path / "out")
    root = tmp_path / "root"
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    tree = ElementTree.parse(root / "usr/share/mime/packages/nanyang-cbec.xml")
    types = tree.getroot().findall("m:mime-type", ns)
    assert [t.get("type") for t in types] == [buildinfo.product()["mime_type"]]
    mime = types[0]
    assert [g.get("pattern") for g in mime.findall("m:glob", ns)] == ["*.cbecpkg"]
    assert mime.find("m:sub-class-of", ns).get("type") == "application/zip"
    comments = {c.get("{http://www.w3.org/XML/1998/namespace}lang"): c.text for c in mime.findall("m:comment", ns)}
    assert comments["zh_CN"] == "南阳跨境电商数据包"


def test_deb_build_refuses_a_missing_bundle(tmp_path: Path) -> None:
    proc = subprocess.run(["bash", str(BUILD_DEB), str(tmp_path), str(tmp_path / "out")],
                          capture_output=True, text=True, env={**os.environ, "PYTHON": sys.executable})
    assert proc.returncode == 1
    assert "build the bundle first" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_shell_scripts_parse() -> None:
    for script in (BUILD_DEB, INSTALLERS / "smoke.sh"):
        proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{script.name}: {proc.stderr}"
    assert shutil.which("makensis"), "makensis (apt package nsis) is needed to compile setup.nsi"
