"""Shared by the tests of the on-demand poll: a quiet spell to start from."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

from central.sync.demand import work_key
from common.activity import activity_forget_mark, activity_key


def _forget() -> None:
    cache.delete_many([activity_key(), work_key()])
    activity_forget_mark()


@contextmanager
def quiet_spell(settings) -> Iterator[None]:
    """Activity marking on (the suite turns it off), from a quiet spell: no driver marked, no follow-up work."""
    settings.CENTRAL_POLL_ACTIVE_SECONDS = 60
    _forget()
    try:
        yield
    finally:
        _forget()
