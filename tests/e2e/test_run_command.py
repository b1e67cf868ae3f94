"""`python -m bot run` (what `make run` calls) in pipe mode, as a script would use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.numbers import format_decimal

from bot.i18n import Catalogs
from bot.nlg import ResponseRenderer
from bot.settings import Settings
from tests.conftest import ROOT
from tests.e2e.conftest import free_port
from tests.e2e.test_terminal_chat import render

pytestmark = pytest.mark.e2e


def test_run_reads_lines_prints_replies_and_stops_the_servers(
    tmp_path: Path, expected: ResponseRenderer
) -> None:
    env = dict(os.environ)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    web_port = free_port()
    env.update(
        PATENBOT_RASA_PORT=str(free_port()),
        PATENBOT_ACTION_PORT=str(free_port()),
        PATENBOT_WEB_PORT=str(web_port),
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
    # The web chat ran next to the terminal chat, and stopped with it.
    assert f"Web chat: http://127.0.0.1:{web_port}/" in result.stderr
    assert "Stopping the servers" in result.stderr
    assert (tmp_path / "patenbot.sqlite").is_file()


@pytest.mark.parametrize(
    "locale_env",
    [
        {"PYTHONIOENCODING": "utf-8:strict"},  # invalid bytes raised in the reader thread
        {"LC_ALL": "C", "PYTHONIOENCODING": ""},  # they became lone surrogates instead
    ],
    ids=["strict-utf8", "c-locale"],
)
def test_chat_answers_invalid_bytes_and_huge_numbers_kindly_and_goes_on(
    servers: Settings,
    catalogs: Catalogs,
    expected: ResponseRenderer,
    locale_env: dict[str, str],
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "TELEGRAM_BOT_TOKEN"}
    env.update(
        PATENBOT_RASA_PORT=str(servers.rasa_port),
        PATENBOT_ACTION_PORT=str(servers.action_port),
        PATENBOT_DATA_DIR=str(servers.path(servers.data_dir)),
        PATENBOT_RASA_TOKEN=servers.rasa_token.get_secret_value(),
        **locale_env,
    )
    lines = [
        b"Wie werde ich Pate? \xff\xfe\xc3(",
        b"7" * 5000,
        b"Was ist eine Patenschaft?",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        cwd=ROOT,
        env=env,
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        timeout=180,
    )
    stdout = result.stdout.decode("utf-8", errors="replace")
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    message = (
        "Ihre Nachricht ist sehr lang. Bitte stellen Sie mir eine kurze Frage "
        "auf einmal, mit höchstens {limit} Zeichen."
    )
    too_long = catalogs.npgettext(
        "de", "frontend", message, message, servers.max_message_chars
    ).format(limit=format_decimal(servers.max_message_chars, locale="de"))
    assert too_long in stdout
    assert render(expected, "utter_faq/what_is_mentoring", "de") in stdout
    assert stdout.count("\n\n") >= 3  # one reply block per line, nothing skipped
    assert b"Traceback" not in result.stderr
