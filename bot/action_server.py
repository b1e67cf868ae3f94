"""The action server: Patenbot's custom actions plus the NLG endpoint, in one Sanic app."""

from __future__ import annotations

import hmac
import logging
import warnings
from datetime import datetime
from typing import Any

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.i18n.catalogs import Catalogs
from bot.nlg.district import load_district
from bot.nlg.renderer import ResponseRenderer
from bot.nlg.responses import load_responses
from bot.settings import Settings

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "actions"
# Rasa sends the action token in this header (endpoints.yml) with every action and NLG call.
TOKEN_HEADER = "X-Patenbot-Token"  # noqa: S105 - a header name, not a secret
# Paths anyone may call: the supervisor's readiness check.
OPEN_PATHS = frozenset({"/health"})


def silence_sdk_version_warning() -> None:
    """Drop rasa-sdk's warning that it is newer than the Rasa server.

    We run rasa-sdk 3.21 (Python 3.12) against Rasa 3.6.21 (Python 3.10, the newest
    Rasa open source). The action-server protocol is unchanged between them, which the
    end-to-end tests check on every run, so the warning on every call is only noise.
    """
    warnings.filterwarnings(
        "ignore", message="Your versions of rasa and rasa_sdk might not be compatible"
    )


def build_renderer(settings: Settings) -> ResponseRenderer:
    """Load responses, catalogs and district facts once, for all NLG requests."""
    return ResponseRenderer(
        responses=load_responses(settings.path(settings.domain_file)),
        catalogs=Catalogs(settings.path(settings.locale_dir)),
        district=load_district(settings.path(settings.district_file)),
        clock=datetime.now,
    )


def build_app(settings: Settings) -> Sanic[Any, Any]:
    """Create the Sanic app: rasa-sdk's action routes and ``POST /nlg``."""
    executor = ActionExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    app: Sanic[Any, Any] = create_app(executor, cors_origins=[])
    renderer = build_renderer(settings)
    token = settings.action_token.get_secret_value().encode()

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        """Refuse calls without the action token.

        Otherwise anyone on the machine could run an action (e.g. "show my data") for
        another person's conversation.
        """
        if request.path in OPEN_PATHS:
            return None
        provided = request.headers.get(TOKEN_HEADER, "").encode()
        if hmac.compare_digest(provided, token):
            return None
        logger.warning("A request without the right token was refused.")
        return response.json({"error": "unauthorized"}, status=401)

    @app.post("/nlg")
    async def nlg(request: Request) -> HTTPResponse:
        """Render the response Rasa asks for, in the conversation's language."""
        body = request.json or {}
        name = str(body.get("response", ""))
        try:
            message = renderer.render(name, body.get("tracker") or {}, body.get("arguments"))
        except Exception:
            # Logged without the request body: the tracker holds the user's messages.
            logger.exception("Rendering response %s failed.", name)
            return response.json({"error": "rendering failed"}, status=500)
        return response.json(message)

    return app


def serve(settings: Settings) -> None:
    """Run the action server in this process until it is stopped."""
    silence_sdk_version_warning()
    app = build_app(settings)
    app.run(
        host=settings.host,
        port=settings.action_port,
        single_process=True,
        access_log=False,
        motd=False,
    )
