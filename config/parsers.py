"""The API's JSON parser: DRF's, with a nesting limit and Django's body size limit.

DRF's JSONParser turns a `ValueError` into a 400, but a body nested about a thousand levels deep makes the
decoder raise `RecursionError` (a 500, with the settings on the page in debug mode); ~2 KB is enough. No
request of this API nests more than a few levels, so anything past `MAX_DEPTH` is refused as well.
DRF reads a JSON body straight from the request stream, skipping the `DATA_UPLOAD_MAX_MEMORY_SIZE` check
Django makes on form bodies; the parser makes it (413, config.exceptions).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _nested_deeper_than(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None and _content_length(request) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        too_deep = ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _nested_deeper_than(data, MAX_DEPTH):
            raise too_deep
        return data
