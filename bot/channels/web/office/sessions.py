"""The console's sessions: kept on the server, named by a random cookie, with a CSRF token.

Why server-side and not a signed cookie: a logout, a disabled account or a password reset
must end a session at once, which a self-contained signed cookie cannot do before it
expires. The store is in the web process's memory (the bot serves the web in one
process); a restart logs everyone out, which is safe. Only a hash of the cookie value is
kept, so the store itself holds nothing that logs anyone in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

COOKIE_NAME = "patenbot_office"
COOKIE_PATH = "/office"
# Sessions before a login (they only carry the login form's CSRF token) live this long.
ANONYMOUS_SECONDS = 30 * 60
MAX_SESSIONS = 20_000
# Failed logins from one address (any names, also unknown ones, which lock no account).
ADDRESS_FAILURES = 20
ADDRESS_WINDOW_SECONDS = 15 * 60


class Stage(StrEnum):
    """How far a session has come."""

    ANONYMOUS = "anonymous"  # the login form only
    TOTP = "totp"  # the password was right; the code is still missing
    FULL = "full"  # logged in


@dataclass
class OfficeSession:
    """One browser's session (the cookie value itself is not kept)."""

    key: str
    csrf: str
    stage: Stage
    account_id: int | None
    last_seen: float
    flashes: list[str] = field(default_factory=list)

    def csrf_ok(self, token: str | None) -> bool:
        """Return whether a form's token is this session's (constant-time compare)."""
        return bool(token) and hmac.compare_digest(self.csrf, str(token))


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """The sessions of one web process, with an idle timeout."""

    def __init__(
        self, idle_seconds: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Keep sessions until they are idle for ``idle_seconds``."""
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._sessions: dict[str, OfficeSession] = {}

    def create(self, *, stage: Stage = Stage.ANONYMOUS, account_id: int | None = None) -> str:
        """Start a session; return the cookie value (a new one at each login step)."""
        if len(self._sessions) >= MAX_SESSIONS:
            self._purge()
        token = secrets.token_urlsafe(32)
        self._sessions[_key(token)] = OfficeSession(
            key=_key(token),
            csrf=secrets.token_urlsafe(32),
            stage=stage,
            account_id=account_id,
            last_seen=self.clock(),
        )
        return token

    def get(self, token: str | None) -> OfficeSession | None:
        """Return the live session of a cookie value and mark it used; None if idle or unknown."""
        if not token:
            return None
        session = self._sessions.get(_key(token))
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self._limit(session):
            del self._sessions[session.key]
            return None
        session.last_seen = now
        return session

    def peek(self, token: str | None) -> bool:
        """Return whether a session is still live, without counting it as activity.

        The event stream asks this; an open stream alone must not keep a session alive.
        """
        if not token:
            return False
        session = self._sessions.get(_key(token))
        return session is not None and self.clock() - session.last_seen <= self._limit(session)

    def drop(self, token: str | None) -> None:
        """End a session (logout)."""
        if token:
            self._sessions.pop(_key(token), None)

    def drop_account(self, account_id: int) -> None:
        """End every session of an account (disabled, password reset)."""
        for key in [k for k, s in self._sessions.items() if s.account_id == account_id]:
            del self._sessions[key]

    def _limit(self, session: OfficeSession) -> float:
        return (
            self.idle_seconds
            if session.stage == Stage.FULL
            else min(self.idle_seconds, ANONYMOUS_SECONDS)
        )

    def _purge(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._sessions.items() if now - s.last_seen > self._limit(s)]:
            del self._sessions[key]
        if len(self._sessions) >= MAX_SESSIONS:
            # Still full of live sessions: forget the oldest anonymous ones.
            anonymous = sorted(
                (s for s in self._sessions.values() if s.stage != Stage.FULL),
                key=lambda s: s.last_seen,
            )
            for session in anonymous[: len(anonymous) // 2 + 1]:
                del self._sessions[session.key]


class FailureCounter:
    """Failed logins per address in a sliding window (in memory)."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        """Block an address after ``limit`` failures within ``window_seconds``."""
        self._limit = limit
        self._window = window_seconds
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, address: str) -> bool:
        """Return whether the address has failed too often lately."""
        failures = self._failures.get(address)
        if not failures:
            return False
        now = time.monotonic()
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        return len(failures) >= self._limit

    def add(self, address: str) -> None:
        """Count one failure."""
        if len(self._failures) > 100_000:
            self._failures.clear()
        self._failures.setdefault(address, deque()).append(time.monotonic())
