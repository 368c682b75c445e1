"""Questionnaires (问卷调查): questions and answer scales kept as data, sent to a reproducible sample of an area's
households for a period; the answers give the sense-of-security (安全感) and satisfaction (满意度) indices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from jingshi_jiafang.core.history import AppendOnly, AppendOnlyQuerySet
from jingshi_jiafang.core.models import Area, Household


class Index(models.TextChoices):
    """Which index a question's answers feed."""

    SECURITY = "security", "安全感"
    SATISFACTION = "satisfaction", "满意度"
    NONE = "none", "不计入指数"


class AnswerScale(models.Model):
    """A set of answers with their scores, e.g. 安全感: 很安全 100 … 很不安全 0."""

    name = models.CharField("量表名称", max_length=32, unique=True)

    class Meta:
        verbose_name = "答案量表"
        verbose_name_plural = "答案量表"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ScaleOption(models.Model):
    scale = models.ForeignKey(AnswerScale, verbose_name="量表", on_delete=models.PROTECT, related_name="options")
    order = models.PositiveSmallIntegerField("顺序")
    label = models.CharField("选项", max_length=16)
    score = models.PositiveSmallIntegerField("分值", help_text="0–100,计算指数时取平均。")

    class Meta:
        verbose_name = "量表选项"
        verbose_name_plural = "量表选项"
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "order"], name="scaleoption_order_unique"),
            models.UniqueConstraint(fields=["scale", "label"], name="scaleoption_label_unique"),
            models.CheckConstraint(condition=Q(score__lte=100), name="scaleoption_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.label}({self.score})"


class QuestionnaireTemplate(models.Model):
    """A standard questionnaire the evaluation centre starts from; its questions are what every questionnaire made
    from it asks. Answers point at these questions, so a template in use is never edited, only replaced."""

    name = models.CharField("问卷名称", max_length=64, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("可选用", default=True)

    class Meta:
        verbose_name = "问卷模板"
        verbose_name_plural = "问卷模板"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    template = models.ForeignKey(
        QuestionnaireTemplate, verbose_name="问卷模板", on_delete=models.PROTECT, related_name="questions"
    )
    order = models.PositiveSmallIntegerField("题号")
    text = models.CharField("题目", max_length=200)
    scale = models.ForeignKey(AnswerScale, verbose_name="答案量表", on_delete=models.PROTECT, related_name="+")
    index = models.CharField("计入指数", max_length=16, choices=Index.choices, default=Index.NONE)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "order"], name="question_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"


class Questionnaire(models.Model):
    """One survey: a template, an area (none = the whole county), a period and a sample drawn with a stored seed."""

    template = models.ForeignKey(
        QuestionnaireTemplate, verbose_name="问卷模板", on_delete=models.PROTECT, related_name="questionnaires"
    )
    title = models.CharField("标题", max_length=100)
    area = models.ForeignKey(
        Area,
        verbose_name="调查区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaires",
        help_text="空表示全县。",
    )
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    sample_size = models.PositiveIntegerField("计划样本量")
    # The same seed draws the same households: a sample can be redrawn and checked by anyone.
    seed = models.PositiveIntegerField("抽样种子")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "问卷调查"
        verbose_name_plural = "问卷调查"
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["end", "start"], name="questionnaire_period_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="questionnaire_end_after_start"),
            models.CheckConstraint(condition=Q(sample_size__gte=1), name="questionnaire_sample_size_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:questionnaire_detail", args=[self.pk])

    @property
    def area_name(self) -> str:
        return self.area.full_name if self.area_id else "全县"


class SampledHousehold(models.Model):
    """A household drawn for a questionnaire, in the order of the draw. Its village is copied so that indices and
    the breakdown by town and village group one table."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="问卷调查", on_delete=models.PROTECT, related_name="samples"
    )
    household = models.ForeignKey(
        Household, verbose_name="户", on_delete=models.PROTECT, related_name="questionnaire_samples"
    )
    village = models.ForeignKey(Area, verbose_name="村/居", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("抽样顺序")

    class Meta:
        verbose_name = "抽样户"
        verbose_name_plural = "抽样户"
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "household"], name="sample_household_once"),
            models.UniqueConstraint(fields=["questionnaire", "position"], name="sample_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.household}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:questionnaire_answer", args=[self.pk])


class Method(models.TextChoices):
    PHONE = "phone", "电话"
    PAPER = "paper", "纸质问卷"


class _Call(AppendOnly, models.Model):
    """What an evaluator wrote down after calling a sampled household: never changed afterwards."""

    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True


class QuestionnaireResponse(_Call):
    """What came of asking one sampled household: answered, refused or not reached. One per sampled household (a
    double submit records one), never changed afterwards."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "已作答"
        REFUSED = "refused", "拒绝作答"
        UNREACHABLE = "unreachable", "联系不上"

    sample = models.OneToOneField(
        SampledHousehold, verbose_name="抽样户", on_delete=models.PROTECT, related_name="response"
    )
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    method = models.CharField("方式", max_length=16, choices=Method.choices)

    class Meta:
        verbose_name = "问卷答卷"
        verbose_name_plural = "问卷答卷"
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.sample} · {self.get_outcome_display()}"


class QuestionnaireAttempt(_Call):
    """A call that found no one this time (本次未接通): the household stays to be asked, and the next caller sees
    how often it was tried. Only a response (`QuestionnaireResponse`, 联系不上 among them) ends its asking."""

    sample = models.ForeignKey(
        SampledHousehold, verbose_name="抽样户", on_delete=models.PROTECT, related_name="attempts"
    )
    # The how-manyth try, from the form the caller saw: a second tap of the same form is the same try, refused by
    # the unique constraint instead of counted twice.
    number = models.PositiveSmallIntegerField("第几次")

    class Meta:
        verbose_name = "未接通记录"
        verbose_name_plural = "未接通记录"
        ordering = ["sample", "number"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "number"], name="questionnaireattempt_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="questionnaireattempt_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sample} · 第 {self.number} 次未接通"


class Answer(AppendOnly, models.Model):
    response = models.ForeignKey(
        QuestionnaireResponse, verbose_name="答卷", on_delete=models.PROTECT, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name="问题", on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(ScaleOption, verbose_name="选项", on_delete=models.PROTECT, related_name="+")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "答案"
        verbose_name_plural = "答案"
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]

    def __str__(self) -> str:
        return f"{self.question.order}: {self.option.label}"
