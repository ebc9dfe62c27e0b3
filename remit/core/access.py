"""Access rules for pages: every view declares the permission it needs, or that it is public.

Why a declaration and not only a check: the role × endpoint matrix test walks every URL and
fails on a view without a declared rule, so a page can't be added without deciding who may
see it. The API does the same through ``remit.api_auth.Rule``.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

PUBLIC = "public"


def page(permission: str, *, needs_entity: bool = True):
    """The view needs a logged-in user holding ``permission`` (and, usually, a legal entity)."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise PermissionDenied(f"You need the permission {permission} for this page.")
            if needs_entity and request.legal_entity is None:
                raise PermissionDenied("You are not allowed to work in any legal entity yet.")
            return view(request, *args, **kwargs)

        guarded.remit_permission = permission
        return guarded

    return decorate


def public(view):
    view.remit_permission = PUBLIC
    return view
