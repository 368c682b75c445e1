"""Issue 14's offline journey: an officer at a farmhouse with no signal logs a visit on a phone; it waits on the
phone, is sent once when the signal is back, and sending it again records nothing."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.core.factories import TEST_PASSWORD, HouseholdFactory, HouseholdLinkFactory, UserFactory
from visits.models import Visit


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
    expect(page.get_by_test_id("offline-sent")).to_contain_text("已发送 1 次走访")
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
    """Until the service worker has kept this page for the signed-in user."""
    page.wait_for_function(
        """async (path) => {
            for (const name of await caches.keys()) {
                if (name.startsWith("jiafang-pages-") && await (await caches.open(name)).match(path)) return true;
            }
            return false;
        }""",
        arg=path,
    )
