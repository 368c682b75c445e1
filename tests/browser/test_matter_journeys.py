"""Issue #8's journeys on a small phone (360px): an officer sends a wrongly routed matter back and lands on their queue,
told where it went (not a 404); a resident checks an answered matter and rates the answer."""

import uuid

import pytest
from playwright.sync_api import expect

from feedback import services
from feedback.models import Category, Matter, TalkRoomCallback
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
    services.matter_close(matter=matter, actor=duty, result="已联系供电所,路灯已于本周三修复。", reply_method="online")
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


# Issue #8, phase 3: the tester's walk again, on a 360px phone.


@pytest.mark.django_db(transaction=True)
def test_resident_echoes_twice_then_looks_up_freely_and_a_guesser_is_told_how_long_to_wait(
    live_server, small_phone, settings, bob, station_a, village_a
):
    from tests.core.factories import HouseholdFactory

    settings.ECHO_RATE_LIMIT = 3
    card = services.card_batch_issue(unit=station_a, count=1, actor=bob).cards.get()
    services.card_hand_out(number=card.number, household=HouseholdFactory(village=village_a), actor=bob)
    page = small_phone

    page.goto(f"{live_server.url}/echo/?card={card.number}")
    expect(page.get_by_test_id("bureau")).to_have_text(settings.BUREAU_NAME)
    expect(page.get_by_label("联系电话(可不填)")).to_have_attribute("inputmode", "tel")
    screenshot(page, "p3-60-echo-form", full_page=True)
    page.get_by_label("验证码").fill(card.verification_code)
    page.get_by_label("您想说的事").fill("村口的路灯坏了一个月了")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已收到,谢谢您!")).to_be_visible()
    expect(page.get_by_text("已作废")).to_have_count(0)
    screenshot(page, "p3-62-echo-ok", full_page=True)
    first_password = page.get_by_test_id("password").inner_text()

    # The same message again, now with a phone: kept, and said so.
    page.goto(f"{live_server.url}/echo/?card={card.number}")
    page.get_by_label("验证码").fill(card.verification_code)
    page.get_by_label("您想说的事").fill("村口的路灯坏了一个月了")
    page.get_by_label("联系电话(可不填)").fill("13800002222")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("added")).to_contain_text("联系电话")
    expect(page.get_by_test_id("password-note")).to_contain_text("以前用这张卡得到的查询密码仍然可以使用")
    screenshot(page, "p3-64-echo-resubmit-phone", full_page=True)
    reference = page.get_by_test_id("reference").inner_text()
    password = page.get_by_test_id("password").inner_text()
    assert password != first_password
    matter = Matter.objects.get()
    assert matter.resident_phone == "13800002222"
    assert matter.events.filter(note__contains="138****2222").exists()

    # Something new on the same card: added to the matter, which waits to be handed to an officer, and said so.
    page.goto(f"{live_server.url}/echo/?card={card.number}")
    page.get_by_label("验证码").fill(card.verification_code)
    page.get_by_label("您想说的事").fill("路灯旁的井盖也松了")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("follow-up")).to_contain_text("正在交办")
    expect(page.get_by_test_id("password-note")).to_contain_text("以前用这张卡得到的查询密码仍然可以使用")
    screenshot(page, "echo-follow-up-keeps-passwords", full_page=True)

    # Looking it up again and again is not guessing; the first echo's password still opens it.
    for known in (first_password, password, password, password, password):
        page.goto(f"{live_server.url}/echo/status/")
        page.get_by_label("查询编号").fill(f"{reference[:4]} {reference[4:8]} {reference[8:]}")
        page.get_by_label("查询密码").fill(known)
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_test_id("stage")).to_have_text("已受理,正在交办")
    screenshot(page, "p3-67-status-ok", full_page=True)

    # Guessing is: after three wrong passwords the page says how long to wait, and leads back.
    page.goto(f"{live_server.url}/echo/status/")
    expect(page.get_by_test_id("bureau")).to_have_text(settings.BUREAU_NAME)
    screenshot(page, "p3-65-status-form", full_page=True)
    for guess in ("000001", "000002", "000003", "000004"):
        page.get_by_label("查询编号").fill(reference)
        page.get_by_label("查询密码").fill(guess)
        page.get_by_role("button", name="查询").click()
        if page.get_by_text("尝试次数过多").count():
            break
    expect(page.get_by_test_id("wait")).to_have_text("10 分钟")
    screenshot(page, "p3-77-too-many", full_page=True)
    page.get_by_role("link", name="返回重新输入").click()
    expect(page.get_by_label("查询编号")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_officer_sees_her_own_queues_and_finds_a_matter_by_its_card_sequence(
    live_server, small_phone, bob, station_a, village_a
):
    from tests.core.factories import HouseholdFactory, HouseholdLinkFactory

    officer = UserFactory(username="minjing", name="王海燕", role=User.Role.OFFICER, unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="梁忠")
    HouseholdLinkFactory(officer=officer, household=household)
    services.matter_register(
        channel=Matter.Channel.VISIT,
        content="村东头桥边晚上经常有人聚集喝酒,希望民警多来巡逻",
        unit=officer.unit,
        actor=officer,
        household=household,
    )
    batch = services.card_batch_issue(unit=station_a, count=21, actor=bob)
    card = batch.cards.get(sequence=21)
    services.card_hand_out(number=card.number, household=household, actor=bob)
    services.card_echo(
        number=card.number,
        code=card.verification_code,
        content="路口的减速带被压坏了",
        submission_key=uuid.uuid4(),
    )
    page = small_phone
    log_in(page, live_server, "minjing", TEST_PASSWORD)
    page.goto(f"{live_server.url}/matters/")
    expect(page.get_by_role("link", name="待研判/分流")).to_have_count(0)
    expect(page.get_by_test_id("matter-link").filter(has_text="桥边晚上经常有人聚集喝酒")).to_be_visible()
    screenshot(page, "p3-14-officer-mine", full_page=True)

    page.get_by_test_id("matter-link").filter(has_text="桥边晚上经常有人聚集喝酒").click()
    expect(page.get_by_text("梁忠(户主,走访时反映)")).to_be_visible()
    expect(page.get_by_test_id("next-step")).to_contain_text("研判")
    screenshot(page, "p3-11-matter-from-visit", full_page=True)

    page.goto(f"{live_server.url}/matters/?queue=all")
    page.get_by_label("搜索").fill("000021")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("matter-link")).to_have_count(1)
    expect(page.get_by_test_id("matter-link")).to_contain_text("减速带")
    screenshot(page, "p3-31-search-card-sequence", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_duty_officer_must_choose_a_category_and_picks_an_officer_under_the_unit(live_server, small_phone, village_a):
    duty = UserFactory(username="zhiban", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    UserFactory(username="minjing", name="王海燕", role=User.Role.OFFICER, unit=village_a.unit)
    UserFactory(name="韩立", role=User.Role.OFFICER, unit=village_a.unit.parent)
    matter = services.matter_register(
        channel=Matter.Channel.TALK_ROOM,
        content="我家门口的路灯坏了一个多月,晚上孩子放学回来黑漆漆的,怕出事",
        unit=duty.unit,
        actor=duty,
        owner=duty,
        resident_name="李桂英",
    )
    page = small_phone
    log_in(page, live_server, "zhiban", TEST_PASSWORD)
    page.goto(f"{live_server.url}/matters/?queue=to_process")
    expect(page.get_by_role("link", name="待研判/分流")).to_be_visible()
    page.goto(f"{live_server.url}{matter.get_absolute_url()}")
    # The form opens on the classifier's suggestion (issue 13); cleared, it must be chosen again.
    matter.refresh_from_db()
    expect(page.get_by_label("类别")).to_have_value(matter.category_suggested)
    expect(page.get_by_label("移交给").locator("option").first).to_have_text("请选择…")
    expect(page.get_by_test_id("next-step")).to_contain_text("就是您")
    screenshot(page, "p3-26-matter-reported", full_page=True)
    page.get_by_label("类别").select_option(value="")
    page.get_by_test_id("action-analyse").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("请选择类别")
    expect(page.get_by_test_id("form-errors")).to_be_in_viewport()
    screenshot(page, "p3-26b-analyse-nochoice")
    # Reopening the address the form was posted to leads back to the matter, not to an empty 405.
    page.goto(page.url)
    expect(page.get_by_test_id("matter-state")).to_have_text("汇报")

    page.get_by_label("类别").select_option(label="治安防范")
    page.get_by_test_id("action-analyse").click()
    expect(page.get_by_text("研判完成。")).to_be_visible()
    assignee = page.get_by_label("承办民警(可不选)")
    # The form opens on the matter's own unit, and offers its officers only; another unit, that unit's.
    expect(assignee.locator("option")).to_have_text(["不指定民警(交单位办理)", "孙明", "王海燕"])
    expect(page.get_by_text("只能选所选承办单位的民警")).to_be_visible()
    assignee.select_option(label="王海燕")
    page.get_by_label("承办单位或部门").select_option(label=village_a.unit.parent.name)
    expect(assignee.locator("option")).to_have_text(["不指定民警(交单位办理)", "韩立"])
    expect(assignee).to_have_value("")
    assignee.scroll_into_view_if_needed()
    screenshot(page, "p3-28-dispatch-other-unit")
    page.get_by_label("承办单位或部门").select_option(label=village_a.unit.name)
    assignee.select_option(label="王海燕")
    page.get_by_test_id("action-dispatch").click()
    expect(page.get_by_test_id("matter-state")).to_have_text("分流")
    expect(page.get_by_test_id("next-step")).to_contain_text("承办民警王海燕")
    screenshot(page, "p3-28b-after-dispatch", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_back_to_the_matter_the_officer_list_follows_the_unit_the_browser_puts_back(
    live_server, small_phone, village_a
):
    """后退 to a matter whose 分流 form had another unit chosen: the browser puts that unit (and the officer) back
    after the page's scripts ran, with no change event. The officers offered are that unit's, not the room's
    the page opened on, and the officer picked before is still chosen."""
    duty = UserFactory(username="zhiban", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    UserFactory(name="王海燕", role=User.Role.OFFICER, unit=village_a.unit)
    UserFactory(name="韩立", role=User.Role.OFFICER, unit=village_a.unit.parent)
    matter = services.matter_register(
        channel=Matter.Channel.TALK_ROOM, content="村口路灯坏了", unit=duty.unit, actor=duty, owner=duty
    )
    services.matter_analyse(matter=matter, actor=duty, category=Category.PUBLIC_SECURITY, urgency=Matter.Urgency.NORMAL)
    page = small_phone
    log_in(page, live_server, "zhiban", TEST_PASSWORD)
    page.goto(f"{live_server.url}{matter.get_absolute_url()}")
    unit, assignee = page.get_by_label("承办单位或部门"), page.get_by_label("承办民警(可不选)")
    expect(assignee.locator("option")).to_have_text(["不指定民警(交单位办理)", "孙明", "王海燕"])
    unit.select_option(label=village_a.unit.parent.name)
    assignee.select_option(label="韩立")
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="诉求").click()
    expect(page).to_have_url(f"{live_server.url}/matters/")
    page.go_back()
    expect(unit.locator("option:checked")).to_have_text(village_a.unit.parent.name)
    expect(assignee.locator("option")).to_have_text(["不指定民警(交单位办理)", "韩立"])
    expect(assignee.locator("option:checked")).to_have_text("韩立")
    assignee.scroll_into_view_if_needed()
    screenshot(page, "p3-28c-dispatch-after-back")


@pytest.mark.django_db(transaction=True)
def test_officer_cannot_send_back_without_a_reason_and_confirms_closing(live_server, small_phone, village_a):
    duty = UserFactory(username="zhiban", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    officer = UserFactory(username="minjing", name="王海燕", role=User.Role.OFFICER, unit=village_a.unit)
    matter = services.matter_register(
        channel=Matter.Channel.PHONE,
        content="有一回看到警车停在饭店门口",
        unit=duty.unit,
        actor=duty,
        resident_phone="13851234567",  # the caller's number: 电话答复 calls it
    )
    services.matter_analyse(matter=matter, actor=duty, category="force_conduct", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=officer)
    services.matter_start(matter=matter, actor=officer)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page = small_phone
    page.on("dialog", answer)
    log_in(page, live_server, "minjing", TEST_PASSWORD)
    page.goto(f"{live_server.url}{matter.get_absolute_url()}")
    # An empty reason: the browser stops it before any question is asked.
    page.get_by_test_id("action-send_back").click()
    expect(page.locator("#id_send_back-note")).to_have_js_property("validity.valueMissing", True)
    assert dialogs == []
    matter.refresh_from_db()
    assert matter.state == "handling"
    screenshot(page, "p3-50-sendback-empty")

    page.get_by_label("办理结果").fill("已核实,当天为下班后聚餐,已批评教育并通报")
    page.get_by_label("如何告知群众").select_option(label="电话答复")
    page.get_by_test_id("action-close").click()
    expect(page.get_by_test_id("matter-state")).to_have_text("办结")
    assert dialogs == ["确定办结吗?办理结果将作为答复告知群众。"]
    expect(page.get_by_test_id("next-step")).to_contain_text("已办结")
    screenshot(page, "p3-71-closed", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_resident_not_satisfied_still_sees_the_earlier_answer_and_their_rating(live_server, small_phone, village_a):
    duty = UserFactory(username="zhiban", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = services.matter_register(
        channel=Matter.Channel.ONLINE, content="村口的路灯坏了", unit=duty.unit, actor=None, query_password="K7Q2M9"
    )
    services.matter_analyse(matter=matter, actor=duty, category="public_security", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=matter, actor=duty)
    services.matter_close(matter=matter, actor=duty, result="已联系供电所,路灯已修复。", reply_method="online")
    page = small_phone
    page.goto(f"{live_server.url}/echo/status/")
    page.get_by_label("查询编号").fill(matter.reference)
    page.get_by_label("查询密码").fill("K7Q2M9")
    page.get_by_role("button", name="查询").click()
    page.get_by_label("不满意").check()
    page.get_by_label("您的意见(可不填)").fill("晚上还是不亮")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("您的诉求已重新交办")).to_be_visible()
    expect(page.get_by_test_id("stage")).to_have_text("根据您的评价,正在重新办理")
    expect(page.get_by_test_id("earlier-reply")).to_contain_text("路灯已修复")
    history = page.get_by_test_id("resident-history")
    expect(history).to_contain_text("已答复")
    expect(history).to_contain_text("您的评价:不满意")
    expect(history).to_contain_text("重新办理")
    screenshot(page, "p3-74-rated-not-satisfied", full_page=True)
    # Reloading the rating address leads back to the status form.
    page.goto(f"{live_server.url}/echo/status/rate/")
    expect(page.get_by_label("查询编号")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_duty_officer_calls_back_a_walk_in_resident_from_the_matter_page(live_server, small_phone, village_a):
    duty = UserFactory(username="zhiban", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = services.matter_register(
        channel=Matter.Channel.TALK_ROOM,
        content="村口的路灯坏了一个月了",
        unit=duty.unit,
        actor=duty,
        owner=duty,
        resident_name="李桂兰",
        resident_phone="13812345678",
    )
    page = small_phone
    log_in(page, live_server, "zhiban", TEST_PASSWORD)
    page.goto(f"{live_server.url}{matter.get_absolute_url()}")
    expect(page.get_by_test_id("resident-phone")).to_contain_text("138****5678")
    expect(page.get_by_role("link", name="13812345678")).to_have_count(0)
    screenshot(page, "matter-resident-phone-masked")

    page.get_by_test_id("resident-phone").get_by_role("button", name="显示完整号码").click()
    expect(page.get_by_role("link", name="13812345678")).to_have_attribute("href", "tel:13812345678")
    expect(page.get_by_text("查看记录已写入审计日志")).to_be_visible()
    screenshot(page, "matter-resident-phone-revealed")
