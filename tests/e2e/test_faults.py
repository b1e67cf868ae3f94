"""Faults with the real servers on PostgreSQL: a Rasa replica killed mid-form, a restart
of PostgreSQL mid-conversation.

Two Rasa replicas and the action server start once for the module (a minute or two);
both tests share them. The whole `python -m bot run` killed mid-form is in
tests/e2e/test_restart.py.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_service
from bot.core.conversation import ConversationService
from bot.core.rasa_client import RasaClient
from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory, prepare_database
from bot.storage.models import Registration
from bot.supervision.supervisor import Supervisor
from tests.e2e.chat_driver import ChatDriver
from tests.e2e.registration_form import finish_form_after_phone
from tests.helpers import button, free_port, free_ports, rendered
from tests.processes import alive, wait_until
from tests.storage.postgres import PostgresServer, required_postgres_server

pytestmark = pytest.mark.e2e

UNREACHABLE = (
    "frontend",
    "Entschuldigung, ich bin gerade nicht erreichbar. "
    "Bitte schreiben Sie Ihre Nachricht in ein paar Minuten noch einmal.",
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this module's own (it is restarted by a test)."""
    with required_postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer
) -> Iterator[tuple[Settings, Supervisor]]:
    """Two Rasa replicas and the action server on PostgreSQL."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        rasa_port=free_ports(2),
        rasa_replicas=2,
        action_port=free_port(),
        data_dir=tmp_path_factory.mktemp("faults"),
        **{"DATABASE_URL": postgres.url},
    )
    prepare_database(settings)
    supervisor = Supervisor(settings, progress=io.StringIO())
    supervisor.start()
    try:
        asyncio.run(supervisor.wait_until_ready())
        yield settings, supervisor
    finally:
        supervisor.stop()


@dataclass
class Client:
    """The front end's side: a routing Rasa client and the core, on the module's servers."""

    rasa: RasaClient
    service: ConversationService
    settings: Settings
    supervisor: Supervisor
    sessions: sessionmaker[Session]

    def registrations(self, person: str) -> int:
        with self.sessions() as session:
            count = select(func.count()).select_from(Registration)
            return int(session.scalar(count.where(Registration.person_ref == person)) or 0)


@pytest.fixture
async def client(cluster: tuple[Settings, Supervisor]) -> AsyncIterator[Client]:
    settings, supervisor = cluster
    rasa = RasaClient.for_settings(settings, available=supervisor.replica_available)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    try:
        service = build_service(settings, rasa, sessions=sessions)
        yield Client(rasa, service, settings, supervisor, sessions)
    finally:
        await rasa.aclose()
        engine.dispose()


async def _start_form(chat: ChatDriver, catalogs: Catalogs, expected: ResponseRenderer) -> None:
    consent = await chat.say("Ich möchte Pate werden und mich anmelden")
    assert rendered(expected, "utter_ask_reg_consent", "de")[:40] in consent
    asked = await chat.press(button(catalogs, "de", "utter_ask_reg_consent", "Ja, einverstanden"))
    assert rendered(expected, "utter_ask_reg_name", "de") in asked
    contact = await chat.say("Erika")
    assert rendered(expected, "utter_ask_reg_contact_method", "de") in contact


async def test_a_killed_replica_hands_the_form_to_the_next_one(
    client: Client, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    rasa, supervisor = client.rasa, client.supervisor
    sender = "e2e-fault-replica"
    chat = ChatDriver(client.service, sender)
    home = rasa.route(sender)[0]
    await _start_form(chat, catalogs, expected)

    label = f"Rasa server {home.name}"
    pid = supervisor.pids[label]
    os.killpg(pid, signal.SIGKILL)
    # A process with many threads shows as a zombie a moment before it can be reaped:
    # wait for the supervisor's view, which the routing uses.
    wait_until(lambda: not supervisor.replica_available(home.name), 10, "the replica died")
    assert not alive(pid)
    assert home.name not in [replica.name for replica in rasa.route(sender)]
    # The button came from the dead replica's turn; the other replica continues the form
    # from the tracker store.
    phone = await chat.press(button(catalogs, "de", "utter_ask_reg_contact_method", "Telefon"))
    assert rendered(expected, "utter_ask_reg_phone", "de") in phone
    await finish_form_after_phone(chat, catalogs, expected)
    assert client.registrations(sender) == 1


async def test_a_postgresql_restart_mid_conversation_loses_no_turn(
    client: Client, postgres: PostgresServer, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    sender = "e2e-fault-postgres"
    chat = ChatDriver(client.service, sender)
    await _start_form(chat, catalogs, expected)
    await asyncio.to_thread(postgres.restart)  # every pooled connection is cut
    phone = await chat.press(button(catalogs, "de", "utter_ask_reg_contact_method", "Telefon"))
    assert rendered(expected, "utter_ask_reg_phone", "de") in phone
    await finish_form_after_phone(chat, catalogs, expected)
    assert client.registrations(sender) == 1


async def test_a_killed_action_server_is_restarted_and_the_form_continues(
    client: Client, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    supervisor = client.supervisor
    sender = "e2e-fault-action"
    chat = ChatDriver(client.service, sender)
    await _start_form(chat, catalogs, expected)
    contact_question = chat.last
    watch = asyncio.create_task(supervisor.watch())  # restarts what stops
    try:
        action_server = supervisor.pids["action server"]
        os.killpg(action_server, signal.SIGKILL)
        wait_until(lambda: not supervisor.servers_up(), 10, "the action server is down")
        # Meanwhile no turn goes to Rasa (it would lose the answer): the user is asked
        # to write again, and the form's question stays open.
        apology = await chat.press(
            button(catalogs, "de", "utter_ask_reg_contact_method", "Telefon")
        )
        assert apology == catalogs.pgettext("de", *UNREACHABLE)
        await asyncio.to_thread(
            wait_until,
            lambda: supervisor.servers_up() and supervisor.available_replicas() == 2,
            180,
            "the action server (and the replica killed before) restarted",
        )
        assert supervisor.pids["action server"] != action_server
        chat.last = contact_question  # the button issued before the kill still works
        phone = await chat.press(button(catalogs, "de", "utter_ask_reg_contact_method", "Telefon"))
        assert rendered(expected, "utter_ask_reg_phone", "de") in phone
        await finish_form_after_phone(chat, catalogs, expected)
        assert client.registrations(sender) == 1
    finally:
        watch.cancel()


def test_the_logs_name_the_replicas(cluster: tuple[Settings, Supervisor]) -> None:
    settings, _ = cluster
    logs = Path(settings.path(settings.data_dir)) / "logs"
    assert (logs / "rasa.log").is_file() and (logs / "rasa-2.log").is_file()
