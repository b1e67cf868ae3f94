"""Password hashing and policy, one-time passwords, and TOTP codes (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp

from bot.office import passwords, totp
from bot.office.passwords import PasswordProblem

NOW = datetime(2026, 12, 6, 3, 0, 10, tzinfo=UTC)


def test_argon2id_hashes_verify_only_the_right_password() -> None:
    stored = passwords.hash_password("Sonnenblume-im-Garten-42")
    assert stored.startswith("$argon2id$") and "Sonnenblume" not in stored
    assert passwords.verify_password(stored, "Sonnenblume-im-Garten-42")
    assert not passwords.verify_password(stored, "sonnenblume-im-garten-42")
    assert not passwords.verify_password("not a hash", "x")
    assert not passwords.needs_rehash(stored)


def test_policy_length_name_and_change() -> None:
    assert passwords.password_problems("Sonnenblume-im-Garten", name="anna") == []
    assert passwords.password_problems("a" * 11, name="bob") == [PasswordProblem.TOO_SHORT]
    assert passwords.password_problems("a" * 257, name="bob") == [PasswordProblem.TOO_LONG]
    assert passwords.password_problems("Hallo-ANNA-2026", name="anna") == [
        PasswordProblem.CONTAINS_NAME
    ]
    same = passwords.password_problems("Garten-Garten-1", name="anna", current="Garten-Garten-1")
    assert same == [PasswordProblem.SAME_AS_CURRENT]


def test_one_time_passwords_are_random_and_unambiguous() -> None:
    made = {passwords.one_time_password() for _ in range(50)}
    assert len(made) == 50
    for password in made:
        groups = password.split("-")
        assert [len(group) for group in groups] == [5, 5, 5, 5]
        assert not set("".join(groups)) - set(passwords.ONE_TIME_ALPHABET)
        assert not passwords.password_problems(password, name="anna")


def test_a_totp_code_is_accepted_within_one_step_and_never_twice() -> None:
    secret = totp.new_secret()
    app = pyotp.TOTP(secret)
    step = totp.matching_step(secret, app.at(NOW), now=NOW, after_step=None)
    assert step == app.timecode(NOW)
    drifted = app.at(NOW - timedelta(seconds=30))
    assert totp.matching_step(secret, drifted, now=NOW, after_step=None) == step - 1
    assert (
        totp.matching_step(secret, app.at(NOW - timedelta(seconds=90)), now=NOW, after_step=None)
        is None
    )
    assert totp.matching_step(secret, app.at(NOW), now=NOW, after_step=step) is None
    spaced = app.at(NOW)[:3] + " " + app.at(NOW)[3:]
    assert totp.matching_step(secret, spaced, now=NOW, after_step=None) == step
    for nonsense in ("", "12345", "abcdef", "1234567"):
        assert totp.matching_step(secret, nonsense, now=NOW, after_step=None) is None
