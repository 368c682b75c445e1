"""Visits and what they find: the public-sentiment diary (民情日记) is made of these rows."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jingshi_jiafang.core.fields import EncryptedCharField
from jingshi_jiafang.core.models import Area, Household, Organisation, Unit


class Visit(models.Model):
    class Kind(models.TextChoices):
        DAY = "day", "昼访"
        NIGHT = "night", "夜访"
        TOPIC = "topic", "专题家访"
        # 结对联建: a leader's or cadre's monthly visit to the household they are paired with.
        PAIRING = "pairing", "结对走访"

    kind = models.CharField("家访类型", max_length=8, choices=Kind.choices, default=Kind.DAY)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT, related_name="visits"
    )
    household = models.ForeignKey(
        Household, verbose_name="户", null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    # Denormalised from the household or organisation: coverage and dashboards group by village and unit.
    village = models.ForeignKey(Area, verbose_name="村/居", on_delete=models.PROTECT, related_name="visits")
    unit = models.ForeignKey(Unit, verbose_name="走访人单位", on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField("走访时间", db_index=True)
    people_met = models.CharField("见到的人", max_length=100)
    facts_confirmed = models.BooleanField("已核对基本情况", default=True)
    opinions = models.TextField("意见建议", blank=True, max_length=2000)
    result = models.TextField("走访结果", blank=True, max_length=2000)
    explained_policy = models.BooleanField("讲政策", default=False)
    collected_opinions = models.BooleanField("议警事、征意见", default=False)
    outside_links_reason = models.CharField(
        "联系范围外走访理由", max_length=200, blank=True, help_text="走访不在自己联系范围内的户时必须填写。"
    )
    submission_key = models.UUIDField("提交标识", default=uuid.uuid4, unique=True, editable=False)
    # When the visit was entered, as against when it took place: a late entry (补录) is marked, and only a visit
    # entered within VISIT_LATE_ENTRY_HOURS keeps a night plan. Not auto_now_add, so that demo history and imports
    # can say when their visits were entered.
    created_at = models.DateTimeField("录入时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "家访"
        verbose_name_plural = "家访"
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False, organisation__isnull=True)
                | Q(household__isnull=True, organisation__isnull=False),
                name="visit_one_target",
            ),
            models.CheckConstraint(
                condition=Q(kind="night") | Q(explained_policy=False, collected_opinions=False),
                name="visit_night_topics_only_at_night",
            ),
        ]
        indexes = [
            models.Index(fields=["visitor", "-visited_at"], name="visit_visitor_time_idx"),
            models.Index(fields=["household", "-visited_at"], name="visit_household_time_idx"),
            models.Index(fields=["village", "visited_at"], name="visit_village_time_idx"),
            models.Index(fields=["unit", "kind", "visited_at"], name="visit_unit_kind_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.household or self.organisation} {self.visited_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("visits:visit_detail", args=[self.pk])

    @property
    def is_outside_links(self) -> bool:
        return bool(self.outside_links_reason)

    @property
    def is_late_entry(self) -> bool:
        """补录: entered on a later day than it took place, rather than at the door or that evening."""
        return timezone.localdate(self.created_at) > timezone.localdate(self.visited_at)


class RegistrationCorrection(models.Model):
    """整改户籍数据: one row per corrected item, so 1.4 million corrections can be counted."""

    # The values the visit form offers for the items with a fixed vocabulary; the demo history uses the same.
    MARITAL_STATUSES = ("未婚", "已婚", "离婚", "丧偶")
    EDUCATION_LEVELS = ("文盲或半文盲", "小学", "初中", "高中", "中专", "大学专科", "大学本科", "研究生")

    class Field(models.TextChoices):
        HEAD_NAME = "head_name", "户主姓名"
        ADDRESS = "address", "住址"
        PHONE = "phone", "联系电话"
        MEMBERS_COUNT = "members_count", "家庭人口"
        HEAD_ID_NUMBER = "head_id_number", "户主身份证号"
        BIRTH_DATE = "birth_date", "出生日期"
        ETHNICITY = "ethnicity", "民族"
        MARITAL_STATUS = "marital_status", "婚姻状况"
        EDUCATION = "education", "文化程度"
        EMPLOYER = "employer", "服务处所"
        MEMBER_ADDED = "member_added", "增加人员"
        MEMBER_REMOVED = "member_removed", "减少人员"
        OTHER = "other", "其他"

    visit = models.ForeignKey(Visit, verbose_name="家访", on_delete=models.PROTECT, related_name="corrections")
    household = models.ForeignKey(Household, verbose_name="户", on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField("项目", max_length=20, choices=Field.choices)
    # Old and new values can be personal data (a name, a birth date): kept encrypted like the ID number.
    old_value = EncryptedCharField("原值", blank=True, form_max_length=100)
    new_value = EncryptedCharField("新值", form_max_length=100)

    class Meta:
        verbose_name = "户籍数据整改"
        verbose_name_plural = "户籍数据整改"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.old_value} → {self.new_value}"


class Finding(models.Model):
    """What a visit found besides requests: the bureau reports each kind as a number."""

    class Kind(models.TextChoices):
        DISPUTE = "dispute", "矛盾纠纷"
        STABILITY = "stability", "维稳信息"
        CASE_CLUE = "case_clue", "破案线索"
        PROBLEM_SOLVED = "problem_solved", "解决复杂问题"

    visit = models.ForeignKey(Visit, verbose_name="家访", on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    description = models.TextField("内容", max_length=1000)
    mediated_on_spot = models.BooleanField("当场调解", default=False)

    class Meta:
        verbose_name = "走访发现"
        verbose_name_plural = "走访发现"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="dispute") | Q(mediated_on_spot=False), name="finding_only_disputes_are_mediated"
            ),
        ]
        indexes = [models.Index(fields=["kind"], name="finding_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:20]}"


class NightVisitPlan(models.Model):
    """警民夜谈: who visits which village on which night; kept or missed is read from the visits."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="民警", on_delete=models.PROTECT, related_name="night_plans"
    )
    village = models.ForeignKey(Area, verbose_name="村/居", on_delete=models.PROTECT, related_name="night_plans")
    date = models.DateField("日期")
    unit = models.ForeignKey(Unit, verbose_name="安排单位", on_delete=models.PROTECT, related_name="night_plans")
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="安排人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("安排时间", auto_now_add=True)

    class Meta:
        verbose_name = "夜访安排"
        verbose_name_plural = "夜访安排"
        ordering = ["date", "officer_id"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "date"], name="nightplan_one_village_per_officer_night"),
        ]
        indexes = [models.Index(fields=["unit", "date"], name="nightplan_unit_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.officer} → {self.village}"
