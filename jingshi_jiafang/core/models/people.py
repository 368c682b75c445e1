"""People, their roles, and their links to the land (联系)."""

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .organisation import Area, Household, Organisation, Unit


class User(AbstractUser):
    class Role(models.TextChoices):
        LEADER = "leader", "局领导"
        CADRE = "cadre", "中层干部"
        OFFICER = "officer", "民警"
        DUTY_OFFICER = "duty_officer", "值班民警"
        LEGAL = "legal", "法制部门"
        EVALUATOR = "evaluator", "民意访评中心"
        ADMIN = "admin", "系统管理员"
        SECURITY_ADMIN = "security_admin", "安全管理员"
        AUDITOR = "auditor", "安全审计员"

    name = models.CharField("姓名", max_length=32, blank=True)
    role = models.CharField(
        "角色",
        max_length=16,
        choices=Role.choices,
        blank=True,
        help_text="由安全管理员分配;未分配角色的用户看不到任何数据。",
    )
    unit = models.ForeignKey(Unit, verbose_name="所属单位", null=True, on_delete=models.PROTECT, related_name="members")
    post = models.CharField("职务", max_length=32, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_unit_head = models.BooleanField(
        "单位负责人", default=False, help_text="所长、主任等,可查看本单位辖区的全部数据。"
    )
    must_change_password = models.BooleanField(
        "下次登录须修改密码", default=False, help_text="管理员创建账号或重置密码后,用户首次登录必须先修改密码。"
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name or self.username

    # Django's own pages (the admin's greeting) name a user by these: the name, as every page of ours does.
    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name or self.username


class LinkQuerySet(models.QuerySet):
    def active(self, on: date | None = None) -> "LinkQuerySet":
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)


class Link(models.Model):
    """A period during which a person is responsible for a piece of the land; ended, never deleted."""

    start_date = models.DateField("开始日期", default=timezone.localdate)
    end_date = models.DateField("结束日期", null=True, blank=True, help_text="最后一天(含)。空表示仍在联系。")

    objects = LinkQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_upcoming(self) -> bool:
        """Planned ahead: it gives no access before its first day."""
        return self.start_date > timezone.localdate()


class AreaLink(Link):
    """局领导联系镇(乡)、中层干部联系村(居)."""

    user = models.ForeignKey(User, verbose_name="联系人", on_delete=models.PROTECT, related_name="area_links")
    area = models.ForeignKey(Area, verbose_name="联系区域", on_delete=models.PROTECT, related_name="links")

    class Meta:
        verbose_name = "区域联系"
        verbose_name_plural = "区域联系"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="arealink_period_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "area"], condition=Q(end_date__isnull=True), name="arealink_one_open_per_user_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.area}"


class HouseholdLink(Link):
    """民警联系户: one responsible officer per household at a time."""

    officer = models.ForeignKey(User, verbose_name="责任民警", on_delete=models.PROTECT, related_name="household_links")
    household = models.ForeignKey(Household, verbose_name="户", on_delete=models.PROTECT, related_name="links")

    class Meta:
        verbose_name = "户联系"
        verbose_name_plural = "户联系"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="householdlink_period_valid",
            ),
            models.UniqueConstraint(
                fields=["household"], condition=Q(end_date__isnull=True), name="householdlink_one_open_per_household"
            ),
        ]
        # An officer's links with what "my households" reads of them (2,000 at county scale): read from the index
        # alone, not from 2,000 table pages. PostgreSQL only: other databases skip covering indexes.
        indexes = [
            models.Index(
                fields=["officer", "end_date"], include=["household", "start_date"], name="householdlink_officer_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} ↔ {self.household}"


class OrganisationLink(Link):
    """民警联系单位."""

    officer = models.ForeignKey(
        User, verbose_name="责任民警", on_delete=models.PROTECT, related_name="organisation_links"
    )
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="links")

    class Meta:
        verbose_name = "单位联系"
        verbose_name_plural = "单位联系"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="organisationlink_period_valid",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(end_date__isnull=True),
                name="organisationlink_one_open_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} ↔ {self.organisation}"


class PairingLink(Link):
    """结对联建: a leader or cadre paired with a household in hardship (特困农户). One active pair per person; the
    pair widens their reach by that one household, so that they may see and visit it (core scopes)."""

    user = models.ForeignKey(User, verbose_name="结对人", on_delete=models.PROTECT, related_name="pairing_links")
    household = models.ForeignKey(
        Household, verbose_name="结对户", on_delete=models.PROTECT, related_name="pairing_links"
    )

    class Meta:
        verbose_name = "结对联建"
        verbose_name_plural = "结对联建"
        ordering = ["user_id", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="pairinglink_period_valid",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(end_date__isnull=True), name="pairinglink_one_open_per_user"
            ),
        ]
        indexes = [models.Index(fields=["household", "end_date"], name="pairinglink_household_idx")]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.household}"
