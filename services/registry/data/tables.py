"""The registry's tables as SQLAlchemy Core objects, for composing queries.

The migrations (``services/registry/migrations``) are the source of truth for the schema; a
test compares these definitions with the migrated database so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    BigInteger,
    bindparam,
    func,
    Boolean,
    Column,
    Date,
    Double,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
    DateTime,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData(schema="registry")

regions = Table(
    "regions",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("parent_code", Text),
    Column("postal_code", Text),
)

home_industries = Table(
    "home_industries",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("registration_number", Text, nullable=False),
    Column("regency_code", Text, nullable=False),
    Column("village_code", Text, nullable=False),
    Column("business_name", Text, nullable=False),
    Column("business_category", Text, nullable=False),
    Column("owner_name", Text, nullable=False),
    Column("owner_nik", Text, nullable=False),
    Column("owner_sex", Text, nullable=False),
    Column("owner_birth_year", SmallInteger),
    Column("owner_education", Text),
    Column("owner_is_female_head_of_household", Boolean, nullable=False),
    Column("owner_phone", Text),
    Column("address", Text),
    Column("latitude", Double),
    Column("longitude", Double),
    Column("business_started_on", Date, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("nib", Text),
    Column("kbli", Text),
    Column("pirt_number", Text),
    Column("halal_certificate_number", Text),
    Column("legal_form", Text, nullable=False, server_default="INDIVIDUAL"),
    Column("products", JSONB, nullable=False),
    Column("monthly_gross_income", BigInteger),
    Column("infrastructure", ARRAY(Text), nullable=False),
    Column("workers_female", Integer, nullable=False),
    Column("workers_male", Integer, nullable=False),
    Column("workforce", JSONB, nullable=False),
    Column("marketing_channels", ARRAY(Text), nullable=False),
    Column("constraints", ARRAY(Text), nullable=False),
    Column("hopes", ARRAY(Text), nullable=False),
    Column("assistance_received", JSONB, nullable=False),
    Column("consent_to_share", Boolean, nullable=False),
    Column("consent_recorded_on", Date),
    Column("status", Text, nullable=False),
    Column("status_changed_on", Date),
    Column("status_reason", Text),
    Column("current_class", Text),
    Column("current_score", SmallInteger),
    Column("last_assessed_on", Date),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("home_industry_id", BigInteger, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("worker_count", Integer, nullable=False),
    Column("production_technology", Text, nullable=False),
    Column("capital_source", Text, nullable=False),
    Column("capital_amount", BigInteger, nullable=False),
    Column("business_started_on", Date, nullable=False),
    Column("business_age_months", Integer, nullable=False),
    Column("production_pattern", Text, nullable=False),
    Column("assets_excluding_land_and_buildings", BigInteger),
    Column("annual_turnover", BigInteger),
    Column("worker_level", SmallInteger, nullable=False),
    Column("technology_level", SmallInteger, nullable=False),
    Column("capital_source_level", SmallInteger, nullable=False),
    Column("capital_amount_level", SmallInteger, nullable=False),
    Column("business_age_level", SmallInteger, nullable=False),
    Column("production_pattern_level", SmallInteger, nullable=False),
    Column("score", SmallInteger, nullable=False),
    Column("ir_class", Text, nullable=False),
    Column("rule_set_code", Text, nullable=False),
    Column("rule_set_version", Integer, nullable=False),
    Column("graduation_thresholds_code", Text, nullable=False),
    Column("small_enterprise_candidate", Boolean, nullable=False),
    Column("assessor", Text),
    Column("notes", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("facilitator_id", BigInteger),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("aggregate_type", Text, nullable=False),
    Column("aggregate_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
)

teams = Table(
    "teams",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("level", Text, nullable=False),
    Column("region_code", Text),
    Column("name", Text, nullable=False),
    Column("decree_number", Text, nullable=False),
    Column("decree_date", Date, nullable=False),
    Column("decree_signed_by", Text, nullable=False),
    Column("active_from", Date, nullable=False),
    Column("active_until", Date),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

team_members = Table(
    "team_members",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("team_id", BigInteger, nullable=False),
    Column("person_name", Text, nullable=False),
    Column("position", Text, nullable=False),
    Column("title", Text),
    Column("agency", Text, nullable=False),
    Column("phone", Text),
    Column("email", Text),
    Column("active_from", Date, nullable=False),
    Column("active_until", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

facilitators = Table(
    "facilitators",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("regency_code", Text, nullable=False),
    Column("person_name", Text, nullable=False),
    Column("sex", Text),
    Column("organisation", Text),
    Column("phone", Text),
    Column("email", Text),
    Column("subject", Text),
    Column("active_from", Date, nullable=False),
    Column("active_until", Date),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

facilitator_assignments = Table(
    "facilitator_assignments",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("facilitator_id", BigInteger, nullable=False),
    Column("village_code", Text),
    Column("home_industry_id", BigInteger),
    Column("active_from", Date, nullable=False),
    Column("active_until", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

mentoring_notes = Table(
    "mentoring_notes",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("home_industry_id", BigInteger, nullable=False),
    Column("facilitator_id", BigInteger, nullable=False),
    Column("noted_on", Date, nullable=False),
    Column("notes", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: Offline sync (migration 0013): the client id of every item applied, and what it made.
offline_sync_items = Table(
    "offline_sync_items",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("home_industry_id", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("subject", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("region_code", Text),
    Column("file_name", Text, nullable=False),
    Column("file_format", Text, nullable=False),
    Column("file_sha256", Text, nullable=False),
    Column("file", LargeBinary),
    Column("status", Text, nullable=False),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("processed", Integer, nullable=False, server_default="0"),
    Column("valid_rows", Integer, nullable=False, server_default="0"),
    Column("error_rows", Integer, nullable=False, server_default="0"),
    Column("already_imported_rows", Integer, nullable=False, server_default="0"),
    Column("registered_rows", Integer, nullable=False, server_default="0"),
    Column("failure", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("validated_at", DateTime(timezone=True)),
    Column("commit_requested_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("lease_until", DateTime(timezone=True)),
)

import_job_rows = Table(
    "import_job_rows",
    metadata,
    Column("job_id", Uuid, primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("outcome", Text, nullable=False),
    Column("problems", JSONB, nullable=False, server_default="[]"),
    Column("row_key", LargeBinary),
    Column("home_industry_id", BigInteger),
)

imported_rows = Table(
    "imported_rows",
    metadata,
    Column("row_key", LargeBinary, primary_key=True),
    Column("home_industry_id", BigInteger, nullable=False),
    Column("job_id", Uuid, nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

partners = Table(
    "partners",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("region_code", Text),
    Column("website", Text),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

partner_programmes = Table(
    "partner_programmes",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("partner_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("eligibility", JSONB, nullable=False),
    Column("active_from", Date, nullable=False),
    Column("active_until", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

interventions = Table(
    "interventions",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("home_industry_id", BigInteger, nullable=False),
    Column("type", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("partner_id", BigInteger),
    Column("programme_id", BigInteger),
    Column("provider_kind", Text, nullable=False),
    Column("provider_name", Text, nullable=False),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date),
    Column("value", BigInteger),
    Column("outcome_notes", Text),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


audit_events = Table(
    "audit_events",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("action", Text, nullable=False),
    Column("operation", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("actor_region", Text),
    Column("partner", Text),
    Column("entity_type", Text),
    Column("entity_id", BigInteger),
    Column("home_industry_id", BigInteger),
    Column("region_code", Text),
    Column("fields", JSONB, nullable=False),
    Column("before", JSONB(none_as_null=True)),
    Column("after", JSONB(none_as_null=True)),
    Column("path", Text),
    Column("reason", Text),
)

#: Transfers of an IR between regencies/cities: proposals and their outcome (migration 0012).
home_industry_transfers = Table(
    "home_industry_transfers",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("home_industry_id", BigInteger, nullable=False),
    Column("status", Text, nullable=False),
    Column("from_regency_code", Text, nullable=False),
    Column("from_village_code", Text, nullable=False),
    Column("from_registration_number", Text, nullable=False),
    Column("to_regency_code", Text, nullable=False),
    Column("to_village_code", Text, nullable=False),
    Column("to_registration_number", Text),
    Column("reason", Text, nullable=False),
    Column("proposed_by", Text, nullable=False),
    Column("proposed_role", Text, nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Text),
    Column("decided_role", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("transferred_on", Date),
    Column("decision_note", Text),
    Column("version", Integer, nullable=False),
)

#: Exact IR counts per region ('' is the nation; provinces, regencies/cities, sub-districts), class
#: ('' before the first assessment) and status, kept by triggers on home_industries in the writing
#: transaction (migration 0005).
home_industry_counts = Table(
    "home_industry_counts",
    metadata,
    Column("region_code", Text, primary_key=True),
    Column("ir_class", Text, primary_key=True),
    Column("status", Text, primary_key=True),
    Column("n", BigInteger, nullable=False),
)


#: Per IR, its village and ``lower(business_name || ' ' || owner_name)`` with a trigram index: what a name
#: search's count reads instead of the wide IR rows; kept by triggers on home_industries (migration 0016).
home_industry_search = Table(
    "home_industry_search",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("village_code", Text, nullable=False),
    Column("search_text", Text, nullable=False),
)


def one_of(column: Any, values: Iterable[Any]) -> Any:
    """``column = ANY(:array)``: one statement text whatever the number of values, so it is compiled
    and prepared once, where ``IN (…)`` expands to a new statement for every batch size."""
    return column == func.any(bindparam(None, list(values), type_=ARRAY(column.type)))
