"""用户账号: the people, their role, unit and post. Imported by the security administrator, who assigns roles.

A new account has no usable password: the system administrator sets its first password in 基础数据管理, and its
owner must change it at first login, as for any account an administrator makes."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.actors import SYSTEM_USERNAME
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.models import Unit, User
from jingshi_jiafang.core.validators import validate_phone

from .base import (
    KIND,
    UNITS_SHEET,
    Column,
    FileState,
    ImportKind,
    Planned,
    Row,
    choice,
    unit_code_problem,
    units_sheet,
    validated,
    yes_no,
)

USERNAME = Column(
    "username", "用户名", "登录用的账号,字母、数字或 @.+-_;再次导入时按用户名找到该账号并更新。", "wanghy"
)
NAME = Column("name", "姓名", "本人姓名。", "王海燕")
ROLE = Column(
    "role",
    "角色",
    "局领导、中层干部、民警、值班民警、法制部门、民意访评中心、系统管理员、安全管理员或安全审计员。",
    "民警",
)
UNIT = Column("unit_code", "所属单位代码", f"本人所在单位的代码(不是名称),须已导入;见“{UNITS_SHEET}”表。", "CD01")
POST = Column("post", "职务", "如 社区民警、所长;可空。", "社区民警", required=False)
PHONE = Column("phone", "联系电话", "手机号11位;可空。", "13912345678", required=False)
HEAD = Column(
    "is_unit_head", "单位负责人", "所长、主任等填“是”,可查看本单位辖区的全部数据;空为否。", "否", required=False
)


class UserKind(ImportKind):
    kind = KIND.USERS
    title = "用户账号"
    model = User
    columns = (USERNAME, NAME, ROLE, UNIT, POST, PHONE, HEAD)
    key_column = USERNAME.key
    key_field = "username"
    may = staticmethod(can.may_import_people)
    note = "先由系统管理员导入“单位”。新账号没有可用密码:请系统管理员在“基础数据管理”为其设置初始密码。"

    def clean(self, row: Row) -> None:
        validated(row, USERNAME, UnicodeUsernameValidator())
        validated(row, PHONE, validate_phone)
        row.values["_role"] = choice(row, ROLE, User.Role.choices)
        row.values["_head"] = yes_no(row, HEAD)
        row.values[UNIT.key] = row.values.get(UNIT.key, "").upper()
        username = row.values.get(USERNAME.key, "")
        if username == SYSTEM_USERNAME:
            row.error(USERNAME, f"用户名“{SYSTEM_USERNAME}”为系统保留。")
        elif self.actor is not None and username == self.actor.get_username():
            row.error(USERNAME, "不能通过导入修改自己的账号。")
        for column, limit in ((USERNAME, 150), (NAME, 32), (POST, 32)):
            if len(row.values.get(column.key, "")) > limit:
                row.error(column, f"{column.header}不能超过{limit}个字。")

    def reference_sheets(self):
        return [units_sheet()]

    def prepare(self, rows: list[Row], state: FileState) -> dict:
        codes = {row.values[UNIT.key] for row in rows}
        units = dict(Unit.objects.filter(code__in=codes).values_list("code", "pk"))
        # A unit's name where its code goes, found in one more query, so the error can give the code.
        names = dict(Unit.objects.filter(name__in=codes - units.keys()).values_list("name", "code"))
        return {"units": units, "codes_by_name": names}

    def resolve(self, row: Row, context: dict, state: FileState) -> dict:
        unit_id = context["units"].get(row.values[UNIT.key])
        if unit_id is None:
            row.error(UNIT, unit_code_problem(row.values[UNIT.key], context["codes_by_name"]))
        role = row.values["_role"]
        return {
            "username": row.values[USERNAME.key],
            "name": row.values[NAME.key],
            "role": role,
            "unit_id": unit_id,
            "post": row.values.get(POST.key, ""),
            "phone": row.values.get(PHONE.key, ""),
            "is_unit_head": row.values["_head"],
            # Django admin is the system administrator's tool for reference data, and nobody else's.
            "is_staff": role == User.Role.ADMIN,
        }

    def build(self, values: dict) -> User:
        return User(**values, password=make_password(None), must_change_password=True)

    def write(self, planned: list[Planned], state: FileState) -> None:
        """Accounts, roles and units are audited one by one, as on the security administrator's pages: a users
        file is a few thousand rows at most."""
        created = [item.instance for item in planned if item.is_new]
        super().write(planned, state)
        for user in created:
            audit_record(action=Action.USER_CREATED, actor=self.actor, target=user, detail={"via": "import"})
        for item in planned:
            user, changes = item.instance, item.changes
            if changes.keys() & {"role", "is_unit_head"}:
                before = {
                    "role": changes["role"][0] if "role" in changes else user.role,
                    "is_unit_head": changes["is_unit_head"][0] == "是"
                    if "is_unit_head" in changes
                    else user.is_unit_head,
                }
                after = {"role": user.role, "is_unit_head": user.is_unit_head}
                audit_record(
                    action=Action.ROLE_CHANGED, actor=self.actor, target=user, detail={"from": before, "to": after}
                )
            if "unit_id" in changes:
                detail = {"unit": user.unit_id, "previous_unit": changes["unit_id"][0], "via": "import"}
                audit_record(action=Action.SCOPE_CHANGED, actor=self.actor, target=user, detail=detail)

    def existing(self, keys: list[str]) -> dict:
        return {
            user.username: user for user in User.objects.filter(username__in=keys).exclude(username=SYSTEM_USERNAME)
        }
