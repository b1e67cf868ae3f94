"""The data folder and everything in it are for the owner only; warnings reach the log file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.private_files import private_folder
from tests.helpers import ROOT
from tests.processes import bot_environment


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_an_existing_data_folder_is_made_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "patenbot.sqlite").write_text("")
    (data / "logs" / "rasa.log").write_text("")
    for path, old in ((data, 0o755), (data / "logs", 0o775), (data / "patenbot.sqlite", 0o644)):
        path.chmod(old)
    (data / "logs" / "rasa.log").chmod(0o664)
    private_folder(data)
    assert mode(data) == 0o700
    assert mode(data / "logs") == 0o700
    assert mode(data / "patenbot.sqlite") == 0o600
    assert mode(data / "logs" / "rasa.log") == 0o600


def test_commands_write_owner_only_files_and_log_to_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    export = tmp_path / "export.csv"
    env = bot_environment(data)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--format", "csv", "-o", str(export)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # a usual login's mask
    )
    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    assert mode(data / "patenbot.sqlite") == 0o600
    assert mode(data / "logs") == 0o700
    assert mode(data / "logs" / "patenbot.log") == 0o600
    assert mode(export) == 0o600


def test_warnings_go_to_the_log_file_but_not_to_the_screen(tmp_path: Path) -> None:
    data = tmp_path / "data"
    program = (
        "import logging\n"
        "from bot.logs import configure_logging\n"
        "from bot.settings import Settings\n"
        "configure_logging(Settings(), screen_level=logging.ERROR)\n"
        "logging.getLogger('bot.channels.telegram.coordinators')"
        ".warning('Refused a coordinator')\n"
        "logging.getLogger('bot.core.conversation').error('Rasa did not answer a message')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=bot_environment(data),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    log = (data / "logs" / "patenbot.log").read_text()
    assert "WARNING bot.channels.telegram.coordinators: Refused a coordinator" in log
    assert "ERROR bot.core.conversation: Rasa did not answer a message" in log
    assert "Refused" not in result.stderr  # the chat's screen stays quiet
    assert "Rasa did not answer a message" in result.stderr  # errors are still shown
