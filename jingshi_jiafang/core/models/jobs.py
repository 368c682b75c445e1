from django.db import models


class JobRun(models.Model):
    """One periodic job's run for one period (a day, a month): the row that makes a job whose effect is not
    idempotent by itself take effect once per period even when two beats queue it, or a redelivered task runs it
    again. Written in the same transaction as the job's work (core/job_runs.py), so a run that crashed leaves no
    row and the next one does the work."""

    job = models.CharField("任务", max_length=64)
    period = models.CharField("周期", max_length=32)
    finished_at = models.DateTimeField("完成时间", auto_now_add=True)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"
        ordering = ["-finished_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="jobrun_once_per_period")]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
