"""`python -m desktop` opens the window."""
from desktop.gui.app import main

raise SystemExit(main())
