"""The county the cases run on: police rooms of 20 officers each, five linked households per officer, each
room's duty officer and a stock of echo cards; a busy day of visits for the morning jobs."""

import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from feedback.services.cards import MAX_BATCH, card_batch_issue
from jingshi_jiafang.core.models import Household, HouseholdLink, Unit, User
from tests.core.factories import (
    BureauFactory,
    HouseholdFactory,
    PoliceRoomFactory,
    StationFactory,
    TownFactory,
    VillageFactory,
)
from visits.models import Visit

OFFICERS_PER_ROOM = 20
HOUSEHOLDS_PER_OFFICER = 5


@dataclass
class Officer:
    user_id: int
    unit_id: int
    cookies: dict[str, str]
    households: list[int]
    cards: list[str] = field(default_factory=list)


@dataclass
class County:
    officers: list[Officer]
    duty: list[Officer]  # one per police room: issues echo card batches


def _signed_in(user: User) -> dict[str, str]:
    """A session as the login page leaves it (the officers are already signed in when the evening starts)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"sessionid": session.session_key}


def county_seed(*, officers: int, cards_per_officer: int) -> County:
    station = StationFactory(parent=BureauFactory())
    town = TownFactory(unit=station)
    rooms = [PoliceRoomFactory(parent=station) for _ in range(math.ceil(officers / OFFICERS_PER_ROOM))]
    villages = {room.pk: VillageFactory(parent=town, unit=room) for room in rooms}
    unusable = make_password(None)  # signed in by session: no password hashing for 200 people
    users = User.objects.bulk_create(
        User(username=f"faults{n}", name=f"民警{n}", role=User.Role.OFFICER, unit=rooms[n // OFFICERS_PER_ROOM],
             password=unusable)
        for n in range(officers)
    )  # fmt: skip
    duty_users = User.objects.bulk_create(
        User(username=f"faults-duty{n}", name=f"值班{n}", role=User.Role.DUTY_OFFICER, unit=room, password=unusable)
        for n, room in enumerate(rooms)
    )
    households = Household.objects.bulk_create(
        HouseholdFactory.build(village=villages[user.unit_id]) for user in users for _ in range(HOUSEHOLDS_PER_OFFICER)
    )
    start = timezone.localdate() - timedelta(days=60)
    HouseholdLink.objects.bulk_create(
        HouseholdLink(officer=users[n // HOUSEHOLDS_PER_OFFICER], household=household, start_date=start)
        for n, household in enumerate(households)
    )
    county = County(
        officers=[
            Officer(user.pk, user.unit_id, _signed_in(user), [h.pk for h in households[n * 5 : n * 5 + 5]])
            for n, user in enumerate(users)
        ],
        duty=[Officer(user.pk, user.unit_id, _signed_in(user), []) for user in duty_users],
    )
    # Each officer carries their own cards: the room's stock split between its officers.
    for room, duty in zip(rooms, duty_users, strict=True):
        mine = [o for o in county.officers if o.unit_id == room.pk]
        numbers: list[str] = []
        needed = cards_per_officer * len(mine)
        while len(numbers) < needed:
            batch = card_batch_issue(unit=room, count=min(MAX_BATCH, needed - len(numbers)), actor=duty)
            numbers += list(batch.cards.order_by("sequence").values_list("number", flat=True))
        for n, officer in enumerate(mine):
            officer.cards = numbers[n * cards_per_officer : (n + 1) * cards_per_officer]
    return county


def busy_day_seed(*, day: date, visits: int) -> int:
    """`visits` visits on `day` by the county's officers at their own households, entered that day: the work of
    the next morning's callbacks job. Returns how many."""
    links = list(HouseholdLink.objects.select_related("officer", "household").order_by("pk"))
    moment = datetime.combine(day, time(19, 30), timezone.get_current_timezone())
    rows = []
    for n in range(visits):
        link = links[n % len(links)]
        when = moment + timedelta(seconds=n % 7200)
        rows.append(
            Visit(
                kind=Visit.Kind.DAY, visitor=link.officer, household=link.household,
                village_id=link.household.village_id, unit_id=link.officer.unit_id, visited_at=when,
                created_at=when, people_met="户主本人", submission_key=uuid.uuid4(),
            )
        )  # fmt: skip
    Visit.objects.bulk_create(rows, batch_size=2000)
    return visits


def rooms() -> list[Unit]:
    return list(Unit.objects.filter(kind=Unit.Kind.POLICE_ROOM).order_by("pk"))
