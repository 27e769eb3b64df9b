"""The bulk survey import over HTTP, beside the exports (``/imports/…``; the gateway forwards it).

    GET  /imports/template.xlsx | template.csv      the survey template to fill
    GET  /imports                                   the caller's own jobs, newest first (50)
    POST /imports                                   upload a filled file (multipart field ``file``, or
                                                    the file as the body with ``?fileName=``): 202, a job
    GET  /imports/{id}?wait=N                       the job (long-polls up to N ≤ 30 s while it runs)
    GET  /imports/{id}/report.json | report.xlsx    each row's outcome and problems; the uploaded file
                                                    with its problem cells marked and explained
    POST /imports/{id}/commit                       register the valid rows (202; the job again)

Importing is registering: every route follows the policy of ``Mutation.registerHomeIndustry`` (the
same roles; the job runs in the uploader's scope), and a job is visible to the caller who uploaded it
only (another caller is told it does not exist). A file that cannot be read (not XLSX or CSV, too
large, wrong columns, formulas, no rows) is refused at upload with a coded error, English and
Indonesian, and no job is made. See docs/imports.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.registry.data import imports as import_data
from services.registry.data import regions
from services.registry.imports import files, jobs, marking, template
from services.registry.imports.problems import Problem
from services.registry.policy import POLICY
from siir.auth.identity import Identity
from siir.auth.middleware import identity_of
from siir.errors import Conflict, DomainError, InvalidInput, NotFound
from siir.exports.files import FORMATS
from siir.policy import Disclosure, PolicyError

#: The entry whose policy every import route follows.
IMPORTING = "Mutation.registerHomeIndustry"
#: How many of a caller's jobs ``GET /imports`` lists (newest first).
LISTED_JOBS = 50
#: The longest a status request waits for a running job to finish.
MAX_WAIT_SECONDS = 30
_STATUS = {"BAD_USER_INPUT": 400, "FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409, "UNAUTHENTICATED": 401,
           "REQUEST_TOO_LARGE": 413}
_FILE_NAME = re.compile(r"[^\w .()-]+")


def _uploads_shown_whole() -> None:
    """The marked report returns the uploaded values as they were sent (NIK, phone, address, coordinates):
    only a role the field policy gives every personal field of an IR in full may import. Checked when the
    module loads, so a policy change that masks one for an importing role stops the service, not a leak."""
    importing = POLICY.rule(IMPORTING)
    assert importing is not None
    for role in importing.reach:
        for rule in POLICY.personal():
            if rule.coordinate.split(".")[0] in ("HomeIndustry", "Owner") and POLICY.decision(rule.coordinate, role) \
                    is not Disclosure.FULL:
                raise PolicyError(f"{role} may import but is not given {rule.coordinate} in full: the marked "
                                  "report would show it")


_uploads_shown_whole()


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # One line per answer, newline-terminated: read with curl in a shell, answers do not run together.
    return Response(orjson.dumps(body) + b"\n", status, media_type="application/json", headers=headers)


def _error(error: DomainError) -> Response:
    status = _STATUS.get(error.code, 400)
    return _json({"errors": [{"message": error.message, "extensions": error.extensions}]}, status)


def job_json(job: Any) -> dict[str, Any]:
    """A job as the REST routes and ``importJob`` describe it (camelCase, as GraphQL)."""
    base = f"/imports/{job['id']}"

    def at(name: str) -> str | None:
        return job[name].isoformat() if job[name] is not None else None

    return {
        "id": str(job["id"]), "status": job["status"], "fileName": job["file_name"], "fileFormat": job["file_format"],
        "total": job["total"], "processed": job["processed"], "errors": job["error_rows"], "valid": job["valid_rows"],
        "alreadyImported": job["already_imported_rows"], "registered": job["registered_rows"],
        "failure": job["failure"], "createdAt": at("created_at"), "validatedAt": at("validated_at"),
        "commitRequestedAt": at("commit_requested_at"), "finishedAt": at("finished_at"),
        "links": {"self": base, "report": f"{base}/report.json", "markedFile": f"{base}/report.xlsx",
                  "commit": f"{base}/commit"},
    }


def import_routes(state: dict[str, Any]) -> list[Route]:
    """The routes, on the app's ``state`` (``engine``, the rule set and thresholds)."""

    def guarded(handler: Callable[[Request, Identity], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            identity = identity_of(request)
            try:
                POLICY.require(identity.role if identity else None, IMPORTING)
                return await handler(request, identity)
            except DomainError as error:
                return _error(error)
        return endpoint

    async def own_job(request: Request, identity: Identity) -> Any:
        try:
            job_id = uuid.UUID(request.path_params["id"])
        except ValueError:
            raise NotFound("no import job with that id") from None
        async with state["engine"].connect() as connection:
            job = await import_data.job(connection, job_id)
        if job is None or not jobs.belongs_to(job, identity):
            raise NotFound("no import job with that id")
        return job

    async def template_file(request: Request, identity: Identity) -> Response:
        file_format = request.path_params["format"]
        if file_format == "xlsx":
            villages: list = []
            if identity.region and identity.region.count(".") == 1:  # an office of a regency/city: its villages
                async with state["engine"].connect() as connection:
                    villages = [(v["code"], v["name"], v["sub_district"])
                                for v in await regions.villages_of(connection, identity.region)]
            body, media_type = await asyncio.to_thread(template.template_xlsx, villages), FORMATS["xlsx"]
        elif file_format == "csv":
            body, media_type = template.template_csv(), FORMATS["csv"]
        else:
            raise InvalidInput("format", "is not a template format; use xlsx or csv")
        return Response(body, media_type=media_type,
                        headers={"content-disposition": f'attachment; filename="templat-survei-ir.{file_format}"'})

    async def upload(request: Request, identity: Identity) -> Response:
        content, name = await _uploaded(request)
        survey = await asyncio.to_thread(files.read_survey, content, name)  # refuses an unreadable file here
        job_id = uuid.uuid4()
        async with state["engine"].begin() as connection:
            job = await import_data.create_job(connection, {
                "id": job_id, "subject": identity.subject, "role": str(identity.role), "region_code": identity.region,
                "file_name": name, "file_format": survey.format, "file_sha256": hashlib.sha256(content).hexdigest(),
                "file": content, "status": "VALIDATING", "total": len(survey.rows),
            })
            await import_data.notify_waiting(connection)
        return _json(job_json(job), 202, {"location": f"/imports/{job_id}"})

    async def listed(request: Request, identity: Identity) -> Response:
        async with state["engine"].connect() as connection:
            found = await import_data.jobs_of(connection, identity.subject, str(identity.role), identity.region,
                                              LISTED_JOBS)
        return _json({"jobs": [job_json(job) for job in found]})

    async def status(request: Request, identity: Identity) -> Response:
        job = await own_job(request, identity)
        wait = request.query_params.get("wait", "0")
        if not (wait.isascii() and wait.isdigit()) or int(wait) > MAX_WAIT_SECONDS:
            raise InvalidInput("wait", f"must be a whole number of seconds from 0 to {MAX_WAIT_SECONDS}")
        deadline = asyncio.get_running_loop().time() + int(wait)
        while job["status"] in import_data.RUNNING and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.25)
            job = await own_job(request, identity)
        return _json(job_json(job))

    async def report(request: Request, identity: Identity) -> Response:
        job = await own_job(request, identity)
        file_format = request.path_params["format"]
        if file_format not in ("json", "xlsx"):
            raise InvalidInput("format", "is not a report format; use json or xlsx")
        if job["status"] in ("VALIDATING", "FAILED") and job["validated_at"] is None:
            raise Conflict(f"the import job is {job['status']}: its report is ready once it is VALIDATED")
        async with state["engine"].connect() as connection:
            rows = await import_data.rows_of(connection, job["id"])
            content = await import_data.job_file(connection, job["id"]) if file_format == "xlsx" else None
        uploader = jobs.context_of(job, state["engine"], state["rule_set"], state["graduation_thresholds"])
        scope = await uploader.record_scope()
        outcomes = [_row_json(row, scope) for row in rows]
        stem = f"impor-{job['id']}"
        if file_format == "json":
            return _json({"job": job_json(job), "rows": outcomes})
        if content is None:
            raise Conflict("the uploaded file is no longer kept, so it cannot be returned marked; the JSON report "
                           "still says what happened to each row")
        survey = await asyncio.to_thread(files.read_survey, content, job["file_name"])
        body = await asyncio.to_thread(marking.marked_xlsx, survey, content, {
            row["row"]: marking.RowOutcome(marking.RowStatus(row["outcome"]), [Problem(**p) for p in row["problems"]],
                                           row["registrationNumber"]) for row in outcomes
        })
        return Response(body, media_type=FORMATS["xlsx"],
                        headers={"content-disposition": f'attachment; filename="{stem}-diperiksa.xlsx"'})

    async def commit(request: Request, identity: Identity) -> Response:
        job = await own_job(request, identity)
        async with state["engine"].begin() as connection:
            requested = await import_data.request_commit(connection, job["id"])
            if requested is not None:
                await import_data.notify_waiting(connection)
        if requested is None:
            raise Conflict(f"the import job is {job['status']}: only a VALIDATED job can be committed"
                           + (" (it was committed already)" if job["status"] in ("COMMITTING", "COMMITTED") else ""),
                           status=job["status"])
        return _json(job_json(requested), 202)

    return [
        Route("/imports/template.{format}", guarded(template_file), methods=["GET"]),
        Route("/imports", guarded(upload), methods=["POST"]),
        Route("/imports", guarded(listed), methods=["GET"]),
        Route("/imports/{id}", guarded(status), methods=["GET"]),
        Route("/imports/{id}/report.{format}", guarded(report), methods=["GET"]),
        Route("/imports/{id}/commit", guarded(commit), methods=["POST"]),
    ]


def _row_json(row: Any, scope: Any) -> dict[str, Any]:
    """A row's outcome; the IR it registered or matched named only when the uploader's scope reaches it."""
    found = row["home_industry_id"] is not None and row["village_code"] is not None
    visible = found and scope.admits({**row, "id": row["home_industry_id"]})
    return {
        "row": row["row_number"], "outcome": row["outcome"], "problems": row["problems"],
        "homeIndustryId": str(row["home_industry_id"]) if visible else None,
        "registrationNumber": row["registration_number"] if visible else None,
        "elsewhere": found and not visible,
    }


async def _uploaded(request: Request) -> tuple[bytes, str]:
    """The uploaded file and its name: a multipart form's ``file`` field, or the body itself."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > files.MAX_FILE_BYTES + 64 * 1024:
        raise _too_large()
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=5, max_part_size=files.MAX_FILE_BYTES + 1) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InvalidInput("file", "is missing: send the survey file in the form field `file`")
            content = await upload.read(files.MAX_FILE_BYTES + 1)
            name = upload.filename or ""
    else:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > files.MAX_FILE_BYTES:
                raise _too_large()
            chunks.append(chunk)
        content, name = b"".join(chunks), request.query_params.get("fileName", "")
    if len(content) > files.MAX_FILE_BYTES:
        raise _too_large()
    name = _FILE_NAME.sub("_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()[:120]
    return content, name or "survei"


class FileTooLarge(DomainError):
    """An upload over ``files.MAX_FILE_BYTES`` (413), refused before it is read whole."""

    code = "REQUEST_TOO_LARGE"


def _too_large() -> DomainError:
    megabytes = files.MAX_FILE_BYTES // (1024 * 1024)
    return FileTooLarge(f"file: is larger than {megabytes} MiB; split the survey into several files", field="file",
                        pesan=f"Berkas lebih besar dari {megabytes} MiB; bagi data survei menjadi beberapa berkas.")
