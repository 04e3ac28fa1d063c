"""Only desktop/gui imports Qt: the core, storage, reporting, exchange, commands and the CLI
(including `cbec --help`) must run in a process where PySide6 was never imported."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import contextlib, importlib, io, json, pkgutil, sys
import desktop
skip = {"desktop.gui", "desktop.__main__"}
imported = []
for info in pkgutil.walk_packages(desktop.__path__, "desktop."):
    name = info.name
    if any(name == s or name.startswith(s + ".") for s in skip):
        continue
    importlib.import_module(name)
    imported.append(name)
from desktop import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        cli.main(["--help"])
    except SystemExit as exc:
        code = exc.code
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps({"imported": imported, "qt": qt, "help_code": code, "help": out.getvalue()}))
"""


def test_non_gui_modules_never_import_pyside6():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["qt"] == [], f"PySide6 pulled in by a non-GUI module: {result['qt']}"
    assert result["help_code"] == 0 and "cbec" in result["help"]
    names = set(result["imported"])
    for required in ("desktop.cli", "desktop.logging_setup", "desktop.core.periods", "desktop.storage.db",
                     "desktop.storage.figures", "desktop.reporting", "desktop.exchange", "desktop.commands.setup"):
        assert required in names
    assert not any(n.startswith("desktop.gui") for n in names)


def test_probe_would_notice_qt():
    """The probe itself can fail: importing a GUI module does show up as PySide6."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "import sys, desktop.gui.context; print(any(m.startswith('PySide6') for m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=60)
    assert proc.stdout.strip() == "True", proc.stderr
