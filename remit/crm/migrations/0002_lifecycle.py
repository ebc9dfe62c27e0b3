"""The shipped lead status reasons and the transitions between them (the lifecycle as data)."""

from django.db import migrations

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


def forward(apps, schema_editor):
    StatusReason = apps.get_model("crm", "StatusReason")
    Transition = apps.get_model("crm", "Transition")
    made = {}
    for code, label, state, position in REASONS:
        made[code], _ = StatusReason.objects.get_or_create(
            code=code, defaults={"label": label, "state": state, "position": position})
    for source, target, action in transitions():
        Transition.objects.get_or_create(source=made[source], target=made[target],
                                         defaults={"action": action})


def backward(apps, schema_editor):
    apps.get_model("crm", "Transition").objects.all().delete()
    apps.get_model("crm", "StatusReason").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
