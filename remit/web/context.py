"""What every page's layout needs: the user's legal entities and the navigation."""

from remit.core.selectors import legal_entities_for

from .navigation import navigation


def workspace(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_entity": getattr(request, "legal_entity", None),
        "my_entities": list(legal_entities_for(user)),
        "nav": navigation(request),
    }
