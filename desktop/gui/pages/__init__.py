"""Pages of the main window; each module has create_pages(ctx) and is listed in
desktop.gui.main_window.PAGE_MODULES."""
