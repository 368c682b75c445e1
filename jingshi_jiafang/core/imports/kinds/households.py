"""住户: the household-registration export (户号, 户主, ID number, village, address, phone, members)."""

from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.crypto import keyed_hash
from jingshi_jiafang.core.models import Area, Household
from jingshi_jiafang.core.validators import normalize_id_number, validate_id_number, validate_phone

from .base import KIND, Column, FileState, ImportKind, Planned, Row, validated, yes_no

NUMBER = Column(
    "registration_number", "户号", "户籍系统的户号,每户唯一;再次导入时按户号找到该户并更新。", "321322010001"
)
HEAD = Column("head_name", "户主姓名", "户主的姓名。", "王建国")
ID_NUMBER = Column(
    "head_id_number", "户主身份证号", "18位居民身份证号码,校验位须正确;最后一位可为X。", "321322198001010013"
)
VILLAGE = Column("village_code", "村/居区划代码", "户所在村(居)的区划代码,须已在“区域”中导入。", "321322101201")
ADDRESS = Column("address", "住址", "门牌地址。", "王庄村三组12号")
PHONE = Column("phone", "联系电话", "手机号11位,或固定电话如 0527-83512345;可空。", "13812345678", required=False)
MEMBERS = Column("members_count", "家庭人口", "户内人数,至少1人。", "4")
HARDSHIP = Column("is_hardship", "特困户", "填“是”或“否”;空为否。", "否", required=False)


ID_NUMBER_AS_NUMBER = (
    "该单元格在 Excel 中存成了数字,身份证号的后几位已经丢失(Excel 只保留 15 位有效数字)。"
    "请把“户主身份证号”一列设为“文本”格式,重新输入号码后再导入。"
)


class HouseholdKind(ImportKind):
    kind = KIND.HOUSEHOLDS
    title = "住户"
    model = Household
    columns = (NUMBER, HEAD, ID_NUMBER, VILLAGE, ADDRESS, PHONE, MEMBERS, HARDSHIP)
    key_column = NUMBER.key
    key_field = "registration_number"
    unique_columns = (ID_NUMBER.key,)
    may = staticmethod(can.may_import_reference_data)
    note = "先导入“区域”,住户按村/居区划代码归入村(居)。"

    def clean(self, row: Row) -> None:
        values = row.values
        values[ID_NUMBER.key] = normalize_id_number(values.get(ID_NUMBER.key, ""))
        if ID_NUMBER.key in row.numbers:
            # Excel keeps 15 significant digits of a number: an 18-digit ID number typed into a number cell
            # comes back with its last digits zeroed, and only the checksum would say something is wrong.
            row.error(ID_NUMBER, ID_NUMBER_AS_NUMBER)
        else:
            validated(row, ID_NUMBER, validate_id_number)
        validated(row, PHONE, validate_phone)
        members = values.get(MEMBERS.key, "")
        if members and (not members.isdigit() or not 1 <= int(members) <= 99):
            row.error(MEMBERS, "家庭人口应为1至99的整数。")
        for column, limit in ((NUMBER, 32), (HEAD, 32), (ADDRESS, 128)):
            if len(values.get(column.key, "")) > limit:
                row.error(column, f"{column.header}不能超过{limit}个字。")
        values["hardship"] = yes_no(row, HARDSHIP)

    def prepare(self, rows: list[Row], state: FileState) -> dict:
        villages = state.extra.setdefault("villages", {})
        wanted = {row.values[VILLAGE.key] for row in rows} - villages.keys()
        if wanted:
            found = dict(Area.objects.filter(kind=Area.Kind.VILLAGE, code__in=wanted).values_list("code", "pk"))
            villages.update({code: found.get(code) for code in wanted})
        # An ID number may belong to a household of another 户号 already in the system (the database's unique
        # index would refuse the whole batch): found here in one query by its keyed hash.
        hashes = {keyed_hash(row.values[ID_NUMBER.key]): row.number for row in rows}
        taken = dict(
            Household.objects.filter(head_id_number_hash__in=hashes).values_list(
                "head_id_number_hash", "registration_number"
            )
        )
        return {"villages": villages, "id_owner": taken}

    def resolve(self, row: Row, context: dict, state: FileState) -> dict:
        values = row.values
        village_id = context["villages"].get(values[VILLAGE.key])
        if village_id is None:
            row.error(VILLAGE, f"没有区划代码为“{values[VILLAGE.key]}”的村(居),请先导入区域或核对代码。")
        owner = context["id_owner"].get(keyed_hash(values[ID_NUMBER.key]), values[NUMBER.key])
        if owner != values[NUMBER.key]:
            row.error(ID_NUMBER, f"该身份证号已登记为{'户号 ' + owner if owner else '另一户'}的户主。")
        return {
            "registration_number": values[NUMBER.key],
            "head_name": values[HEAD.key],
            "head_id_number": values[ID_NUMBER.key],
            "village_id": village_id,
            "address": values[ADDRESS.key],
            "phone": values.get(PHONE.key, ""),
            "members_count": int(values[MEMBERS.key]),
            "is_hardship": values["hardship"],
        }

    def extra_update_fields(self, changed: list[Planned]) -> list[str]:
        # bulk_update saves attributes as they are: the search hash and auto_now are kept only by save and insert.
        now = timezone.now()
        for p in changed:
            p.instance.head_id_number_hash = keyed_hash(p.instance.head_id_number)
            p.instance.updated_at = now
        return ["head_id_number_hash", "updated_at"]
