"""``remit insights``: configure, train, evaluate (``--json`` is a contract scripts rely on),
publish or revert, and score the open invoices."""

import json
from typing import Annotated

import typer
from django.core.management.base import CommandError
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from remit.core.actor import Actor
from remit.core.command_args import day_option, legal_entity_option
from remit.core.exceptions import DomainError
from remit.core.models import LegalEntity
from remit.insights import services
from remit.insights.compare import models_compare, versions_numbered
from remit.insights.group import group_evaluation
from remit.insights.models import PredictionModel

Entity = Annotated[str, typer.Option(help="Legal entity code.")]
METRICS = ("accuracy", "macro_f1", "auc_late", "log_loss", "brier")




def evaluation(model: PredictionModel) -> dict:
    """The contract of ``evaluate --json``."""
    def pick(block):
        return {k: block.get(k) for k in (*METRICS, "per_class", "confusion")}

    most_probable = model.metrics.get("model_most_probable")
    return {"model_version": model.version, "model": pick(model.metrics["model"]),
            # the same probabilities, each invoice said to be its most probable class
            "model_most_probable": pick(most_probable) if most_probable else None,
            "decision": (model.calibration[0].get("decision")
                         if model.calibration else None),
            "baselines": {name: pick(block)
                          for name, block in model.metrics["baselines"].items()},
            "test_period": {"from": model.test_from.isoformat() if model.test_from else None,
                            "to": model.test_to.isoformat() if model.test_to else None},
            "n_train": model.n_train, "n_test": model.n_test,
            "thresholds": {"late_days": model.late_days,
                           "very_late_days": model.very_late_days},
            "status": model.status,
            "algorithm": model.algorithm,
            "recipe": model.metrics.get("recipe"),
            "better_than_customer_history": model.metrics.get("better_than_customer_history"),
            "outdated": services.definition_outdated(model)}


class Command(TyperCommand):
    help = "Customer payment predictions: on time, late or very late, for every open invoice."

    @command(help="Set the late and very-late thresholds (days) and the fields the model uses.")
    def configure(self, entity: Entity,
                  late_days: Annotated[int | None, typer.Option()] = None,
                  very_late_days: Annotated[int | None, typer.Option()] = None,
                  features: Annotated[str | None, typer.Option(
                      help="Comma-separated field names ('default': remit's own); a kept "
                           "invoice column as attr:NAME ('attributes': every kept column that "
                           "does not give the outcome away).")] = None,
                  late_benchmark: Annotated[str | None, typer.Option(
                      help="Percent: a collections activity when this share of a customer's "
                           "balance is predicted late or very late.")] = None,
                  very_late_benchmark: Annotated[str | None, typer.Option(
                      help="Percent, checked first, for the very-late share.")] = None,
                  learn_from_group: Annotated[bool | None, typer.Option(
                      "--learn-from-group/--own-history-only",
                      help="Also learn from the other legal entities' invoices.")] = None,
                  very_late_miss_cost: Annotated[str | None, typer.Option(
                      help="1-100: one missed very-late invoice costs this many false alarms, "
                           "and the class said is the one of least expected cost; 'none': "
                           "chosen for macro F1 (the default).")] = None):
        from remit.core.money import amount_in_range

        cost = "keep"
        if very_late_miss_cost is not None:
            text = very_late_miss_cost.strip().lower()
            if text in ("none", ""):
                cost = None
            elif text.isdigit():
                cost = int(text)
            else:
                raise CommandError(f"--very-late-miss-cost: {very_late_miss_cost!r} is not a "
                                   "whole number or 'none'")

        try:
            found = services.settings_save(
                legal_entity=legal_entity_option(entity), late_days=late_days,
                very_late_days=very_late_days,
                features=[f.strip() for f in features.split(",") if f.strip()]
                if features is not None else None,
                late_benchmark=amount_in_range("late_benchmark", late_benchmark)
                if late_benchmark else None,
                very_late_benchmark=amount_in_range("very_late_benchmark", very_late_benchmark)
                if very_late_benchmark else None, learn_from_group=learn_from_group,
                very_late_miss_cost=cost, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        Console().print(f"late after {found.late_days} days, very late after "
                        f"{found.very_late_days} days; benchmarks late "
                        f"{found.late_benchmark or '—'} %, very late "
                        f"{found.very_late_benchmark or '—'} %; fields: "
                        f"{', '.join(found.features)}; "
                        + ("learns from the whole group" if found.learn_from_group
                           else "learns from its own history only")
                        + (f"; a missed very-late invoice costs {found.very_late_miss_cost} "
                           "false alarms" if found.very_late_miss_cost
                           else "; the class said is chosen for macro F1"))

    @command(help="Train a new model version on the invoices whose outcome was certain "
                  "before --as-of (paid, or unpaid past the very-late threshold).")
    def train(self, entity: Entity, as_of: Annotated[str | None, typer.Option()] = None,
              test_from: Annotated[str | None, typer.Option(
                  help="YYYY-MM-DD: test on the invoices dated from this day on (default: "
                       "the last 20 %).")] = None,
              publish: Annotated[bool, typer.Option(help="Publish it at once.")] = False):
        legal_entity = legal_entity_option(entity)
        try:
            model = services.model_train(
                legal_entity=legal_entity, as_of=day_option(as_of), actor=Actor.cli(),
                test_from=day_option(test_from, "--test-from") if test_from else None)
            if publish:
                model = services.model_publish(model=model, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        _print(evaluation(model))

    @command(help="The test-period metrics of a model version beside both baselines.")
    def evaluate(self, entity: Entity,
                 model: Annotated[int | None, typer.Option(
                     help="Model version number (default: the latest).")] = None,
                 as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")]
                 = False):
        models = PredictionModel.objects.filter(legal_entity=legal_entity_option(entity))
        found = (models.filter(version=model).first() if model else models.first())
        if found is None:
            raise CommandError("no such model: train one first (remit insights train)")
        result = evaluation(found)
        if as_json:
            self.stdout.write(json.dumps(result))
        else:
            _print(result)

    @command(help="Judge the method over time: a version trained before each of the last "
                  "months, tested on that month, all months pooled beside both baselines.")
    def backtest(self, entity: Entity, as_of: Annotated[str | None, typer.Option()] = None,
                 months: Annotated[int, typer.Option(help="How many months (1-24).")] = 6,
                 as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")]
                 = False):
        try:
            result = services.backtest_run(legal_entity=legal_entity_option(entity),
                                           as_of=day_option(as_of), months=months,
                                           actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        table = Table("month", "test invoices", "macro F1", "history", "log loss", "history")
        for m in result["months"]:
            table.add_row(m["month"], str(m["n_test"]), str(m["macro_f1"]),
                          str(m["history_macro_f1"]), str(m["log_loss"]),
                          str(m["history_log_loss"]))
        pooled = result["pooled"]
        if pooled:
            history = pooled["baselines"]["customer_history"]
            table.add_row("pooled", str(pooled["n_test"]), str(pooled["model"]["macro_f1"]),
                          str(history["macro_f1"]), str(pooled["model"]["log_loss"]),
                          str(history["log_loss"]))
        Console().print(table)
        for s in result["skipped"]:
            Console().print(f"{s['month']} skipped: {s['reason']}")
        if pooled:
            sure = pooled["better_than_customer_history"]
            Console().print(f"Better than the customer's history in {sure['log_loss']:.0%} of "
                            f"resamples on log loss, {sure['macro_f1']:.0%} on macro F1.")

    @command(help="Put a model version in use (also reverts to an older one).")
    def publish(self, entity: Entity,
                model: Annotated[int, typer.Option(help="Model version number.")]):
        found = PredictionModel.objects.filter(legal_entity=legal_entity_option(entity),
                                               version=model).first()
        if found is None:
            raise CommandError(f"--model: no model v{model}")
        try:
            services.model_publish(model=found, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        Console().print(f"v{model} is in use")

    @command(help="Score every open invoice with the published model.")
    def predict(self, entity: Entity, as_of: Annotated[str | None, typer.Option()] = None):
        console = Console()
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TextColumn("customers"), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task(f"scoring the open invoices of {entity.upper()}", total=None)
            try:
                n = services.predictions_score(
                    legal_entity=legal_entity_option(entity), as_of=day_option(as_of),
                    actor=Actor.cli(),
                    progress=lambda done, total: bar.update(task, completed=done, total=total))
            except DomainError as exc:
                raise CommandError(exc.message) from None
        console.print(f"{n} open invoices scored")

    @command(help="Model versions side by side on the same invoices: those none of them "
                  "learnt from, beside the customer's history.")
    def compare(self, entity: Entity,
                model: Annotated[list[int], typer.Option(
                    help="A version number; give two or more.")],
                as_of: Annotated[str | None, typer.Option()] = None,
                as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")]
                = False):
        legal_entity = legal_entity_option(entity)
        try:
            result = models_compare(legal_entity=legal_entity,
                                    versions=versions_numbered(legal_entity, model),
                                    as_of=day_option(as_of))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        table = Table(f"{result['n']} invoices of {result['from']}–{result['to']}",
                      *(f"v{v['version']}" for v in result["versions"]),
                      "customer's history")
        for name in METRICS:
            table.add_row(name, *(str(v[name]) for v in result["versions"]),
                          str(result["customer_history"][name]))
        console = Console()
        console.print(table)
        if "newer_better" in result:
            older, newer = (v["version"] for v in result["versions"])
            sure = result["newer_better"]
            console.print(f"v{newer} better than v{older} in {sure['log_loss']:.0%} of "
                          f"resamples on log loss, {sure['macro_f1']:.0%} on macro F1 "
                          "(paired bootstrap).")

    @command(help="Every legal entity's model on its own test invoices, and all of them "
                  "together, beside both baselines.")
    def group(self,
              latest: Annotated[bool, typer.Option(
                  "--latest", help="Each legal entity's latest version instead of the one "
                                   "in use.")] = False,
              as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")]
              = False):
        try:
            result = group_evaluation(LegalEntity.objects.filter(is_active=True),
                                      latest=latest)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        console = Console()
        table = Table("legal entity", "invoices", "macro F1", "F1 history", "F1 majority",
                      "log loss", "log loss history", "log loss majority")
        rows = [(f"{e['entity']} v{e['model_version']}", e) for e in result["entities"]]
        if result["together"]:
            rows.append(("together", result["together"]))
        for name, block in rows:
            history, majority = (block["baselines"][k] for k in ("customer_history",
                                                                   "majority"))
            table.add_row(name, str(block["n_test"]),
                          *(str(b["macro_f1"]) for b in (block["model"], history, majority)),
                          *(str(b["log_loss"]) for b in (block["model"], history, majority)))
        console.print(table)
        if result["together"]:
            sure = result["together"]["better_than_customer_history"]
            console.print(f"Together, the models beat the customer's history in "
                          f"{sure['log_loss']:.0%} of resamples on log loss and "
                          f"{sure['macro_f1']:.0%} on macro F1 (paired bootstrap).")
        if not result["entities"]:
            console.print("No legal entity has a model to judge.")
        for gone in result["left_out"]:
            console.print(f"{gone['entity']} left out: {gone['reason']}")

    @command(help="The model versions of a legal entity.")
    def models(self, entity: Entity):
        table = Table("version", "status", "thresholds", "trained on", "tested on",
                      "macro F1", "log loss", "baseline F1")
        for m in PredictionModel.objects.filter(legal_entity=legal_entity_option(entity)):
            table.add_row(f"v{m.version}", m.get_status_display(),
                          f"{m.late_days}/{m.very_late_days}", str(m.n_train),
                          f"{m.n_test} ({m.test_from}–{m.test_to})",
                          str(m.metrics["model"]["macro_f1"]),
                          str(m.metrics["model"]["log_loss"]),
                          str(m.metrics["baselines"]["customer_history"]["macro_f1"]))
        Console().print(table)


def _print(result: dict) -> None:
    table = Table(f"v{result['model_version']} on {result['n_test']} invoices of "
                  f"{result['test_period']['from']}–{result['test_period']['to']}", "model",
                  "majority class", "customer's history")
    for name in METRICS:
        table.add_row(name, *(str(block[name]) for block in (
            result["model"], result["baselines"]["majority"],
            result["baselines"]["customer_history"])))
    console = Console()
    console.print(table)
    sure = result.get("better_than_customer_history")
    if sure:
        console.print(f"Better than the customer's history in {sure['log_loss']:.0%} of "
                      f"resamples of the test invoices on log loss, {sure['macro_f1']:.0%} on "
                      "macro F1 (paired bootstrap).")
    if result.get("outdated"):
        console.print(f"[yellow]v{result['model_version']} {result['outdated']}.[/yellow]")
    recipe = result.get("recipe")
    if recipe and "params" in recipe:
        console.print(f"{result['algorithm']}: {recipe['params']} trees, {recipe['rounds']} "
                      f"rounds, temperature {recipe['temperature']} (chosen on "
                      f"{recipe['folds']} rolling folds of the training period; "
                      f"{recipe.get('from_other_entities', 0)} invoices learnt from other "
                      "legal entities).")
