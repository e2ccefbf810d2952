"""Site-wide 400, 404 and 500 answers (production; DEBUG shows Django's own pages).

API clients get JSON `{"detail": ...}`: every path of the REST API whatever it accepts, and any request
that does not ask for HTML. Browsers get Django's HTML pages outside the API (the dashboard, the admin).
Errors gunicorn answers itself, before Django (over-long request lines and headers), are made JSON by
config/gunicorn_conf.py.
"""

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views import defaults

# Path prefixes of the REST API (config/api_urls.py).
API_PATH_PREFIXES = ("/drivers/", "/charging-points", "/sync-status", "/health", "/api/", "/receipts/")


def _wants_html(request) -> bool:
    if request.path.startswith(API_PATH_PREFIXES):
        return False
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "application/json" not in accept


def body_too_large_detail() -> str:
    return f"Request body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"


def bad_request(request, exception=None):
    """400 for what Django rejects before a view runs (a suspicious request); 413 for a body over the limit."""
    status, detail = 400, "Bad request"
    if isinstance(exception, RequestDataTooBig):
        status, detail = 413, body_too_large_detail()
    elif isinstance(exception, DisallowedHost):
        detail = "Invalid Host header"
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        detail = "Too many form fields or files"
    if _wants_html(request):
        response = defaults.bad_request(request, exception)
        response.status_code = status
        return response
    return JsonResponse({"detail": detail}, status=status)


def not_found(request, exception=None):
    if _wants_html(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": "Not found"}, status=404)


def server_error(request):
    if _wants_html(request):
        return defaults.server_error(request)
    return JsonResponse({"detail": "Internal server error; the problem has been logged"}, status=500)


def signin_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer (AXES_LOCKOUT_CALLABLE) to a sign-in while the username is locked out from this
    address: 429 with the reason and `Retry-After`. Browsers get the sign-in page they posted (the dashboard's
    or the admin's) with the reason in place of "wrong password"; other clients `{"detail": ...}`.
    """
    seconds = round(float(settings.AXES_COOLOFF_TIME) * 3600)
    detail = (
        f"Too many failed sign-in attempts: signing in as this user from your address is blocked for "
        f"{max(1, round(seconds / 60))} minutes. Try again later."
    )
    headers = {"Retry-After": str(seconds)}
    if not _wants_html(request):
        return JsonResponse({"detail": detail}, status=429, headers=headers)
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if form is None or not getattr(original_response, "template_name", None):
        return HttpResponse(detail, status=429, headers=headers, content_type="text/plain; charset=utf-8")
    form.errors[NON_FIELD_ERRORS] = form.error_class([detail], error_class="nonfield")
    response = TemplateResponse(request, original_response.template_name, context, status=429, headers=headers)
    # AxesMiddleware runs after Django has rendered the view's response: render this one here.
    return response.render()
