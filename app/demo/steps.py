"""The steps of the demo after organisations, users and compounds. Each feature appends its
own step (crossings, cases and interviews, referrals); each step must be idempotent."""

from collections.abc import Callable

from app.demo.crossings import load_crossings

STEPS: list[Callable] = [load_crossings]
