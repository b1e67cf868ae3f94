"""What coordinators read: German labels and values, never stored keys."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bot.channels.telegram.coordinators import Coordinators
from bot.i18n.catalogs import Catalogs
from bot.registrations import coordination
from bot.registrations.coordinator_texts import format_stats, language_name
from bot.registrations.use_cases import (
    RegistrationData,
    erase_person,
    notification_text,
    save_registration,
)
from bot.storage.database import make_engine, make_session_factory, upgrade_database
from bot.storage.models import Registration

STORED_KEYS = ("adult_confirmed", "hours_per_week", "interests", "heard_from", "True", "3-4")


def ukrainian_mentor() -> Registration:
    return Registration(
        id=7,
        kind="mentor",
        language="uk",
        name="Olena",
        contact_method="phone",
        phone="+49 170 1234567",
        email=None,
        municipality="other",
        details={
            "adult_confirmed": True,
            "interests": ["children"],
            "languages": ["uk", "de"],
            "hours_per_week": "3-4",
            "heard_from": None,
        },
    )


def test_notification_reads_german_labels_and_values() -> None:
    text = notification_text(ukrainian_mentor(), updated=False)
    lines = text.splitlines()
    assert lines[0] == "Neue Anmeldung Nr. 7: Pate oder Patin"
    for line in (
        "Name: Olena",
        "Kontakt: Telefon",
        "Telefon: +49 170 1234567",
        "Gemeinde: Andere Gemeinde",
        "18 Jahre oder älter: Ja",
        "Interesse: Kinder",
        "Sprachen: Ukrainisch, Deutsch",
        "Zeit pro Woche: 3 bis 4 Stunden",
        "Erfahren durch: —",
        "Sprache im Chat: Ukrainisch",
    ):
        assert line in lines, (line, text)
    assert not [key for key in STORED_KEYS if key in text], text
    assert ": uk" not in text


def test_updated_family_request_reads_german() -> None:
    family = Registration(
        id=3,
        kind="family",
        language="ar",
        name="Amal",
        contact_method="chat",
        municipality="Sindelfingen",
        details={
            "child_age_band": "6-10",
            "home_languages": ["ar"],
            "support": "learning",
            "wishes": None,
        },
    )
    text = notification_text(family, updated=True)
    assert text.startswith("Anmeldung Nr. 3 aktualisiert: Familie")
    for line in (
        "Kontakt: Hier im Chat",
        "Alter des Kindes: 6 bis 10 Jahre",
        "Sprachen zu Hause: Arabisch",
        "Gewünschte Unterstützung: Lesen und Lernen",
        "Sprache im Chat: Arabisch",
    ):
        assert line in text.splitlines(), (line, text)
    assert "child_age_band" not in text and "learning" not in text


def test_language_names_are_german() -> None:
    assert language_name("uk") == "Ukrainisch"
    assert language_name("tr") == "Türkisch"
    assert language_name("de-plain") == "Deutsch (Einfache Sprache)"


def test_stats_read_german_with_the_plural_form_of_the_total() -> None:
    counts = {
        "status": [("contacted", 1), ("new", 2)],
        "kind": [("family", 1), ("mentor", 2)],
        "municipality": [("Böblingen", 2), ("other", 1)],
        "language": [("uk", 3)],
    }
    text = format_stats(counts)
    assert text.splitlines()[0] == "3 Anmeldungen gespeichert"
    for line in ("Nach Status:", "  in Kontakt: 1", "  neu: 2", "  Familie: 1"):
        assert line in text.splitlines(), (line, text)
    assert "  andere Gemeinde: 1" in text and "  Ukrainisch: 3" in text
    assert "status:" not in text and "kind:" not in text and "(none)" not in text
    one = format_stats({"status": [("new", 1)], "kind": [], "municipality": [], "language": []})
    assert one.splitlines()[0] == "1 Anmeldung gespeichert"
    assert "  (noch keine)" in one


def test_status_line_and_withdrawal_read_german(tmp_path: Path, catalogs: Catalogs) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade_database(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        saved = save_registration(
            session=session,
            data=RegistrationData(
                person_ref="telegram-1",
                kind="mentor",
                language="uk",
                name="Olena",
                contact_method="chat",
                municipality="Böblingen",
            ),
        )
    coordinators = Coordinators(
        chat_id=-100, user_ids=frozenset({42}), sessions=sessions, catalogs=catalogs
    )
    update: Any = SimpleNamespace(effective_user=SimpleNamespace(id=42, first_name="Anna"))
    line = coordinators.apply_status(saved.registration_id, "contacted", update)
    assert line.startswith("Status: in Kontakt, von Anna (")
    assert "contacted" not in line
    again = coordinators.apply_status(saved.registration_id, "contacted", update)
    assert again == "Dieser Statuswechsel geht nicht: in Kontakt → in Kontakt"
    assert "Nach Status:" in coordinators.stats_text()
    assert coordinators.outbox_text().startswith("1 offene Benachrichtigung\n")
    assert coordination.format_stats(coordination.stats(sessions)).startswith(
        "1 Anmeldung gespeichert\n"
    )
    with sessions.begin() as session:
        erase_person(session=session, person_ref="telegram-1", include_conversation=False)
    assert [item.text for item in coordination.pending_outbox(sessions)] == [
        "1 Anmeldung wurde auf Wunsch der Person zurückgezogen und gelöscht."
    ]
    engine.dispose()
