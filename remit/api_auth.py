"""API authentication and permission in one step, before any input is read.

``Rule(permission)`` accepts a personal bearer token (``Authorization: Bearer rmt_...``) or the
browser session (with its CSRF check for unsafe methods), then requires the permission. Doing it
in ninja's auth step means an unauthorised caller gets 403 before the body is even validated,
and the role × endpoint matrix test can read each operation's rule.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from remit.core.context import HEADER, SESSION_KEY, resolve_legal_entity
from remit.core.exceptions import AccessDenied, InvalidInput, NotFound
from remit.core.services import api_token_authenticate

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class Rule(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self, permission: str | None, *, needs_entity: bool = True,
                 session_only: bool = False) -> None:
        self.permission = permission
        self.needs_entity = needs_entity
        self.session_only = session_only
        super().__init__()

    def __call__(self, request: HttpRequest):
        user = self._user(request)
        if user is None:
            return None  # ninja answers 401
        if self.session_only and request.headers.get("Authorization"):
            raise AccessDenied("This needs a logged-in browser session, not a token (a leaked "
                               "token must not be able to make more tokens)", code="session_only")
        if self.permission is None:
            raise AccessDenied("This endpoint has no permission rule; it is closed until it has one",
                               code="no_rule")
        if not user.has_perm(self.permission):
            raise AccessDenied(f"You need the permission {self.permission}", code="permission")
        request.user = user
        code = (request.headers.get(HEADER) or "").strip().upper() or None
        session_choice = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        entity = resolve_legal_entity(user, requested_code=code, requested_id=session_choice)
        if code and entity is None:
            raise AccessDenied(f"you may not work in legal entity {code!r} (or it does not "
                               "exist)", code="entity", errors=[(("header", HEADER), "not allowed")])
        if self.needs_entity and entity is None:
            raise AccessDenied("You are not allowed to work in any legal entity", code="no_entity")
        request.legal_entity = entity
        return user

    def _user(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return api_token_authenticate(header[7:].strip())
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method in UNSAFE and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request):
                raise HttpError(403, "CSRF check failed")
        return user


def body_field(field, lookup, *args):
    """Look up something a request body names; if it does not exist that is bad input in that
    field (422), not a missing resource (404)."""
    try:
        return lookup(*args)
    except NotFound as exc:
        raise InvalidInput.field(field, exc.message) from None


def plausible_date(field, value, today=None):
    """A date typed into the API or a form that is surely a typo (decades off) is refused at
    the edge; periods and period close will make this a rule of the books."""
    from django.utils import timezone

    from remit.ledger.rules import entry_date_problem

    if value is not None:
        problem = entry_date_problem(value, today or timezone.localdate())
        if problem:
            raise InvalidInput.field(field, problem)
    return value
