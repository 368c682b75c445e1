"""Issue 14's offline journey: an officer at a farmhouse with no signal logs a visit on a phone; it waits on the
phone, is sent once when the signal is back, and sending it again records nothing."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from jingshi_jiafang.core.models import HouseholdLink
from tests.browser.conftest import PHONE, log_in, screenshot
from tests.core.factories import (
    TEST_PASSWORD,
    HouseholdFactory,
    HouseholdLinkFactory,
    OrganisationFactory,
    OrganisationLinkFactory,
    UserFactory,
)
from visits.models import Visit


@pytest.fixture
def phone_page(browser):
    """A phone whose browser runs the service worker (the other journeys' phones do not)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    _wait_for_requests_in_flight()


def _wait_for_requests_in_flight(timeout: float = 10.0) -> None:
    """A page the service worker was fetching when the context closed is still being answered by the live server,
    whose transaction then met the test database's flush (a deadlock, seen once in CI): its request threads
    (socketserver's `process_request_thread`) end before the test does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_visit_saved_without_a_signal_is_sent_once_when_it_comes_back(live_server, phone_page, village_a):
    officer = UserFactory(username="lixin", name="李鑫", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="张秀兰", address="东湖村3组7号", phone="13912345678")
    HouseholdLinkFactory(officer=officer, household=household)
    page = phone_page
    log_in(page, live_server, "lixin", TEST_PASSWORD)
    # In the morning, with a signal: the service worker takes over, and the home page lists the household due,
    # whose page and visit form it keeps for the door.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    form_url = f"{live_server.url}{reverse('visits:visit_create', args=[household.pk])}"
    wait_until_kept(page, household.get_absolute_url())
    wait_until_kept(page, form_url)

    # At the door: no signal. The household and its visit form open from the phone.
    page.context.set_offline(True)
    page.get_by_test_id("todo-due_households").get_by_text("张秀兰户").click()
    page.wait_for_url(f"{live_server.url}{household.get_absolute_url()}")
    screenshot(page, "offline-household-kept")
    page.get_by_role("link", name="记录走访").click()
    expect(page.get_by_role("heading", name="记录走访:张秀兰户")).to_be_visible()
    page.get_by_label("见到的人").fill("户主本人")
    page.get_by_label("诉求(每行一条)").fill("村口的桥栏杆松了")
    page.get_by_label("联系电话").fill("13800001111")
    page.get_by_role("button", name="保存走访").click()
    # A new phone number is personal data: it is not kept on the phone.
    expect(page.get_by_text("没有网络时不能保存电话号码或身份证号的更正")).to_be_visible()
    page.get_by_label("联系电话").fill("")
    page.get_by_role("button", name="保存走访").click()

    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    queue = page.get_by_test_id("offline-queue")
    expect(queue.get_by_test_id("offline-item").filter(has_text="张秀兰户")).to_contain_text("待发送")
    assert Visit.objects.count() == 0
    stored = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("jiafang-offline");
            open.onsuccess = () => {
                const read = open.result.transaction("visits").objectStore("visits").getAll();
                read.onsuccess = () => resolve(JSON.stringify(read.result));
            };
        })"""
    )
    assert "13912345678" not in stored and "csrfmiddlewaretoken" not in stored
    screenshot(page, "offline-visit-waiting", full_page=True)

    # Still without a signal, the home page (kept on the phone) lists what waits.
    page.get_by_role("link", name="回到首页").click()
    queue = page.get_by_test_id("offline-queue")
    expect(queue.get_by_test_id("offline-item").filter(has_text="张秀兰户")).to_contain_text("待发送")
    screenshot(page, "offline-home-waiting")

    # The signal is back: the visit is sent, once.
    page.context.set_offline(False)
    # Sent at once, or a few seconds later if the first try went out before the signal had really come back.
    expect(page.get_by_test_id("offline-sent")).to_contain_text("1 次走访已发送", timeout=15_000)
    expect(queue).to_be_hidden()
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.household == household and visit.visitor == officer
    assert visit.matters.get().content == "村口的桥栏杆松了"
    screenshot(page, "offline-visit-sent")

    page.get_by_role("link", name="查看走访").click()
    expect(page.get_by_text("村口的桥栏杆松了").first).to_be_visible()
    page.goto(f"{live_server.url}/diary/")
    expect(page.locator(".diary-entry")).to_have_count(1)
    expect(page.locator(".diary-entry").filter(has_text="张秀兰户")).to_be_visible()
    expect(page.get_by_test_id("offline-queue")).to_be_hidden()
    screenshot(page, "offline-diary")

    # Sent once more (a phone that kept a copy, a resend): nothing new, and the officer lands on the visit.
    fields = dict(visit_fields(page, form_url, key=str(visit.submission_key)))
    resend = page.request.post(form_url, form=fields)
    assert resend.ok
    assert resend.url.endswith(visit.get_absolute_url())
    assert Visit.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_organisation_visit_saved_without_a_signal_is_sent_once(live_server, phone_page, village_a):
    """Found by a walkthrough: the organisation's form was not caught, and the visit was lost offline."""
    officer = UserFactory(username="lixin", name="李鑫", unit=village_a.unit)
    school = OrganisationFactory(village=village_a, name="东湖小学", address="东湖村3组")
    OrganisationLinkFactory(officer=officer, organisation=school)
    page = phone_page
    log_in(page, live_server, "lixin", TEST_PASSWORD)
    form_url = f"{live_server.url}{reverse('visits:organisation_visit_create', args=[school.pk])}"
    page.goto(form_url)
    expect(page.get_by_role("heading", name="记录走访:东湖小学")).to_be_visible()

    page.context.set_offline(True)
    page.get_by_label("见到的人").fill("王校长")
    page.get_by_label("诉求(每行一条)").fill("校门口路灯不亮")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    queue = page.get_by_test_id("offline-queue")
    expect(queue.get_by_test_id("offline-item").filter(has_text="东湖小学")).to_contain_text("待发送")
    assert Visit.objects.count() == 0
    screenshot(page, "offline-organisation-waiting", full_page=True)

    page.context.set_offline(False)
    expect(page.get_by_test_id("offline-sent")).to_contain_text("1 次走访已发送", timeout=15_000)
    visit = Visit.objects.get()
    assert visit.organisation == school and visit.household is None and visit.visitor == officer
    assert visit.matters.get().content == "校门口路灯不亮"
    page.goto(f"{live_server.url}/diary/")
    expect(page.locator(".diary-entry").filter(has_text="东湖小学")).to_have_count(1)
    screenshot(page, "offline-organisation-sent")


def visit_fields(page, form_url: str, *, key: str) -> list[tuple[str, str]]:
    """The visit form's fields as the phone would send them again: the form page's fields under the old key."""
    page.goto(form_url)
    page.get_by_label("见到的人").fill("户主本人")
    fields = page.evaluate(
        """() => Array.from(new FormData(document.querySelector("form[data-offline-visit]")))
            .map(([name, value]) => [name, String(value)])"""
    )
    return [(name, key if name == "submission_key" else value) for name, value in fields]


def wait_until_kept(page, path: str) -> None:
    """Until the service worker has kept this page for the signed-in user (it keeps pages in the background)."""
    for _ in range(100):
        kept = page.evaluate(
            """async (path) => {
                for (const name of await caches.keys()) {
                    if (name.startsWith("jiafang-pages-") && await (await caches.open(name)).match(path)) return true;
                }
                return false;
            }""",
            path,
        )
        if kept:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{path} was not kept on the phone")


@pytest.mark.django_db(transaction=True)
def test_a_visit_the_server_refuses_stays_with_its_reason_and_logout_clears_the_phone(
    live_server, phone_page, village_a
):
    officer = UserFactory(username="zhoujie", name="周杰", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="王桂英")
    HouseholdLinkFactory(officer=officer, household=household)
    page = phone_page
    log_in(page, live_server, "zhoujie", TEST_PASSWORD)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    form_url = f"{live_server.url}{reverse('visits:visit_create', args=[household.pk])}"
    page.goto(form_url)
    wait_until_kept(page, form_url)

    # Two visits saved without a signal (the second from the form kept on the phone).
    page.context.set_offline(True)
    for people in ("户主本人", "户主的儿子"):
        page.goto(form_url)
        page.get_by_role("button", name="保存走访").click()
        # What the browser can check, it checks at once: 见到的人 is required.
        expect(page.get_by_test_id("offline-saved")).to_be_hidden()
        page.get_by_label("见到的人").fill(people)
        page.get_by_role("button", name="保存走访").click()
        expect(page.get_by_test_id("offline-saved")).to_be_visible()
    items = page.get_by_test_id("offline-item")
    expect(items).to_have_count(2)

    # Meanwhile the household was handed to another officer: the server refuses both, and says why.
    today = timezone.localdate()
    HouseholdLink.objects.filter(officer=officer).update(
        start_date=today - timedelta(days=3), end_date=today - timedelta(days=1)
    )
    page.context.set_offline(False)
    expect(items.filter(has_text="未能发送")).to_have_count(2, timeout=15_000)
    expect(items.first).to_contain_text("该户已不在您的联系范围内")
    assert Visit.objects.count() == 0
    screenshot(page, "offline-visit-refused", full_page=True)

    # The officer removes one, after a confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    items.first.get_by_role("button", name="删除这条记录").click()
    expect(items).to_have_count(1)

    # Logging out asks first while a visit is still on the phone, then clears the phone.
    page.get_by_role("button", name="展开菜单").click()
    page.locator("#main-nav.show").wait_for()
    # Each dialog is answered as it opens: the click waits while the page is blocked by it.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="退出").click()
    for _ in range(50):
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked == ["还有 1 次走访没有发送,退出后将从手机上删除。确定退出吗?"]
    expect(items).to_have_count(1)
    assert page.url == form_url
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    kept = page.evaluate(
        """async () => ({
            databases: (await indexedDB.databases()).map((db) => db.name),
            caches: (await caches.keys()).filter((name) => !name.startsWith("jiafang-static-")),
        })"""
    )
    assert kept == {"databases": [], "caches": []}


@pytest.mark.django_db(transaction=True)
def test_the_phone_never_keeps_another_users_pages(live_server, phone_page, village_a):
    first = UserFactory(username="chenyu", name="陈宇", unit=village_a.unit)
    second = UserFactory(username="linfang", name="林芳", unit=village_a.unit)
    households = [HouseholdFactory(village=village_a, head_name=head) for head in ("赵大娘", "钱大爷")]
    for officer, household in zip((first, second), households, strict=True):
        HouseholdLinkFactory(officer=officer, household=household)
    page = phone_page
    log_in(page, live_server, "chenyu", TEST_PASSWORD)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until_kept(page, "/")
    wait_until_kept(page, reverse("visits:visit_create", args=[households[0].pk]))
    wait_until_kept(page, households[0].get_absolute_url())

    # The session ended without logging out (30 idle minutes); someone else signs in on the same phone.
    Session.objects.all().delete()
    log_in(page, live_server, "linfang", TEST_PASSWORD)
    page.reload()
    wait_until_kept(page, "/")
    # The household due on the home page is kept in the background: let it finish before the test ends.
    wait_until_kept(page, reverse("visits:visit_create", args=[households[1].pk]))
    wait_until_kept(page, households[1].get_absolute_url())

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("林芳,您好")).to_be_visible()
    page_caches = page.evaluate("async () => (await caches.keys()).filter((name) => name.startsWith('jiafang-pages-'))")
    assert len(page_caches) == 1
    cached_home = page.evaluate("async (name) => (await (await caches.open(name)).match('/')).text()", page_caches[0])
    assert "林芳" in cached_home and "陈宇" not in cached_home and "赵大娘" not in cached_home


@pytest.mark.django_db(transaction=True)
def test_a_visit_sent_after_the_login_lapsed_is_kept_and_sent_after_logging_in_again(
    live_server, phone_page, village_a
):
    officer = UserFactory(username="zhoujie", name="周杰", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="吴桂芳")
    HouseholdLinkFactory(officer=officer, household=household)
    page = phone_page
    log_in(page, live_server, "zhoujie", TEST_PASSWORD)
    page.goto(f"{live_server.url}{reverse('visits:visit_create', args=[household.pk])}")
    page.get_by_label("见到的人").fill("户主本人")
    page.get_by_label("诉求(每行一条)").fill("家门口的排水沟堵了")
    # Half an hour at the door: the session lapsed before 保存走访.
    Session.objects.all().delete()
    page.get_by_role("button", name="保存走访").click()

    saved = page.get_by_test_id("offline-saved")
    expect(saved).to_contain_text("登录已失效:这次走访已保存在手机上,没有丢失。")
    expect(saved.get_by_text("没有网络")).to_be_hidden()
    expect(page.get_by_test_id("offline-item")).to_contain_text("登录已失效:重新登录后自动发送。")
    screenshot(page, "offline-visit-kept-after-login-lapsed", full_page=True)
    assert Visit.objects.count() == 0

    saved.get_by_test_id("log-in-again").click()
    page.get_by_label("用户名").fill("zhoujie")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("offline-sent")).to_contain_text("1 次走访已发送", timeout=15_000)
    assert Visit.objects.get().matters.get().content == "家门口的排水沟堵了"
    screenshot(page, "offline-visit-sent-after-login")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_visit_form_works_as_before(live_server, browser, village_a):
    officer = UserFactory(username="sunli", name="孙丽", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="吴建国")
    HouseholdLinkFactory(officer=officer, household=household)
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server, "sunli", TEST_PASSWORD)
        page.goto(f"{live_server.url}{reverse('visits:visit_create', args=[household.pk])}")
        expect(page.get_by_test_id("offline-queue")).to_be_hidden()
        expect(page.get_by_test_id("offline-saved")).to_be_hidden()
        page.get_by_label("见到的人").fill("户主本人")
        page.get_by_role("button", name="保存走访").click()
        expect(page.get_by_text("走访已记录,已写入民情日记。")).to_be_visible()
        assert Visit.objects.get().household == household
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_back_button_to_a_forms_result_says_so_and_not_that_the_signal_is_gone(
    live_server, phone_page, village_a, station_a
):
    UserFactory(username="suozhang", name="韩立", unit=station_a, is_unit_head=True)
    UserFactory(username="haiyan", name="王海燕", unit=village_a.unit)
    page = phone_page
    log_in(page, live_server, "suozhang", TEST_PASSWORD)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{live_server.url}{reverse('visits:night_plan')}")
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    # A plan refused (no officer chosen), then made: the refused form is a page the post returned.
    page.get_by_role("button", name="安排").click()
    page.get_by_label("民警").select_option(label="王海燕")
    page.get_by_label("村/居").select_option(label="东关镇 · 东湖村")
    page.get_by_role("button", name="安排").click()
    expect(page.get_by_text("已安排王海燕")).to_be_visible()

    page.go_back()
    expect(page.get_by_text("这一页不能用返回键打开")).to_be_visible()
    assert page.get_by_text("当前没有网络").count() == 0
    screenshot(page, "offline-back-to-a-forms-result")

    # Without a signal, a page the phone does not keep still says so.
    page.context.set_offline(True)
    page.goto(f"{live_server.url}{reverse('visits:night_compliance')}")
    expect(page.get_by_text("当前没有网络")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_form_kept_by_day_and_opened_in_the_night_window_offers_a_night_visit(
    live_server, browser, village_a, settings
):
    # A window of every evening, six hours from now: the server renders the form outside it, the phone opens it
    # inside it the next day.
    hour = (timezone.localtime().hour + 6) % 24
    settings.NIGHT_VISIT_WEEKDAYS = list(range(7))
    settings.NIGHT_VISIT_START, settings.NIGHT_VISIT_END = f"{hour:02d}:00", f"{hour:02d}:59"
    officer = UserFactory(username="wanghy", name="王海燕", unit=village_a.unit)
    household = HouseholdFactory(village=village_a, head_name="毛东春")
    HouseholdLinkFactory(officer=officer, household=household)
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id=settings.TIME_ZONE
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server, "wanghy", TEST_PASSWORD)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        form_url = f"{live_server.url}{reverse('visits:visit_create', args=[household.pk])}"
        wait_until_kept(page, form_url)
        page.goto(form_url)
        expect(page.get_by_label("家访类型")).to_have_value("day")

        tomorrow = timezone.localtime() + timedelta(days=1)
        page.clock.install(time=tomorrow.replace(hour=hour, minute=30, second=0, microsecond=0))
        page.context.set_offline(True)
        page.goto(form_url)
        expect(page.get_by_label("家访类型")).to_have_value("night")
        expect(page.get_by_test_id("night-talk")).to_be_visible()
        screenshot(page, "offline-kept-form-at-night")
    finally:
        context.close()
