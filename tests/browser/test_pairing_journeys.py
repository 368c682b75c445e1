"""Issue 11's journeys on a phone: a cadre sees this week's pairing duty and records a contact; a team leader
records a mediation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jingshi_jiafang.core.models import User
from ledger.models import PairingContact, TeamActivity
from tests.browser.conftest import log_in, open_menu_item, screenshot
from tests.core.factories import (
    TEST_PASSWORD,
    AreaLinkFactory,
    HouseholdFactory,
    HouseholdLinkFactory,
    PairingLinkFactory,
    UserFactory,
)
from tests.ledger.factories import PairingContactFactory, ServiceTeamFactory, TeamMemberFactory


@pytest.mark.django_db(transaction=True)
def test_cadre_sees_this_weeks_pairing_duty_and_records_a_contact(live_server, phone_page, village_a):
    cadre = UserFactory(username="zhiqiang", name="吴志强", role=User.Role.CADRE)
    household = HouseholdFactory(village=village_a, head_name="孙秀英", is_hardship=True)
    pairing = PairingLinkFactory(user=cadre, household=household)
    today = timezone.localdate()
    PairingContactFactory(pairing=pairing, date=today - timedelta(days=today.weekday() + 14))
    page = phone_page
    log_in(page, live_server, "zhiqiang", TEST_PASSWORD)

    duty = page.get_by_test_id("pairing-duty")
    expect(duty.get_by_text("孙秀英户")).to_be_visible()
    expect(duty.get_by_test_id("duty-contact")).to_contain_text("本周联系 0/1 次")
    expect(duty.get_by_test_id("duty-contact")).to_contain_text("待完成")
    expect(duty.get_by_text("近4周有 3 周未联系")).to_be_visible()
    screenshot(page, "pairing-home-duty", full_page=True)

    duty.get_by_role("link", name="记录联系").click()
    page.get_by_label("联系方式").select_option(label="微信")
    page.get_by_label("联系内容").fill("微信视频问候,老人说腿疼,下周带药过去")
    screenshot(page, "pairing-contact-form")
    page.get_by_role("button", name="保存联系").click()

    expect(page.get_by_text("已记录与孙秀英户的联系。")).to_be_visible()
    expect(page.get_by_test_id("duty-contact")).to_contain_text("本周联系 1/1 次")
    expect(page.get_by_test_id("duty-contact")).to_contain_text("已达标")
    assert PairingContact.objects.filter(pairing=pairing, method="wechat", date=today).exists()
    screenshot(page, "pairing-contact-saved", full_page=True)

    open_menu_item(page, "结对联建")
    row = page.get_by_test_id("pair-row")
    expect(row).to_contain_text("孙秀英户")
    expect(row).to_contain_text("联系 1/1 次")
    expect(row).not_to_contain_text("走访")  # a week judges contacts only
    expect(page.get_by_test_id("pairing-rule")).to_contain_text("兑现即计入")
    expect(page.get_by_role("link", name="下一期 ›")).to_have_count(0)  # nothing to judge beyond this week
    screenshot(page, "pairing-compliance", full_page=True)

    # Last week had no contact and is over: final, 未达标, not 待完成.
    page.get_by_role("link", name="‹ 上一期").click()
    expect(row.get_by_text("未达标").first).to_be_visible()
    expect(row).not_to_contain_text("待完成")
    screenshot(page, "pairing-compliance-past-week", full_page=True)

    # A month past judges visits alone; a week typed in the future is 未开始.
    page.get_by_label("周期").select_option(label="按月")
    page.get_by_label("日期").fill((today.replace(day=1) - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("pairing-rule")).to_contain_text("本页只看走访")
    expect(row).to_contain_text("走访 0/1 次")
    expect(row).not_to_contain_text("待完成")
    screenshot(page, "pairing-compliance-past-month", full_page=True)
    page.goto(f"{live_server.url}/ledger/pairing/?period=week&day={(today + timedelta(days=14)).isoformat()}")
    expect(page.get_by_test_id("not-started")).to_be_visible()
    expect(row.get_by_text("未开始").first).to_be_visible()
    expect(row).not_to_contain_text("已达标")
    screenshot(page, "pairing-compliance-future-week", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_team_leader_records_a_mediation(live_server, phone_page, village_a):
    officer = UserFactory(username="haiyan", name="王海燕", unit=village_a.unit)
    HouseholdLinkFactory(officer=officer, household=HouseholdFactory(village=village_a))
    team = ServiceTeamFactory(area=village_a, leader=officer, name="东湖村公安服务队")
    TeamMemberFactory(team=team, name="张志愿", phone="13812345678")
    TeamMemberFactory(team=team, name="李村干", kind="village_cadre")
    page = phone_page
    log_in(page, live_server, "haiyan", TEST_PASSWORD)

    open_menu_item(page, "服务队")
    page.get_by_test_id("team-row").filter(has_text="东湖村公安服务队").click()
    expect(page.get_by_test_id("team-members")).to_contain_text("138****5678")
    page.get_by_role("link", name="记录活动").click()
    page.get_by_label("类别").select_option(label="纠纷调解")
    page.get_by_label("地点").fill("东湖村三组")
    page.get_by_label("张志愿(治安志愿者)").check()
    page.get_by_label("李村干(村干部)").check()
    page.get_by_label("事项").fill("两户因排水沟争执,现场调解达成一致")
    screenshot(page, "team-activity-form", full_page=True)
    page.get_by_role("button", name="保存活动").click()

    expect(page.get_by_text("服务队活动已记录。")).to_be_visible()
    expect(page.get_by_test_id("team-activities")).to_contain_text("纠纷调解 · 东湖村三组")
    expect(page.get_by_test_id("team-activities")).to_contain_text("张志愿、李村干")
    assert TeamActivity.objects.get().members_present.count() == 2
    screenshot(page, "team-page", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_station_head_founds_a_team_and_its_leader_lets_a_member_go(live_server, phone_page, village_a, station_a):
    UserFactory(username="suozhang", name="赵所长", unit=station_a, is_unit_head=True)
    officer = UserFactory(username="haiyan", name="王海燕", unit=village_a.unit)
    HouseholdLinkFactory(officer=officer, household=HouseholdFactory(village=village_a))
    page = phone_page
    log_in(page, live_server, "suozhang", TEST_PASSWORD)
    open_menu_item(page, "服务队")
    expect(page.get_by_text("点“组建服务队”选村(居)和带队的社区民警")).to_be_visible()
    page.get_by_test_id("found-team").click()
    page.get_by_label("村/居").select_option(label=village_a.full_name)
    page.get_by_label("带队社区民警").select_option(label=f"王海燕({village_a.unit})")
    screenshot(page, "team-found-form", full_page=True)
    page.get_by_role("button", name="组建").click()
    expect(page.get_by_text("已组建东湖村社区公安服务队,由王海燕带队。请添加队员。")).to_be_visible()
    team = village_a.service_team
    assert team.leader == officer

    TeamMemberFactory(team=team, name="张志愿", phone="13812345678")
    page.context.clear_cookies()
    log_in(page, live_server, "haiyan", TEST_PASSWORD)
    page.goto(f"{live_server.url}{team.get_absolute_url()}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="离队").click()
    expect(page.get_by_text("张志愿已离队,以往的活动记录保留。")).to_be_visible()
    expect(page.get_by_test_id("team-members")).to_contain_text("已离队")
    screenshot(page, "team-member-left", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_cadre_opens_his_village_and_reaches_its_figures(live_server, phone_page, village_a):
    cadre = UserFactory(username="zhiqiang", name="吴志强", role=User.Role.CADRE, unit=village_a.unit.parent)
    AreaLinkFactory(user=cadre, area=village_a)
    HouseholdFactory.create_batch(3, village=village_a)
    page = phone_page
    log_in(page, live_server, "zhiqiang", TEST_PASSWORD)

    open_menu_item(page, "联系区域")
    page.get_by_role("link", name=village_a.name).first.click()
    expect(page.get_by_role("link", name=f"{village_a.name}数据看板")).to_be_visible()
    screenshot(page, "cadre-village-page", full_page=True)
    page.get_by_role("link", name=f"{village_a.name}数据看板").click()
    expect(page.get_by_role("heading", name=re.compile(f"{village_a.name}数据看板"))).to_be_visible()
    screenshot(page, "cadre-village-dashboard", full_page=True)
