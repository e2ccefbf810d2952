from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("dashboard.urls")),
    path("", include("config.api_urls")),
]

handler400 = "config.error_views.bad_request"
handler404 = "config.error_views.not_found"
handler500 = "config.error_views.server_error"
