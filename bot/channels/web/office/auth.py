"""Login (password, then the TOTP code), the one-time password's change, TOTP enrolment, logout."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import Response

from bot.office import login, texts
from bot.office.accounts import ChangeStatus
from bot.office.login import LoginResult, LoginStatus
from bot.office.totp import enrolment
from bot.storage.models import CoordinatorAccount

from .base import (
    account_of,
    clear_session_cookie,
    client_address,
    flash,
    form_of,
    office,
    page,
    read_form,
    render,
    see_other,
    set_session_cookie,
)
from .sessions import COOKIE_NAME, Stage


def _field_error(key: str, message: str) -> dict[str, str]:
    return {"field": key, "message": message}


async def _login_page(
    request: Request,
    *,
    errors: list[dict[str, str]] | None = None,
    notice: str | None = None,
    status_code: int = 200,
    name: str = "",
) -> Response:
    """Show the login form in a fresh anonymous session (its CSRF token in the form)."""
    context = office(request)
    token = context.store.create()
    request.state.office_session = context.store.get(token)
    response = await render(
        request,
        "login.html",
        {"errors": errors or [], "notice": notice, "name": name},
        status_code=status_code,
    )
    set_session_cookie(context, response, token)
    return response


async def login_page(request: Request) -> Response:
    """Show the login form."""
    context = office(request)
    session = context.store.get(request.cookies.get(COOKIE_NAME))
    if session is not None and session.stage == Stage.FULL:
        return see_other("/office/")
    notice = None
    if request.query_params.get("expired"):
        notice = context.texts.session_expired
    elif request.query_params.get("logged_out"):
        notice = context.texts.logged_out
    return await _login_page(request, notice=notice)


def _refusal(context: Any, result: LoginResult) -> tuple[str, int]:
    catalogs, language = context.catalogs, context.language
    if result.status == LoginStatus.LOCKED:
        seconds = result.retry_after_seconds
        return texts.locked_message(seconds, catalogs=catalogs, language=language), 429
    if result.status == LoginStatus.DISABLED:
        return texts.tr(texts.LOGIN_DISABLED, catalogs=catalogs, language=language), 403
    if result.status == LoginStatus.PASSWORD_EXPIRED:
        return texts.tr(texts.LOGIN_EXPIRED, catalogs=catalogs, language=language), 403
    return texts.tr(texts.LOGIN_INVALID, catalogs=catalogs, language=language), 401


async def login_submit(request: Request) -> Response:
    """Check name and password; continue with the code, or log in."""
    context = office(request)
    token = request.cookies.get(COOKIE_NAME)
    session = context.store.get(token)
    form = await read_form(request) or {}
    if session is None or not session.csrf_ok(form.get("csrf")):
        return await _login_page(
            request, errors=[_field_error("name", context.texts.csrf_failed)], status_code=403
        )
    address = client_address(request)
    if context.login_failures_per_address.blocked(address):
        return await _login_page(
            request,
            errors=[_field_error("name", context.texts.address_throttled)],
            status_code=429,
        )
    name = form.get("name", "").strip()[:64]
    password = form.get("password", "")[:512]
    missing = [
        _field_error(key, context.texts.required)
        for key, value in (("name", name), ("password", password))
        if not value
    ]
    if missing:
        return await _login_page(request, errors=missing, status_code=400, name=name)

    def check() -> LoginResult:
        with context.sessions.begin() as db:
            return login.authenticate(session=db, name=name, password=password)

    result = await asyncio.to_thread(check)
    context.store.drop(token)
    if result.status in (LoginStatus.OK, LoginStatus.TOTP_NEEDED) and result.account:
        stage = Stage.FULL if result.status == LoginStatus.OK else Stage.TOTP
        new_token = context.store.create(stage=stage, account_id=result.account.id)
        redirect = see_other("/office/" if stage == Stage.FULL else "/office/login/code")
        set_session_cookie(context, redirect, new_token)
        return redirect
    if result.status == LoginStatus.INVALID:
        context.login_failures_per_address.add(address)
    message, status_code = _refusal(context, result)
    response = await _login_page(
        request, errors=[_field_error("password", message)], status_code=status_code, name=name
    )
    if status_code == 429:
        response.headers["Retry-After"] = str(result.retry_after_seconds)
    return response


async def code_page(request: Request) -> Response:
    """Ask for the TOTP code after a right password."""
    context = office(request)
    session = context.store.get(request.cookies.get(COOKIE_NAME))
    if session is None or session.stage != Stage.TOTP:
        return see_other("/office/login")
    request.state.office_session = session
    return await render(request, "code.html", {"errors": []})


async def code_submit(request: Request) -> Response:
    """Check the code; a wrong one counts as a failed login."""
    context = office(request)
    token = request.cookies.get(COOKIE_NAME)
    session = context.store.get(token)
    form = await read_form(request) or {}
    if session is None or session.stage != Stage.TOTP or session.account_id is None:
        return see_other("/office/login")
    request.state.office_session = session
    if not session.csrf_ok(form.get("csrf")):
        errors = [_field_error("code", context.texts.csrf_failed)]
        return await render(request, "code.html", {"errors": errors}, status_code=403)
    account_id = session.account_id
    code = form.get("code", "").strip()[:16]

    def check() -> LoginResult:
        with context.sessions.begin() as db:
            return login.complete_login(session=db, account_id=account_id, totp_code=code)

    result = await asyncio.to_thread(check)
    if result.status == LoginStatus.OK:
        context.store.drop(token)
        new_token = context.store.create(stage=Stage.FULL, account_id=account_id)
        response = see_other("/office/")
        set_session_cookie(context, response, new_token)
        return response
    context.login_failures_per_address.add(client_address(request))
    if result.status == LoginStatus.INVALID:
        message = texts.tr(texts.WRONG_CODE, catalogs=context.catalogs, language=context.language)
        status_code = 401
    else:
        message, status_code = _refusal(context, result)
    errors = [_field_error("code", message)]
    return await render(request, "code.html", {"errors": errors}, status_code=status_code)


@page(incomplete=True)
async def password_page(request: Request) -> Response:
    """Show the form to change one's password."""
    return await render(request, "password.html", {"errors": []})


@page(incomplete=True)
async def password_submit(request: Request) -> Response:
    """Change one's password (the one-time password at first login)."""
    context = office(request)
    account = account_of(request)
    form = form_of(request)
    current, new, repeat = (form.get(k, "")[:512] for k in ("current", "new", "repeat"))
    errors = [
        _field_error(key, context.texts.required)
        for key, value in (("current", current), ("new", new), ("repeat", repeat))
        if not value
    ]
    if not errors and new != repeat:
        errors.append(_field_error("repeat", context.texts.passwords_differ))
    if not errors:

        def change() -> Any:
            with context.sessions.begin() as db:
                return login.change_password(
                    session=db, account_id=account.id, current=current, new=new
                )

        result = await asyncio.to_thread(change)
        if result.status == ChangeStatus.OK:
            flash(request, context.texts.password_saved)
            return see_other("/office/")
        if result.status == ChangeStatus.WRONG_PASSWORD:
            message = texts.tr(
                texts.WRONG_CURRENT_PASSWORD, catalogs=context.catalogs, language=context.language
            )
            errors.append(_field_error("current", message))
        for problem in result.problems:
            message = texts.password_problem_message(
                problem, catalogs=context.catalogs, language=context.language
            )
            errors.append(_field_error("new", message))
    return await render(request, "password.html", {"errors": errors}, status_code=400)


@page(incomplete=True)
async def totp_page(request: Request) -> Response:
    """Start enrolling TOTP: a new secret, shown as a QR code (an image route) and as text."""
    context = office(request)
    account = account_of(request)

    def start() -> Any:
        with context.sessions.begin() as db:
            return login.start_totp_enrolment(session=db, account_id=account.id)

    result = await asyncio.to_thread(start)
    secret = result.enrolment.secret if result.enrolment else ""
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return await render(
        request, "totp.html", {"errors": [], "secret": grouped, "nonce": int(time.time())}
    )


@page(incomplete=True)
async def totp_qr(request: Request) -> Response:
    """Return the QR code of the pending secret as an SVG image (same origin, no inline SVG)."""
    context = office(request)
    account = account_of(request)

    def pending() -> str | None:
        with context.sessions() as db:
            row = db.get(CoordinatorAccount, account.id)
            return row.totp_pending_secret if row else None

    secret = await asyncio.to_thread(pending)
    if secret is None:
        return Response(status_code=404)
    buffer = io.BytesIO()
    segno.make(enrolment(secret, account.name).uri, error="m").save(
        buffer, kind="svg", scale=5, border=4, title="Patenbot"
    )
    return Response(buffer.getvalue(), media_type="image/svg+xml")


@page(incomplete=True)
async def totp_submit(request: Request) -> Response:
    """Turn the second factor on with a code from the app."""
    context = office(request)
    account = account_of(request)
    code = form_of(request).get("code", "").strip()[:16]

    def confirm() -> Any:
        with context.sessions.begin() as db:
            return login.confirm_totp_enrolment(session=db, account_id=account.id, totp_code=code)

    result = await asyncio.to_thread(confirm)
    if result.status == ChangeStatus.OK:
        flash(request, context.texts.totp_enrolled)
        return see_other("/office/")
    message = texts.tr(texts.WRONG_CODE, catalogs=context.catalogs, language=context.language)
    return await render(
        request,
        "totp.html",
        {"errors": [_field_error("code", message)], "secret": "", "nonce": int(time.time())},
        status_code=400,
    )


@page()
async def account_page(request: Request) -> Response:
    """Show one's own account."""
    context = office(request)
    account = account_of(request)
    role = texts.role_name(account.role, catalogs=context.catalogs, language=context.language)
    return await render(request, "account.html", {"role": role})


@page(incomplete=True)
async def logout(request: Request) -> Response:
    """End the session (audited)."""
    context = office(request)
    account = account_of(request)

    def audit() -> None:
        with context.sessions.begin() as db:
            login.logout(session=db, account_id=account.id)

    await asyncio.to_thread(audit)
    context.store.drop(request.state.session_token)
    response = see_other("/office/login?logged_out=1")
    clear_session_cookie(response)
    return response
