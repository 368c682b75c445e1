"""辖区单位: the organisations (companies, schools, shops) officers visit as they visit households."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, Organisation
from jingshi_jiafang.core.validators import validate_phone

from .base import KIND, Column, FileState, ImportKind, Row, validated

CODE = Column(
    "code", "单位编码", "单位的编码,一般为统一社会信用代码;再次导入时按编码找到该单位并更新。", "91321322MA1XYZ0001"
)
NAME = Column("name", "单位名称", "单位全称。", "沭阳县王庄小学")
VILLAGE = Column("village_code", "村/居区划代码", "单位所在村(居)的区划代码,须已在“区域”中导入。", "321322101201")
ADDRESS = Column("address", "地址", "单位地址。", "王庄村中心路8号")
CONTACT = Column("contact_name", "联系人", "单位的联系人;可空。", "李校长", required=False)
PHONE = Column("phone", "联系电话", "手机号11位,或固定电话如 0527-83512345;可空。", "0527-83512345", required=False)


class OrganisationKind(ImportKind):
    kind = KIND.ORGANISATIONS
    title = "辖区单位"
    model = Organisation
    columns = (CODE, NAME, VILLAGE, ADDRESS, CONTACT, PHONE)
    key_column = CODE.key
    may = staticmethod(can.may_import_reference_data)
    note = "先导入“区域”,单位按村/居区划代码归入村(居)。"

    def clean(self, row: Row) -> None:
        row.values[CODE.key] = row.values.get(CODE.key, "").upper()
        validated(row, PHONE, validate_phone)
        for column, limit in ((CODE, 32), (NAME, 64), (ADDRESS, 128), (CONTACT, 32)):
            if len(row.values.get(column.key, "")) > limit:
                row.error(column, f"{column.header}不能超过{limit}个字。")

    def prepare(self, rows: list[Row], state: FileState) -> dict:
        codes = {row.values[VILLAGE.key] for row in rows}
        return {"villages": dict(Area.objects.filter(kind=Area.Kind.VILLAGE, code__in=codes).values_list("code", "pk"))}

    def resolve(self, row: Row, context: dict, state: FileState) -> dict:
        village_id = context["villages"].get(row.values[VILLAGE.key])
        if village_id is None:
            row.error(VILLAGE, f"没有区划代码为“{row.values[VILLAGE.key]}”的村(居),请先导入区域或核对代码。")
        return {
            "code": row.values[CODE.key],
            "name": row.values[NAME.key],
            "village_id": village_id,
            "address": row.values[ADDRESS.key],
            "contact_name": row.values.get(CONTACT.key, ""),
            "phone": row.values.get(PHONE.key, ""),
        }
