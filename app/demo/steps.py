"""The steps of the demo after organisations, users and compounds. Each feature appends its
own step (crossings, cases and interviews, referrals); each step must be idempotent."""

from collections.abc import Callable

from app.demo.cases import load_cases
from app.demo.crossings import date_crossings_as_recorded, load_crossings
from app.demo.lifecycle import load_lifecycle
from app.demo.referrals import load_referrals
from app.demo.repatriation import load_repatriation

STEPS: list[Callable] = [load_crossings, load_cases, load_referrals, load_lifecycle,
                         load_repatriation, date_crossings_as_recorded]
