"""A small async client for the Rasa server's REST channel and HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from bot.i18n.decision import LanguageState
from bot.i18n.languages import is_supported
from bot.settings import Settings

# The header the REST channel checks (rasa_plugins/rest_channel.py).
TOKEN_HEADER = "X-Patenbot-Token"  # noqa: S105 - a header name, not a secret
# What the REST channel answers when the tracker store could not store the turn.
TURN_NOT_SAVED_STATUS = 503
TURN_NOT_SAVED_ERROR = "turn_not_saved"


class RasaUnavailableError(RuntimeError):
    """The Rasa server did not answer in time or answered with an error."""


class TurnNotSavedError(RasaUnavailableError):
    """Rasa handled the message but could not store the turn; the user should resend it."""


class RasaConnection(Protocol):
    """What the conversation core needs from Rasa (RasaClient, or a stand-in in tests)."""

    async def send(
        self, sender_id: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send a user message (text or payload) and return the bot's messages."""
        ...

    async def language_state(self, sender_id: str) -> LanguageState | None:
        """Return the language stored in a conversation's slots, if any."""
        ...


class RasaClient:
    """Talks to one Rasa server over loopback HTTP."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        token: str,
        available: Callable[[], bool] | None = None,
    ) -> None:
        """Create the client; call :meth:`aclose` when done.

        Args:
            base_url: The Rasa server's address.
            timeout: Seconds to wait for an answer.
            token: The secret of the Rasa server (``Settings.rasa_token``): a header
                for the REST channel, the ``token`` parameter for the HTTP API.
            available: Tells whether the servers are up (the supervisor's view). While a
                crashed server is restarted, messages are not sent: Rasa would take the
                turn but lose its answer (inside a form, the user's answer too).
        """
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, headers={TOKEN_HEADER: token}
        )
        self._api_params = {"token": token}
        self._available = available

    @classmethod
    def for_settings(
        cls, settings: Settings, *, available: Callable[[], bool] | None = None
    ) -> RasaClient:
        """Create the client of the Rasa server these settings describe."""
        return cls(
            settings.rasa_url,
            timeout=settings.rasa_timeout_seconds,
            token=settings.rasa_token.get_secret_value(),
            available=available,
        )

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._http.aclose()

    async def send(
        self, sender_id: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send a user message (text or payload) and return the bot's messages.

        Raises:
            TurnNotSavedError: If the turn could not be stored.
            RasaUnavailableError: If the server cannot be reached or fails.
        """
        if self._available is not None and not self._available():
            raise RasaUnavailableError("a server is being restarted")
        body = {"sender": sender_id, "message": message, "metadata": metadata}
        try:
            answer = await self._http.post("/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as error:
            raise RasaUnavailableError(type(error).__name__) from error
        if answer.status_code == TURN_NOT_SAVED_STATUS and _error_of(answer) == (
            TURN_NOT_SAVED_ERROR
        ):
            raise TurnNotSavedError(TURN_NOT_SAVED_ERROR)
        if answer.is_error:
            raise RasaUnavailableError(f"HTTP {answer.status_code}")
        messages = answer.json()
        return messages if isinstance(messages, list) else []

    async def language_state(self, sender_id: str) -> LanguageState | None:
        """Return the language stored in a conversation's slots, if any.

        Raises:
            RasaUnavailableError: If the server cannot be reached or fails.
        """
        path = f"/conversations/{quote(sender_id, safe='')}/tracker"
        try:
            params = {**self._api_params, "include_events": "NONE"}
            answer = await self._http.get(path, params=params)
            answer.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailableError(type(error).__name__) from error
        slots = answer.json().get("slots") or {}
        language = slots.get("language")
        if not isinstance(language, str) or not is_supported(language):
            return None
        return LanguageState(language=language, explicit=bool(slots.get("language_explicit")))


def _error_of(answer: httpx.Response) -> object:
    try:
        body = answer.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None
