"""Moving a county in: each kind's dry run, its problems, confirming, re-importing, corrections kept as history."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.crypto import keyed_hash
from jingshi_jiafang.core.imports.changes import change_lines
from jingshi_jiafang.core.imports.services import (
    ImportRefused,
    import_cancel,
    import_confirm,
    import_upload,
    import_write_run,
)
from jingshi_jiafang.core.models import (
    Area,
    AreaLink,
    AuditEntry,
    Household,
    HouseholdLink,
    ImportChange,
    ImportCorrection,
    ImportRun,
    Organisation,
    OrganisationLink,
    Unit,
    User,
)
from jingshi_jiafang.core.tasks import import_check_task, import_write_task
from tests.core.factories import (
    HouseholdFactory,
    HouseholdLinkFactory,
    OrganisationFactory,
    UserFactory,
    valid_id_number,
)
from tests.core.imports_data import bad_checksum, household_row, household_rows, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(station_a):
    return UserFactory(username="sysadmin", role=User.Role.ADMIN, is_staff=True, unit=station_a.parent)


@pytest.fixture
def secadmin(station_a):
    return UserFactory(username="secadmin", role=User.Role.SECURITY_ADMIN, unit=station_a.parent)


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """Upload `rows` of `kind` as `actor` (the dry run runs), then confirm unless told not to."""

    def run(kind, rows, actor, *, confirm=True, skip_errors=False, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run = import_upload(kind=kind, upload=upload(kind, rows, **kwargs), actor=actor)
        run.refresh_from_db()
        if confirm:
            with django_capture_on_commit_callbacks(execute=True):
                import_confirm(run=run, actor=actor, skip_errors=skip_errors)
            run.refresh_from_db()
        return run

    return run


def problems(run):
    return list(run.problems.values_list("row_number", "column", "message"))


# Households.


def test_dry_run_writes_nothing_and_counts_what_it_would(sysadmin, village_a, run_import):
    run = run_import("households", household_rows(3, village_a.code), sysadmin, confirm=False)
    assert run.status == ImportRun.Status.CHECKED
    assert (run.rows_total, run.rows_new, run.error_rows) == (3, 3, 0)
    assert not Household.objects.exists()


def test_household_rows_are_written_with_the_id_number_encrypted(sysadmin, village_a, run_import):
    rows = household_rows(2, village_a.code)
    run = run_import("households", rows, sysadmin)
    assert (run.status, run.rows_written, run.rows_new) == (ImportRun.Status.DONE, 2, 2)
    household = Household.objects.get(registration_number=rows[0]["registration_number"])
    assert household.head_id_number == rows[0]["head_id_number"]
    assert household.head_id_number_hash == keyed_hash(rows[0]["head_id_number"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_id_number FROM core_household WHERE id = %s", [household.pk])
        assert rows[0]["head_id_number"] not in cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        (lambda r: {"head_id_number": bad_checksum(r["head_id_number"])}, "户主身份证号", "校验位不正确"),
        (lambda r: {"head_id_number": "32132219800230001X"}, "户主身份证号", "出生日期无效"),
        # As Excel keeps an 18-digit number typed into a number cell: 15 significant digits.
        (lambda r: {"head_id_number": 321322198001010000}, "户主身份证号", "存成了数字"),
        (lambda r: {"village_code": "999999"}, "村/居区划代码", "没有区划代码为“999999”的村(居)"),
        (lambda r: {"phone": "12345"}, "联系电话", "电话号码格式不正确"),
        (lambda r: {"members_count": "0"}, "家庭人口", "家庭人口应为1至99的整数"),
        (lambda r: {"head_name": ""}, "户主姓名", "户主姓名不能为空"),
        (lambda r: {"is_hardship": "也许"}, "特困户", "请填写“是”或“否”"),
    ],
)
def test_each_bad_cell_is_reported_on_its_row(sysadmin, village_a, run_import, change, column, message):
    rows = household_rows(3, village_a.code)
    rows[1].update(change(rows[1]))
    run = run_import("households", rows, sysadmin, confirm=False)
    [(row_number, found_column, found_message)] = problems(run)
    assert (row_number, found_column) == (3, column)
    assert message in found_message
    assert (run.error_rows, run.good_rows) == (1, 2)


def test_duplicates_within_the_file_name_the_first_row(sysadmin, village_a, run_import):
    rows = household_rows(3, village_a.code)
    rows.append(household_row(1, village_a.code, head_id_number=valid_id_number(900)))  # 户号 of row 2 again
    rows.append(household_row(9, village_a.code, head_id_number=rows[1]["head_id_number"]))  # ID of row 3
    run = run_import("households", rows, sysadmin, confirm=False)
    assert problems(run) == [(5, "户号", "户号与第2行重复。"), (6, "户主身份证号", "户主身份证号与第3行重复。")]


def test_an_id_number_of_another_household_in_the_system_is_refused(sysadmin, village_a, run_import):
    other = HouseholdFactory(village=village_a, registration_number="OTHER1")
    run = run_import(
        "households", [household_row(1, village_a.code, head_id_number=other.head_id_number)], sysadmin, confirm=False
    )
    assert problems(run) == [(2, "户主身份证号", "该身份证号已登记为户号 OTHER1的户主。")]


def test_a_missing_column_fails_the_whole_file(sysadmin, village_a, run_import):
    run = run_import("households", [{"registration_number": "1"}], sysadmin, confirm=False, headers=["户号", "住址"])
    assert run.status == ImportRun.Status.FAILED
    assert "表头缺少列:户主姓名、户主身份证号" in run.failure


def test_a_file_that_is_no_workbook_is_refused_at_upload(sysadmin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ImportRefused, match="只能导入 Excel 工作簿"):
        import_upload(kind="households", upload=SimpleUploadedFile("a.xlsx", b"a,b\n1,2"), actor=sysadmin)


def test_confirming_with_error_rows_needs_them_skipped_explicitly(sysadmin, village_a, run_import):
    rows = household_rows(4, village_a.code)
    rows[0]["phone"] = "不是电话"
    rows[2]["village_code"] = "nowhere"
    run = run_import("households", rows, sysadmin, confirm=False)
    with pytest.raises(ImportRefused, match="有 2 行有错误"):
        import_confirm(run=run, actor=sysadmin, skip_errors=False)
    assert not Household.objects.exists()
    run = run_import("households", rows, sysadmin, skip_errors=True)
    assert (run.rows_written, run.rows_skipped) == (2, 2)
    assert set(Household.objects.values_list("registration_number", flat=True)) == {
        rows[1]["registration_number"],
        rows[3]["registration_number"],
    }


def test_only_the_uploader_confirms_and_only_once(sysadmin, village_a, run_import):
    run = run_import("households", household_rows(1, village_a.code), sysadmin, confirm=False)
    other_admin = UserFactory(role=User.Role.ADMIN, is_staff=True)
    with pytest.raises(ImportRefused, match="只有上传该文件的本人"):
        import_confirm(run=run, actor=other_admin, skip_errors=False)
    import_cancel(run=run, actor=sysadmin)
    with pytest.raises(ImportRefused, match="不在待确认状态"):
        import_confirm(run=run, actor=sysadmin, skip_errors=False)


def test_re_importing_the_same_workbook_changes_nothing(sysadmin, village_a, run_import):
    rows = household_rows(3, village_a.code)
    run_import("households", rows, sysadmin)
    before = list(Household.objects.order_by("pk").values())
    again = run_import("households", rows, sysadmin)
    assert (again.rows_unchanged, again.rows_written, again.rows_new) == (3, 0, 0)
    assert list(Household.objects.order_by("pk").values()) == before
    assert not ImportCorrection.objects.exists()


def test_a_changed_row_updates_its_household_and_keeps_the_old_values(sysadmin, village_a, run_import):
    rows = household_rows(2, village_a.code)
    run_import("households", rows, sysadmin)
    old_id = rows[0]["head_id_number"]
    rows[0].update(address="新住址8号", head_id_number=valid_id_number(777))
    run = run_import("households", rows, sysadmin)
    assert (run.rows_changed, run.rows_unchanged) == (1, 1)
    household = Household.objects.get(registration_number=rows[0]["registration_number"])
    assert household.address == "新住址8号"
    assert Household.objects.get(head_id_number_hash=keyed_hash(valid_id_number(777))) == household
    corrections = {c.field: (c.old_value, c.new_value) for c in ImportCorrection.objects.filter(run=run)}
    assert corrections == {"address": ("1号", "新住址8号"), "head_id_number": (old_id, valid_id_number(777))}
    with pytest.raises(TypeError):
        ImportCorrection.objects.filter(run=run).delete()


def test_the_dry_run_records_each_value_a_changed_row_would_overwrite(
    sysadmin, village_a, village_b, run_import, django_capture_on_commit_callbacks
):
    rows = household_rows(3, village_a.code)
    run_import("households", rows, sysadmin)
    old_id = rows[1]["head_id_number"]
    rows[1].update(address="新住址8号", head_id_number=valid_id_number(777), village_code=village_b.code)
    run = run_import("households", rows, sysadmin, confirm=False)
    changes = {
        c.field: (c.row_number, c.record_key, c.old_value, c.new_value) for c in ImportChange.objects.filter(run=run)
    }
    key = rows[1]["registration_number"]
    assert changes == {
        "address": (3, key, "2号", "新住址8号"),
        "head_id_number": (3, key, old_id, valid_id_number(777)),
        "village_id": (3, key, str(village_a.pk), str(village_b.pk)),
    }
    assert Household.objects.get(registration_number=key).address == "2号"
    with_lines = {line.label: (line.old, line.new) for line in change_lines(ImportChange.objects.filter(run=run))}
    assert with_lines["住址"] == ("2号", "新住址8号")
    assert with_lines["村/居"] == (str(village_a), str(village_b))
    masked = with_lines["户主身份证号"]
    assert old_id not in masked[0] and "*" in masked[0] and valid_id_number(777) not in masked[1]
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(run=run, actor=sysadmin, skip_errors=False)
    assert not ImportChange.objects.filter(run=run).exists()
    assert {c.field for c in ImportCorrection.objects.filter(run=run)} == set(changes)


def test_each_problem_carries_the_key_of_its_row(sysadmin, village_a, secadmin, run_import):
    rows = household_rows(2, village_a.code)
    rows[1]["phone"] = "bad"
    run = run_import("households", rows, sysadmin, confirm=False)
    assert list(run.problems.values_list("row_number", "record_key")) == [(3, rows[1]["registration_number"])]
    links = [{"link_type": "民警联系户", "username": "ghost", "target": "H1"}]
    run = run_import("links", links, secadmin, confirm=False)
    assert set(run.problems.values_list("record_key", flat=True)) == {"ghost → H1"}


def test_the_import_is_audited_with_the_file_hash_and_counts(sysadmin, village_a, run_import):
    rows = household_rows(3, village_a.code)
    rows[0]["phone"] = "x"
    run = run_import("households", rows, sysadmin, skip_errors=True)
    upload_entry = AuditEntry.objects.get(action=AuditEntry.Action.UPLOAD, object_id=str(run.pk))
    assert upload_entry.detail["sha256"] == run.sha256 and len(run.sha256) == 64
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT)
    assert entry.actor == sysadmin
    counts = {key: entry.detail[key] for key in ("what", "sha256", "read", "written", "skipped")}
    assert counts == {"what": "households", "sha256": run.sha256, "read": 3, "written": 2, "skipped": 1}


def test_the_celery_tasks_run_twice_write_once(sysadmin, village_a, run_import):
    run = run_import("households", household_rows(2, village_a.code), sysadmin, confirm=False)
    assert import_check_task(run.pk) == 2  # already checked: the second run only reports
    assert run.problems.count() == 0
    import_confirm(run=run, actor=sysadmin, skip_errors=False)
    import_write_task(run.pk)
    import_write_task(run.pk)
    run.refresh_from_db()
    assert (run.status, run.rows_written, Household.objects.count()) == (ImportRun.Status.DONE, 2, 2)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).count() == 1
    with pytest.raises(ImportRefused):
        import_write_run(run_id=run.pk, actor=sysadmin)
    assert import_write_run(run_id=run.pk, actor=system_actor()).rows_written == 2


def test_import_queries_grow_with_batches_not_rows(sysadmin, village_a, run_import, settings):
    """Each batch of 1,000 rows costs the same few queries (look-ups, bulk writes, progress), whatever the rows."""

    def queries(count, start):
        with CaptureQueriesContext(connection) as captured:
            run_import("households", household_rows(count, village_a.code, start=start), sysadmin)
        return len(captured)

    two, four = queries(2000, 1), queries(4000, 10_000)
    assert Household.objects.count() == 6000
    per_batch = (four - two) / 2
    assert per_batch <= 30, (two, four)
    assert four <= 2 * two, (two, four)


# Units and areas: parents earlier in the same file.


def test_units_and_areas_import_with_parents_from_the_same_file(sysadmin, run_import):
    units = [
        {"code": "SY", "name": "沭阳县公安局", "kind": "县公安局"},
        {"code": "HJ", "name": "胡集派出所", "kind": "派出所", "parent_code": "SY"},
        {"code": "HJ01", "name": "王庄警务室", "kind": "中心警务室", "parent_code": "HJ"},
        {"code": "HJ02", "name": "无主警务室", "kind": "中心警务室", "parent_code": "NOPE"},
        {"code": "hj03", "name": "错层警务室", "kind": "中心警务室", "parent_code": "SY"},
    ]
    dry = run_import("units", units, sysadmin, confirm=False)
    assert problems(dry) == [
        (5, "上级单位代码", "没有代码为“NOPE”的派出所,请核对或先导入。"),
        (6, "上级单位代码", "代码“SY”不是派出所。"),
    ]
    run = run_import("units", units, sysadmin, skip_errors=True)
    # The bureau SY was there already, as it was.
    assert (run.rows_new, run.rows_unchanged, run.rows_skipped) == (2, 1, 2)
    assert Unit.objects.get(code="HJ01").parent.parent == Unit.objects.get(code="SY")
    areas = [
        {"code": "321322101", "name": "胡集镇", "kind": "镇/乡", "unit_code": "HJ"},
        {"code": "321322101201", "name": "王庄村", "kind": "村/居", "town_code": "321322101", "unit_code": "HJ01"},
        {"code": "321322101202", "name": "李庄村", "kind": "村/居", "town_code": "321322101", "unit_code": "HJ"},
    ]
    run = run_import("areas", areas, sysadmin, skip_errors=True)
    assert problems(run) == [(4, "责任单位代码", "村/居的责任单位应是中心警务室。")]
    village = Area.objects.get(code="321322101201")
    assert (village.parent.name, village.unit.code) == ("胡集镇", "HJ01")
    areas[1]["name"] = "王庄社区"
    again = run_import("areas", areas[:2], sysadmin)
    assert (again.rows_changed, again.rows_unchanged) == (1, 1)
    assert ImportCorrection.objects.get(run=again).new_value == "王庄社区"


def test_units_import_their_duty_phone_and_a_blank_cell_keeps_the_one_they_have(sysadmin, station_a, run_import):
    bureau = station_a.parent
    Unit.objects.filter(pk=station_a.pk).update(phone="0527-83510000")
    rows = [
        {"code": bureau.code, "name": bureau.name, "kind": "县公安局"},
        {"code": station_a.code, "name": station_a.name, "kind": "派出所", "parent_code": bureau.code},
        {"code": "HJ", "name": "胡集派出所", "kind": "派出所", "parent_code": bureau.code, "phone": "0527-83511110"},
        {"code": "HJ01", "name": "王庄警务室", "kind": "中心警务室", "parent_code": "HJ", "phone": "110"},
        {"code": "HJ02", "name": "李庄警务室", "kind": "中心警务室", "parent_code": "HJ", "phone": "13912345678"},
    ]
    run = run_import("units", rows, sysadmin, skip_errors=True)
    assert problems(run) == [(5, "值班电话", "电话号码格式不正确:手机号为11位,固定电话如 0527-83512345。")]
    assert (run.rows_new, run.rows_unchanged, run.rows_skipped) == (2, 2, 1)
    assert Unit.objects.get(code="HJ").phone == "0527-83511110"
    assert Unit.objects.get(code="HJ02").phone == "13912345678"
    assert Unit.objects.get(pk=station_a.pk).phone == "0527-83510000"  # its cell was blank: kept
    rows[1]["phone"] = "0527-83519999"
    again = run_import("units", rows[:3], sysadmin)
    assert (again.rows_changed, again.rows_unchanged) == (1, 2)
    assert Unit.objects.get(pk=station_a.pk).phone == "0527-83519999"
    correction = ImportCorrection.objects.get(run=again)
    assert (correction.field, correction.old_value, correction.new_value) == ("phone", "0527-83510000", "0527-83519999")


def test_organisations_import_by_code(sysadmin, village_a, run_import):
    rows = [
        {"code": "91321322ABC", "name": "王庄小学", "village_code": village_a.code, "address": "中心路8号"},
        {"code": "91321322ABD", "name": "李庄超市", "village_code": "x", "address": "1号", "phone": "12"},
    ]
    run = run_import("organisations", rows, sysadmin, skip_errors=True)
    # The row's own cells are checked first; its village is looked up once they are right.
    assert [(r, c) for r, c, _ in problems(run)] == [(3, "联系电话")]
    assert Organisation.objects.get(code="91321322ABC").village == village_a


# People and links: the security administrator's.


def test_users_are_created_without_a_usable_password_and_updated_by_username(secadmin, station_a, run_import):
    rows = [
        {"username": "wanghy", "name": "王海燕", "role": "民警", "unit_code": station_a.code, "is_unit_head": "否"},
        {"username": "lisi", "name": "李四", "role": "所长", "unit_code": station_a.code},
        {"username": "secadmin", "name": "我", "role": "民警", "unit_code": station_a.code},
        {"username": "zhao", "name": "赵", "role": "民警", "unit_code": "NOPE"},
    ]
    run = run_import("users", rows, secadmin, skip_errors=True)
    assert [(r, c) for r, c, _ in problems(run)] == [(3, "角色"), (4, "用户名"), (5, "所属单位代码")]
    user = User.objects.get(username="wanghy")
    assert (user.role, user.unit, user.has_usable_password(), user.must_change_password) == (
        "officer",
        station_a,
        False,
        True,
    )
    assert AuditEntry.objects.get(action=AuditEntry.Action.USER_CREATED, object_id=str(user.pk)).actor == secadmin
    rows[0]["is_unit_head"] = "是"
    again = run_import("users", rows[:1], secadmin)
    user.refresh_from_db()
    assert user.is_unit_head and again.rows_changed == 1
    assert ImportCorrection.objects.get(run=again).field == "is_unit_head"
    role_change = AuditEntry.objects.get(action=AuditEntry.Action.ROLE_CHANGED, object_id=str(user.pk))
    assert role_change.detail == {
        "from": {"role": "officer", "is_unit_head": False},
        "to": {"role": "officer", "is_unit_head": True},
    }


def test_links_hand_households_over_and_report_who_does_not_exist(secadmin, alice, village_a, run_import):
    household = HouseholdFactory(village=village_a, registration_number="H1")
    other = HouseholdFactory(village=village_a, registration_number="H2")
    old = HouseholdLinkFactory(household=other, officer=UserFactory(role=User.Role.OFFICER, unit=alice.unit))
    organisation = OrganisationFactory(village=village_a, code="ORG1")
    cadre = UserFactory(username="cadre1", role=User.Role.CADRE)
    start = old.start_date + timedelta(days=10)
    rows = [
        {"link_type": "民警联系户", "username": "alice", "target": "H1"},
        {"link_type": "民警联系户", "username": "alice", "target": "H2", "start_date": start.isoformat()},
        {"link_type": "民警联系单位", "username": "alice", "target": "ORG1"},
        {"link_type": "中层干部联系村(居)", "username": "cadre1", "target": village_a.code},
        {"link_type": "民警联系户", "username": "ghost", "target": "H1"},
        {"link_type": "民警联系户", "username": "cadre1", "target": "H9"},
    ]
    run = run_import("links", rows, secadmin, skip_errors=True)
    assert problems(run) == [
        (6, "联系对象", "与第2行是同一联系对象。"),
        (7, "用户名", "中层干部1的角色是中层干部:只有民警可以联系户。".replace("中层干部1", str(cadre))),
        (7, "联系对象", "没有户号为“H9”的住户。"),
    ]
    assert (run.rows_new, run.rows_changed) == (3, 1)
    assert HouseholdLink.objects.get(household=household, end_date__isnull=True).officer == alice
    old.refresh_from_db()
    assert old.end_date == start
    assert HouseholdLink.objects.get(household=other, end_date__isnull=True).officer == alice
    assert OrganisationLink.objects.get(organisation=organisation).officer == alice
    assert AreaLink.objects.get(user=cadre).area == village_a
    again = run_import("links", rows[:4], secadmin)
    assert (again.rows_unchanged, again.rows_written) == (4, 0)


def test_a_unit_name_where_its_code_goes_is_named_as_such_with_the_code(secadmin, station_a, village_a, run_import):
    room = village_a.unit
    rows = [
        {"username": "u1", "name": "甲", "role": "民警", "unit_code": room.name},
        {"username": "u2", "name": "乙", "role": "民警", "unit_code": "沭城第1中心警务室"},
        {"username": "u3", "name": "丙", "role": "民警", "unit_code": "ZZ99"},
    ]
    run = run_import("users", rows, secadmin, confirm=False)
    assert problems(run) == [
        (2, "所属单位代码", f"“{room.name}”是单位名称,不是单位代码:该单位的代码是 {room.code},请填写代码。"),
        (3, "所属单位代码", "“沭城第1中心警务室”像是单位名称:请填写单位代码(见模板中的“单位代码”表)。"),
        (4, "所属单位代码", "没有代码为“ZZ99”的单位,请先导入单位。"),
    ]


def test_an_officer_who_does_not_exist_is_named(secadmin, village_a, run_import):
    HouseholdFactory(village=village_a, registration_number="H1")
    run = run_import(
        "links", [{"link_type": "民警联系户", "username": "nobody", "target": "H1"}], secadmin, confirm=False
    )
    assert problems(run) == [(2, "用户名", "用户“nobody”不存在,请先导入用户账号。")]
    assert not run.may_confirm


def test_each_administrator_imports_only_their_kinds(sysadmin, secadmin, village_a):
    with pytest.raises(ImportRefused, match="无权导入住户"):
        import_upload(kind="households", upload=upload("households", []), actor=secadmin)
    with pytest.raises(ImportRefused, match="无权导入用户账号"):
        import_upload(kind="users", upload=upload("users", []), actor=sysadmin)


def test_the_auditor_reads_the_import_entry_in_words(sysadmin, village_a, run_import):
    from jingshi_jiafang.core.audit_display import audit_rows

    run = run_import("households", household_rows(2, village_a.code), sysadmin)
    [row] = audit_rows(AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT))
    assert row.target == f"住户导入 #{run.pk}"
    assert "内容:住户导入" in row.detail and "写入行数:2" in row.detail and run.sha256 in row.detail


def test_ended_imports_lose_their_workbook_after_the_retention_period_once(sysadmin, village_a, run_import, settings):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    done = run_import("households", household_rows(1, village_a.code), sysadmin)
    waiting = run_import("households", household_rows(1, village_a.code, start=5), sysadmin, confirm=False)
    path = done.file.path
    later = timezone.localdate() + timedelta(days=settings.IMPORT_RETENTION_DAYS + 1)
    out = StringIO()
    call_command("expire_imports", "--date", later.isoformat(), stdout=out)
    assert "1 ended imports" in out.getvalue()
    call_command("expire_imports", "--date", later.isoformat(), stdout=out)
    assert "0 ended imports" in out.getvalue()
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert (done.file.name, bool(waiting.file.name), done.sha256 != "") == ("", True, True)
    assert not Path(path).exists()


def test_the_expiry_is_a_nightly_job_that_runs_twice_harmlessly(settings):
    from jingshi_jiafang.core.tasks import expire_import_files_task

    jobs = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "jingshi_jiafang.core.tasks.expire_import_files_task" in jobs
    assert expire_import_files_task.delay().get() == 0
    assert expire_import_files_task.delay().get() == 0


def test_changes_read_in_words_whatever_the_kind(station_a, station_b):
    def change(object_type, field, old, new):
        return ImportChange(object_type=object_type, field=field, old_value=old, new_value=new, row_number=2)

    lines = change_lines(
        [
            change("core.User", "role", "officer", "cadre"),
            change("core.User", "unit_id", str(station_a.pk), str(station_b.pk)),
            change("core.User", "phone", "13912345678", ""),
            change("core.HouseholdLink", "officer", "alice", "bob"),
        ]
    )
    assert [str(line) for line in lines] == [
        "角色 民警 → 中层干部",
        f"所属单位 {station_a} → {station_b}",
        "联系电话 139****5678 → (空)",
        "责任民警 alice → bob",
    ]
