"""The bulk survey import at 10,000 rows (issue 14): read, dry run, commit, and reporting catching up.

    .venv/bin/python bench/imports/run.py [--rows 10000] [--format xlsx|csv] [--database-url URL [--no-reporting]]

Without ``--database-url`` a fresh database is made on the local server (postgresql://postgres@127.0.0.1:5432)
and dropped after. Writes a survey file of ``--rows`` valid rows in Kota Semarang's villages (the
template's columns, as an office fills them), reads it as an upload does (``files.read_survey``), makes
the job, then runs it with the registry's own ``ImportWorker``: the dry run (VALIDATING → VALIDATED),
then the commit (COMMITTING → COMMITTED). Then the reporting consumer catches up with the outbox.
Prints each stage's seconds and checks the result: every row registered once, with its assessment and
two outbox events, and reporting's read model holding the same IR as the registry.
The issue's goals on these machines: 10,000 rows validated in at most 10 s, committed in at most 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import hashlib
import io
import secrets
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import openpyxl  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from services.registry.data import imports as import_data  # noqa: E402
from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set  # noqa: E402
from services.registry.imports import files  # noqa: E402
from services.registry.imports.columns import COLUMNS  # noqa: E402
from services.registry.imports.worker import ImportWorker  # noqa: E402
from services.reporting.consumer import OutboxConsumer  # noqa: E402
from siir.database import asyncpg_dsn, create_engine  # noqa: E402
from siirctl.preparation import prepare_database  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
CATEGORIES = ("FOOD_AND_BEVERAGE", "CRAFT", "TEXTILE_AND_FASHION", "HERBAL_AND_COSMETIC")
TECHNOLOGY = ("MANUAL", "SEMI_MANUAL", "HIGH_TECHNOLOGY")
CAPITAL = ("OWN", "OWN_AND_INFORMAL_LOAN", "OWN_AND_FORMAL_LOAN")
PATTERN = ("NOT_CONTINUOUS", "SEMI_CONTINUOUS", "CONTINUOUS")


def nik(district: str, n: int) -> str:
    """A NIK lokal-id accepts: the owner's sub-district, a woman's birth date (day + 40), a serial above 9000
    (clear of a seeded database's owners)."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=n % 12_000)
    return f"{district}{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}{9_000 + n // 12_000 + 1:04d}"


def survey_rows(villages: list[str], count: int) -> list[dict[str, str]]:
    rows = []
    for n in range(count):
        village = villages[n % len(villages)]
        rows.append({
            "village_code": village, "business_name": f"Usaha Survei {n:05d}", "business_category": CATEGORIES[n % 4],
            "owner_name": f"Ibu Pemilik {n:05d}", "owner_nik": nik(village[:8].replace(".", ""), n),
            "owner_phone": f"0812{n:08d}", "business_started_on": "2018-05-01", "assessed_on": "2026-02-01",
            "worker_count": str(1 + n % 12), "production_technology": TECHNOLOGY[n % 3], "capital_source": CAPITAL[n % 3],
            "capital_amount": f"{(n % 50 + 1) * 1_000_000}", "production_pattern": PATTERN[n % 3],
            "products": "Keripik tempe; Sambal pecel", "marketing_channels": "Langsung; Daring",
            "workers_female": "2", "workers_male": "1", "constraints": "Modal; Pemasaran", "hopes": "Pelatihan",
            "consent": "Ya" if n % 2 else "Tidak",
        })
    return rows


def survey_file(rows: list[dict[str, str]], file_format: str) -> bytes:
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.header for c in COLUMNS])
        writer.writerows([[r.get(c.key, "") for c in COLUMNS] for r in rows])
        return out.getvalue().encode("utf-8-sig")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(files.DATA_SHEET)
    sheet.append([c.header for c in COLUMNS])
    for r in rows:
        sheet.append([r.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def run(url: str, count: int, file_format: str, reporting: bool) -> None:
    pg = await asyncpg.connect(**asyncpg_dsn(url))
    villages = [r["code"] for r in await pg.fetch(
        "SELECT code FROM registry.regions WHERE level = 4 AND code LIKE '33.74.%' ORDER BY code")]
    content = survey_file(survey_rows(villages, count), file_format)
    print(f"{count:,} rows, {file_format.upper()} of {len(content) / 1e6:.1f} MB, {len(villages)} villages of Kota Semarang")

    started = time.perf_counter()
    survey = files.read_survey(content, f"survei.{file_format}")
    read_seconds = time.perf_counter() - started
    engine = create_engine(url, pool_size=4)
    async with engine.connect() as connection:
        rule_set = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
        thresholds = await load_graduation_thresholds(connection, "UU_20_2008")
    worker = ImportWorker(engine, rule_set, thresholds)
    job_id = uuid.uuid4()
    async with engine.begin() as connection:
        await import_data.create_job(connection, {
            "id": job_id, "subject": "bench-import", "role": "DISTRICT_OFFICER", "region_code": "33.74",
            "file_name": f"survei.{file_format}", "file_format": survey.format,
            "file_sha256": hashlib.sha256(content).hexdigest(), "file": content, "status": "VALIDATING",
            "total": len(survey.rows)})
    outbox_before = await pg.fetchval("SELECT coalesce(max(id), 0) FROM registry.outbox")
    ir_before = await pg.fetchval("SELECT count(*) FROM registry.home_industries")
    assessments_before = await pg.fetchval("SELECT count(*) FROM registry.assessments")

    started = time.perf_counter()
    assert await worker.run_one()
    validate_seconds = time.perf_counter() - started
    async with engine.begin() as connection:
        job = await import_data.job(connection, job_id)
        assert job["status"] == "VALIDATED" and job["valid_rows"] == count, dict(job)
        await import_data.request_commit(connection, job_id)
    started = time.perf_counter()
    assert await worker.run_one()
    commit_seconds = time.perf_counter() - started
    async with engine.connect() as connection:
        job = await import_data.job(connection, job_id)
    assert job["status"] == "COMMITTED" and job["registered_rows"] == count, dict(job)
    registered = await pg.fetchval("SELECT count(*) FROM registry.home_industries") - ir_before
    assessments = await pg.fetchval("SELECT count(*) FROM registry.assessments") - assessments_before
    events = await pg.fetchval("SELECT count(*) FROM registry.outbox WHERE id > $1", outbox_before)
    assert (registered, assessments, events) == (count, count, 2 * count), (registered, assessments, events)
    print(f"read the upload     {read_seconds:6.1f} s   (the registry held {ir_before:,} IR before)")
    print(f"dry run (validate)  {validate_seconds:6.1f} s   goal ≤ 10 s")
    print(f"commit              {commit_seconds:6.1f} s   goal ≤ 60 s   ({count / commit_seconds:,.0f} IR/s)")
    if not reporting:
        await pg.close()
        await engine.dispose()
        return

    consumer = OutboxConsumer(url, url)
    await consumer.connect()
    started = time.perf_counter()
    try:
        # Events become readable once every older transaction on the server has ended (outbox_feed): on a
        # shared server another client's long transaction delays this figure.
        await consumer.catch_up_to_latest(timeout=1800)
    finally:
        await consumer.close()
    catch_up_seconds = time.perf_counter() - started
    projected = await pg.fetchval("SELECT count(*) FROM reporting.home_industries")
    in_registry = await pg.fetchval("SELECT count(*) FROM registry.home_industries")
    assert projected == in_registry, (projected, in_registry)
    await pg.close()
    await engine.dispose()
    print(f"reporting caught up {catch_up_seconds:6.1f} s   ({events:,} events; {projected:,} IR in the read model)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--database-url", default=None,
                        help="an existing database (e.g. a 1,000,000-IR seed); the rows go to its Kota Semarang")
    parser.add_argument("--no-reporting", action="store_true",
                        help="skip the reporting catch-up (a seeded database whose read model was never built)")
    args = parser.parse_args()
    url, made = args.database_url, None
    if url is None:
        made = f"siir_bench_import_{secrets.token_hex(3)}"
        asyncio.run(_admin(f"CREATE DATABASE {made}"))
        url = f"{SERVER}/{made}"
        prepare_database(url)
    try:
        asyncio.run(run(url, args.rows, args.format, not args.no_reporting))
    finally:
        if made:
            asyncio.run(_admin(f"DROP DATABASE {made} WITH (FORCE)"))


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(str(make_url(f"{SERVER}/postgres"))))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


if __name__ == "__main__":
    main()
