"""cbec package export / import / verify — data packages between counties and the city."""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli import add_json_flag, emit
from desktop.storage.db import Store
from desktop.storage.paths import DataDir, resolve_data_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("package", help="数据包：导出、导入、校验（县区上报 / 市级下发）")
    psub = p.add_subparsers(dest="package_command", metavar="ACTION")
    psub.required = True

    e = psub.add_parser("export", help="导出本单位的数据包（县区：全部数据；市级：目标、截止日期、退回意见等）")
    e.add_argument("-o", "--output", required=True, metavar="DIR", help="保存数据包的文件夹")
    add_json_flag(e)
    e.set_defaults(handler=cmd_export)

    i = psub.add_parser("import", help="导入数据包（先预览，再应用；可一次导入多个）")
    i.add_argument("files", nargs="+", metavar="FILE", help=".cbecpkg 数据包")
    i.add_argument("--dry-run", action="store_true", help="只预览变化，不写入数据库")
    add_json_flag(i)
    i.set_defaults(handler=cmd_import)

    st = psub.add_parser("status", help="报送情况（市级）：各单位各期是否报送、逾期、退回，以及催报通知和跨单位核对")
    st.add_argument("--year", type=int, help="年度（默认今年）")
    st.add_argument("--quarterly", action="store_true", help="按季度（默认按月）")
    st.add_argument("--urge", metavar="PERIOD", help="生成该期别的催报通知，如 2025-09")
    add_json_flag(st)
    st.set_defaults(handler=cmd_status)

    v = psub.add_parser("verify", help="校验数据包（文件完整性与签名；不需要数据库）")
    v.add_argument("file", metavar="FILE")
    add_json_flag(v)
    v.set_defaults(handler=cmd_verify)


def _store(args: argparse.Namespace) -> Store:
    return Store.open(DataDir(resolve_data_dir(args.data_dir)))


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.exchange.package_export import export_package

    with _store(args) as store:
        r = export_package(store, Path(args.output))
    rows = "，".join(f"{k} {v}" for k, v in r.rows.items() if v)
    emit(args, r.to_json(),
         f"已导出并校验：{r.path}\n{r.unit_name}（{r.unit_code}）第{r.sequence}号，{r.size:,} 字节"
         f"\n签名密钥指纹：{r.fingerprint}\n记录：{rows or '无'}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.exchange.package_import import import_packages

    with _store(args) as store:
        r = import_packages(store, [Path(f) for f in args.files], dry_run=args.dry_run)
    lines = [pv.text() for pv in r.previews]
    if r.dry_run:
        lines.append("预览完毕（--dry-run），未写入数据库。")
    elif r.applied:
        lines.append(f"已导入 {sum(pv.status == 'new' for pv in r.previews)} 个数据包。导入前备份：{r.backup}")
    else:
        lines.append("没有需要导入的新数据。")
    if r.findings:
        lines.append("跨单位核对发现以下问题：")
        lines.extend(f"  · {f['message']}" for f in r.findings)
    emit(args, r.to_json(), "\n".join(lines))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.exchange.package_import import verify_file

    info = verify_file(Path(args.file))
    periods = "、".join(f"{p['period']}" for p in info["periods"][-12:]) or "无"
    emit(args, info,
         f"数据包完整，签名有效：{Path(args.file).name}\n"
         f"{info['unit_name']}（{info['unit_code']}）第{info['sequence']}号，格式版本 {info['format_version']}，"
         f"结构版本 {info['schema_version']}\n导出时间：{info['created_at']}，填表人：{info['operator'] or '未署名'}\n"
         f"签名密钥指纹：{info['fingerprint']}\n期别：{periods}\n"
         + "\n".join(f"  {m['name']}：{m['rows']} 行" for m in info["members"]))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from datetime import date

    from desktop.core.errors import RoleError
    from desktop.core.periods import Period
    from desktop.exchange.consolidation import completeness, cross_checks, urge_text

    year = args.year or date.today().year
    periods = ([str(Period.quarter(year, q)) for q in range(1, 5)] if args.quarterly
               else [str(Period.month(year, m)) for m in range(1, 13)])
    with _store(args) as store:
        if not store.is_municipal:
            raise RoleError("报送情况只在市级数据库中查看")
        matrix = completeness(store, periods)
        urge = Period.parse(args.urge) if args.urge else None
        text_urge = urge_text(store, matrix, str(urge)) if urge and str(urge) in periods else None
        if urge and text_urge is None:
            raise RoleError(f"期别“{args.urge}”不在所列的 {year} 年{'季度' if args.quarterly else '月份'}中")
        findings = cross_checks(store)
    width = max(len(n) for _, n in matrix.units)
    lines = [f"{'单位':<{width}}　" + "　".join(Period.parse(p).label[5:] for p in periods)]
    for code, name in matrix.units:
        lines.append(f"{name:<{width}}　" + "　".join(matrix.cell(code, p).label.split(" ")[0] for p in periods))
    if text_urge:
        lines += ["", text_urge]
    lines += ["", "跨单位核对：" + ("未发现问题" if not findings else "")]
    lines += [f"  · {f.message}" for f in findings]
    payload = {**matrix.to_json(), "urge": text_urge, "findings": [f.to_json() for f in findings]}
    emit(args, payload, "\n".join(lines))
    return 0
