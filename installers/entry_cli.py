"""Frozen entry point of the console executable `cbec`."""
from desktop.cli import main

raise SystemExit(main())
