from django.urls import path

import common.converters  # noqa: F401  (registers the `id` path converter)
from notifications.apis import AlertListApi, NotificationListApi, NotificationReadAllApi, NotificationReadApi

urlpatterns = [
    path("drivers/<id:driver_id>/notifications", NotificationListApi.as_view(), name="notification-list"),
    # Before the `<notification_id>/read` route, so "read-all" is never taken for an id.
    path(
        "drivers/<id:driver_id>/notifications/read-all", NotificationReadAllApi.as_view(), name="notification-read-all"
    ),
    path(
        "drivers/<id:driver_id>/notifications/<id:notification_id>/read",
        NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("drivers/<id:driver_id>/alerts", AlertListApi.as_view(), name="alert-list"),
]
