import pytest
from playwright.sync_api import expect

from jingshi_jiafang.core.models import Household, ImportCorrection, User
from tests.browser.conftest import PHONE, enrol_second_factor, log_in, open_menu_item, screenshot
from tests.core.factories import TEST_PASSWORD, UserFactory
from tests.core.imports_data import bad_checksum, household_rows, workbook_bytes


@pytest.mark.django_db(transaction=True)
def test_administrator_imports_a_county_workbook_skipping_two_bad_rows_then_re_imports_it(
    live_server, desktop_page, phone_page, village_a, tmp_path
):
    UserFactory(username="sysadmin", name="赵敏", role=User.Role.ADMIN, is_staff=True, unit=village_a.unit)
    rows = household_rows(8, village_a.code)
    rows[2]["head_id_number"] = bad_checksum(rows[2]["head_id_number"])
    rows[5]["village_code"] = "321322999999"
    workbook = tmp_path / "王庄村户籍.xlsx"
    workbook.write_bytes(workbook_bytes("households", rows))
    page = desktop_page
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "sysadmin", TEST_PASSWORD)
    enrol_second_factor(page)
    open_menu_item(page, "数据导入")
    expect(page.get_by_text("还没有导入")).to_be_visible()
    expect(page.get_by_role("link", name="下载住户模板")).to_be_visible()
    screenshot(page, "import-start")

    page.get_by_label("导入内容").select_option(label="住户")
    page.get_by_label("Excel 文件(.xlsx)").set_input_files(str(workbook))
    page.get_by_role("button", name="上传并检查").click()
    problems = page.get_by_test_id("import-problems")
    expect(problems.get_by_role("row")).to_have_count(3)
    expect(problems.get_by_text("第 4 行")).to_be_visible()
    expect(problems.get_by_text("身份证号码校验位不正确")).to_be_visible()
    expect(problems.get_by_text("第 7 行")).to_be_visible()
    expect(problems.get_by_text("没有区划代码为“321322999999”的村(居)")).to_be_visible()
    assert not Household.objects.exists()
    screenshot(page, "import-report", full_page=True)

    page.get_by_label("跳过这 2 行有错误的行,只导入其余 6 行").check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("已写入 6 行(新增 6,更新 0),未变 0 行,跳过 2 行")
    assert Household.objects.count() == 6
    screenshot(page, "import-done", full_page=True)

    open_menu_item(page, "数据导入")
    page.get_by_label("导入内容").select_option(label="住户")
    page.get_by_label("Excel 文件(.xlsx)").set_input_files(str(workbook))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("同一文件已于")).to_be_visible()
    page.get_by_label("跳过这 2 行有错误的行,只导入其余 6 行").check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("已写入 0 行(新增 0,更新 0),未变 6 行,跳过 2 行")
    assert Household.objects.count() == 6
    assert not ImportCorrection.objects.exists()
    page.set_viewport_size(PHONE)
    screenshot(page, "import-reimport-phone", full_page=True)

    # A family moved within the village: the check page names the household and shows its address before and after.
    rows[0]["address"] = "东湖村三组18号"
    workbook.write_bytes(workbook_bytes("households", rows))
    open_menu_item(page, "数据导入")
    page.get_by_label("导入内容").select_option(label="住户")
    page.get_by_label("Excel 文件(.xlsx)").set_input_files(str(workbook))
    page.get_by_role("button", name="上传并检查").click()
    changes = page.get_by_test_id("import-changes")
    expect(changes.get_by_role("row")).to_have_count(2)
    expect(changes).to_contain_text(rows[0]["registration_number"])
    expect(changes.get_by_role("cell", name="1号 → 东湖村三组18号")).to_be_visible()
    expect(page.get_by_test_id("import-problems").get_by_text(rows[2]["registration_number"])).to_be_visible()
    screenshot(page, "import-changes-phone", full_page=True)
    page.get_by_label("跳过这 2 行有错误的行,只导入其余 6 行").check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("已写入 1 行(新增 0,更新 1)")
    expect(page.get_by_test_id("import-changes").get_by_role("cell", name="1号 → 东湖村三组18号")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors

    # The police room's head reads the correction on the household's timeline, by whom and in which import.
    UserFactory(username="head", name="钱军", role=User.Role.OFFICER, unit=village_a.unit, is_unit_head=True)
    household = Household.objects.get(registration_number=rows[0]["registration_number"])
    run = ImportCorrection.objects.get(object_id=str(household.pk)).run
    log_in(phone_page, live_server, "head", TEST_PASSWORD)
    phone_page.goto(f"{live_server.url}{household.get_absolute_url()}")
    timeline = phone_page.get_by_test_id("timeline")
    expect(timeline.get_by_text(f"导入更正:导入 #{run.pk}(赵敏)")).to_be_visible()
    expect(timeline.get_by_text("住址 1号 → 东湖村三组18号")).to_be_visible()
    screenshot(phone_page, "import-household-timeline-phone", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_progress_page_follows_a_large_check_and_shows_the_report_when_it_ends(live_server, phone_page):
    from jingshi_jiafang.core.models import ImportRun

    admin = UserFactory(username="sysadmin", name="赵敏", role=User.Role.ADMIN, is_staff=True)
    run = ImportRun.objects.create(
        kind="households", uploaded_by=admin, file="imports/x.xlsx", filename="全县户籍.xlsx", sha256="0" * 64
    )
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.CHECKING, rows_read=12000)
    page = phone_page
    log_in(page, live_server, "sysadmin", TEST_PASSWORD)
    enrol_second_factor(page)
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    expect(page.get_by_test_id("import-progress")).to_contain_text("已读 12000 行")
    ImportRun.objects.filter(pk=run.pk).update(rows_read=24000, error_rows=3)
    expect(page.get_by_test_id("import-progress")).to_contain_text("已读 24000 行,其中 3 行有错误")
    screenshot(page, "import-progress-phone", full_page=True)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.CHECKED, rows_read=30000, rows_total=30000, rows_new=29997, error_rows=3
    )
    expect(page.get_by_label("跳过这 3 行有错误的行,只导入其余 29997 行")).to_be_visible()
