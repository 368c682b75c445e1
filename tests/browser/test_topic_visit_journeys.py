"""Issue 13's last journey, on a leader's desktop (1366×900): the legal department closed last month; a leader opens
专题家访, starts a topic visit from that month's 涉法涉诉, sees its open matters in his town grouped by village, and
takes them along."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import Category, Matter, TopicMonth, TopicVisit
from feedback.services import matter_register
from feedback.services.classification import previous_month
from jingshi_jiafang.core.models import User
from tests.browser.conftest import enrol_second_factor, log_in, open_menu_item, screenshot
from tests.core.factories import TEST_PASSWORD, AreaLinkFactory, HouseholdFactory, UserFactory, VillageFactory


@pytest.fixture
def leader_desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def last_months_matter(household, content, category):
    matter = matter_register(
        channel=Matter.Channel.VISIT, content=content, unit=household.village.unit, actor=None, household=household
    )
    month = previous_month(timezone.localdate())
    moment = timezone.make_aware(datetime(month.year, month.month, 12, 10, 0))
    Matter.objects.filter(pk=matter.pk).update(created_at=moment, category=category, state=Matter.State.DISPATCHED)
    return matter


@pytest.mark.django_db(transaction=True)
def test_a_leader_starts_a_topic_visit_from_last_months_topics(live_server, leader_desktop, village_a, village_b):
    leader = UserFactory(username="juzhang", name="王局长", role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    south = VillageFactory(parent=village_a.parent, unit=village_a.unit, name="南湖村")
    east_1, east_2 = HouseholdFactory(village=village_a), HouseholdFactory(village=village_a)
    lawsuits = [
        last_months_matter(east_1, "官司打赢了快一年,钱一直执行不下来,法院说没找到财产", Category.LITIGATION),
        last_months_matter(east_2, "判决书上的字看不懂,想问问还能不能上诉,期限是多少天", Category.LITIGATION),
        last_months_matter(HouseholdFactory(village=south), "宅基地纠纷法院立了案,三个月没动静", Category.LITIGATION),
    ]
    elsewhere = last_months_matter(HouseholdFactory(village=village_b), "西关镇的案子没进展", Category.LITIGATION)
    last_months_matter(east_1, "村口晚上没路灯,电动车被偷了两回", Category.PUBLIC_SECURITY)
    judge = UserFactory(name="赵明", post="社区民警", unit=village_a.unit)
    UserFactory(name="赵明", post="社区民警", unit=village_b.unit)
    TopicMonth.objects.create(
        month=previous_month(timezone.localdate()), closed_by=UserFactory(role=User.Role.LEGAL), matters=5
    )
    page = leader_desktop

    log_in(page, live_server, "juzhang", TEST_PASSWORD)
    enrol_second_factor(page)  # a leader's first login
    open_menu_item(page, "专题家访")
    page.get_by_role("link", name="新建专题家访").click()
    litigation = page.get_by_test_id("closed-topic").filter(has_text="涉法涉诉")
    expect(litigation).to_contain_text("3 件未办结")
    expect(page.get_by_test_id("closed-topic").filter(has_text="治安防范")).to_contain_text("1 件未办结")
    screenshot(page, "topic-visit-closed-months", full_page=True)

    litigation.click()
    groups = page.get_by_test_id("village-group")
    expect(groups).to_have_count(2)
    expect(groups.filter(has_text="东湖村").get_by_test_id("village-count")).to_have_text("2 件")
    expect(groups.filter(has_text="南湖村").get_by_test_id("village-count")).to_have_text("1 件")
    expect(page.get_by_text(elsewhere.reference)).to_have_count(0)
    expect(page.get_by_label("主题")).to_have_value(f"{previous_month(timezone.localdate()):%Y年%m月}涉法涉诉专题家访")
    page.get_by_label("参加部门").fill("法制大队、城东派出所")
    # two officers of one name: the search narrows the ticks, the unit tells them apart
    page.get_by_label("查找参加人员").fill("赵明")
    expect(page.get_by_test_id("staff-picker").locator("[data-staff-text]:visible")).to_have_count(2)
    page.locator(f"#staff-{judge.pk}").check()
    page.get_by_label("查找参加人员").fill("")
    expect(page.get_by_test_id("staff-picked")).to_have_text(f"已选 1 人:赵明({village_a.unit} 社区民警)")
    for matter in lawsuits:
        page.locator(f"#matter-{matter.pk}").check()
    screenshot(page, "topic-visit-grouped-by-village", full_page=True)

    page.get_by_test_id("create-topic-visit").click()
    expect(page.get_by_text("专题家访已创建,已带上 3 件诉求。")).to_be_visible()
    for matter in lawsuits:
        expect(page.get_by_text(matter.content)).to_be_visible()
    screenshot(page, "topic-visit-started", full_page=True)
    topic = TopicVisit.objects.get()
    assert topic.category == Category.LITIGATION and topic.leader == leader
    assert {item.matter_id for item in topic.items.all()} == {matter.pk for matter in lawsuits}
    assert list(topic.staff.all()) == [judge]

    # The same start page on a phone: the topics stack instead of squeezing.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}{reverse('feedback:topic_visit_create')}")
    # taken along, the matters are still open: the count is the month's work, not what is left to pick
    expect(page.get_by_test_id("closed-topic").filter(has_text="涉法涉诉")).to_contain_text("3 件未办结")
    screenshot(page, "topic-visit-closed-months-phone", full_page=True)
    page.get_by_test_id("closed-topic").filter(has_text="涉法涉诉").click()
    page.get_by_label("查找参加人员").fill("赵")
    page.get_by_test_id("create-topic-visit").scroll_into_view_if_needed()
    screenshot(page, "topic-visit-participants-phone")


@pytest.mark.django_db(transaction=True)
def test_back_from_a_new_topic_visit_and_create_again_lands_on_the_first(live_server, phone_page, village_a):
    # On 后退 the browser filled the form in again but the page came with a new submission key (a hidden input is
    # not restored), so 创建 again created a second topic visit.
    UserFactory(username="juzhang", name="王局长", role=User.Role.LEADER)
    page = phone_page
    log_in(page, live_server, "juzhang", TEST_PASSWORD)
    enrol_second_factor(page)
    page.goto(f"{live_server.url}{reverse('feedback:topic_visit_create')}")
    page.get_by_label("主题").fill("夜间巡逻当面听意见")
    page.get_by_label("专题类别").select_option(label="治安防范")
    page.get_by_label("参加部门").fill("治安管理大队")
    page.get_by_test_id("create-topic-visit").click()
    expect(page.get_by_text("专题家访已创建。")).to_be_visible()
    first = page.url

    page.go_back()
    expect(page.get_by_label("主题")).to_have_value("夜间巡逻当面听意见")
    page.get_by_test_id("create-topic-visit").click()
    expect(page.get_by_text("这张表单已经提交过,没有再创建")).to_be_visible()
    screenshot(page, "topic-visit-created-once-after-back", full_page=True)
    assert page.url == first
    assert TopicVisit.objects.count() == 1
