"""Exports that leave Passage: the referral report, the statistics file, the CTDC file and the
referral letter. Each is streamed and audited with its filters and its number of rows."""
