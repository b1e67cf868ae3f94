"""The coordinators' command line: safe terminal output, and a failed export says so."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.cli.coordinators import run_coordinators_command
from bot.registrations import coordination
from bot.registrations.use_cases import RegistrationData, save_registration
from bot.settings import Settings
from bot.storage import repository
from bot.storage.database import make_engine, make_session_factory, upgrade_database

# Clears the screen, then reverses the text after it, if printed as it is.
HOSTILE = "Zoe\x1b[H\x1b[J\u202eKontrolle\x07"
UNSAFE = ("\x1b", "\x07", "\u202e")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    with make_session_factory(engine).begin() as session:
        # Written as it was before input was cleaned: the writer must cope on its own.
        repository.add_outbox_message(
            session=session,
            topic="registration_new",
            text_de=f"Anmeldung neu (Nr. 1): Pate/Patin\nName: {HOSTILE}",
            person_ref="p1",
            registration_id=None,
        )
        save_registration(
            session=session,
            data=RegistrationData(
                person_ref="p2", kind="mentor", language="de", name="Lea",
                contact_method="chat", municipality=HOSTILE,
            ),
        )  # fmt: skip
    engine.dispose()
    return settings


def test_outbox_and_stats_never_print_control_or_bidi_characters(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = argparse.Namespace(command="outbox", mark_sent=False)
    assert run_coordinators_command(settings, outbox) == 0
    assert run_coordinators_command(settings, argparse.Namespace(command="stats")) == 0
    printed = capsys.readouterr().out
    assert "Name: Zoe\ufffd[H\ufffd[J\ufffdKontrolle\ufffd" in printed
    assert "Anmeldung neu (Nr. 1): Pate/Patin\nName:" in printed  # real line breaks stay
    assert not [char for char in UNSAFE if char in printed]


def export_args(path: Path) -> argparse.Namespace:
    return argparse.Namespace(
        command="export", format="xlsx", kind=None, status=None, since=None, output=path
    )


def test_export_of_stored_control_characters_succeeds(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "out.xlsx"
    assert run_coordinators_command(settings, export_args(path)) == 0
    assert path.is_file() and "1 registrations written" in capsys.readouterr().out


def test_a_failed_export_says_so_exits_non_zero_and_logs_no_data(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "out.xlsx"

    def broken(*_args: Any, path: Path, **_kwargs: Any) -> int:
        path.write_bytes(b"half a file")
        raise ValueError(f"{HOSTILE} cannot be used in worksheets.")

    monkeypatch.setattr(coordination, "run_export", broken)
    with caplog.at_level(logging.INFO):
        code = run_coordinators_command(settings, export_args(path))
    printed = capsys.readouterr()
    assert code == 1 and not path.exists()
    assert "The export failed (ValueError); no file was written" in printed.err
    assert "Zoe" not in printed.err and "Zoe" not in printed.out and "Zoe" not in caplog.text
    assert "ValueError" in caplog.text


def test_mark_sent_confirms_every_pending_notification_once(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    mark_sent = argparse.Namespace(command="outbox", mark_sent=True)
    assert run_coordinators_command(settings, mark_sent) == 0
    assert "2 Benachrichtigungen als zugestellt markiert." in capsys.readouterr().out
    assert run_coordinators_command(settings, mark_sent) == 0
    assert "0 Benachrichtigungen als zugestellt markiert." in capsys.readouterr().out


async def test_the_delivery_loop_stops_at_the_first_unconfirmed_message(
    settings: Settings,
) -> None:
    """An unreachable channel keeps the rest pending for the next round, in order."""
    sessions = make_session_factory(make_engine(settings.database_url))
    offered: list[int] = []

    async def refuse(delivery: coordination.Delivery) -> bool:
        offered.append(delivery.message_id)
        return False

    assert await coordination.deliver_outbox(sessions, refuse) == 0
    assert len(offered) == 1
    pending = coordination.pending_outbox(sessions)
    assert [item.message_id for item in pending][:1] == offered and len(pending) == 2

    async def confirm(delivery: coordination.Delivery) -> bool:
        return True

    assert await coordination.deliver_outbox(sessions, confirm) == 2
    assert coordination.pending_outbox(sessions) == []
