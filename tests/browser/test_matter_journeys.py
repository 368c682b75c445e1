"""Issue #8's journeys on a small phone: an officer sends a wrongly routed matter back and lands on their queue,
told where it went (not a 404); a resident checks an answered matter and rates the answer."""

import pytest
from playwright.sync_api import expect

from feedback import services
from feedback.models import Matter, TalkRoomCallback
from jingshi_jiafang.core.models import User
from tests.browser.conftest import log_in, screenshot
from tests.core.factories import TEST_PASSWORD, UserFactory

SMALL_PHONE = {"width": 360, "height": 740}


@pytest.fixture
def small_phone(browser):
    context = browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_officer_sends_a_matter_back_and_lands_on_their_queue(live_server, small_phone, village_a):
    duty = UserFactory(username="zhiban", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    officer = UserFactory(username="minjing", name="王海燕", role=User.Role.OFFICER, unit=village_a.unit)
    for n in range(3):
        services.matter_register(channel=Matter.Channel.PHONE, content=f"其他来电{n}", unit=duty.unit, actor=duty)
    matter = services.matter_register(
        channel=Matter.Channel.PHONE, content="儿子的案子在法院没有进展", unit=duty.unit, actor=duty
    )
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=officer)
    page = small_phone
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, live_server, "minjing", TEST_PASSWORD)
    page.goto(f"{live_server.url}/matters/")
    page.get_by_label("搜索").fill(matter.reference)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("matter-link")).to_have_count(1)
    screenshot(page, "matter-queue-search", full_page=True)
    page.get_by_test_id("matter-link").click()

    page.get_by_label("说明").fill("属于涉法涉诉,应由法制大队办理")
    page.get_by_test_id("action-send_back").click()
    page.wait_for_url(f"{live_server.url}/matters/")
    message = page.get_by_text(f"诉求 {matter.reference} 已回到{village_a.unit.name}待研判、分流")
    expect(message).to_be_visible()
    expect(page.get_by_text("您没有待办的诉求")).to_be_visible()
    screenshot(page, "matter-sent-back-queue", full_page=True)
    matter.refresh_from_db()
    assert matter.state == "analysed" and matter.assignee is None

    page.get_by_role("button", name="更多筛选").click()
    page.locator("#matter-filters.show").wait_for()  # Bootstrap adds .show once the folding has finished
    expect(page.get_by_label("阶段")).to_be_visible()
    screenshot(page, "matter-queue-filters", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_resident_checks_an_answered_matter_and_rates_it(live_server, small_phone, village_a):
    duty = UserFactory(username="zhiban", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = services.matter_register(
        channel=Matter.Channel.ONLINE,
        content="村口的路灯坏了一个月了",
        unit=duty.unit,
        actor=None,
        query_password="K7Q2M9",
    )
    services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=matter, actor=duty)
    services.matter_close(matter=matter, actor=duty, result="已联系供电所,路灯已于本周三修复。", reply_method="phone")
    page = small_phone

    page.goto(f"{live_server.url}/echo/status/")
    page.get_by_label("查询编号").fill(matter.reference)
    page.get_by_label("查询密码").fill("K7Q2M9")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("stage")).to_have_text("已答复")
    expect(page.get_by_test_id("reply")).to_contain_text("路灯已于本周三修复")
    expect(page.get_by_test_id("bureau")).to_have_text(village_a.unit.parent.parent.name)
    screenshot(page, "echo-status-answered", full_page=True)

    page.get_by_label("基本满意").check()
    page.get_by_label("您的意见(可不填)").fill("修得有点慢,希望以后快一点")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价!")).to_be_visible()
    expect(page.get_by_test_id("rating")).to_contain_text("基本满意")
    expect(page.get_by_test_id("rating-form")).to_have_count(0)
    screenshot(page, "echo-status-rated", full_page=True)
    callback = TalkRoomCallback.objects.get(matter=matter)
    assert callback.outcome == "fairly_satisfied" and callback.done_by is None


@pytest.mark.django_db(transaction=True)
def test_duty_officer_merges_a_duplicate_picked_from_the_suggestions(live_server, small_phone, village_a):
    duty = UserFactory(username="zhiban", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    first = services.matter_register(
        channel=Matter.Channel.PHONE,
        content="村口路灯坏了,晚上很黑",
        unit=duty.unit,
        actor=duty,
        resident_name="李师傅",
        resident_phone="13912345678",
    )
    again = services.matter_register(
        channel=Matter.Channel.PHONE,
        content="村口的路灯坏了好几天",
        unit=duty.unit,
        actor=duty,
        resident_name="王阿姨",
        resident_phone="13800001111",
    )
    page = small_phone
    log_in(page, live_server, "zhiban", TEST_PASSWORD)
    page.goto(f"{live_server.url}{again.get_absolute_url()}")
    page.get_by_label(f"{first.reference} · 村口路灯坏了", exact=False).check()
    screenshot(page, "matter-merge-suggestions", full_page=True)
    page.get_by_test_id("action-merge").click()
    expect(page.get_by_test_id("matter-state")).to_have_text("已合并")

    page.get_by_role("link", name=first.reference).click()
    merged = page.get_by_test_id("merged-matters")
    expect(merged).to_contain_text("王阿姨")
    expect(merged).to_contain_text("138****1111")
    screenshot(page, "matter-merged-list", full_page=True)
