"""单位 (the bureau, its stations and central police rooms) and 区域 (towns, villages): small trees imported in
file order, a parent before its children. A parent may be a row earlier in the same file: the dry run remembers
the codes it has seen, and the write run saves row by row, so the parent exists when its child is saved."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, Unit
from jingshi_jiafang.core.validators import validate_phone, validate_unit_code

from .base import KIND, Column, FileState, ImportKind, Planned, Row, choice, unit_code_problem, units_sheet, validated


class TreeKind(ImportKind):
    ordered = True
    parent_column: Column
    may = staticmethod(can.may_import_reference_data)

    def codes_in_file(self, state: FileState) -> dict[str, str]:
        """code → kind of every good row so far."""
        return state.extra.setdefault("codes", {})

    def known_ids(self, state: FileState) -> dict[str, int]:
        return state.extra.setdefault("ids", {})

    def parent_id(self, row: Row, state: FileState, expected_kind: str, what: str) -> int | None:
        """The parent's id, None while it is only a row earlier in this file; an error when neither."""
        code = row.values.get(self.parent_column.key, "")
        kind = self.codes_in_file(state).get(code) or state.extra.get("db_kinds", {}).get(code)
        if kind is None:
            row.error(self.parent_column, f"没有代码为“{code}”的{what},请核对或先导入。")
        elif kind != expected_kind:
            row.error(self.parent_column, f"代码“{code}”不是{what}。")
        row.values["_parent_code"] = code
        return self.known_ids(state).get(code)

    def save_in_order(self, item: Planned, state: FileState) -> None:
        code = item.row.values.get("_parent_code")
        if code and getattr(item.instance, "parent_id", None) is None and self.parent_required(item):
            item.instance.parent_id = self.known_ids(state)[code]
        item.instance.save()
        self.known_ids(state)[item.key] = item.instance.pk

    def parent_required(self, item: Planned) -> bool:
        return True


UNIT_CODE = Column("code", "单位代码", "2至8位大写字母或数字,以字母开头,如 SY、CD01;回音卡编号使用。", "CD")
UNIT_NAME = Column("name", "单位名称", "单位全称。", "城东派出所")
UNIT_KIND = Column("kind", "类型", "县公安局、派出所、中心警务室或局机关部门。", "派出所")
UNIT_PARENT = Column(
    "parent_code", "上级单位代码", "县公安局不填;派出所、部门填县局代码;中心警务室填派出所代码。", "SY", required=False
)
UNIT_PHONE = Column(
    "phone",
    "值班电话",
    "印在本单位回音卡上,群众可打电话回音;中心警务室填说事厅的24小时值班电话。手机号11位,或固定电话如"
    " 0527-83512345。可空:留空不改动系统中已有的值班电话。",
    "0527-83512345",
    required=False,
)
UNIT_PARENT_KINDS = {
    Unit.Kind.STATION: Unit.Kind.BUREAU,
    Unit.Kind.DEPARTMENT: Unit.Kind.BUREAU,
    Unit.Kind.POLICE_ROOM: Unit.Kind.STATION,
}


class UnitKind(TreeKind):
    kind = KIND.UNITS
    title = "单位(公安机关)"
    model = Unit
    # 值班电话 is optional: a workbook made from the template before it had the column still reads.
    columns = (UNIT_CODE, UNIT_NAME, UNIT_KIND, UNIT_PARENT, UNIT_PHONE)
    key_column = UNIT_CODE.key
    parent_column = UNIT_PARENT
    note = "按层级排列:县公安局在前,派出所其次,中心警务室在后。"

    def clean(self, row: Row) -> None:
        row.values[UNIT_CODE.key] = row.values.get(UNIT_CODE.key, "").upper()
        row.values[UNIT_PARENT.key] = row.values.get(UNIT_PARENT.key, "").upper()
        validated(row, UNIT_CODE, validate_unit_code)
        validated(row, UNIT_PHONE, validate_phone)
        row.values["_kind"] = choice(row, UNIT_KIND, Unit.Kind.choices)
        if len(row.values.get(UNIT_NAME.key, "")) > 64:
            row.error(UNIT_NAME, "单位名称不能超过64个字。")
        is_bureau = row.values["_kind"] == Unit.Kind.BUREAU
        if is_bureau and row.values[UNIT_PARENT.key]:
            row.error(UNIT_PARENT, "县公安局没有上级单位,请留空。")
        if row.values["_kind"] and not is_bureau and not row.values[UNIT_PARENT.key]:
            row.error(UNIT_PARENT, "除县公安局外,每个单位都要填写上级单位代码。")

    def prepare(self, rows: list[Row], state: FileState) -> dict:
        codes = {row.values[UNIT_PARENT.key] for row in rows} - {""}
        for code, pk, kind in Unit.objects.filter(code__in=codes).values_list("code", "pk", "kind"):
            self.known_ids(state)[code] = pk
            state.extra.setdefault("db_kinds", {})[code] = kind
        return {}

    def resolve(self, row: Row, context: dict, state: FileState) -> dict:
        kind = row.values["_kind"]
        parent_id = None
        if kind != Unit.Kind.BUREAU:
            expected = UNIT_PARENT_KINDS[kind]
            parent_id = self.parent_id(row, state, expected, Unit.Kind(expected).label)
        if not row.errors:
            self.codes_in_file(state)[row.values[UNIT_CODE.key]] = kind
        values = {
            "code": row.values[UNIT_CODE.key],
            "name": row.values[UNIT_NAME.key],
            "kind": kind,
            "parent_id": parent_id,
        }
        # A blank cell keeps the phone the unit has: a workbook of codes and names, or one exported before the
        # phones were entered in 基础数据管理, must not wipe the numbers printed on the cards.
        if row.values.get(UNIT_PHONE.key):
            values["phone"] = row.values[UNIT_PHONE.key]
        return values

    def parent_required(self, item: Planned) -> bool:
        return item.instance.kind != Unit.Kind.BUREAU


AREA_CODE = Column("code", "区划代码", "镇(乡)、村(居)的行政区划代码,每个区域唯一。", "321322101201")
AREA_NAME = Column("name", "名称", "区域名称。", "王庄村")
AREA_KIND = Column("kind", "类型", "“镇/乡”或“村/居”。", "村/居")
AREA_TOWN = Column(
    "town_code", "所属镇/乡区划代码", "村(居)填所属镇(乡)的区划代码;镇(乡)不填。", "321322101", required=False
)
AREA_UNIT = Column(
    "unit_code", "责任单位代码", "镇(乡)填负责的派出所代码,村(居)填负责的中心警务室代码,须已导入。", "CD01"
)
AREA_UNIT_KINDS = {Area.Kind.TOWN: Unit.Kind.STATION, Area.Kind.VILLAGE: Unit.Kind.POLICE_ROOM}


class AreaKind(TreeKind):
    kind = KIND.AREAS
    title = "区域(镇/乡、村/居)"
    model = Area
    columns = (AREA_CODE, AREA_NAME, AREA_KIND, AREA_TOWN, AREA_UNIT)
    key_column = AREA_CODE.key
    parent_column = AREA_TOWN
    note = "先导入“单位”;镇(乡)排在它的村(居)之前。"

    def clean(self, row: Row) -> None:
        row.values["_kind"] = choice(row, AREA_KIND, Area.Kind.choices)
        row.values[AREA_UNIT.key] = row.values.get(AREA_UNIT.key, "").upper()
        if len(row.values.get(AREA_CODE.key, "")) > 16:
            row.error(AREA_CODE, "区划代码不能超过16位。")
        if len(row.values.get(AREA_NAME.key, "")) > 64:
            row.error(AREA_NAME, "名称不能超过64个字。")
        town = row.values.get(AREA_TOWN.key, "")
        if row.values["_kind"] == Area.Kind.TOWN and town:
            row.error(AREA_TOWN, "镇(乡)没有所属镇,请留空。")
        if row.values["_kind"] == Area.Kind.VILLAGE and not town:
            row.error(AREA_TOWN, "村(居)须填写所属镇/乡区划代码。")

    def prepare(self, rows: list[Row], state: FileState) -> dict:
        towns = {row.values.get(AREA_TOWN.key, "") for row in rows} - {""}
        for code, pk, kind in Area.objects.filter(code__in=towns).values_list("code", "pk", "kind"):
            self.known_ids(state)[code] = pk
            state.extra.setdefault("db_kinds", {})[code] = kind
        codes = {row.values[AREA_UNIT.key] for row in rows}
        units = {
            code: (pk, kind) for code, pk, kind in Unit.objects.filter(code__in=codes).values_list("code", "pk", "kind")
        }
        names = dict(Unit.objects.filter(name__in=codes - units.keys()).values_list("name", "code"))
        return {"units": units, "codes_by_name": names}

    def reference_sheets(self):
        return [units_sheet()]

    def resolve(self, row: Row, context: dict, state: FileState) -> dict:
        kind = row.values["_kind"]
        parent_id = None
        if kind == Area.Kind.VILLAGE:
            parent_id = self.parent_id(row, state, Area.Kind.TOWN, "镇(乡)")
        unit_code = row.values[AREA_UNIT.key]
        unit_id, unit_kind = context["units"].get(unit_code, (None, None))
        if unit_id is None:
            row.error(AREA_UNIT, unit_code_problem(unit_code, context["codes_by_name"]))
        elif unit_kind != AREA_UNIT_KINDS[kind]:
            row.error(AREA_UNIT, f"{Area.Kind(kind).label}的责任单位应是{Unit.Kind(AREA_UNIT_KINDS[kind]).label}。")
        if not row.errors:
            self.codes_in_file(state)[row.values[AREA_CODE.key]] = kind
        return {
            "code": row.values[AREA_CODE.key],
            "name": row.values[AREA_NAME.key],
            "kind": kind,
            "parent_id": parent_id,
            "unit_id": unit_id,
        }

    def parent_required(self, item: Planned) -> bool:
        return item.instance.kind == Area.Kind.VILLAGE
