"""Entry point of the window (`cbec-desktop`, `python -m desktop`): data folder, single-instance
lock, log file, crash dialog, first-run dialog, main window, optional file to open.

Qt is imported inside the functions, so importing this module (e.g. for its helpers) stays
light; start-up speed is measured by tests/benchmarks/bench_startup.py.
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()  # as early as possible: --selftest reports time since start

import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from types import TracebackType  # noqa: E402
from typing import TYPE_CHECKING, Sequence  # noqa: E402

from desktop import APP_NAME, __version__  # noqa: E402
from desktop.core.errors import CbecError  # noqa: E402
from desktop.storage.paths import DataDir, resolve_data_dir, resource_root  # noqa: E402

if TYPE_CHECKING:
    import argparse

    from PySide6.QtCore import QLockFile
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.gui.main_window import MainWindow

log = logging.getLogger("desktop.gui")
LOCK_NAME = "cbec.lock"
EXIT_OK, EXIT_REFUSED = 0, 1


@dataclass
class Options:
    data_dir: str | None = None
    selftest: bool = False
    file: str | None = None


def parse_args(argv: list[str]) -> Options:
    """The common command lines are read directly; anything else (--help, --version, mistakes)
    goes to argparse, whose import (with gettext and locale) would cost start-up time."""
    ns = Options()
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--selftest":
            ns.selftest = True
        elif arg == "--data-dir" and rest and not rest[0].startswith("-"):
            ns.data_dir = rest.pop(0)
        elif arg.startswith("--data-dir=") and len(arg) > len("--data-dir="):
            ns.data_dir = arg.split("=", 1)[1]
        elif not arg.startswith("-") and ns.file is None:
            ns.file = arg
        else:
            full = build_parser().parse_args(argv)
            return Options(full.data_dir, full.selftest, full.file)
    return ns


def build_parser() -> argparse.ArgumentParser:
    import argparse

    p = argparse.ArgumentParser(prog="cbec-desktop", description="南阳跨境电商综试区 统计填报系统（窗口程序）")
    p.add_argument("--version", action="version", version=f"cbec-desktop {__version__}")
    p.add_argument("--data-dir", metavar="DIR", help="数据文件夹（默认：用户数据目录，或环境变量 CBEC_DATA_DIR）")
    p.add_argument("--selftest", action="store_true",
                   help="自检：在现有数据库上打开主窗口并显示首页，输出耗时后退出")
    p.add_argument("file", nargs="?", help="要打开的文件（如 .cbecpkg 数据包）")
    return p


# -- single instance ----------------------------------------------------------------------------
def acquire_instance_lock(dd: DataDir) -> QLockFile | None:
    """Lock the data folder for this process; None when another running copy holds it."""
    from PySide6.QtCore import QLockFile

    dd.root.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(dd.root / LOCK_NAME))
    lock.setStaleLockTime(0)  # never expire by age: a copy open all day still holds it
    if lock.tryLock(200):
        return lock
    return None


def already_open_text(dd: DataDir) -> str:
    return f"本数据文件夹的程序已经打开：\n{dd.root}\n\n请切换到已打开的窗口（同一数据文件夹只能同时打开一个程序）。"


# -- crash dialog -------------------------------------------------------------------------------
def crash_text(exc: BaseException, log_file: Path | None) -> str:
    where = f"详细信息已写入日志文件：\n{log_file}" if log_file else "（日志文件无法写入，详细信息见控制台输出）"
    return (f"程序遇到一个意外错误：{type(exc).__name__}: {exc}\n\n"
            f"刚才的操作可能没有完成，已保存的数据不受影响。程序可以继续使用。\n{where}\n"
            "如果反复出现，请把日志文件发给技术支持。")


def install_excepthook(log_file: Path | None, parent: QWidget | None = None, *, interactive: bool = True) -> None:
    """Unhandled errors are logged and shown in Chinese, naming the log file; the program goes on.

    Not interactive (--selftest): nobody can close a dialog, so print the error and exit 1.
    """
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("未处理的错误\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        if not interactive:
            try:  # a windowed (frozen) build has no stderr: then the exit code and log must do
                traceback.print_exception(exc_type, exc, tb)
                print(f"自检失败：{exc_type.__name__}: {exc}（日志：{log_file}）", file=sys.stderr, flush=True)
                sys.stdout.flush()
            except (AttributeError, OSError):
                pass
            logging.shutdown()
            os._exit(EXIT_REFUSED)  # inside a Qt callback an exception would not end the program
        if QApplication.instance() is None:
            sys.__excepthook__(exc_type, exc, tb)
            return
        if isinstance(exc, CbecError):
            QMessageBox.warning(parent, "无法完成", str(exc))
        else:
            QMessageBox.critical(parent, "程序出错", crash_text(exc, log_file))

    sys.excepthook = hook


# -- start-up -----------------------------------------------------------------------------------
def skip_pyside_source_scan() -> bool:
    """Spare every later import PySide6's source scan. PySide6 replaces __import__ and, the
    first time each module name is imported after Qt, reads that module's whole source
    (inspect.getsource) to see whether it mentions "PySide6" — for the opt-in syntax
    `from __feature__ import snake_case`, which this program does not use. Over the ~50 modules
    imported before the first picture that is ~6 ms (tests/benchmarks/bench_startup.py). The
    answer only matters in a module that selects features, so here it is told by the module's
    name: Qt's own modules and ours under desktop.gui use PySide6, others do not. A PySide6
    without this private hook is left as it is (returns False)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _uses_pyside
    return True


def _uses_pyside(module: object) -> bool:
    return str(getattr(module, "__name__", "")).startswith(("PySide6", "shiboken6", "desktop.gui"))


def ensure_app() -> QApplication:
    from PySide6.QtWidgets import QApplication

    skip_pyside_source_scan()

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "cbec-desktop"])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("南阳跨境电商综试区统计填报系统")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("南阳市商务局")
    app.setDesktopFileName("nanyang-cbec")  # matches the .deb's .desktop entry (taskbar grouping)
    icon = resource_root() / "resources" / "icons" / "app.png"
    if icon.exists():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def first_run(dd: DataDir) -> bool:
    from desktop.gui.first_run import FirstRunDialog

    dialog = FirstRunDialog(dd)
    return dialog.exec() == FirstRunDialog.DialogCode.Accepted


def open_main_window(dd: DataDir, log_file: Path | None) -> MainWindow:
    from desktop.gui.context import AppContext
    from desktop.gui.main_window import MainWindow
    from desktop.storage.db import Store

    store = Store.open(dd)
    ctx = AppContext(store, dd, log_file=log_file)
    window = MainWindow(ctx, defer_pages=True)
    window.show()
    return window


def open_file(window: MainWindow, path: str) -> None:
    """Offer a file from the command line (file association) to the registered handlers."""
    from desktop.gui.widgets.messages import show_error

    target = Path(path)
    if not target.is_file():
        show_error(window, f"文件“{target}”不存在或无法读取。")
        return
    for handler in list(window.ctx.open_file_handlers):
        if handler(target):
            return
    show_error(window, f"无法打开文件“{target.name}”：本程序不认识这种文件。")


def run(argv: Sequence[str] | None = None, *, exec_loop: bool = True) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    dd = DataDir(resolve_data_dir(args.data_dir))
    app = ensure_app()
    try:
        lock = acquire_instance_lock(dd)
    except OSError as exc:
        return _refuse(args, f"数据文件夹“{dd.root}”无法使用：{exc.strerror or exc}")
    if lock is None:
        return _refuse(args, already_open_text(dd))
    try:
        from desktop.logging_setup import setup_logging

        log_file = setup_logging(dd.logs)
        log.info("cbec-desktop %s start, data folder %s", __version__, dd.root)
        install_excepthook(log_file, interactive=not args.selftest)
        return _start(args, app, dd, log_file, exec_loop)
    finally:
        lock.unlock()


def _start(args: Options, app: QApplication, dd: DataDir, log_file: Path | None, exec_loop: bool) -> int:
    from PySide6.QtCore import QTimer

    if not dd.exists():
        if args.selftest:
            print(f"自检失败：数据文件夹“{dd.root}”中还没有数据库", file=sys.stderr)
            return EXIT_REFUSED
        if not first_run(dd):
            return EXIT_OK
    try:
        window = open_main_window(dd, log_file)
    except CbecError as exc:
        log.warning("cannot open: %s", exc)
        return _refuse(args, str(exc))
    if args.selftest:
        return _selftest(app, window)
    if not exec_loop:  # tests: the start-up decisions only, no event loop
        window.close()
        window.ctx.store.close()
        return EXIT_OK
    QTimer.singleShot(0, window.load_deferred_pages)
    if args.file:
        # Queued after the deferred pages, whose modules register the file handlers.
        QTimer.singleShot(0, lambda: open_file(window, args.file))
    code = app.exec()
    window.ctx.store.close()
    return code


def _selftest(app: QApplication, window: MainWindow) -> int:
    """Print when the first picture is there, then build every other page too (a page that
    fails to build makes the self-test fail)."""
    app.processEvents()
    page = window.current_page()
    filled = getattr(page, "data", None) is not None
    elapsed = time.perf_counter() - _T0
    print(f"selftest: window shown, home page {'filled' if filled else 'EMPTY'}, "
          f"{elapsed:.3f} s since start", flush=True)
    window.load_deferred_pages()
    app.processEvents()
    print(f"selftest: {len(window.pages)} pages: {'、'.join(window.page_titles())}, "
          f"{time.perf_counter() - _T0:.3f} s since start", flush=True)
    window.close()
    window.ctx.store.close()
    return EXIT_OK if filled else EXIT_REFUSED


def _refuse(args: Options, text: str) -> int:
    if args.selftest:
        print(f"自检失败：{text}", file=sys.stderr)
    else:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(None, "无法打开", text)
    return EXIT_REFUSED


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main())
