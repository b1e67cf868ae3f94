"""``/healthz``, ``/readyz`` and ``/metrics`` as Starlette routes, and a small server for them.

The routes are meant for the web server (mount :func:`routes` into its app); until one
serves them, ``PATENBOT_METRICS_PORT`` serves them alone on loopback
(:class:`OpsServer`). ``/healthz`` says the process answers; ``/readyz`` checks the Rasa
replicas, the action server and the database, and answers 503 unless the database,
the action server and at least one replica are up; ``/metrics`` is Prometheus' text
format (bot/ops/metrics.py). None of them shows personal data.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.ops import metrics
from bot.settings import Settings
from bot.supervision.probes import http_ok, rasa_ready

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]


@dataclass
class Readiness:
    """The checks behind ``/readyz``: one per Rasa replica, the action server, the database."""

    replicas: dict[str, Check]
    action_server: Check
    database: Check
    retired: Callable[[], set[str]] = field(default=set)
    """Names of replicas taken out of the routing (reported as not ready)."""

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        retired: Callable[[], set[str]] = set,
    ) -> Readiness:
        """Check the servers and the database these settings describe."""
        token = settings.rasa_token

        def replica_check(url: str) -> Check:
            return lambda: rasa_ready(url, token)

        def database_ok() -> bool:
            try:
                with sessions() as session:
                    session.execute(text("SELECT 1"))
            except Exception as error:
                logger.warning(
                    "Readiness: the database did not answer (%s).", type(error).__name__
                )
                return False
            return True

        async def database() -> bool:
            return await asyncio.to_thread(database_ok)

        return cls(
            replicas={r.name: replica_check(r.url) for r in settings.rasa_replica_list},
            action_server=lambda: http_ok(f"{settings.action_url}/health"),
            database=database,
            retired=retired,
        )

    async def report(self) -> tuple[bool, dict[str, bool]]:
        """Run every check at once; return (ready, result per check)."""
        names = [*self.replicas, "action_server", "database"]
        checks = [*self.replicas.values(), self.action_server, self.database]
        results = dict(
            zip(names, await asyncio.gather(*(check() for check in checks)), strict=True)
        )
        for name in self.retired():
            if name in results:
                results[name] = False
        ready = (
            results["action_server"]
            and results["database"]
            and any(results[name] for name in self.replicas)
        )
        return ready, results


def routes(readiness: Readiness) -> list[Route]:
    """Return the three routes, to mount into a Starlette app."""

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(_request: Request) -> Response:
        ready, results = await readiness.report()
        return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)

    async def metrics_page(_request: Request) -> Response:
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_page),
    ]


def mount(app: Starlette, readiness: Readiness) -> None:
    """Add the three routes to an app (the web chat's), after its own routes."""
    app.router.routes.extend(routes(readiness))


def ops_app(readiness: Readiness) -> Starlette:
    """Return an app that serves only the three routes."""
    return Starlette(routes=routes(readiness))


class OpsServer:
    """Serves :func:`ops_app` on loopback in a thread of its own.

    A thread, because uvicorn installs its own signal handlers when it runs in the main
    thread, and ``python -m bot run`` handles SIGTERM itself (turns finish first).
    """

    def __init__(self, readiness: Readiness, host: str, port: int) -> None:
        """Prepare; nothing listens until :meth:`start`."""
        config = uvicorn.Config(
            ops_app(readiness), host=host, port=port, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="ops-server", daemon=True)

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread (at most 5 s)."""
        self._server.should_exit = True
        self._thread.join(timeout=5)
