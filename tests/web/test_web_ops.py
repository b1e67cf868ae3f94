"""The web chat's server also answers /healthz, /readyz and /metrics (bot/ops/health.py)."""

from __future__ import annotations

from starlette.testclient import TestClient

from bot.ops import health
from bot.ops.health import Readiness
from tests.web.test_web_http import client, web_settings  # noqa: F401 - fixtures


async def _up() -> bool:
    return True


async def _down() -> bool:
    return False


def test_the_web_app_serves_health_and_metrics(client: TestClient) -> None:  # noqa: F811
    health.mount(client.app, Readiness({"rasa-1": _down, "rasa-2": _up}, _up, _up))  # type: ignore[arg-type]
    assert client.get("/healthz").text == "ok\n"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "rasa-1": False, "rasa-2": True, "action_server": True, "database": True
    }  # fmt: skip
    page = client.get("/metrics")
    assert page.status_code == 200
    assert "patenbot_turn_seconds" in page.text
    assert page.headers["content-type"].startswith("text/plain")
