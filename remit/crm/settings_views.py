"""Lead settings for a sales manager, outside Django's admin: how each record type is
qualified, the lead summary, the duplicate dialog and lead to cash; the duplicate rules
(publish, unpublish, add); the field mappings (add; delete all but the defaults)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError, InvalidInput
from remit.core.forms import whole_number

from . import duplicates, leads, matching, qualify
from .models import DuplicateRule, FieldMapping, QualificationSettings, RecordType, Target

# what a rule's records are compared with, as the rule form offers it
MATCHING_TYPES = [("lead", "leads"), ("contact", "contacts"), ("account", "accounts"),
                  (duplicates.ANY, "leads, contacts and accounts")]


class SettingsForm(forms.ModelForm):
    summary_endpoint = forms.URLField(
        required=False, assume_scheme="https",
        help_text=QualificationSettings._meta.get_field("summary_endpoint").help_text)

    class Meta:
        model = QualificationSettings
        fields = list(qualify.SETTINGS_FIELDS)
        widgets = {"summary_api_key": forms.PasswordInput(render_value=False,
                                                          attrs={"autocomplete": "off"})}
        help_texts = {"summary_api_key": "Left empty, the saved key is kept."}
        labels = {"summary_api_key": "Summary API key", "summary_endpoint": "Summary endpoint",
                  "customer_on_won": "Customer when won",
                  "enhanced_duplicate_dialog": "Enhanced duplicate dialog"}


@page("crm.view_qualificationsettings")
def crm_settings(request):
    entity, actor = request.legal_entity, Actor.web(request.user)
    current = qualify.settings_for(entity)
    form = SettingsForm(instance=QualificationSettings.objects.get(pk=current.pk))
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "settings":
                form = SettingsForm(request.POST, instance=QualificationSettings.objects.get(
                    pk=current.pk))
                if form.is_valid():
                    changes = {k: form.cleaned_data[k] for k in qualify.SETTINGS_FIELDS}
                    if not changes["summary_api_key"]:
                        changes.pop("summary_api_key")  # an empty box keeps the saved key
                    qualify.settings_save(legal_entity=entity, actor=actor, **changes)
                    messages.success(request, "Settings saved.")
                    return redirect("crm_settings")
            elif action in ("publish", "unpublish"):
                rule = get_object_or_404(DuplicateRule, legal_entity=entity,
                                         pk=_id(request, "rule"))
                service = duplicates.rule_publish if action == "publish" else \
                    duplicates.rule_unpublish
                service(rule=rule, actor=actor)
                messages.success(request, f"'{rule.name}' {action}ed.")
                return redirect("crm_settings")
            elif action == "rule_add":
                duplicates.rule_create(
                    legal_entity=entity, actor=actor, name=request.POST.get("name", ""),
                    record_type=request.POST.get("record_type", ""),
                    matching_type=request.POST.get("matching_type", ""),
                    kind=request.POST.get("kind", ""),
                    exclude_inactive=request.POST.get("exclude_inactive") == "1")
                messages.success(request, "Rule added, unpublished: publish it to use it.")
                return redirect("crm_settings")
            elif action == "mapping_add":
                qualify.mapping_add(legal_entity=entity, actor=actor,
                                    target=request.POST.get("target", ""),
                                    lead_field=request.POST.get("lead_field", ""),
                                    target_field=request.POST.get("target_field", ""))
                messages.success(request, "Mapping added.")
                return redirect("crm_settings")
            elif action == "mapping_delete":
                qualify.mapping_delete(mapping=get_object_or_404(
                    FieldMapping, legal_entity=entity, pk=_id(request, "mapping")), actor=actor)
                messages.success(request, "Mapping deleted.")
                return redirect("crm_settings")
            else:
                raise InvalidInput.field("action", "unknown action")
        except DomainError as exc:
            messages.error(request, exc.message)
    if not request.user.has_perm("crm.change_qualificationsettings"):
        for field in form.fields.values():
            field.disabled = True  # shown, read-only
    return render(request, "crm/settings.html", {
        "form": form,
        "rules": DuplicateRule.objects.filter(legal_entity=entity).order_by(
            "record_type", "-is_published", "id"),
        "mappings": FieldMapping.objects.filter(legal_entity=entity).order_by("target", "id"),
        "record_types": RecordType.choices, "matching_types": MATCHING_TYPES,
        "kinds": matching.KINDS.items(),
        "targets": Target.choices, "lead_fields": leads.LEAD_FIELDS,
        "target_fields": qualify.MAPPABLE, "max_published": duplicates.MAX_PUBLISHED})


def _id(request, field: str) -> int:
    value = whole_number(request.POST.get(field, ""))
    if value is None:
        raise InvalidInput.field(field, "not a record")
    return value
