"""What HTTP itself saves on the API's polled reads: `ETag` + `If-None-Match` → 304, and gzip for JSON only.

Both change headers and transfer, never a body: a client that sends neither `If-None-Match` nor
`Accept-Encoding: gzip` gets exactly the bytes it got before.

`ApiConditionalGetMiddleware` is Django's ConditionalGetMiddleware narrowed and made per user. For a 200 JSON
answer to GET/HEAD it sets `ETag` to a digest of the body *and the authenticated user*, so two drivers never share
a tag even when their bodies match (a tag learnt by one driver says nothing about another's data), and answers 304
when the request's `If-None-Match` names it. It adds `Vary: Authorization, Cookie` (the body depends on who asks)
and, unless the view chose one, `Cache-Control: private, no-cache`: no shared cache stores a driver's answer, and a
browser revalidates on every poll (a 304 costs no body). Here the view still runs — the saving is the transfer
and the client's parsing; a repeated token-authenticated poll is answered (304 included) before the view by the
response cache (config/response_cache.py), which keeps the answers this middleware tagged.

`ApiGZipMiddleware` is Django's GZipMiddleware for `application/json` only. HTML pages carry the CSRF token beside
reflected input, the case BREACH attacks; no JSON answer here carries a secret (no endpoint returns a token or a
CSRF value), and Django's gzip pads every compressed body with random bytes besides. Static files are not
touched: WhiteNoise, above it in MIDDLEWARE, serves its own pre-compressed files.

Order in MIDDLEWARE (top to bottom): SecurityMiddleware, WhiteNoise, ApiGZip, CORS, ApiConditionalGet, the rest.
Responses travel upwards, so the ETag is computed on the uncompressed body (gzip then weakens it to `W/"…"`,
which `If-None-Match` still matches) and the 304 still gets the CORS headers a cross-origin poller needs.

API_CONDITIONAL_GET / API_GZIP (settings, default on) take either out, for a before/after measurement
(bench/polled_reads.py --plain).
"""

import hashlib

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import get_conditional_response, patch_vary_headers

JSON = "application/json"
CACHE_CONTROL = "private, no-cache"


def is_json(response) -> bool:
    return response.get("Content-Type", "").split(";", 1)[0].strip().lower() == JSON


def user_etag(user, body: bytes) -> str:
    """A strong ETag for `body` as answered to `user` (anonymous users share one)."""
    pk = getattr(user, "pk", None) if user is not None and user.is_authenticated else None
    digest = hashlib.sha256(f"{pk if pk is not None else '-'}:".encode() + body).hexdigest()[:32]
    return f'"{digest}"'


class ApiConditionalGetMiddleware:
    """Per-user ETags on 200 JSON answers to GET/HEAD, and 304 for a matching If-None-Match."""

    def __init__(self, get_response):
        if not settings.API_CONDITIONAL_GET:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.streaming
            or not is_json(response)
        ):
            return response
        # The user DRF authenticated (DRF sets it on this request too), else AuthenticationMiddleware's.
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if not response.has_header("ETag"):
            response["ETag"] = user_etag(getattr(request, "user", None), response.content)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = CACHE_CONTROL
        return get_conditional_response(request, etag=response["ETag"], response=response)


class ApiGZipMiddleware(GZipMiddleware):
    """Django's gzip, for JSON answers only (see the module's docstring on BREACH)."""

    def __init__(self, get_response):
        if not settings.API_GZIP:
            raise MiddlewareNotUsed
        super().__init__(get_response)

    def process_response(self, request, response):
        if not is_json(response):
            return response
        return super().process_response(request, response)
