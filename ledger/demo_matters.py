"""The ledger items of the demo history's matters, kept as the live flow keeps them: an item opens when its matter
is first dispatched (掌握, from the matter as `ledger_item_open_for_matter` reads it, due on the matter's deadline),
passes to the new handler when the matter is dispatched again after 退单, is entered in the ledger (登记) when its
handler starts on the matter, and when the matter is closed is delivered (兑现) with its result and closed (销号)
the same day by the head of its unit. Four eyes: an item a station head delivered himself has no head above him in
the demo bureau, and the evaluation centre closes it on a callback instead.

A county's history has thousands of them: they are built in memory as the matters move and written in bulk with the
times the steps happened at, after the matters (seed_demo), with no audit entries, as the matters' own history.
Nothing is read back from the freshly loaded tables."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from feedback.models import Matter
from jingshi_jiafang.core.history import recorded_times
from jingshi_jiafang.core.models import Unit, User
from ledger.models import Ledger, LedgerItem, LedgerItemEvent
from ledger.services.items import (
    CLOSED_NOTE,
    STARTED_NOTE,
    delivered_note,
    follow_dispatch,
    matter_item_fields,
    new_item,
    opened_note,
)
from ledger.workflows import ALLOWED_TRANSITIONS

State = LedgerItem.State
BATCH_SIZE = 2000


class MatterItems:
    """Told of every move of the demo history's matters (`feedback.demo.seed_matter_history`); `save` writes the
    items after the matters."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = timezone.now()
        self.heads: dict[int, list[User]] = {}  # unit → its heads, the first made first
        for head in User.objects.filter(is_unit_head=True, is_active=True).order_by("pk"):
            self.heads.setdefault(head.unit_id, []).append(head)
        self.parent_of = dict(Unit.objects.values_list("pk", "parent_id"))
        self.items: dict[int, LedgerItem] = {}  # id(matter) → its item
        self.events: dict[int, list[LedgerItemEvent]] = {}  # id(item) → its history, in order
        self.ledgers: dict[object, Ledger] = {}  # a household's pk, or a matter with none → its ledger

    def moved(self, matter: Matter, at: datetime, actor: User) -> None:
        item = self.items.get(id(matter))
        if matter.state == Matter.State.DISPATCHED:
            self._dispatched(matter, item, at, actor)
        elif item is None:
            return
        elif matter.state == Matter.State.HANDLING and item.state == State.KNOWN:
            self._move(item, at, State.REGISTERED, actor, STARTED_NOTE)
        elif matter.state == Matter.State.CLOSED:
            self._closed(matter, item, at, actor)

    def _dispatched(self, matter: Matter, item: LedgerItem | None, at: datetime, dispatcher: User) -> None:
        if item is not None:
            note = follow_dispatch(item, matter)
            if note:
                item.updated_at = at
                self._event(item, at, item.state, item.state, dispatcher, note)
            return
        # No pair is seeded yet, so none makes a matter's item a pairing deed; and no topic visit has taken it up.
        item = new_item(actor=dispatcher, **matter_item_fields(matter))
        item.ledger = self._ledger_of(matter, at)
        item.created_at = item.updated_at = at
        self.items[id(matter)] = item
        self.events[id(item)] = []
        self._event(item, at, "", item.state, dispatcher, opened_note(item))

    def _closed(self, matter: Matter, item: LedgerItem, at: datetime, handler: User) -> None:
        """The handler delivers what the matter's answer says; the head above the item closes it later that day. With
        no other head above the handler, it waits at 兑现 for one, as it would live."""
        item.delivered_by, item.delivered_at = handler, at
        self._move(item, at, State.DELIVERED, handler, delivered_note(matter))
        closer = self._head_above(item.unit_id, besides=handler)
        if closer is None:
            return
        day_ends = timezone.make_aware(datetime.combine(timezone.localdate(at), time(23, 59)))
        closed = max(at, min(at + timedelta(minutes=self.rng.randint(20, 240)), day_ends, self.now))
        item.closed_by, item.closed_at = closer, closed
        self._move(item, closed, State.CLOSED, closer, CLOSED_NOTE)

    def _head_above(self, unit_id: int | None, *, besides: User) -> User | None:
        """The head of the unit or of the nearest unit above it who may close what `besides` delivered."""
        while unit_id is not None:
            for head in self.heads.get(unit_id, ()):
                if head != besides:
                    return head
            unit_id = self.parent_of.get(unit_id)
        return None

    def _ledger_of(self, matter: Matter, at: datetime) -> Ledger:
        """一户一台账, or 一事一台账 for a matter with no household; dated by its first item."""
        key = matter.household_id or id(matter)
        ledger = self.ledgers.get(key)
        if ledger is None:
            if matter.household_id:
                ledger = Ledger(kind=Ledger.Kind.HOUSEHOLD, household=matter.household)
            else:
                ledger = Ledger(kind=Ledger.Kind.MATTER, matter=matter)
            ledger.created_at = at
            self.ledgers[key] = ledger
        return ledger

    def _move(self, item: LedgerItem, at: datetime, to_state: str, actor: User, note: str) -> None:
        # The same moves as the services: a step the map does not allow is a bug here.
        assert to_state in ALLOWED_TRANSITIONS[item.state], (item.state, to_state)
        self._event(item, at, item.state, to_state, actor, note)
        item.state = to_state
        item.updated_at = at

    def _event(self, item, at, from_state, to_state, actor, note) -> None:
        self.events[id(item)].append(
            LedgerItemEvent(from_state=from_state, to_state=to_state, actor=actor, note=note, at=at)
        )

    def save(self) -> int:
        """After the matters, whose ids the ledgers and items take. Returns the number of items."""
        items = list(self.items.values())
        with recorded_times(Ledger._meta.get_field("created_at")):
            Ledger.objects.bulk_create(self.ledgers.values(), batch_size=BATCH_SIZE)
        times = [LedgerItem._meta.get_field(name) for name in ("created_at", "updated_at")]
        with recorded_times(*times):
            LedgerItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
        events = []
        for item in items:
            for event in self.events[id(item)]:
                event.item = item
                events.append(event)
        with recorded_times(LedgerItemEvent._meta.get_field("at")):
            LedgerItemEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        return len(items)
