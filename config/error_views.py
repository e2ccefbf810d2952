"""Site-wide 400, 404 and 500 answers (production; DEBUG shows Django's own pages).

API clients get JSON `{"detail": ...}`: every path of the REST API whatever it accepts, and any request
that does not ask for HTML. Browsers get Django's HTML pages outside the API (the dashboard, the admin).
Errors gunicorn answers itself, before Django (over-long request lines and headers), are made JSON by
config/gunicorn_conf.py.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.views import defaults

# Path prefixes of the REST API (config/api_urls.py).
API_PATH_PREFIXES = ("/drivers/", "/charging-points", "/sync-status", "/health", "/api/")


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
