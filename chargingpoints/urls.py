from django.urls import path

import config.converters  # noqa: F401  (registers the `id` path converter)
from chargingpoints.apis import ChargingPointDetailApi, ChargingPointListApi, SyncStatusApi

urlpatterns = [
    path("charging-points", ChargingPointListApi.as_view(), name="charging-point-list"),
    path("charging-points/<id:cp_id>", ChargingPointDetailApi.as_view(), name="charging-point-detail"),
    path("sync-status", SyncStatusApi.as_view(), name="sync-status"),
]
