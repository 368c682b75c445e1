"""The 数据导入 pages: who may, the upload → report → confirm flow through the pages, the downloads."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jingshi_jiafang.core.models import Household, ImportRun, User
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import PoliceRoomFactory, UserFactory
from tests.core.imports_data import bad_checksum, household_rows, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(client):
    return log_in_as(client, UserFactory(username="sysadmin", role=User.Role.ADMIN, is_staff=True))


def _download(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


@pytest.mark.parametrize("role", ["officer", "leader", "cadre", "auditor", "legal"])
def test_only_the_administrators_reach_the_import_page(client, role):
    log_in_as(client, UserFactory(role=role))
    assert client.get(reverse("core:import_list")).status_code == 403


def test_each_administrator_is_offered_their_own_kinds(client):
    log_in_as(client, UserFactory(role=User.Role.ADMIN, is_staff=True))
    page = client.get(reverse("core:import_list")).content.decode()
    assert "下载住户模板" in page and "数据导入" in page
    assert "下载用户账号模板" not in page
    assert "您的导入顺序:单位(公安机关) → 区域(镇/乡、村/居) → 住户 → 辖区单位。" in page
    assert "用户账号和联系关系由安全管理员导入" in page and "→ 用户账号" not in page
    client.logout()
    log_in_as(client, UserFactory(role=User.Role.SECURITY_ADMIN))
    page = client.get(reverse("core:import_list")).content.decode()
    assert "下载用户账号模板" in page and "下载联系关系模板" in page
    assert "下载住户模板" not in page
    assert "您的导入顺序:用户账号 → 联系关系。单位、区域、住户和辖区单位由系统管理员导入" in page


def test_a_security_administrator_may_not_import_households(client, village_a):
    log_in_as(client, UserFactory(role=User.Role.SECURITY_ADMIN))
    response = client.post(
        reverse("core:import_list"), {"kind": "households", "file": upload("households", household_rows(1, "x"))}
    )
    assert response.status_code == 400
    assert not ImportRun.objects.exists()
    assert client.get(reverse("core:import_template", args=["households"])).status_code == 404


def test_a_system_administrator_may_not_import_users(client, sysadmin):
    response = client.post(reverse("core:import_list"), {"kind": "users", "file": upload("users", [])})
    assert response.status_code == 400
    assert client.get(reverse("core:import_template", args=["users"])).status_code == 404


def test_the_template_has_the_header_an_example_and_the_columns_explained(client, sysadmin):
    workbook = _download(client.get(reverse("core:import_template", args=["households"])))
    data = list(workbook["数据"].iter_rows(values_only=True))
    assert data[0][:3] == ("户号", "户主姓名", "户主身份证号")
    assert len(data) == 2
    guide = list(workbook["说明"].iter_rows(values_only=True))
    assert guide[0] == ("列", "必填", "说明", "示例")
    assert guide[3][0] == "户主身份证号" and "校验位" in guide[3][2]


def test_the_units_template_has_the_duty_phone_column_optional_and_explained(client, sysadmin):
    workbook = _download(client.get(reverse("core:import_template", args=["units"])))
    data = list(workbook["数据"].iter_rows(values_only=True))
    assert data[0] == ("单位代码", "单位名称", "类型", "上级单位代码", "值班电话")
    guide = {row[0]: row[1:] for row in workbook["说明"].iter_rows(values_only=True) if row}
    required, help_text, example = guide["值班电话"]
    assert required == "否" and "回音卡" in help_text and "留空不改动" in help_text and example == "0527-83512345"


def test_the_template_columns_are_text_so_excel_keeps_every_digit(client, sysadmin):
    response = client.get(reverse("core:import_template", args=["households"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["数据"]
    formats = {letter: sheet.column_dimensions[letter].number_format for letter in "ABCDEFGH"}
    assert set(formats.values()) == {"@"}, formats


def test_upload_report_confirm_through_the_pages(client, sysadmin, village_a, django_capture_on_commit_callbacks):
    rows = household_rows(4, village_a.code)
    rows[1]["head_id_number"] = bad_checksum(rows[1]["head_id_number"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:import_list"), {"kind": "households", "file": upload("households", rows)})
    run = ImportRun.objects.get()
    assert response.url == run.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "第 3 行" in page and "身份证号码校验位不正确" in page
    assert '<td class="text-nowrap">第 3 行</td><td class="text-nowrap">3213220000002</td>' in page
    assert "跳过这 1 行有错误的行,只导入其余 3 行" in page
    response = client.post(reverse("core:import_confirm", args=[run.pk]), follow=True)
    assert "有 1 行有错误" in response.content.decode()
    assert not Household.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_confirm", args=[run.pk]), {"skip_errors": "on"})
    page = client.get(run.get_absolute_url()).content.decode()
    assert "已写入 3 行(新增 3,更新 0),未变 0 行,跳过 1 行" in page
    assert Household.objects.count() == 3
    problems = list(_download(client.get(reverse("core:import_problems_download", args=[run.pk]))).active.values)
    assert problems[1][:3] == (3, "3213220000002", "户主身份证号")
    assert client.get(reverse("core:import_progress", args=[run.pk])).json()["status"] == "done"


def test_a_file_that_is_not_a_workbook_is_refused_on_the_page(client, sysadmin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("core:import_list"), {"kind": "households", "file": SimpleUploadedFile("户.csv", b"a,b")}
    )
    assert response.status_code == 400
    assert "只能导入 Excel 工作簿" in response.content.decode()


def test_the_report_is_paged_in_a_fixed_number_of_queries(
    client, sysadmin, village_a, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    rows = household_rows(120, village_a.code)
    for row in rows:
        row["phone"] = "bad"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_list"), {"kind": "households", "file": upload("households", rows)})
    run = ImportRun.objects.get()
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        page = client.get(run.get_absolute_url(), {"page": 2}).content.decode()
    assert "第 2 / 5 页" in page
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        client.get(reverse("core:import_list"))


def test_the_menu_offers_import_to_the_administrators_only(client, sysadmin):
    assert "数据导入" in client.get(reverse("core:import_list")).content.decode()
    client.logout()
    log_in_as(client, UserFactory(role=User.Role.OFFICER))
    assert reverse("core:import_list") not in client.get(reverse("home")).content.decode()


def test_the_household_page_shows_the_imported_registration_number(client, alice, alice_household):
    alice_household.registration_number = "321322010001"
    alice_household.save()
    log_in_as(client, alice)
    assert "321322010001" in client.get(alice_household.get_absolute_url()).content.decode()


def test_an_empty_workbook_says_there_is_nothing_to_import(client, sysadmin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:import_list"), {"kind": "households", "file": upload("households", [])})
    page = client.get(response.url).content.decode()
    assert "文件中没有数据行" in page and "确认导入" not in page


@pytest.fixture
def re_imported(client, sysadmin, village_a, django_capture_on_commit_callbacks):
    """60 households imported, then a workbook where each has a new address and phone uploaded and checked."""
    rows = household_rows(60, village_a.code)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_list"), {"kind": "households", "file": upload("households", rows)})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_confirm", args=[ImportRun.objects.get().pk]))
    for n, row in enumerate(rows):
        row.update(address=f"新住址{n}号", phone="13700001111")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:import_list"), {"kind": "households", "file": upload("households", rows)})
    return ImportRun.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def test_the_check_page_shows_which_record_would_change_from_what_to_what(
    client, re_imported, django_assert_max_num_queries
):
    # The page's queries do not grow with the changes: two more than a list page, for the second list.
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 2):
        page = client.get(re_imported.get_absolute_url()).content.decode()
    assert "将更新" in page and 'data-testid="import-changes"' in page
    assert "3213220000001" in page and "1号 → 新住址0号" in page
    assert "139****0001 → 137****1111" in page
    assert "13700001111" not in page
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 2):
        second = client.get(re_imported.get_absolute_url(), {"changes_page": 5}).content.decode()
    assert "第 5 / 5 页" in second and "新住址59号" in second and "新住址0号" not in second
    report = _download(client.get(reverse("core:import_problems_download", args=[re_imported.pk])))
    changes = list(report["将更新"].values)
    assert changes[0] == ("行号", "户号", "字段", "原值", "新值")
    assert changes[1] == (2, "3213220000001", "住址", "1号", "新住址0号")
    assert changes[2] == (2, "3213220000001", "联系电话", "139****0001", "137****1111")
    assert len(changes) == 121


def test_the_finished_import_lists_what_it_changed(client, re_imported, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_confirm", args=[re_imported.pk]))
    page = client.get(re_imported.get_absolute_url()).content.decode()
    assert "已更新的值" in page and "1号 → 新住址0号" in page and "137****1111" in page
    assert "13700001111" not in page
    report = _download(client.get(reverse("core:import_problems_download", args=[re_imported.pk])))
    assert list(report["已更新"].values)[1] == (2, "3213220000001", "住址", "1号", "新住址0号")


def test_the_household_timeline_shows_what_an_import_corrected_to_those_who_see_the_household(
    client, sysadmin, re_imported, village_a, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_confirm", args=[re_imported.pk]))
    household = Household.objects.get(registration_number="3213220000001")
    officer = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, is_unit_head=True)
    client.logout()
    log_in_as(client, officer)
    with django_assert_max_num_queries(40):
        page = client.get(household.get_absolute_url()).content.decode()
    assert f"导入更正:导入 #{re_imported.pk}({sysadmin})" in page
    assert "住址 1号 → 新住址0号" in page and "联系电话 139****0001 → 137****1111" in page
    assert "13700001111" not in page
    client.logout()
    log_in_as(client, UserFactory(role=User.Role.OFFICER))
    assert client.get(household.get_absolute_url()).status_code == 404


def test_a_finished_users_import_says_the_new_accounts_have_no_password_yet(
    client, station_a, django_capture_on_commit_callbacks
):
    log_in_as(client, UserFactory(role=User.Role.SECURITY_ADMIN, unit=station_a.parent))
    rows = [{"username": "wanghy", "name": "王海燕", "role": "民警", "unit_code": station_a.code}]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:import_list"), {"kind": "users", "file": upload("users", rows)})
    run = ImportRun.objects.get()
    assert "还没有可用的密码" not in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_confirm", args=[run.pk]))
    page = client.get(response.url).content.decode()
    assert "新建的 1 个账号还没有可用的密码" in page and "请系统管理员在“基础数据管理”为每个账号设置初始密码" in page


def test_the_users_and_links_templates_list_the_codes_the_system_has(
    client, station_a, village_a, django_assert_max_num_queries
):
    log_in_as(client, UserFactory(role=User.Role.SECURITY_ADMIN, unit=station_a.parent))
    for n in range(30):
        PoliceRoomFactory(parent=station_a, code=f"PR{n:02d}", name=f"第{n}中心警务室")
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        workbook = _download(client.get(reverse("core:import_template", args=["users"])))
    units = list(workbook["单位代码"].values)
    assert units[0] == ("单位代码", "单位名称", "类型", "上级单位代码")
    assert ("CD", "城东派出所", "派出所", station_a.parent.code) in units
    assert ("PR07", "第7中心警务室", "中心警务室", "CD") in units
    assert any("单位代码" in (row[2] or "") for row in workbook["说明"].values)
    workbook = _download(client.get(reverse("core:import_template", args=["links"])))
    areas = list(workbook["区划代码"].values)
    assert (village_a.code, "东湖村", "村/居", village_a.parent.name) in areas
    assert (village_a.parent.code, village_a.parent.name, "镇/乡", None) in areas


def test_an_upload_while_the_broker_is_down_is_kept_and_queued_again_by_the_reconciler(
    client, sysadmin, village_a, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerError

    from evaluation.services.reconcile import jobs_reconcile
    from jingshi_jiafang.core import tasks

    def broker_down(*args):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_check_task, "delay", broker_down)
    rows = household_rows(2, village_a.code)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:import_list"), {"kind": "households", "file": upload("households", rows)})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == ImportRun.Status.QUEUED
    monkeypatch.undo()
    ImportRun.objects.filter(pk=run.pk).update(created_at=run.created_at - timedelta(hours=1))
    assert jobs_reconcile().imports == [run.pk]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED and run.good_rows == 2
