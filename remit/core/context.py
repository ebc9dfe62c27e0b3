"""Which legal entity a user is working in right now.

Pages keep the choice in the session; API calls name it in the ``X-Remit-Entity`` header (or
fall back to the user's default). Either way it must be one the user may work in.
"""

from __future__ import annotations

from .models import LegalEntity
from .selectors import legal_entities_for

SESSION_KEY = "remit_legal_entity"
HEADER = "X-Remit-Entity"


def resolve_legal_entity(user, *, requested_id=None, requested_code=None) -> LegalEntity | None:
    allowed = legal_entities_for(user)
    if requested_code:
        return allowed.filter(code=requested_code).first()
    if requested_id:
        found = allowed.filter(pk=requested_id).first()
        if found is not None:
            return found
    profile = getattr(user, "remit_profile", None)
    if profile is not None and profile.default_legal_entity_id:
        found = allowed.filter(pk=profile.default_legal_entity_id).first()
        if found is not None:
            return found
    return allowed.first()
