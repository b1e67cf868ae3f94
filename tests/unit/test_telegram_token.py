"""A refused bot token is reported without the token (python-telegram-bot quotes it)."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import TelegramTokenRefusedError, prepare_database, run_telegram
from bot.settings import Settings
from tests.helpers import free_port
from tests.telegram.emulator import BotApiEmulator

WRONG_TOKEN = "987654:THIS-TOKEN-MUST-NOT-BE-SHOWN"


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    """A Bot API stand-in on loopback that knows another token (answers 401, as Telegram)."""
    emulator = BotApiEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


async def test_a_refused_token_is_reported_without_the_token(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        rasa_port=free_port(),
        data_dir=tmp_path,
        telegram_bot_token=SecretStr(WRONG_TOKEN),
        telegram_api_base_url=emulator.base_url,
    )
    prepare_database(settings)
    with pytest.raises(TelegramTokenRefusedError) as raised:
        await run_telegram(settings)
    assert str(raised.value).startswith("The Telegram token was refused.")
    printed = "".join(traceback.format_exception(raised.value))
    assert "THIS-TOKEN-MUST-NOT-BE-SHOWN" not in printed
    assert "987654" not in printed
