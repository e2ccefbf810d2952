"""events/versions.py: every write moves its table's version — at the statement and again at commit — and
`versions_recording` names the tables a block read."""

import pytest
from django.db import transaction

from events.versions import store, versions_key, versions_recording, written_tables
from notifications.models import Notification
from tests.factories import NotificationFactory

TABLE = Notification._meta.db_table


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "notifications_notification" ("message") VALUES (%s)', ("notifications_notification",)),
        ('UPDATE "chargingpoints_chargingpoint" SET "status" = %s', ("chargingpoints_chargingpoint",)),
        (
            "  update chargingpoints_chargingpoint AS t SET x = 1 FROM (VALUES (1)) AS v",
            ("chargingpoints_chargingpoint",),
        ),
        ('DELETE FROM "drivers_favorite" WHERE "id" = 1', ("drivers_favorite",)),
        ('TRUNCATE "auth_user", "drivers_driver" RESTART IDENTITY', ("auth_user", "drivers_driver")),
        ('SELECT "id" FROM "drivers_driver" FOR UPDATE', ()),
        ("SELECT 1", ()),
    ],
)
def test_written_tables_are_the_targets_of_writes_only(sql, tables):
    assert written_tables(sql) == tables


def _version() -> int:
    return int(store.client().hget(versions_key(), TABLE) or 0)


@pytest.mark.django_db(transaction=True)
def test_a_write_moves_its_table_at_the_statement_and_again_at_commit(alice):
    before = _version()
    with transaction.atomic():
        NotificationFactory(driver=alice)
        at_statement = _version()
        NotificationFactory(driver=alice)
    after_commit = _version()

    assert at_statement == before + 1
    assert after_commit == before + 3  # two statements, then one move for the transaction


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_moves_nothing_at_commit(alice):
    before = _version()
    with pytest.raises(RuntimeError), transaction.atomic():
        NotificationFactory(driver=alice)
        raise RuntimeError("rolled back")

    assert _version() == before + 1  # the statement's move only

    with transaction.atomic():
        NotificationFactory(driver=alice)
    assert _version() == before + 3  # the next transaction registered its own move after commit


@pytest.mark.django_db
def test_a_recording_names_what_was_read_and_whether_anything_was_written(alice):
    with versions_recording() as reading:
        list(Notification.objects.filter(driver=alice).select_related("driver"))
    with versions_recording() as writing:
        NotificationFactory(driver=alice)

    assert {TABLE, "drivers_driver"} <= reading.tables
    assert not reading.wrote
    assert writing.wrote
