import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingshi_jiafang.settings.local")

app = Celery("jingshi_jiafang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
