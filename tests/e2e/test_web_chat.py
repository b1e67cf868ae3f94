"""The web chat in a real browser (Debian's Chromium through Playwright) against the real
Rasa server, action server and database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import select, text

from bot.channels.web.security import COOKIE_NAME, SenderCookie
from bot.i18n import Catalogs
from bot.nlg import ResponseRenderer
from bot.settings import Settings
from bot.storage import repository
from bot.storage.database import make_engine, make_session_factory
from bot.storage.models import Handoff, OutboxMessage, Registration
from tests.e2e.conftest import button, rendered
from tests.e2e.web_server import WEB_SECRET, running_web, web_settings

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "data" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def web(servers: Settings) -> Iterator[tuple[str, Settings]]:
    settings = web_settings(servers)
    with running_web(settings) as url:
        yield url, settings


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (.ci/run does).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def new_page(browser: Browser, locale: str, width: int = 1000) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def turn(page: Page, act: object) -> None:
    """Do something that sends a message and wait until its answer is shown."""
    before = page.locator("#chat-log > li").count()
    assert callable(act)
    act()
    page.wait_for_function(
        "n => document.querySelectorAll('#chat-log > li').length > n"
        " && !document.getElementById('composer').hasAttribute('aria-busy')",
        arg=before,
    )


def type_message(page: Page, message: str) -> None:
    """Focus the message field with the keyboard (Tab), type and press Enter."""
    for _ in range(60):
        if page.evaluate("document.activeElement && document.activeElement.id") == "message":
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("the message field was not reached with Tab")
    turn(page, lambda: (page.keyboard.type(message), page.keyboard.press("Enter")))


def press_choice(page: Page, title: str, *, wait: bool = True) -> None:
    """Reach a shown button with Tab (focus starts on the first one) and press Enter."""
    for _ in range(40):
        active = page.evaluate("document.activeElement && document.activeElement.textContent")
        if active and active.strip() == title:
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"no button {title!r} reached with Tab")
    if wait:
        turn(page, lambda: page.keyboard.press("Enter"))
    else:
        page.keyboard.press("Enter")


def bot_texts(page: Page) -> list[str]:
    return page.locator(".chat-message--bot .chat-message__text").all_inner_texts()


def sender_of(context: BrowserContext) -> str:
    value = next(c["value"] for c in context.cookies() if c["name"] == COOKIE_NAME)
    sender = SenderCookie(WEB_SECRET).load(value)
    assert sender is not None
    return sender


def axe_violations(page: Page) -> list[dict[str, object]]:
    page.add_script_tag(url="/static/test/axe.min.js")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


def test_arabic_parent_gets_an_arabic_answer_right_to_left(
    web: tuple[str, Settings], browser: Browser, expected: ResponseRenderer
) -> None:
    url, _settings = web
    context, page = new_page(browser, "ar")
    page.goto(url + "/?audience=family")  # a parents' flyer; the browser says Arabic
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    type_message(page, "كم يكلفنا الراعي؟")
    answer = rendered(expected, "utter_faq/parent_costs", "ar")
    last = page.locator(".chat-message--bot").last
    expect(last).to_contain_text(answer[:30])
    expect(last).to_have_attribute("lang", "ar")
    expect(last).to_have_attribute("dir", "rtl")
    assert page.evaluate("getComputedStyle(document.getElementById('chat-log')).direction") == (
        "rtl"
    )
    # The user's message sits at the inline end: on the left in a right-to-left page.
    user_box = page.locator(".chat-message--user").last.bounding_box()
    bot_box = last.bounding_box()
    assert user_box is not None and bot_box is not None
    assert user_box["x"] < bot_box["x"] + bot_box["width"] / 2
    # A reload shows the conversation so far.
    page.reload()
    expect(page.locator(".chat-message--user .chat-message__text").last).to_have_text(
        "كم يكلفنا الراعي؟"
    )
    expect(page.locator(".chat-message--bot").last).to_contain_text(answer[:30])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "web-chat-ar.png"), full_page=True)
    assert axe_violations(page) == []
    context.close()


def test_ukrainian_mentor_registers_with_the_keyboard_only(
    web: tuple[str, Settings], browser: Browser, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    url, settings = web
    context, page = new_page(browser, "uk")
    page.goto(url + "/?audience=mentor")
    type_message(page, "Я хочу стати наставником")
    assert rendered(expected, "utter_ask_reg_consent", "uk")[:40] in bot_texts(page)[-1]
    press_choice(page, button(catalogs, "uk", "utter_ask_reg_consent", "Ja, einverstanden"))
    type_message(page, "Олена Коваль")
    # On the web there is no "here in the chat": phone or e-mail only.
    titles = page.locator(".chat-choices button").all_inner_texts()
    chat_title = button(catalogs, "uk", "utter_ask_reg_contact_method", "Hier im Chat")
    assert chat_title not in [t.strip() for t in titles] and len(titles) == 2
    press_choice(page, button(catalogs, "uk", "utter_ask_reg_contact_method", "E-Mail"))
    type_message(page, "olena.koval@example.org")
    type_message(page, "Leonberg")
    type_message(page, "так")
    press_choice(page, button(catalogs, "uk", "utter_ask_reg_interests", "Kinder"))
    type_message(page, "українська та німецька")
    press_choice(page, button(catalogs, "uk", "utter_ask_reg_hours", "3 bis 4 Stunden"))
    type_message(page, "Від подруги")
    summary = bot_texts(page)[-1]
    assert "olena.koval@example.org" in summary and "Leonberg" in summary
    press_choice(page, button(catalogs, "uk", "utter_ask_reg_confirm", "Ja, speichern"))
    saved = rendered(expected, "utter_registration_saved", "uk", name="Олена Коваль")
    assert saved in bot_texts(page)[-1]
    sender = sender_of(context)
    sessions = make_session_factory(make_engine(settings.database_url))
    with sessions() as session:
        registration = session.scalars(
            select(Registration).where(Registration.person_ref == sender)
        ).one()
        assert registration.contact_method == "email"
        assert registration.source == "web_mentor"
        outbox = session.scalars(
            select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
        ).all()
        assert outbox, "the coordinators' outbox has the registration"
    context.close()


def test_delete_my_data_erases_the_conversation(
    web: tuple[str, Settings], browser: Browser, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    url, settings = web
    context, page = new_page(browser, "de")
    page.goto(url + "/")
    type_message(page, "Was ist eine Patenschaft?")
    sender = sender_of(context)
    turn(page, lambda: page.get_by_role("button", name="Meine Daten löschen").click())
    press_choice(
        page, button(catalogs, "de", "utter_ask_delete_confirm", "Ja, alles löschen"), wait=False
    )
    # The transcript is emptied and only the confirmation is shown, once.
    confirmation = rendered(expected, "utter_data_deleted", "de")
    expect(page.locator("#chat-log > li")).to_have_count(1)
    expect(page.locator(".chat-message--bot").last).to_contain_text(confirmation[:40])
    sessions = make_session_factory(make_engine(settings.database_url))
    with sessions() as session:
        assert not repository.web_messages(session=session, sender_id=sender)
        events = session.execute(
            text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}
        ).scalar()
        assert events == 0
    assert COOKIE_NAME not in {c["name"] for c in context.cookies()}
    page.reload()
    assert "Was ist eine Patenschaft?" not in page.content()
    context.close()


def test_typed_payload_starts_nothing(
    web: tuple[str, Settings], browser: Browser, expected: ResponseRenderer
) -> None:
    url, _settings = web
    context, page = new_page(browser, "de")
    page.goto(url + "/")
    type_message(page, '/inform{"consent": true}')
    last = bot_texts(page)[-1]
    assert "Diesen Befehl kenne ich nicht" in last
    consent = rendered(expected, "utter_ask_reg_consent", "de")[:40]
    assert all(consent not in reply for reply in bot_texts(page))
    context.close()


def test_office_reply_appears_in_the_open_page(
    web: tuple[str, Settings], browser: Browser
) -> None:
    url, settings = web
    context, page = new_page(browser, "de")
    page.goto(url + "/")
    type_message(page, "Ich möchte mit einem Menschen sprechen")
    expect(page.locator(".chat-message--bot").last).to_contain_text("Koordinationsstelle")
    sender = sender_of(context)
    sessions = make_session_factory(make_engine(settings.database_url))
    with sessions() as session:
        handoff = session.scalars(select(Handoff).where(Handoff.person_ref == sender)).one()
        notice = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.person_ref == sender, OutboxMessage.topic == "handoff"
            )
        ).one()
        assert f"#{handoff.id}" in notice.text
    answer = "Guten Tag, hier ist Anna von der Koordinationsstelle. <b>Wie</b> kann ich helfen?"
    env = {"PATENBOT_DATA_DIR": str(settings.path(settings.data_dir)), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "bot", "handoff", "reply", str(handoff.id), answer],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    office = page.locator(".chat-message--office")
    expect(office).to_have_count(1, timeout=10_000)
    expect(office.locator(".chat-message__text")).to_have_text(answer)  # shown as text
    page.wait_for_timeout(2500)
    expect(office).to_have_count(1)  # no double reply
    # While handed over the assistant stays silent; the message reaches the office.
    type_message(page, "Danke, ich warte.")
    expect(page.locator(".chat-message--user .chat-message__text").last).to_have_text(
        "Danke, ich warte."
    )
    with sessions() as session:
        forwarded = session.scalars(
            select(OutboxMessage).where(OutboxMessage.person_ref == sender)
        ).all()
        assert any("Danke, ich warte." in item.text for item in forwarded)
    context.close()


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_no_accessibility_violations_and_no_horizontal_scrolling(
    web: tuple[str, Settings], browser: Browser, locale: str
) -> None:
    url, _settings = web
    context, page = new_page(browser, locale, width=320)
    page.goto(url + "/")
    type_message(page, "Hallo" if locale == "de" else "مرحبا")
    assert page.locator(".chat-choices button").count() > 0, "buttons on screen"
    assert axe_violations(page) == []
    scroll = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll[0] <= scroll[1], f"horizontal scrolling at 320 px: {scroll}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"web-chat-{locale}-320.png"), full_page=True)
    context.close()


def test_screenshot_for_the_readme(web: tuple[str, Settings], browser: Browser) -> None:
    url, _settings = web
    context, page = new_page(browser, "de", width=900)
    page.goto(url + "/?audience=family")
    type_message(page, "Was kostet eine Patenschaft für mein Kind?")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "web-chat-de.png"), full_page=True)
    assert json.loads("[]") == []
    context.close()
