"""Domain errors, raised by rules and services and translated once per entry point.

Each error carries a stable ``code`` (for scripts and tests) and an HTTP status that the API
maps it to; pages show ``message`` inline and commands exit non-zero. Field-level problems
carry ``errors``: a list of ``(loc, message)`` where ``loc`` is a path such as
``("lines", 2, "amount")`` so the user can see which field or row was wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Loc = tuple[str | int, ...]


class DomainError(Exception):
    """A business rule said no. 409 at the API unless a subclass says otherwise."""

    http_status = 409
    default_code = "rule_violation"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        errors: Iterable[tuple[Sequence[str | int], str]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.errors: list[tuple[Loc, str]] = [(tuple(loc), msg) for loc, msg in errors]

    def as_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = [{"loc": list(loc), "msg": msg} for loc, msg in self.errors]
        return body


class InvalidInput(DomainError):
    """The input itself is wrong (a field, a row, a value); nothing was written."""

    http_status = 422
    default_code = "invalid_input"

    @classmethod
    def field(cls, loc: Sequence[str | int] | str, message: str, *, code: str | None = None):
        loc = (loc,) if isinstance(loc, str) else tuple(loc)
        return cls(f"{describe_loc(loc)}: {message}", code=code, errors=[(loc, message)])


def describe_loc(loc: Sequence[str | int]) -> str:
    """A field path in words for people: ("lines", 1, "amount") → "line 2 amount"."""
    words: list[str] = []
    for part in loc:
        if isinstance(part, int):
            if words:
                words[-1] = _singular(words[-1])
            words.append(str(part + 1))
        else:
            words.append(str(part).replace("_", " "))
    return " ".join(words)


def _singular(word: str) -> str:
    """'lines' → 'line', 'opportunities' → 'opportunity', 'addresses' → 'address',
    'statuses' → 'status'."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "uses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


class RuleViolation(DomainError):
    """The input is well-formed but a business rule forbids the action."""


class AccessDenied(DomainError):
    http_status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    http_status = 404
    default_code = "not_found"
