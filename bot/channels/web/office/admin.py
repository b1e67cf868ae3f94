"""Admin pages: accounts (create, disable, reset password, require TOTP) and the audit log."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.office import accounts, texts
from bot.office.accounts import ROLES, ChangeResult, ChangeStatus
from bot.office.audit import OFFICE_ACTOR_PREFIX, audit_entries
from bot.storage.models import CoordinatorAccount

from .base import account_of, flash, form_of, office, page, render, see_other

AUDIT_PAGE = 100
ACCOUNT_ACTIONS = ("disable", "reset_password", "require_totp", "unrequire_totp", "reset_totp")


async def _accounts_page(
    request: Request,
    *,
    errors: list[dict[str, str]] | None = None,
    shown_password: str | None = None,
    status_code: int = 200,
) -> Response:
    context = office(request)

    def read() -> list[Any]:
        with context.sessions() as db:
            return accounts.list_accounts(session=db)

    rows = await asyncio.to_thread(read)
    roles = {
        role: texts.role_name(role, catalogs=context.catalogs, language=context.language)
        for role in ROLES
    }
    return await render(
        request,
        "accounts.html",
        {
            "rows": rows,
            "roles": roles,
            "errors": errors or [],
            "shown_password": shown_password,
            "form": form_of(request) if request.method == "POST" else {},
        },
        status_code=status_code,
    )


@page(admin=True)
async def accounts_page(request: Request) -> Response:
    """List the accounts, with a form for a new one."""
    return await _accounts_page(request)


@page(admin=True)
async def create_account(request: Request) -> Response:
    """Create an account; its one-time password is shown once, on this answer only."""
    context = office(request)
    admin = account_of(request)
    form = form_of(request)
    name, role = form.get("name", "")[:64], form.get("role", "")

    def create() -> ChangeResult:
        with context.sessions.begin() as db:
            return accounts.create_account(session=db, name=name, role=role, actor=admin.actor)

    result = await asyncio.to_thread(create)
    if result.status == ChangeStatus.OK and result.account:
        shown = context.texts.one_time_password_shown.format(
            name=result.account.name, password=result.one_time_password
        )
        return await _accounts_page(request, shown_password=shown)
    key = {
        ChangeStatus.NAME_TAKEN: ("name", context.texts.name_taken),
        ChangeStatus.INVALID_ROLE: ("role", context.texts.invalid_role),
    }.get(result.status, ("name", context.texts.invalid_name))
    errors = [{"field": key[0], "message": key[1]}]
    return await _accounts_page(request, errors=errors, status_code=400)


@page(admin=True)
async def change_account(request: Request) -> Response:
    """Disable an account, give it a new one-time password, or (un)require TOTP."""
    context = office(request)
    admin = account_of(request)
    name = request.path_params["name"]
    action = request.path_params["action"]
    if action not in ACCOUNT_ACTIONS:
        return Response(status_code=404)

    def change() -> tuple[ChangeResult | None, int | None]:
        with context.sessions.begin() as db:
            target = accounts.find_account(session=db, name=name)
            if target is None:
                return ChangeResult(ChangeStatus.NOT_FOUND), None
            if action == "disable":
                if (
                    target.role == "admin"
                    and target.disabled_at is None
                    and accounts.count_active_admins(session=db) <= 1
                ):
                    return None, target.id
                return accounts.disable_account(
                    session=db, name=name, actor=admin.actor
                ), target.id
            if action == "reset_password":
                return accounts.reset_password(session=db, name=name, actor=admin.actor), target.id
            if action == "reset_totp":
                return accounts.reset_totp(session=db, name=name, actor=admin.actor), target.id
            return accounts.set_totp_required(
                session=db, name=name, required=action == "require_totp", actor=admin.actor
            ), target.id

    result, account_id = await asyncio.to_thread(change)
    if result is None:
        errors = [{"field": "accounts", "message": context.texts.last_admin}]
        return await _accounts_page(request, errors=errors, status_code=400)
    if result.status != ChangeStatus.OK or result.account is None:
        return Response(status_code=404)
    if action in ("disable", "reset_password", "reset_totp") and account_id is not None:
        # A disabled account or a new one-time password ends the account's sessions now.
        context.store.drop_account(account_id)
    if result.one_time_password:
        shown = context.texts.one_time_password_shown.format(
            name=result.account.name, password=result.one_time_password
        )
        return await _accounts_page(request, shown_password=shown)
    message = (
        context.texts.account_disabled if action == "disable" else context.texts.account_changed
    )
    flash(request, message.format(name=result.account.name))
    return see_other("/office/admin/accounts")


@page(admin=True)
async def audit_page(request: Request) -> Response:
    """Show the audit log, newest first, a page at a time."""
    context = office(request)
    before = request.query_params.get("before", "")
    before_id = int(before) if before.isdigit() else None

    def read() -> list[Any]:
        with context.sessions() as db:
            return list(audit_entries(session=db, limit=AUDIT_PAGE, before_id=before_id))

    rows = await asyncio.to_thread(read)
    shown = [
        {
            "at": row.at,
            "actor": row.actor.removeprefix(OFFICE_ACTOR_PREFIX) or context.texts.unknown_name,
            "action": texts.audit_action_name(
                row.action, catalogs=context.catalogs, language=context.language
            ),
            "registration_id": row.registration_id,
            "target_account": row.target_account or "",
            "detail": row.detail or "",
            "filters": ", ".join(f"{k}={v}" for k, v in (row.filters or {}).items()),
            "row_count": row.row_count,
        }
        for row in rows
    ]
    older = rows[-1].id if len(rows) == AUDIT_PAGE else None
    return await render(request, "audit.html", {"rows": shown, "older": older})


__all__ = ["CoordinatorAccount"]
