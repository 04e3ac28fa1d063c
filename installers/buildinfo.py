"""Build facts shared by the PyInstaller spec, the NSIS/.deb scripts and their tests.

Product names and the company come from installers/product.json (data, not code); the version
comes from desktop.__version__. Also a small CLI for shell and PowerShell build scripts:
    python installers/buildinfo.py version | nsis-defines [PAYLOAD] | deb-depends GLIBC | get KEY
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

INSTALLERS = Path(__file__).resolve().parent
ROOT = INSTALLERS.parent
PRODUCT_FILE = INSTALLERS / "product.json"

# Qt modules the program never uses (Widgets, Gui, Charts, OpenGL(Widgets) for Charts, Svg,
# DBus, XcbQpa, WaylandClient stay). Matched as prefixes of the module part of a file name:
# libQt6Quick.so.6, QtNetwork.abi3.so, Qt6Network.dll, QtNetwork.pyd.
QT_UNUSED_MODULES = (
    "quick", "qml", "network", "webengine", "webchannel", "websockets", "webview", "3d",
    "multimedia", "spatialaudio", "texttospeech", "pdf", "designer", "uitools", "help",
    "location", "positioning", "sensors", "bluetooth", "nfc", "serial", "remoteobjects", "scxml",
    "statemachine", "graphs", "datavisualization", "shadertools", "httpserver", "networkauth",
    "virtualkeyboard", "eglfs", "sql", "test", "concurrent",
    # Native Wayland: UOS/Kylin sessions are X11, and Wayland sessions run Qt through XWayland;
    # leaving it out also drops the libwayland-* dependencies.
    "wayland", "wlshell",
)
QT_FILE = re.compile(r"^(?:lib)?qt6?(?P<module>[a-z0-9]+?)(?:\.abi3)?\.(?:so|dll|pyd|pyi)(?:\.|$)")
# Plugins for embedded displays, networking, input devices or image formats nobody sends.
QT_UNUSED_PLUGIN_DIRS = ("egldeviceintegrations", "generic", "sqldrivers", "qmltooling",
                         "multimedia", "position", "networkinformation", "tls", "designer",
                         "wayland-decoration-client", "wayland-graphics-integration-client",
                         "wayland-graphics-integration-server", "wayland-shell-integration")
QT_UNUSED_PLUGIN_FILES = (
    "qwayland", "qlinuxfb", "qeglfs", "qvnc", "qvkkhrdisplay", "qminimalegl", "qdirect2d",
    "qgtk3",  # drags cairo/pango/gdk from the build host; the portal theme stays
    "qtiff", "qwebp", "qtga", "qwbmp", "qicns", "qpdf",
)
# Software OpenGL for Windows PCs without drivers: only Qt Quick needs it, widgets paint raster.
OTHER_UNUSED = ("opengl32sw.dll",)
KEEP_TRANSLATIONS = ("_zh_cn.qm",)

# Host libraries every UOS/Kylin/Debian desktop has: left out of the Linux bundle (a bundled old
# libstdc++, fontconfig or dbus clashes with the desktop's own) and declared as .deb Depends.
# soname -> Debian package (alternatives for the 64-bit-time_t renames).
SYSTEM_LIBS = {
    "libX11.so.6": "libx11-6", "libX11-xcb.so.1": "libx11-xcb1", "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6", "libxcb.so.1": "libxcb1",
    "libxkbcommon.so.0": "libxkbcommon0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-glx.so.0": "libxcb-glx0", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libpng16.so.16": "libpng16-16t64 | libpng16-16", "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlidec.so.1": "libbrotli1", "libexpat.so.1": "libexpat1", "libz.so.1": "zlib1g",
    "libbz2.so.1.0": "libbz2-1.0", "liblzma.so.5": "liblzma5", "libzstd.so.1": "libzstd1",
    "liblz4.so.1": "liblz4-1", "libdbus-1.so.3": "libdbus-1-3", "libsystemd.so.0": "libsystemd0",
    "libgcrypt.so.20": "libgcrypt20", "libgpg-error.so.0": "libgpg-error0", "libcap.so.2": "libcap2",
    "libglib-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0", "libpcre2-8.so.0": "libpcre2-8-0",
    "libbsd.so.0": "libbsd0", "libmd.so.0": "libmd0", "libuuid.so.1": "libuuid1",
    "libstdc++.so.6": "libstdc++6 (>= 12)", "libgcc_s.so.1": "libgcc-s1",
}
# Needed by Qt but never bundled by PyInstaller (GL comes with the graphics driver), plus the
# CJK font the PDF reports use.
BASE_DEPENDS = ("libgl1", "libegl1", "fonts-wqy-microhei | fonts-wqy-zenhei | fonts-noto-cjk")


def product() -> dict[str, Any]:
    return json.loads(PRODUCT_FILE.read_text(encoding="utf-8"))


def app_version() -> str:
    """desktop.__version__, read from the source so that no program module is imported."""
    text = (ROOT / "desktop" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M)
    if not m:
        raise SystemExit("desktop/__init__.py has no __version__")
    return m.group(1)


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """'1.2.3' / '1.2.3rc1' -> (1, 2, 3, 0): the numeric form Windows resources need."""
    nums = [int(re.match(r"\d+", part).group()) if re.match(r"\d+", part) else 0
            for part in version.split(".")[:4]]
    return tuple((nums + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def exe_names(platform: str = sys.platform) -> dict[str, str]:
    info = product()
    key = "windows" if platform.startswith("win") else "linux"
    return {"gui": info["gui_exe"][key], "cli": info["cli_exe"]}


def keep_in_bundle(dest: str) -> bool:
    """False for unused Qt modules, plugins and non-Chinese translations."""
    d = dest.replace("\\", "/").lower()
    name = d.rsplit("/", 1)[-1]
    if name in OTHER_UNUSED:
        return False
    if d.startswith("stdnum/") and d.endswith(".dat"):
        return d.startswith("stdnum/cn/")  # only Chinese numbers are checked (MAC/IMSI tables: 1.6 MB)
    if "/translations/" in d or d.startswith("translations/"):
        return not name.endswith(".qm") or name.endswith(KEEP_TRANSLATIONS)
    if "/plugins/" in d:
        folder = d.split("/plugins/", 1)[1].split("/", 1)[0]
        stem = name[3:] if name.startswith("lib") else name
        if folder in QT_UNUSED_PLUGIN_DIRS or stem.startswith(QT_UNUSED_PLUGIN_FILES):
            return False
    m = QT_FILE.match(name)
    if m and ("pyside6" in d or "qt" in name):
        return not m.group("module").startswith(QT_UNUSED_MODULES)
    return True


def _is_loose_lib(entry: tuple) -> bool:
    """A shared library at the bundle root that only other binaries load (never libpython)."""
    dest, _src, typecode = entry[0], entry[1], entry[2]
    name = dest.replace("\\", "/")
    return (typecode == "BINARY" and "/" not in name and name.startswith("lib")
            and ".so" in name and not name.startswith("libpython"))


def drop_orphan_libs(*tocs: list) -> tuple[list, ...]:
    """Remove root-level libraries that no kept binary links, repeating until stable (Linux)."""
    from PyInstaller.depend.bindepend import get_imports

    kept = [list(t) for t in tocs]
    while True:
        needed = {Path(name).name for toc in kept for e in toc if e[2] in ("BINARY", "EXTENSION")
                  for name, _path in get_imports(e[1])}
        before = sum(len(t) for t in kept)
        kept = [[e for e in t if not _is_loose_lib(e) or Path(e[0]).name in needed] for t in kept]
        if sum(len(t) for t in kept) == before:
            return tuple(kept)


def drop_system_libs(*tocs: list) -> tuple[list, ...]:
    """Leave SYSTEM_LIBS to the target system (Linux); the .deb declares them in Depends."""
    return tuple([e for e in toc if not (_is_loose_lib(e) and Path(e[0]).name in SYSTEM_LIBS)]
                 for toc in tocs)


def deb_depends(glibc: str) -> str:
    """The control file's Depends: libc of the build host, base needs, every left-out library."""
    seen: list[str] = [f"libc6 (>= {glibc})" if glibc else "libc6"]
    for dep in (*BASE_DEPENDS, *SYSTEM_LIBS.values()):
        if dep not in seen:
            seen.append(dep)
    return ", ".join(seen)


def version_strings(file_description: str, original_name: str) -> dict[str, str]:
    """The StringFileInfo entries of an executable's Windows version resource."""
    info, version = product(), app_version()
    return {
        "CompanyName": info["company"],
        "FileDescription": file_description,
        "FileVersion": version,
        "InternalName": Path(original_name).stem,
        "LegalCopyright": info["copyright"],
        "OriginalFilename": original_name,
        "ProductName": info["product_name"],
        "ProductVersion": version,
    }


def version_resource(file_description: str, original_name: str):
    """A PyInstaller VSVersionInfo for one executable (Windows builds only: needs pefile)."""
    from PyInstaller.utils.win32.versioninfo import (FixedFileInfo, StringFileInfo, StringStruct,
                                                     StringTable, VarFileInfo, VarStruct,
                                                     VSVersionInfo)

    nums = version_tuple(app_version())
    strings = [StringStruct(k, v) for k, v in version_strings(file_description, original_name).items()]
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=nums, prodvers=nums, mask=0x3F, flags=0x0, OS=0x40004,
                          fileType=0x1, subtype=0x0, date=(0, 0)),
        kids=[StringFileInfo([StringTable("080404B0", strings)]),  # zh-CN, Unicode
              VarFileInfo([VarStruct("Translation", [0x0804, 1200])])],
    )


def nsis_defines(payload: str | None = None) -> list[str]:
    """makensis -D arguments derived from product.json and the version."""
    info, version = product(), app_version()
    names = exe_names("win32")
    defs = {
        "VERSION": version,
        "VERSION_QUAD": ".".join(str(n) for n in version_tuple(version)),
        "PRODUCT_NAME": info["product_name"],
        "SHORT_NAME": info["short_name"],
        "COMPANY": info["company"],
        "APP_ID": info["app_id"],
        "GUI_EXE": names["gui"] + ".exe",
        "CLI_EXE": names["cli"] + ".exe",
        "INSTALL_DIR_NAME": info["install_dir_name"],
        "START_MENU_FOLDER": info["start_menu_folder"],
        "FILE_EXT": info["file_extension"],
        "FILE_TYPE_NAME": info["file_type_name"],
        "ICON": str(ROOT / "resources" / "icons" / "app.ico"),
    }
    if payload:
        defs["PAYLOAD"] = payload
    return [f"-D{k}={v}" for k, v in defs.items()]  # makensis takes -D on every platform


def main(argv: list[str]) -> int:
    if argv[:1] == ["version"]:
        print(app_version())
    elif argv[:1] == ["nsis-defines"]:
        print("\n".join(nsis_defines(argv[1] if len(argv) > 1 else None)))
    elif argv[:1] == ["deb-depends"] and len(argv) <= 2:
        print(deb_depends(argv[1] if len(argv) == 2 else ""))
    elif argv[:1] == ["get"] and len(argv) == 2:
        print(product()[argv[1]])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
