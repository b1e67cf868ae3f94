"""A long export must not keep the bot from storing conversations (issue 9, item 5)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from bot.registrations.export import batched_rows
from bot.registrations.use_cases import RegistrationData, save_registration
from bot.storage.database import (
    enable_wal,
    make_engine,
    make_session_factory,
    rasa_tracker_url,
    upgrade_database,
)
from bot.storage.models import Registration
from bot.storage.repository import RegistrationFilter


def add_registrations(session: Session, number: int) -> None:
    for index in range(number):
        save_registration(
            session=session,
            data=RegistrationData(
                person_ref=f"p{index}", kind="mentor", language="de", name=f"Person {index}",
                contact_method="chat", municipality="Böblingen",
            ),
        )  # fmt: skip
    session.commit()


def add_many_registrations(session: Session, number: int) -> None:
    rows = [
        {"person_ref": f"p{index}", "kind": "mentor", "status": "new", "language": "de",
         "name": f"Person {index}", "contact_method": "chat", "municipality": "Böblingen",
         "details": {}}
        for index in range(number)
    ]  # fmt: skip
    session.execute(insert(Registration), rows)
    session.commit()


def other_writer_can_commit(path: Path) -> bool:
    """Whether another connection (like Rasa's) can write right now, without waiting."""
    connection = sqlite3.connect(path, timeout=0)
    try:
        connection.execute("INSERT INTO export_audit (actor, exported_at, file_format, filters, "
                           "row_count) VALUES ('x', '2026-01-01', 'csv', '{}', 0)")  # fmt: skip
        connection.commit()
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        connection.close()
    return True


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite'}")
    upgrade_database(engine)
    return engine


def test_export_rows_are_read_in_batches_without_an_open_transaction(
    sqlite_file: Engine, tmp_path: Path
) -> None:
    sessions = make_session_factory(sqlite_file)
    with sessions() as session:
        add_many_registrations(session, 2500)
    rows = batched_rows(sessions, RegistrationFilter())
    first = next(rows)
    # The file is written while the rows are consumed: no lock may be held meanwhile
    # (a query still streaming its rows holds SQLite's read lock).
    assert other_writer_can_commit(tmp_path / "bot.sqlite")
    names = [first[7], *(row[7] for row in rows)]
    assert names == [f"Person {index}" for index in range(2500)]


def test_export_batches_cover_every_row_on_each_database(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        add_registrations(session, 7)
    ids = [row[0] for row in batched_rows(sessions, RegistrationFilter(), batch_size=3)]
    assert len(ids) == 7 and ids == sorted(ids, key=int)
    only_none = batched_rows(sessions, RegistrationFilter(statuses=("matched",)), batch_size=3)
    assert list(only_none) == []


def test_with_wal_a_long_reader_does_not_block_a_writer(
    sqlite_file: Engine, tmp_path: Path
) -> None:
    enable_wal(sqlite_file)
    reader = sqlite3.connect(tmp_path / "bot.sqlite", isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM registrations").fetchone()
        assert reader.in_transaction
        assert other_writer_can_commit(tmp_path / "bot.sqlite")
    finally:
        reader.close()


def test_rasa_gets_the_same_busy_timeout() -> None:
    assert rasa_tracker_url("sqlite:////data/patenbot.sqlite").endswith("?timeout=10")
    assert "timeout" not in rasa_tracker_url("postgresql+psycopg://u:p@h/db")
