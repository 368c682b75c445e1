"""A small month built by hand (October 2026), whose scores the tests know to the cent.

alice (officer, police room A under station A) is linked to four households of village A; a fifth household
there is linked to nobody. In October:
- visits: alice visits h1 (twice) and h2 by day, h4 at night → her coverage 3/4; the village's 3/5;
- night plans: two, one kept (a night visit that evening, entered in time), one missed → 1/2;
- callbacks: h1's visit confirmed and satisfied, h2's visit denied (a false visit) and not satisfied → 1/2, 1/2,
  one false visit;
- matters assigned to alice due in October: one closed in time, one still open → 1/2;
- ledger items alice answers for due in October: closed in time, closed late, still open → 1/3.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from evaluation.models import Callback, Satisfaction
from feedback.models import Matter
from jingshi_jiafang.core.models import Household, User
from ledger.models import Ledger, LedgerItem
from tests.core.factories import HouseholdFactory, HouseholdLinkFactory, UserFactory
from tests.evaluation.factories import VisitCallbackFactory
from tests.visits.factories import NightVisitPlanFactory, VisitFactory
from visits.models import Visit

MONTH = date(2026, 10, 1)
TODAY = date(2026, 11, 15)  # October is over: every plan, deadline and callback of it is judged


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class HandBuiltMonth:
    households: list[Household]
    unlinked: Household
    evaluator: User
    false_visit: Visit
    late_item: LedgerItem
    open_matter: Matter


def ensure_default_weights() -> None:
    """The data migration's weights: a test with transaction=True starts from a flushed database without them."""
    from evaluation.models import ScoreWeight
    from evaluation.selectors.scores import DEFAULT_WEIGHTS

    if not ScoreWeight.objects.exists():
        ScoreWeight.objects.bulk_create(
            ScoreWeight(subject_kind=kind, metric=metric, weight=weight, valid_from=date(2000, 1, 1))
            for kind, weights in DEFAULT_WEIGHTS.items()
            for metric, weight in weights.items()
        )


def build_month(*, alice, bob, village_a) -> HandBuiltMonth:
    ensure_default_weights()
    households = [HouseholdFactory(village=village_a, head_name=f"户{n}") for n in range(1, 5)]
    for household in households:
        HouseholdLinkFactory(officer=alice, household=household, start_date=date(2026, 9, 1))
    unlinked = HouseholdFactory(village=village_a, head_name="无人联系户")
    h1, h2 = households[0], households[1]
    v1 = VisitFactory(visitor=alice, household=h1, visited_at=at(date(2026, 10, 5)))
    VisitFactory(visitor=alice, household=h1, visited_at=at(date(2026, 10, 20)))
    v2 = VisitFactory(visitor=alice, household=h2, visited_at=at(date(2026, 10, 6)))
    # A September visit counts for nothing in October.
    VisitFactory(visitor=alice, household=households[2], visited_at=at(date(2026, 9, 30)))

    kept_day, missed_day = date(2026, 10, 12), date(2026, 10, 14)  # a Monday and a Wednesday
    NightVisitPlanFactory(officer=alice, village=village_a, date=kept_day, planned_by=bob)
    NightVisitPlanFactory(officer=alice, village=village_a, date=missed_day, planned_by=bob)
    night = at(kept_day, 20, 30)
    VisitFactory(visitor=alice, household=households[3], visited_at=night, kind=Visit.Kind.NIGHT, created_at=night)

    evaluator = UserFactory(role=User.Role.EVALUATOR, unit=bob.unit.parent or bob.unit, name="访评员")
    done = {"state": Callback.State.DONE, "done_by": evaluator, "done_at": at(date(2026, 10, 7))}
    VisitCallbackFactory(
        visit=v1, visit_check=Callback.VisitCheck.CONFIRMED, satisfaction=Satisfaction.SATISFIED, **done
    )
    VisitCallbackFactory(
        visit=v2, visit_check=Callback.VisitCheck.DENIED, satisfaction=Satisfaction.NOT_SATISFIED, **done
    )
    # Not reached yet: counts for nothing.
    VisitCallbackFactory(visit=Visit.objects.filter(household=h1).order_by("-visited_at").first())

    room = village_a.unit
    common = {"channel": Matter.Channel.VISIT, "unit": room, "assignee": alice, "household": h1}
    Matter.objects.create(
        reference="M-ON-TIME",
        content="路灯坏了",
        state=Matter.State.CLOSED,
        deadline=at(date(2026, 10, 10)),
        closed_at=at(date(2026, 10, 9)),
        result="已修好",
        **common,
    )
    open_matter = Matter.objects.create(
        reference="M-OPEN", content="邻里纠纷", state=Matter.State.HANDLING, deadline=at(date(2026, 10, 20)), **common
    )
    ledger = Ledger.objects.create(kind=Ledger.Kind.HOUSEHOLD, household=h1)
    item = {"ledger": ledger, "household": h1, "unit": room, "responsible": alice, "source": LedgerItem.Source.VISIT}
    closed = {"state": LedgerItem.State.CLOSED, "delivered_by": alice, "closed_by": bob}
    LedgerItem.objects.create(
        what="修门", deadline=date(2026, 10, 10), closed_at=at(date(2026, 10, 10), 18), **item, **closed
    )
    late_item = LedgerItem.objects.create(
        what="修路", deadline=date(2026, 10, 11), closed_at=at(date(2026, 10, 12)), **item, **closed
    )
    LedgerItem.objects.create(what="办证", deadline=date(2026, 10, 15), state=LedgerItem.State.REGISTERED, **item)
    return HandBuiltMonth(households, unlinked, evaluator, v2, late_item, open_matter)
