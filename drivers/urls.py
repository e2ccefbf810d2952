from django.urls import path

import config.converters  # noqa: F401  (registers the `id` path converter)
from drivers.apis import FavoriteDetailApi, FavoriteListApi

urlpatterns = [
    path("drivers/<id:driver_id>/favorites", FavoriteListApi.as_view(), name="favorite-list"),
    path("drivers/<id:driver_id>/favorites/<id:cp_id>", FavoriteDetailApi.as_view(), name="favorite-detail"),
]
