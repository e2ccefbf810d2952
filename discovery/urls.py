from django.urls import path

import common.converters  # noqa: F401  (registers the `id` path converter)
from discovery.apis import ChargingPointDetailApi, ChargingPointListApi
from discovery.favorites_apis import FavoriteDetailApi, FavoriteListApi
from discovery.queue_apis import QueuePlaceApi
from discovery.watches_apis import WatchDetailApi, WatchListApi

urlpatterns = [
    path("charging-points", ChargingPointListApi.as_view(), name="charging-point-list"),
    path("charging-points/<id:cp_id>", ChargingPointDetailApi.as_view(), name="charging-point-detail"),
    path("drivers/<id:driver_id>/favorites", FavoriteListApi.as_view(), name="favorite-list"),
    path("drivers/<id:driver_id>/favorites/<id:cp_id>", FavoriteDetailApi.as_view(), name="favorite-detail"),
    path("drivers/<id:driver_id>/queue", QueuePlaceApi.as_view(), name="queue-place"),
    path("drivers/<id:driver_id>/watches", WatchListApi.as_view(), name="watch-list"),
    path("drivers/<id:driver_id>/watches/<id:cp_id>", WatchDetailApi.as_view(), name="watch-detail"),
]
