"""The web chat's defences: the signed conversation cookie, rate limits, security headers."""

from __future__ import annotations

import os
import secrets
import time
from collections import deque
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.private_files import private_folder

COOKIE_NAME = "patenbot_chat"
SENDER_PREFIX = "web:"
SECRET_FILE = "web-secret"  # noqa: S105 - a file name, not a secret
MIN_SECRET_CHARS = 32
# Ten years: the conversation lives until the user deletes it or the retention purge does.
COOKIE_MAX_AGE = 10 * 365 * 24 * 60 * 60
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; "
    "frame-ancestors {frame_ancestors}"
)


def load_or_create_secret(data_dir: Path) -> str:
    """Return the cookie secret kept in the data folder, creating it (0600) on first use.

    A secret generated per start would make every open conversation unreadable after a
    restart; this one stays until the file is removed.
    """
    folder = private_folder(data_dir)
    path = folder / SECRET_FILE
    if path.exists():
        secret = path.read_text(encoding="utf-8").strip()
        if len(secret) >= MIN_SECRET_CHARS:
            return secret
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    path.chmod(0o600)
    return secret


def new_sender_id() -> str:
    """Return a new conversation id; only the server makes them."""
    return SENDER_PREFIX + secrets.token_urlsafe(18)


class SenderCookie:
    """Signs and reads the cookie that holds the conversation id."""

    def __init__(self, secret: str) -> None:
        """Use ``secret`` (at least 32 characters) for the signature.

        Raises:
            ValueError: If the secret is too short.
        """
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"PATENBOT_WEB_SECRET needs at least {MIN_SECRET_CHARS} characters.")
        self._serializer = URLSafeSerializer(secret, salt="patenbot-web-sender")

    def dump(self, sender_id: str) -> str:
        """Return the signed cookie value for a conversation id."""
        return self._serializer.dumps(sender_id)

    def load(self, value: str | None) -> str | None:
        """Return the conversation id of a cookie, or None if it is missing or forged."""
        if not value:
            return None
        try:
            sender_id = self._serializer.loads(value)
        except BadSignature:
            return None
        if not isinstance(sender_id, str) or not sender_id.startswith(SENDER_PREFIX):
            return None
        return sender_id


class RateLimiter:
    """Counts events per key in a sliding window (in memory, one process)."""

    def __init__(self, limit: int, window_seconds: float, *, max_keys: int = 100_000) -> None:
        """Allow ``limit`` events per key within ``window_seconds``."""
        self._limit = limit
        self._window = window_seconds
        self._max_keys = max_keys
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str, *, now: float | None = None) -> bool:
        """Record an event for ``key``; return False (and record nothing) above the limit."""
        moment = time.monotonic() if now is None else now
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self._max_keys:
                self._forget_idle(moment)
            events = self._events[key] = deque()
        while events and events[0] <= moment - self._window:
            events.popleft()
        if len(events) >= self._limit:
            return False
        events.append(moment)
        return True

    def _forget_idle(self, moment: float) -> None:
        for key in [k for k, v in self._events.items() if not v or v[-1] <= moment - self._window]:
            del self._events[key]


class SecurityHeadersMiddleware:
    """Adds the security headers to every response (pure ASGI, so streams stay streams)."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: str = "'self'") -> None:
        """Wrap ``app``; ``frame_ancestors`` lists the sites that may embed the chat."""
        self._app = app
        self._policy = CONTENT_SECURITY_POLICY.format(frame_ancestors=frame_ancestors)
        # The coordinators' console is never shown in a frame (clickjacking).
        self._office_policy = CONTENT_SECURITY_POLICY.format(frame_ancestors="'none'")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to HTTP responses."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                office = str(scope.get("path", "")).startswith("/office")
                headers["Content-Security-Policy"] = (
                    self._office_policy if office else self._policy
                )
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if str(scope.get("path", "")).startswith("/static/"):
                    headers.setdefault("Cache-Control", "public, max-age=3600")
                else:
                    # Pages hold a conversation: never kept by a shared cache.
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self._app(scope, receive, send_with_headers)
