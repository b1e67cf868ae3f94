"""deploy/backup.sh and deploy/restore.sh: a backup restored into a scratch database holds
every registration and every conversation."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.storage.database import make_engine, upgrade_database
from bot.storage.models import (
    ConsentRecord,
    ConversationState,
    Handoff,
    OutboxMessage,
    Registration,
    StatusChange,
)
from tests.helpers import ROOT
from tests.storage.postgres import _binary

# Rasa's tracker table as SQLTrackerStore creates it (rasa/core/tracker_store.py).
RASA_EVENTS = """
CREATE TABLE events (
    id SERIAL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT
)
"""
TABLES = (Registration, ConsentRecord, StatusChange, OutboxMessage, Handoff, ConversationState)


def _database(server_url: str, name: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _fill(engine: Engine) -> None:
    upgrade_database(engine)
    with Session(engine) as session, session.begin():
        for number in range(25):
            person = f"telegram-{1000 + number}"
            consent = ConsentRecord(
                person_ref=person, kind="mentor", notice_version="1", language="uk"
            )
            registration = Registration(
                person_ref=person, kind="mentor", language="uk", name=f"Олена {number}",
                contact_method="phone", phone="+49 170 1234567", municipality="Böblingen",
                details={"hours": "3-4"}, consent=consent,
            )  # fmt: skip
            session.add(registration)
            session.add(
                StatusChange(registration=registration, new_status="new", changed_by="bot")
            )
            session.add(OutboxMessage(topic="registration", text=f"Neue Anmeldung {number}"))
            session.add(ConversationState(sender_id=person, language="uk", language_explicit=True))
        session.add(Handoff(person_ref="telegram-1000", language="uk"))
        session.execute(text(RASA_EVENTS))
        for number in range(25):
            for turn in range(8):
                session.execute(
                    text(
                        "INSERT INTO events (sender_id, type_name, timestamp, data) "
                        "VALUES (:sender, 'user', :moment, :data)"
                    ),
                    {
                        "sender": f"telegram-{1000 + number}",
                        "moment": turn,
                        "data": '{"text": "Привіт"}',
                    },
                )


def _contents(engine: Engine) -> dict[str, object]:
    with Session(engine) as session:
        found: dict[str, object] = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in TABLES
        }
        found["names"] = sorted(session.scalars(select(Registration.name)))
        found["conversations"] = session.execute(
            text("SELECT sender_id, count(*) FROM events GROUP BY sender_id ORDER BY sender_id")
        ).all()
        found["alembic"] = session.scalar(text("SELECT version_num FROM alembic_version"))
    return found


def test_a_backup_restores_every_registration_and_conversation(
    postgres_url: str | None, tmp_path: Path
) -> None:
    if postgres_url is None:
        pytest.skip("PostgreSQL tests NOT run: PostgreSQL is not installed here")
    source_url = _database(postgres_url, "patenbot_backup_source")
    scratch_url = _database(postgres_url, "patenbot_backup_scratch")
    source, scratch = make_engine(source_url), make_engine(scratch_url)
    try:
        _fill(source)
        env = dict(os.environ, DATABASE_URL=source_url)
        env["PATH"] = f"{Path(_binary('pg_dump')).parent}:{env['PATH']}"
        dump = subprocess.run(
            [str(ROOT / "deploy" / "backup.sh"), str(tmp_path / "backups")],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        assert Path(dump).stat().st_mode & 0o777 == 0o600  # personal data: owner only
        subprocess.run(
            [str(ROOT / "deploy" / "restore.sh"), dump, scratch_url],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        restored = _contents(scratch)
        assert restored == _contents(source)
        assert restored["registrations"] == 25
        assert len(restored["conversations"]) == 25  # type: ignore[arg-type]
    finally:
        source.dispose()
        scratch.dispose()
