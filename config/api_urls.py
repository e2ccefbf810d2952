"""The REST API's routes. Paths have no trailing slash, exactly as in the specification."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import health, health_ready

urlpatterns = [
    path("health", health, name="health"),
    path("health/ready", health_ready, name="health-ready"),
    path("", include("discovery.urls")),
    path("", include("central.urls")),
    path("", include("sessions_app.urls")),
    path("", include("sessions_app.receipts.urls")),
    path("", include("notifications.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
