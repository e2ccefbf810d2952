"""Site-wide 404 and 500 answers (production; DEBUG shows Django's own pages): JSON `{"detail": ...}`
for API clients, Django's HTML pages for browsers."""

from django.http import JsonResponse
from django.views import defaults


def _wants_html(request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def not_found(request, exception=None):
    if _wants_html(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": "Not found"}, status=404)


def server_error(request):
    if _wants_html(request):
        return defaults.server_error(request)
    return JsonResponse({"detail": "Internal server error; the problem has been logged"}, status=500)
