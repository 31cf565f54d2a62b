"""Words shown to people for the codes Passage stores: one place, so that a page, a letter
and an error message never call the same thing by two names. Keyed by the stored value."""

SUGGESTION_LABELS = {
    "trafficking_victim": "indicators of trafficking found",
    "needs_assessment": "needs assessment",
    "willing_worker": "no indicators of trafficking found",
}
OUTCOME_LABELS = {
    "trafficking_victim": "Trafficking victim",
    "willing_worker": "Willing worker",
    "undetermined": "Undetermined: needs further assessment",
}

# in the order a form offers them: "not known" first, the usual answer at a border
SEX_LABELS = {
    "unknown": "Not known",
    "female": "Female",
    "male": "Male",
    "other": "Other",
}

CASE_STATUS_LABELS = {
    "open": "Open: no determination yet",
    "determined": "Determined: support under way",
    "closed": "Closed",
}
# in the order a form offers them
CLOSURE_REASON_LABELS = {
    "repatriated": "Returned home (repatriated)",
    "relocated": "Moved to a third country or resettled",
    "local_integration": "Settled in Thailand (local integration)",
    "referred_elsewhere": "Continues with another organisation",
    "declined_assistance": "Declined assistance",
    "lost_contact": "Lost contact",
    "duplicate_record": "Duplicate record",
    "deceased": "Deceased",
}
