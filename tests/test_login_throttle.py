"""Login throttling (issue 18): twenty wrong passwords in a row, then the right one, logged in.
Now five wrong tries lock the account, and five from one address lock the address, with a clear
message, HTTP 429 and an audit entry; failures age out after the cool-off, not on a success."""

from __future__ import annotations

import pytest
from django.test import Client

from remit.core.models import AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password-7"


@pytest.fixture
def users(make_user, entity):
    made = []
    for name in ("kari", "ola", "per"):
        user = make_user("AR clerk", [entity], username=name)
        user.set_password(PASSWORD)
        user.save()
        made.append(user)
    return made


def _login(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_the_right_password_after_five_wrong_ones_does_not_log_in(users):
    client = Client()
    for _ in range(4):
        assert _login(client, "kari", "wrong").status_code == 200  # the form again
    assert _login(client, "kari", "wrong").status_code == 429  # the fifth locks
    response = _login(client, "kari", PASSWORD, address="10.0.0.2")  # another address too
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert client.get("/").status_code == 302  # still not logged in
    entries = AuditLog.objects.filter(action="core.login.locked_out")
    assert entries and {e.data["username"] for e in entries} == {"kari"}


def test_one_address_trying_many_accounts_is_locked(users):
    client = Client()
    for name in ("kari", "ola", "per", "kari", "ola"):
        _login(client, name, "wrong", address="10.9.9.9")
    assert _login(client, "per", PASSWORD, address="10.9.9.9").status_code == 429
    # the accounts themselves are not locked: from another address per logs in
    assert _login(Client(), "per", PASSWORD, address="10.0.0.3").status_code == 302


def test_logging_in_as_oneself_does_not_wipe_the_tries_at_another_account(users):
    """With the count reset on success, axes deleted every failure from the address: an
    insider could guess at a colleague's password four times, log in as themselves, and go
    on for ever. The failures now stay until the cool-off."""
    client = Client()
    for _ in range(4):
        assert _login(client, "kari", "wrong", address="10.7.7.7").status_code == 200
    assert _login(client, "ola", PASSWORD, address="10.7.7.7").status_code == 302  # own login
    client.post("/logout/")
    assert _login(client, "kari", "wrong", address="10.7.7.7").status_code == 429
    assert _login(Client(), "kari", PASSWORD, address="10.0.0.9").status_code == 429


def test_a_correct_login_before_the_limit_logs_in(users):
    client = Client()
    for _ in range(4):
        _login(client, "per", "wrong")
    assert _login(client, "per", PASSWORD).status_code == 302
