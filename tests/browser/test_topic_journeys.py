"""Issue 13's classification journeys on a 360px phone: the legal department works last month's queue, corrects
two suggestions, confirms the third and closes the month; a dispatcher's matter page opens 研判 on the suggestion
and shows the words that decided it."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import Category, Matter, TopicModel, TopicMonth
from feedback.services.classification import previous_month
from jingshi_jiafang.core.models import User
from tests.browser.conftest import log_in, open_menu_item, screenshot
from tests.browser.test_matter_journeys import small_phone  # noqa: F401 (the 360px phone fixture)
from tests.core.factories import TEST_PASSWORD, UserFactory
from tests.feedback.helpers import walk_in


@pytest.mark.django_db(transaction=True)
def test_the_legal_department_corrects_two_suggestions_and_closes_the_month(live_server, small_phone, village_a):  # noqa: F811
    duty = UserFactory(username="zhiban", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    UserFactory(username="fazhi", name="法制科李科长", role=User.Role.LEGAL, unit=village_a.unit.parent.parent)
    month = previous_month(timezone.localdate())
    texts = [
        "孩子出生三个月了还没上户口,材料不知道咋准备",
        "那个辅警说话冲得很,把俺们当犯人审",
        "村里那条路坏了好几年,一下雨没法走",
    ]
    matters = []
    for number, text in enumerate(texts):
        matter = walk_in(duty, text)
        moment = timezone.make_aware(datetime(month.year, month.month, 10 + number, 9, 0))
        Matter.objects.filter(pk=matter.pk).update(created_at=moment)
        matters.append(matter)
    page = small_phone
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, live_server, "fazhi", TEST_PASSWORD)
    open_menu_item(page, "类别研判")
    expect(page.get_by_test_id("pending-count")).to_have_text("3")
    expect(page.get_by_test_id("topic-item")).to_have_count(3)
    screenshot(page, "topic-review-queue", full_page=True)

    # Two corrections, one confirmation, each one tap on the matter's card.
    for matter, label in ((matters[0], "涉法涉诉"), (matters[1], "其他")):
        card = page.get_by_test_id("topic-item").filter(has_text=matter.reference)
        card.get_by_role("button", name=label, exact=True).click()
        expect(page.get_by_text(f"诉求 {matter.reference} 已确认为“{label}”。")).to_be_visible()
    page.get_by_test_id("topic-item").filter(has_text=matters[2].reference).get_by_test_id("confirm-suggested").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
    expect(page.get_by_text("本月诉求的类别已全部确认")).to_be_visible()
    screenshot(page, "topic-review-all-confirmed", full_page=True)

    page.get_by_test_id("close-month").click()
    expect(page.get_by_test_id("month-closed")).to_be_visible()
    screenshot(page, "topic-review-month-closed", full_page=True)
    categories = dict(Matter.objects.values_list("pk", "category"))
    assert categories[matters[0].pk] == Category.LITIGATION and categories[matters[1].pk] == Category.OTHER
    assert TopicMonth.objects.get().month == month
    assert TopicModel.objects.order_by("-version").first().confirmed_examples == 3


@pytest.mark.django_db(transaction=True)
def test_the_analysis_form_opens_on_the_suggestion_and_shows_why(live_server, small_phone, village_a):  # noqa: F811
    UserFactory(username="zhiban", role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    duty = User.objects.get(username="zhiban")
    matter = walk_in(duty, "俺家电动车昨晚在院里叫人偷了,锁都撬坏了,晚上能不能多来巡逻")
    page = small_phone
    log_in(page, live_server, "zhiban", TEST_PASSWORD)
    page.goto(f"{live_server.url}{matter.get_absolute_url()}")
    expect(page.get_by_test_id("topic-suggestion")).to_contain_text("治安防范")
    expect(page.get_by_label("类别")).to_have_value("public_security")
    expect(page.get_by_text("系统建议“治安防范”")).to_be_visible()
    screenshot(page, "matter-topic-suggestion", full_page=True)
    page.get_by_test_id("action-analyse").click()
    expect(page.get_by_test_id("matter-state")).to_have_text("研判")
    matter.refresh_from_db()
    assert matter.category == Category.PUBLIC_SECURITY
    assert timezone.now() - matter.updated_at < timedelta(minutes=1)
