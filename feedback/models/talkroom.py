"""Talk rooms (群众说事厅): the 24-hour duty roster and the scheduled callbacks of walk-in residents."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from jingshi_jiafang.core.models import Unit

from .matters import Matter

# A running shift entered this recently can still be taken back: a slip of the picker, not yet a record.
SHIFT_UNDO_WINDOW = timedelta(minutes=10)
# As the roster says it: "10 分钟内".
SHIFT_UNDO_MINUTES = int(SHIFT_UNDO_WINDOW.total_seconds() // 60)


class DutyShift(models.Model):
    police_room = models.ForeignKey(
        Unit, verbose_name="中心警务室", on_delete=models.PROTECT, related_name="duty_shifts"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="值班民警", on_delete=models.PROTECT, related_name="duty_shifts"
    )
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    # Empty for the shifts entered before it was kept.
    created_at = models.DateTimeField("登记时间", auto_now_add=True, null=True)

    class Meta:
        verbose_name = "值班班次"
        verbose_name_plural = "值班班次"
        ordering = ["starts_at", "id"]
        # On PostgreSQL an exclusion constraint also refuses two overlapping shifts of one officer; it lives in
        # migration 0004 only, since SQLite cannot carry it (see there).
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="dutyshift_ends_after_start"),
        ]
        indexes = [models.Index(fields=["police_room", "starts_at"], name="dutyshift_room_start_idx")]

    def __str__(self) -> str:
        return f"{self.police_room} {self.officer} {self.starts_at:%m-%d %H:%M}"

    @property
    def removable(self) -> bool:
        """Not begun (entered ahead, by mistake or to free its officer for a night visit), or running and entered
        minutes ago (a wrong officer picked for a gap that began at once). Anything else is the record of who kept
        the room."""
        now = timezone.now()
        if self.starts_at > now:
            return True
        just_entered = self.created_at is not None and now - self.created_at < SHIFT_UNDO_WINDOW
        return self.ends_at > now and just_entered


class TalkRoomCallback(models.Model):
    """定期回访制: a walk-in resident is called back on a set day; not satisfied reopens the matter. A resident who
    rates the answer on the status page gives the same result themselves: a row with no `done_by`."""

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        FAIRLY_SATISFIED = "fairly_satisfied", "基本满意"
        NOT_SATISFIED = "not_satisfied", "不满意"
        UNREACHABLE = "unreachable", "联系不上"

    matter = models.ForeignKey(Matter, verbose_name="诉求", on_delete=models.PROTECT, related_name="callbacks")
    due_date = models.DateField("回访日期", db_index=True)
    outcome = models.CharField("回访结果", max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField("回访情况", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField("回访时间", null=True, blank=True)

    class Meta:
        verbose_name = "说事厅回访"
        verbose_name_plural = "说事厅回访"
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "due_date"], name="talkroomcallback_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.matter} {self.due_date}"
