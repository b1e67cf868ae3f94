"""The web chat over HTTP (Starlette's TestClient against the real app, real database).

Rasa is not running here: every turn gets the core's real "not reachable" apology,
which is enough for headers, cookies, limits and escaping. Conversations with the
real servers are in tests/e2e/test_web_chat.py.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from itsdangerous import URLSafeSerializer
from starlette.testclient import TestClient

from bot.app import build_service
from bot.channels.web.security import COOKIE_NAME, SenderCookie, load_or_create_secret
from bot.channels.web.server import build_web
from bot.core.rasa_client import RasaClient
from bot.i18n.catalogs import Catalogs
from bot.settings import Settings
from bot.storage import repository
from bot.storage.database import make_engine, make_session_factory, upgrade_database

SECRET = "a-test-secret-that-is-long-enough-for-signing"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        rasa_port=_closed_port(),
        rasa_timeout_seconds=2,
        web_secret=SECRET,
        user_messages_per_minute=5,
        web_address_messages_per_minute=8,
        web_new_conversations_per_hour=3,
        web_secure_cookies=True,
    )


@pytest.fixture
def client(web_settings: Settings, catalogs: Catalogs) -> Iterator[TestClient]:
    engine = make_engine(web_settings.database_url)
    upgrade_database(engine)
    sessions = make_session_factory(engine)
    rasa = RasaClient.for_settings(web_settings)
    erased: set[str] = set()
    service = build_service(
        web_settings, rasa, catalogs=catalogs, sessions=sessions, on_erase=erased.add
    )
    app = build_web(web_settings, service, sessions, catalogs, erased)
    with TestClient(app, base_url="https://testserver") as test_client:
        test_client.sessions = sessions  # type: ignore[attr-defined]
        yield test_client
    engine.dispose()


def _send(client: TestClient, text: str, **headers: str) -> object:
    return client.post(
        "/send",
        data={"text": text},
        headers={"Accept": "application/json", **headers},
    )


def test_page_headers_and_no_inline_script(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    # Every script is a file of ours; no inline script, no inline style, no other host.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/chat/chat.js" defer>']
    assert "<style" not in html and " style=" not in html and " on" + "click" not in html
    assert "http://" not in html and "https://" not in html
    # The page is usable before any conversation exists and sets no cookie for it.
    assert "set-cookie" not in response.headers
    assert 'role="log"' in html and 'aria-live="polite"' in html


def test_static_assets_are_served_by_us(client: TestClient) -> None:
    for path in ("/static/chat/chat.js", "/static/chat/chat.css", "/static/kern/kern.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert client.get("/static/test/axe.min.js").status_code == 404


def test_first_message_sets_a_signed_httponly_cookie(client: TestClient) -> None:
    response = _send(client, "Hallo")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    value = client.cookies[COOKIE_NAME]
    sender_id = SenderCookie(SECRET).load(value)
    assert sender_id is not None and sender_id.startswith("web:")
    body = response.json()
    # Rasa is down: the user gets the core's kind apology in their language.
    assert body["messages"][-1]["role"] == "bot"
    assert "nicht erreichbar" in body["messages"][-1]["text"]


def test_the_apology_comes_in_the_browser_language(client: TestClient) -> None:
    response = _send(client, "مرحبا", **{"Accept-Language": "ar,en;q=0.5"})
    message = response.json()["messages"][-1]
    assert message["lang"] == "ar" and message["dir"] == "rtl"
    assert "نعتذر" in message["text"] or "عذر" in message["text"]


def test_forged_and_unsigned_cookies_are_refused(client: TestClient) -> None:
    _send(client, "Hallo")
    real = SenderCookie(SECRET).load(client.cookies[COOKIE_NAME])
    assert real is not None
    client.cookies.clear()
    other = URLSafeSerializer("another-secret-of-sufficient-length!!", salt="patenbot-web-sender")
    for forged in ("web:someone-else", other.dumps(real), client_value_tampered(real)):
        client.cookies.set(COOKIE_NAME, forged)
        assert _send(client, "Hallo").status_code == 403
        assert client.get("/events").status_code == 403
        page = client.get("/")
        assert "Hallo" not in page.text  # nobody else's conversation is shown


def client_value_tampered(sender_id: str) -> str:
    value = SenderCookie(SECRET).dump(sender_id)
    return value[:-2] + ("AA" if not value.endswith("AA") else "BB")


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    response = _send(client, "Hallo", Origin="https://evil.example")
    assert response.status_code == 403


def test_html_is_never_rendered_as_markup(client: TestClient) -> None:
    _send(client, '<img src=x onerror="alert(1)"><b>fett</b>')
    html = client.get("/").text
    assert "<img src=x" not in html and "<b>fett</b>" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&lt;b&gt;fett&lt;/b&gt;" in html


def test_rate_limit_per_conversation(client: TestClient) -> None:
    codes = [_send(client, f"Frage {number}").status_code for number in range(7)]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]
    body = _send(client, "noch eine").json()
    assert "sehr schnell" in body["error"]


def test_rate_limit_per_address_and_new_conversation_flood(client: TestClient) -> None:
    codes = []
    for number in range(5):
        client.cookies.clear()
        codes.append(_send(client, f"Hallo {number}").status_code)
    # Three new conversations an hour from one address, then a kind refusal.
    assert codes == [200, 200, 200, 429, 429]
    client.cookies.clear()
    refused = _send(client, "Hallo")
    assert "sehr viele Gespräche" in refused.json()["error"]


def test_reload_shows_the_conversation_and_new_conversation_forgets_it(
    client: TestClient,
) -> None:
    _send(client, "Was kostet eine Patenschaft?")
    page = client.get("/").text
    assert "Was kostet eine Patenschaft?" in page
    client.post("/new", follow_redirects=False)
    assert COOKIE_NAME not in client.cookies
    assert "Was kostet eine Patenschaft?" not in client.get("/").text


def test_form_post_without_javascript_redirects_back(client: TestClient) -> None:
    response = client.post("/send", data={"text": "Hallo"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/#composer"
    assert "Hallo" in client.get("/").text


def test_language_presets_and_picker(client: TestClient) -> None:
    page = client.get("/?lang=tr&audience=family")
    assert '<html lang="tr" dir="ltr"' in page.text
    assert 'name="audience" value="family"' in page.text
    arabic = client.get("/", headers={"Accept-Language": "ar"})
    assert '<html lang="ar" dir="rtl"' in arabic.text
    # Each language in its own name; plain German selectable.
    for name in ("Deutsch", "Einfache Sprache", "English", "Türkçe", "العربية", "Українська"):
        assert name in arabic.text
    assert 'value="de-plain"' in arabic.text


def test_privacy_notice_in_the_chosen_language(client: TestClient) -> None:
    page = client.get("/privacy?lang=uk")
    assert page.status_code == 200
    assert '<html lang="uk"' in page.text
    assert "Конфіденційність" in page.text or "даних" in page.text


def test_events_stream_needs_a_conversation(client: TestClient) -> None:
    assert client.get("/events").status_code == 403


def test_secret_is_kept_private_across_starts(tmp_path: Path) -> None:
    first = load_or_create_secret(tmp_path / "data")
    assert (tmp_path / "data" / "web-secret").stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret(tmp_path / "data") == first
    assert len(first) >= 32


def test_delete_my_data_erases_the_transcript(client: TestClient) -> None:
    _send(client, "Hallo")
    sender_id = SenderCookie(SECRET).load(client.cookies[COOKIE_NAME])
    sessions = client.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        assert repository.web_messages(session=session, sender_id=sender_id)
    with sessions.begin() as session:
        repository.delete_person(session=session, person_ref=sender_id)
    with sessions() as session:
        assert not repository.web_messages(session=session, sender_id=sender_id)
