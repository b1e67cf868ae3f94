"""``python -m bot coordinator …``: accounts are made, listed, reset and disabled."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.office import login
from bot.office.login import LoginStatus
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory
from bot.storage.models import AuditEvent


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PATENBOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PATENBOT_DATABASE_URL", raising=False)
    # main() sets the process's umask to 077; the other tests keep theirs.
    umask = os.umask(0o077)
    os.umask(umask)
    yield tmp_path
    os.umask(umask)


def one_time_password(printed: str) -> str:
    return printed.strip().splitlines()[-1]


def test_add_list_reset_and_disable(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coordinator", "add", "Anna", "--role", "admin", "--require-totp"]) == 0
    first = one_time_password(capsys.readouterr().out)
    assert main(["coordinator", "add", "anna"]) == 1
    assert "exists already" in capsys.readouterr().err
    assert main(["coordinator", "reset-password", "anna"]) == 0
    second = one_time_password(capsys.readouterr().out)
    assert first != second
    assert main(["coordinator", "list"]) == 0
    listed = capsys.readouterr().out
    assert "anna\tadmin\tactive, no totp, totp required, one-time password" in listed
    assert first not in listed and second not in listed

    engine = make_engine(Settings().database_url)
    with make_session_factory(engine).begin() as session:
        assert login.authenticate(session=session, name="anna", password=first).status is (
            LoginStatus.INVALID
        )
        assert login.authenticate(session=session, name="anna", password=second).status is (
            LoginStatus.OK
        )
    assert main(["coordinator", "disable", "anna"]) == 0
    assert main(["coordinator", "disable", "nobody"]) == 1
    with make_session_factory(engine).begin() as session:
        assert login.authenticate(session=session, name="anna", password=second).status is (
            LoginStatus.DISABLED
        )
        actors = {event.actor for event in session.scalars(select(AuditEvent))}
    engine.dispose()
    assert any(actor.startswith("cli:") for actor in actors)
    assert "disabled" in capsys.readouterr().out


def test_invalid_names_are_refused(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coordinator", "add", "a b"]) == 1
    assert "not a valid account name" in capsys.readouterr().err
