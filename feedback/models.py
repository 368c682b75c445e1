from django.conf import settings
from django.db import models
from django.urls import reverse

from visits.models import Household, Unit, User, Visit


class Category(models.TextChoices):
    """The legal department's monthly classification of residents' matters."""

    PUBLIC_SECURITY = "public_security", "治安防范"
    LAW_ENFORCEMENT = "law_enforcement", "执法服务"
    FORCE_CONDUCT = "force_conduct", "队伍建设"
    LITIGATION = "litigation", "涉法涉诉"
    OTHER = "other", "其他"


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

    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    household = models.ForeignKey(
        Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT, related_name="matters"
    )
    visit = models.ForeignKey(
        Visit, verbose_name="来源家访", null=True, blank=True, on_delete=models.PROTECT, related_name="matters"
    )
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="matters")
    content = models.TextField("内容")
    category = models.CharField("类别", max_length=20, choices=Category.choices, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.REPORTED)
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
            models.Index(fields=["category", "created_at"], name="matter_category_time_idx"),
        ]

    def __str__(self) -> str:
        household = f"{self.household.head_name}户:" if self.household_id else ""
        return f"{household}{self.content[:40]}"


class MatterEvent(models.Model):
    """Append-only history of a matter: every change of state, with who, when and a note."""

    matter = models.ForeignKey(Matter, verbose_name="诉求", on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField("原状态", max_length=16, choices=Matter.State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=16, choices=Matter.State.choices)
    actor = models.ForeignKey(User, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "诉求流转记录"
        verbose_name_plural = "诉求流转记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.matter} {self.from_state or '—'} → {self.to_state}"


class TopicVisit(models.Model):
    """专题家访: a bureau leader takes a month's matters of one category, with the departments concerned,
    into the homes they came from."""

    leader = models.ForeignKey(User, verbose_name="带队领导", on_delete=models.PROTECT, related_name="topic_visits")
    category = models.CharField("专题类别", max_length=20, choices=Category.choices)
    month = models.DateField("月份", help_text="该月第一天。")
    title = models.CharField("主题", max_length=100)
    departments = models.CharField("参加部门", max_length=200, help_text="如:法制大队、治安大队、城东派出所")
    staff = models.ManyToManyField(User, verbose_name="参加人员", blank=True, related_name="topic_visits_joined")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "专题家访"
        verbose_name_plural = "专题家访"
        ordering = ["-month", "-id"]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月} {self.get_category_display()} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:topic_visit_detail", args=[self.pk])


class TopicVisitMatter(models.Model):
    """A matter taken on a topic visit, and the solution agreed with the resident face to face."""

    topic_visit = models.ForeignKey(TopicVisit, verbose_name="专题家访", on_delete=models.PROTECT, related_name="items")
    matter = models.ForeignKey(Matter, verbose_name="诉求", on_delete=models.PROTECT, related_name="topic_items")
    agreed_solution = models.TextField("商定的解决办法", blank=True)
    visit = models.ForeignKey(
        Visit, verbose_name="入户记录", null=True, blank=True, on_delete=models.PROTECT, related_name="topic_items"
    )

    class Meta:
        verbose_name = "专题家访事项"
        verbose_name_plural = "专题家访事项"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["topic_visit", "matter"], name="topicvisitmatter_once_per_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_visit} · {self.matter}"
