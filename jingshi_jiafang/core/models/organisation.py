"""The organisation (units) and the land (areas, households, organisations)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from jingshi_jiafang.core.fields import EncryptedCharField, KeyedHashField
from jingshi_jiafang.core.validators import validate_id_number, validate_phone, validate_unit_code


class Unit(models.Model):
    class Kind(models.TextChoices):
        BUREAU = "bureau", "县公安局"
        STATION = "station", "派出所"
        POLICE_ROOM = "police_room", "中心警务室"
        DEPARTMENT = "department", "局机关部门"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=64)
    code = models.CharField(
        "单位代码",
        max_length=8,
        unique=True,
        validators=[validate_unit_code],
        help_text="用于回音卡编号,如 SY、XC。",
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    phone = models.CharField(
        "值班电话",
        max_length=20,
        blank=True,
        validators=[validate_phone],
        help_text="印在本单位的回音卡上,群众可打电话回音。中心警务室填说事厅的24小时值班电话。",
    )

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="bureau", parent__isnull=True) | (~Q(kind="bureau") & Q(parent__isnull=False)),
                name="unit_only_bureau_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # What each kind of unit sits under. Levels only go down, so no unit ends up under itself: a unit set as its
    # own parent sent every walk up the tree (the echo-card prefix, scopes) round for ever.
    PARENT_KIND = {Kind.STATION: Kind.BUREAU, Kind.DEPARTMENT: Kind.BUREAU, Kind.POLICE_ROOM: Kind.STATION}

    def clean(self):
        expected = self.PARENT_KIND.get(self.kind)
        if self.kind == self.Kind.BUREAU and self.parent_id is not None:
            raise ValidationError({"parent": "县公安局是最上级单位,不设上级单位。"})
        if expected is not None and (self.parent is None or self.parent.kind != expected):
            kind, parent_kind = self.get_kind_display(), self.Kind(expected).label
            raise ValidationError({"parent": f"{kind}的上级单位应是一个{parent_kind}。"})
        if self.pk is not None:
            self._check_children_stay_valid()

    def _check_children_stay_valid(self) -> None:
        misplaced = [child for child in self.children.all() if self.PARENT_KIND.get(child.kind) != self.kind]
        if misplaced:
            names = "、".join(str(child) for child in misplaced[:3])
            raise ValidationError(
                {"kind": f"本单位下有{names}等下级单位,改为{self.get_kind_display()}后它们的上级不对。"}
            )


class Area(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", "镇/乡"
        VILLAGE = "village", "村/居"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=64)
    code = models.CharField("区划代码", max_length=16, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="所属镇/乡",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="villages",
        limit_choices_to={"kind": "town"},
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="areas",
        help_text="镇/乡由派出所负责,村/居由中心警务室负责。",
    )

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="town", parent__isnull=True) | Q(kind="village", parent__isnull=False),
                name="area_village_has_town",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("households:area_detail", args=[self.pk])

    @property
    def is_town(self) -> bool:
        return self.kind == self.Kind.TOWN

    @property
    def full_name(self) -> str:
        """胡集镇 · 王庄村 for a village, the name alone for a town (select_related the parent)."""
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name


class Household(models.Model):
    village = models.ForeignKey(
        Area,
        verbose_name="村/居",
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind": "village"},
    )
    # 户号 of the household-registration system: how an import finds the household again. Empty for households
    # entered before imports existed.
    registration_number = models.CharField("户号", max_length=32, unique=True, null=True, blank=True)
    head_name = models.CharField("户主姓名", max_length=32)
    head_id_number = EncryptedCharField("户主身份证号", form_max_length=18, validators=[validate_id_number])
    head_id_number_hash = KeyedHashField("身份证号检索码", source="head_id_number", unique=True)
    members_count = models.PositiveSmallIntegerField("家庭人口", default=1)
    address = models.CharField("住址", max_length=128)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    is_hardship = models.BooleanField("特困户", default=False)
    # Kept by visit_log so that "who is due" and coverage need no aggregate over all visits.
    last_visited_at = models.DateTimeField("最近走访", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "户"
        verbose_name_plural = "户"
        ordering = ["village_id", "id"]
        indexes = [
            models.Index(fields=["village", "head_name"], name="household_village_name_idx"),
            models.Index(fields=["phone"], name="household_phone_idx"),
            # The few households in hardship of a village (a home's 概况 counts them), without reading the others.
            models.Index(fields=["village"], condition=Q(is_hardship=True), name="household_hardship_idx"),
            # household_due_idx (last_visited_at NULLS FIRST, id) and household_village_due_idx (village,
            # last_visited_at NULLS FIRST, id) exist on PostgreSQL only: migrations 0008 and 0013 (SQLite cannot
            # index NULLS FIRST).
        ]
        constraints = [
            models.CheckConstraint(condition=Q(members_count__gte=1), name="household_members_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.head_name}户"

    def get_absolute_url(self) -> str:
        return reverse("households:household_detail", args=[self.pk])


class Organisation(models.Model):
    village = models.ForeignKey(Area, verbose_name="村/居", on_delete=models.PROTECT, related_name="organisations")
    # The bureau's own register number of the organisation (often its 统一社会信用代码): how an import finds it.
    code = models.CharField("单位编码", max_length=32, unique=True, null=True, blank=True)
    name = models.CharField("单位名称", max_length=64)
    address = models.CharField("地址", max_length=128)
    contact_name = models.CharField("联系人", max_length=32, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])

    class Meta:
        verbose_name = "单位(辖区)"
        verbose_name_plural = "单位(辖区)"
        ordering = ["village_id", "name"]

    def __str__(self) -> str:
        return self.name
