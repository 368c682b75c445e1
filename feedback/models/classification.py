"""The topic model's versions: each training writes a model file into private storage and one row here."""

from django.db import models
from django.db.models import Q

from jingshi_jiafang.core.models import User


class TopicModel(models.Model):
    """One trained version of the topic classifier. The newest version is the one in use."""

    version = models.PositiveIntegerField("版本", unique=True)
    trained_at = models.DateTimeField("训练时间", auto_now_add=True)
    trained_by = models.ForeignKey(
        User, verbose_name="训练人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bundled_examples = models.PositiveIntegerField("内置样本数")
    confirmed_examples = models.PositiveIntegerField("法制部门确认样本数")
    heldout_size = models.PositiveIntegerField("测试集条数")
    # Measured on the held-out set (feedback/classification/heldout.tsv), which no version ever trains on.
    accuracy = models.FloatField("测试集准确率")
    file = models.CharField("模型文件", max_length=200)

    class Meta:
        verbose_name = "类别模型"
        verbose_name_plural = "类别模型"
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(condition=Q(accuracy__gte=0) & Q(accuracy__lte=1), name="topic_model_accuracy_0_1"),
        ]

    def __str__(self) -> str:
        return f"类别模型 v{self.version}"

    @property
    def examples(self) -> int:
        return self.bundled_examples + self.confirmed_examples

    @property
    def accuracy_percent(self) -> str:
        return f"{self.accuracy * 100:.1f}"


class TopicMonth(models.Model):
    """A month the legal department closed: every matter of it has a confirmed topic, and the topic model has
    been retrained on them. A row exists only for a closed month."""

    month = models.DateField("月份", unique=True, help_text="该月第一天")
    closed_at = models.DateTimeField("关闭时间", auto_now_add=True)
    closed_by = models.ForeignKey(User, verbose_name="关闭人", on_delete=models.PROTECT, related_name="+")
    matters = models.PositiveIntegerField("诉求件数")

    class Meta:
        verbose_name = "类别研判月份"
        verbose_name_plural = "类别研判月份"
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="topic_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}类别研判"
