"""Pages of the web shell: login, home workspace, legal-entity switcher, API tokens, audit log."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from remit.core.access import page, public
from remit.core.actor import Actor
from remit.core.context import SESSION_KEY
from remit.core.exceptions import DomainError
from remit.core.models import ApiToken, AuditLog
from remit.core.selectors import legal_entities_for
from remit.core.services import api_token_create, api_token_revoke

from .workspace import home_summary

login_view = public(auth_views.LoginView.as_view(template_name="web/login.html",
                                                 redirect_authenticated_user=True))
_logout = auth_views.LogoutView.as_view()


@public
def logout_view(request):
    """Logging out is a POST (a link cannot log anyone out); a GET — a typed or bookmarked
    /logout/ — asks first instead of answering 405."""
    if request.method == "POST":
        return _logout(request)
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "web/logout.html")


@public
def health(request):
    return JsonResponse({"status": "ok"})


@page("core.access_remit")
def home(request):
    return render(request, "web/home.html", home_summary(request.user, request.legal_entity))


@require_POST
@page("core.access_remit", needs_entity=False)
def switch_entity(request):
    code = request.POST.get("legal_entity", "")
    entity = legal_entities_for(request.user).filter(code=code).first()
    if entity is None:
        return HttpResponseBadRequest("You may not work in that legal entity.")
    request.session[SESSION_KEY] = entity.pk
    messages.info(request, f"You are now working in {entity}.")
    target = request.POST.get("next") or "/"
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


@page("core.use_api", needs_entity=False)
def tokens(request):
    secret = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                token = ApiToken.objects.get(user=request.user, prefix=request.POST["revoke"])
                api_token_revoke(token=token, actor=Actor.web(request.user))
                messages.info(request, f"Token {token.prefix} revoked.")
            else:
                _, secret = api_token_create(user=request.user,
                                             name=request.POST.get("name", ""),
                                             actor=Actor.web(request.user))
        except (DomainError, ApiToken.DoesNotExist) as exc:
            messages.error(request, getattr(exc, "message", "No such token."))
    return render(request, "web/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user), "secret": secret})


@page("core.view_auditlog")
def audit(request):
    qs = AuditLog.objects.filter(legal_entity=request.legal_entity).select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    entries = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "web/audit.html", {"entries": entries, "action": action})


def forbidden(request, exception=None):
    return render(request, "web/403.html", {"reason": str(exception or "")}, status=403)


def not_found(request, exception=None):
    reason = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(reason, str) or reason.startswith("{"):  # Django's resolver detail
        reason = ""
    return render(request, "web/404.html", {"reason": reason}, status=404)


@public
def favicon(request):
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("remit/favicon.svg"), permanent=True)


@page("core.view_exchangerate")
def rates(request):
    """The exchange rates remit converts with, newest first; an administrator imports more
    through the Import page (kind: exchange rates) or ``remit rates import``."""
    from .models import ExchangeRate

    qs = ExchangeRate.objects.order_by("-valid_from", "from_currency", "to_currency")
    currency = request.GET.get("currency", "").strip().upper()[:3]
    if currency:
        qs = qs.filter(from_currency=currency) | qs.filter(to_currency=currency)
    return render(request, "web/rates.html", {
        "rates": Paginator(qs, 50).get_page(request.GET.get("page")), "currency": currency,
        "can_import": request.user.has_perm("core.add_exchangerate")
        and request.user.has_perm("imports.add_importrun")})
