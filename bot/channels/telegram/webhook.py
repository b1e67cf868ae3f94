"""The webhook receiver: updates from Telegram, checked against the secret in constant time.

python-telegram-bot's own webhook server compares the secret header with ``!=`` (its
running time tells how many leading characters of a guess are right) and logs a
malformed update's whole content. This receiver, as in python-telegram-bot's
``customwebhookbot`` examples, puts each update into the application's queue itself.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
URL_PATH = "/telegram"


class _UpdateReceiver(tornado.web.RequestHandler):
    """``POST /telegram``: one update, with Telegram's secret header."""

    def initialize(
        self, bot_application: Application[Any, Any, Any, Any, Any, Any], secret: bytes
    ) -> None:
        """Receive what every request needs (tornado calls this per request)."""
        self._application = bot_application
        self._secret = secret

    async def post(self) -> None:
        """Queue the update if the secret matches."""
        given = (self.request.headers.get(SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.warning("A webhook request without the right secret was refused.")
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if not (self.request.headers.get("Content-Type") or "").startswith("application/json"):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            update = Update.de_json(json.loads(self.request.body), self._application.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            # The kind of error only: the update holds what a user wrote.
            logger.error("A webhook update could not be read: %s", type(error).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        await self._application.update_queue.put(update)

    def log_exception(self, *_: object) -> None:
        """Refusals are logged above; tornado's own report would only repeat them."""


class WebhookReceiver:
    """Listens for Telegram's updates until :meth:`stop`."""

    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any], secret: str
    ) -> None:
        """Prepare the receiver for ``application``; nothing listens yet."""
        app = tornado.web.Application(
            [
                (
                    URL_PATH,
                    _UpdateReceiver,
                    {"bot_application": application, "secret": secret.encode()},
                )
            ],
            log_function=lambda _handler: None,  # no access log: it would name every chat
        )
        self._server = tornado.httpserver.HTTPServer(app)

    def listen(self, host: str, port: int) -> None:
        """Start accepting connections on ``host:port``."""
        self._server.listen(port, address=host)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        self._server.stop()
        await asyncio.wait_for(self._server.close_all_connections(), timeout=5)
