"""The screening's own quality: how determinations agree with suggestions and where they
depart (integrity analytics), and re-screening stored interviews with a newer rules version
beside the old suggestions."""
