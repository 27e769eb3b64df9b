"""The registry's inputs that take long free text: newlines and tabs allowed, up to
``siir.argument_rules.MAX_LONG_TEXT`` characters (every other text input is one line)."""

from __future__ import annotations

LONG_TEXT = frozenset({
    "RegisterHomeIndustryInput.address",
    "UpdateHomeIndustryInput.address",
    "AssessmentInput.notes",
    "AssistanceReceivedInput.description",
    "WorkforceInput.specialTreatment",
    "MentoringNoteInput.notes",
    "InterventionInput.outcomeNotes",
    "UpdateInterventionInput.outcomeNotes",
    "PartnerProgrammeInput.description",
    "UpdatePartnerProgrammeInput.description",
    "Mutation.closeHomeIndustry(reason:)",
    "Mutation.mergeHomeIndustries(reason:)",
    "Mutation.transferHomeIndustry(reason:)",
    "Mutation.declineHomeIndustryTransfer(reason:)",
    "Mutation.withdrawHomeIndustryTransfer(reason:)",
    "Mutation.graduateHomeIndustry(note:)",
})
