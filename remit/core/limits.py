"""How big a request remit takes, refused before anything reads it.

Why a middleware first in the chain: a 50 MB body posted to the API was read, parsed and
processed in the request; Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) raised deep inside
the API and answered 500. Here a body over the limit is a 413 that names the limit, before a
session or a database connection is touched. File uploads (multipart: the import page and
API) have their own, larger limit (REMIT_MAX_UPLOAD_MB)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def too_large(request, limit: int) -> HttpResponse:
    what = "file" if request.content_type == "multipart/form-data" else "request body"
    message = f"The {what} is larger than remit takes ({_megabytes(limit)})."
    if request.path.startswith("/api/"):
        return HttpResponse(json.dumps({"code": "too_large", "message": message}), status=413,
                            content_type="application/json")
    return HttpResponse(f"<!doctype html><title>Too large</title><p>{message}</p>", status=413)


def limit_for(request) -> int:
    if request.content_type == "multipart/form-data":
        return settings.REMIT_MAX_UPLOAD_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodySizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = limit_for(request)
        if length > limit:
            return too_large(request, limit)
        return self.get_response(request)
