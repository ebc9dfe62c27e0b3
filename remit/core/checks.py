"""remit's own deploy checks, run by ``remit check --deploy`` beside Django's: what a
production install must not miss that Django cannot know about."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def remit_deploy_checks(app_configs, **kwargs):
    found = []
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    scripts = [str(s) for s in policy.get("DIRECTIVES", {}).get("script-src", [])]
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE or not scripts:
        found.append(Warning("No Content-Security-Policy is sent.",
                             hint="Keep csp.middleware.CSPMiddleware and "
                                  "CONTENT_SECURITY_POLICY from remit/settings.py.",
                             id="remit.W001"))
    elif any("unsafe" in s for s in scripts):
        found.append(Warning("The Content-Security-Policy allows unsafe scripts.",
                             hint="remit's pages need no inline script or eval.",
                             id="remit.W002"))
    if "axes.middleware.AxesMiddleware" not in settings.MIDDLEWARE:
        found.append(Warning("Logins are not throttled.", hint="Keep django-axes' middleware.",
                             id="remit.W003"))
    if settings.EMAIL_BACKEND.endswith(("filebased.EmailBackend", "console.EmailBackend",
                                        "locmem.EmailBackend")):
        found.append(Warning("Mail is written to files, not sent: collection letters and "
                             "e-mails will not reach customers.",
                             hint="Set REMIT_SMTP_HOST (and REMIT_SMTP_USER, "
                                  "REMIT_SMTP_PASSWORD).", id="remit.W004"))
    if "*" in settings.ALLOWED_HOSTS:
        found.append(Warning("ALLOWED_HOSTS accepts any host name.",
                             hint="Set REMIT_ALLOWED_HOSTS to the names remit is served as.",
                             id="remit.W005"))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        found.append(Warning("The database is SQLite: one writer at a time, fine for a "
                             "trial or a small team.",
                             hint="Point REMIT_DATABASE_URL at PostgreSQL for a company's "
                                  "production books.", id="remit.W006"))
    return found
