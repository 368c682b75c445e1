"""社区公安服务队: one team per village or community, led by the community officer, and what its members do."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from feedback.models import Matter
from jingshi_jiafang.core.models import Area
from jingshi_jiafang.core.validators import validate_phone
from visits.models import Visit

ACTIVITY_NOTE_LENGTH = 1000


class ServiceTeam(models.Model):
    area = models.OneToOneField(
        Area,
        verbose_name="村/居",
        on_delete=models.PROTECT,
        related_name="service_team",
        limit_choices_to={"kind": "village"},
    )
    name = models.CharField("队名", max_length=64)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="带队社区民警", on_delete=models.PROTECT, related_name="led_teams"
    )
    created_at = models.DateTimeField("成立时间", auto_now_add=True)

    class Meta:
        verbose_name = "社区公安服务队"
        verbose_name_plural = "社区公安服务队"
        ordering = ["area__code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ledger:team_detail", args=[self.pk])


class TeamMember(models.Model):
    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", "治安志愿者"
        VILLAGE_CADRE = "village_cadre", "村干部"
        GUARD = "guard", "聘用保安"
        OTHER = "other", "其他"

    team = models.ForeignKey(ServiceTeam, verbose_name="服务队", on_delete=models.PROTECT, related_name="members")
    name = models.CharField("姓名", max_length=32)
    kind = models.CharField("身份", max_length=16, choices=Kind.choices)
    phone = models.CharField("联系电话", max_length=20, validators=[validate_phone])
    is_active = models.BooleanField("在队", default=True)

    class Meta:
        verbose_name = "服务队队员"
        verbose_name_plural = "服务队队员"
        ordering = ["team_id", "-is_active", "id"]

    def __str__(self) -> str:
        return f"{self.name}({self.get_kind_display()})"


class TeamActivity(models.Model):
    class Kind(models.TextChoices):
        EMERGENCY = "emergency", "紧急救助"
        SERVICE = "service", "日常服务"
        MEDIATION = "mediation", "纠纷调解"

    team = models.ForeignKey(ServiceTeam, verbose_name="服务队", on_delete=models.PROTECT, related_name="activities")
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=64)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    members_present = models.ManyToManyField(TeamMember, verbose_name="参加队员", related_name="activities")
    note = models.TextField("事项", max_length=ACTIVITY_NOTE_LENGTH)
    # What led to the activity, when something did: a resident's matter or a visit's finding.
    matter = models.ForeignKey(
        Matter, verbose_name="来源诉求", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visit = models.ForeignKey(
        Visit, verbose_name="来源家访", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "服务队活动"
        verbose_name_plural = "服务队活动"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["team", "-date"], name="teamactivity_team_date_idx"),
            models.Index(fields=["kind", "date"], name="teamactivity_kind_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.place}"
