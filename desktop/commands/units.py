"""cbec units — the units known to this database and their pinned package keys (rekey)."""
from __future__ import annotations

import argparse

from desktop.cli import add_json_flag, emit
from desktop.core.errors import RoleError, ValidationError
from desktop.storage import audit
from desktop.storage.db import Store
from desktop.storage.paths import DataDir, resolve_data_dir
from desktop.storage.reference import CITY_CODE


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("units", help="单位与数据包签名密钥（列表、重新登记密钥）")
    usub = p.add_subparsers(dest="units_command", metavar="ACTION")
    usub.required = True

    ls = usub.add_parser("list", help="列出单位、已登记的密钥指纹和最近导入的数据包")
    add_json_flag(ls)
    ls.set_defaults(handler=cmd_list)

    rk = usub.add_parser("rekey", help="撤销某单位已登记的签名密钥：下一个数据包的密钥将被重新登记")
    rk.add_argument("code", metavar="CODE", help="单位代码（县区数据库中为市级代码 411300）")
    rk.add_argument("--reason", default="", help="原因（如：更换电脑，已电话核对新指纹）")
    add_json_flag(rk)
    rk.set_defaults(handler=cmd_rekey)

    asg = usub.add_parser("assign", help="核定同一统一社会信用代码出现在两个单位的企业归属（通知随下发数据包发给其他单位）")
    asg.add_argument("credit_code", metavar="CREDIT_CODE", help="统一社会信用代码")
    asg.add_argument("--unit", required=True, metavar="CODE", help="企业所属的单位代码")
    add_json_flag(asg)
    asg.set_defaults(handler=cmd_assign)


def cmd_assign(args: argparse.Namespace) -> int:
    from desktop.core.credit import normalise
    from desktop.exchange.consolidation import decide_credit_owner

    with _store(args) as store:
        if not store.is_municipal:
            raise RoleError("只有市级可以核定企业的归属单位")
        code = normalise(args.credit_code)
        notified = decide_credit_owner(store, code, args.unit.strip(), operator=store.operator)
        names = "、".join(store.unit_name(u) for u in notified)
        owner = store.unit_name(args.unit.strip())
    emit(args, {"credit_code": code, "owner": args.unit.strip(), "notified": notified},
         f"已核定统一社会信用代码 {code} 的企业属于{owner}。\n下次导出下发数据包时，通知将发给：{names}")
    return 0


def _store(args: argparse.Namespace) -> Store:
    return Store.open(DataDir(resolve_data_dir(args.data_dir)))


def cmd_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        rows = store.query(
            "SELECT u.code, u.name, k.fingerprint, k.pinned_at,"
            " (SELECT max(sequence) FROM package_log l WHERE l.direction = 'in' AND l.unit_code = u.code) AS last_sequence,"
            " (SELECT max(logged_at) FROM package_log l WHERE l.direction = 'in' AND l.unit_code = u.code) AS last_import"
            " FROM unit u LEFT JOIN pinned_key k ON k.unit_code = u.code ORDER BY u.sort")
    text = "\n".join(f"{r['code']} {r['name']}：" + (f"密钥 {r['fingerprint']}" if r["fingerprint"] else "未登记密钥")
                     + (f"，最近第{r['last_sequence']}号（{r['last_import'][:16]}）" if r["last_sequence"] else "")
                     for r in rows)
    emit(args, rows, text)
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    code = args.code.strip()
    with _store(args) as store:
        if store.role == "county" and code != CITY_CODE:
            raise RoleError(f"县区数据库只登记市级（{CITY_CODE}）的密钥，不能重新登记“{code}”")
        if not store.scalar("SELECT 1 FROM unit WHERE code = ?", (code,)):
            raise ValidationError(f"单位代码“{code}”不存在", field="单位代码")
        row = store.query("SELECT * FROM pinned_key WHERE unit_code = ?", (code,))
        name = store.unit_name(code)
        if not row:
            raise ValidationError(f"{name}（{code}）还没有登记签名密钥，无需重新登记", field="单位代码")
        with store.atomic() as conn:
            conn.execute("DELETE FROM pinned_key WHERE unit_code = ?", (code,))
            audit.record(conn, operator=store.operator, table="pinned_key", row_key=code, action="delete",
                         before=row[0], reason=args.reason or "重新登记签名密钥")
    emit(args, {"unit_code": code, "unit_name": name, "old_fingerprint": row[0]["fingerprint"]},
         f"已撤销{name}（{code}）原登记的签名密钥（指纹 {row[0]['fingerprint']}）。\n"
         "下一个导入的该单位数据包的密钥将被登记，请届时电话核对新指纹。")
    return 0
