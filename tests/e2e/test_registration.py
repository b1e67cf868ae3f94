"""Registrations end to end: Turkish mentor (with a question before consenting), Arabic
family, export, erasure, clean logs."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from bot.core.conversation import ConversationService
from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from bot.registrations import coordination
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory
from bot.storage.repository import RegistrationFilter
from tests.e2e.chat_driver import ChatDriver
from tests.helpers import button, rendered

pytestmark = pytest.mark.e2e

MENTOR = "e2e-reg-tr"
FAMILY = "e2e-reg-ar"
PERSON_COLUMNS = (
    ("registrations", "person_ref"),
    ("consent_records", "person_ref"),
    ("outbox", "person_ref"),
    ("events", "sender_id"),
)
PERSONAL = ["Ayşe Yılmaz", "+49 170 1234567", "0170 1234567", "fatima.k@example.org", "فاطمة"]


@pytest.fixture(scope="module")
async def registered(
    servers: Settings, catalogs: Catalogs, expected: ResponseRenderer
) -> AsyncIterator[dict[str, ChatDriver]]:
    """Register a Turkish mentor and an Arabic family, as people would."""
    from bot.app import build_service
    from bot.core.rasa_client import RasaClient

    rasa = RasaClient.for_settings(servers)
    try:
        service: ConversationService = build_service(servers, rasa)
        mentor = ChatDriver(service, MENTOR)
        assert rendered(expected, "utter_ask_reg_consent", "tr")[:40] in await mentor.say(
            "Pate olmak istiyorum, kayıt olabilir miyim?"
        )
        # A question instead of the yes: answered, then the consent is asked again.
        answer = await mentor.say("Pate olarak bir şey ödemem gerekiyor mu?")
        assert rendered(expected, "utter_faq/costs_and_expenses", "tr")[:40] in answer
        assert rendered(expected, "utter_ask_reg_consent", "tr")[:40] in answer
        assert rendered(expected, "utter_invalid_yes_no", "tr") not in answer
        assert rendered(expected, "utter_ask_reg_name", "tr") in await mentor.say("evet")
        await mentor.say("Ayşe Yılmaz")
        await mentor.press(button(catalogs, "tr", "utter_ask_reg_contact_method", "Telefon"))
        await mentor.say("12345")  # not a phone number: explained, asked again
        assert rendered(expected, "utter_invalid_reg_phone", "tr") in mentor.text
        await mentor.say("0170 1234567")
        await mentor.say("Boblingen")
        await mentor.say("evet")
        await mentor.press(button(catalogs, "tr", "utter_ask_reg_interests", "Kinder"))
        await mentor.say("Türkçe, Almanca ve Kürtçe")
        await mentor.press(button(catalogs, "tr", "utter_ask_reg_hours", "3 bis 4 Stunden"))
        summary = await mentor.say("Bir arkadaşımdan duydum")
        assert "+49 170 1234567" in summary and "Böblingen" in summary and "Türkçe" in summary
        saved = await mentor.press(
            button(catalogs, "tr", "utter_ask_reg_confirm", "Ja, speichern")
        )
        assert rendered(expected, "utter_registration_saved", "tr", name="Ayşe Yılmaz") in saved

        family = ChatDriver(service, FAMILY)
        await family.say("كيف يحصل طفلي على راعٍ؟")
        consent = await family.press(
            button(catalogs, "ar", "utter_faq/parent_get_mentor", "Pate für mein Kind anfragen")
        )
        assert rendered(expected, "utter_ask_reg_consent", "ar")[:40] in consent
        await family.press(button(catalogs, "ar", "utter_ask_reg_consent", "Ja, einverstanden"))
        await family.say("فاطمة")
        await family.press(button(catalogs, "ar", "utter_ask_reg_contact_method", "E-Mail"))
        await family.say("fatima.k@example.org")
        await family.say("Sindelfingen")
        await family.press(button(catalogs, "ar", "utter_ask_reg_child_age", "6 bis 10 Jahre"))
        await family.say("العربية والألمانية")
        await family.press(button(catalogs, "ar", "utter_ask_reg_support", "Lesen und Lernen"))
        await family.say("راعية تتكلم العربية")
        saved = await family.press(
            button(catalogs, "ar", "utter_ask_reg_confirm", "Ja, speichern")
        )
        assert rendered(expected, "utter_registration_saved", "ar", name="فاطمة") in saved
        yield {"mentor": mentor, "family": family}
    finally:
        await rasa.aclose()


async def test_export_contains_both_registrations(
    registered: dict[str, ChatDriver], servers: Settings, tmp_path: Path
) -> None:
    sessions = make_session_factory(make_engine(servers.database_url))
    csv_path, xlsx_path = tmp_path / "all.csv", tmp_path / "all.xlsx"
    assert (
        coordination.run_export(
            sessions, file_format="csv", filters=RegistrationFilter(), path=csv_path, actor="t"
        )
        >= 2
    )
    coordination.run_export(
        sessions, file_format="xlsx", filters=RegistrationFilter(), path=xlsx_path, actor="t"
    )
    rows = {
        row["name"]: row
        for row in csv.DictReader(csv_path.read_text("utf-8-sig").splitlines(), delimiter=";")
    }
    mentor, family = rows["Ayşe Yılmaz"], rows["فاطمة"]
    assert (mentor["kind"], mentor["language"], mentor["phone"], mentor["municipality"]) == (
        "mentor", "tr", "'+49 170 1234567", "Böblingen",
    )  # fmt: skip
    assert mentor["languages"] == "tr, de, ku" and mentor["adult_confirmed"] == "ja"
    assert (family["kind"], family["language"], family["email"], family["municipality"]) == (
        "family", "ar", "fatima.k@example.org", "Sindelfingen",
    )  # fmt: skip
    assert family["home_languages"] == "ar, de" and family["child_age_band"] == "6-10"
    assert mentor["consent_notice_version"] and family["consent_given_at"]
    sheet = load_workbook(xlsx_path).active
    assert sheet is not None
    names = {row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"Ayşe Yılmaz", "فاطمة"} <= names
    pending = coordination.pending_outbox(sessions)
    assert any("Ayşe Yılmaz" in item.text for item in pending)
    assert any("فاطمة" in item.text for item in pending)


async def test_show_my_data_lists_exactly_what_is_stored(
    registered: dict[str, ChatDriver], expected: ResponseRenderer
) -> None:
    mentor = registered["mentor"]
    shown = await mentor.say("/mydata")
    assert "Ayşe Yılmaz" in shown and "+49 170 1234567" in shown and "Böblingen" in shown


async def test_deletion_leaves_nothing_behind(
    registered: dict[str, ChatDriver],
    servers: Settings,
    catalogs: Catalogs,
    expected: ResponseRenderer,
) -> None:
    engine = make_engine(servers.database_url)
    for sender, driver, language in (
        (MENTOR, registered["mentor"], "tr"),
        (FAMILY, registered["family"], "ar"),
    ):
        assert rendered(expected, "utter_ask_delete_confirm", language) in await driver.say(
            "/delete"
        )
        done = await driver.press(
            button(catalogs, language, "utter_ask_delete_confirm", "Ja, alles löschen")
        )
        assert rendered(expected, "utter_data_deleted", language) in done
        with engine.connect() as connection:
            for table, column in PERSON_COLUMNS:
                count = connection.execute(
                    text(f"SELECT COUNT(*) FROM {table} WHERE {column} = :who"),
                    {"who": sender},
                ).scalar()
                assert count == 0, (table, sender)
    with engine.connect() as connection:
        texts = [row[0] for row in connection.execute(text("SELECT text FROM outbox"))]
    assert not [t for t in texts if any(value in t for value in PERSONAL)]
    assert any("zurückgezogen" in t for t in texts)


async def test_logs_hold_no_personal_data(
    registered: dict[str, ChatDriver], servers: Settings
) -> None:
    logs = list((servers.path(servers.data_dir) / "logs").glob("*.log"))
    assert logs
    for path in logs:
        content = path.read_text(encoding="utf-8", errors="replace")
        for value in PERSONAL:
            assert value not in content, (path.name, value)


HOSTILE_NAME = "Zoe\x1b[H\x1b[J\u202eKontrolle"


async def test_control_characters_typed_into_the_form_are_not_stored(
    servers: Settings, catalogs: Catalogs, expected: ResponseRenderer, tmp_path: Path
) -> None:
    from bot.app import build_service
    from bot.core.rasa_client import RasaClient

    rasa = RasaClient.for_settings(servers)
    try:
        person = ChatDriver(build_service(servers, rasa), "e2e-reg-control")
        await person.say("Ich möchte Pate werden")
        await person.press(button(catalogs, "de", "utter_ask_reg_consent", "Ja, einverstanden"))
        await person.say(HOSTILE_NAME)
        await person.press(button(catalogs, "de", "utter_ask_reg_contact_method", "Hier im Chat"))
        await person.say("Aidlingen\x00")
        await person.press(button(catalogs, "de", "utter_ask_reg_adult", "Ja"))
        await person.press(button(catalogs, "de", "utter_ask_reg_interests", "Kinder"))
        await person.say("Deutsch\u2066")
        await person.press(button(catalogs, "de", "utter_ask_reg_hours", "1 bis 2 Stunden"))
        await person.say("Flyer\x1b]0;gehackt\x07 im Rathaus\u202e")
        saved = await person.press(
            button(catalogs, "de", "utter_ask_reg_confirm", "Ja, speichern")
        )
        assert rendered(expected, "utter_registration_saved", "de", name="ZoeKontrolle") in saved
    finally:
        await rasa.aclose()
    engine = make_engine(servers.database_url)
    with engine.connect() as connection:
        name, municipality, details = connection.execute(
            text(
                "SELECT name, municipality, details FROM registrations "
                "WHERE person_ref = 'e2e-reg-control'"
            )
        ).one()
    assert (name, municipality) == ("ZoeKontrolle", "Aidlingen")
    assert "Flyer im Rathaus" in str(details) and "\\u001b" not in str(details)
    sessions = make_session_factory(engine)
    xlsx = tmp_path / "control.xlsx"
    coordination.run_export(
        sessions, file_format="xlsx", filters=RegistrationFilter(), path=xlsx, actor="t"
    )
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    assert "ZoeKontrolle" in {row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
