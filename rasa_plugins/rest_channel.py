"""Rasa's REST channel with a token, honest errors and bounded conversation sessions.

Configured in ``credentials.yml`` by its module path; it keeps the URL of Rasa's own
REST channel (``/webhooks/rest/webhook``). Differences from ``RestInput``:

- A request must carry the front end's token (header ``X-Patenbot-Token``), so nobody
  else on the machine can talk as any sender.
- A turn the tracker store could not store is answered with HTTP 503 and
  ``{"error": "turn_not_saved"}`` instead of the bot's messages, so the front end asks
  the user to send the message again (Rasa would answer as if all was well and keep the
  turn in memory only). Any other failure is HTTP 500; nothing of the message is logged.
- When the conversation's current session has grown past ``PATENBOT_SESSION_MAX_EVENTS``
  events and no form is active, a new session is started after the answer (Rasa loads
  only the latest session on every turn, and sends it to the action server and the NLG
  endpoint; see docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_plugins.turns import CURRENT_TURN, TurnRecord

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Patenbot-Token"  # noqa: S105 - a header name, not a secret
TOKEN_VARIABLE = "PATENBOT_RASA_TOKEN"  # noqa: S105 - a variable name
MAX_EVENTS_VARIABLE = "PATENBOT_SESSION_MAX_EVENTS"
DEFAULT_MAX_EVENTS = 300
SESSION_START_PAYLOAD = "/session_start"
# Metadata of the message that starts a session for size reasons; the NLG endpoint
# then does not introduce the assistant again (bot/nlg/renderer.py).
CONTINUED_SESSION = {"patenbot_session": "continued"}

Handler = Callable[[UserMessage], Awaitable[Any]]


class PatenbotRestInput(RestInput):
    """The REST channel the front end talks to (see the module docstring)."""

    def __init__(self, token: str, max_session_events: int = DEFAULT_MAX_EVENTS) -> None:
        """Create the channel.

        Args:
            token: The secret a request must carry.
            max_session_events: Start a new session beyond this many events (0: never).
        """
        if not token:
            raise ValueError(f"The REST channel needs a token ({TOKEN_VARIABLE}).")
        self._token = token.encode()
        self._max_session_events = max_session_events
        self._background: set[asyncio.Future[None]] = set()

    @classmethod
    def name(cls) -> str:
        """Keep the name, and so the URL, of Rasa's REST channel."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Read the token and the session bound from the environment."""
        credentials = credentials or {}
        token = str(credentials.get("token") or os.environ.get(TOKEN_VARIABLE) or "")
        limit = credentials.get("max_session_events") or os.environ.get(MAX_EVENTS_VARIABLE)
        return cls(token, int(limit) if limit not in (None, "") else DEFAULT_MAX_EVENTS)

    def _authorized(self, request: Request) -> bool:
        provided = request.headers.get(TOKEN_HEADER, "")
        return hmac.compare_digest(provided.encode(), self._token)

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        """Return the channel's routes: ``GET /`` and ``POST /webhook``."""
        routes = Blueprint("patenbot_rest", __name__)

        @routes.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @routes.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorized(request):
                logger.warning("A webhook request without the right token was refused.")
                return response.json({"error": "unauthorized"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender_id, text = body.get("sender"), body.get("message")
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            if not isinstance(sender_id, str) or not isinstance(text, str):
                return response.json({"error": "sender and message are required"}, status=400)
            return await self._handle(on_new_message, sender_id, text, metadata or {})

        return routes

    async def _handle(
        self, on_new_message: Handler, sender_id: str, text: str, metadata: dict[str, Any]
    ) -> HTTPResponse:
        collector = CollectingOutputChannel()
        turn = TurnRecord()
        reset = CURRENT_TURN.set(turn)
        try:
            await on_new_message(
                UserMessage(
                    text, collector, sender_id, input_channel=self.name(), metadata=metadata
                )
            )
        except CancelledError:
            logger.error("A turn was cancelled (timeout).")
            return response.json({"error": "timeout"}, status=503)
        except Exception as error:
            # Without the message text: it is personal data.
            logger.error("A turn failed (%s).", type(error).__name__)
            return response.json({"error": "turn_failed"}, status=500)
        finally:
            CURRENT_TURN.reset(reset)
        if turn.lost:
            logger.error("A turn could not be stored; the user is asked to send it again.")
            return response.json({"error": "turn_not_saved"}, status=503)
        if self._session_too_long(turn):
            # After the answer, not before it: the user does not wait for the new
            # session. Rasa's lock store runs the conversation's turns one at a time,
            # so a message arriving meanwhile waits for it.
            task = asyncio.ensure_future(
                self._start_new_session(on_new_message, sender_id, metadata)
            )
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return response.json(collector.messages)

    def _session_too_long(self, turn: TurnRecord) -> bool:
        # Never inside a form: the new session would not continue it.
        return (
            self._max_session_events > 0
            and turn.session_events > self._max_session_events
            and turn.active_loop is None
        )

    async def _start_new_session(
        self, on_new_message: Handler, sender_id: str, metadata: dict[str, Any]
    ) -> None:
        """Start a new session (``action_session_start`` carries the slots we need)."""
        turn = TurnRecord()
        reset = CURRENT_TURN.set(turn)
        try:
            await on_new_message(
                UserMessage(
                    SESSION_START_PAYLOAD,
                    CollectingOutputChannel(),
                    sender_id,
                    input_channel=self.name(),
                    metadata={**metadata, **CONTINUED_SESSION},
                )
            )
        except Exception as error:
            # The user's turn is stored; the next turn tries again.
            logger.error("Starting a new session failed (%s).", type(error).__name__)
        finally:
            CURRENT_TURN.reset(reset)
        if turn.lost:
            logger.error("A new session could not be stored; the next turn tries again.")
