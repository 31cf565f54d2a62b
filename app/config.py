"""Settings read from the environment (prefix PASSAGE_). Nothing happens at import time."""

import ipaddress
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.i18n import _

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_FILE = PROJECT_ROOT / ".secret_key"
PLACEHOLDER_SECRETS = {"", "changethis", "change-me", "secret"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PASSAGE_", extra="ignore")

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///./passage.db"
    # How long Passage waits on the database before answering 503 (seconds). The connect
    # timeout bounds opening a connection (a server that accepts and never answers); the
    # statement timeout is PostgreSQL's statement_timeout; the pool timeout bounds the wait for
    # a free connection; SQLite waits up to the busy timeout for another writer.
    database_connect_timeout: int = Field(default=5, ge=2, le=600)  # libpq's minimum is 2
    database_statement_timeout: float = Field(default=30, gt=0, le=3600)
    database_pool_timeout: float = Field(default=10, gt=0, le=600)
    sqlite_busy_timeout: float = Field(default=15, ge=0, le=600)
    # How long a request waits for another one matching the same identity (PostgreSQL's
    # lock_timeout, seconds) before it answers 503 with Retry-After.
    database_lock_timeout: float = Field(default=5, gt=0, le=600)
    # Connections per app process, and the worker threads that run routes: one number, so
    # that a route never waits for a connection (app/db.py, "Pool and threads").
    database_pool_size: int = Field(default=20, ge=1, le=500)
    # /healthz answers within this many seconds whatever the database does
    health_timeout: float = Field(default=1.5, gt=0, le=30)
    # the Retry-After of a 503 when the database is unavailable
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    secret_key: SecretStr | None = None
    secret_key_file: Path = DEFAULT_SECRET_FILE
    # The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or
    # networks, comma-separated ("127.0.0.1", "10.0.0.2,10.0.0.3", "172.18.0.0/16"), or "*".
    # Empty (the default): no one's. A client's own X-Forwarded-For would otherwise write any
    # address it likes into the audit log and dodge the sign-in limit per address.
    forwarded_allow_ips: str = ""

    token_minutes: int = 60
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Sign-in throttling, kept in the database (holds across processes); app/auth/throttle.py
    # explains it. Failures of a name (from every address) lock that name for the addresses
    # that fail on it; failures from an address (on any names) lock that address.
    sign_in_max_failures: int = Field(default=5, ge=1)
    sign_in_address_max_failures: int = Field(default=20, ge=1)
    sign_in_window_minutes: int = Field(default=15, ge=1)
    sign_in_lock_minutes: int = Field(default=15, ge=1)
    # Cheaper argon2 parameters are allowed in tests; the code path is the same.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536

    max_upload_bytes: int = 10 * 1024 * 1024
    # every other request body (forms, JSON); enforced by app.limits.BodySizeLimit
    max_request_bytes: int = 1024 * 1024
    upload_paths: tuple[str, ...] = ("/api/v1/crossings/import", "/crossings/import")
    max_roster_rows: int = 20_000
    # How many times a day (24 hours) a caseworker may look for a person's record that
    # another organisation registered, to open a case on it (each search counts, found or not)
    case_links_per_day: int = Field(default=10, ge=0, le=1000)
    suppression_threshold: int = 5

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries == ["*"]:
            return "*"
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"PASSAGE_FORWARDED_ALLOW_IPS: {entry!r} is not an IP address or network "
                    "(write addresses or networks, comma-separated, or *)") from None
        return ",".join(entries)

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> "Settings":
        if self.env == "production":
            value = self.secret_key.get_secret_value() if self.secret_key else ""
            if value in PLACEHOLDER_SECRETS or len(value) < 32:
                raise ValueError(
                    _("PASSAGE_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production")
                )
        return self

    def resolved_secret_key(self) -> str:
        """The signing secret; in development a missing one is generated once into a file."""
        if self.secret_key and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        path = self.secret_key_file
        if path.exists():
            return path.read_text().strip()
        value = secrets.token_urlsafe(48)
        path.write_text(value + "\n")
        path.chmod(0o600)
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
