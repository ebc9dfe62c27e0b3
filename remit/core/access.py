"""Access rules for pages: every view declares the permission it needs, or that it is public.

Why a declaration and not only a check: the role × endpoint matrix test walks every URL and
fails on a view without a declared rule, so a page can't be added without deciding who may
see it. The API does the same through ``remit.api_auth.Rule``.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.models import Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .exceptions import AccessDenied, NotFound

PUBLIC = "public"


def permission_label(permission: str) -> str:
    """'ledger.post_journalentry' → 'post journal entries' (the permission's own name)."""
    app_label, codename = permission.split(".", 1)
    name = (Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            .values_list("name", flat=True).first())
    return name[4:].lower() if name and name.startswith("Can ") else permission


def page(permission: str, *, needs_entity: bool = True):
    """The view needs a logged-in user holding ``permission`` (and, usually, a legal entity)."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise PermissionDenied(f"Your role does not allow you to "
                                       f"{permission_label(permission)}.")
            if needs_entity and request.legal_entity is None:
                raise PermissionDenied("You are not allowed to work in any legal entity yet; "
                                       "ask an administrator to give you one.")
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from None
            except AccessDenied as exc:
                raise PermissionDenied(exc.message) from None

        guarded.remit_permission = permission
        return guarded

    return decorate


def public(view):
    view.remit_permission = PUBLIC
    return view
