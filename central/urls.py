from django.urls import path

from central.apis import SyncStatusApi

urlpatterns = [
    path("sync-status", SyncStatusApi.as_view(), name="sync-status"),
]
