from django.utils.functional import SimpleLazyObject

from .context import SESSION_KEY, resolve_legal_entity


class LegalEntityMiddleware:
    """Sets ``request.legal_entity`` (lazily) for pages from the session's choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def current():
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return None
            return resolve_legal_entity(user, requested_id=request.session.get(SESSION_KEY))

        request.legal_entity = SimpleLazyObject(current)
        return self.get_response(request)
