"""联系关系: leader ↔ town, cadre ↔ village, officer ↔ household (by 户号) and officer ↔ organisation (by code).

Links are ended, never deleted. A household or organisation that has another responsible officer is handed over
as on the household page: the old link ends on the day the new one starts. A link already open is unchanged."""

from datetime import date

from django.utils import timezone

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, AreaLink, Household, HouseholdLink, Organisation, OrganisationLink, User
from jingshi_jiafang.core.services import link_start_window

from .base import AREAS_SHEET, KIND, Column, FileState, ImportKind, Planned, Row, areas_sheet

TYPE = Column("link_type", "联系类型", "民警联系户、民警联系单位、中层干部联系村(居)或局领导联系镇(乡)。", "民警联系户")
USERNAME = Column("username", "用户名", "联系人的账号,须已导入。", "wanghy")
TARGET = Column(
    "target",
    "联系对象",
    f"联系户填户号,联系单位填单位编码,联系村(居)、镇(乡)填区划代码(见“{AREAS_SHEET}”表)。",
    "321322010001",
)
START = Column("start_date", "开始日期", "如 2026-01-01;空为今天。", "2026-01-01", required=False)

HOUSEHOLD, ORGANISATION, VILLAGE, TOWN = "household", "organisation", "village", "town"
TYPES = {
    "民警联系户": HOUSEHOLD,
    "民警联系单位": ORGANISATION,
    "中层干部联系村(居)": VILLAGE,
    "中层干部联系村": VILLAGE,
    "局领导联系镇(乡)": TOWN,
    "局领导联系镇": TOWN,
}
FIT = {
    HOUSEHOLD: (can.may_be_linked_to_households, "只有民警可以联系户。"),
    ORGANISATION: (can.may_be_linked_to_households, "只有民警可以联系单位。"),
    VILLAGE: (lambda user: can.area_link_kind(user) == Area.Kind.VILLAGE, "只有中层干部联系村(居)。"),
    TOWN: (lambda user: can.area_link_kind(user) == Area.Kind.TOWN, "只有局领导联系镇(乡)。"),
}


class LinkKind(ImportKind):
    kind = KIND.LINKS
    title = "联系关系"
    model = HouseholdLink
    columns = (TYPE, USERNAME, TARGET, START)
    key_column = "_key"
    may = staticmethod(can.may_import_people)
    note = "先导入用户账号,以及住户、单位和区域。民警联系的户或单位已有其他责任民警时,原联系在开始日期当天结束。"

    def clean(self, row: Row) -> None:
        values = row.values
        link_type = TYPES.get(values.get(TYPE.key, "").replace("(", "(").replace(")", ")"))
        if values.get(TYPE.key) and link_type is None:
            row.error(
                TYPE,
                f"联系类型“{values[TYPE.key]}”不是可选值:民警联系户、民警联系单位、中层干部联系村(居)、局领导联系镇(乡)。",
            )
        values["_type"] = link_type or ""
        values["_start"] = timezone.localdate()
        if values.get(START.key):
            try:
                values["_start"] = date.fromisoformat(values[START.key])
            except ValueError:
                row.error(START, "开始日期格式应为 2026-01-01。")
            else:
                last = link_start_window()[1]
                if values["_start"] > last:
                    row.error(START, f"开始日期不能晚于 {last:%Y-%m-%d}。")
        if self.actor is not None and values.get(USERNAME.key) == self.actor.get_username():
            row.error(USERNAME, "不能为自己设置联系。")
        # One responsible officer per household or organisation; an area may have several leaders or cadres.
        target = f"{values['_type']}|{values.get(TARGET.key, '')}"
        values["_key"] = target if link_type in (HOUSEHOLD, ORGANISATION) else f"{target}|{values.get(USERNAME.key)}"

    key_header = f"{USERNAME.header} → {TARGET.header}"

    def reference_sheets(self):
        return [areas_sheet()]

    def row_key(self, row: Row) -> str:
        return " → ".join(value for value in (row.values.get(USERNAME.key), row.values.get(TARGET.key)) if value)

    def plan(self, rows: list[Row], state: FileState) -> list[Planned]:
        for row in rows:
            self.clean_row(row)
            if not row.errors:
                first = state.seen("link", row.values["_key"], row.number)
                if first is not None:
                    row.error(TARGET, f"与第{first}行是同一联系对象。")
        clean = [row for row in rows if not row.errors]
        users = {u.username: u for u in User.objects.filter(username__in={r.values[USERNAME.key] for r in clean})}
        targets = {kind: {r.values[TARGET.key] for r in clean if r.values["_type"] == kind} for kind in FIT}
        households = dict(
            Household.objects.filter(registration_number__in=targets[HOUSEHOLD]).values_list(
                "registration_number", "pk"
            )
        )
        organisations = dict(Organisation.objects.filter(code__in=targets[ORGANISATION]).values_list("code", "pk"))
        areas = {
            (kind, code): pk
            for code, kind, pk in Area.objects.filter(code__in=targets[VILLAGE] | targets[TOWN]).values_list(
                "code", "kind", "pk"
            )
        }
        open_household = {
            link.household_id: link
            for link in HouseholdLink.objects.filter(
                household__in=households.values(), end_date__isnull=True
            ).select_related("officer")
        }
        open_organisation = {
            link.organisation_id: link
            for link in OrganisationLink.objects.filter(
                organisation__in=organisations.values(), end_date__isnull=True
            ).select_related("officer")
        }
        open_area = {
            (username, area_id): pk
            for username, area_id, pk in AreaLink.objects.filter(
                area__in=areas.values(), end_date__isnull=True
            ).values_list("user__username", "area_id", "pk")
        }
        planned = []
        for row in clean:
            values, link_type = row.values, row.values["_type"]
            user = users.get(values[USERNAME.key])
            if user is None:
                row.error(USERNAME, f"用户“{values[USERNAME.key]}”不存在,请先导入用户账号。")
            else:
                fits, message = FIT[link_type]
                if not fits(user):
                    row.error(USERNAME, f"{user}的角色是{user.get_role_display() or '未分配'}:{message}")
            target = values[TARGET.key]
            if link_type == HOUSEHOLD:
                target_id = households.get(target)
                missing = f"没有户号为“{target}”的住户。"
            elif link_type == ORGANISATION:
                target_id = organisations.get(target)
                missing = f"没有编码为“{target}”的单位。"
            else:
                target_id = areas.get((link_type, target))
                missing = f"没有区划代码为“{target}”的{'村(居)' if link_type == VILLAGE else '镇(乡)'}。"
            if target_id is None:
                row.error(TARGET, missing)
            if row.errors:
                continue
            start = values["_start"]
            key = self.row_key(row)
            if link_type in (VILLAGE, TOWN):
                current_pk = open_area.get((user.username, target_id))
                link = (
                    AreaLink(user=user, area_id=target_id, start_date=start)
                    if current_pk is None
                    else AreaLink(pk=current_pk)
                )
                planned.append(Planned(row, key, link))
                continue
            current = (open_household if link_type == HOUSEHOLD else open_organisation).get(target_id)
            if link_type == HOUSEHOLD:
                link = HouseholdLink(officer=user, household_id=target_id, start_date=start)
            else:
                link = OrganisationLink(officer=user, organisation_id=target_id, start_date=start)
            if current is None:
                planned.append(Planned(row, key, link))
            elif current.officer_id == user.pk:
                planned.append(Planned(row, key, current))
            elif current.start_date >= start:
                row.error(
                    START,
                    f"该对象现由{current.officer}联系(自 {current.start_date:%Y-%m-%d} 起),新的开始日期须晚于此日。",
                )
            else:
                changes = {"officer": (current.officer.get_username(), user.get_username())}
                planned.append(Planned(row, key, link, changes, ends=current))
        return planned

    def write(self, planned: list[Planned], state: FileState) -> None:
        ended = []
        for item in planned:
            if item.ends is not None:
                item.ends.end_date = item.instance.start_date
                ended.append(item.ends)
        for model in (HouseholdLink, OrganisationLink):
            # The old link ends before the new one opens: one open link per household is a unique index.
            model.objects.bulk_update([link for link in ended if isinstance(link, model)], ["end_date"])
        for model in (AreaLink, HouseholdLink, OrganisationLink):
            model.objects.bulk_create([p.instance for p in planned if p.is_new and isinstance(p.instance, model)])
