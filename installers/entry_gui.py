"""Frozen entry point of the windowed executable (南阳跨境电商填报 / cbec-desktop)."""
from desktop.gui.app import main

raise SystemExit(main())
