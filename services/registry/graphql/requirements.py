"""Authorization directives the registry's schema declares (``@requiresScopes``, ``@policy``), so the
gateway refuses early what the registry refuses anyway. Scopes are ``role:<ROLE>``; policies are
named in gateway/policies.py. The registry enforces the finer rule (regions, assignments, consent)."""

from __future__ import annotations

MINISTRY = [["role:MINISTRY"]]
PROVINCE_OFFICER = [["role:PROVINCE_OFFICER"]]
DISTRICT_OFFICER = [["role:DISTRICT_OFFICER"]]
FACILITATOR = [["role:FACILITATOR"]]
OFFICIALS = [*MINISTRY, *PROVINCE_OFFICER, *DISTRICT_OFFICER]
#: Facilitators, mentoring visits, contacts: the offices and facilitators.
PEOPLE = [*OFFICIALS, *FACILITATOR]
#: Partners: the offices, facilitators, and a partner (itself only).
PARTNER_READERS = [*PEOPLE, ["role:PARTNER"]]
#: What a mentoring note says: the IR's regency office and its facilitator.
MENTORING_TEXT = [*DISTRICT_OFFICER, *FACILITATOR]
#: Teams: the office of the team's level.
TEAM_WRITERS = [*MINISTRY, *PROVINCE_OFFICER, *DISTRICT_OFFICER]
RECORDS = [["records"]]
