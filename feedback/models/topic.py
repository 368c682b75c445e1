from django.db import models
from django.urls import reverse

from jingshi_jiafang.core.models import User
from visits.models import Visit

from .matters import Category, Matter


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
    # The key of the form it was created from: the same form sent twice creates one topic visit.
    submission_key = models.UUIDField("提交标识", unique=True, null=True, blank=True, editable=False)

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
