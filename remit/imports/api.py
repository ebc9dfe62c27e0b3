"""The import pipeline over HTTP: upload a file of any kind with its mapping and formats, read
the run (every problem by line and column), preview the first rows, save a source's mapping.

A small file is imported in the request: 201 when it came in, 422 with every problem when
nothing did. A file over ``IMPORT_SYNC_MAX`` bytes (or any file with ``background=true``) is
run by the background worker: 202 with the run, to be read again until it is finished.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from remit.api_auth import Rule
from remit.api_paging import Paging
from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput, NotFound

from . import services
from .kinds import all_kinds
from .models import ImportProblem, ImportRun, RunStatus, SavedMapping
from .pipeline import Options

router = Router(tags=["imports"])
# /{kind} comes last: Django tries paths in order, and "runs" is not a kind
SYNC_MAX = 2 * 1024 * 1024


class ProblemOut(Schema):
    line: int
    column: str
    message: str


class RunOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str
    status_text: str
    rows: int
    rows_checked: int
    rows_posted: int
    percent: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    problem_count: int
    message: str
    layout: list[str]
    formats: list[str]
    mapping: dict
    columns: dict
    totals: dict
    created_at: datetime
    finished_at: datetime | None
    problems: list[ProblemOut] = Field(description="The first 100; all of them under "
                                                   "/runs/{id}/problems.")


class FieldOut(Schema):
    name: str
    label: str
    required: bool
    kind: str


class KindOut(Schema):
    name: str
    label: str
    fields: list[FieldOut]
    flags: dict[str, str]
    keeps_attributes: bool


class MappingIn(Schema):
    kind: str
    name: str = Field(max_length=100)
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    date_format: str = ""
    decimal: str = ""


class MappingOut(Schema):
    kind: str
    name: str
    columns: dict
    options: dict


def _options(raw: str, skip: bool) -> Options:
    try:
        given = json.loads(raw or "{}")
    except json.JSONDecodeError:
        raise InvalidInput.field("options", "must be a JSON object") from None
    if not isinstance(given, dict):
        raise InvalidInput.field("options", "must be a JSON object")
    unknown = sorted(set(given) - set(Options.__dataclass_fields__))
    if unknown:
        raise InvalidInput.field(("options", unknown[0]), "not an option; choose from "
                                 + ", ".join(Options.__dataclass_fields__))
    for name in ("columns", "constants", "flags"):
        if not isinstance(given.get(name, {}), dict):
            raise InvalidInput.field(("options", name), "must be a JSON object")
    if not isinstance(given.get("ignore", []), list):
        raise InvalidInput.field(("options", "ignore"), "must be a list of column names")
    for name in ("date_format", "decimal", "encoding", "separator", "sheet"):
        if not isinstance(given.get(name, ""), str):
            raise InvalidInput.field(("options", name), "must be text")
    options = Options.from_dict(given)
    options.skip_bad_rows = options.skip_bad_rows or skip
    return options


def _keep(request, file: UploadedFile):
    limit = settings.REMIT["IMPORT_MAX_UPLOAD"]
    if file.size > limit:
        raise InvalidInput.field("file", f"{file.size} bytes; at most {limit} bytes here (use "
                                         "remit import on the command line for more)")
    return services.upload_keep(file.chunks(), request.legal_entity)


@router.get("/kinds", response=list[KindOut], auth=Rule("imports.view_importrun"))
def kinds(request):
    """What can be imported, and each kind's fields."""
    return [{"name": k.name, "label": k.label, "flags": k.flags,
             "keeps_attributes": k.keeps_attributes,
             "fields": [{"name": f.name, "label": f.label, "required": f.required,
                         "kind": f.kind} for f in k.fields]} for k in all_kinds()]


@router.get("/mappings", response=list[MappingOut], auth=Rule("imports.view_importrun"))
def mappings(request):
    return SavedMapping.objects.filter(legal_entity=request.legal_entity)


@router.post("/mappings", response={201: MappingOut}, auth=Rule("imports.add_importrun"))
def mapping_save(request, body: MappingIn):
    saved = services.mapping_save(
        legal_entity=request.legal_entity, kind=body.kind, name=body.name,
        options=Options(columns=body.columns, constants=body.constants,
                        date_format=body.date_format, decimal=body.decimal),
        actor=Actor.api(request.user))
    return Status(201, saved)


@router.get("/runs", response=list[RunOut], auth=Rule("imports.view_importrun"))
@paginate(Paging)
def runs(request):
    return [services.run_as_dict(r, problems=0) for r in
            ImportRun.objects.filter(legal_entity=request.legal_entity)[:500]]


def _run(request, run_id: int) -> ImportRun:
    run = ImportRun.objects.filter(legal_entity=request.legal_entity, pk=run_id).first()
    if run is None:
        raise NotFound(f"no import run {run_id} in {request.legal_entity.code}")
    return run


@router.get("/runs/{run_id}", response=RunOut, auth=Rule("imports.view_importrun"))
def run(request, run_id: int):
    return services.run_as_dict(_run(request, run_id))


@router.get("/runs/{run_id}/problems", response=list[ProblemOut],
            auth=Rule("imports.view_importrun"))
@paginate(Paging)
def run_problems(request, run_id: int):
    return ImportProblem.objects.filter(run=_run(request, run_id))


@router.post("/{kind}", response={201: RunOut, 202: RunOut, 422: RunOut},
             auth=Rule("imports.add_importrun"))
def import_upload(request, kind: str, file: File[UploadedFile], options: Form[str] = "{}",
                  skip_bad_rows: Form[bool] = False, background: Form[bool] = False):
    """Import a CSV or Excel file (multipart). ``options`` is a JSON object: ``columns``
    (column → field, 'attribute' or 'ignore'), ``ignore``, ``constants`` (field → value for
    every row), ``date_format`` (dmy, mdy, ymd), ``decimal`` (',' or '.'), ``encoding``,
    ``separator``, ``sheet``, ``flags`` (create_customers, allow_duplicates),
    ``check_only``."""
    given = _options(options, skip_bad_rows)
    path = _keep(request, file)
    actor = Actor.api(request.user)
    if background or file.size > SYNC_MAX:
        run = services.import_enqueue(legal_entity=request.legal_entity, kind=kind, path=path,
                                      file_name=file.name or "upload", options=given,
                                      actor=actor)
        return Status(202, services.run_as_dict(run))
    run = services.import_file(legal_entity=request.legal_entity, kind=kind, path=path,
                               file_name=file.name or "upload", options=given, actor=actor)
    code = 422 if run.status in (RunStatus.INVALID, RunStatus.FAILED) else 201
    return Status(code, services.run_as_dict(run))


@router.post("/{kind}/preview", auth=Rule("imports.add_importrun"))
def import_preview(request, kind: str, file: File[UploadedFile], options: Form[str] = "{}"):
    """How the first rows read with these options; nothing is written."""
    path = _keep(request, file)
    preview = services.import_preview(legal_entity=request.legal_entity, kind=kind, path=path,
                                      options=_options(options, False),
                                      actor=Actor.api(request.user))
    return preview.as_dict()
