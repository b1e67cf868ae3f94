"""A small async client for the Rasa server's REST channel and HTTP API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from bot.core.routing import Replica, hash_order, replica_names
from bot.i18n.decision import LanguageState
from bot.i18n.languages import is_supported
from bot.settings import Settings

logger = logging.getLogger(__name__)

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
    """Talks to the Rasa replicas over loopback HTTP, each conversation to its own replica.

    The replica is the first *available* one in the conversation's hash order
    (bot/core/routing.py). A replica that refuses the connection (nothing was sent) is
    skipped for the next one; any other failure is reported, never retried elsewhere:
    the turn may have been taken, and a second replica must not take it again.

    At most ``concurrency`` requests are in flight to one replica; the others wait here,
    before their timeout starts. Rasa handles one turn after the other, so a long queue
    inside Rasa only makes requests time out while the turns they carry are still taken.
    """

    def __init__(
        self,
        replicas: Sequence[Replica] | str,
        *,
        timeout: float,
        token: str,
        concurrency: int = 4,
        queue_timeout: float = 120.0,
        available: Callable[[str], bool] | None = None,
    ) -> None:
        """Create the client; call :meth:`aclose` when done.

        Args:
            replicas: The Rasa replicas (or one server's address).
            timeout: Seconds to wait for an answer, from the moment the request is sent.
            token: The secret of the Rasa servers (``Settings.rasa_token``): a header
                for the REST channel, the ``token`` parameter for the HTTP API.
            available: Tells whether a replica (by name) may take turns: the
                supervisor's view (``Supervisor.replica_available``). While a crashed
                server is restarted, its conversations go to their next replica, or, if
                none is up, are not sent: Rasa would take the turn but lose its answer
                (inside a form, the user's answer too).
            concurrency: Requests in flight to one replica at a time (at least 1).
            queue_timeout: Seconds a request may wait for its turn to be sent; then the
                replica counts as overloaded (nothing was sent, the user is asked to
                write again).
        """
        if isinstance(replicas, str):
            replicas = [Replica(replica_names(1)[0], replicas)]
        if not replicas:
            raise ValueError("at least one Rasa replica is needed")
        self._replicas = list(replicas)
        self._http = httpx.AsyncClient(timeout=timeout, headers={TOKEN_HEADER: token})
        self._api_params = {"token": token}
        self._available = available
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._queue_timeout = queue_timeout
        self._in_flight = {
            replica.name: asyncio.Semaphore(concurrency) for replica in self._replicas
        }

    @classmethod
    def for_settings(
        cls, settings: Settings, *, available: Callable[[str], bool] | None = None
    ) -> RasaClient:
        """Create the client of the Rasa replicas these settings describe."""
        return cls(
            settings.rasa_replica_list,
            timeout=settings.rasa_timeout_seconds,
            token=settings.rasa_token.get_secret_value(),
            concurrency=settings.rasa_concurrency,
            queue_timeout=settings.rasa_queue_seconds,
            available=available,
        )

    @property
    def replicas(self) -> list[Replica]:
        """Return the replicas this client routes to."""
        return list(self._replicas)

    def route(self, sender_id: str) -> list[Replica]:
        """Return the replicas that may take the conversation's turn, best first."""
        ordered = hash_order(sender_id, self._replicas)
        if self._available is None:
            return ordered
        return [replica for replica in ordered if self._available(replica.name)]

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._http.aclose()

    async def send(
        self, sender_id: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send a user message (text or payload) and return the bot's messages.

        Raises:
            TurnNotSavedError: If the turn could not be stored.
            RasaUnavailableError: If no replica can be reached, or the replica fails.
        """
        body = {"sender": sender_id, "message": message, "metadata": metadata}
        answer = await self._first_reachable(
            sender_id, lambda url: self._http.post(f"{url}/webhooks/rest/webhook", json=body)
        )
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
            RasaUnavailableError: If no replica can be reached, or the replica fails.
        """
        path = f"/conversations/{quote(sender_id, safe='')}/tracker"
        params = {**self._api_params, "include_events": "NONE"}
        answer = await self._first_reachable(
            sender_id, lambda url: self._http.get(f"{url}{path}", params=params)
        )
        if answer.is_error:
            raise RasaUnavailableError(f"HTTP {answer.status_code}")
        slots = answer.json().get("slots") or {}
        language = slots.get("language")
        if not isinstance(language, str) or not is_supported(language):
            return None
        return LanguageState(language=language, explicit=bool(slots.get("language_explicit")))

    async def _first_reachable(
        self, sender_id: str, call: Callable[[str], Awaitable[httpx.Response]]
    ) -> httpx.Response:
        candidates = self.route(sender_id)
        if not candidates:
            raise RasaUnavailableError("no Rasa replica is up")
        for replica in candidates:
            in_flight = self._in_flight[replica.name]
            try:
                async with asyncio.timeout(self._queue_timeout):
                    await in_flight.acquire()
            except TimeoutError as error:
                logger.warning(
                    "Rasa replica %s is overloaded: a turn waited too long.", replica.name
                )
                raise RasaUnavailableError("overloaded") from error
            try:
                return await call(replica.url)
            except httpx.ConnectError:
                # Refused before anything was sent: the next replica may take the turn.
                logger.warning("Rasa replica %s refused the connection.", replica.name)
            except httpx.HTTPError as error:
                raise RasaUnavailableError(type(error).__name__) from error
            finally:
                in_flight.release()
        raise RasaUnavailableError("no Rasa replica could be reached")


def _error_of(answer: httpx.Response) -> object:
    try:
        body = answer.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None
