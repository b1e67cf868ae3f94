"""`python -m bot run` (what `make run` calls) in pipe mode, as a script would use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.nlg import ResponseRenderer
from tests.conftest import ROOT
from tests.e2e.conftest import free_port
from tests.e2e.test_terminal_chat import render

pytestmark = pytest.mark.e2e


def test_run_reads_lines_prints_replies_and_stops_the_servers(
    tmp_path: Path, expected: ResponseRenderer
) -> None:
    env = dict(os.environ)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.update(
        PATENBOT_RASA_PORT=str(free_port()),
        PATENBOT_ACTION_PORT=str(free_port()),
        PATENBOT_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        input="Merhaba\nPatenlik nedir?\n",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert render(expected, "utter_faq/what_is_mentoring", "tr") in result.stdout
    assert "The Rasa server is ready." in result.stderr
    assert "Stopping the servers" in result.stderr
    assert (tmp_path / "patenbot.sqlite").is_file()
