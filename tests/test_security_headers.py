"""Security headers (issue 18): a Content-Security-Policy the pages actually satisfy — no
inline script, handler or style anywhere in remit's templates — a Permissions-Policy, and
`remit check --deploy` passing in production mode. The browser tests fail on any CSP
violation they meet (tests/browser/conftest.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import remit

TEMPLATES = sorted(Path(remit.__file__).parent.rglob("templates/**/*.html"))
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
     "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"hx-(vals|vars)\s*=\s*['\"]\s*js:", re.I), "htmx eval (js:)"),
    (re.compile(r"\shx-on", re.I), "an htmx inline handler"),
    (re.compile(r"(src|href)=\"(https?:)?//", re.I), "an asset from another origin"),
]


def test_the_templates_hold_nothing_the_policy_would_block():
    assert len(TEMPLATES) > 50
    found = [f"{path.relative_to(Path(remit.__file__).parent)}: {what}"
             for path in TEMPLATES for pattern, what in INLINE
             if pattern.search(path.read_text())]
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/api/docs", "/api/openapi.json", "/no-such-page/"])
def test_every_answer_carries_the_policy_and_the_headers(path):
    response = Client().get(path)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_logged_in_page_carries_them_too(clerk_client):
    response = clerk_client.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def _deploy_check(tmp_path, **env):
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("REMIT_", "DJANGO_")) and k != "COLUMNS"}
    base |= {"REMIT_ENV": "production", "REMIT_SECRET_KEY": "k" * 30 + "x1y2z3" * 8,
             "REMIT_DATA_DIR": str(tmp_path / "var"),
             "REMIT_ALLOWED_HOSTS": "remit.example.com"} | env
    return subprocess.run([sys.executable, "-m", "remit.cli", "check", "--deploy",
                           "--fail-level", "WARNING"], env=base, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_the_deploy_check_passes_for_a_production_install(tmp_path):
    done = _deploy_check(tmp_path, REMIT_DATABASE_URL="postgres://remit@db.example/remit",
                         REMIT_SMTP_HOST="mail.example.com")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


def test_the_deploy_check_names_what_a_production_install_lacks(tmp_path):
    done = _deploy_check(tmp_path, REMIT_DATABASE_URL=f"sqlite:///{tmp_path}/r.sqlite3",
                         REMIT_SSL_REDIRECT="false", REMIT_HSTS_SECONDS="0")
    assert done.returncode == 1
    for check in ("remit.W004", "remit.W006", "security.W004", "security.W008"):
        assert check in done.stderr, check
