"""Who is acting, and through which front end: passed explicitly to every service that writes.

Why explicit: the audit log must name the actor and channel of every change, and services must
not reach into a request to find out (the same service runs from the API, a page, the command
line and a background job).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .exceptions import AccessDenied
from .models import Channel


@dataclass(frozen=True)
class Actor:
    user: Any  # a Django user, or None for remit itself (commands run by an operator, jobs)
    channel: str
    label: str = ""

    @classmethod
    def web(cls, user) -> Actor:
        return cls(user, Channel.WEB)

    @classmethod
    def api(cls, user) -> Actor:
        return cls(user, Channel.API)

    @classmethod
    def admin(cls, user) -> Actor:
        return cls(user, Channel.ADMIN)

    @classmethod
    def cli(cls, user=None) -> Actor:
        return cls(user, Channel.CLI, "" if user else "operator")

    @classmethod
    def task(cls, name: str) -> Actor:
        return cls(None, Channel.TASK, name)

    @classmethod
    def system(cls, label: str = "remit") -> Actor:
        return cls(None, Channel.SYSTEM, label)

    @property
    def name(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return self.label or str(self.channel)

    def require(self, permission: str) -> None:
        """Services call this for actions that need a right beyond reaching the entry point.
        Without a user the actor is remit itself (an operator's command or a job): trusted."""
        if self.user is not None and not self.user.has_perm(permission):
            raise AccessDenied(f"{self.name} lacks the permission {permission}", code="permission")
