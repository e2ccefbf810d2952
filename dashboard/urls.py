from django.urls import path

from dashboard import views

# The web dashboard's pages (/, /login/, /logout/).
urlpatterns = [
    path("", views.dashboard_index, name="dashboard"),
    path("login/", views.DashboardLoginView.as_view(), name="login"),
    path("logout/", views.DashboardLogoutView.as_view(), name="logout"),
]
