"""The REST API under /api: one NinjaAPI with each app's router, Decimal-exact JSON, and one
error body for every failure::

    {"code": "unbalanced_entry", "message": "...", "errors": [{"loc": [...], "msg": "..."}]}

422 bad input (with field paths), 409 rule violations, 401/403 access, 404 not found.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from remit.api_auth import Rule
from remit.core.access import public
from remit.core.exceptions import DomainError
from remit.core.limits import limit_for, too_large

logger = logging.getLogger("remit.api")


class DecimalParser(Parser):
    """JSON numbers become Decimal, never float (ninja's default parser gives floats)."""

    def parse_body(self, request):
        return json.loads(request.body or b"null", parse_float=Decimal)


def _loc(raw) -> list:
    """ninja says ("body", "<parameter>", "lines", 0, "debit"); remit's errors say
    ("lines", 0, "debit") for body fields, as the services do. Query, path and header
    locations keep their prefix."""
    loc = list(raw)
    if len(loc) >= 2 and loc[0] == "body":
        return loc[2:] or ["body"]
    return loc


api = NinjaAPI(
    title="remit API",
    version="1",
    description="Receivables, ledger and more. Authenticate with a personal token "
                "(`Authorization: Bearer rmt_…`) or a browser session; pick the legal entity "
                "with the `X-Remit-Entity` header. Amounts are strings of decimal digits.",
    parser=DecimalParser(),
    auth=Rule(None),  # fail closed: an operation without its own rule answers 403
    urls_namespace="api",
    # The schema is no secret and tools fetch it without a session; operations stay guarded.
    docs_decorator=public,
)


def _error(request, status: int, code: str, message: str, errors=None):
    body = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = [{"loc": _loc(e.get("loc", [])), "msg": e.get("msg", "invalid")} for e in exc.errors]
    return _error(request, 422, "invalid_input", "The request has invalid fields", errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "unauthenticated",
                  "Log in, or send a personal token as 'Authorization: Bearer rmt_…'")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja could not parse the body
        return _error(request, 422, "invalid_json", "The request body is not valid JSON",
                      [{"loc": ["body"], "msg": "not valid JSON"}])
    code = {403: "forbidden", 404: "not_found"}.get(exc.status_code, "error")
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    """A body without a length that grew past the limit while it was read (core.limits)."""
    return too_large(request, limit_for(request))


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "server_error",
                  "remit could not finish this request; nothing was half-written. "
                  "The error is logged.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", str(exc) or "Not found")


def _register_routers() -> None:
    from remit.collections.api import router as collections_router
    from remit.core.api import router as core_router
    from remit.credit.api import router as credit_router
    from remit.crm.api import router as crm_router
    from remit.crm.api_scans import router as crm_scans_router
    from remit.imports.api import router as imports_router
    from remit.insights.api import router as insights_router
    from remit.jobs.api import router as jobs_router
    from remit.ledger.api import router as ledger_router
    from remit.receivables.api import router as receivables_router
    from remit.sales.api import router as sales_router

    api.add_router("/core", core_router)
    api.add_router("/ledger", ledger_router)
    api.add_router("/receivables", receivables_router)
    api.add_router("/collections", collections_router)
    api.add_router("/sales", sales_router)
    api.add_router("/credit", credit_router)
    api.add_router("/insights", insights_router)
    api.add_router("/crm", crm_router)
    api.add_router("/crm", crm_scans_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/imports", imports_router)


_register_routers()
