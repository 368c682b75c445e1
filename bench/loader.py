"""The bench's bulk loader: a county at a scale factor, on PostgreSQL by COPY (batched bulk_create elsewhere).

The small parts (bureau, stations, police rooms, towns and villages, users, area links, organisations) come from the
demo seeder's `_DemoCounty`, so the bench's county is shaped like the demo's. The large tables (households, their
links, visits, registration corrections, matters and their first event, next-day callbacks) are generated here in
batches and written with COPY. Every value goes through its model field's `pre_save` and `get_db_prep_save`, so ID
numbers are encrypted and keyed-hashed exactly as the models do it. Then the daily jobs build what they keep (the
dashboard's summary tables, last month's scores) and the tables are analysed.

At scale 1 (`county`): 600,000 households, about 1,000,000 visits over two years, 1,400,000 corrections, 150,000
matters and a callback per visit. Yesterday's visits get no callback: creating them is the job the bench times."""

import io
import json
import math
import random
import time as clock
import uuid
from array import array
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from evaluation.models import Callback
from evaluation.services.scores import scores_compute
from evaluation.services.summaries import summaries_refresh_range
from feedback.demo_texts import MATTER_TEXTS, RESULTS
from feedback.models import Matter, MatterEvent
from jingshi_jiafang.core.dates import add_months
from jingshi_jiafang.core.history import AppendOnly
from jingshi_jiafang.core.models import AreaLink, Household, HouseholdLink
from visits import demo
from visits.coverage import coverage_counts_keep
from visits.models import RegistrationCorrection, Visit

COUNTY = {"households": 600_000, "visits": 1_000_000, "corrections": 1_400_000, "matters": 150_000}
SCALES = {"county": 1.0, "small": 1 / 20, "tiny": 1 / 100}
DAYS = 730
# The second village's officer (mj0001) has visited each of his households in the last month, in a county that
# has households never visited: the worst case of an officer's list ordered by who is due (households.own).
DILIGENT_VILLAGE = 1
DILIGENT_OFFICER = "mj0001"
DILIGENT_DAYS = 30
BATCH = 20_000
COPY_SECONDS: dict[str, float] = {}
ETHNICITIES = ["汉族", "回族", "满族", "蒙古族"]


@dataclass
class LoadResult:
    scale: float
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # seconds


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if any(char in text for char in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Writer:
    """Model instances (with their primary keys set) to their table, by COPY on PostgreSQL."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.rows = 0

    def write(self, objects: list[models.Model]) -> None:
        if not objects:
            return
        self.rows += len(objects)
        if connection.vendor != "postgresql":
            # bulk_create stamps "now" on auto_now(_add) fields; bulk_update puts the generated times back.
            stamped = [f for f in self.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
            kept = [[getattr(obj, f.attname) for f in stamped] for obj in objects]
            self.model.objects.bulk_create(objects, batch_size=2000)
            for obj, values in zip(objects, kept, strict=True):
                for model_field, value in zip(stamped, values, strict=True):
                    if value is not None:
                        setattr(obj, model_field.attname, value)
            if stamped and not issubclass(self.model, AppendOnly):  # history rows keep the insert's time
                self.model.objects.bulk_update(objects, [f.name for f in stamped], batch_size=2000)
            return
        buffer = io.StringIO()
        for obj in objects:
            values = []
            for model_field in self.fields:
                if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
                    # A generated time is kept; pre_save would stamp "now" on every row.
                    value = getattr(obj, model_field.attname) or model_field.pre_save(obj, add=True)
                else:
                    value = model_field.pre_save(obj, add=True)
                value = model_field.get_db_prep_save(value, connection)
                if hasattr(value, "adapted"):  # psycopg2's Json adapter of a JSONField
                    value = value.adapted
                values.append(_copy_text(value))
            buffer.write("\t".join(values))
            buffer.write("\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        started = clock.perf_counter()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        COPY_SECONDS[self.model.__name__] = COPY_SECONDS.get(self.model.__name__, 0) + clock.perf_counter() - started


def _next_pk(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(model_list) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), model_list):
            cursor.execute(sql)


def no_style():
    from django.core.management.color import no_style as style

    return style()


class BenchCounty(demo._DemoCounty):
    def __init__(self, scale: float, seed: int, days: int, naming: demo.CountyNaming = demo.SHUYANG):
        super().__init__(random.Random(seed), days=days, password=settings.DEMO_PASSWORD, naming=naming)
        self.scale = scale
        self.now = timezone.now()

    def build_all(self) -> LoadResult:
        started = clock.perf_counter()
        result = LoadResult(scale=self.scale)
        total = max(200, round(COUNTY["households"] * self.scale))
        with transaction.atomic():
            bureau = self._bureau()
            # Villages of the county's size (2,000 households) at every scale: an officer's list is the same
            # length in a small county and a large one, so the bench compares like with like.
            village_total = max(2, math.ceil(total / demo.HOUSEHOLDS_PER_VILLAGE))
            town_total = min(len(demo.names.TOWNS), max(2, math.ceil(village_total / demo.VILLAGES_PER_TOWN)))
            towns, villages = self._land(bureau, town_total, village_total)
            users = self._demo_users(bureau, villages[0].unit)
            officer_by_village = self._officers(villages, users["officer"])
            self._station_heads(bureau)
            self._area_links(towns, villages, users)
            # The bench's leader is linked to every town: the dashboard it times is the county's.
            AreaLink.objects.bulk_create(
                AreaLink(user=users["leader"], area=town, start_date=self._start_date()) for town in towns[1:]
            )
            self._organisations(villages, officer_by_village)
            self.villages = villages
            self.officer_by_village = {pk: (user.pk, user.unit_id) for pk, user in officer_by_village.items()}
            self.evaluator = users["evaluator"]
            self._plan_visits(total)
            result.rows["households"] = self._households_and_links(total)
            result.rows["visits"], result.rows["corrections"], result.rows["callbacks"] = self._visits()
            result.rows["matters"] = self._matters(round(COUNTY["matters"] * self.scale))
            _reset_sequences([Household, HouseholdLink, Visit, RegistrationCorrection, Callback, Matter, MatterEvent])
            # Inside the transaction: after commit, a manual ANALYZE would wait for autovacuum's own on these tables.
            self._analyze()
            result.steps["load"] = clock.perf_counter() - started
            # What the periodic jobs keep: the dashboard's summary tables over the whole period, the ranking's
            # scores, the coverage page's counts.
            today = timezone.localdate()
            summaries_refresh_range(start=today - timedelta(days=self.days), end=today)
            this_month = today.replace(day=1)
            scores_compute(month=add_months(this_month, -1), today=today)
            scores_compute(month=this_month, today=today)
            coverage_counts_keep()
            self._analyze()
            result.steps["jobs"] = clock.perf_counter() - started - result.steps["load"]
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum does to a live database in its own time: the visibility map that lets index-only
            # scans (the dashboard's funnel) answer without reading the table. VACUUM cannot run in a transaction
            # (a test's): there the tables stay as loaded.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")
        result.seconds = clock.perf_counter() - started
        return result

    # Visits are planned first (which household, when) so households are written with their last visit.

    def _plan_visits(self, total: int) -> None:
        count = round(COUNTY["visits"] * total / COUNTY["households"])
        span = self.days * 86400
        end = (self.now - timedelta(hours=1)).timestamp()
        planned = [(end - self.rng.random() * span, self.rng.randrange(total)) for _ in range(count)]
        planned += self._diligent_visits(planned, total, end)
        planned.sort()
        self.visit_at = array("d", (at for at, _ in planned))
        self.visit_household = array("i", (household for _, household in planned))
        self.last_visit = array("d", [0.0]) * total
        for household, at in zip(self.visit_household, self.visit_at, strict=True):
            self.last_visit[household] = at  # times are sorted: the last write is the latest

    def _diligent_visits(self, planned: list[tuple[float, int]], total: int, end: float) -> list[tuple[float, int]]:
        """A visit this month to each household of the diligent village not visited this month already."""
        window = DILIGENT_DAYS * 86400
        villages = len(self.villages)
        diligent = range(DILIGENT_VILLAGE, total, villages)  # household i lies in village i % villages
        recent = {
            household for at, household in planned if at > end - window and household % villages == DILIGENT_VILLAGE
        }
        return [(end - self.rng.random() * window, household) for household in diligent if household not in recent]

    def _households_and_links(self, total: int) -> int:
        households, links = Writer(Household), Writer(HouseholdLink)
        first = self.household_pk = _next_pk(Household)
        link_pk = _next_pk(HouseholdLink)
        self.household_village = array("i")
        for start in range(0, total, BATCH):
            batch, link_batch = [], []
            for index in range(start, min(start + BATCH, total)):
                village = self.villages[index % len(self.villages)]
                last = self.last_visit[index]
                batch.append(
                    Household(
                        pk=first + index,
                        village_id=village.pk,
                        head_name=self._person_name(),
                        head_id_number=self._id_number(),
                        members_count=self.rng.choices((1, 2, 3, 4, 5, 6), weights=(8, 22, 28, 24, 12, 6))[0],
                        address=self._address(village),
                        phone=self._mobile() if self.rng.random() < 0.9 else "",
                        is_hardship=self.rng.random() < 0.01,
                        last_visited_at=datetime.fromtimestamp(last, tz=UTC) if last else None,
                    )
                )
                self.household_village.append(village.pk)
                link_batch.append(
                    HouseholdLink(
                        pk=link_pk + index,
                        officer_id=self.officer_by_village[village.pk][0],
                        household_id=first + index,
                        start_date=self._start_date(),
                    )
                )
            households.write(batch)
            links.write(link_batch)
        return households.rows

    def _visits(self) -> tuple[int, int, int]:
        visits, corrections, callbacks = Writer(Visit), Writer(RegistrationCorrection), Writer(Callback)
        visit_pk, correction_pk, callback_pk = _next_pk(Visit), _next_pk(RegistrationCorrection), _next_pk(Callback)
        yesterday = timezone.localdate() - timedelta(days=1)
        fields = [RegistrationCorrection.Field.PHONE, RegistrationCorrection.Field.ETHNICITY]
        for start in range(0, len(self.visit_at), BATCH):
            batch, correction_batch, callback_batch = [], [], []
            for index in range(start, min(start + BATCH, len(self.visit_at))):
                household = self.visit_household[index]
                village = self.household_village[household]
                officer, unit = self.officer_by_village[village]
                moment = datetime.fromtimestamp(self.visit_at[index], tz=UTC)
                pk = visit_pk + index
                batch.append(
                    Visit(
                        pk=pk,
                        kind=Visit.Kind.DAY,
                        visitor_id=officer,
                        household_id=self.household_pk + household,
                        village_id=village,
                        unit_id=unit,
                        visited_at=moment,
                        created_at=moment + timedelta(minutes=30),
                        people_met="户主本人",
                        opinions=self.rng.choice(["", "", "希望多来村里讲讲防诈骗", "对社区民警工作满意"]),
                        result="已核实情况",
                        submission_key=uuid.UUID(int=self.rng.getrandbits(128)),
                    )
                )
                # 1.4 corrections a visit on average: 0, 1, 2 or 3 of them.
                for _ in range(self.rng.choices((0, 1, 2, 3), weights=(25, 25, 31, 19))[0]):
                    item = self.rng.choice(fields)
                    new = self._mobile() if item == fields[0] else self.rng.choice(ETHNICITIES)
                    correction_batch.append(
                        RegistrationCorrection(
                            pk=correction_pk,
                            visit_id=pk,
                            household_id=self.household_pk + household,
                            field=item,
                            old_value="",
                            new_value=new,
                        )
                    )
                    correction_pk += 1
                day = timezone.localdate(moment)
                if day >= yesterday:
                    continue  # yesterday's callbacks are the job's to create (and the bench times it)
                callback_batch.append(
                    Callback(
                        pk=callback_pk,
                        source=Callback.Source.VISIT,
                        visit_id=pk,
                        household_id=self.household_pk + household,
                        village_id=village,
                        unit_id=unit,
                        worker_id=officer,
                        source_date=day,
                        due_date=day + timedelta(days=1),
                        attempts=1,
                        state=Callback.State.DONE,
                        visit_check=Callback.VisitCheck.CONFIRMED,
                        satisfaction="satisfied",
                        done_by_id=self.evaluator.pk,
                        done_at=timezone.make_aware(datetime.combine(day + timedelta(days=1), time(18))),
                    )
                )
                callback_pk += 1
            visits.write(batch)
            corrections.write(correction_batch)
            callbacks.write(callback_batch)
        return visits.rows, corrections.rows, callbacks.rows

    def _matters(self, total: int) -> int:
        """Matters heard on visits, most of them closed; the open ones spread over the units' queues."""
        matters, events = Writer(Matter), Writer(MatterEvent)
        first, event_pk = _next_pk(Matter), _next_pk(MatterEvent)
        categories = list(MATTER_TEXTS)
        visit_pk = _next_pk(Visit) - len(self.visit_at)
        # Written in the order they were registered, as a live table fills: a month's matters sit on a month's
        # pages, and updating last month's (the monthly classification) leaves this month's pages all-visible.
        heard_on = sorted(self.rng.randrange(len(self.visit_at)) for _ in range(total))
        for start in range(0, total, BATCH):
            batch, event_batch = [], []
            for index in range(start, min(start + BATCH, total)):
                visit = heard_on[index]
                household = self.visit_household[visit]
                village = self.household_village[household]
                officer, unit = self.officer_by_village[village]
                moment = datetime.fromtimestamp(self.visit_at[visit], tz=UTC) + timedelta(minutes=40)
                category = self.rng.choice(categories)
                closed = moment < self.now - timedelta(days=30) or self.rng.random() < 0.7
                batch.append(
                    Matter(
                        pk=first + index,
                        reference=f"B{first + index:010d}",
                        channel=Matter.Channel.VISIT,
                        household_id=self.household_pk + household,
                        village_id=village,
                        visit_id=visit_pk + visit,
                        unit_id=unit,
                        content=self.rng.choice(MATTER_TEXTS[category]),
                        state=Matter.State.CLOSED if closed else Matter.State.HANDLING,
                        assigned_unit_id=unit,
                        assignee_id=officer,
                        owner_id=officer,
                        deadline=moment + timedelta(days=15),
                        result=self.rng.choice(RESULTS[category]) if closed else "",
                        reply_method=Matter.ReplyMethod.PHONE if closed else "",
                        closed_at=moment + timedelta(days=3) if closed else None,
                        reported_by_id=officer,
                        created_at=moment,
                        updated_at=moment + timedelta(days=3),
                    )
                )
                event_batch.append(
                    MatterEvent(pk=event_pk + index, matter_id=first + index, to_state=Matter.State.REPORTED, at=moment)
                )
            matters.write(batch)
            events.write(event_batch)
        return matters.rows

    @staticmethod
    def _analyze() -> None:
        # Fresh statistics, or the planner takes the tables just loaded for empty and picks nested loops.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


def add_matters(count: int, start: date, end: date, *, seed: int) -> int:
    """`count` phoned-in matters registered between the days `start` and `end`, spread over the county's
    households: a month as large as the export measurement needs."""
    rng = random.Random(seed)
    owners = list(
        HouseholdLink.objects.filter(end_date__isnull=True)
        .order_by("pk")
        .values_list("household_id", "household__village_id", "officer_id", "officer__unit_id")[:5000]
    )
    first = _next_pk(Matter)
    lo = timezone.make_aware(datetime.combine(start, time(8))).timestamp()
    hi = timezone.make_aware(datetime.combine(end, time(20))).timestamp()
    categories = list(MATTER_TEXTS)
    matters = Writer(Matter)
    with transaction.atomic():
        for batch_start in range(0, count, BATCH):
            batch = []
            for index in range(batch_start, min(batch_start + BATCH, count)):
                household, village, officer, unit = rng.choice(owners)
                moment = datetime.fromtimestamp(rng.uniform(lo, hi), tz=UTC)
                category = rng.choice(categories)
                batch.append(
                    Matter(
                        pk=first + index,
                        reference=f"E{first + index:010d}",
                        channel=Matter.Channel.PHONE,
                        household_id=household,
                        village_id=village,
                        unit_id=unit,
                        content=rng.choice(MATTER_TEXTS[category]),
                        category=category,
                        state=Matter.State.CLOSED,
                        assigned_unit_id=unit,
                        assignee_id=officer,
                        owner_id=officer,
                        result=rng.choice(RESULTS[category]),
                        reply_method=Matter.ReplyMethod.PHONE,
                        closed_at=moment + timedelta(days=2),
                        reported_by_id=officer,
                        created_at=moment,
                        updated_at=moment + timedelta(days=2),
                    )
                )
            matters.write(batch)
        _reset_sequences([Matter])
    return matters.rows


# The second county of the province measurement: 泗阳县 (region 321323), its unit codes and usernames prefixed "B",
# loaded beside the first with a seed of its own (its visits' submission keys must differ from the first's).
SECOND_COUNTY = demo.CountyNaming(bureau_name="泗阳县公安局", region_code="321323", prefix="B")
SECOND_SEED = 2013


def load(scale: float, *, seed: int = 2012, days: int = DAYS, naming: demo.CountyNaming = demo.SHUYANG) -> LoadResult:
    """Load a county at `scale` (1 = the full county): into an empty database, or with a naming of its own beside
    the counties already there (the province measurement)."""
    bureau_code = naming.unit_code(demo.BUREAU_CODE)
    first = naming == demo.SHUYANG
    if (first and demo.county_exists()) or demo.Unit.objects.filter(code=bureau_code).exists():
        raise RuntimeError("The database already holds this county; the bench loads into an empty one.")
    return BenchCounty(scale, seed, days, naming).build_all()
