"""The Celery application and, in one place, every periodic job."""

import os

from celery import Celery

from config.periodic import periodic_jobs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("driver_dashboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_periodic_jobs(sender, **kwargs):
    for name, entry in periodic_jobs().items():
        sender.conf.beat_schedule[name] = entry
