"""`cbec` — the headless front end over the same services the window uses (never imports Qt).

Exit codes: 0 success, 1 refused input (nothing changed), 2 usage.
Each command group lives in desktop/commands/<name>.py with `register(subparsers)`; a command
handler is `fn(args) -> int` and prints Chinese text, or JSON with --json.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, Sequence

from desktop import __version__
from desktop.core.errors import CbecError

# Command groups, in help order. Each module registers its sub-commands.
COMMAND_MODULES = (
    "desktop.commands.setup",      # init, demo, figures, check
    "desktop.commands.entry",      # entry show/set/check/submit/reopen/return, task list/set
    "desktop.commands.package",    # package export / import / verify
    "desktop.commands.units",      # units list / rekey
    "desktop.commands.roster",     # roster import / template / export
    "desktop.commands.report",     # report list / report NAME (PDF, Excel)
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cbec", description="南阳跨境电商综试区 统计填报系统（命令行）",
    )
    parser.add_argument("--version", action="version", version=f"cbec {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="数据文件夹（默认：用户数据目录，或环境变量 CBEC_DATA_DIR）")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def add_json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果（供程序读取）")


def emit(args: argparse.Namespace, payload: Any, text: str) -> None:
    """Print `payload` as JSON when --json was given, else the Chinese `text`."""
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
    else:
        print(text)


def _start_log(args: argparse.Namespace):
    """Log the command to <data>/logs/cbec.log when the data folder exists (never create it:
    a refused `init` must leave no folder behind)."""
    import logging

    from desktop.storage.paths import DataDir, resolve_data_dir

    log = logging.getLogger("cbec.cli")
    try:
        dd = DataDir(resolve_data_dir(args.data_dir))
        if dd.db_path.exists():
            from desktop.logging_setup import setup_logging

            setup_logging(dd.logs)
            log.info("cbec %s", " ".join(sys.argv[1:]))
    except OSError:
        pass  # logging must never stop a command
    return log


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8")
            except (ValueError, OSError):
                pass
    parser = build_parser()
    args = parser.parse_args(argv)
    log = _start_log(args)
    try:
        return int(args.handler(args) or 0)
    except CbecError as exc:
        log.info("refused: %s", exc)
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.message, "detail": exc.detail}, ensure_ascii=False))
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已取消，未作改动。", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
