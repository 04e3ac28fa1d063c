"""cbec roster import / template / export: the clerk's Excel rosters of the ledgers."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.cli import add_json_flag, emit
from desktop.core.errors import ValidationError
from desktop.core.ledgers import KINDS
from desktop.storage.db import Store
from desktop.storage.paths import DataDir, resolve_data_dir

KIND_HELP = "台账类别：" + "，".join(f"{k}={v.title}" for k, v in KINDS.items())


def _store(args: argparse.Namespace) -> Store:
    return Store.open(DataDir(resolve_data_dir(args.data_dir)))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("roster", help="台账名录：从 Excel 导入、导出、生成导入模板")
    rs = p.add_subparsers(dest="roster_command", metavar="ACTION")
    rs.required = True

    q = rs.add_parser("import", help="从 .xlsx/.xls/.csv 名录导入台账（同一文件重复导入不会重复添加）")
    q.add_argument("kind", choices=tuple(KINDS), metavar="KIND", help=KIND_HELP)
    q.add_argument("file", type=Path, metavar="FILE", help="名录文件（.xlsx、.xls 或 .csv）")
    q.add_argument("--dry-run", action="store_true", help="只检查并报告将会发生什么，不改动数据库")
    q.add_argument("--errors", type=Path, metavar="OUT.xlsx", help="把退回的行（附“错误原因”列）写入此工作簿")
    q.add_argument("--operator", metavar="NAME", help="操作人（默认：本库填表人）")
    add_json_flag(q)
    q.set_defaults(handler=cmd_import)

    q = rs.add_parser("template", help="生成空白导入模板（含填写说明和下拉选项）")
    q.add_argument("kind", choices=tuple(KINDS), metavar="KIND", help=KIND_HELP)
    q.add_argument("out", type=Path, metavar="OUT.xlsx")
    add_json_flag(q)
    q.set_defaults(handler=cmd_template)

    q = rs.add_parser("export", help="把台账导出为 Excel（列与导入模板一致）")
    q.add_argument("kind", choices=tuple(KINDS), metavar="KIND", help=KIND_HELP)
    q.add_argument("out", type=Path, metavar="OUT.xlsx")
    q.add_argument("--search", default="", metavar="TEXT", help="只导出名称、信用代码或拼音首字母匹配的记录")
    q.add_argument("--filter", action="append", default=[], metavar="字段=值",
                   help="只导出符合条件的记录，可重复；如 --filter 是否知名企业=是 --filter 所属产业带=食用菌")
    add_json_flag(q)
    q.set_defaults(handler=cmd_export)


def _rejected_text(result_json: dict) -> list[str]:
    lines = [f"  工作表“{r['sheet']}”第 {r['row']} 行：{r['reason']}" for r in result_json["rejected"]]
    lines += [f"  提示：工作表“{w['sheet']}”第 {w['row']} 行：{w['message']}" for w in result_json["warnings"]]
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.exchange.roster import import_file

    with _store(args) as store:
        operator = args.operator or store.operator
        plan, result = import_file(store, args.file, args.kind, operator=operator, dry_run=args.dry_run,
                                   errors_out=args.errors)
    payload = result.to_json()
    head = ("试导入（未改动数据库）：" if args.dry_run else "导入完成：") + result.summary()
    lines = [head, *_rejected_text(payload)]
    if plan.skipped:
        lines.append(f"已跳过合计行、表尾等 {len(plan.skipped)} 行")
    if args.errors is not None:
        lines.append(f"退回的行已写入：{args.errors}")
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from desktop.exchange.roster_write import write_template

    with _store(args) as store:
        path = write_template(store, args.kind, args.out)
    emit(args, {"path": str(path)}, f"导入模板已生成：{path}")
    return 0


def parse_filters(store: Store, kind: str, items: list[str]) -> dict[str, Any]:
    """'是否知名企业=是' / 'known=1' / '所属园区=西峡跨境电商产业园' → list_ids filters."""
    from desktop.core.ledgers import kind_of, normalise_value
    from desktop.exchange.roster_read import match_header
    from desktop.storage.ledgers import load_lookups

    k = kind_of(kind)
    lookups = load_lookups(store)
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        name = key.strip() if key.strip() in k.field_names else match_header(kind, key)
        if not sep or not name or name.startswith("volume:"):
            raise ValidationError(f"筛选条件“{item}”无法识别：应写成 字段=值，字段为{k.title}台账的列名",
                                  field="筛选条件")
        spec = k.field(name)
        value = normalise_value(spec, raw)
        if spec.type == "park":
            value = lookups.parks.get(str(value))
        elif spec.type == "belt":
            value = lookups.belts.get(str(value))
        if value is None:
            raise ValidationError(f"筛选条件“{item}”中的“{raw}”不存在", field=spec.label)
        out[name] = value
    return out


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.exchange.roster_write import export_ledger

    with _store(args) as store:
        filters = parse_filters(store, args.kind, args.filter)
        n = export_ledger(store, args.kind, args.out, search=args.search, filters=filters)
    emit(args, {"path": str(args.out), "rows": n}, f"已导出 {n} 条记录：{args.out}")
    return 0
