"""Residents' matters (诉求/意见) and their flow: 汇报 → 研判 → 分流 → 处理 → 办结."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.history import AppendOnly, AppendOnlyQuerySet
from jingshi_jiafang.core.models import Area, Household, Unit, User
from visits.models import Visit

# What a person writes about a matter, bounded (the forms refuse more, and so do the services): a resident's
# account, a reply, a note on a step of the flow.
CONTENT_MAX_LENGTH = 2000
RESULT_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 1000
# The query passwords one matter may have: the one it was registered with and one for each later echo on its card,
# up to this many. Every look-up checks this many hashes, so it bounds what one costs.
QUERY_PASSWORDS_PER_MATTER = 3
# Below this confidence a topic suggestion is shown as doubtful: cross-validated on the bundled examples,
# suggestions this unsure are right only about two times in three (those above 0.9, 96 times in 100).
DOUBTFUL_SUGGESTION = 0.6


class Category(models.TextChoices):
    """The legal department's monthly classification of residents' matters."""

    PUBLIC_SECURITY = "public_security", "治安防范"
    LAW_ENFORCEMENT = "law_enforcement", "执法服务"
    FORCE_CONDUCT = "force_conduct", "队伍建设"
    LITIGATION = "litigation", "涉法涉诉"
    OTHER = "other", "其他"


def has_contact_phone(prefix: str = "") -> Q:
    """`Matter.contact_phone` in SQL: matters (through `prefix`, e.g. "matter__") with a number to reach the
    resident on. A missing household compares as NULL, which is no number."""
    return Q(**{f"{prefix}resident_phone__gt": ""}) | Q(**{f"{prefix}household__phone__gt": ""})


class Matter(models.Model):
    """A request or opinion from a resident, tracked from the moment it is heard until it is closed."""

    class Channel(models.TextChoices):
        VISIT = "visit", "走访"
        TALK_ROOM = "talk_room", "群众说事厅"
        PHONE = "phone", "电话"
        POST_BOX = "post_box", "信箱"
        ONLINE = "online", "网上"

    class State(models.TextChoices):
        REPORTED = "reported", "汇报"
        ANALYSED = "analysed", "研判"
        DISPATCHED = "dispatched", "分流"
        HANDLING = "handling", "处理"
        CLOSED = "closed", "办结"
        MERGED = "merged", "已合并"

    class Urgency(models.TextChoices):
        NORMAL = "normal", "一般"
        URGENT = "urgent", "紧急"

    class ReplyMethod(models.TextChoices):
        IN_PERSON = "in_person", "当面答复"
        PHONE = "phone", "电话答复"
        WRITTEN = "written", "书面答复"
        ONLINE = "online", "网上答复"

    reference = models.CharField("查询编号", max_length=20, unique=True)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    household = models.ForeignKey(
        Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT, related_name="matters"
    )
    # Copied from the household when the matter is registered, as a visit's village is: the dashboard's funnel
    # counts a month's matters by village without reading 600,000 households to find theirs.
    village = models.ForeignKey(
        Area, verbose_name="村/居", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    visit = models.ForeignKey(
        Visit, verbose_name="来源家访", null=True, blank=True, on_delete=models.PROTECT, related_name="matters"
    )
    echo_card = models.ForeignKey(
        "feedback.EchoCard",
        verbose_name="回音卡",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="matters")
    content = models.TextField("内容")
    resident_name = models.CharField("反映人", max_length=32, blank=True)
    resident_phone = models.CharField("反映人电话", max_length=20, blank=True)
    # The topic of record: chosen by the dispatcher at 研判, and the legal department's word once it confirms.
    category = models.CharField("类别", max_length=20, choices=Category.choices, blank=True)
    # The classifier's suggestion (feedback/services/classification.py): made at registration, renewed by the
    # monthly job until the legal department confirms a topic. It never writes `category` itself.
    category_suggested = models.CharField("建议类别", max_length=20, choices=Category.choices, blank=True)
    category_confidence = models.FloatField("建议置信度", null=True, blank=True)
    category_words = models.JSONField("建议依据", default=list, blank=True)
    category_model_version = models.PositiveIntegerField("建议模型版本", null=True, blank=True)
    category_confirmed_by = models.ForeignKey(
        User, verbose_name="类别确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category_confirmed_at = models.DateTimeField("类别确认时间", null=True, blank=True)
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.REPORTED)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="合并到", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    assigned_unit = models.ForeignKey(
        Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_matters"
    )
    assignee = models.ForeignKey(
        User, verbose_name="承办人", null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_matters"
    )
    owner = models.ForeignKey(
        User,
        verbose_name="首问责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_matters",
        help_text="群众说事厅首问责任制:谁首先接待,谁负责到底,直到移交。",
    )
    deadline = models.DateTimeField("办理期限", null=True, blank=True, db_index=True)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    reply_method = models.CharField("答复方式", max_length=16, choices=ReplyMethod.choices, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    query_password_hash = models.CharField("查询密码", max_length=128, blank=True)
    # The hidden key of the form a resident or duty officer sent: the same form sent twice (a double tap, a
    # resent POST) finds the matter of the first instead of making a second one.
    submission_key = models.UUIDField("提交标识", null=True, blank=True, unique=True, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "群众诉求"
        verbose_name_plural = "群众诉求"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="matter_unit_state_idx"),
            models.Index(fields=["assigned_unit", "state"], name="matter_assigned_state_idx"),
            models.Index(fields=["assignee", "state"], name="matter_assignee_state_idx"),
            models.Index(fields=["category", "created_at"], name="matter_category_time_idx"),
            models.Index(fields=["created_at", "village", "state"], name="matter_received_village_idx"),
            # The lists' order (feedback/selectors.py: _listed): open first, the nearest deadline, the newest. The
            # states in the order of MATTER_FLOW.open_states, as the lists' expression has them. Without it, the
            # legal department's and the evaluation centre's 全部, a county's 150,000 matters, were joined and
            # sorted on every load (1.5 s at county scale).
            models.Index(
                Case(
                    When(state__in=["reported", "analysed", "dispatched", "handling"], then=Value(0)), default=Value(1)
                ),
                "deadline",  # ascending: NULLS LAST on PostgreSQL (SQLite cannot index NULLS LAST)
                F("created_at").desc(),
                F("id").desc(),
                name="matter_listed_order_idx",
            ),
            # The legal department's review queue: a month's unconfirmed matters, least sure first.
            models.Index(
                fields=["created_at", "category_confirmed_at", "category_confidence"], name="matter_topic_review_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(state="closed") | ~Q(result=""), name="matter_closed_has_result"),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(duplicate_of__isnull=False), name="matter_merged_has_target"
            ),
            models.CheckConstraint(
                condition=Q(category_confidence__isnull=True)
                | (Q(category_confidence__gte=0) & Q(category_confidence__lte=1)),
                name="matter_category_confidence_0_1",
            ),
            models.CheckConstraint(
                condition=Q(category_confirmed_at__isnull=True)
                | (~Q(category="") & Q(category_confirmed_by__isnull=False)),
                name="matter_confirmed_topic_has_category",
            ),
        ]

    def __str__(self) -> str:
        household = f"{self.household.head_name}户:" if self.household_id else ""
        return f"{household}{self.content[:40]}"

    def save(self, *args, **kwargs):
        if self.household_id and self.village_id is None:
            self.village_id = self.household.village_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("feedback:matter_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        # The workflow is built on this model, so it is imported when first asked, not when the model is.
        from feedback.workflows import MATTER_FLOW

        return MATTER_FLOW.is_open(self.state)

    @property
    def suggestion_percent(self) -> int | None:
        """The classifier's confidence in its suggestion, in whole percent, never 100: it is never certain."""
        return None if self.category_confidence is None else min(round(self.category_confidence * 100), 99)

    @property
    def suggestion_is_doubtful(self) -> bool:
        return self.category_confidence is not None and self.category_confidence < DOUBTFUL_SUGGESTION

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < timezone.now()

    @property
    def contact_phone(self) -> str:
        """The number the resident is answered and called back on: the one they left with this matter (at the
        talk room, on the echo page), else their household's; "" when there is none (`has_contact_phone`)."""
        if self.resident_phone:
            return self.resident_phone
        return self.household.phone if self.household_id else ""


class MatterEvent(AppendOnly, models.Model):
    """Append-only history of a matter: every change of state, with who, when and a note."""

    matter = models.ForeignKey(Matter, verbose_name="诉求", on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField("原状态", max_length=16, choices=Matter.State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=16, choices=Matter.State.choices)
    actor = models.ForeignKey(User, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "诉求流转记录"
        verbose_name_plural = "诉求流转记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.matter} {self.from_state or '—'} → {self.to_state}"


class MatterHandover(models.Model):
    """首问责任制: the hand-over of a matter from its owner to the next, recorded."""

    matter = models.ForeignKey(Matter, verbose_name="诉求", on_delete=models.PROTECT, related_name="handovers")
    from_user = models.ForeignKey(User, verbose_name="移交人", on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("交接说明")

    class Meta:
        verbose_name = "诉求移交"
        verbose_name_plural = "诉求移交"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user}"


class QueryPassword(models.Model):
    """A further query password of a matter, given to a later echo on its card. Each echo form gets its own, so
    whoever holds the card and echoes again cannot cancel the password an earlier echo gave (the resident's way to
    follow their matter); the first stays on the matter (`Matter.query_password_hash`)."""

    matter = models.ForeignKey(Matter, verbose_name="诉求", on_delete=models.CASCADE, related_name="query_passwords")
    password_hash = models.CharField("查询密码", max_length=128)
    # The echo form it answered: that form sent again (a double tap, a resend) replaces this password and no other.
    submission_key = models.UUIDField("提交标识", editable=False)
    created_at = models.DateTimeField("发放时间", auto_now_add=True)

    class Meta:
        verbose_name = "查询密码"
        verbose_name_plural = "查询密码"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "submission_key"], name="querypassword_one_per_echo_form"),
        ]

    def __str__(self) -> str:
        return f"{self.matter.reference} 查询密码"
