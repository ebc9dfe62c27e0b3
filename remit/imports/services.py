"""Use cases around the pipeline: saved mappings (a source system's columns and formats, by
name), keeping an upload where a background job can read it, running an import in the
background, and a run as the API and the pages show it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from django.db import transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput
from remit.core.models import LegalEntity

from .kinds import kind_for
from .models import ImportRun, RunStatus, SavedMapping
from .pipeline import (  # noqa: F401  (the use cases the entry points call)
    Options,
    import_execute,
    import_file,
    import_folder,
    import_start,
)
from .preview import import_preview  # noqa: F401
from .reading import store_stream


def mapping_apply(legal_entity: LegalEntity, kind: str, name: str, options: Options) -> Options:
    """The saved mapping's columns and formats, under what the user says now."""
    saved = SavedMapping.objects.filter(legal_entity=legal_entity, kind=kind, name=name).first()
    if saved is None:
        raise InvalidInput.field("mapping", f"no saved {kind} mapping called {name!r}")
    stored = saved.options or {}
    return replace(
        options,
        columns={**saved.columns, **options.columns},
        ignore=sorted(set(stored.get("ignore", [])) | set(options.ignore)),
        constants={**stored.get("constants", {}), **options.constants},
        date_format=options.date_format or stored.get("date_format", ""),
        decimal=options.decimal or stored.get("decimal", ""),
        encoding=options.encoding or stored.get("encoding", ""),
        separator=options.separator or stored.get("separator", ""),
        sheet=options.sheet or stored.get("sheet", ""),
        flags={**stored.get("flags", {}), **options.flags})


@transaction.atomic
def mapping_save(*, legal_entity: LegalEntity, kind: str, name: str, actor: Actor,
                 run: ImportRun | None = None, options: Options | None = None) -> SavedMapping:
    """Remember how a source's files read: the columns' roles and the formats, from a run
    (what it resolved and detected) or from options as given."""
    kind_for(kind)
    actor.require("imports.add_importrun")
    name = name.strip()
    if not name:
        raise InvalidInput.field("name", "name the source, e.g. the system the file comes from")
    if run is not None:
        given = Options.from_dict(run.options)
        columns = dict((run.mapping or {}).get("columns") or given.columns)
        stored = {"constants": (run.mapping or {}).get("constants", given.constants),
                  "date_format": (run.formats or {}).get("date_order") or given.date_format,
                  "decimal": (run.formats or {}).get("decimal") or given.decimal,
                  "encoding": (run.layout or {}).get("encoding") or given.encoding,
                  "separator": (run.layout or {}).get("separator") or given.separator,
                  "sheet": given.sheet, "flags": given.flags}
    else:
        options = options or Options()
        columns = dict(options.columns)
        stored = {"constants": options.constants, "ignore": options.ignore,
                  "date_format": options.date_format, "decimal": options.decimal,
                  "encoding": options.encoding, "separator": options.separator,
                  "sheet": options.sheet, "flags": options.flags}
    saved, _ = SavedMapping.objects.update_or_create(
        legal_entity=legal_entity, kind=kind, name=name[:100],
        defaults={"columns": columns, "options": {k: v for k, v in stored.items() if v}})
    audit_record(actor=actor, action="imports.mapping.save", obj=saved,
                 legal_entity=legal_entity, data={"kind": kind, "columns": len(columns)})
    return saved


def upload_keep(chunks, legal_entity: LegalEntity) -> Path:
    """An uploaded file, read in chunks, kept under the data folder for the run to read."""
    return store_stream(chunks, import_folder() / legal_entity.code)


def import_enqueue(*, legal_entity: LegalEntity, kind: str, path: Path, file_name: str,
                   options: Options, actor: Actor) -> ImportRun:
    """Start (or resume) a run and have the background worker carry it out; the page shows
    its progress."""
    from .tasks import import_run_job

    run = import_start(legal_entity=legal_entity, kind=kind, path=path, file_name=file_name,
                       options=options, actor=actor)
    if run.status in (RunStatus.QUEUED, RunStatus.CHECKING, RunStatus.POSTING):
        run_id = run.pk
        transaction.on_commit(lambda: import_run_job.enqueue(run_id=run_id))
    return run


def run_as_dict(run: ImportRun, *, problems: int = 100) -> dict:
    return {
        "id": run.pk, "kind": run.kind, "file_name": run.file_name, "status": run.status,
        "status_text": run.get_status_display(), "rows": run.rows,
        "rows_checked": run.rows_checked, "rows_posted": run.rows_posted,
        "percent": run.percent, "created": run.created, "updated": run.updated,
        "unchanged": run.unchanged, "skipped": run.skipped, "problem_count": run.problems,
        "message": run.message, "layout": (run.layout or {}).get("described", []),
        "formats": (run.formats or {}).get("described", []), "mapping": run.mapping,
        "columns": run.columns, "totals": run.totals, "created_at": run.created_at,
        "finished_at": run.finished_at,
        "problems": [p.as_dict() for p in run.problem_rows.all()[:problems]],
    }
