"""The ledger (销号整改制): one per household visited (一户一台账) or per matter with no household (一事一台账); each
item a promise or a problem, moving 掌握 → 登记 → 兑现 → 销号 on the workflow engine (ledger/workflows.py)."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from feedback.models import Matter, TopicVisitMatter
from jingshi_jiafang.core.history import AppendOnly, AppendOnlyQuerySet
from jingshi_jiafang.core.models import Household, PairingLink, Unit, User
from jingshi_jiafang.core.uploads import private_storage
from visits.models import Visit

# Bounded texts: the forms refuse more, and so do the services.
WHAT_MAX_LENGTH = 500
FOR_WHOM_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 1000
# A promise made at the door is usually kept within a fortnight: the deadline a new item starts from.
DEFAULT_DEADLINE_DAYS = 14


class Ledger(models.Model):
    """A household's ledger, or a matter's when the matter has no household (a walk-in, a phone call)."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", "一户一台账"
        MATTER = "matter", "一事一台账"

    kind = models.CharField("台账类型", max_length=16, choices=Kind.choices)
    household = models.ForeignKey(
        Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT, related_name="ledgers"
    )
    matter = models.ForeignKey(
        Matter, verbose_name="诉求", null=True, blank=True, on_delete=models.PROTECT, related_name="ledgers"
    )
    created_at = models.DateTimeField("建账时间", auto_now_add=True)

    class Meta:
        verbose_name = "销号台账"
        verbose_name_plural = "销号台账"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(kind="household"), name="ledger_one_per_household"
            ),
            models.UniqueConstraint(fields=["matter"], condition=Q(kind="matter"), name="ledger_one_per_matter"),
            models.CheckConstraint(
                condition=Q(kind="household", household__isnull=False, matter__isnull=True)
                | Q(kind="matter", matter__isnull=False, household__isnull=True),
                name="ledger_kind_matches_subject",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.HOUSEHOLD:
            return f"{self.household.head_name}户台账"
        return f"诉求 {self.matter.reference} 台账"

    def get_absolute_url(self) -> str:
        return reverse("ledger:ledger_print", args=[self.pk])


class LedgerItem(models.Model):
    """A promise or a problem to solve: what, for whom, who answers for it, by when, and where it came from."""

    class State(models.TextChoices):
        KNOWN = "known", "掌握"
        REGISTERED = "registered", "登记"
        DELIVERED = "delivered", "兑现"
        CLOSED = "closed", "销号"

    class Source(models.TextChoices):
        VISIT = "visit", "走访"
        MATTER = "matter", "群众诉求"
        ECHO_CARD = "echo_card", "回音卡"
        TALK_ROOM = "talk_room", "群众说事厅"
        TOPIC_VISIT = "topic_visit", "专题家访"
        PAIRING_DEED = "pairing_deed", "结对实事"
        HOUSEHOLD = "household", "入户发现"

    ledger = models.ForeignKey(Ledger, verbose_name="台账", on_delete=models.PROTECT, related_name="items")
    # The household it is for, copied from its ledger or its matter: scopes and the village filter read it.
    household = models.ForeignKey(
        Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_items"
    )
    what = models.TextField("事项")
    for_whom = models.CharField("服务对象", max_length=FOR_WHOM_MAX_LENGTH, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="ledger_items")
    responsible = models.ForeignKey(
        User,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_items",
        help_text="为空时由责任单位负责。",
    )
    deadline = models.DateField("兑现期限")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.KNOWN)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    visit = models.ForeignKey(
        Visit, verbose_name="来源走访", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_items"
    )
    matter = models.ForeignKey(
        Matter, verbose_name="来源诉求", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_items"
    )
    topic_item = models.ForeignKey(
        TopicVisitMatter,
        verbose_name="来源专题家访",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_items",
    )
    # 结对实事: an item a leader or cadre opens for the household they are paired with is a practical deed of
    # that pair, counted by the pairing duty (ledger/selectors/pairing.py).
    pairing = models.ForeignKey(
        PairingLink,
        verbose_name="结对",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deeds",
    )
    delivered_by = models.ForeignKey(
        User, verbose_name="兑现人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField("兑现时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        User, verbose_name="销号人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField("重新整改次数", default=0)
    created_by = models.ForeignKey(User, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("掌握时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "台账事项"
        verbose_name_plural = "台账事项"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="ledgeritem_unit_state_idx"),
            models.Index(fields=["responsible", "state", "deadline"], name="ledgeritem_person_due_idx"),
            models.Index(fields=["state", "deadline"], name="ledgeritem_state_due_idx"),
            models.Index(fields=["source", "state"], name="ledgeritem_source_state_idx"),
        ]
        constraints = [
            # Four eyes: whoever closes an item is not whoever delivered it.
            models.CheckConstraint(
                condition=Q(closed_by__isnull=True) | ~Q(closed_by=F("delivered_by")),
                name="ledgeritem_closer_is_not_deliverer",
            ),
            # Nothing is closed without having been delivered.
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(delivered_by__isnull=False, closed_by__isnull=False),
                name="ledgeritem_closed_was_delivered",
            ),
            models.CheckConstraint(
                condition=~Q(state="delivered") | Q(delivered_by__isnull=False),
                name="ledgeritem_delivered_has_deliverer",
            ),
            # One item per matter: dispatching it again finds the item it made the first time.
            models.UniqueConstraint(
                fields=["matter"], condition=Q(matter__isnull=False), name="ledgeritem_one_per_matter"
            ),
        ]

    def __str__(self) -> str:
        return self.what[:40]

    def get_absolute_url(self) -> str:
        return reverse("ledger:item_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        # The open states are the workflow's; it is built on this model, so it is imported when first asked.
        from ledger.workflows import LEDGER_FLOW

        return LEDGER_FLOW.is_open(self.state)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()


class LedgerItemEvent(AppendOnly, models.Model):
    """Append-only history of a ledger item: every step, with who, when and what was done."""

    item = models.ForeignKey(LedgerItem, verbose_name="台账事项", on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField("原状态", max_length=16, choices=LedgerItem.State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=16, choices=LedgerItem.State.choices)
    actor = models.ForeignKey(User, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "台账流转记录"
        verbose_name_plural = "台账流转记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.from_state or '—'} → {self.to_state}"


def evidence_upload_path(instance, filename: str) -> str:
    return f"ledger/{instance.item_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class LedgerEvidence(models.Model):
    """A photo or document shown for one step of an item (a delivered promise, a receipt): private storage,
    served only through the scoped download view."""

    item = models.ForeignKey(LedgerItem, verbose_name="台账事项", on_delete=models.PROTECT, related_name="evidence")
    event = models.ForeignKey(
        LedgerItemEvent, verbose_name="流转记录", on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField("文件", storage=private_storage, upload_to=evidence_upload_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=64)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "台账佐证材料"
        verbose_name_plural = "台账佐证材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("ledger:evidence_download", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
