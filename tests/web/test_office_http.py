"""The coordinators' console over HTTP: every refusal of issue 13, against the real app and
a real database (Starlette's TestClient; Rasa is not needed for the console)."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.app import build_service
from bot.channels.web.office.sessions import COOKIE_NAME
from bot.channels.web.server import build_web
from bot.core.rasa_client import RasaClient
from bot.i18n.catalogs import Catalogs
from bot.office import accounts, login
from bot.registrations.use_cases import RegistrationData, save_registration
from bot.settings import Settings
from bot.storage import repository
from bot.storage.database import make_engine, make_session_factory, upgrade_database
from bot.storage.models import AuditEvent, CoordinatorAccount, RegistrationNote

SECRET = "a-test-secret-that-is-long-enough-for-signing"
PASSWORD = "ein langes geheimes Passwort"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        rasa_port=_closed_port(),
        rasa_timeout_seconds=2,
        web_secret=SecretStr(SECRET),
        web_secure_cookies=True,
        office_idle_minutes=30,
    )


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def app(settings: Settings, sessions: sessionmaker[Session], catalogs: Catalogs) -> Any:
    rasa = RasaClient.for_settings(settings)
    erased: set[str] = set()
    service = build_service(
        settings, rasa, catalogs=catalogs, sessions=sessions, on_erase=erased.add
    )
    return build_web(settings, service, sessions, catalogs, erased)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def make_account(
    sessions: sessionmaker[Session], name: str, role: str = "coordinator", *, totp: bool = False
) -> str | None:
    """Create an account with PASSWORD already set; return its TOTP secret if enrolled."""
    with sessions.begin() as db:
        created = accounts.create_account(session=db, name=name, role=role, actor="cli:test")
        assert created.account and created.one_time_password
        login.change_password(
            session=db,
            account_id=created.account.id,
            current=created.one_time_password,
            new=PASSWORD,
        )
        if not totp:
            return None
        row = db.get(CoordinatorAccount, created.account.id)
        assert row is not None
        row.totp_secret = pyotp.random_base32(length=32)
        return row.totp_secret


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    page = client.get("/office/login")
    return client.post(
        "/office/login", data={"csrf": csrf_of(page.text), "name": name, "password": password}
    )


def a_registration(sessions: sessionmaker[Session], person: str = "web:abc") -> int:
    with sessions.begin() as db:
        saved = save_registration(
            session=db,
            data=RegistrationData(
                person_ref=person, kind="mentor", language="tr", name="Ayşe Kaya",
                contact_method="phone", phone="+49 170 5550000", municipality="Leonberg",
            ),
        )  # fmt: skip
        return saved.registration_id


OFFICE_URLS = [
    "/office/",
    "/office/registrations",
    "/office/registrations/1",
    "/office/export.csv",
    "/office/export.xlsx",
    "/office/handoffs",
    "/office/handoffs/1",
    "/office/handoffs/1/events",
    "/office/notifications",
    "/office/dashboard",
    "/office/charts/per_week.svg",
    "/office/events",
    "/office/account",
    "/office/password",
    "/office/totp",
    "/office/totp/qr.svg",
    "/office/admin/accounts",
    "/office/admin/audit",
]


@pytest.mark.parametrize("url", OFFICE_URLS)
def test_nothing_without_a_session(client: TestClient, sessions: Any, url: str) -> None:
    a_registration(sessions)
    as_page = client.get(url, headers={"Accept": "text/html"})
    assert as_page.status_code == 303 and as_page.headers["location"].startswith("/office/login")
    assert "Ayşe" not in as_page.text
    as_file = client.get(url, headers={"Accept": "*/*"})
    assert as_file.status_code == 401 and "Ayşe" not in as_file.text
    # A made-up cookie is no session either.
    client.cookies.set(COOKIE_NAME, "forged", domain="testserver.local", path="/office")
    assert client.get(url, headers={"Accept": "*/*"}).status_code == 401
    client.cookies.clear()


@pytest.mark.parametrize(
    "url",
    [
        "/office/logout",
        "/office/registrations/1",
        "/office/handoffs/1/reply",
        "/office/handoffs/1/end",
        "/office/notifications/read",
        "/office/admin/accounts",
        "/office/admin/accounts/anna/disable",
        "/office/password",
        "/office/totp",
    ],
)
def test_no_post_without_a_session(client: TestClient, url: str) -> None:
    response = client.post(url, data={"action": "note", "note": "x"})
    assert response.status_code == 401


def test_login_page_cookie_and_headers(client: TestClient, sessions: Any) -> None:
    response = client.get("/office/login")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    assert "Path=/office" in cookie
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy  # never framed, even where the chat may be
    html = response.text
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert 'lang="de"' in html and "Anmeldung für die Koordinationsstelle" in html


def test_login_and_logout(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "anna")
    response = log_in(client, "anna")
    assert response.status_code == 303 and response.headers["location"] == "/office/"
    inbox = client.get("/office/registrations")
    assert inbox.status_code == 200 and "Angemeldet als" in inbox.text
    logout = client.post("/office/logout", data={"csrf": csrf_of(inbox.text)})
    assert logout.status_code == 303
    assert client.get("/office/registrations", headers={"Accept": "*/*"}).status_code == 401
    with sessions() as db:
        actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["login", "logout"]


def test_a_post_without_the_csrf_token_fails(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "anna")
    number = a_registration(sessions)
    log_in(client, "anna")
    page = client.get(f"/office/registrations/{number}")
    for data in (
        {"action": "note", "note": "Hallo"},
        {"action": "note", "note": "Hallo", "csrf": "x"},
    ):
        refused = client.post(f"/office/registrations/{number}", data=data)
        assert refused.status_code == 403
    # The login form needs its token too.
    client.cookies.clear()
    refused_login = client.post("/office/login", data={"name": "anna", "password": PASSWORD})
    assert refused_login.status_code == 403
    with sessions() as db:
        assert db.scalar(select(func.count(RegistrationNote.id))) == 0
    accepted = client.post(
        f"/office/registrations/{number}",
        data={"action": "note", "note": "Hallo", "csrf": "wrong"},
    )
    assert accepted.status_code in (401, 403)
    assert page.status_code == 200


def test_the_sixth_wrong_password_is_delayed(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "anna")
    statuses = [log_in(client, "anna", "falsch falsch falsch").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    sixth = log_in(client, "anna", "falsch falsch falsch")
    assert statuses[5] == 429 and sixth.status_code == 429
    assert int(sixth.headers["retry-after"]) > 0 and "Sekunden" in sixth.text
    # Even the right password waits now.
    assert log_in(client, "anna").status_code == 429


def test_unknown_names_are_throttled_per_address(client: TestClient, sessions: Any) -> None:
    statuses = [log_in(client, f"nobody{i}", "falsch falsch").status_code for i in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


def test_an_idle_session_is_logged_out(client: TestClient, sessions: Any, app: Any) -> None:
    make_account(sessions, "anna")
    log_in(client, "anna")
    assert client.get("/office/registrations").status_code == 200
    office_app = next(r.app for r in app.routes if getattr(r, "path", "") == "/office")
    store = office_app.state.office.store
    now = store.clock()
    store.clock = lambda: now + 31 * 60
    expired = client.get("/office/registrations", headers={"Accept": "text/html"})
    assert expired.status_code == 303 and expired.headers["location"] == "/office/login?expired=1"
    login_page = client.get("/office/login?expired=1")
    assert "Sitzung ist abgelaufen" in login_page.text


def test_a_coordinator_cannot_reach_admin_pages(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "anna")
    log_in(client, "anna")
    page = client.get("/office/registrations")
    assert "/office/admin/" not in page.text
    for url in ("/office/admin/accounts", "/office/admin/audit"):
        assert client.get(url).status_code == 403
    refused = client.post(
        "/office/admin/accounts", data={"csrf": csrf_of(page.text), "name": "eve", "role": "admin"}
    )
    assert refused.status_code == 403
    with sessions() as db:
        assert accounts.find_account(session=db, name="eve") is None


def test_an_admin_resets_a_lost_second_factor(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "root", role="admin")
    make_account(sessions, "anna", totp=True)
    log_in(client, "root")
    page = client.get("/office/admin/accounts")
    assert "/office/admin/accounts/anna/reset_totp" in page.text
    done = client.post("/office/admin/accounts/anna/reset_totp", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303
    with sessions() as db:
        account = accounts.find_account(session=db, name="anna")
        assert account is not None and account.totp_secret is None


def test_totp_is_asked_after_the_password(client: TestClient, sessions: Any) -> None:
    secret = make_account(sessions, "anna", totp=True)
    assert secret
    response = log_in(client, "anna")
    assert response.headers["location"] == "/office/login/code"
    # Half logged in is not logged in.
    assert client.get("/office/registrations", headers={"Accept": "*/*"}).status_code == 401
    page = client.get("/office/login/code")
    wrong = client.post("/office/login/code", data={"csrf": csrf_of(page.text), "code": "000000"})
    assert wrong.status_code == 401
    right = client.post(
        "/office/login/code", data={"csrf": csrf_of(wrong.text), "code": pyotp.TOTP(secret).now()}
    )
    assert right.status_code == 303 and right.headers["location"] == "/office/"
    assert client.get("/office/registrations").status_code == 200


def test_one_time_password_must_be_changed_first(client: TestClient, sessions: Any) -> None:
    with sessions.begin() as db:
        created = accounts.create_account(
            session=db, name="bob", role="coordinator", actor="cli:t"
        )
    assert created.one_time_password
    log_in(client, "bob", created.one_time_password)
    assert client.get("/office/registrations").headers["location"] == "/office/password"
    page = client.get("/office/password")
    differ = client.post(
        "/office/password",
        data={
            "csrf": csrf_of(page.text),
            "current": created.one_time_password,
            "new": PASSWORD,
            "repeat": "x",
        },
    )
    assert differ.status_code == 400 and "stimmen nicht überein" in differ.text
    assert 'aria-invalid="true"' in differ.text and 'id="error-summary"' in differ.text
    done = client.post(
        "/office/password",
        data={
            "csrf": csrf_of(page.text),
            "current": created.one_time_password,
            "new": PASSWORD,
            "repeat": PASSWORD,
        },
    )
    assert done.status_code == 303
    assert client.get("/office/registrations").status_code == 200


def test_forged_ids_show_nothing(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "anna")
    log_in(client, "anna")
    page = client.get("/office/registrations")
    assert client.get("/office/registrations/999").status_code == 404
    assert client.get("/office/registrations/abc").status_code == 404
    assert client.get("/office/handoffs/999").status_code == 404
    forged = client.post(
        "/office/registrations/999",
        data={"csrf": csrf_of(page.text), "action": "note", "note": "x"},
    )
    assert forged.status_code == 404
    with sessions() as db:
        viewed = db.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "registration_viewed")
        )
    assert viewed == 0
    # A forged inbox cursor gives the first page, not an error.
    assert client.get("/office/registrations?cursor=%%%%").status_code == 200


def test_detail_is_audited_and_export_streams_csv(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "anna")
    number = a_registration(sessions)
    log_in(client, "anna")
    detail = client.get(f"/office/registrations/{number}")
    assert (
        detail.status_code == 200
        and "Ayşe Kaya" in detail.text
        and "+49 170 5550000" in detail.text
    )
    csv_file = client.get("/office/export.csv?municipality=Leonberg&name=Ay")
    assert csv_file.status_code == 200
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    assert "Ayşe Kaya" in csv_file.content.decode("utf-8-sig")
    xlsx = client.get("/office/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    with sessions() as db:
        events = list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    viewed = [e for e in events if e.action == "registration_viewed"]
    exports = [e for e in events if e.action == "export"]
    assert [e.registration_id for e in viewed] == [number]
    assert exports[0].filters == {"municipality": "Leonberg", "name_search": True}
    assert exports[0].row_count == 1 and exports[0].detail == "csv"
    assert "Ay" not in str(exports[0].filters.values())


def test_erasure_removes_the_registration_and_notes_from_the_console(
    client: TestClient, sessions: Any
) -> None:
    make_account(sessions, "anna")
    number = a_registration(sessions, person="web:erase-me")
    log_in(client, "anna")
    page = client.get(f"/office/registrations/{number}")
    client.post(
        f"/office/registrations/{number}",
        data={"csrf": csrf_of(page.text), "action": "note", "note": "Rückruf bei Frau Kaya"},
    )
    assert "Rückruf bei Frau Kaya" in client.get(f"/office/registrations/{number}").text
    with sessions.begin() as db:
        repository.delete_person(session=db, person_ref="web:erase-me")
    assert client.get(f"/office/registrations/{number}").status_code == 404
    assert "Ayşe" not in client.get("/office/registrations").text
    with sessions() as db:
        assert db.scalar(select(func.count(RegistrationNote.id))) == 0
        audit = list(db.scalars(select(AuditEvent)))
    assert audit and all("Kaya" not in str(vars(event)) for event in audit)


def test_admin_disables_an_account_and_its_session_ends(
    client: TestClient, app: Any, sessions: Any
) -> None:
    make_account(sessions, "root", role="admin")
    make_account(sessions, "anna")
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as anna:
        log_in(anna, "anna")
        assert anna.get("/office/registrations").status_code == 200
        log_in(client, "root")
        page = client.get("/office/admin/accounts")
        assert page.status_code == 200 and "anna" in page.text
        last = client.post(
            "/office/admin/accounts/root/disable", data={"csrf": csrf_of(page.text)}
        )
        assert last.status_code == 400 and "letzte aktive Administrationskonto" in last.text
        done = client.post(
            "/office/admin/accounts/anna/disable", data={"csrf": csrf_of(page.text)}
        )
        assert done.status_code == 303
        assert anna.get("/office/registrations", headers={"Accept": "*/*"}).status_code == 401
        assert log_in(anna, "anna").status_code == 403
    reset = client.post(
        "/office/admin/accounts/root/reset_password", data={"csrf": csrf_of(page.text)}
    )
    # A new one-time password for oneself ends one's own session too.
    assert reset.status_code == 200 and "Einmal-Passwort für root" in reset.text
    assert client.get("/office/registrations", headers={"Accept": "*/*"}).status_code == 401


def test_a_web_handoff_is_answered_and_ended(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "anna")
    with sessions.begin() as db:
        handoff = repository.start_handoff(session=db, person_ref="web:h1", language="tr")
        repository.add_web_message(
            session=db,
            sender_id="web:h1",
            role="user",
            text="Merhaba, bir sorum var",
            language="tr",
        )
        db.flush()
        handoff_id = handoff.id
    log_in(client, "anna")
    listing = client.get("/office/handoffs")
    assert f"/office/handoffs/{handoff_id}" in listing.text and "web:h1" not in listing.text
    page = client.get(f"/office/handoffs/{handoff_id}")
    assert "Merhaba, bir sorum var" in page.text and "web:h1" not in page.text
    empty = client.post(
        f"/office/handoffs/{handoff_id}/reply", data={"csrf": csrf_of(page.text), "text": " "}
    )
    assert empty.status_code == 400
    sent = client.post(
        f"/office/handoffs/{handoff_id}/reply",
        data={"csrf": csrf_of(page.text), "text": "<b>Merhaba</b>"},
    )
    assert sent.status_code == 303
    with sessions() as db:
        rows = repository.web_messages(session=db, sender_id="web:h1")
    assert [(r.role, r.text) for r in rows][-1] == ("office", "<b>Merhaba</b>")
    shown = client.get(f"/office/handoffs/{handoff_id}")
    assert "&lt;b&gt;Merhaba&lt;/b&gt;" in shown.text  # escaped, never markup
    ended = client.post(f"/office/handoffs/{handoff_id}/end", data={"csrf": csrf_of(page.text)})
    assert ended.status_code == 303
    assert client.get(f"/office/handoffs/{handoff_id}").status_code == 404


def test_notifications_are_marked_delivered_without_a_telegram_group(
    client: TestClient, sessions: Any
) -> None:
    make_account(sessions, "anna")
    a_registration(sessions)
    with sessions.begin() as db:
        repository.add_outbox_message(
            session=db, topic="registration", text_de="Neue Anmeldung #1", person_ref="web:abc",
            registration_id=None,
        )  # fmt: skip
    log_in(client, "anna")
    page = client.get("/office/notifications")
    assert "Neue Anmeldung #1" in page.text and 'data-count="notifications">2<' in page.text
    ids = re.search(r'name="ids" value="([0-9,]+)"', page.text)
    assert ids
    marked = client.post(
        "/office/notifications/read", data={"csrf": csrf_of(page.text), "ids": ids.group(1)}
    )
    assert marked.status_code == 303
    with sessions() as db:
        assert not repository.pending_outbox(session=db)
    assert 'data-count="notifications">0<' in client.get("/office/notifications").text


def test_the_dashboard_has_a_table_for_every_chart(client: TestClient, sessions: Any) -> None:
    make_account(sessions, "anna")
    a_registration(sessions)
    log_in(client, "anna")
    page = client.get("/office/dashboard")
    assert page.status_code == 200
    assert page.text.count('role="img"') == 5 and page.text.count("<table") == 5
    chart = client.get("/office/charts/municipality.svg")
    assert chart.headers["content-type"].startswith("image/svg+xml") and "Leonberg" in chart.text
