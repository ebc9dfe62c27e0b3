"""The one import pipeline: read → map → parse → check the whole file → post in batches.

Every kind goes through the same steps:

1. *Layout and formats.* The file's encoding, separator (or sheet), decimal mark and date order
   are detected over the whole file (or named by the user); a file that never says which is
   refused with an example line.
2. *Check.* Every row is read, mapped, parsed and checked, alone and against the database, and
   every problem is stored with its line and column. Nothing is written to the books. A file
   with problems stops here unless the user skips bad rows.
3. *Post.* The file is read again and the good rows are posted a chunk at a time, each chunk in
   its own transaction together with the run's checkpoint. Killed at any point, the run is
   found again by its file and options and resumes after the last committed chunk; a row is
   never posted twice, and the books balance after every chunk.

A run is a database row (``ImportRun``) the CLI, the page and the API all show.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import DomainError, InvalidInput, RuleViolation
from remit.core.memory import objects_before_set_aside
from remit.core.models import LegalEntity

from . import formats as fmt
from .kinds import Context, Counts, ImportKind, Row, kind_for, require
from .mapping import Mapping
from .models import ImportProblem, ImportRun, RunStatus
from .reading import FileProblem, Table, sha256_of
from .source import (  # noqa: F401 - Options and import_folder are the pipeline's words too
    Options,
    Progress,
    Rows,
    decide_formats,
    import_folder,
    layout_of,
    mapping_for,
)

STALE_AFTER = timedelta(minutes=2)  # a run not heard from this long lost its process


def _context(run: ImportRun, kind: ImportKind, mapping: Mapping, formats: fmt.Formats,
             options: Options, actor: Actor) -> Context:
    return Context(legal_entity=run.legal_entity, actor=actor, formats=formats,
                   mapping=mapping, flags=dict(options.flags), as_of=timezone.localdate())


# --- starting and resuming a run ------------------------------------------------------------------

def _fingerprint(kind: str, sha: str, options: Options) -> str:
    text = json.dumps({"kind": kind, "sha256": sha, "options": options.as_dict()},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def import_start(*, legal_entity: LegalEntity, kind: str, path: Path, file_name: str,
                 options: Options, actor: Actor) -> ImportRun:
    """The run for this file and these options: an unfinished one is resumed (a killed import
    started again), otherwise a new one. Refused while the same import runs elsewhere."""
    handler = kind_for(kind)
    require(handler, actor)
    path = Path(path)
    if not path.is_file():
        raise InvalidInput.field("file", f"no file {path}")
    sha = sha256_of(path)
    fingerprint = _fingerprint(kind, sha, options)
    with transaction.atomic():
        found = (ImportRun.objects.select_for_update()
                 .filter(legal_entity=legal_entity, kind=kind, fingerprint=fingerprint,
                         status__in=[RunStatus.QUEUED, RunStatus.CHECKING, RunStatus.POSTING])
                 .order_by("-id").first())
        if found is not None:
            if _alive(found) and found.status != RunStatus.QUEUED:
                raise RuleViolation(
                    f"this file is being imported now (run {found.pk}, "
                    f"{found.get_status_display()}, {found.rows_posted} of {found.rows} rows)",
                    code="import_running")
            found.path = str(path)
            found.save(update_fields=["path"])
            return found
        checked = None if options.check_only else _checked_run(legal_entity, kind, sha,
                                                                options, actor)
        if checked is not None:  # "check the whole file", then "import": one run, not two
            checked.options, checked.fingerprint = options.as_dict(), fingerprint
            checked.skip_bad_rows, checked.path = options.skip_bad_rows, str(path)
            checked.status, checked.message = RunStatus.QUEUED, ""
            checked.save()
            return checked
        run = ImportRun.objects.create(
            legal_entity=legal_entity, kind=kind, file_name=file_name[:255], sha256=sha,
            path=str(path), size=path.stat().st_size, options=options.as_dict(),
            fingerprint=fingerprint, skip_bad_rows=options.skip_bad_rows,
            channel=actor.channel, created_by=actor.user)
    return run


def _checked_run(legal_entity, kind: str, sha: str, options: Options,
                 actor: Actor) -> ImportRun | None:
    """The same user's last run that only checked this file (with or without problems found)
    with the same reading options — whether to skip bad rows may change once the problems
    are seen; it is checked again before anything is posted."""
    same = {**options.as_dict(), "check_only": False, "skip_bad_rows": False}
    for run in (ImportRun.objects.select_for_update()
                .filter(legal_entity=legal_entity, kind=kind, sha256=sha,
                        status__in=[RunStatus.CHECKED, RunStatus.INVALID],
                        created_by=actor.user).order_by("-id")[:5]):
        said = Options.from_dict(run.options)
        if said.check_only and {**said.as_dict(), "check_only": False,
                                "skip_bad_rows": False} == same:
            return run
    return None


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _alive(run: ImportRun) -> bool:
    """Whether the process carrying the run out is still at it: on this machine, whether that
    process exists; elsewhere, whether it was heard from lately."""
    host, _, pid = (run.owner or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return bool(run.heartbeat_at and timezone.now() - run.heartbeat_at < STALE_AFTER)


def import_execute(*, run: ImportRun, actor: Actor,
                   progress: Progress | None = None) -> ImportRun:
    """Check the file (unless a resumed run already did) and post what is left to post."""
    with objects_before_set_aside():  # see core.memory
        return _execute(run, actor, progress)


def _execute(run: ImportRun, actor: Actor, progress: Progress | None) -> ImportRun:
    handler = kind_for(run.kind)
    require(handler, actor)
    run.owner = _me()
    run.save(update_fields=["owner"])
    options = Options.from_dict(run.options)
    path = Path(run.path)
    if not path.is_file():
        _finish(run, RunStatus.FAILED, f"the file {run.file_name} is no longer at {path}")
        return run
    try:
        layout = layout_of(path, options)
        table = Table(path, layout)
        mapping = mapping_for(handler, table.header(), options)
        data = Rows(table, mapping)
        formats = decide_formats(handler, data, options, progress)
    except (InvalidInput, fmt.FormatProblem) as exc:
        _record_file_problem(run, _said(exc))
        return run
    run.layout = {"kind": layout.kind, "encoding": layout.encoding,
                  "separator": layout.separator, "sheet": layout.sheet,
                  "described": layout.describe()}
    run.formats = {"decimal": formats.decimal, "date_order": formats.date_order,
                   "described": formats.describe()}
    run.mapping = mapping.as_dict()
    ctx = _context(run, handler, mapping, formats, options, actor)
    try:
        handler.start(ctx)
        if run.status in (RunStatus.QUEUED, RunStatus.CHECKING):
            _check(run, handler, ctx, data, progress)
            if run.status in (RunStatus.INVALID, RunStatus.CHECKED):
                return run
        _post(run, handler, ctx, data, progress)
    except FileProblem as exc:
        _record_file_problem(run, str(exc))
    except MovedOn:
        run.refresh_from_db()
    return run


def import_file(*, legal_entity: LegalEntity, kind: str, path: Path, file_name: str = "",
                options: Options | None = None, actor: Actor,
                progress: Progress | None = None) -> ImportRun:
    """Start (or resume) and run an import to its end, here and now."""
    run = import_start(legal_entity=legal_entity, kind=kind, path=path,
                       file_name=file_name or Path(path).name, options=options or Options(),
                       actor=actor)
    return import_execute(run=run, actor=actor, progress=progress)


def _said(exc: Exception) -> str:
    """A problem's words without the field path (the run says it is about the file)."""
    if isinstance(exc, DomainError):
        return exc.errors[0][1] if len(exc.errors) == 1 else exc.message
    return str(exc)


def _record_file_problem(run: ImportRun, message: str) -> None:
    with transaction.atomic():
        ImportProblem.objects.filter(run=run).delete()
        ImportProblem.objects.create(run=run, line=0, column="", message=message)
        run.problems = 1
        run.skipped = run.rows
        _finish(run, RunStatus.INVALID, message)


def _finish(run: ImportRun, status: str, message: str = "") -> None:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.save()


# --- checking ----------------------------------------------------------------------------------

def _check(run: ImportRun, kind: ImportKind, ctx: Context, data: Rows,
           progress: Progress | None) -> None:
    now = timezone.now()
    with transaction.atomic():
        ImportProblem.objects.filter(run=run).delete()
        run.status, run.started_at, run.heartbeat_at = RunStatus.CHECKING, now, now
        run.rows = run.rows_checked = run.rows_posted = run.problems = 0
        run.save()
    totals: dict[str, dict[str, Decimal]] = {}
    bad_rows = 0
    chunk: list[tuple[Row, object]] = []

    def flush():
        nonlocal bad_rows
        good = [(r, p) for r, p in chunk if not r.problems]
        if good:
            kind.check_chunk(ctx, good)
        found = []
        for row, parsed in chunk:
            if row.problems:
                bad_rows += 1
                found += [ImportProblem(run=run, line=row.line,
                                        column=ctx.mapping.column_of(f)[:255], message=m)
                          for f, m in row.problems]
            else:
                summed = kind.totals(ctx, parsed)
                if summed:
                    group, values = summed
                    into = totals.setdefault(group, {})
                    for measure, value in values.items():
                        into[measure] = into.get(measure, Decimal(0)) + value
        ImportProblem.objects.bulk_create(found, batch_size=1000)
        run.problems += len(found)
        run.rows_checked += len(chunk)
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["problems", "rows_checked", "heartbeat_at"])
        if progress:
            progress("checking", run.rows_checked, None)
        chunk.clear()

    for row in data:
        chunk.append((row, kind.parse(ctx, row)))
        if len(chunk) >= kind.chunk_size:
            flush()
    flush()
    run.rows = run.rows_checked
    run.columns = kind.check_end(ctx)
    run.totals = {g: {m: f"{v:f}" for m, v in values.items()} for g, values in totals.items()}
    if run.rows == 0:
        _record_file_problem(run, "the file has a header but no rows")
        return
    if run.problems and not run.skip_bad_rows:
        run.skipped = run.rows
        _finish(run, RunStatus.INVALID, f"{run.problems} problem(s) in {bad_rows} row(s); "
                                        "nothing imported")
        return
    run.skipped = bad_rows
    if Options.from_dict(run.options).check_only:
        _finish(run, RunStatus.CHECKED, f"{run.rows - bad_rows} row(s) ready to import"
                + (f", {bad_rows} to skip" if bad_rows else ""))
        return
    run.status = RunStatus.POSTING
    run.save()


# --- posting -----------------------------------------------------------------------------------

def _post(run: ImportRun, kind: ImportKind, ctx: Context, data: Rows,
          progress: Progress | None) -> None:
    bad_lines = set(ImportProblem.objects.filter(run=run).values_list("line", flat=True))
    run.status = RunStatus.POSTING
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["status", "heartbeat_at", "layout", "formats", "mapping"])
    with transaction.atomic():
        kind.before_posting(ctx)
    done = run.rows_posted
    chunk: list[tuple[int, Row, object]] = []
    ordinal = 0
    for ordinal, row in enumerate(data, start=1):
        if ordinal <= done:
            continue  # committed by an earlier attempt of this run
        if row.line not in bad_lines:
            chunk.append((ordinal, row, kind.parse(ctx, row)))
        if ordinal - run.rows_posted >= kind.chunk_size:
            if not _commit_chunk(run, kind, ctx, chunk, ordinal):
                return
            chunk = []
            if progress:
                progress("importing", run.rows_posted, run.rows)
    if ordinal > run.rows_posted:
        if not _commit_chunk(run, kind, ctx, chunk, ordinal):
            return
        if progress:
            progress("importing", run.rows_posted, run.rows)
    kind.after_posting(ctx, run)
    with transaction.atomic():
        _finish(run, RunStatus.DONE)
        audit_record(actor=ctx.actor, action=f"imports.{run.kind}", obj=run,
                     legal_entity=run.legal_entity,
                     data={"file": run.file_name, "rows": run.rows, "created": run.created,
                           "updated": run.updated, "unchanged": run.unchanged,
                           "skipped": run.skipped})


def _commit_chunk(run: ImportRun, kind: ImportKind, ctx: Context,
                  chunk: list[tuple[int, Row, object]], end: int) -> bool:
    """One transaction: the chunk's rows and the checkpoint after them (``end``, the ordinal
    of the last data row it covers). A row the books refuse — it passed the check, then
    something changed — is found by posting the chunk's rows one at a time: with
    skip_bad_rows it is skipped and reported, else the run stops before it. False when the
    run stopped."""
    if all(not row.problems for _, row, _ in chunk):
        try:
            with transaction.atomic():
                _claim(run)
                counts = kind.post_chunk(ctx, [(row, parsed) for _, row, parsed in chunk])
                _advance(run, end, counts)
            return True
        except DomainError:
            run.refresh_from_db()
    for ordinal, row, parsed in chunk:
        try:
            with transaction.atomic():
                _claim(run)
                if row.problems:
                    field_name, message = row.problems[0]
                    raise InvalidInput(message, errors=[((field_name,), message)])
                _advance(run, ordinal, kind.post_chunk(ctx, [(row, parsed)]))
        except DomainError as exc:
            run.refresh_from_db()
            column = ctx.mapping.column_of(exc.errors[0][0][0]) \
                if exc.errors and exc.errors[0][0] else ""
            with transaction.atomic():
                _claim(run)
                ImportProblem.objects.create(run=run, line=row.line, column=column[:255],
                                             message=exc.message)
                run.problems += 1
                if not run.skip_bad_rows:
                    _finish(run, RunStatus.FAILED,
                            f"line {row.line}: {exc.message}. The rows before it are "
                            "imported; correct this row and import the file again (nothing "
                            "is posted twice)")
                    return False
                run.skipped += 1
                _advance(run, ordinal, Counts())
    with transaction.atomic():
        _claim(run)
        _advance(run, end, Counts())
    return True


class MovedOn(Exception):
    """Another process is posting this run (it was resumed twice); this one stops."""


def _claim(run: ImportRun) -> None:
    """Inside the chunk's transaction: one import posts in a legal entity at a time (the
    entity's row is locked), and no other process moved this run on meanwhile."""
    list(LegalEntity.objects.select_for_update().filter(pk=run.legal_entity_id)
         .values_list("pk", flat=True))
    stored = (ImportRun.objects.select_for_update().filter(pk=run.pk)
              .values_list("rows_posted", "status").get())
    if stored != (run.rows_posted, RunStatus.POSTING):
        raise MovedOn(f"run {run.pk} was moved on by another process")


def _advance(run: ImportRun, end: int, counts: Counts) -> None:
    run.rows_posted = end
    run.created += counts.created
    run.updated += counts.updated
    run.unchanged += counts.unchanged
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["rows_posted", "created", "updated", "unchanged", "skipped",
                            "problems", "heartbeat_at", "status", "message", "finished_at"])
