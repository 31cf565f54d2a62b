"""Which way a crossing went: into Thailand (entry, the default) or out of it (exit)."""

from enum import StrEnum


class Direction(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"
