"""cbec init / demo / figures / check."""
from __future__ import annotations

import argparse
import json
import time

from desktop.cli import add_json_flag, emit
from desktop.core.errors import ValidationError
from desktop.core.periods import Period
from desktop.storage.db import Store
from desktop.storage.paths import DataDir, resolve_data_dir


def data_dir_of(args: argparse.Namespace) -> DataDir:
    return DataDir(resolve_data_dir(args.data_dir))


def open_store(args: argparse.Namespace) -> Store:
    return Store.open(data_dir_of(args))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="初始化数据文件夹（县区单位或市级）")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--unit", metavar="CODE", help="本单位代码，如 411323（西峡县）")
    g.add_argument("--municipal", action="store_true", help="市级（综试办）汇总角色")
    p.add_argument("--operator", default="", metavar="NAME", help="填表人姓名")
    add_json_flag(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", help="生成演示数据（可重复）")
    p.add_argument("--scale", choices=("county", "city", "stress"), default="county",
                   help="county=本单位；city=全市18个单位约2万家企业；stress=约10万家企业")
    p.add_argument("--seed", type=int, default=2021, help="随机种子（相同种子生成相同数据）")
    p.add_argument("--unit", metavar="CODE", default="411323", help="county 规模且尚未初始化时使用的单位（默认 411323 西峡县）")
    add_json_flag(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("figures", help="显示规划指标完成情况")
    p.add_argument("--period", required=True, metavar="P", help="期别：2025-09、2025Q3 或 2025")
    p.add_argument("--unit", metavar="CODE", help="单位代码（市级可选；默认本单位或全市）")
    add_json_flag(p)
    p.set_defaults(handler=cmd_figures)

    p = sub.add_parser("check", help="检查数据库完整性与数据规则")
    add_json_flag(p)
    p.set_defaults(handler=cmd_check)


def cmd_init(args: argparse.Namespace) -> int:
    from desktop.exchange.installation import initialise

    role = "municipal" if args.municipal else "county"
    r = initialise(data_dir_of(args), role=role, unit_code=args.unit, operator=args.operator)
    verb = "已创建" if r.created else "已存在（未改动）"
    emit(args, {"data_dir": str(r.data_dir), "role": r.role, "unit_code": r.unit_code,
                "unit_name": r.unit_name, "created": r.created},
         f"{verb}：{r.unit_name}（{r.unit_code}）的数据库\n数据文件夹：{r.data_dir}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.storage.demo import generate_demo
    from desktop.exchange.installation import initialise

    dd = data_dir_of(args)
    if not dd.exists():
        if args.scale == "county":
            initialise(dd, role="county", unit_code=args.unit, operator="演示填表人")
        else:
            initialise(dd, role="municipal", operator="演示填表人")
    t0 = time.perf_counter()
    with Store.open(dd) as store:
        existing = store.get_setting("demo_data")
        same = existing and {k: json.loads(existing).get(k) for k in ("scale", "seed")} == {
            "scale": args.scale, "seed": args.seed}
        if same:
            # Re-running the README's demo command opens the same demo instead of failing.
            emit(args, {"existing": json.loads(existing)}, f"演示数据已存在（{existing}），未作改动。")
            return 0
        summary = generate_demo(store, scale=args.scale, seed=args.seed)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    emit(args, summary, "演示数据已生成：" + "，".join(f"{k} {v}" for k, v in summary.items()))
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    from desktop.storage.figures import figures_table_text, plan_figures

    period = Period.parse(args.period)
    with open_store(args) as store:
        unit = args.unit or (None if store.is_municipal else store.unit_code)
        if unit and not store.scalar("SELECT 1 FROM unit WHERE code = ?", (unit,)):
            raise ValidationError(f"单位代码“{unit}”不存在", field="单位代码")
        if unit and not store.is_municipal and unit != store.unit_code:
            raise ValidationError(f"本数据库属于{store.unit_name()}，没有单位“{unit}”的数据", field="单位代码")
        figs = plan_figures(store, period, unit)
        emit(args, figs.to_json(), figures_table_text(figs))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from desktop.storage.checks import run_checks

    with open_store(args) as store:
        report = run_checks(store)
    text = "\n".join([f"{'✓' if ok else '✗'} {name}：{msg}" for name, ok, msg in report.items])
    emit(args, report.to_json(), text + ("\n数据库正常。" if report.healthy else "\n发现问题，请处理后再报送。"))
    return 0 if report.healthy else 1
