"""The cases of `make faults`. Each returns rows: what was sent, what PostgreSQL holds afterwards, and how many
were lost or duplicated, with a note on what happened. Counts come from the database, not from the responses."""

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import connections
from django.db.models import Count
from django.utils import timezone

from evaluation.models import Callback, DailyReview
from feedback.models import CardBatch, EchoCard, Matter
from jingshi_jiafang.core.models import AuditVerification, ExportJob, JobRun, User
from visits.models import Visit

from .officer import Phone, Stats, clear_error, error_page, form_fields, visit_id
from .seed import County, Officer


@dataclass
class Row:
    case: str
    sent: int
    stored: int
    lost: int
    duplicated: int
    note: str = ""
    failed: bool = False  # something other than a loss or a double went wrong (an unclear error, no recovery)


@dataclass
class Ledger:
    """What the officers were told, per submission."""

    accepted: dict[str, int] = field(default_factory=dict)  # submission key → visit id shown
    rejected_clearly: set[str] = field(default_factory=set)
    unclear: list[str] = field(default_factory=list)  # a response that was neither success nor a clear refusal
    error_pages: int = 0
    double_taps: int = 0
    double_tap_same_visit: int = 0
    cards_accepted: dict[str, int] = field(default_factory=dict)  # card number → visit id
    cards_rejected_clearly: int = 0
    cards_sent: int = 0
    batches_accepted: int = 0
    batches_sent: int = 0
    success_times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


REQUEST_LINE = "村口路灯坏了,晚上出行不便"


def _visit_form(phone: Phone, household: int, ledger: Ledger) -> dict[str, str] | None:
    page = phone.request("GET", f"/households/{household}/visits/new/")
    if page.status != 200:
        with ledger.lock:
            if error_page(page):
                ledger.error_pages += 1
            else:
                ledger.unclear.append(f"form {page.status}")
        return None
    values = form_fields(page.body, "submission_key")
    if not values:
        with ledger.lock:
            ledger.unclear.append("form without submission_key")
        return None
    values.update(
        kind="day",
        visited_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        people_met="户主本人",
        facts_confirmed="on",
        result="已走访,宣传了反诈知识",
        requests=REQUEST_LINE,
    )
    return values


def _submit(phone: Phone, household: int, values: dict, ledger: Ledger, *, retry_until: float = 0.0):
    """Send the form; on a failure (an error page, no answer) send the same form again while `retry_until`
    allows, as an officer would once the signal or the server is back."""
    key = values["submission_key"]
    while True:
        reply = phone.request("POST", f"/households/{household}/visits/new/", values)
        if (pk := visit_id(reply)) is not None:
            with ledger.lock:
                ledger.accepted[key] = pk
                ledger.success_times.append(time.monotonic())
            return pk
        if clear_error(reply):
            with ledger.lock:
                ledger.rejected_clearly.add(key)
            return None
        with ledger.lock:
            ledger.error_pages += error_page(reply)
            if not (time.monotonic() < retry_until):
                ledger.unclear.append(f"{reply.status}")
                return None
        time.sleep(1.0)


def _tap(results: list, phone: Phone, household: int, values: dict, ledger: Ledger) -> None:
    results.append(_submit(phone, household, values, ledger))


def _officer_evening(
    port: int, officer: Officer, stats: Stats, ledger: Ledger, deadline: float, *, think: float,
    double_tap: float, invalid: float, hand_cards: bool, retry: float = 0.0,
) -> None:  # fmt: skip
    rng = random.Random(officer.user_id)
    phone = Phone(port, officer.cookies, stats)
    thumb = Phone(port, officer.cookies, stats)  # the second tap arrives on a second connection
    cards = list(officer.cards)
    handed: list[str] = []
    time.sleep(rng.uniform(0, min(think, 0.2 * (deadline - time.monotonic()))))  # not all on the same second
    while time.monotonic() < deadline:
        household = rng.choice(officer.households)
        values = _visit_form(phone, household, ledger)
        if values is None:
            time.sleep(1.0)
            continue
        if rng.random() < invalid:
            values["visited_at"] = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        if rng.random() < double_tap:
            results: list = []
            twin = threading.Thread(target=_tap, args=(results, thumb, household, values, ledger))
            twin.start()
            pk = _submit(phone, household, values, ledger)
            twin.join()
            with ledger.lock:
                ledger.double_taps += 1
                ledger.double_tap_same_visit += results == [pk] and pk is not None
        else:
            pk = _submit(phone, household, values, ledger, retry_until=deadline + retry if retry else 0.0)
        if pk and hand_cards and cards:
            # Now and then the officer types a card already left at another house: refused with its message.
            reuse = handed and rng.random() < 0.05
            number = rng.choice(handed) if reuse else cards.pop()
            reply = phone.request(
                "POST", f"/visits/{pk}/echo-card/",
                {"csrfmiddlewaretoken": officer.cookies.get("csrftoken", ""), "card": "", "number": number},
            )  # fmt: skip
            with ledger.lock:
                ledger.cards_sent += 1
                if reply.status == 302:
                    ledger.cards_accepted[number] = pk
                    handed.append(number)
                elif clear_error(reply):
                    ledger.cards_rejected_clearly += 1
                else:
                    ledger.unclear.append(f"card {reply.status}")
        # Until the next visit, or the end of the evening: a thread idle past the deadline is not load.
        time.sleep(max(0.0, min(rng.uniform(0.5 * think, 1.5 * think), deadline - time.monotonic())))
    phone.close()
    thumb.close()


def _duty_desk(port: int, duty: Officer, stats: Stats, ledger: Ledger, deadline: float) -> None:
    """The duty officer issues a small batch of echo cards now and then, while the officers hand theirs out."""
    phone = Phone(port, duty.cookies, stats)
    phone.request("GET", "/cards/")
    while time.monotonic() < deadline:
        reply = phone.request(
            "POST", "/cards/batches/",
            {
                "csrfmiddlewaretoken": duty.cookies.get("csrftoken", ""),
                "submission_key": str(uuid.uuid4()),  # a new form each time, as the cards page gives it
                "unit": duty.unit_id,
                "count": 10,
            },
        )  # fmt: skip
        with ledger.lock:
            ledger.batches_sent += 1
            if reply.status == 302 and "/print/" in reply.location:
                ledger.batches_accepted += 1
            else:
                ledger.unclear.append(f"batch {reply.status}")
        time.sleep(5)
    phone.close()


def _run_officers(port, county: County, seconds: float, officers: int, *, duty: bool, **behaviour):
    stats, ledger = Stats(), Ledger()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_officer_evening, args=(port, officer, stats, ledger, deadline), kwargs=behaviour, daemon=True
        )
        for officer in county.officers[:officers]
    ]
    if duty:
        threads += [
            threading.Thread(target=_duty_desk, args=(port, d, stats, ledger, deadline), daemon=True)
            for d in county.duty
        ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    return stats, ledger, threads, started


def _visit_rows(label: str, ledger: Ledger, since) -> tuple[Row, Row]:
    """Every accepted submission stored exactly once with its one request (诉求); nothing stored for a refused one."""
    accepted = set(ledger.accepted)
    sent = accepted | ledger.rejected_clearly
    stored_keys = Counter(
        str(key) for key in Visit.objects.filter(created_at__gte=since).values_list("submission_key", flat=True)
    )
    lost = len(accepted - set(stored_keys))
    # A visit no accepted submission accounts for (a refused one stored anyway, a key twice) is a double.
    duplicated = sum(count for key, count in stored_keys.items() if key not in accepted) + sum(
        count - 1 for count in stored_keys.values() if count > 1
    )
    per_visit = Counter(
        dict(
            Matter.objects.filter(visit__created_at__gte=since)
            .values_list("visit_id")
            .annotate(n=Count("id"))
            .values_list("visit_id", "n")
        )
    )
    visits_stored = set(ledger.accepted.values())
    matters_lost = sum(1 for pk in visits_stored if per_visit.get(pk, 0) == 0)
    matters_doubled = sum(n - 1 for n in per_visit.values() if n > 1)
    note = (
        f"{len(accepted)} accepted, {len(ledger.rejected_clearly)} refused with a clear message and not stored; "
        f"{ledger.double_taps} double taps, {ledger.double_tap_same_visit} of them answered with the one visit"
    )
    failed = bool(ledger.unclear)
    if ledger.unclear:
        note += f"; {len(ledger.unclear)} unclear responses ({', '.join(sorted(set(ledger.unclear))[:5])})"
    visits = Row(f"{label}: visits", len(sent), len(set(stored_keys) & accepted), lost, duplicated, note, failed)
    matters = Row(
        f"{label}: requests (诉求)", len(accepted), sum(min(per_visit.get(pk, 0), 1) for pk in visits_stored),
        matters_lost, matters_doubled, "one 诉求 line per visit, registered in the visit's transaction",
    )  # fmt: skip
    return visits, matters


def _card_row(ledger: Ledger, batches_before: int) -> Row:
    handed = dict(EchoCard.objects.filter(number__in=list(ledger.cards_accepted)).values_list("number", "visit_id"))
    stored = sum(1 for number, pk in ledger.cards_accepted.items() if handed.get(number) == pk)
    # Numbering: every unit's cards of the year are 1..n, no gap, no number twice.
    gaps = doubles = total = 0
    for unit_id, year in EchoCard.objects.order_by().values_list("unit_id", "year").distinct():
        sequences = list(EchoCard.objects.filter(unit_id=unit_id, year=year).values_list("sequence", flat=True))
        total += len(sequences)
        doubles += len(sequences) - len(set(sequences))
        gaps += max(sequences) - len(set(sequences))
    doubles += EchoCard.objects.count() - EchoCard.objects.values("number").distinct().count()
    batches = CardBatch.objects.count() - batches_before
    return Row(
        "night peak: echo cards", ledger.cards_sent, stored, len(ledger.cards_accepted) - stored + gaps, doubles,
        f"{len(ledger.cards_accepted)} handed out, {ledger.cards_rejected_clearly} refused with a clear message "
        f"(a card already handed out); {ledger.batches_accepted} batches issued meanwhile ({batches} stored); "
        f"{total} card numbers, {gaps} gaps, {doubles} doubles",
        failed=batches != ledger.batches_accepted,
    )  # fmt: skip


def _warm_up(ctx) -> None:
    """A few pages per gunicorn thread before the clock starts: each worker loads its URLs and templates on its
    first requests, which is start-up, not the evening's load."""
    phone = Phone(ctx.web_port, dict(ctx.county.officers[0].cookies), Stats())
    for _ in range(ctx.web_workers * ctx.web_threads):
        phone.request("GET", f"/households/{ctx.county.officers[0].households[0]}/visits/new/")
    phone.close()


def night_peak(ctx) -> list[Row]:
    since = timezone.now()
    batches_before = CardBatch.objects.count()
    ctx.system.start_web(ctx.web_workers, ctx.web_threads)
    _warm_up(ctx)
    stats, ledger, threads, started = _run_officers(
        ctx.web_port, ctx.county, ctx.peak_seconds, ctx.officers, duty=True, think=ctx.think,
        double_tap=0.15, invalid=0.05, hand_cards=True, retry=60.0,
    )  # fmt: skip
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ctx.system.stop("web")
    visits, matters = _visit_rows("night peak", ledger, since)
    cards = _card_row(ledger, batches_before)
    visits.note += (
        f"; {ctx.officers} officers for {ctx.peak_seconds} s: {len(stats.latencies)} requests, "
        f"{len(stats.latencies) / elapsed:.1f} req/s, p95 {stats.p95_ms():.0f} ms (by page: {stats.pages()})"
    )
    ctx.peak = {"requests": len(stats.latencies), "rps": len(stats.latencies) / elapsed, "p95": stats.p95_ms()}
    return [visits, matters, cards]


# The morning jobs -----------------------------------------------------------------------------------------------


def _reset_day(day: date) -> None:
    Callback.objects.filter(source_date=day).delete()
    DailyReview.objects.filter(day=day).delete()


def _day_effects(day: date, expected: int) -> tuple[int, int, int]:
    """(sources called back, doubles, reviews) of `day`'s visits."""
    calls = Callback.objects.filter(source=Callback.Source.VISIT, visit__visited_at__date=day)
    total = calls.count()
    distinct = calls.values("visit_id").distinct().count()
    return distinct, total - distinct, DailyReview.objects.filter(day=day).count()


def _wait(condition, seconds: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        connections.close_all()
        if condition():
            return time.monotonic() - start
        time.sleep(0.5)
    return None


def worker_killed(ctx) -> list[Row]:
    from evaluation.tasks import create_callbacks_task, daily_review_task

    day = ctx.busy_day
    rows = []
    for how in ("pool processes", "whole worker"):
        _reset_day(day)
        ctx.system.start_worker()
        mark = ctx.system.log_text("worker").count("create_callbacks_task[")
        create_callbacks_task.delay(day.isoformat())
        daily_review_task.delay(day.isoformat())
        received_by = time.monotonic() + 30
        while ctx.system.log_text("worker").count("create_callbacks_task[") <= mark and time.monotonic() < received_by:
            time.sleep(0.02)
        time.sleep(ctx.kill_after)
        written, _, reviews = _day_effects(day, ctx.busy_visits)
        # Only a kill before the callbacks committed is a kill mid-job; after it, the case proved nothing.
        mid_job = written < ctx.busy_visits
        if how == "pool processes":
            # The pool process running the job dies (kill -9, the kernel's OOM killer): the worker notices, and
            # task_reject_on_worker_lost puts the task back on the queue at once.
            for pid in ctx.system.worker_children():
                ctx.system_kill_pid(pid)
        else:
            # The whole worker dies: nobody is left to put the task back. It stays unacknowledged in Redis and is
            # delivered again once the visibility timeout has passed.
            ctx.system.kill("worker")
            ctx.system.start_worker()
        took = _wait(lambda: _day_effects(day, ctx.busy_visits)[0] == ctx.busy_visits
                     and DailyReview.objects.filter(day=day).exists(), ctx.recover_seconds)  # fmt: skip
        # Let any second delivery of the same tasks run too: it must change nothing.
        _wait(lambda: ctx.redis.queued() == 0 and ctx.redis.unacked() == 0, ctx.recover_seconds)
        time.sleep(2)
        called, doubles, reviews_after = _day_effects(day, ctx.busy_visits)
        ctx.system.kill("worker")
        rows.append(
            Row(
                f"worker killed mid-job ({how})", ctx.busy_visits + 1, called + min(reviews_after, 1),
                ctx.busy_visits - called + (reviews_after == 0), doubles + max(reviews_after - 1, 0),
                f"kill -9 while create_callbacks and run_daily_review ran on a day of {ctx.busy_visits} visits "
                f"({written} callbacks, {reviews} reviews committed at the kill); "
                + (f"all done {took:.0f} s later" if took is not None else "NOT finished in time"),
                failed=took is None or not mid_job,
            )
        )  # fmt: skip
    return rows


def redis_restarted(ctx) -> list[Row]:
    from evaluation.tasks import create_callbacks_task, daily_review_task
    from jingshi_jiafang.core.tasks import export_job_task

    day = ctx.busy_day
    _reset_day(day)
    auditor = User.objects.get_or_create(username="faults-auditor", defaults={"role": User.Role.AUDITOR})[0]
    exports_dir = Path(ctx.private_root) / "exports"
    files_before = len(list(exports_dir.glob("*.xlsx"))) if exports_dir.exists() else 0

    def job() -> ExportJob:
        return ExportJob.objects.create(kind=ExportJob.Kind.AUDIT_LOG, requested_by=auditor, filename="faults.xlsx")

    queued = [job() for _ in range(ctx.queued_jobs)]
    for export in queued:
        export_job_task.delay(export.pk)
    create_callbacks_task.delay(day.isoformat())
    daily_review_task.delay(day.isoformat())
    before = ctx.redis.queued()
    ctx.redis.stop()
    # While Redis is down, jobs are still asked for: their rows commit, their queueing fails (as an enqueue after
    # commit does when the broker is gone or the process dies right after the commit).
    lost_enqueue = [job() for _ in range(ctx.queued_jobs // 2)]
    failed_enqueues = 0
    for export in lost_enqueue:
        try:
            export_job_task.apply_async((export.pk,), retry=False)
        except Exception:  # noqa: BLE001 — kombu's connection error: what a request would log, then go on
            failed_enqueues += 1
    ctx.redis.start()
    after = ctx.redis.queued()
    ctx.system.start_worker()
    reconciled = ctx.system.manage("reconcile_jobs", extra_env={"RECONCILE_GRACE_SECONDS": "0"})
    everything = [e.pk for e in queued + lost_enqueue]

    def done() -> bool:
        ready = ExportJob.objects.filter(pk__in=everything, status=ExportJob.Status.READY).count()
        return (
            ready == len(everything)
            and DailyReview.objects.filter(day=day).exists()
            and (_day_effects(day, ctx.busy_visits)[0] == ctx.busy_visits)
        )

    took = _wait(done, ctx.recover_seconds)
    _wait(lambda: ctx.redis.queued() == 0 and ctx.redis.unacked() == 0, ctx.recover_seconds)
    time.sleep(2)
    ctx.system.kill("worker")
    ready = set(ExportJob.objects.filter(pk__in=everything, status=ExportJob.Status.READY).values_list("pk", flat=True))
    files = len(list(exports_dir.glob("*.xlsx"))) - files_before
    called, doubles, reviews = _day_effects(day, ctx.busy_visits)
    queued_ready = sum(1 for e in queued if e.pk in ready)
    lost_ready = sum(1 for e in lost_enqueue if e.pk in ready)
    return [
        Row(
            "Redis restarted: tasks queued", len(queued) + ctx.busy_visits + 1,
            queued_ready + called + min(reviews, 1),
            len(queued) - queued_ready + ctx.busy_visits - called + (reviews == 0),
            max(files - len(ready), 0) + doubles + max(reviews - 1, 0),
            f"{len(queued)} exports + callbacks and review of a {ctx.busy_visits}-visit day: {before} tasks queued "
            f"before the restart, {after} after it (append-only file); "
            + (f"all done {took:.0f} s after restart" if took is not None else "NOT finished in time"),
            failed=took is None,
        ),
        Row(
            "Redis restarted: enqueue lost in the outage", len(lost_enqueue), lost_ready,
            len(lost_enqueue) - lost_ready, 0,
            f"{failed_enqueues} exports committed while Redis was down, their queueing failed; the reconciler "
            f"queued them again ({reconciled}); {files} files written for {len(ready)} exports",
            failed=took is None,
        ),
    ]  # fmt: skip


def _succeeded(log: str, task: str) -> int:
    return sum(1 for line in log.splitlines() if f"{task}[" in line and " succeeded " in line)


def two_beats(ctx) -> list[Row]:
    day = ctx.busy_day
    _reset_day(day)
    JobRun.objects.all().delete()
    AuditVerification.objects.all().delete()
    jobs = ("create_callbacks_task", "daily_review_task", "audit_verify_task")
    marks = {name: _succeeded(ctx.system.log_text("worker"), name) for name in jobs}
    ctx.system.start_worker()
    for name in ("beat-a", "beat-b"):
        ctx.system.start_beat(name, ctx.tmp)
    time.sleep(ctx.beats_seconds)
    for name in ("beat-a", "beat-b"):
        ctx.system.stop(name)
    _wait(lambda: ctx.redis.queued() == 0 and ctx.redis.unacked() == 0, ctx.recover_seconds)
    time.sleep(2)
    ctx.system.kill("worker")
    log = ctx.system.log_text("worker")
    runs = {name: _succeeded(log, name) - marks[name] for name in jobs}
    called, doubles, reviews = _day_effects(day, ctx.busy_visits)
    verifications = AuditVerification.objects.count()
    sent = ctx.busy_visits + 2  # every visit's callback, the day's review, the day's audit verification
    stored = called + min(reviews, 1) + min(verifications, 1)
    return [
        Row(
            "two beats", sent, stored, sent - stored,
            doubles + max(reviews - 1, 0) + max(verifications - 1, 0),
            f"two beats for {ctx.beats_seconds} s queued the morning jobs every {ctx.beat_every} s: "
            f"create_callbacks ran {runs['create_callbacks_task']} times, daily_review "
            f"{runs['daily_review_task']}, audit_verify {runs['audit_verify_task']}; once per day each "
            f"({called} callbacks, {reviews} review, {verifications} verification)",
            failed=min(runs.values()) < 2,
        )
    ]  # fmt: skip


def postgres_restarted(ctx) -> list[Row]:
    since = timezone.now()
    # Persistent connections, as in production: CONN_HEALTH_CHECKS must replace the ones the restart broke.
    ctx.system.start_web(2, 4, {"DATABASE_CONN_MAX_AGE": "60"})
    stats, ledger, threads, started = _run_officers(
        ctx.web_port, ctx.county, ctx.pg_seconds, ctx.pg_officers, duty=False, think=1.0, double_tap=0.0,
        invalid=0.0, hand_cards=False, retry=60.0,
    )  # fmt: skip
    time.sleep(ctx.pg_seconds / 3)
    connections.close_all()
    ctx.pg.stop("fast")
    down_at = time.monotonic()
    time.sleep(ctx.pg_down_seconds)
    ctx.pg.start()
    up_at = time.monotonic()
    for thread in threads:
        thread.join()
    ctx.system.stop("web")
    connections.close_all()
    visits, _ = _visit_rows("PostgreSQL restarted", ledger, since)
    recovered = min((t for t in ledger.success_times if t > up_at), default=None)
    # No partial record: every stored visit of the case has its request registered with it.
    partial = Visit.objects.filter(created_at__gte=since).annotate(n=Count("matters")).exclude(n=1).count()
    visits.duplicated += partial
    visits.case = "PostgreSQL restarted under load"
    visits.note = (
        f"{ctx.pg_officers} officers for {ctx.pg_seconds} s, PostgreSQL down {up_at - down_at:.0f} s: "
        f"{ledger.error_pages} requests answered with the error page meanwhile, each form sent again until stored; "
        f"{partial} partial records; "
        + (f"serving again {recovered - up_at:.1f} s after PostgreSQL was back without a restart"
           if recovered else "did NOT recover")
    )  # fmt: skip
    if ledger.unclear:
        visits.note += f"; {len(ledger.unclear)} unclear responses ({', '.join(sorted(set(ledger.unclear))[:5])})"
    visits.failed = visits.failed or not recovered or ledger.error_pages == 0
    return [visits]


CASES = {
    "night-peak": night_peak,
    "worker-killed": worker_killed,
    "redis-restarted": redis_restarted,
    "two-beats": two_beats,
    "postgres-restarted": postgres_restarted,
}
