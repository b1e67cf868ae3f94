"""What every console route shares: the context, the session check, CSRF, rendering.

Every route is wrapped by :func:`page`: without a logged-in session nothing under
``/office/`` is answered but a redirect to the login (pages) or 401 (downloads, charts,
event streams); a coordinator gets 403 on admin routes; a form post without this
session's CSRF token gets 403. The account is read from the database on every request,
so a disabled account or a reset password takes effect at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import get_language
from bot.office.accounts import AccountView, aware, view
from bot.registrations.coordinator_texts import COORDINATOR_LANGUAGE
from bot.settings import Settings
from bot.storage.models import CoordinatorAccount, Handoff, OutboxMessage
from bot.storage.repository import OFFICE_TOPICS

from .sessions import (
    COOKIE_NAME,
    COOKIE_PATH,
    FailureCounter,
    OfficeSession,
    SessionStore,
    Stage,
)
from .texts import PageTexts

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
MAX_FORM_BYTES = 32 * 1024
LOGIN_PATH = "/office/login"
BERLIN = ZoneInfo("Europe/Berlin")
Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class OfficeContext:
    """The console's shared parts; kept in the sub-app's ``state.office``."""

    settings: Settings
    sessions: sessionmaker[Session]
    catalogs: Catalogs
    store: SessionStore
    environment: Environment
    login_failures_per_address: FailureCounter
    language: str = COORDINATOR_LANGUAGE

    @property
    def texts(self) -> PageTexts:
        """Return the page texts in the console's language."""
        return PageTexts(self.catalogs, self.language)


def build_environment() -> Environment:
    """Return the console's templates, HTML-escaped by default."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def office(request: Request) -> OfficeContext:
    """Return the console's context."""
    context: OfficeContext = request.app.state.office
    return context


def client_address(request: Request) -> str:
    """Return the client's address (for throttling only; never logged)."""
    return request.client.host if request.client else "unknown"


def set_session_cookie(context: OfficeContext, response: Response, token: str) -> None:
    """Send the session cookie: HttpOnly, SameSite=Strict, Secure behind HTTPS, /office only."""
    response.set_cookie(
        COOKIE_NAME,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=context.settings.web_secure_cookies,
    )


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie."""
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH)


async def read_form(request: Request) -> dict[str, str] | None:
    """Read a small URL-encoded form; None if it is too large."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    form: dict[str, str] = {}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        form.setdefault(key, value)
    return form


def format_moment(context: OfficeContext, moment: datetime | None) -> str:
    """Return a time as the console shows it (the language's format, Berlin time)."""
    if moment is None:
        return ""
    return format_datetime(
        aware(moment),
        format="short",
        tzinfo=BERLIN,
        locale=get_language(context.language).babel_locale,
    )


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        pending = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.topic.not_in(OFFICE_TOPICS)
            )
        )
        handoffs = session.scalar(select(func.count(Handoff.id)).where(Handoff.ended_at.is_(None)))
        return int(pending or 0), int(handoffs or 0)


async def render(
    request: Request,
    template: str,
    values: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a console page with the layout's shared values."""
    context = office(request)
    account: AccountView | None = getattr(request.state, "account", None)
    session: OfficeSession | None = getattr(request.state, "office_session", None)
    pending, handoffs = (0, 0)
    if account is not None and session is not None and session.stage == Stage.FULL:
        pending, handoffs = await asyncio.to_thread(_counts, context.sessions)
    flashes = list(session.flashes) if session is not None else []
    if session is not None:
        session.flashes.clear()
    html = context.environment.get_template(template).render(
        t=context.texts,
        html_lang=get_language(context.language).locale.split("@")[0],
        account=account,
        full=session is not None and session.stage == Stage.FULL and account is not None,
        csrf=session.csrf if session is not None else "",
        flashes=flashes,
        pending_notifications=pending,
        open_handoffs=handoffs,
        moment=lambda value: format_moment(context, value),
        path=request.url.path,
        **(values or {}),
    )
    return HTMLResponse(html, status_code=status_code)


def load_account(sessions: sessionmaker[Session], account_id: int) -> AccountView | None:
    """Return an account that may use the console, or None (gone or disabled)."""
    with sessions() as session:
        account = session.get(CoordinatorAccount, account_id)
        if account is None or account.disabled_at is not None:
            return None
        return view(account)


def refuse_unauthenticated(request: Request, *, expired: bool = False) -> Response:
    """Send a visitor without a session to the login page; other requests get 401."""
    if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
        target = LOGIN_PATH + ("?expired=1" if expired else "")
        response: Response = RedirectResponse(target, status_code=303)
    else:
        response = PlainTextResponse("Login required", status_code=401)
    return response


def page(*, admin: bool = False, incomplete: bool = False) -> Callable[[Handler], Handler]:
    """Wrap a route: a full session, the role, the CSRF token of a form post.

    Args:
        admin: Only admins may use the route.
        incomplete: The route is one of the steps a new account must take first (change
            the one-time password, enrol TOTP, log out); others redirect to those steps.
    """

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            context = office(request)
            token = request.cookies.get(COOKIE_NAME)
            session = context.store.get(token)
            if session is None or session.stage != Stage.FULL or session.account_id is None:
                response = refuse_unauthenticated(request, expired=bool(token) and not session)
                if token and session is None:
                    clear_session_cookie(response)
                return response
            account = await asyncio.to_thread(load_account, context.sessions, session.account_id)
            if account is None:
                context.store.drop(token)
                response = refuse_unauthenticated(request)
                clear_session_cookie(response)
                return response
            request.state.account = account
            request.state.office_session = session
            request.state.session_token = token
            if request.method == "POST":
                form = await read_form(request)
                if form is None:
                    return PlainTextResponse("Request too large", status_code=413)
                if not session.csrf_ok(form.get("csrf")):
                    logger.warning("A console form without a valid CSRF token was refused.")
                    return await render(
                        request,
                        "message.html",
                        {"message": context.texts.csrf_failed},
                        status_code=403,
                    )
                request.state.form = form
            if not incomplete:
                if account.must_change_password:
                    return RedirectResponse("/office/password", status_code=303)
                if account.must_enrol_totp:
                    return RedirectResponse("/office/totp", status_code=303)
            if admin and account.role != "admin":
                return await render(
                    request,
                    "message.html",
                    {"message": context.texts.admin_only},
                    status_code=403,
                )
            return await handler(request)

        return endpoint

    return wrap


def form_of(request: Request) -> dict[str, str]:
    """Return the form a wrapped POST route's check has read."""
    form: dict[str, str] = getattr(request.state, "form", {})
    return form


def account_of(request: Request) -> AccountView:
    """Return the logged-in account of a wrapped route."""
    account: AccountView = request.state.account
    return account


def flash(request: Request, message: str) -> None:
    """Show ``message`` on the next page this session sees."""
    session: OfficeSession | None = getattr(request.state, "office_session", None)
    if session is not None:
        session.flashes.append(message)


def see_other(url: str) -> RedirectResponse:
    """Redirect after a post (the browser then loads the page with GET)."""
    return RedirectResponse(url, status_code=303)
