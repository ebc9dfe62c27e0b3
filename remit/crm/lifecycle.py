"""The shipped lead lifecycle: status reasons and the transitions between them. Made by a
migration and made again (when missing) after every migrate and flush, so a database emptied
by a test run or by ``flush`` still has them — the same way Django recreates permissions."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS

REASONS = [
    # code, label, state, position
    ("new", "New", "open", 1),
    ("contacted", "Contacted", "open", 2),
    ("qualified", "Qualified", "qualified", 3),
    ("lost", "Lost", "disqualified", 4),
    ("cannot_contact", "Cannot contact", "disqualified", 5),
    ("no_longer_interested", "No longer interested", "disqualified", 6),
    ("canceled", "Canceled", "disqualified", 7),
]
OPEN = ("new", "contacted")
CLOSED = ("qualified", "lost", "cannot_contact", "no_longer_interested", "canceled")


def transitions():
    for source in OPEN:
        for target in OPEN:
            if source != target:
                yield source, target, "status"
        yield source, "qualified", "qualify"
        for target in CLOSED[1:]:
            yield source, target, "disqualify"
    for source in CLOSED:
        yield source, "new", "reactivate"


def lifecycle_ensure(status_model, transition_model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the shipped reasons and transitions that are missing (never changes or removes
    what an administrator has set)."""
    if status_model.objects.using(using).exists():
        return  # set up already: an administrator may have changed the lifecycle on purpose
    made = {}
    for code, label, state, position in REASONS:
        made[code], _ = status_model.objects.using(using).get_or_create(
            code=code, defaults={"label": label, "state": state, "position": position})
    for source, target, action in transitions():
        transition_model.objects.using(using).get_or_create(
            source=made[source], target=made[target], defaults={"action": action})


def lifecycle_on_migrate(sender, using=DEFAULT_DB_ALIAS, apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps

    registry = apps or global_apps
    try:
        status_model = registry.get_model("crm", "StatusReason")
        transition_model = registry.get_model("crm", "Transition")
    except LookupError:
        return  # migrating backwards past the app
    lifecycle_ensure(status_model, transition_model, using)
