"""Non-punishment: whether a person with indicators of trafficking is detained or charged, and
the letter that asks the authority concerned not to punish them for what they were made to do."""
