"""cbec report list / cbec report NAME --period P [--unit CODE] [--format pdf|xlsx|both] -o DIR."""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli import add_json_flag, emit
from desktop.core.errors import ValidationError
from desktop.core.periods import Period
from desktop.storage.db import Store
from desktop.storage.paths import DataDir, resolve_data_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="生成报表（PDF / Excel）",
        description="生成法定报表。NAME 为报表编号或名称：1—11、表1、T1 或 indicators 等；"
                    "用 “cbec report list” 查看全部。",
    )
    p.add_argument("name", metavar="NAME", help="报表（list = 列出可生成的报表；font = 查看或设置PDF字体）")
    p.add_argument("--period", metavar="P", help="期别：2025-09、2025Q3 或 2025")
    p.add_argument("--unit", metavar="CODE", help="单位代码（市级可选，默认全市；县区只能是本单位）")
    p.add_argument("--format", choices=("pdf", "xlsx", "both"), default="both",
                   help="输出格式（默认 both：报表具有的全部格式）")
    p.add_argument("-o", "--output", metavar="DIR", help="输出文件夹（默认：数据文件夹下的 exports）")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--set", metavar="FONT_FILE", dest="font_file", help="与 font 合用：指定PDF使用的中文字体文件（.ttf/.ttc）")
    g.add_argument("--clear", action="store_true", help="与 font 合用：取消指定，自动查找字体")
    add_json_flag(p)
    p.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from desktop.reporting.registry import build_report, find_report, list_reports, write_report

    dd = DataDir(resolve_data_dir(args.data_dir))
    with Store.open(dd) as store:
        if args.name.strip().lower() == "font":
            return _font(args, store)
        if args.name.strip().lower() == "list":
            specs = list_reports(store.role)
            payload = [{"code": s.code, "number": s.number, "name": s.slug, "title": s.title,
                        "formats": list(s.formats), "periods": s.periods} for s in specs]
            text = "\n".join(f"{s.number:>2}  {s.slug:<12} {s.title}（{'、'.join(f.upper() for f in s.formats)}；"
                             f"期别：{s.periods}）" for s in specs)
            emit(args, payload, text)
            return 0
        if not args.period:
            raise ValidationError("请用 --period 指定期别，如 2025Q3", field="期别")
        spec = find_report(args.name)
        period = Period.parse(args.period)
        out = Path(args.output) if args.output else dd.exports
        report = build_report(store, spec.code, period, args.unit)
        paths = write_report(store, report, out, args.format)
    emit(args, {"report": spec.code, "title": report.title, "unit_code": report.unit_code,
                "period": str(report.period), "files": [str(p) for p in paths]},
         "\n".join(str(p) for p in paths))
    return 0


def _font(args: argparse.Namespace, store: Store) -> int:
    from desktop.reporting.fonts import SETTING_KEY, font_files, fonts_for_store, set_font_override

    if args.font_file or args.clear:
        fonts = set_font_override(store, None if args.clear else args.font_file, operator=store.operator)
    else:
        fonts = fonts_for_store(store)
    files = font_files(fonts)
    override = store.get_setting(SETTING_KEY)
    names = {"song": "正文（宋体）", "hei": "标题（黑体）", "fang": "公文正文（仿宋）", "kai": "楷体"}
    text = "\n".join(f"{names[k]}：{v}" for k, v in files.items())
    text += f"\n{'已在设置中指定：' + override if override else '未指定，自动查找'}"
    emit(args, {"fonts": files, "override": override}, text)
    return 0
