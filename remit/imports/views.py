"""The Import pages, a wizard in three steps: upload a file and say what it holds; see its
first rows read with the mapping and formats you choose (every column's role, every row's
problems) and save that mapping for the source; then check the whole file or import it — in
the background, with a progress line — and read every problem by line and column."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.cells import csv_row
from remit.core.exceptions import DomainError

from . import services
from .kinds import all_kinds, kind_for
from .mapping import ATTRIBUTE, IGNORE, parse_pairs
from .models import ImportRun, RunStatus, SavedMapping
from .pipeline import Options, import_folder

STORED = re.compile(r"[0-9a-f]{64}\.(csv|xlsx)")


def _kinds_for(user) -> list:
    return [k for k in all_kinds() if not k.permission or user.has_perm(k.permission)]


@page("imports.view_importrun")
def imports(request):
    if request.method == "POST":
        return _upload(request)
    runs = ImportRun.objects.filter(legal_entity=request.legal_entity).select_related(
        "created_by")
    return render(request, "imports/imports.html", {
        "kinds": _kinds_for(request.user), "runs": Paginator(runs, 25).get_page(
            request.GET.get("page")),
        "limit_mb": settings.REMIT["IMPORT_MAX_UPLOAD"] // (1024 * 1024),
        "chosen": request.GET.get("kind", ""),
        "can_import": request.user.has_perm("imports.add_importrun")})


def _upload(request):
    if not request.user.has_perm("imports.add_importrun"):
        messages.error(request, "Your role does not allow you to import.")
        return redirect("imports")
    upload = request.FILES.get("file")
    kind = request.POST.get("kind", "")
    if upload is None:
        messages.error(request, "Choose a file to import (CSV or Excel).")
        return redirect("imports")
    limit = settings.REMIT["IMPORT_MAX_UPLOAD"]
    if upload.size > limit:
        messages.error(request, f"{upload.name} is {upload.size // 10**6} MB; the Import page "
                                f"takes files up to {limit // 10**6} MB (use remit import on "
                                "the command line for bigger ones).")
        return redirect("imports")
    try:
        kind_for(kind)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports")
    path = services.upload_keep(upload.chunks(), request.legal_entity)
    query = {"kind": kind, "file": path.name, "name": upload.name[:200]}
    if request.POST.get("saved"):
        query["saved"] = request.POST["saved"]
    return redirect(f"{reverse('import_map')}?{urlencode(query)}")


def _stored(request, name: str) -> Path:
    if not STORED.fullmatch(name or ""):
        raise Http404("no such upload")
    path = import_folder() / request.legal_entity.code / name
    if not path.is_file():
        raise Http404("the upload is gone; upload the file again")
    return path


def _options(request, kind) -> Options:
    data = request.POST if request.method == "POST" else request.GET
    columns = {}
    for key, target in data.items():
        if key.startswith("col:") and target:
            columns[key[4:]] = target
    flags = {name: True for name in kind.flags if data.get(f"flag_{name}")}
    constants = parse_pairs([line for line in data.get("constants", "").splitlines()
                             if line.strip()], "constant")
    options = Options(columns=columns, constants=constants,
                      date_format=data.get("date_format", ""), decimal=data.get("decimal", ""),
                      encoding=data.get("encoding", ""), separator=data.get("separator", ""),
                      sheet=data.get("sheet", ""), flags=flags,
                      skip_bad_rows=bool(data.get("skip")))
    saved = data.get("saved", "")
    if saved and not columns:
        options = services.mapping_apply(request.legal_entity, kind.name, saved, options)
    return options


@page("imports.add_importrun")
def import_map(request):
    data = request.POST if request.method == "POST" else request.GET
    earlier = None
    try:
        if request.method == "GET" and data.get("run", "").isdigit():
            earlier = _run(request, int(data["run"]))  # back to a run's mapping, to change it
            kind, path = kind_for(earlier.kind), _stored(request, Path(earlier.path).name)
        else:
            kind = kind_for(data.get("kind", ""))
            path = _stored(request, data.get("file", ""))
    except (DomainError, Http404) as exc:
        messages.error(request, getattr(exc, "message", str(exc)) + " — choose the file again.")
        return redirect("imports")
    name = (earlier.file_name if earlier else data.get("name", "")) or path.name
    actor = Actor.web(request.user)
    preview = error = None
    try:
        if earlier is not None:
            options = Options.from_dict(earlier.options)
            options.check_only = False
        else:
            options = _options(request, kind)
        action = request.POST.get("action", "") if request.method == "POST" else ""
        if action == "save" and request.POST.get("mapping_name", "").strip():
            services.mapping_save(legal_entity=request.legal_entity, kind=kind.name,
                                  name=request.POST["mapping_name"], options=options,
                                  actor=actor)
            messages.success(request, f"Mapping saved as {request.POST['mapping_name'].strip()!r}.")
        elif action in ("check", "import"):
            options.check_only = action == "check"
            run = services.import_enqueue(legal_entity=request.legal_entity, kind=kind.name,
                                          path=path, file_name=name, options=options,
                                          actor=actor)
            return redirect("import_run", run.pk)
        preview = services.import_preview(legal_entity=request.legal_entity, kind=kind.name,
                                          path=path, options=options, actor=actor)
    except DomainError as exc:
        error = exc.message
        options = Options()
    except ValueError as exc:
        error = str(exc)
        options = Options()
    context = {
        "kind": kind, "file": path.name, "name": name, "preview": preview, "error": error,
        "options": options, "targets": [f.name for f in kind.fields],
        "fields": kind.fields, "ATTRIBUTE": ATTRIBUTE, "IGNORE": IGNORE,
        "saved": SavedMapping.objects.filter(legal_entity=request.legal_entity,
                                             kind=kind.name),
        "constants": "\n".join(f"{k}={v}" for k, v in options.constants.items()),
    }
    if preview is not None:
        context["columns"] = _columns(preview)
    template = "imports/_preview.html" if request.htmx else "imports/map.html"
    return render(request, template, context)


def _columns(preview) -> list[dict]:
    """Each column with its role and the first values it holds."""
    out = []
    for column in preview.header:
        samples = [row["cells"].get(column, "") for row in preview.rows[:3]]
        out.append({"name": column, "target": preview.mapping.columns.get(column, IGNORE),
                    "guessed": column in preview.mapping.guessed,
                    "samples": [s for s in samples if s]})
    return out


@page("imports.view_importrun")
def import_run(request, run_id: int):
    run = _run(request, run_id)
    problems = Paginator(run.problem_rows.all(), 50).get_page(request.GET.get("page"))
    context = {"run": run, "problems": problems, "running": not run.is_finished,
               "leaks": {c: i for c, i in (run.columns or {}).items() if i.get("leak")}}
    return render(request, "imports/run.html", context)


def _run(request, run_id: int) -> ImportRun:
    run = ImportRun.objects.filter(legal_entity=request.legal_entity, pk=run_id).first()
    if run is None:
        raise Http404("no such import in this legal entity")
    return run


@page("imports.add_importrun")
@require_POST
def import_run_now(request, run_id: int):
    """A checked file, imported with the same mapping and formats."""
    run = _run(request, run_id)
    options = Options.from_dict(run.options)
    options.check_only = False
    try:
        made = services.import_enqueue(legal_entity=request.legal_entity, kind=run.kind,
                                       path=Path(run.path), file_name=run.file_name,
                                       options=options, actor=Actor.web(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("import_run", run.pk)
    return redirect("import_run", made.pk)


@page("imports.view_importrun")
def import_run_problems(request, run_id: int):
    run = _run(request, run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.csv"'
    out = csv.writer(response)
    out.writerow(["line", "column", "problem"])
    for p in run.problem_rows.all().iterator():
        out.writerow(csv_row([p.line, p.column, p.message]))
    return response


RUNNING = (RunStatus.QUEUED, RunStatus.CHECKING, RunStatus.POSTING)
