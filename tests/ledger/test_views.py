"""The ledger pages: who may see and do what, through the pages a user uses; list pages in O(1) queries."""

import re
from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback_services
from jingshi_jiafang.core.models import User
from ledger import services
from ledger.models import LedgerEvidence, LedgerItem, LedgerItemEvent
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import AreaLinkFactory, HouseholdFactory, HouseholdLinkFactory, UserFactory, png_upload
from tests.ledger.helpers import delivered_item, dispatched_matter, open_item
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db
State = LedgerItem.State


def act(client, item, action, **data):
    return client.post(
        reverse("ledger:item_act", args=[item.pk, action]), {f"{action}-{k}": v for k, v in data.items()}
    )


def test_officer_opens_an_item_from_the_household_page(client, alice, alice_household):
    client.force_login(alice)
    page = client.get(alice_household.get_absolute_url()).content.decode()
    url = reverse("ledger:item_open_for_household", args=[alice_household.pk])
    assert url in page and "该户没有未销号的台账事项" in page
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(url, {"what": "帮忙联系自来水公司接水管", "deadline": deadline, "responsible": alice.pk})
    item = LedgerItem.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.source == LedgerItem.Source.HOUSEHOLD and item.created_by == alice and item.unit == alice.unit
    page = client.get(alice_household.get_absolute_url()).content.decode()
    assert "帮忙联系自来水公司接水管" in page  # the household's open items, and its timeline
    assert page.count("帮忙联系自来水公司接水管") == 2


def test_the_open_form_sent_twice_opens_one_item(client, alice, alice_household):
    # A double tap on 记入台账 (or 后退 and 记入 again) opened the same promise twice: two items to register, keep
    # and close, and for a paired household two 实事 counted for one deed.
    client.force_login(alice)
    url = reverse("ledger:item_open_for_household", args=[alice_household.pk])
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    sent = {"what": "帮忙联系自来水公司接水管", "deadline": deadline, "responsible": alice.pk}
    first, again = client.post(url, sent), client.post(url, sent)
    item = LedgerItem.objects.get()
    assert first["Location"] == again["Location"] == item.get_absolute_url()
    assert item.events.count() == 1
    assert "这件事已经记入台账,没有再记一次" in client.get(again["Location"]).content.decode()
    # once registered, the same words are a new promise
    services.ledger_item_register(item=item, actor=alice)
    client.post(url, sent)
    assert LedgerItem.objects.count() == 2


def test_the_open_form_refuses_a_past_deadline_and_an_empty_text(client, alice, alice_household):
    client.force_login(alice)
    url = reverse("ledger:item_open_for_household", args=[alice_household.pk])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(url, {"what": "", "deadline": yesterday, "responsible": alice.pk})
    assert response.status_code == 400 and not LedgerItem.objects.exists()
    assert "日期超出范围" in response.content.decode()
    # the empty text says what to write, as 兑现 and 退回 do, not Django's bare "required"
    body = response.content.decode()
    assert "请写明承诺办的事或要解决的问题。" in body and "这个字段是必填项" not in body


def test_an_officer_cannot_make_another_officer_responsible(client, alice, alice_household, village_a):
    other = UserFactory(role=User.Role.OFFICER, unit=village_a.unit)
    client.force_login(alice)
    deadline = (timezone.localdate() + timedelta(days=3)).isoformat()
    url = reverse("ledger:item_open_for_household", args=[alice_household.pk])
    response = client.post(url, {"what": "修路灯", "deadline": deadline, "responsible": other.pk})
    assert response.status_code == 400 and not LedgerItem.objects.exists()


def test_an_item_opened_from_a_visit_names_the_visit(client, alice, alice_household):
    visit = VisitFactory(household=alice_household, visitor=alice)
    client.force_login(alice)
    assert (
        reverse("ledger:item_open_for_visit", args=[visit.pk]) in client.get(visit.get_absolute_url()).content.decode()
    )
    deadline = (timezone.localdate() + timedelta(days=3)).isoformat()
    client.post(
        reverse("ledger:item_open_for_visit", args=[visit.pk]),
        {"what": "修路灯", "deadline": deadline, "responsible": alice.pk},
    )
    item = LedgerItem.objects.get()
    assert item.visit == visit and item.source == LedgerItem.Source.VISIT and item.household == alice_household
    visit_page = client.get(visit.get_absolute_url()).content.decode()
    assert 'data-testid="source-ledger-item"' in visit_page and item.get_absolute_url() in visit_page


def test_the_legal_department_sees_the_household_but_opens_no_item(client, alice_household):
    legal = UserFactory(role=User.Role.LEGAL)
    log_in_as(client, legal)
    assert client.get(reverse("ledger:item_open_for_household", args=[alice_household.pk])).status_code == 403


def test_the_item_page_offers_each_person_their_step(client, alice, bob, alice_household):
    item = open_item(alice, alice_household)
    client.force_login(alice)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="action-register"' in page and 'data-testid="action-close"' not in page
    assert act(client, item, "register", note="已报民政所").status_code == 302
    response = act(client, item, "deliver", note="补助已到账", files=png_upload("回执.png"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.DELIVERED and LedgerEvidence.objects.get().original_name == "回执.png"
    # The deliverer is offered no close, and a forged close is refused.
    assert 'data-testid="action-close"' not in client.get(item.get_absolute_url()).content.decode()
    assert act(client, item, "close", note="").status_code == 403
    client.force_login(bob)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="action-close"' in page and "回执.png" in page
    assert act(client, item, "close", note="电话核实").status_code == 302
    item.refresh_from_db()
    assert item.state == State.CLOSED and item.closed_by == bob


def test_deliver_needs_a_note_and_a_real_file(client, alice, alice_household):
    item = services.ledger_item_register(item=open_item(alice, alice_household), actor=alice)
    client.force_login(alice)
    response = act(client, item, "deliver", note="")
    assert response.status_code == 400 and "请写明兑现情况" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("a.jpg", b"GIF89a....", content_type="image/jpeg")
    response = act(client, item, "deliver", note="办好了", files=fake)
    assert response.status_code == 400 and "只能上传" in response.content.decode()
    item.refresh_from_db()
    assert item.state == State.REGISTERED


def test_evaluator_reopens_a_closed_item_from_its_page(client, alice, bob, alice_household):
    item = services.ledger_item_close(item=delivered_item(alice, alice_household), actor=bob)
    evaluator = UserFactory(role=User.Role.EVALUATOR)
    log_in_as(client, evaluator)
    assert 'data-testid="action-reopen"' in client.get(item.get_absolute_url()).content.decode()
    assert act(client, item, "reopen", reason="户主说没有到账").status_code == 302
    item.refresh_from_db()
    assert item.state == State.REGISTERED and item.reopened_count == 1


def test_evidence_is_downloaded_in_scope_only_and_recorded(client, alice, charlie, alice_household):
    item = open_item(alice, alice_household)
    event = services.ledger_item_evidence_add(item=item, actor=alice, files=[png_upload()])
    url = event.evidence.get().get_absolute_url()
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    from jingshi_jiafang.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="download", object_type="ledger.LedgerEvidence").count() == 1
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'class="img-thumbnail evidence-thumb"' in page


def test_scopes_leader_town_cadre_village_officer_households_head_unit(
    alice, bob, charlie, alice_household, charlie_household, village_a
):
    from ledger.scopes import ledger_items_visible_to

    mine = open_item(alice, alice_household)
    theirs = open_item(charlie, charlie_household)
    other_household = HouseholdFactory(village=village_a)
    HouseholdLinkFactory(household=other_household)
    neighbours = open_item(bob, other_household, responsible=None)
    leader = UserFactory(role=User.Role.LEADER)
    AreaLinkFactory(user=leader, area=village_a.parent)
    cadre = UserFactory(role=User.Role.CADRE)
    AreaLinkFactory(user=cadre, area=village_a)

    def seen(user):
        return set(ledger_items_visible_to(user))

    assert seen(alice) == {mine}
    assert seen(charlie) == {theirs}
    assert seen(bob) == {mine, neighbours}
    assert seen(leader) == seen(cadre) == {mine, neighbours}
    assert seen(UserFactory(role=User.Role.AUDITOR)) == set()


def _ledger_of_a_unit(alice, bob, alice_household, village_a):
    today = timezone.localdate()
    open_item(alice, alice_household, "掌握的事")
    services.ledger_item_register(item=open_item(alice, alice_household, "登记的事"), actor=alice)
    delivered_item(alice, alice_household, "兑现的事")
    closed = services.ledger_item_close(item=delivered_item(alice, alice_household, "按期销号的事"), actor=bob)
    LedgerItem.objects.filter(pk=closed.pk).update(deadline=today)
    late = open_item(alice, alice_household, "超期的事", days=-2)
    other = HouseholdFactory(village=village_a, head_name="丙户主")
    HouseholdLinkFactory(household=other, officer=alice)
    for n in range(6):
        open_item(alice, other, f"别的事{n}", source=LedgerItem.Source.TOPIC_VISIT)
    return late, other


def test_unit_ledger_page_counts_states_rates_closure_and_lists_overdue_per_person(
    client, alice, bob, alice_household, village_a, django_assert_max_num_queries
):
    late, other = _ledger_of_a_unit(alice, bob, alice_household, village_a)
    client.force_login(bob)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 2):
        response = client.get(reverse("ledger:item_list"))
    summary = response.context["summary"]
    assert dict((state, count) for state, _, count in summary.by_state) == {
        "known": 8,
        "registered": 1,
        "delivered": 1,
        "closed": 1,
    }
    # Due in the period up to today: the closed one (today) and the late one (two days ago); one closed on time.
    assert (summary.of, summary.on_time) == (2, 1)
    body = response.content.decode()
    assert "50.0%" in body and 'data-testid="count-closed">1<' in body
    assert response.context["overdue_people"] == [
        {
            "responsible": alice.pk,
            "responsible__name": "艾丽",
            "responsible__username": "alice",
            "unit__name": alice.unit.name,
            "count": 1,
        }
    ]
    filtered = client.get(reverse("ledger:item_list"), {"overdue": "1"}).context["page"].object_list
    assert list(filtered) == [late]
    by_source = client.get(reverse("ledger:item_list"), {"source": "topic_visit", "village": village_a.pk})
    assert by_source.context["page"].paginator.count == 6
    assert client.get(reverse("ledger:item_list"), {"state": "closed"}).context["page"].paginator.count == 1


def test_a_bad_period_falls_back_and_says_so(client, bob):
    client.force_login(bob)
    response = client.get(reverse("ledger:item_list"), {"from": "2026-13-40"})
    assert response.status_code == 200 and "已改用默认值" in response.content.decode()


def test_administrators_have_no_ledger_page(client):
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    assert client.get(reverse("ledger:item_list")).status_code == 403


def test_my_items_lists_what_i_answer_for(client, alice, bob, alice_household, django_assert_max_num_queries):
    for n in range(5):
        open_item(alice, alice_household, f"我的事{n}", days=n - 1)
    open_item(bob, alice_household, "所长的事")
    client.force_login(alice)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(reverse("ledger:my_items"))
    body = response.content.decode()
    assert response.context["page"].paginator.count == 5 and "所长的事" not in body and "超期" in body


def test_the_printed_ledger_has_one_sheet_per_ledger_with_history(
    client, alice, bob, alice_household, village_a, django_assert_max_num_queries
):
    _ledger_of_a_unit(alice, bob, alice_household, village_a)
    client.force_login(bob)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 2):
        response = client.get(reverse("ledger:ledger_print_filtered"))
    body = response.content.decode()
    assert body.count('data-testid="ledger-sheet"') == 2
    assert "按期销号的事" in body and "销号 · 鲍勃" in body and "@page { size: A4" not in body
    single = client.get(reverse("ledger:ledger_print", args=[LedgerItem.objects.first().ledger_id]))
    assert single.content.decode().count('data-testid="ledger-sheet"') == 1


def test_officer_home_shows_items_due_this_week(client, alice, alice_household):
    open_item(alice, alice_household, "本周的事", days=0)
    open_item(alice, alice_household, "下月的事", days=40)
    delivered_item(alice, alice_household, "已兑现等销号的事", days=0)  # the head's to close, not hers to keep
    client.force_login(alice)
    queue = {q.key: q for q in client.get(reverse("home")).context["queues"]}["ledger_due"]
    assert [item.title for item in queue.items] == ["本周的事"]


def test_station_head_home_shows_items_to_close(client, alice, bob, alice_household):
    delivered_item(alice, alice_household, "等销号的事")
    client.force_login(bob)
    queues = client.get(reverse("home")).context["queues"]
    queue = {q.key: q for q in queues}["ledger_to_close"]
    assert [item.title for item in queue.items] == ["等销号的事"]
    # Above the empty queues and his own, not the eighth card of a phone's long scroll: only he may close it.
    keys = [q.key for q in queues]
    assert keys.index("ledger_to_close") < min(keys.index(q.key) for q in queues if not q.count)


def test_a_dispatched_matter_shows_in_the_officers_ledger(client, alice, alice_household, village_a):
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = dispatched_matter(duty, alice, household=alice_household, content="院门口积水")
    client.force_login(alice)
    assert "院门口积水" in client.get(reverse("ledger:my_items")).content.decode()
    item = LedgerItem.objects.get(matter=matter)
    matter_page = client.get(matter.get_absolute_url()).content.decode()
    assert "该诉求记入的台账事项" in matter_page and item.get_absolute_url() in matter_page
    # The state's badge keeps its own height beside a long text that wraps (a phone showed a tall blue bar).
    badge = re.search(r'<span class="([^"]*)" data-testid="source-ledger-item-state">掌握<', matter_page)
    assert badge and "align-self-start" in badge.group(1).split()


def test_a_matters_item_is_not_registered_or_delivered_by_hand_while_the_matter_is_handled(
    client, alice, bob, alice_household, village_a
):
    # Walkthrough: the item page offered 兑现 on a matter still 处理; the officer delivered there, the head could
    # 销号 before the resident had any answer, and 办结 then left no trace in the item's history.
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = dispatched_matter(duty, alice, household=alice_household, content="院门口积水")
    item = LedgerItem.objects.get(matter=matter)
    client.force_login(alice)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="follows-matter"' in page and 'data-testid="action-register"' not in page
    assert act(client, item, "register", note="已登记").status_code == 403
    matter = feedback_services.matter_start(matter=matter, actor=alice)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="action-deliver"' not in page and 'data-testid="action-evidence"' in page
    assert act(client, item, "deliver", note="已疏通", files=png_upload("现场.png")).status_code == 403
    client.force_login(bob)  # the head neither
    assert 'data-testid="action-deliver"' not in client.get(item.get_absolute_url()).content.decode()
    feedback_services.matter_close(matter=matter, actor=alice, result="排水沟已疏通", reply_method="phone")
    item.refresh_from_db()
    assert item.state == State.DELIVERED
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="follows-matter"' not in page and 'data-testid="action-close"' in page
    # Sent back after 办结, the item is delivered again on its own page.
    assert act(client, item, "send_back", reason="积水还在").status_code == 302
    client.force_login(alice)
    assert 'data-testid="action-deliver"' in client.get(item.get_absolute_url()).content.decode()


def test_the_period_filters_the_list_and_the_print_like_the_counts(client, alice, bob, alice_household):
    today = timezone.localdate()
    recent = open_item(alice, alice_household, "本月掌握的事")
    old = open_item(alice, alice_household, "去年掌握的事")
    LedgerItem.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
    client.force_login(bob)
    period = {"from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat()}
    response = client.get(reverse("ledger:item_list"), period)
    assert list(response.context["page"].object_list) == [recent]
    assert response.context["summary"].opened == 1 and "期内掌握的事项" in response.content.decode()
    printed = client.get(reverse("ledger:ledger_print_filtered"), period).content.decode()
    assert "本月掌握的事" in printed and "去年掌握的事" not in printed
    everything = client.get(reverse("ledger:item_list"))
    assert everything.context["page"].paginator.count == 2


def test_the_days_closed_list_the_items_closed_then_reopened_too(client, alice, bob, alice_household):
    today = timezone.localdate()
    services.ledger_item_close(item=delivered_item(alice, alice_household, "已销号的事"), actor=bob)
    reopened = services.ledger_item_close(item=delivered_item(alice, alice_household, "销号后重新整改的事"), actor=bob)
    services.ledger_item_reopen(item=reopened, actor=None, reason="回访说路灯还是不亮")
    open_item(alice, alice_household, "未销号的事")
    long_ago = services.ledger_item_close(item=delivered_item(alice, alice_household, "半年前销号的事"), actor=bob)
    QuerySet(model=LedgerItemEvent).filter(item=long_ago, to_state=State.CLOSED).update(
        at=timezone.now() - timedelta(days=200)
    )
    client.force_login(bob)
    days = {"closed_from": (today - timedelta(days=10)).isoformat(), "closed_to": today.isoformat()}
    response = client.get(reverse("ledger:item_list"), days)
    assert {item.what for item in response.context["page"].object_list} == {"已销号的事", "销号后重新整改的事"}
    assert "包括销号后又重新打开、现在未销号的" in response.content.decode()
    # the summary above the list is of the same days
    summary = response.context["summary"]
    assert (summary.start, summary.end) == (today - timedelta(days=10), today)
    assert summary.opened == 2 and dict((state, n) for state, _, n in summary.by_state)["closed"] == 1
    assert "期间销号过的 2 件(包括之后重新打开的)" in response.content.decode()
    printed = client.get(reverse("ledger:ledger_print_filtered"), days).content.decode()
    assert "销号后重新整改的事" in printed and "半年前销号的事" not in printed
    refused = client.get(reverse("ledger:item_list"), {**days, "closed_from": (today + timedelta(days=1)).isoformat()})
    assert "销号起始日期不能晚于截止日期" in refused.content.decode()


def test_the_days_closed_rate_is_of_the_closings_in_the_days_as_the_dashboard_counts(
    client, alice, bob, alice_household
):
    # The dashboard's 台账销号 says "按期 67%" of the closings in the days and opens this list: it must say the same.
    today = timezone.localdate()
    services.ledger_item_close(item=delivered_item(alice, alice_household, "按期销号的事"), actor=bob)
    late = delivered_item(alice, alice_household, "超期才销号的事")
    LedgerItem.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=3))
    services.ledger_item_close(item=LedgerItem.objects.get(pk=late.pk), actor=bob)
    reopened = services.ledger_item_close(item=delivered_item(alice, alice_household, "销号后重新整改的事"), actor=bob)
    services.ledger_item_reopen(item=reopened, actor=None, reason="回访说路灯还是不亮")
    client.force_login(bob)
    days = {"closed_from": (today - timedelta(days=10)).isoformat(), "closed_to": today.isoformat()}
    response = client.get(reverse("ledger:item_list"), days)
    summary = response.context["summary"]
    assert (summary.of, summary.on_time) == (3, 2)
    assert "期间销号 3 次,在兑现期限内 2 次" in response.content.decode()


def test_no_ledger_template_has_an_inline_style_and_photos_are_thumbnails():
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR, "templates", "ledger").glob("*.html")
    assert [t.name for t in templates if "style=" in t.read_text(encoding="utf-8")] == []
    css = Path(settings.BASE_DIR, "static", "css", "app.css").read_text(encoding="utf-8")
    assert ".evidence-thumb" in css
    detail = Path(settings.BASE_DIR, "templates", "ledger", "item_detail.html").read_text(encoding="utf-8")
    assert "evidence-thumb" in detail


def test_only_whoever_may_close_sends_a_delivered_item_back_from_its_page(client, alice, bob, alice_household):
    item = delivered_item(alice, alice_household, "装路灯")
    client.force_login(alice)
    assert 'data-testid="action-send_back"' not in client.get(item.get_absolute_url()).content.decode()
    assert act(client, item, "send_back", reason="自己退").status_code == 403
    client.force_login(bob)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="action-send_back"' in page and "退回原因" in page
    assert act(client, item, "send_back", reason="").status_code == 400
    response = act(client, item, "send_back", reason="路灯还没有装")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.REGISTERED
    assert "退回整改:路灯还没有装" in client.get(item.get_absolute_url()).content.decode()


def test_cadres_and_station_heads_find_their_items_in_the_menu_and_on_the_home_page(client, bob, alice_household):
    from tests.core.factories import PairingLinkFactory

    pairing = PairingLinkFactory(household=alice_household)
    cadre = pairing.user
    open_item(cadre, alice_household, "帮结对户修屋顶")
    client.force_login(cadre)
    home = client.get(reverse("home"))
    queue = {q.key: q for q in home.context["queues"]}["ledger_mine"]
    assert [item.title for item in queue.items] == ["帮结对户修屋顶"]
    body = home.content.decode()
    assert reverse("ledger:my_items") in body and 'data-testid="deed-hint"' in body
    assert reverse("ledger:item_open_for_household", args=[alice_household.pk]) in body
    assert "帮结对户修屋顶" in client.get(reverse("ledger:my_items")).content.decode()
    client.force_login(bob)
    assert reverse("ledger:my_items") in client.get(reverse("home")).content.decode()
    log_in_as(client, UserFactory(role=User.Role.AUDITOR))
    assert client.get(reverse("ledger:my_items")).status_code == 403


def test_home_ledger_cards_link_to_their_whole_list(client, alice, bob, alice_household):
    open_item(alice, alice_household, "本周的事", days=0)
    open_item(alice, alice_household, "下月的事", days=40)
    client.force_login(alice)
    queue = {q.key: q for q in client.get(reverse("home")).context["queues"]}["ledger_due"]
    body = client.get(reverse("home")).content.decode()
    assert f'href="{queue.url}" data-testid="todo-all"' in body.replace("&amp;", "&")
    week = client.get(queue.url)
    assert [item.what for item in week.context["page"].object_list] == ["本周的事"]
    delivered_item(alice, alice_household, "等销号的事")
    client.force_login(bob)
    to_close = {q.key: q for q in client.get(reverse("home")).context["queues"]}["ledger_to_close"]
    listed = client.get(to_close.url).context["page"].object_list
    assert [item.what for item in listed] == ["等销号的事"]


def test_reassigning_a_household_hands_its_open_items_to_the_new_officer(client, alice, bob, alice_household):
    successor = UserFactory(role=User.Role.OFFICER, unit=alice_household.village.unit, name="新民警")
    still_open = open_item(alice, alice_household, "修路灯")
    closed = services.ledger_item_close(item=delivered_item(alice, alice_household, "已办完"), actor=bob)
    someone_elses = open_item(bob, alice_household, "所长答应的事")
    client.force_login(bob)
    response = client.post(
        reverse("households:household_assign", args=[alice_household.pk]),
        {"officer": successor.pk, "start_date": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "1 件未销号的台账事项已一并转给新民警" in response.content.decode()
    still_open.refresh_from_db(), closed.refresh_from_db(), someone_elses.refresh_from_db()
    assert still_open.responsible == successor
    assert closed.responsible == alice and someone_elses.responsible == bob
    last = still_open.events.order_by("pk").last()
    assert last.actor == bob and "责任人由" in last.note and "新民警" in last.note


def test_deliver_and_evidence_forms_say_what_they_are_for_and_a_refusal_shows_beside_its_form(
    client, alice, alice_household
):
    item = services.ledger_item_register(item=open_item(alice, alice_household), actor=alice)
    client.force_login(alice)
    page = client.get(item.get_absolute_url()).content.decode()
    assert '兑现<span class="fw-normal text-muted">:写明做了什么,可附照片' in page
    assert '补充材料<span class="fw-normal text-muted">:只补充照片或文件,不改变状态' in page
    # The deliver note is required and marked so; the evidence form's fields are each optional.
    assert page.count('class="asteriskField"') == 1

    response = act(client, item, "deliver", note="  ")
    page = response.content.decode()
    assert response.status_code == 400
    # Once at the top, linked down to the form, and once inside the deliver form itself.
    assert "“兑现”没有完成" in page and 'href="#id_deliver-note"' in page
    deliver_form = page[page.index('id="action-deliver"') : page.index('id="action-evidence"')]
    assert "请写明兑现情况" in deliver_form

    response = act(client, item, "evidence", note="")
    page = response.content.decode()
    assert response.status_code == 400 and "“补充材料”没有完成" in page and 'href="#action-evidence"' in page
    evidence_form = page[page.index('id="action-evidence"') :]
    assert "请填写说明或选择要上传的文件" in evidence_form
    item.refresh_from_db()
    assert item.state == State.REGISTERED and not item.events.filter(note="").exists()


def test_history_does_not_repeat_a_step_name_as_its_note(client, alice, village_a):
    # 研判 saved without a note records "研判" as its note: the matter page says 汇报 → 研判 once.
    duty = UserFactory(role=User.Role.DUTY_OFFICER, unit=village_a.unit)
    matter = dispatched_matter(duty, alice)
    client.force_login(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    assert "→ 研判 · 研判" not in page and re.search(r"→ 研判</span>", page)


def test_the_reassign_form_asks_to_choose_and_names_each_officer_s_unit(client, bob, alice, alice_household):
    client.force_login(bob)
    page = client.get(alice_household.get_absolute_url()).content.decode()
    assert "---------" not in page and "请选择…" in page
    assert f"{alice.name}({alice.unit})" in page


def test_a_visit_page_does_not_link_an_item_its_reader_may_no_longer_open(client, alice, bob, alice_household):
    """Alice's household moved on with its item: her own visit still shows, the item's link does not (a 404)."""
    visit = VisitFactory(household=alice_household, visitor=alice)
    item = open_item(alice, alice_household, visit=visit, source=LedgerItem.Source.VISIT)
    alice_household.links.update(end_date=timezone.localdate() - timedelta(days=1), start_date=visit.visited_at.date())
    LedgerItem.objects.filter(pk=item.pk).update(responsible=bob)
    client.force_login(alice)
    page = client.get(visit.get_absolute_url())
    assert page.status_code == 200
    assert item.get_absolute_url() not in page.content.decode()
    assert client.get(item.get_absolute_url()).status_code == 404


def test_a_head_who_delivered_an_item_is_told_who_may_close_it(client, bob, station_a, alice_household):
    # A station has a second head (教导员) now: the page said only "单位负责人(兑现人以外的人)", and the 所长 who
    # delivered the item himself had to guess whom to ask.
    deputy = UserFactory(name="章泰成", post="教导员", role=User.Role.OFFICER, unit=station_a, is_unit_head=True)
    gone = {"post": "教导员", "role": User.Role.OFFICER, "unit": station_a, "is_unit_head": True, "is_active": False}
    UserFactory(name="已离任", **gone)
    item = delivered_item(bob, alice_household)
    client.force_login(bob)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="action-close"' not in page
    waiting = re.search(r'data-testid="waiting-close">([^<]*)<', page).group(1)
    assert f"{deputy}({station_a} 教导员)" in waiting
    assert "鲍勃" not in waiting and "已离任" not in waiting
