"""The poll publishes one live `point` event per point whose status changed, after its commit, in one pipeline."""

from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from central.sync.poll import central_picture_apply
from chargingpoints.models import PointStatus
from events.publish import publisher
from tests.factories import ChargingPointFactory
from tests.fakes.central_http import central_cp

pytestmark = pytest.mark.django_db


@pytest.fixture
def points():
    return [ChargingPointFactory(cp_id=f"CP-{i:03d}", status=PointStatus.FREE) for i in range(4)]


def test_each_point_whose_status_changed_is_published_once_after_commit(
    points, published, django_capture_on_commit_callbacks
):
    picture = [central_cp(p.cp_id) for p in points]
    picture[1]["state"] = "BROKEN"  # FREE -> OFFLINE
    picture[2].update(engine_state="SUPPLYING", current_driver="driver-x", current_session="s-1")  # -> OCCUPIED
    picture[3]["engine_state"] = "STOPPED"  # a change, still FREE: not a status change

    with (
        mock.patch.object(publisher, "send", wraps=publisher.send) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        central_picture_apply(picture, now=timezone.now())

    events = published()
    assert [(t, d["cp_id"], d["status"]) for t, _, d in events] == [
        ("point", "CP-001", "OFFLINE"),
        ("point", "CP-002", "OCCUPIED"),
    ]
    assert all(driver == "" for _, driver, _ in events)  # broadcast
    assert set(events[0][2]) == {"cp_id", "status", "queue_length", "estimated_wait_minutes", "last_updated"}
    assert events[0][2]["queue_length"] == 0 and events[0][2]["last_updated"].endswith("Z")
    assert send.call_count == 1  # both in one pipeline


def test_a_rolled_back_poll_publishes_nothing(points, published, django_capture_on_commit_callbacks):
    picture = [central_cp(p.cp_id) for p in points]
    picture[0]["state"] = "BROKEN"

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        central_picture_apply(picture, now=timezone.now())
        raise RuntimeError("the poll's transaction fails later")

    assert published() == []
    assert points[0].__class__.objects.get(pk=points[0].pk).status == PointStatus.FREE
