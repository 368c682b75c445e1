"""Two people pressing on the same item at the same moment leave one consistent item and history: the workflow
locks the row, so the second press sees what the first did."""

import pytest

from ledger import services
from ledger.errors import LedgerError
from ledger.models import LedgerItem
from tests.conftest import run_at_once
from tests.ledger.helpers import delivered_item, open_item

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_deliver_and_close_pressed_at_once_leave_one_consistent_item(alice, bob, alice_household):
    item = services.ledger_item_register(item=open_item(alice, alice_household), actor=alice)
    steps = {
        "deliver": lambda: services.ledger_item_deliver(item=item, actor=alice, note="补助已到账"),
        "close": lambda: services.ledger_item_close(item=item, actor=bob, note="核实"),
    }
    results = dict(zip(steps, run_at_once(lambda name: steps[name](), list(steps)), strict=True))
    assert isinstance(results["deliver"], LedgerItem), results
    item.refresh_from_db()
    states = list(item.events.order_by("pk").values_list("to_state", flat=True))
    if isinstance(results["close"], LedgerItem):
        # close waited for deliver's lock and found it delivered
        assert item.state == "closed" and item.closed_by == bob and item.delivered_by == alice
        assert states == ["known", "registered", "delivered", "closed"]
    else:
        assert isinstance(results["close"], LedgerError), results
        assert item.state == "delivered" and item.closed_by is None
        assert states == ["known", "registered", "delivered"]


def test_two_closes_at_once_close_it_once(alice, bob, alice_household, station_a):
    from jingshi_jiafang.core.models import User
    from tests.core.factories import UserFactory

    deputy = UserFactory(role=User.Role.OFFICER, unit=station_a, is_unit_head=True)
    item = delivered_item(alice, alice_household)
    results = run_at_once(lambda head: services.ledger_item_close(item=item, actor=head), [bob, deputy])
    assert sorted(type(result).__name__ for result in results) == ["LedgerError", "LedgerItem"], results
    item.refresh_from_db()
    assert item.state == "closed"
    assert list(item.events.values_list("to_state", flat=True)).count("closed") == 1
