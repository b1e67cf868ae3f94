"""Password hashing (Argon2id), the password policy and one-time passwords."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# Argon2 hashes any length, but a megabyte "password" would only cost CPU.
MAX_LENGTH = 256
# Without 0/O, 1/l/I: a one-time password is read off a terminal and typed.
ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
ONE_TIME_GROUPS = 4
ONE_TIME_GROUP_LENGTH = 5


class PasswordProblem(StrEnum):
    """Why a new password is refused."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTAINS_NAME = "contains_name"
    SAME_AS_CURRENT = "same_as_current"


@cache
def hasher() -> PasswordHasher:
    """Return the Argon2id hasher with argon2-cffi's defaults (RFC 9106, low memory)."""
    return PasswordHasher()


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password (salt and parameters included)."""
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches the stored hash; never raises for a mismatch."""
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Return whether a hash was made with weaker parameters than today's."""
    return hasher().check_needs_rehash(password_hash)


@cache
def dummy_hash() -> str:
    """Return a hash to verify against for unknown names, so they take as long as known ones."""
    return hash_password(secrets.token_urlsafe(16))


def password_problems(password: str, *, name: str, current: str | None = None) -> list[str]:
    """Return what is wrong with a new password (empty if it is accepted).

    The policy follows NIST SP 800-63B: a minimum length and no composition rules; the
    account name may not be part of it, and a change must change it.
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    if name and name.casefold() in password.casefold():
        problems.append(PasswordProblem.CONTAINS_NAME)
    if current is not None and password == current:
        problems.append(PasswordProblem.SAME_AS_CURRENT)
    return problems


def one_time_password() -> str:
    """Return a new random one-time password, e.g. ``k7rm2-xq9tb-3hw8e-pz4na`` (about 100 bits)."""
    groups = (
        "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_GROUP_LENGTH))
        for _ in range(ONE_TIME_GROUPS)
    )
    return "-".join(groups)
