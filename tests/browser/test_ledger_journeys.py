"""Issue #11's ledger journeys on a phone: an officer records a promise from the household page and takes it
through 登记 and 兑现 with a photo; the station head, a second person, closes it; the paper ledger prints."""

import struct
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jingshi_jiafang.core.models import User
from ledger.models import LedgerEvidence, LedgerItem
from tests.browser.conftest import log_in, log_out_on_phone, screenshot
from tests.core.factories import TEST_PASSWORD, HouseholdFactory, HouseholdLinkFactory, UserFactory


def real_png(width: int = 48, height: int = 32) -> bytes:
    """A small real picture (a blue square), so the thumbnail on the page shows as an image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x0b\x3d\x91" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def step_form(page, action: str):
    return page.locator("form", has=page.get_by_test_id(f"action-{action}"))


@pytest.mark.django_db(transaction=True)
def test_a_promise_goes_known_registered_delivered_closed_with_a_photo_by_two_people(
    live_server, phone_page, village_a, station_a
):
    officer = UserFactory(username="haiyan", name="王海燕", role=User.Role.OFFICER, unit=village_a.unit)
    UserFactory(username="hanli", name="韩立", role=User.Role.OFFICER, unit=station_a, is_unit_head=True)
    household = HouseholdFactory(village=village_a, head_name="李春梅", address="东湖村2组15号")
    HouseholdLinkFactory(officer=officer, household=household)
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, live_server, "haiyan", TEST_PASSWORD)
    page.goto(f"{live_server.url}{household.get_absolute_url()}")
    expect(page.get_by_text("该户没有未销号的台账事项")).to_be_visible()
    page.get_by_test_id("open-ledger-item").click()
    page.get_by_label("事项").fill("帮助申请危房改造补助,联系镇民政办上门评估")
    screenshot(page, "ledger-open-item", full_page=True)
    page.get_by_role("button", name="记入台账").click()
    expect(page.get_by_test_id("item-state")).to_have_text("掌握")

    step_form(page, "register").get_by_label("说明").fill("已报镇民政办")
    page.get_by_test_id("action-register").click()
    expect(page.get_by_test_id("item-state")).to_have_text("登记")

    # 兑现 without saying what was done: refused at the top of the page and beside the deliver form.
    expect(page.get_by_test_id("action-heading-deliver")).to_contain_text("写明做了什么,可附照片")
    expect(page.get_by_test_id("action-heading-evidence")).to_contain_text("只补充照片或文件,不改变状态")
    page.get_by_test_id("action-deliver").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("“兑现”没有完成")
    expect(step_form(page, "deliver").get_by_text("请写明兑现情况。")).to_be_visible()
    expect(page.get_by_test_id("item-state")).to_have_text("登记")
    screenshot(page, "ledger-deliver-refused", full_page=True)

    deliver = step_form(page, "deliver")
    deliver.get_by_label("说明").fill("镇民政办已上门评估,补助申请已受理")
    deliver.get_by_label("照片或文件").set_input_files(
        files=[{"name": "受理回执.png", "mimeType": "image/png", "buffer": real_png()}]
    )
    page.get_by_test_id("action-deliver").click()
    expect(page.get_by_test_id("item-state")).to_have_text("兑现")
    expect(page.get_by_test_id("evidence").locator("img")).to_be_visible()
    expect(page.get_by_test_id("waiting-close")).to_contain_text(f"等待韩立({station_a}")
    expect(page.get_by_test_id("action-close")).to_have_count(0)
    screenshot(page, "ledger-item-delivered", full_page=True)
    log_out_on_phone(page, live_server)

    log_in(page, live_server, "hanli", TEST_PASSWORD)
    todo = page.get_by_test_id("todo-ledger_to_close")
    expect(todo.get_by_text("帮助申请危房改造补助")).to_be_visible()
    todo.get_by_test_id("todo-item").first.click()
    step_form(page, "close").get_by_label("说明").fill("电话联系户主,确认已受理")
    page.get_by_test_id("action-close").click()
    expect(page.get_by_test_id("item-state")).to_have_text("销号")
    history = page.get_by_test_id("item-history")
    expect(history.get_by_text("兑现 → 销号")).to_be_visible()
    screenshot(page, "ledger-item-closed", full_page=True)

    item = LedgerItem.objects.get()
    assert item.state == "closed" and item.delivered_by == officer and item.closed_by.username == "hanli"
    assert LedgerEvidence.objects.get().event.to_state == "delivered"

    page.get_by_role("link", name="打印该台账").click()
    sheet = page.get_by_test_id("ledger-sheet")
    expect(sheet).to_have_count(1)
    expect(sheet.get_by_text("户主:李春梅")).to_be_visible()
    screenshot(page, "ledger-print-phone", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_unit_ledger_page_and_its_printed_ledger(live_server, desktop_page, phone_page, village_a, station_a):
    from ledger import services

    officer = UserFactory(username="haiyan", name="王海燕", role=User.Role.OFFICER, unit=village_a.unit)
    head = UserFactory(username="hanli", name="韩立", role=User.Role.OFFICER, unit=station_a, is_unit_head=True)
    today = timezone.localdate()
    for n, name in enumerate(["李春梅", "张国强", "赵桂兰"]):
        household = HouseholdFactory(village=village_a, head_name=name)
        HouseholdLinkFactory(officer=officer, household=household)
        for m, what in enumerate(["联系供电所修复门前路灯", "协助办理残疾人护理补贴"]):
            item = services.ledger_item_open(
                actor=officer,
                household=household,
                what=what,
                deadline=today + timedelta(days=(n + m) * 3 - 2),
                unit=village_a.unit,
                source="household",
                responsible=officer,
            )
            if m:
                item = services.ledger_item_register(item=item, actor=officer)
                item = services.ledger_item_deliver(item=item, actor=officer, note="补贴已批准")
                services.ledger_item_close(item=item, actor=head, note="核实")
    page = phone_page
    log_in(page, live_server, "hanli", TEST_PASSWORD)
    page.goto(f"{live_server.url}/ledger/")
    expect(page.get_by_test_id("count-closed")).to_have_text("3")
    expect(page.get_by_test_id("overdue-people").get_by_text("王海燕")).to_be_visible()
    screenshot(page, "ledger-unit-page-phone", full_page=True)

    desktop = desktop_page
    log_in(desktop, live_server, "hanli", TEST_PASSWORD)
    desktop.goto(f"{live_server.url}/ledger/print/")
    expect(desktop.get_by_test_id("ledger-sheet")).to_have_count(3)
    desktop.emulate_media(media="print")
    screenshot(desktop, "ledger-print-a4", full_page=True)
