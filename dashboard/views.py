"""The web dashboard's pages: sign in, sign out, and the signed-in driver's dashboard at `/`.

The page itself is static HTML plus `dashboard/static/dashboard/dashboard.js`, which talks to the REST
API with the browser's session cookie. The server only renders who is signed in and the timings.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from drivers.selectors import driver_of_user


class DashboardLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The demo accounts are a local-development convenience; production never advertises them.
        context["show_demo_hint"] = settings.DEBUG
        return context


class DashboardLogoutView(auth_views.LogoutView):
    """POST only (Django 5): the page's "Sign out" button is a small form."""


@login_required
@ensure_csrf_cookie
def dashboard_index(request):
    """The signed-in driver's dashboard; a user without a driver profile gets a 403 page saying so."""
    driver = driver_of_user(user=request.user)
    if driver is None:
        return render(request, "dashboard/no_driver.html", status=403)
    config = {
        "driverId": driver.driver_id,
        "displayName": driver.display_name or request.user.get_username(),
        "refreshMs": int(settings.DASHBOARD_REFRESH_SECONDS * 1000),
        "toastMs": int(settings.NOTIFICATION_TOAST_SECONDS * 1000),
        "vehicleId": "vehicle-1",
        "loginUrl": settings.LOGIN_URL,
        # Fallback for the X-CSRFToken header should the csrftoken cookie be made HttpOnly.
        "csrfToken": get_token(request),
    }
    return render(request, "dashboard/index.html", {"driver": driver, "dashboard_config": config})
