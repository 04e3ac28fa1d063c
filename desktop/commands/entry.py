"""cbec entry … (periodic figures: show, set, check, submit, reopen, return) and cbec task …
(the task ledger) — the headless twins of the 数据填报 and 重点任务台账 pages."""
from __future__ import annotations

import argparse

from desktop.cli import add_json_flag, emit
from desktop.commands.setup import open_store
from desktop.core.errors import ValidationError
from desktop.core.money import parse_money


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("entry", help="数据填报：查看、录入、校验、报送、更正")
    esub = p.add_subparsers(dest="entry_command", metavar="ACTION")
    esub.required = True

    def action(name: str, help_: str, handler, *, unit: bool = True) -> argparse.ArgumentParser:
        a = esub.add_parser(name, help=help_)
        a.add_argument("--period", required=True, metavar="P", help="期别：2025-09（月报）或 2025Q3（季报）")
        if unit:
            a.add_argument("--unit", metavar="CODE", help="单位代码（市级查看时使用；默认本单位）")
        add_json_flag(a)
        a.set_defaults(handler=handler)
        return a

    action("show", "显示本期填报表（含上期、上年同期）", cmd_show)
    a = action("set", "录入数值：指标[.分项]=数值（金额单位万元），空值删除", cmd_set, unit=False)
    a.add_argument("values", nargs="+", metavar="CODE[.CAT]=VALUE", help="如 CBEC_EXPORT.9610=1234.5 TRAINEES=120；"
                   "CBEC_EXPORT.TOTAL=… 为合计（如海关提供的总数，与分项之和核对）")
    a.add_argument("--comment", action="append", default=[], metavar="CODE[.CAT]=说明", help="对预警的说明")
    action("check", "按指标规则校验本期数据", cmd_check)
    action("submit", "报送并锁定本期", cmd_submit, unit=False)
    a = action("reopen", "更正：重新打开已报送的期别", cmd_reopen, unit=False)
    a.add_argument("--reason", required=True, help="更正原因")
    a = action("return", "（市级）退回修改", cmd_return)
    a.add_argument("--note", required=True, help="退回意见")

    p = sub.add_parser("task", help="重点任务台账：查看、填写进展")
    tsub = p.add_subparsers(dest="task_command", metavar="ACTION")
    tsub.required = True
    a = tsub.add_parser("list", help="列出本单位负责的任务及本季度进展")
    a.add_argument("--quarter", required=True, metavar="Q", help="季度，如 2025Q3")
    a.add_argument("--status", help="按状态筛选：未启动/推进中/已完成/长期推进")
    a.add_argument("--unit", metavar="CODE")
    add_json_flag(a)
    a.set_defaults(handler=cmd_task_list)
    a = tsub.add_parser("set", help="填写一项任务的本季度进展")
    a.add_argument("--quarter", required=True, metavar="Q")
    a.add_argument("--no", required=True, type=int, help="任务序号（1—25）")
    a.add_argument("--status", required=True, help="未启动/推进中/已完成/长期推进")
    a.add_argument("--progress", default="", help="本季度进展")
    a.add_argument("--next", default="", dest="next_steps", help="下步计划")
    a.add_argument("--date", default=None, help="日期 YYYY-MM-DD")
    add_json_flag(a)
    a.set_defaults(handler=cmd_task_set)


def _unit(store, args) -> str:
    unit = getattr(args, "unit", None) or store.unit_code
    if store.is_municipal and unit == store.unit_code and args.handler in (cmd_show, cmd_check, cmd_return):
        raise ValidationError("市级请用 --unit 指定要查看的县市区", field="单位代码")
    if not store.scalar("SELECT 1 FROM unit WHERE code = ?", (unit,)):
        raise ValidationError(f"单位代码“{unit}”不存在", field="单位代码")
    return unit


def _parse_pairs(items: list[str], what: str) -> dict[tuple[str, str], str]:
    out = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"{what}“{item}”格式不对，应为 指标[.分项]=值", field=what)
        code, _, cat = key.strip().partition(".")
        out[(code.upper(), cat.upper())] = val.strip()
    return out


def cmd_show(args: argparse.Namespace) -> int:
    from desktop.storage.entry import TOTAL_CATEGORY, entry_grid

    with open_store(args) as store:
        grid = entry_grid(store, _unit(store, args), args.period)
    rows, lines = [], [f"{grid.period} {grid.submission.state_label}（第{grid.submission.version}版）",
                       "指标\t分项\t本期\t上期\t上年同期\t说明"]
    for r in grid.rows:
        ind = r.indicator
        cells = list(r.cells.items()) + ([(TOTAL_CATEGORY, r.total)] if r.total and r.total.value is not None else [])
        for cat, c in cells:
            rows.append({"indicator": ind.code, "category": cat, "name": ind.label(cat), "unit": ind.unit,
                         "value": c.value, "previous": c.previous, "last_year": c.last_year, "comment": c.comment})
            lines.append("\t".join([ind.name, ind.category_name(cat) or "—", ind.format(c.value) or "—",
                                    ind.format(c.previous) or "—", ind.format(c.last_year) or "—", c.comment or ""]))
    emit(args, {"period": grid.period, "state": grid.submission.state, "version": grid.submission.version,
                "return_note": grid.submission.return_note, "cells": rows}, "\n".join(lines))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from desktop.storage.entry import catalogue, save_values

    with open_store(args) as store:
        inds = {i.code: i for i in catalogue(store)}
        values = {}
        for (code, cat), raw in _parse_pairs(args.values, "数值").items():
            ind = inds.get(code)
            if ind is None:
                raise ValidationError(f"指标代码“{code}”不存在", field="指标")
            if raw == "":
                values[(code, cat)] = None
            elif ind.is_money:
                values[(code, cat)] = parse_money(raw, ind.display_unit, field=ind.label(cat))
            else:
                values[(code, cat)] = parse_money(raw, "元", field=ind.label(cat))
        comments = _parse_pairs(args.comment, "说明")
        save_values(store, store.unit_code, args.period, values, comments, operator=store.operator)
    emit(args, {"saved": len(values)}, f"已保存 {len(values)} 项。")
    return 0


def _issues_text(issues) -> str:
    return "\n".join(f"{'错误' if i.level == 'error' else '预警'}：{i.message}"
                     + ("（已说明）" if i.level == "warning" and i.explained else "") for i in issues)


def cmd_check(args: argparse.Namespace) -> int:
    from desktop.storage.entry import validate_entry

    with open_store(args) as store:
        issues = validate_entry(store, _unit(store, args), args.period)
    blocking = [i for i in issues if i.blocking]
    emit(args, {"issues": [vars(i) | {"blocking": i.blocking} for i in issues], "ok": not blocking},
         _issues_text(issues) or "校验通过，没有错误或预警。")
    return 0 if not blocking else 1


def cmd_submit(args: argparse.Namespace) -> int:
    from desktop.storage.entry import submit_period

    with open_store(args) as store:
        sub = submit_period(store, store.unit_code, args.period, operator=store.operator)
    emit(args, vars(sub), f"{sub.period} 已报送（第{sub.version}版），本期已锁定。")
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    from desktop.storage.entry import reopen_period

    with open_store(args) as store:
        sub = reopen_period(store, store.unit_code, args.period, operator=store.operator, reason=args.reason)
    emit(args, vars(sub), f"{sub.period} 已重新打开更正（第{sub.version}版）。")
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    from desktop.storage.entry import return_period

    with open_store(args) as store:
        unit = _unit(store, args)
        return_period(store, unit, args.period, note=args.note, operator=store.operator)
        name = store.unit_name(unit)
    emit(args, {"unit_code": unit, "period": args.period, "note": args.note},
         f"已将{name} {args.period} 退回修改，随下发数据包送达。")
    return 0


def cmd_task_list(args: argparse.Namespace) -> int:
    from desktop.storage.tasks import task_ledger

    with open_store(args) as store:
        unit = args.unit or store.unit_code
        ledger = task_ledger(store, unit, args.quarter, status=args.status)
    lines = [ledger.notice] if ledger.notice else []
    lines += [f"{r.no:>2}. {r.title}（牵头：{r.lead_label}）【{r.status}】{r.progress}" for r in ledger.rows]
    emit(args, {"quarter": ledger.quarter, "plan": ledger.plan_code, "notice": ledger.notice,
                "tasks": [vars(r) for r in ledger.rows]}, "\n".join(lines) or "本季度没有本单位负责的任务。")
    return 0


def cmd_task_set(args: argparse.Namespace) -> int:
    from desktop.storage.tasks import save_progress

    with open_store(args) as store:
        save_progress(store, store.unit_code, args.quarter, args.no, status=args.status, progress=args.progress,
                      next_steps=args.next_steps, progress_date=args.date, operator=store.operator)
    emit(args, {"saved": True}, f"任务 {args.no} 的 {args.quarter} 进展已保存。")
    return 0
