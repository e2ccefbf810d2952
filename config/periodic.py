"""Every periodic job of the dashboard, listed in one place (read by Celery beat)."""

from datetime import timedelta

from celery.schedules import schedstate, schedule
from django.conf import settings

from central.sync.demand import central_poll_needed

EARLY_SECONDS = 0.05


class OnDemand(schedule):
    """Every `run_every` while somebody needs it (`central_poll_needed`: a driver active lately, an open session,
    a watch, central unreachable...), else every `idle_every`.

    Celery's schedule API (celery.schedules.schedule.is_due): beat calls `is_due(last_run_at)` when the entry's
    last answer said to, and gets (due now?, seconds until it asks again). Once `run_every` has passed, each
    question costs one cache read (central/sync/demand.py) and, while nobody needs the job, sends nothing: beat
    asks again in `check_every` (default `run_every`), so a need is seen that soon, and runs the job anyway once
    `idle_every` has passed.
    """

    def __init__(self, run_every, idle_every, check_every=None, nowfun=None, app=None):
        super().__init__(run_every, nowfun=nowfun, app=app)
        self.idle_every = _seconds(idle_every)
        self.check_every = _seconds(run_every if check_every is None else check_every)

    def is_due(self, last_run_at) -> schedstate:
        # Beat wakes its `adjust` drift (10 ms) before the time it was given; answering "not yet, in 0.01 s" there
        # makes it ask again at once, a busy loop of a few hundred questions (cache reads) until the exact moment.
        # Up to EARLY_SECONDS early counts as on time.
        since = (self.maybe_make_aware(self.now()) - self.maybe_make_aware(last_run_at)).total_seconds()
        since += EARLY_SECONDS
        every, idle_every = self.seconds, self.idle_every.total_seconds()
        if since < every:
            return schedstate(is_due=False, next=every - since)
        if since >= idle_every or central_poll_needed():
            return schedstate(is_due=True, next=every)
        return schedstate(is_due=False, next=min(self.check_every.total_seconds(), idle_every - since))

    def __eq__(self, other):
        if isinstance(other, OnDemand):
            return (self.run_every, self.idle_every, self.check_every) == (
                other.run_every,
                other.idle_every,
                other.check_every,
            )
        return NotImplemented

    __hash__ = None

    def __reduce__(self):
        # Beat's schedule file (shelve) pickles its entries.
        return self.__class__, (self.run_every, self.idle_every, self.check_every, self.nowfun)

    def __repr__(self) -> str:
        return f"<on demand: every {self.human_seconds}, idle every {self.idle_every.total_seconds():g} seconds>"


def _seconds(value) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def _job(task: str, every: float, *, idle_every: float | None = None, check_every: float | None = None) -> dict:
    # A run still queued when the next one is due is dropped (`expires`), so a slow dependency
    # (Kafka or central down) never piles up a backlog of identical runs.
    when = every if idle_every is None else OnDemand(every, idle_every, check_every)
    return {"task": task, "schedule": when, "options": {"expires": max(every, 1.0)}}


# The safety nets of failures (a message Kafka did not take, a request central never answered, a queued request
# whose point stayed offline) are checked every 5 s, not 2 s: each run costs the worker and beat a task whether or
# not anything is due, and these nets act on ages of 12 s (KAFKA_OUTBOX_RESEND_AFTER) and 30 s
# (REQUEST_TIMEOUT_SECONDS) and up, so acting up to 5 s after the age instead of 2 s is what the idle stack's CPU
# costs (README "Idle CPU"). The poll of central, which is what drivers see, keeps its own interval.
SAFETY_NET_EVERY_SECONDS = 5.0
# While nobody needs them (central/sync/demand.py: no open session or request, no stop owed, no driver active), the
# safety nets have nothing to act on: every row they act on belongs to an open session or a stop owed. Once a
# minute they still run, in case something was missed. Beat asks whether they are needed every 15 s while idle (each
# question wakes it): the nets act on ages of 12 s and more, and once needed they run every 5 s again.
SAFETY_NET_IDLE_EVERY_SECONDS = 60.0
SAFETY_NET_IDLE_CHECK_SECONDS = 15.0


def _safety_net(task: str, every: float) -> dict:
    return _job(task, every, idle_every=SAFETY_NET_IDLE_EVERY_SECONDS, check_every=SAFETY_NET_IDLE_CHECK_SECONDS)


def periodic_jobs() -> dict:
    """Beat schedule entries: name -> {task, schedule (seconds), options}.

    Jobs are safe to overlap: each claims its rows with conditional updates.
    """
    jobs = {
        "poll-central": _job(
            "central.tasks.poll_central", settings.CENTRAL_POLL_INTERVAL, idle_every=settings.CENTRAL_POLL_IDLE_INTERVAL
        ),
        "resend-outbox": _safety_net("central.tasks.resend_outbox", SAFETY_NET_EVERY_SECONDS),
        "expire-requests": _safety_net("central.tasks.expire_unanswered_requests", SAFETY_NET_EVERY_SECONDS),
        "stop-abandoned-sessions": _safety_net(
            "central.tasks.stop_abandoned_sessions", settings.CENTRAL_STOP_RETRY_SECONDS
        ),
    }
    if settings.CENTRAL_EVENTS_DRAIN_TASK:
        jobs["drain-central-events"] = _job("central.tasks.drain_central_events", 1.0)
    return jobs
