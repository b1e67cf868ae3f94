"""Telegram end to end: the real bot, Rasa and action servers against the Bot API emulator."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from pydantic import SecretStr
from sqlalchemy import text

from bot.app import run_telegram
from bot.channels.telegram import handoff
from bot.channels.telegram.coordinators import NOT_ALLOWED
from bot.channels.telegram.handoff import HANDOFF_ENDED, HANDOFF_REPLY, HANDOFF_STARTED
from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from bot.settings import Settings
from bot.storage.database import make_engine
from tests.helpers import button, rendered
from tests.telegram.driver import TelegramChat
from tests.telegram.emulator import TOKEN, BotApiEmulator, User, group_chat
from tests.telegram.ordering import ORDERED_QUESTIONS, send_questions_at_once, unordered_users

pytestmark = pytest.mark.e2e

GROUP = -1001234567890
COORDINATOR = User(42, "Anna", "de")
STRANGER = User(666, "Mallory", "en")


def telegram_settings(servers: Settings, emulator: BotApiEmulator, **changes: Any) -> Settings:
    """The test servers' settings, with the bot pointed at the emulator."""
    return servers.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "telegram_api_base_url": emulator.base_url,
            **changes,
        }
    )


async def wait_until_listening(port: int, within: float = 30.0) -> None:
    """Wait until the bot's webhook server accepts connections on ``port``.

    python-telegram-bot calls ``setWebhook`` before its server listens, as Telegram
    retries a delivery that finds no server; the test waits for the server instead.
    """
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)
        else:
            writer.close()
            await writer.wait_closed()
            return


@pytest.fixture(scope="module")
async def telegram(servers: Settings) -> AsyncIterator[BotApiEmulator]:
    """The bot serving Telegram through the emulator, with a coordinators' group."""
    emulator = BotApiEmulator()
    emulator.start()
    settings = telegram_settings(
        servers,
        emulator,
        coordinator_chat_id=GROUP,
        coordinator_ids=frozenset({COORDINATOR.id}),
        slow_reply_notice_seconds=60.0,
    )
    stop = asyncio.Event()
    bot = asyncio.create_task(run_telegram(settings, stop))
    await emulator.wait_for(lambda e: len(e.calls("setMyShortDescription")) >= 7, within=30)
    yield emulator
    stop.set()
    await asyncio.wait_for(bot, timeout=30)
    emulator.stop()


def group_messages(emulator: BotApiEmulator) -> list[dict[str, Any]]:
    return emulator.messages_to(GROUP)


async def test_commands_and_description_are_registered_per_language(
    telegram: BotApiEmulator, catalogs: Catalogs
) -> None:
    by_language = {
        call.params.get("language_code"): call.params["commands"]
        for call in telegram.calls("setMyCommands")
    }
    assert set(by_language) == {None, "de", "en", "tr", "ar", "uk", "ru"}
    turkish = {command["command"]: command["description"] for command in by_language["tr"]}
    assert set(turkish) == {"start", "help", "language", "privacy", "mydata", "delete", "cancel"}
    assert turkish["language"] == catalogs.pgettext("tr", "telegram command", "Sprache wählen")
    assert turkish["language"] != "Sprache wählen"


async def test_start_greets_in_the_language_of_the_client(
    telegram: BotApiEmulator, expected: ResponseRenderer
) -> None:
    chat = TelegramChat(telegram, User(5001, "Emre", "tr"))
    await chat.say("/start")
    greeting = rendered(expected, "utter_greet", "tr")
    assert greeting[:60] in chat.text
    keyboard = chat.last[0]["reply_markup"]["inline_keyboard"]
    assert len(keyboard) >= 4  # the menu: mentorship, become a mentor, parents, person, privacy
    assert any(call.params["chat_id"] == 5001 for call in telegram.calls("sendChatAction"))


@pytest.mark.parametrize(
    ("user", "question", "response", "language"),
    [
        (
            User(5002, "Rania", "de"),
            "هل طفلي سيكون بأمان مع الراعي؟",
            "utter_faq/parent_child_safety",
            "ar",
        ),
        (
            User(5003, "Olena", None),
            "Скільки годин на тиждень треба мати часу для дитини?",
            "utter_faq/time_commitment",
            "uk",
        ),
    ],
)
async def test_questions_are_answered_in_the_askers_language(
    telegram: BotApiEmulator,
    expected: ResponseRenderer,
    user: User,
    question: str,
    response: str,
    language: str,
) -> None:
    chat = TelegramChat(telegram, user)
    assert rendered(expected, response, language) in await chat.say(question)


async def test_language_switch_by_button(
    telegram: BotApiEmulator, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    chat = TelegramChat(telegram, User(5004, "Jana", "de"))
    await chat.say("/language")
    picker = chat.last[-1]
    assert "English" in [row[0]["text"] for row in picker["reply_markup"]["inline_keyboard"]]
    await chat.press("English")
    pressed = telegram.messages_to(5004)[len(telegram.messages_to(5004)) - len(chat.last) - 1]
    assert "reply_markup" not in pressed and pressed["text"].endswith("→ English")
    assert (
        rendered(expected, "utter_faq/police_certificate", "en")
        in await chat.say(
            "Brauche ich ein Führungszeugnis?"  # a German question keeps the chosen English
        )
        or rendered(expected, "utter_faq/police_certificate", "en") in chat.text
    )


async def test_stickers_photos_and_edits_get_a_kind_answer(
    telegram: BotApiEmulator, catalogs: Catalogs
) -> None:
    user = User(5005, "Oksana", "uk")
    chat = TelegramChat(telegram, user)
    text_only = catalogs.pgettext(
        "uk", "frontend", "Ich verstehe nur Text. Bitte schreiben Sie Ihre Frage in Worten."
    )
    for kind in ("sticker", "photo", "voice", "document", "location"):
        before = len(chat.messages)
        telegram.user_sends_content(user, kind)
        assert text_only in (await chat.replies_after(before))[0]["text"], kind
    before = len(chat.messages)
    original = telegram.user_sends(user, "Привіт")
    await chat.replies_after(before)
    before = len(chat.messages)
    telegram.user_edits(user, original, "Привіт!!")
    edited = (await chat.replies_after(before))[0]["text"]
    assert edited == catalogs.pgettext(
        "uk",
        "frontend",
        "Geänderte Nachrichten kann ich nicht lesen. "
        "Bitte schicken Sie die neue Fassung als neue Nachricht.",
    )


async def test_a_repeated_update_is_handled_once(telegram: BotApiEmulator) -> None:
    user = User(5006, "Max", "de")
    chat = TelegramChat(telegram, user)
    message = {
        "message_id": 900001,
        "date": 0,
        "chat": user.private_chat(),
        "from": user.as_json(),
        "text": "Hallo",
    }
    update_id = telegram.push_update({"message": message})
    await chat.replies_after(0)
    telegram.push_update({"message": message}, redeliver_of=update_id)
    await telegram.wait_for(lambda e: e.redeliveries_pending() == 0)  # fetched by the bot
    await asyncio.sleep(2)
    greetings = [m for m in chat.messages if "Hallo" in (m.get("text") or "")]
    assert len(greetings) == 1
    # The benchmarks' cheap count (tests/benchmarks) agrees with the full list.
    assert telegram.count_to(user.id) == len(telegram.messages_to(user.id)) > 0


@pytest.mark.parametrize("slow_lookup", [False, True], ids=["as-it-comes", "slow-lookup"])
async def test_each_users_answers_come_in_the_order_of_their_questions(
    telegram: BotApiEmulator,
    expected: ResponseRenderer,
    monkeypatch: pytest.MonkeyPatch,
    slow_lookup: bool,
) -> None:
    """20 users send 3 questions each at once; everyone's answers come in question order.

    The second round slows the handoff lookup of every user's second question (a
    database that is briefly busy), which before the fix let the third question
    overtake the second for every user; the first round shows the race as it comes.
    """
    if slow_lookup:
        original = handoff.forward_if_handed_off
        lookups: dict[str, int] = {}

        async def second_lookup_slow(*args: Any) -> bool:
            sender = args[-2]  # (context, sender, text)
            lookups[sender] = lookups.get(sender, 0) + 1
            if lookups[sender] == 2:
                await asyncio.sleep(0.5)
            return await original(*args)

        monkeypatch.setattr(handoff, "forward_if_handed_off", second_lookup_slow)
    first_id = 7000 if slow_lookup else 6000
    users = [User(first_id + n, f"Nutzer {n}", "de") for n in range(20)]
    answers = [rendered(expected, response, "de") for _question, response in ORDERED_QUESTIONS]
    await send_questions_at_once(telegram, users, [q for q, _response in ORDERED_QUESTIONS])
    assert await unordered_users(telegram, users, answers) == []


async def test_group_messages_of_strangers_get_no_answer(telegram: BotApiEmulator) -> None:
    other_group = group_chat(-100999, "Elternabend")
    telegram.user_sends(STRANGER, "Hello bot, what is a mentorship?", chat=other_group)
    telegram.user_sends(STRANGER, "/stats", chat=other_group)
    await asyncio.sleep(3)
    assert telegram.messages_to(-100999) == []


@pytest.fixture(scope="module")
async def registered(
    telegram: BotApiEmulator, catalogs: Catalogs, expected: ResponseRenderer
) -> TelegramChat:
    """A mentor registration in Turkish by buttons and text, from a flyer's start link."""
    mentor = TelegramChat(telegram, User(5010, "Ayse", "de"))
    await mentor.say("/start mentor_tr")
    assert rendered(expected, "utter_faq/how_to_apply", "tr")[:50] in mentor.text
    consent = await mentor.say("Pate olmak istiyorum, kayıt olabilir miyim?")
    assert rendered(expected, "utter_ask_reg_consent", "tr")[:40] in consent
    await mentor.press(button(catalogs, "tr", "utter_ask_reg_consent", "Ja, einverstanden"))
    await mentor.say("Ayşe Demir")
    await mentor.press(button(catalogs, "tr", "utter_ask_reg_contact_method", "Telefon"))
    await mentor.say("0171 7654321")
    await mentor.say("Sindelfingen")
    await mentor.press(button(catalogs, "tr", "utter_ask_reg_adult", "Ja"))
    await mentor.press(button(catalogs, "tr", "utter_ask_reg_interests", "Kinder"))
    # Several languages by toggle buttons: each press comes back with the updated ones.
    await mentor.press("Türkçe")
    assert "✓ Türkçe" in str(mentor.last[-1].get("reply_markup"))
    await mentor.press("Almanca")
    await mentor.press(catalogs.pgettext("tr", "language_picks", "Fertig"))
    await mentor.press(button(catalogs, "tr", "utter_ask_reg_hours", "3 bis 4 Stunden"))
    summary = await mentor.say("Flyer")
    assert "Ayşe Demir" in summary and "Sindelfingen" in summary
    assert "Türkçe, Almanca" in summary
    saved = await mentor.press(button(catalogs, "tr", "utter_ask_reg_confirm", "Ja, speichern"))
    assert rendered(expected, "utter_registration_saved", "tr", name="Ayşe Demir") in saved
    return mentor


async def test_coordinators_are_notified_and_set_the_status(
    telegram: BotApiEmulator, registered: TelegramChat, servers: Settings
) -> None:
    notice = await telegram.wait_for_text(GROUP, "Ayşe Demir")
    assert "Sprache im Chat: Türkisch" in notice["text"]
    telegram.user_presses(STRANGER, notice, "Kontaktiert")
    refused = await telegram.wait_for(
        lambda e: [c for c in e.calls("answerCallbackQuery") if c.params.get("show_alert")]
    )
    assert refused
    telegram.user_presses(COORDINATOR, notice, "Kontaktiert")
    await telegram.wait_for_text(GROUP, "Status: in Kontakt, von Anna")
    with make_engine(servers.database_url).connect() as connection:
        status = connection.execute(
            text("SELECT status FROM registrations WHERE person_ref = 'telegram-5010'")
        ).scalar()
    assert status == "contacted"


async def test_export_is_sent_to_coordinators_and_refused_to_strangers(
    telegram: BotApiEmulator, registered: TelegramChat, catalogs: Catalogs
) -> None:
    telegram.user_sends(COORDINATOR, "/export xlsx kind=mentor", chat=group_chat(GROUP))
    document = await telegram.wait_for(
        lambda e: [c for c in e.calls("sendDocument") if c.params["chat_id"] == GROUP]
    )
    sheet = load_workbook(io.BytesIO(document[0].params["document"]["content"])).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    mine = [dict(zip(header, row, strict=True)) for row in rows[1:] if "Ayşe Demir" in row]
    assert mine and mine[0]["source"] == "mentor_tr" and mine[0]["language"] == "tr"

    telegram.user_sends(COORDINATOR, "/export csv", chat=COORDINATOR.private_chat())
    as_csv = await telegram.wait_for(
        lambda e: [c for c in e.calls("sendDocument") if c.params["chat_id"] == COORDINATOR.id]
    )
    content = as_csv[0].params["document"]["content"].decode("utf-8-sig")
    assert any(
        row["name"] == "Ayşe Demir" for row in csv.DictReader(io.StringIO(content), delimiter=";")
    )

    stranger = TelegramChat(telegram, STRANGER)
    refusal = await stranger.say("/export csv")
    assert refusal == catalogs.pgettext("en", *NOT_ALLOWED)
    assert not [c for c in telegram.calls("sendDocument") if c.params["chat_id"] == STRANGER.id]


async def test_handoff_to_a_person_and_back(telegram: BotApiEmulator, catalogs: Catalogs) -> None:
    user = User(5020, "Dmytro", "ru")
    chat = TelegramChat(telegram, user)
    answer = await chat.say("Я хочу поговорить с живым человеком, пожалуйста")
    assert catalogs.pgettext("ru", *HANDOFF_STARTED) in answer
    forwarded = await telegram.wait_for_text(GROUP, "поговорить с живым человеком")
    assert "telegram-5020" not in forwarded["text"] and "Dmytro" not in forwarded["text"]
    assert "Sprache: Russisch" in forwarded["text"]

    before = len(chat.messages)
    telegram.user_sends(
        COORDINATOR,
        "Guten Tag! Wir rufen Sie morgen an.",
        chat=group_chat(GROUP),
        reply_to=forwarded,
    )
    relayed = (await chat.replies_after(before))[0]["text"]
    assert relayed.startswith(catalogs.pgettext("ru", *HANDOFF_REPLY))
    assert "Wir rufen Sie morgen an." in relayed

    telegram.user_sends(user, "Спасибо, жду звонка")
    await telegram.wait_for_text(GROUP, "жду звонка")
    await asyncio.sleep(2)
    assert len(chat.messages) == before + 1  # the bot stayed silent

    telegram.user_presses(
        COORDINATOR, forwarded, catalogs.pgettext("de", "coordinators", "Gespräch beenden")
    )
    ended = (await chat.replies_after(before + 1))[0]["text"]
    assert ended == catalogs.pgettext("ru", *HANDOFF_ENDED)
    assert "поговорить" not in (await chat.say("Спасибо"))  # the bot answers again


async def test_a_web_handoff_reaches_the_group_and_the_groups_reply_the_page(
    telegram: BotApiEmulator, servers: Settings, catalogs: Catalogs
) -> None:
    from bot.channels.telegram.handoffs import Handoffs
    from bot.channels.web.chat import HANDOFF_NOTICE
    from bot.storage import repository
    from bot.storage.database import make_session_factory

    sessions = make_session_factory(make_engine(servers.database_url))
    sender = "web:e2e-telegram-relay"
    handoff = Handoffs(sessions).start(sender, "tr")
    notice = catalogs.pgettext("de", *HANDOFF_NOTICE).format(
        reference=handoff.id, language="Türkisch", question="Bir insanla konuşmak istiyorum"
    )
    with sessions.begin() as session:  # as the web chat writes it (bot/channels/web/chat.py)
        repository.add_outbox_message(
            session=session, topic="handoff", text_de=notice, person_ref=sender,
            registration_id=None,
        )  # fmt: skip
    forwarded = await telegram.wait_for_text(GROUP, "Bir insanla konuşmak istiyorum")
    # A person takes seconds to answer; the test waits until the bot has linked the group
    # message to the handoff (right after Telegram confirmed it).
    for _ in range(100):
        if Handoffs(sessions).of_group_message(forwarded["message_id"]) is not None:
            break
        await asyncio.sleep(0.1)
    telegram.user_sends(
        COORDINATOR, "Merhaba! Yarın sizi arıyoruz.", chat=group_chat(GROUP), reply_to=forwarded
    )
    for _ in range(300):
        with sessions() as session:
            rows = repository.web_messages(session=session, sender_id=sender)
        if rows:
            break
        await asyncio.sleep(0.1)
    assert [(row.role, row.text, row.language) for row in rows] == [
        ("office", "Merhaba! Yarın sizi arıyoruz.", "tr")
    ]


async def test_delete_leaves_nothing_behind(
    telegram: BotApiEmulator,
    registered: TelegramChat,
    servers: Settings,
    catalogs: Catalogs,
    expected: ResponseRenderer,
) -> None:
    mentor = registered
    assert rendered(expected, "utter_ask_delete_confirm", "tr") in await mentor.say("/delete")
    done = await mentor.press(
        button(catalogs, "tr", "utter_ask_delete_confirm", "Ja, alles löschen")
    )
    assert rendered(expected, "utter_data_deleted", "tr") in done
    with make_engine(servers.database_url).connect() as connection:
        for table, column in (
            ("registrations", "person_ref"),
            ("consent_records", "person_ref"),
            ("outbox", "person_ref"),
            ("handoffs", "person_ref"),
            ("events", "sender_id"),
        ):
            count = connection.execute(
                text(f"SELECT COUNT(*) FROM {table} WHERE {column} = 'telegram-5010'")
            ).scalar()
            assert count == 0, table


async def test_with_rasa_down_the_user_gets_an_apology_in_their_language(
    servers: Settings, catalogs: Catalogs
) -> None:
    from tests.helpers import free_port

    emulator = BotApiEmulator()
    emulator.start()
    settings = telegram_settings(servers, emulator, rasa_port=free_port())  # nothing there
    stop = asyncio.Event()
    bot = asyncio.create_task(run_telegram(settings, stop))
    try:
        await emulator.wait_for(lambda e: e.calls("setMyShortDescription"), within=30)
        chat = TelegramChat(emulator, User(5030, "Yusuf", "tr"))
        answer = await chat.say("Merhaba, patenlik hakkında bilgi almak istiyorum")
        assert answer == catalogs.pgettext(
            "tr",
            "frontend",
            "Entschuldigung, ich bin gerade nicht erreichbar. "
            "Bitte schreiben Sie Ihre Nachricht in ein paar Minuten noch einmal.",
        )
    finally:
        stop.set()
        await asyncio.wait_for(bot, timeout=30)
        emulator.stop()


async def test_webhook_mode_requires_the_secret_token(servers: Settings) -> None:
    from tests.helpers import free_port

    emulator = BotApiEmulator()
    emulator.start()
    port = free_port()
    settings = telegram_settings(
        servers,
        emulator,
        telegram_webhook_url="https://bot.example.org/telegram",
        telegram_webhook_secret=SecretStr("s3cret-Token_1"),
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
    )
    stop = asyncio.Event()
    bot = asyncio.create_task(run_telegram(settings, stop))
    user, intruder = User(5040, "Lina", "de"), User(5041, "Mallory", "de")

    def update(update_id: int, sender: User) -> dict[str, Any]:
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": sender.private_chat(),
                "from": sender.as_json(),
                "text": "Hallo",
            },
        }

    try:
        registered = await emulator.wait_for(lambda e: e.calls("setWebhook"), within=30)
        assert registered[0].params["url"] == "https://bot.example.org/telegram"
        assert registered[0].params["secret_token"] == "s3cret-Token_1"
        url = f"http://127.0.0.1:{port}/telegram"
        await wait_until_listening(port)
        async with httpx.AsyncClient(timeout=10) as client:
            refused = await client.post(url, json=update(1, intruder))
            wrong = await client.post(
                url,
                json=update(2, intruder),
                headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
            )
            accepted = await client.post(
                url,
                json=update(3, user),
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"},
            )
        assert (refused.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
        assert await TelegramChat(emulator, user).replies_after(0)
        assert emulator.messages_to(intruder.id) == []
    finally:
        stop.set()
        await asyncio.wait_for(bot, timeout=30)
        emulator.stop()
