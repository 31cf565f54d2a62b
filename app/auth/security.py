"""Password hashing (argon2 through passlib's CryptContext, from libpass) and secrets."""

import hashlib
import hmac
import secrets
from functools import lru_cache

from passlib.context import CryptContext

from app.config import get_settings
from app.errors import InvalidInput, field_error
from app.i18n import N_, _

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
PASSWORDS_DIFFER = N_("The two passwords are not the same")
# The password hash of an account whose password no one knows yet: a user an administrator
# created, or whose password an administrator reset, until they redeem their set-password
# code. No password matches it.
UNUSABLE_PASSWORD = "!unusable"  # noqa: S105 (a marker no hash matches, not a secret)


@lru_cache
def _context(time_cost: int, memory_cost: int) -> CryptContext:
    return CryptContext(
        schemes=["argon2"],
        argon2__time_cost=time_cost,
        argon2__memory_cost=memory_cost,
        argon2__parallelism=2,
    )


def password_context() -> CryptContext:
    s = get_settings()
    return _context(s.argon2_time_cost, s.argon2_memory_cost)


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be at most {MAX_PASSWORD_LENGTH} characters"
    return None


def hash_password(password: str) -> str:
    return password_context().hash(password)


def too_long_password(password: str) -> InvalidInput | None:
    """The refusal of a password longer than any Passage accepts, given before any account is
    looked up or any hash computed, so that it answers alike for every name."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return field_error(
            "password",
            _("Password must be at most %(limit)s characters")
            % {"limit": MAX_PASSWORD_LENGTH},
        )
    return None


def verify_password(password: str, password_hash: str | None) -> bool:
    """Checks a password. Every failure spends the time of one check with the same
    parameters (passlib's dummy hash is made by the same context): with no hash (unknown user),
    with no usable one (a password not chosen yet) and with a password too long to be
    anyone's, so that none can be told from a wrong password by timing."""
    context = password_context()
    if (password_hash is None or password_hash == UNUSABLE_PASSWORD
            or len(password) > MAX_PASSWORD_LENGTH):
        context.dummy_verify()
        return False
    return context.verify(password, password_hash)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
