"""The registry's access policy: every field of its schema, who reaches it, which row scope limits
it and how much of its value each role is given. Reviewed like code; read it as a table.

Enforced by ``siir.policy`` at schema build (``graphql/schema.py``): a field missing here is refused
to everyone, and ``tests/security/test_policy_coverage.py`` fails. The schema's ``@authenticated``,
``@requiresScopes`` and ``@policy`` directives are generated from it, and so is ``docs/roles.md``.

Roles: M MINISTRY, P PROVINCE_OFFICER, D DISTRICT_OFFICER, F FACILITATOR, PA PARTNER, AN ANALYST.
Decisions where DOMAIN.md is silent are explained in ``domain/access.py`` and ``domain/network_access.py``.
"""

from __future__ import annotations

from typing import Any

from services.registry.data.audit import HOME_INDUSTRY, Record
from services.registry.domain import access, network_access
from siir.auth.identity import Role
from siir.connections import connection_rules
from siir.policy import ALL_ROLES, Disclosure, FieldRule, Policy, When, grant

M, P, D, F, PA, AN = (Role.MINISTRY, Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.FACILITATOR, Role.PARTNER,
                      Role.ANALYST)
FULL, MASKED, GENERALISED, WITHHELD = Disclosure.FULL, Disclosure.MASKED, Disclosure.GENERALISED, Disclosure.WITHHELD

EVERYONE = ALL_ROLES
#: Record-level data: every role but ANALYST (aggregates only, in reporting).
RECORDS = frozenset({M, P, D, F, PA})
OFFICIALS = frozenset({M, P, D})
#: The programme's people: offices and facilitators.
PEOPLE = OFFICIALS | {F}

#: NIK, phone, address: full for the IR's own office and facilitator, masked for the ministry and the
#: province, never for a partner.
_OWN_FULL_OTHERS_MASKED = {D: FULL, F: FULL, M: MASKED, P: MASKED}

SCOPES = {
    "home-industry": "IR within the caller's region (prefix of the village code); a FACILITATOR's assigned villages "
                     "and IR; a PARTNER's consented IR that one of its running programmes admits "
                     "(domain/access.py RecordScope, data/home_industries.py scoped()). Outside: null / NOT_FOUND.",
    "intervention": "follows its IR: readable exactly when the IR is (the home-industry scope).",
    "facilitator-region": "facilitators engaged by an office inside the caller's region; a region filter outside it "
                          "is FORBIDDEN, a look-up outside it null.",
    "partner": "a PARTNER its own partner record only; the other readers every partner.",
    "team-office": "a team of the caller's own level and region (MINISTRY national, PROVINCE_OFFICER its province, "
                   "DISTRICT_OFFICER its regency/city).",
    "hand-over": "a year's graduated IR of a province or regency/city: the ministry any, an office its own region "
                 "(domain/hand_over.py); only the ministry or the province office approves.",
    "transfer": "a transfer leaving or entering the caller's regency/city (DISTRICT_OFFICER) or province "
                "(PROVINCE_OFFICER), any (MINISTRY); its IR itself only as the home-industry scope reaches it: the "
                "receiving office sees the summary while pending, the record once accepted (domain/transfers.py).",
    "import-job": "the import jobs the caller uploaded (same subject, role and region); another's is null "
                  "(graphql/import_job.py, imports/routes.py).",
    "audit": "audit events of the caller's regency/city (DISTRICT_OFFICER) or the nation (MINISTRY).",
}

RULES: list[FieldRule] = [
    # --- federation and entry points ----------------------------------------------------------------
    *grant("Query", "_entities _service region regions nationalTeam team teams", EVERYONE),
    *grant("_Service", "sdl", EVERYONE),
    *grant("Query", "homeIndustry homeIndustryByRegistrationNumber homeIndustries", RECORDS, scope="home-industry"),
    *grant("Query", "facilitator facilitators", PEOPLE, scope="facilitator-region"),
    *grant("Query", "partner partners", RECORDS, scope="partner"),
    *grant("Query", "intervention", RECORDS, scope="intervention"),
    *grant("Query", "auditTrail", {M, D}, scope="audit"),
    # A map of IR: each role's precision is HomeIndustry.location's below (graphql/map.py applies it).
    *grant("Query", "homeIndustryMap", RECORDS, scope="home-industry"),
    *grant("Query", "handOverPackage", OFFICIALS, scope="hand-over"),
    *grant("Mutation", "approveHandOver", {M, P}, scope="hand-over"),
    *grant("HandOverPackage", "year regionCode approval homeIndustries", OFFICIALS),
    *grant("HandOverApproval", "year regionCode approvedBy approvedRole approvedAt homeIndustryCount changedSince", {M, P, D}),
    # --- entity types (who may resolve one through _entities) --------------------------------------
    *grant("Region", "", EVERYONE),
    *grant("Team", "", EVERYONE),
    *grant("HomeIndustry", "", RECORDS, scope="home-industry"),
    *grant("Intervention", "", RECORDS, scope="intervention"),
    *grant("Partner", "", RECORDS, scope="partner"),
    *grant("Facilitator", "", PEOPLE, scope="facilitator-region"),
    # --- regions (public reference data) ------------------------------------------------------------
    *grant("Region", "code name level kind postalCode parent children team", EVERYONE),
    *grant("Region", "facilitators", PEOPLE, scope="facilitator-region"),
    # --- IR records -----------------------------------------------------------------------------------
    # The scope is applied by Query.homeIndustries (and counted within it by totalCount).
    *connection_rules("HomeIndustry", RECORDS),
    # Pages of every list (siir.connections): whoever reaches the list reaches its page.
    *grant("PageInfo", "hasNextPage hasPreviousPage startCursor endCursor", EVERYONE),
    *connection_rules("Region", EVERYONE),
    *connection_rules("Team", EVERYONE),
    *connection_rules("TeamMember", EVERYONE),
    *connection_rules("Facilitator", PEOPLE),
    *connection_rules("Partner", RECORDS),
    *connection_rules("PartnerProgramme", RECORDS),
    *connection_rules("Intervention", RECORDS),
    *connection_rules("MentoringNote", PEOPLE),
    # The yearly re-assessment worklist: the offices and facilitators (her own), not partners or analysts.
    *grant("Query", "reassessmentWorklist", PEOPLE, scope="home-industry", name="reassessmentWorklist"),
    *connection_rules("ReassessmentDue", PEOPLE),
    *grant("ReassessmentDue", "homeIndustry lastAssessedOn dueOn overdue daysOverdue", PEOPLE),
    # Possible duplicates: the regency office's review list (its own regency/city only).
    *grant("Query", "possibleDuplicates", {D}, scope="home-industry"),
    *connection_rules("PossibleDuplicate", {D}),
    *grant("PossibleDuplicate", "first second reasons similarity", {D}),
    # Transfers between regencies/cities: the offices at either end, their provinces, the ministry.
    *grant("Query", "pendingHomeIndustryTransfers", OFFICIALS, scope="transfer"),
    *connection_rules("HomeIndustryTransfer", OFFICIALS),
    *grant("HomeIndustryTransfer", "id status reason businessName businessCategory currentClass fromRegistrationNumber "
           "newRegistrationNumber proposedAt decidedAt transferredOn decisionNote version fromVillage toVillage",
           OFFICIALS),
    *grant("HomeIndustryTransfer", "homeIndustry", OFFICIALS, scope="home-industry"),
    *grant("HomeIndustry", "registrationNumberHistory", RECORDS, scope="home-industry"),
    *grant("IssuedRegistrationNumber", "number regencyCode usedUntil", RECORDS),
    *grant("HomeIndustry", "id registrationNumber status statusChangedOn statusReason businessName businessCategory "
           "owner businessStartedOn registeredOn legality products monthlyGrossIncome infrastructure workforce "
           "marketingChannels constraints hopes assistanceReceived consent currentClass currentScore lastAssessedOn "
           "version subDistrict latestAssessment assessments", RECORDS),
    *grant("HomeIndustry", "interventions", RECORDS, scope="intervention"),
    *grant("HomeIndustry", "facilitators", PEOPLE, scope="facilitator-region"),
    *grant("HomeIndustry", "mentoringNotes", PEOPLE, scope="home-industry"),
    # Partners: location to the sub-district only (no village, street or coordinates).
    *grant("HomeIndustry", "village", {M: FULL, P: FULL, D: FULL, F: FULL, PA: WITHHELD}),
    *grant("HomeIndustry", "address", {**_OWN_FULL_OTHERS_MASKED, PA: WITHHELD}, personal=True, mask="address"),
    *grant("HomeIndustry", "location", {D: FULL, F: FULL, M: GENERALISED, P: GENERALISED, PA: WITHHELD},
           personal=True, mask="location"),
    *grant("HomeIndustryMap", "precision regionCode featureCount suppressed withoutLocation geoJson", RECORDS),
    *grant("Owner", "sex birthYear education isFemaleHeadOfHousehold", RECORDS),
    *grant("Owner", "name", RECORDS, personal=True, name="owner.name"),
    *grant("Owner", "nik", {**_OWN_FULL_OTHERS_MASKED, PA: WITHHELD}, personal=True, mask="nik", name="owner.nik"),
    # A partner reaches consented IR only (the home-industry scope); the condition says so again here.
    *grant("Owner", "phone", {**_OWN_FULL_OTHERS_MASKED, PA: When("consented", FULL, WITHHELD)}, personal=True,
           mask="phone", name="owner.phone"),
    *grant("Location", "latitude longitude exact", RECORDS),
    *grant("Legality", "nib kbli pirtNumber halalCertificateNumber legalForm", RECORDS),
    *grant("Product", "name monthlyVolume unit rawMaterials", RECORDS),
    *grant("WorkersByEducation", "education count", RECORDS),
    *grant("Workforce", "femaleWorkers maleWorkers byEducation averageMonthlyWage weeklyHours protection "
           "specialTreatment trainingsAttended trainingsWanted totalWorkers", RECORDS),
    *grant("AssistanceReceived", "type provider providerKind year description", RECORDS),
    *grant("SharingConsent", "granted recordedOn", RECORDS),
    *grant("Assessment", "id assessedOn workerCount productionTechnology capitalSource capitalAmount businessStartedOn "
           "businessAgeMonths productionPattern assetsExcludingLandAndBuildings annualTurnover levels score class "
           "ruleSet graduationThresholds smallEnterpriseCandidate assessor", RECORDS),
    # Free text an assessor or a provider wrote about a family business: the programme's offices and
    # facilitators; a partner reaches the record, never what was written about it.
    *grant("Assessment", "notes", {**{role: FULL for role in PEOPLE}, PA: WITHHELD}),
    *grant("Assessment", "facilitator", PEOPLE, scope="facilitator-region"),
    *grant("CriterionLevels", "workerCount productionTechnology capitalSource capitalAmount businessAge "
           "productionPattern", RECORDS),
    *grant("RecordAssessmentPayload", "assessment homeIndustry", RECORDS),
    # --- interventions (follow their IR) ----------------------------------------------------------
    *grant("Intervention", "id type topic provider startedOn endedOn value classBefore classAfter "
           "classAfterAssessedOn version classChange", RECORDS),
    *grant("Intervention", "outcomeNotes", {**{role: FULL for role in PEOPLE}, PA: WITHHELD}),
    *grant("Intervention", "homeIndustry", RECORDS, scope="home-industry"),
    *grant("InterventionProvider", "kind name", RECORDS),
    *grant("InterventionProvider", "partner programme", RECORDS, scope="partner"),
    # --- partners ---------------------------------------------------------------------------------
    *grant("Partner", "id kind name website version region programmes", RECORDS),
    *grant("PartnerProgramme", "id name description eligibility activeFrom activeUntil partner", RECORDS),
    *grant("EligibilityRule", "classes requiresNib requiresPirt requiresHalalCertificate statuses regionCodes", RECORDS),
    # --- teams: structures are public-service information; members' contacts are personal ---------
    *grant("Team", "id level name decree activeFrom activeUntil version isActive region members", EVERYONE),
    *grant("Team", "facilitators", PEOPLE, scope="facilitator-region"),
    *grant("Decree", "number date signedBy", EVERYONE),
    *grant("TeamMember", "id personName position title agency activeFrom activeUntil isActive team", EVERYONE),
    *grant("TeamMember", "phone email", {role: When("covers-team", FULL, WITHHELD) for role in OFFICIALS},
           personal=True),
    # --- facilitators -------------------------------------------------------------------------------
    *grant("Facilitator", "id personName sex organisation activeFrom activeUntil version isActive regency "
           "assignments villages", PEOPLE),
    *grant("Facilitator", "homeIndustries", RECORDS, scope="home-industry"),
    # Her contacts: officials covering her regency, and she herself.
    *grant("Facilitator", "phone email", {role: When("covers-facilitator", FULL, WITHHELD) for role in PEOPLE},
           personal=True),
    *grant("FacilitatorAssignment", "id activeFrom activeUntil village facilitator", PEOPLE),
    *grant("FacilitatorAssignment", "homeIndustry", RECORDS, scope="home-industry"),
    # What a visit found out about a family business: the IR's regency office and its facilitator.
    *grant("MentoringNote", "id notedOn facilitator homeIndustry", PEOPLE),
    *grant("MentoringNote", "notes", {D, F}, personal=True),
    # --- the audit trail --------------------------------------------------------------------------
    *connection_rules("AuditEvent", {M, D}),
    *grant("AuditEvent", "id occurredAt action operation subject role actorRegion partner entityType entityId "
           "homeIndustryId regionCode regencyCode fields changes path reason", {M, D}),
    *grant("AuditField", "name disclosure", {M, D}),
    # Values in changes are disclosed per column by this same table (graphql/audit_trail.py).
    *grant("AuditChange", "column before after withheld", {M, D}),
    # --- writes -----------------------------------------------------------------------------------
    *grant("Mutation", "registerHomeIndustry updateHomeIndustry closeHomeIndustry graduateHomeIndustry", {D},
           scope="home-industry"),
    # Merging duplicates is the regency office's data-quality work (both IR in its scope).
    *grant("Mutation", "mergeHomeIndustries", {D}, scope="home-industry"),
    # The sending office proposes, a province office or the ministry moves directly (domain/transfers.py);
    # only the regency offices at either end decide.
    *grant("Mutation", "transferHomeIndustry", OFFICIALS, scope="home-industry"),
    *grant("Mutation", "acceptHomeIndustryTransfer declineHomeIndustryTransfer withdrawHomeIndustryTransfer", {D},
           scope="transfer"),
    *grant("Mutation", "recordAssessment", {D, F}, scope="home-industry"),
    *grant("Mutation", "formTeam updateTeam appointTeamMember updateTeamMember", OFFICIALS, scope="team-office"),
    *grant("Mutation", "registerFacilitator updateFacilitator assignFacilitator endFacilitatorAssignment", {D},
           scope="facilitator-region"),
    *grant("Mutation", "recordMentoringNote", {F}, scope="home-industry"),
    # Offline capture (issue 14): each item is then checked as its single mutation is (registering and
    # changing records: the office, or a facilitator in her assigned villages; notes: the facilitator).
    *grant("Mutation", "syncOfflineWork", {D, F}, scope="home-industry"),
    *grant("OfflineSyncResult", "clientId status kind recordId homeIndustryId homeIndustryVersion currentVersion "
           "differingFields code field message", {D, F}),
    # Bulk survey import (issue 14): importing is registering (imports/routes.py asks registerHomeIndustry's
    # entry); a job, its counts and problems are its uploader's.
    *grant("Query", "importJob", {D}, scope="import-job"),
    *grant("ImportJob", "id status fileName total processed errors valid alreadyImported registered failure createdAt "
           "validatedAt finishedAt problems", {D}),
    *grant("ImportProblem", "row column header field code message pesan", {D}),
    *grant("Mutation", "registerPartner updatePartner addPartnerProgramme updatePartnerProgramme", {M}),
    *grant("Mutation", "recordIntervention updateIntervention", {D}, scope="intervention"),
]


def _generalised(location: Any) -> Any:
    """A Location cut to one decimal (about 11 km), marked inexact."""
    return type(location)(latitude=access.generalise_coordinate(location.latitude),
                          longitude=access.generalise_coordinate(location.longitude), exact=False)


MASKERS = {
    "nik": access.mask_nik,
    "phone": access.mask_phone,
    "address": access.mask_address,
    "location": _generalised,
    # One stored coordinate (the audit trail's latitude and longitude columns).
    "coordinate": lambda value: access.generalise_coordinate(float(value)),
}


def _consented(context: Any, type_name: str, source: Any) -> bool:
    return bool(source.record.consented)


def _covers_team(context: Any, type_name: str, source: Any) -> bool:
    return network_access.sees_team_contacts(context.identity, source.team_region)


async def _covers_facilitator(context: Any, type_name: str, source: Any) -> bool:
    own = await context.own_facilitator_id()
    return network_access.sees_facilitator_contacts(context.identity, source.regency_code, source.pk, own)


def record_of(type_name: str, source: Any) -> Record | None:
    """The audit trail's name for the record a field belongs to."""
    match type_name:
        case "HomeIndustry" | "Owner":
            return Record(HOME_INDUSTRY, source.record.pk, source.record.regency_code, source.record.pk)
        case "TeamMember":
            return Record("TeamMember", int(source.id), source.team_region)
        case "Facilitator":
            return Record("Facilitator", source.pk, source.regency_code)
        case "MentoringNote":
            return Record("MentoringNote", int(source.id), source.regency_code, source.home_industry_id)
    return None


def _on_read(context: Any, type_name: str, source: Any, rule: FieldRule, disclosure: Disclosure) -> None:
    record = record_of(type_name, source)
    if record is not None:
        context.reads.note(record, rule.field_name, disclosure.value)


POLICY = Policy(
    service="registry",
    rules=RULES,
    scopes=SCOPES,
    maskers=MASKERS,
    conditions={"consented": _consented, "covers-team": _covers_team, "covers-facilitator": _covers_facilitator},
    on_read=_on_read,
    concerning=record_of,
    explanations={
        (scope, AN): "ANALYST sees aggregates only (the reporting service), not IR records"
        for scope in ("home-industry", "intervention")
    },
)

