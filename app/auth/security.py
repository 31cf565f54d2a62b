"""Password hashing (argon2 through passlib's CryptContext, from libpass) and secrets."""

import hashlib
import hmac
import secrets
from functools import lru_cache

from passlib.context import CryptContext

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
PASSWORDS_DIFFER = "The two passwords are not the same"


@lru_cache
def _context(time_cost: int, memory_cost: int) -> CryptContext:
    return CryptContext(
        schemes=["argon2"],
        argon2__time_cost=time_cost,
        argon2__memory_cost=memory_cost,
        argon2__parallelism=2,
    )


def password_context() -> CryptContext:
    from app.config import get_settings

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


def verify_password(password: str, password_hash: str | None) -> bool:
    """Checks a password. With no hash (unknown user) it still spends the time of a check, so
    that an unknown user and a wrong password cannot be told apart by timing."""
    context = password_context()
    if password_hash is None:
        context.dummy_verify()
        return False
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    return context.verify(password, password_hash)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
