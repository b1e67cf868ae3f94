"""/healthz, /readyz and /metrics: real checks against a database and closed ports."""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.testclient import TestClient

from bot.core import payloads
from bot.core.conversation import ConversationService
from bot.i18n.catalogs import Catalogs
from bot.i18n.detection import LanguageDetection
from bot.ops import metrics
from bot.ops.health import Readiness, ops_app
from bot.settings import Settings
from bot.storage import repository
from bot.storage.database import make_engine, make_session_factory, upgrade_database
from bot.storage.models import Handoff, OutboxMessage, utcnow
from tests.helpers import free_port, sqlite_store
from tests.unit.test_conversation_service import StandInRasa


def settings_for(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        rasa_port=free_port(),
        rasa_replicas=2,
        action_port=free_port(),
        data_dir=tmp_path,
    )


def test_readyz_names_what_is_down_and_healthz_answers(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    readiness = Readiness.for_settings(settings, make_session_factory(engine))
    with TestClient(ops_app(readiness)) as client:
        assert client.get("/healthz").text == "ok\n"
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "ready": False,
        "checks": {"rasa-1": False, "rasa-2": False, "action_server": False, "database": True},
    }


def test_ready_with_one_replica_but_not_with_a_retired_one() -> None:
    async def yes() -> bool:
        return True

    async def no() -> bool:
        return False

    readiness = Readiness({"rasa-1": yes, "rasa-2": no}, yes, yes)
    assert asyncio.run(readiness.report())[0]
    readiness.retired = lambda: {"rasa-1"}
    ready, results = asyncio.run(readiness.report())
    assert not ready and results["rasa-1"] is False
    readiness = Readiness({"rasa-1": yes}, yes, no)  # no database: not ready
    assert not asyncio.run(readiness.report())[0]


async def test_metrics_count_turns_per_channel_without_ids(
    tmp_path: Path, catalogs: Catalogs, detection: LanguageDetection
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'metrics.sqlite'}")
    upgrade_database(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Handoff(person_ref="telegram-987654", language="de"))
        repository.add_outbox_message(
            session=session, topic="t", text_de="x", person_ref=None, registration_id=None
        )
        session.add(OutboxMessage(topic="t", text="y", sent_at=utcnow()))
    metrics.watch_database(sessions)
    rasa = StandInRasa()
    rasa.answer = [{"text": "Meinten Sie …?", "custom": payloads.marker(payloads.UNSURE)}]
    service = ConversationService(
        rasa,
        catalogs,
        detection,
        max_message_chars=1000,
        erase_conversation=lambda _sender: None,
        store=sqlite_store(tmp_path),
    )
    before = _value("patenbot_turns_total", channel="telegram")
    unsure = _value("patenbot_fallbacks_total", channel="web")
    await service.handle_text("telegram-987654", "Wie werde ich Patin?")
    await service.handle_text("web-abcdef", "Wie werde ich Patin?")
    assert _value("patenbot_turns_total", channel="telegram") == before + 1
    assert _value("patenbot_fallbacks_total", channel="web") == unsure + 1
    readiness = Readiness({"rasa-1": _true}, _true, _true)
    with TestClient(ops_app(readiness)) as client:
        page = client.get("/metrics").text
    assert 'patenbot_turn_seconds_bucket{channel="web",le="0.1"}' in page
    assert "patenbot_handoffs_waiting 1.0" in page
    assert "patenbot_outbox_backlog 1.0" in page
    assert "987654" not in page and "abcdef" not in page  # no conversation ids
    assert "Patin" not in page


async def _true() -> bool:
    return True


def _value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_the_ops_server_serves_on_its_own_port_and_stops() -> None:
    import httpx

    from bot.ops.health import OpsServer
    from tests.processes import wait_until

    port = free_port()
    server = OpsServer(Readiness({"rasa-1": _true}, _true, _true), "127.0.0.1", port)
    server.start()

    def answers() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, 10, "the ops server answers")
        assert "patenbot_turns_total" in httpx.get(f"http://127.0.0.1:{port}/metrics").text
    finally:
        server.stop()
    assert not answers()
