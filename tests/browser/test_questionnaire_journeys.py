"""Issue #12's questionnaire journey on a 360px phone: an evaluator calls two sampled households, reveals each
number (audited) to dial it, records the answers, and sees the indices and the sample size update."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.services.questionnaires import questionnaire_create
from jingshi_jiafang.core.models import AuditEntry
from tests.browser.conftest import log_in, screenshot
from tests.core.factories import TEST_PASSWORD, HouseholdFactory
from tests.evaluation.factories import EvaluatorFactory, short_template

NARROW_PHONE = {"width": 360, "height": 740}


def answer(page, questions, labels):
    for question, label in zip(questions, labels, strict=True):
        page.locator(f"#div_id_q{question.pk}").get_by_label(label, exact=True).check()


@pytest.mark.django_db(transaction=True)
def test_evaluator_records_two_answers_by_phone_and_sees_the_index_update(live_server, phone_page, village_a):
    page = phone_page
    page.set_viewport_size(NARROW_PHONE)
    evaluator = EvaluatorFactory(username="fangping", name="周访评")
    HouseholdFactory(village=village_a, head_name="李春梅", phone="13912345678")
    HouseholdFactory(village=village_a, head_name="王大山", phone="13887654321")
    today = timezone.localdate()
    questionnaire = questionnaire_create(
        template=short_template(),
        area=village_a,
        start=today.replace(day=1),
        end=today,
        sample_size=2,
        actor=evaluator,
        seed=5,
        title="东湖村本月安全感满意度调查",
    )
    questions = list(short_template().questions.order_by("order"))

    log_in(page, live_server, "fangping", TEST_PASSWORD)
    page.goto(f"{live_server.url}/evaluation/questionnaires/")
    page.get_by_test_id("questionnaire-row").click()
    expect(page.get_by_test_id("security-index")).to_have_text("—")
    expect(page.get_by_text("已录入 0 / 抽样 2 户")).to_be_visible()
    page.get_by_test_id("next-call").click()

    # First household: the number is masked until revealed, then it is a link that dials it. No one answers.
    expect(page.get_by_test_id("masked-phone")).to_contain_text("****")
    page.get_by_role("button", name="显示号码并拨打").click()
    expect(page.get_by_test_id("call-link")).to_be_visible()
    page.get_by_label("本次未接通,稍后再拨").check()
    page.get_by_label("备注").fill("无人接听")
    page.get_by_role("button", name="保存答卷").click()
    expect(page.get_by_text("第 1 次未接通,该户留在待访名单里")).to_be_visible()

    # Second household: the form is reached straight from the first.
    page.get_by_role("button", name="显示号码并拨打").click()
    answer(page, questions, ["不安全", "不满意", "满意"])
    page.get_by_role("button", name="保存答卷").click()
    expect(page.get_by_text("的答卷。")).to_be_visible()

    # The first household again, the only one left: its page says when it was tried; this time it answers.
    expect(page.get_by_test_id("attempts")).to_contain_text("此前未接通 1 次")
    page.get_by_role("button", name="显示号码并拨打").click()
    answer(page, questions, ["很安全", "满意", "基本满意"])
    screenshot(page, "questionnaire-answer-form", full_page=True)
    page.get_by_role("button", name="保存答卷").click()

    # Both asked: back on the questionnaire, the indices and the sample size are up to date.
    expect(page.get_by_text("已录入 2 / 抽样 2 户")).to_be_visible()
    expect(page.get_by_test_id("security-index")).to_have_text("65.0")  # (100 + 30) / 2
    expect(page.get_by_test_id("satisfaction-index")).to_have_text("67.5")  # (100 + 70 + 0 + 100) / 4
    expect(page.get_by_test_id("sample-size")).to_contain_text("有效答卷 2 份")
    screenshot(page, "questionnaire-detail-indices", full_page=True)
    page.get_by_role("link", name="调查结果与分区统计").click()
    expect(page.get_by_test_id("security-index")).to_have_text("65.0")
    screenshot(page, "questionnaire-results", full_page=True)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL_PHONE, actor=evaluator).count() == 3
    assert questionnaire.samples.filter(response__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_evaluator_starts_a_county_questionnaire_and_checks_a_visit_on_the_spot(
    live_server, phone_page, village_a, village_b, alice_household
):
    from evaluation.models import FieldCheck, Questionnaire
    from evaluation.services.questionnaires import response_record
    from tests.evaluation.factories import answers_by_label
    from tests.visits.factories import VisitFactory

    page = phone_page
    page.set_viewport_size(NARROW_PHONE)
    EvaluatorFactory(username="fangping", name="周访评")
    short_template()  # the standard questionnaires, installed again if an earlier test flushed them
    for village in (village_a, village_b):
        for n in range(3):
            HouseholdFactory(village=village, head_name=f"{village.name}户{n}")
    visit = VisitFactory(household=alice_household, visitor=alice_household.links.get().officer)

    log_in(page, live_server, "fangping", TEST_PASSWORD)
    page.goto(f"{live_server.url}/evaluation/questionnaires/")
    expect(page.get_by_text("还没有问卷调查")).to_be_visible()
    screenshot(page, "questionnaire-list-empty")
    page.get_by_role("link", name="新建问卷").click()
    page.get_by_label("问卷模板").select_option(label="警事家访回访问卷(简版)")
    page.get_by_label("样本量(户)").fill("5")
    page.get_by_role("button", name="预览可抽户数").click()
    expect(page.get_by_test_id("available")).to_contain_text("可抽取 7 户")
    screenshot(page, "questionnaire-create-preview", full_page=True)
    page.get_by_role("button", name="创建并抽样").click()
    expect(page.get_by_text("问卷已创建,抽取了 5 户。")).to_be_visible()

    questionnaire = Questionnaire.objects.get()
    evaluator = questionnaire.created_by
    for sample, labels in zip(
        questionnaire.samples.order_by("position")[:3],
        (["很安全", "满意", "满意"], ["基本安全", "基本满意", "不满意"], ["安全", "满意", "基本满意"]),
        strict=True,
    ):
        response_record(
            sample=sample,
            actor=evaluator,
            outcome="answered",
            method="paper",
            answers=answers_by_label(short_template(), labels),
        )
    page.get_by_role("link", name="调查结果与分区统计").click()
    expect(page.get_by_test_id("breakdown")).to_contain_text("东关镇")
    expect(page.get_by_test_id("sample-size")).to_contain_text("有效答卷 3 份")
    screenshot(page, "questionnaire-results-county", full_page=True)

    page.goto(f"{live_server.url}{visit.get_absolute_url()}")
    page.get_by_test_id("field-check").click()
    page.get_by_label("不属实").check()
    page.get_by_label("核查情况").fill("户主说这个月没有民警上门。")
    screenshot(page, "field-check-form", full_page=True)
    page.get_by_role("button", name="保存实地考核").click()
    expect(page.get_by_text("实地考核已记录:不属实。")).to_be_visible()
    expect(page.get_by_test_id("field-check-row")).to_contain_text("户主说这个月没有民警上门。")
    screenshot(page, "field-check-list", full_page=True)
    assert FieldCheck.objects.get().is_false_visit
