"""Upgrade a package of an older released format to the current one, in memory, after its
signature was checked. Format 1 is the first released format; each later format adds one step
here and a stored sample in tests/data/packages/. Older *schemas* need no step: tables travel
with their column names and columns a package lacks take the local default."""
from __future__ import annotations

from typing import Callable

from desktop.exchange.package_format import FORMAT_VERSION, Package

# STEPS[n] turns a format-n package into format n+1.
STEPS: dict[int, Callable[[Package], None]] = {}


def upgrade_package(pkg: Package) -> Package:
    version = pkg.manifest["format_version"]
    pkg.manifest.setdefault("original_format_version", version)
    while version < FORMAT_VERSION:
        STEPS[version](pkg)
        version += 1
        pkg.manifest["format_version"] = version
    return pkg
