"""Login throttling (django-axes): five wrong passwords in a row lock the account, and five from
one address lock that address, for 15 minutes, then the count starts again. A correct password
during the lock does not let anyone in (twenty wrong tries, then the right one, logged in
before). The lock is said plainly on the login page and written to the audit log.

Token-creating endpoints need a logged-in session (``Rule(session_only=True)``), so they are
behind the same lock; the API's bearer tokens are random secrets, not passwords."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from .actor import Actor
from .audit import audit_record


def locked_out(request, credentials, *args, **kwargs):
    """What a locked-out login sees (AXES_LOCKOUT_CALLABLE): the login page, saying why and
    for how long, with HTTP 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "web/login.html", {
        "locked": f"Too many failed logins for this account or from this address. Try again "
                  f"in {minutes} minutes, or ask an administrator to unlock it "
                  "(remit axes_reset_username NAME).",
    }, status=429)


def audit_lockout(sender, request, username, ip_address, **kwargs):
    """Receiver of axes' user_locked_out: who was locked, from where."""
    audit_record(actor=Actor.system("login throttle"), action="core.login.locked_out",
                 data={"username": (username or "")[:150], "ip_address": ip_address})
