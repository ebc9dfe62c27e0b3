from .context import SESSION_KEY, resolve_legal_entity


class LegalEntityMiddleware:
    """Sets ``request.legal_entity`` for pages: the session's choice among the user's legal
    entities, else their default, else None (pages then say so instead of failing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        request.legal_entity = None
        if user is not None and user.is_authenticated:
            request.legal_entity = resolve_legal_entity(
                user, requested_id=request.session.get(SESSION_KEY))
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY (Django has no setting for this header)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.value = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response
