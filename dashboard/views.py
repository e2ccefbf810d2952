"""The web dashboard's pages: sign in, sign out, and the signed-in driver's dashboard at `/`.

The page itself is static HTML plus `dashboard/static/dashboard/dashboard.js`, which talks to the REST
API with the browser's session cookie. The server only renders who is signed in and the timings.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
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
    """Signing out is a POST (Django 5: a link or a prefetch must not sign anyone out). A GET, from a typed or
    bookmarked /logout/, answers a page that asks "Sign out?" with that button, or goes to the sign-in page
    when nobody is signed in."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return render(request, "registration/logout_confirm.html")


@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico: the static icon (its hashed name in production, so a redirect, not a copy)."""
    return redirect(static("dashboard/favicon.ico"))


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
        # The live event stream (stream.js): "//{host}:8101" (the page's host name, the events process's port), ""
        # for the same origin, or null: the page only polls.
        "eventsUrl": settings.EVENTS_URL if settings.DASHBOARD_PUSH else None,
        # The map's background tiles (settings: empty URL, no tiles) and the driver's saved home, the position
        # the list is ordered from until (or unless) the browser shares its own.
        "map": {"tileUrl": settings.DASHBOARD_MAP_TILE_URL, "attribution": settings.DASHBOARD_MAP_ATTRIBUTION},
        "home": (
            {"lat": driver.home_latitude, "lng": driver.home_longitude}
            if driver.home_latitude is not None and driver.home_longitude is not None
            else None
        ),
    }
    return render(request, "dashboard/index.html", {"driver": driver, "dashboard_config": config})
