from django.urls import path

import common.converters  # noqa: F401  (registers the `id` path converter)
from dashboard import stream, views

# The web dashboard's pages (/, /login/, /logout/) and its icon.
urlpatterns = [
    path("", views.dashboard_index, name="dashboard"),
    path("login/", views.DashboardLoginView.as_view(), name="login"),
    path("logout/", views.DashboardLogoutView.as_view(), name="logout"),
    # Browsers ask for /favicon.ico whatever the page says; it is the same file as base.html's icon.
    path("favicon.ico", views.favicon, name="favicon"),
    # The live events: streamed by the events process (config/asgi.py); the web process answers 503 (see stream.py).
    path("drivers/<id:driver_id>/events", stream.driver_events, name="driver-events"),
]
