from django.urls import path

import common.converters  # noqa: F401  (registers the `id` path converter)
from sessions_app.apis import (
    SessionCancelApi,
    SessionCurrentApi,
    SessionHistoryApi,
    SessionRequestApi,
    SessionStopApi,
)

urlpatterns = [
    path("drivers/<id:driver_id>/requests", SessionRequestApi.as_view(), name="session-request"),
    path("drivers/<id:driver_id>/requests/<id:request_id>", SessionCancelApi.as_view(), name="session-cancel"),
    path("drivers/<id:driver_id>/sessions/current", SessionCurrentApi.as_view(), name="session-current"),
    path("drivers/<id:driver_id>/sessions/history", SessionHistoryApi.as_view(), name="session-history"),
    path("drivers/<id:driver_id>/sessions/<id:session_id>/stop", SessionStopApi.as_view(), name="session-stop"),
]
