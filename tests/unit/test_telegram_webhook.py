"""The webhook receiver: the secret header decides, and a bad update is not logged."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Update
from telegram.ext import Application, ApplicationBuilder

from bot.channels.telegram.webhook import SECRET_HEADER, WebhookReceiver
from tests.helpers import free_port
from tests.telegram.emulator import TOKEN
from tests.unit.test_telegram_adapter import USER, OfflineRequest

SECRET = "s3cret-Token_1"


@pytest.fixture
async def webhook() -> AsyncIterator[tuple[str, Application]]:  # type: ignore[type-arg]
    application = ApplicationBuilder().token(TOKEN).request(OfflineRequest()).build()
    receiver = WebhookReceiver(application, SECRET)
    port = free_port()
    receiver.listen("127.0.0.1", port)
    yield f"http://127.0.0.1:{port}/telegram", application
    await receiver.stop()


def an_update(update_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": USER["id"], "type": "private"},
            "from": USER,
            "text": text,
        },
    }


async def test_only_updates_with_the_secret_are_queued(
    webhook: tuple[str, Application],  # type: ignore[type-arg]
) -> None:
    url, application = webhook
    async with httpx.AsyncClient(timeout=10) as client:
        statuses = [
            (await client.post(url, json=an_update(1, "a"), headers=headers)).status_code
            for headers in (
                {},
                {SECRET_HEADER: "guess"},
                {SECRET_HEADER: SECRET[:-1]},  # a prefix of the secret
                {SECRET_HEADER: SECRET + "x"},
                {SECRET_HEADER: SECRET},
            )
        ]
    assert statuses == [403, 403, 403, 403, 200]
    assert application.update_queue.qsize() == 1
    update = application.update_queue.get_nowait()
    assert isinstance(update, Update)
    assert update.update_id == 1


async def test_a_malformed_update_is_refused_without_logging_its_content(
    webhook: tuple[str, Application],  # type: ignore[type-arg]
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, application = webhook
    caplog.set_level(logging.DEBUG)
    broken = {"update_id": 2, "message": {"text": "Anna Beispiel, 0151 2345678"}}
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(url, json=broken, headers={SECRET_HEADER: SECRET})
        not_an_object = await client.post(url, json=[1], headers={SECRET_HEADER: SECRET})
    assert (answer.status_code, not_an_object.status_code) == (400, 400)
    assert application.update_queue.empty()
    assert "0151" not in caplog.text
    assert "A webhook update could not be read" in caplog.text
