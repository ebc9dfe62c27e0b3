"""E-mail addresses typed by people or read from imported contacts. Sending to one with a line
break in it raised BadHeaderError (a 500), and a malformed one was reported as "has no email
address"; every place that sends mail reads the address through here instead."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .exceptions import InvalidInput


def email_address(field: str, text: str | None, *, whose: str = "") -> str:
    """The address, stripped, or InvalidInput naming ``field`` (and ``whose`` address it was,
    e.g. "the collections contact's") when it is empty or not one address."""
    address = (text or "").strip()
    if not address:
        raise InvalidInput.field(field, "give an e-mail address")
    try:
        validate_email(address)
    except ValidationError:
        shown = address.encode("unicode_escape").decode("ascii")[:80]
        raise InvalidInput.field(field, f"{whose + ' ' if whose else ''}{shown!r} is not an "
                                        "e-mail address") from None
    return address
