"""``importJob``: the state of a bulk survey import (its dry run or commit), for the caller who uploaded it.

The file itself is sent and the reports fetched over HTTP (``/imports/…``, services/registry/imports/routes.py,
docs/imports.md); this field lets a portal follow a job's progress on the one GraphQL endpoint.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Annotated, Any

import strawberry

from services.registry.data import imports as import_data
from services.registry.graphql.context import RegistryInfo
from services.registry.imports import jobs


@strawberry.enum(description="Where an import job is (status impor).")
class ImportJobStatus(Enum):
    VALIDATING = strawberry.enum_value("VALIDATING", description="The dry run is checking the rows; nothing is written.")
    VALIDATED = strawberry.enum_value(
        "VALIDATED", description="The dry run is done: each row's outcome is in the report; commit to register the valid rows."
    )
    COMMITTING = strawberry.enum_value("COMMITTING", description="The valid rows are being registered, a chunk at a time.")
    COMMITTED = strawberry.enum_value("COMMITTED", description="Done: the valid rows are registered.")
    FAILED = strawberry.enum_value("FAILED", description="Stopped: `failure` says why; rows committed before stay registered.")


@strawberry.type(description="A problem found in one row of an imported survey file (masalah pada baris).")
class ImportProblem:
    row: int = strawberry.field(description="The spreadsheet row number, as the office sees it (the header is row 1).")
    column: str | None = strawberry.field(description="The column's key in the template, e.g. `owner_nik`; null for the row as a whole.")
    header: str | None = strawberry.field(description="The column's Indonesian header, e.g. `NIK pemilik`.")
    field: str | None = strawberry.field(description="The input path of `registerHomeIndustry` at fault, e.g. `input.owner.nik`.")
    code: str = strawberry.field(description="The error code (docs/errors.md), as the single mutation answers it.")
    message: str = strawberry.field(description="Why, in English.")
    pesan: str = strawberry.field(description="Why, in Indonesian (as the marked file explains it).")


@strawberry.type(description="An upload of a survey file and what became of it (impor data survei). `total` and "
                             "`processed` count the rows of the current stage: all data rows while VALIDATING, the "
                             "valid rows while COMMITTING.")
class ImportJob:
    id: strawberry.ID = strawberry.field(description="The job's id (a UUID), as `POST /imports` answered it.")
    status: ImportJobStatus = strawberry.field(description="Where the job is.")
    file_name: str = strawberry.field(description="The uploaded file's name.")
    total: int = strawberry.field(description="Rows this stage handles.")
    processed: int = strawberry.field(description="Rows this stage has handled so far.")
    errors: int = strawberry.field(description="Data rows with at least one problem: they are not registered.")
    valid: int = strawberry.field(description="Rows the dry run found valid (still to be registered until committed).")
    already_imported: int = strawberry.field(description="Rows an earlier import already registered (same NIK and "
                                                         "business name): skipped.")
    registered: int = strawberry.field(description="Rows registered by this job's commit.")
    failure: str | None = strawberry.field(description="FAILED: why.")
    created_at: dt.datetime = strawberry.field(description="When the file was uploaded.")
    validated_at: dt.datetime | None = strawberry.field(description="When the dry run finished.")
    finished_at: dt.datetime | None = strawberry.field(description="When the commit finished (or the job failed).")
    job_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The problems found, in row order (the first ones; the JSON report has every row).")
    async def problems(self, info: RegistryInfo) -> list[ImportProblem]:
        async with info.context.connect() as connection:
            rows = await import_data.rows_of(connection, self.job_id, outcomes=["INVALID"], limit=1_000)
        return [ImportProblem(row=row["row_number"], column=p.get("column"), header=p.get("header"), field=p.get("field"),
                              code=p["code"], message=p["message"], pesan=p["pesan"])
                for row in rows for p in row["problems"]]

    @classmethod
    def from_row(cls, row: Any) -> "ImportJob":
        return cls(
            id=strawberry.ID(str(row["id"])), status=ImportJobStatus(row["status"]), file_name=row["file_name"],
            total=row["total"], processed=row["processed"], errors=row["error_rows"], valid=row["valid_rows"],
            already_imported=row["already_imported_rows"], registered=row["registered_rows"], failure=row["failure"],
            created_at=row["created_at"], validated_at=row["validated_at"], finished_at=row["finished_at"],
            job_id=row["id"],
        )


@strawberry.type
class ImportJobQuery:
    @strawberry.field(description="An import job you uploaded (`POST /imports`, docs/imports.md): its status and "
                                  "progress. Another caller's job, or an unknown id, is null.")
    async def import_job(
        self, info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The job's id, as the upload answered it.")],
    ) -> ImportJob | None:
        try:
            job_id = uuid.UUID(str(id))
        except ValueError:
            return None
        async with info.context.connect() as connection:
            row = await import_data.job(connection, job_id)
        if row is None or not jobs.belongs_to(row, info.context.identity):
            return None
        return ImportJob.from_row(row)
