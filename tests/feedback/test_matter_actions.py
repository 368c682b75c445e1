"""After an action the actor lands where they can still see something: the matter, or their queue with a message
saying where the matter went (issue #8)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from feedback import services
from jingshi_jiafang.core.models import Unit, User
from ledger.models import LedgerItem
from tests.core.factories import BureauFactory, StationFactory, UserFactory
from tests.feedback.helpers import walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


def act(client, matter, action, data=None):
    prefixed = {f"{action}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("feedback:matter_act", args=[matter.pk, action]), prefixed)


def _dispatched_to(duty, officer, content="邻居装修噪音扰民"):
    matter = walk_in(duty, content)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    return services.matter_dispatch(matter=matter, actor=duty, assigned_unit=officer.unit, assignee=officer)


def test_officer_who_sends_a_matter_back_lands_on_their_queue_with_where_it_went(client, duty, alice):
    matter = _dispatched_to(duty, alice)
    client.force_login(alice)
    response = act(client, matter, "send_back", {"note": "属于法制大队"})
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:matter_list")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert matter.reference in message and f"{duty.unit}" in message and "研判" in message
    page = client.get(response["Location"])
    assert page.status_code == 200


def test_an_actor_who_still_sees_the_matter_stays_on_its_page(client, duty, alice):
    matter = _dispatched_to(duty, duty)
    client.force_login(duty)
    response = act(client, matter, "send_back", {"note": "派错了"})
    assert response["Location"] == matter.get_absolute_url()


def test_owner_who_hands_over_and_no_longer_sees_the_matter_lands_on_their_queue(client, village_a, alice):
    # An officer of the police room took the walk-in; once handed on, it is outside their households.
    matter = walk_in(alice, "想咨询户口迁移")
    colleague = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, name="接班民警")
    client.force_login(alice)
    response = act(client, matter, "hand_over", {"to_user": colleague.pk, "note": "交班"})
    assert response["Location"] == reverse("feedback:matter_list")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "接班民警" in message and matter.reference in message


# Merging: suggestions instead of a reference typed in.


def _detail(client, matter):
    return client.get(matter.get_absolute_url())


def test_the_merge_form_suggests_open_matters_of_the_same_household_card_or_village_with_similar_text(
    client, duty, alice_household, village_a, station_a, bob
):
    from tests.core.factories import HouseholdFactory
    from tests.feedback.helpers import issue_and_hand_out

    _, card = issue_and_hand_out(station_a, bob, alice_household)
    neighbour = HouseholdFactory(village=village_a, head_name="邻居")
    same_card = services.matter_register(
        channel="online", content="上次说的事", unit=duty.unit, actor=None, household=alice_household, echo_card=card
    )
    similar = services.matter_register(
        channel="visit", content="村口路灯坏了好几天", unit=duty.unit, actor=duty, household=neighbour
    )
    unrelated = services.matter_register(
        channel="visit", content="咨询身份证补办", unit=duty.unit, actor=duty, household=neighbour
    )
    closed = services.matter_register(
        channel="visit", content="村口路灯坏了", unit=duty.unit, actor=duty, household=neighbour
    )
    services.matter_merge(matter=closed, actor=duty, into=unrelated)
    matter = services.matter_register(
        channel="online",
        content="村口的路灯坏了",
        unit=duty.unit,
        actor=None,
        household=alice_household,
        echo_card=card,
    )
    client.force_login(duty)
    suggestions = [(m.pk, reasons) for m, reasons in _detail(client, matter).context["forms"]["merge"].suggestions]
    assert [pk for pk, _ in suggestions] == [same_card.pk, similar.pk]
    assert "同一张回音卡" in suggestions[0][1] and any("内容相似" in r for r in suggestions[1][1])

    response = act(client, matter, "merge", {"into": similar.reference})
    matter.refresh_from_db()
    assert matter.state == "merged" and matter.duplicate_of == similar
    assert response["Location"] == matter.get_absolute_url()


def test_suggestions_stay_within_what_the_user_may_see(client, duty, charlie, charlie_household):
    theirs = services.matter_register(
        channel="visit", content="路灯坏了", unit=charlie.unit, actor=charlie, household=charlie_household
    )
    matter = walk_in(duty, "路灯坏了", resident_phone="13900000000")
    services.matter_register(
        channel="visit", content="路灯坏了", unit=charlie.unit, actor=charlie, resident_phone="13900000000"
    )
    client.force_login(duty)
    assert _detail(client, matter).context["forms"]["merge"].suggestions == []
    response = act(client, matter, "merge", {"into_reference": theirs.reference})
    matter.refresh_from_db()
    assert matter.state == "reported"
    assert response.status_code == 400 and "没有找到该查询编号的诉求" in response.content.decode()


def test_merge_without_a_choice_or_with_a_malformed_reference_is_refused_in_chinese(client, duty):
    matter = walk_in(duty)
    client.force_login(duty)
    empty = act(client, matter, "merge", {})
    assert empty.status_code == 400 and "请从可能重复的诉求中选择一件" in empty.content.decode()
    malformed = act(client, matter, "merge", {"into_reference": "2501"})
    assert malformed.status_code == 400 and "查询编号是12位数字" in malformed.content.decode()


def test_a_merge_the_rule_refuses_comes_back_with_the_reference_typed(client, duty):
    """Merging into a closed matter: the reason is said at the form, which keeps what was typed."""
    closed = walk_in(duty, "路灯坏了")
    services.matter_analyse(matter=closed, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=closed, actor=duty, assigned_unit=duty.unit, assignee=duty)
    services.matter_start(matter=closed, actor=duty)
    services.matter_close(matter=closed, actor=duty, result="已修好", reply_method="in_person")
    matter = walk_in(duty, "路灯还是坏的")
    client.force_login(duty)
    response = act(client, matter, "merge", {"into_reference": closed.reference})
    assert response.status_code == 400
    body = response.content.decode()
    errors = body.split('data-testid="form-errors"')[1].split("</div>")[0]
    assert "只能合并到另一件未办结的诉求" in errors
    assert f'value="{closed.reference}"' in body
    matter.refresh_from_db()
    assert matter.state == "reported"


def test_the_same_household_alone_does_not_make_unrelated_matters_look_like_duplicates(
    client, duty, alice_household, village_a
):
    from tests.core.factories import HouseholdFactory

    neighbour = HouseholdFactory(village=village_a, head_name="邻居")
    fitness = services.matter_register(
        channel="visit",
        content="村里的健身器材坏了好久了,希望有人来修一修",
        unit=duty.unit,
        actor=duty,
        household=alice_household,
    )
    same_household_related = services.matter_register(
        channel="visit", content="饭店门口经常停着警车,挡住了路", unit=duty.unit, actor=duty, household=alice_household
    )
    similar_elsewhere = services.matter_register(
        channel="visit",
        content="几个穿警服的在饭店里面喝酒,群众看了影响不好",
        unit=duty.unit,
        actor=duty,
        household=neighbour,
    )
    matter = services.matter_register(
        channel="visit",
        content="有一回看到警车停在饭店门口,几个穿警服的在里面喝酒,群众看了影响不好",
        unit=duty.unit,
        actor=duty,
        household=alice_household,
    )
    client.force_login(duty)
    suggestions = [(m.pk, reasons) for m, reasons in _detail(client, matter).context["forms"]["merge"].suggestions]
    assert fitness.pk not in [pk for pk, _ in suggestions]
    # Similar text ranks above a household tie with only related text.
    assert [pk for pk, _ in suggestions] == [similar_elsewhere.pk, same_household_related.pk]
    assert "同一户" in suggestions[1][1]


# 改派: a stuck or overdue (督办) matter given to another officer by its dispatcher.


def test_the_dispatcher_reassigns_an_overdue_matter_and_its_ledger_item_follows(client, duty, alice, village_a):
    colleague = UserFactory(role=User.Role.OFFICER, unit=village_a.unit, name="钱同事")
    matter = services.matter_start(matter=_dispatched_to(duty, alice), actor=alice)
    agreed = LedgerItem.objects.get(matter=matter).deadline + timedelta(days=10)
    LedgerItem.objects.filter(matter=matter).update(deadline=agreed)  # as a topic visit may have agreed
    client.force_login(alice)
    assert 'id="action-reassign"' not in client.get(matter.get_absolute_url()).content.decode()
    client.force_login(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    assert 'id="action-reassign"' in page
    response = act(client, matter, "reassign", {"assigned_unit": village_a.unit.pk, "assignee": colleague.pk})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert (matter.assignee, matter.state) == (colleague, "handling")
    assert matter.events.order_by("pk").last().note == f"由{alice}改派至{village_a.unit}·钱同事"
    item = LedgerItem.objects.get(matter=matter)
    assert (item.responsible, item.deadline) == (colleague, agreed)
    assert item.events.order_by("pk").last().note == f"诉求改派,改由{village_a.unit}·钱同事负责"
    # Sent again unchanged: said in words, nothing written.
    again = act(client, matter, "reassign", {"assigned_unit": village_a.unit.pk, "assignee": colleague.pk})
    assert "承办单位和民警没有变化" in again.content.decode()
    assert matter.events.filter(note__startswith="由").count() == 1
    # Being handled, it needs its next handler named: a unit's officers take a matter by 开始处理, behind it now.
    to_unit = act(client, matter, "reassign", {"assigned_unit": village_a.unit.pk, "assignee": ""})
    assert "正在处理的诉求改派时请指定承办民警" in to_unit.content.decode()


def test_reassigning_a_matter_being_handled_asks_for_an_officer_and_does_not_offer_the_unit_alone(client, duty, alice):
    handled = services.matter_start(matter=_dispatched_to(duty, alice), actor=alice)
    client.force_login(duty)
    page = client.get(handled.get_absolute_url()).content.decode()
    form = page[page.index('id="action-reassign"') :]
    form = form[: form.index("</form>")]
    assert "可不选" not in form and "不指定民警" not in form and "由该单位的民警认领" not in form
    assert "正在处理的诉求须改派给一位民警" in form
    # Before 开始处理, a unit's officers may still take it: there the unit alone is offered.
    waiting = _dispatched_to(duty, alice, content="村口路灯不亮")
    page = client.get(waiting.get_absolute_url()).content.decode()
    form = page[page.index('id="action-reassign"') :]
    assert "不指定民警(交单位办理)" in form[: form.index("</form>")]


def _reassign_form(client, matter) -> str:
    page = client.get(matter.get_absolute_url()).content.decode()
    form = page[page.index('id="action-reassign"') :]
    return form[: form.index("</form>")]


def test_a_matter_is_given_to_a_unit_of_the_dispatchers_county_only(client, duty, alice):
    other_county = StationFactory(parent=BureauFactory(code="SQ", name="泗阳县公安局"), name="泗阳城关派出所")
    stranger = UserFactory(role=User.Role.OFFICER, unit=other_county, name="外县民警")
    matter = walk_in(duty)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    client.force_login(duty)

    page = client.get(matter.get_absolute_url()).content.decode()
    response = act(client, matter, "dispatch", {"assigned_unit": other_county.pk, "assignee": stranger.pk})

    assert "泗阳城关派出所" not in page and "外县民警" not in page
    assert response.status_code == 400
    matter.refresh_from_db()
    assert (matter.state, matter.assigned_unit) == ("analysed", None)
    with pytest.raises(services.MatterError, match="不是本县"):
        services.matter_dispatch(matter=matter, actor=duty, assigned_unit=other_county, assignee=stranger)


def test_reassigning_a_matter_being_handled_offers_no_unit_without_officers(client, duty, alice, station_a):
    StationFactory(kind=Unit.Kind.DEPARTMENT, parent=station_a.parent, name="法制大队")
    handled = services.matter_start(matter=_dispatched_to(duty, alice), actor=alice)
    waiting = _dispatched_to(duty, alice, content="村口路灯不亮")
    client.force_login(duty)

    assert "法制大队" not in _reassign_form(client, handled)
    # Not yet started, a unit alone may take it: the department is offered there.
    assert "法制大队" in _reassign_form(client, waiting)


# 办结 by 电话答复 needs a number to have called.


def _being_handled(duty, **extra):
    matter = walk_in(duty, "村口路灯坏了", **extra)
    services.matter_analyse(matter=matter, actor=duty, category="other", urgency="normal")
    services.matter_dispatch(matter=matter, actor=duty, assigned_unit=duty.unit, assignee=duty)
    return services.matter_start(matter=matter, actor=duty)


def test_closing_by_phone_a_walk_in_who_left_no_phone_is_refused_on_the_field(client, duty):
    matter = _being_handled(duty)
    client.force_login(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    assert "这件诉求没有联系电话,不能电话答复。" in page  # said before anyone picks it
    response = act(client, matter, "close", {"result": "已联系供电所修复", "reply_method": "phone"})
    assert response.status_code == 400
    [(action, form)] = response.context["refused"]
    assert action.name == "close"
    assert form.errors["reply_method"] == [
        "这件诉求没有联系电话(群众未留电话),不能电话答复。请选择当面答复、书面答复、网上答复。"
    ]
    assert "已联系供电所修复" in response.content.decode()  # the result typed comes back
    matter.refresh_from_db()
    assert matter.state == "handling"
    response = act(client, matter, "close", {"result": "已联系供电所修复", "reply_method": "in_person"})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.state == "closed" and matter.reply_method == "in_person"


def test_the_service_refuses_a_phone_reply_without_a_number_too(duty, village_a):
    from feedback.errors import MatterError
    from tests.core.factories import HouseholdFactory

    matter = _being_handled(duty, household=HouseholdFactory(village=village_a, phone=""))
    with pytest.raises(MatterError, match="群众未留电话,住户也未登记电话"):
        services.matter_close(matter=matter, actor=duty, result="已修复", reply_method="phone")


@pytest.mark.parametrize("phone", ["resident", "household"])
def test_a_phone_reply_is_taken_with_the_residents_or_the_households_number(client, duty, village_a, phone):
    from tests.core.factories import HouseholdFactory

    extra = (
        {"resident_phone": "13851234567"}
        if phone == "resident"
        else {"household": HouseholdFactory(village=village_a, phone="13912345678")}
    )
    matter = _being_handled(duty, **extra)
    client.force_login(duty)
    assert "不能电话答复" not in client.get(matter.get_absolute_url()).content.decode()
    response = act(client, matter, "close", {"result": "已联系供电所修复", "reply_method": "phone"})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.state == "closed" and matter.reply_method == "phone"
