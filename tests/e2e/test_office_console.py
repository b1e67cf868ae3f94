"""The coordinators' console in a real browser (Debian's Chromium through Playwright),
issue 13's scenario end to end, against the real Rasa server, action server, web server
and database: a registration and a handoff come from a second browser that is a web-chat
user."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from bot.i18n.catalogs import Catalogs
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory
from bot.storage.models import AuditEvent, Handoff, Registration, RegistrationNote, WebMessage
from tests.e2e.test_web_chat import (
    axe_violations,
    browser,  # noqa: F401 - the module's browser fixture
    new_page,
    press_choice,
    sender_of,
    turn,
    type_message,
)
from tests.e2e.web_server import running_web, web_settings
from tests.helpers import button

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# Screenshots land here (not in docs/, so a test run changes no tracked file); the good
# ones are copied to docs/ for the README by hand.
SCREENSHOTS = ROOT / "data" / "screenshots"
ADMIN_PASSWORD = "Verwaltung im Landratsamt 2026"
ANNA_PASSWORD = "Sie koordiniert die Patenschaften im Kreis"
NAME = "Konrad Zuse-Test"


@pytest.fixture(scope="module")
def web(servers: Settings) -> Iterator[tuple[str, Settings]]:
    settings = web_settings(servers)
    with running_web(settings) as url:
        yield url, settings


def cli_add(settings: Settings, name: str, role: str) -> str:
    """Create an account with the command line; return the printed one-time password."""
    env = {"PATENBOT_DATA_DIR": str(settings.path(settings.data_dir)), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "coordinator", "add", name, "--role", role],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def log_in(page: Page, url: str, name: str, password: str) -> None:
    page.goto(url + "/office/login")
    page.get_by_label("Kontoname").fill(name)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()


def change_password(page: Page, current: str, new: str) -> None:
    expect(page).to_have_url(re.compile(r"/office/password$"))
    page.get_by_label("Bisheriges Passwort").fill(current)
    page.get_by_label("Neues Passwort", exact=True).fill(new)
    page.get_by_label("Neues Passwort wiederholen").fill(new)
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.locator("main [role=status]").first).to_contain_text("Ihr Passwort ist geändert.")


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def register_in_the_chat(page: Page, url: str, catalogs: Catalogs) -> None:
    """A mentor registers through the web chat (German, e-mail)."""
    page.goto(url + "/?audience=mentor")
    type_message(page, "Ich möchte Pate werden")
    press_choice(page, button(catalogs, "de", "utter_ask_reg_consent", "Ja, einverstanden"))
    type_message(page, NAME)
    press_choice(page, button(catalogs, "de", "utter_ask_reg_contact_method", "E-Mail"))
    type_message(page, "konrad@example.org")
    type_message(page, "Leonberg")
    type_message(page, "ja")
    press_choice(page, button(catalogs, "de", "utter_ask_reg_interests", "Kinder"))
    type_message(page, "Deutsch und Englisch")
    press_choice(page, button(catalogs, "de", "utter_ask_reg_hours", "3 bis 4 Stunden"))
    type_message(page, "Aus der Zeitung")
    press_choice(page, button(catalogs, "de", "utter_ask_reg_confirm", "Ja, speichern"))


def test_a_coordinator_runs_the_programme_from_the_browser(
    web: tuple[str, Settings],
    browser: Browser,  # noqa: F811 - the imported fixture
    catalogs: Catalogs,
) -> None:
    url, settings = web
    sessions = make_session_factory(make_engine(settings.database_url))

    # The first admin comes from the command line; the admin creates the coordinator.
    admin_once = cli_add(settings, "admin", "admin")
    admin_context, admin = new_page(browser, "de", width=1200)
    log_in(admin, url, "admin", admin_once)
    change_password(admin, admin_once, ADMIN_PASSWORD)
    admin.goto(url + "/office/admin/accounts")
    admin.get_by_label("Kontoname").fill("anna")
    admin.get_by_label("Rolle").select_option("coordinator")
    admin.get_by_role("button", name="Konto anlegen").click()
    shown = admin.locator("#one-time-password").inner_text()
    anna_once = re.search(r"([a-z2-9]{5}(?:-[a-z2-9]{5}){3})", shown)
    assert anna_once, shown
    assert axe_violations(admin) == []

    # Anna logs in with the one-time password, changes it and enrols TOTP.
    anna_context, anna = new_page(browser, "de", width=1280)
    log_in(anna, url, "anna", anna_once.group(1))
    change_password(anna, anna_once.group(1), ANNA_PASSWORD)
    anna.goto(url + "/office/totp")
    qr = anna.locator("img.office-qr")
    expect(qr).to_be_visible()
    assert anna.evaluate("document.querySelector('img.office-qr').naturalWidth") > 0
    secret = anna.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    anna.get_by_label("Sechsstelliger Code").fill(totp.now())
    anna.get_by_role("button", name="Zweiten Faktor einschalten").click()
    expect(anna.locator("main [role=status]").first).to_contain_text(
        "Der zweite Faktor ist eingerichtet."
    )
    anna.get_by_role("button", name="Abmelden").click()
    expect(anna.locator("main [role=status]").first).to_contain_text("Sie sind abgemeldet.")

    # The login page has no violations; then the password and a code (the next step's, as
    # the enrolment's step cannot be used twice).
    assert axe_violations(anna) == []
    screenshot(anna, "console-login.png")
    log_in(anna, url, "anna", ANNA_PASSWORD)
    expect(anna).to_have_url(re.compile(r"/office/login/code$"))
    anna.get_by_label("Sechsstelliger Code").fill(totp.at(time.time() + 30))
    anna.get_by_role("button", name="Bestätigen").click()
    expect(anna).to_have_url(re.compile(r"/office/registrations$"))

    # A person registers through the web chat a moment before.
    user_context, user = new_page(browser, "de")
    register_in_the_chat(user, url, catalogs)
    sender = sender_of(user_context)
    with sessions() as db:
        number = db.scalars(select(Registration.id).where(Registration.person_ref == sender)).one()

    # The console's notification count follows without a reload.
    expect(anna.locator('[data-count="notifications"]')).not_to_have_text("0", timeout=15_000)
    anna.reload()
    row = anna.get_by_role("row").filter(has_text=NAME)
    expect(row).to_have_count(1)
    assert axe_violations(anna) == []
    screenshot(anna, "console-inbox.png")

    # Detail: take over, contacted, a note.
    row.get_by_role("link", name=NAME).click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(f"Anmeldung Nr. {number}")
    expect(anna.locator("main")).to_contain_text("konrad@example.org")
    anna.get_by_role("button", name="Übernehmen").click()
    expect(anna.locator("#assigned-to")).to_have_text("anna")
    anna.get_by_label("Neuer Status").select_option("contacted")
    anna.get_by_role("button", name="Status ändern").click()
    expect(anna.locator("#current-status")).to_have_text("in Kontakt")
    anna.get_by_label("Neue Notiz").fill("Rückruf am Dienstag vereinbart.")
    anna.get_by_role("button", name="Notiz speichern").click()
    expect(anna.locator(".office-note__text")).to_have_text("Rückruf am Dienstag vereinbart.")
    assert axe_violations(anna) == []
    screenshot(anna, "console-detail.png")

    # Export CSV with the current filters (the downloaded file: UTF-8 with BOM, the row).
    anna.goto(url + "/office/registrations?municipality=Leonberg")
    with anna.expect_download() as download_info:
        anna.get_by_role("link", name="Als CSV herunterladen").click()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert any(NAME in line and "contacted" in line for line in rows[1:])

    # The dashboard: charts with tables.
    anna.goto(url + "/office/dashboard")
    expect(anna.locator("svg[role=img]")).to_have_count(5)
    expect(anna.locator("table")).to_have_count(5)
    assert axe_violations(anna) == []
    screenshot(anna, "console-dashboard.png")

    # A handoff from the web chat, answered from the console; the user sees it live.
    type_message(user, "Ich möchte mit einem Menschen sprechen")
    with sessions() as db:
        handoff_id = db.scalars(select(Handoff.id).where(Handoff.person_ref == sender)).one()
    anna.goto(url + "/office/handoffs")
    anna.get_by_role("link", name=f"Gespräch Nr. {handoff_id}").click()
    expect(anna.locator(".office-messages")).to_contain_text("mit einem Menschen sprechen")
    assert NAME not in anna.content() and sender not in anna.content()
    answer = "Guten Tag, hier ist Anna von der Koordinationsstelle. Wie kann ich helfen?"
    anna.get_by_label("Ihre Antwort").fill(answer)
    anna.get_by_role("button", name="Antwort senden").click()
    expect(anna.locator("main [role=status]").first).to_contain_text("Die Antwort ist gesendet.")
    screenshot(anna, "console-handoff.png")
    office = user.locator(".chat-message--office")
    expect(office).to_have_count(1, timeout=10_000)
    expect(office.locator(".chat-message__text")).to_have_text(answer)
    user.wait_for_timeout(2500)
    expect(office).to_have_count(1)  # no double reply
    # The person writes again: the coordinator's open page shows it without a reload.
    type_message(user, "Danke, ich warte auf Ihren Anruf.")
    expect(anna.locator("#handoff-log")).to_contain_text(
        "Danke, ich warte auf Ihren Anruf.", timeout=15_000
    )
    assert axe_violations(anna) == []  # with the message added by the page's script
    screenshot(anna, "console-handoff-live.png")

    # "Delete my data": the registration, its notes and the handoff texts are gone.
    turn(user, lambda: user.get_by_role("button", name="Meine Daten löschen").click())
    press_choice(
        user, button(catalogs, "de", "utter_ask_delete_confirm", "Ja, alles löschen"), wait=False
    )
    expect(user.locator("#chat-log > li")).to_have_count(1)
    anna.goto(url + f"/office/registrations/{number}")
    expect(anna.get_by_role("heading", level=1)).to_have_text(
        "Diese Anmeldung gibt es nicht (mehr)."
    )
    anna.goto(url + "/office/registrations")
    assert NAME not in anna.content()
    anna.goto(url + f"/office/handoffs/{handoff_id}")
    assert "mit einem Menschen sprechen" not in anna.content()
    with sessions() as db:
        assert db.get(Registration, number) is None
        assert (
            db.scalar(
                select(func.count(RegistrationNote.id)).where(
                    RegistrationNote.registration_id == number
                )
            )
            == 0
        )
        assert (
            db.scalar(select(func.count(WebMessage.id)).where(WebMessage.sender_id == sender)) == 0
        )
        audit = list(db.scalars(select(AuditEvent).where(AuditEvent.registration_id == number)))
    assert {e.action for e in audit} >= {
        "registration_viewed", "registration_taken_over", "status_changed", "note_added"
    }  # fmt: skip
    assert all(NAME not in str(vars(e)) and "konrad" not in str(vars(e)) for e in audit)

    # Anna has a second factor now: the admin may reset it (a lost phone).
    admin.goto(url + "/office/admin/accounts")
    expect(admin.get_by_role("button", name="Zweiten Faktor zurücksetzen: anna")).to_be_visible()
    assert axe_violations(admin) == []
    screenshot(admin, "console-accounts.png")

    # The admin reads the audit log.
    admin.goto(url + "/office/admin/audit")
    expect(admin.locator("table")).to_contain_text("Anmeldung angesehen")
    screenshot(admin, "console-audit.png")
    for context in (admin_context, anna_context, user_context):
        context.close()


def test_the_console_page_types_need_a_session(
    web: tuple[str, Settings],
    browser: Browser,  # noqa: F811 - the imported fixture
) -> None:
    url, _settings = web
    context, page = new_page(browser, "de")
    for path in ("/office/registrations", "/office/dashboard", "/office/admin/audit"):
        page.goto(url + path)
        expect(page).to_have_url(re.compile(r"/office/login"))
    for path in ("/office/export.csv", "/office/charts/funnel.svg", "/office/events"):
        response = page.request.get(url + path)
        assert response.status == 401
    context.close()
