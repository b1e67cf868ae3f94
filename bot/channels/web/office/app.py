"""The console's sub-application, mounted at ``/office`` of the web chat's app."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.i18n.catalogs import Catalogs
from bot.settings import Settings

from . import admin, auth, handoffs, registrations
from .base import HERE, OfficeContext, build_environment, page
from .sessions import ADDRESS_FAILURES, ADDRESS_WINDOW_SECONDS, FailureCounter, SessionStore


@page()
async def home(_request: Request) -> Response:
    """Open the inbox."""
    return RedirectResponse("/office/registrations", status_code=303)


def office_routes() -> list[BaseRoute]:
    """Return every console route (each page is wrapped by the session and role check)."""
    static: list[BaseRoute] = [
        Mount("/static", StaticFiles(directory=HERE / "static"), name="office-static"),
    ]
    return [
        Route("/", home, methods=["GET"]),
        Route("/login", auth.login_page, methods=["GET"]),
        Route("/login", auth.login_submit, methods=["POST"]),
        Route("/login/code", auth.code_page, methods=["GET"]),
        Route("/login/code", auth.code_submit, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/password", auth.password_page, methods=["GET"]),
        Route("/password", auth.password_submit, methods=["POST"]),
        Route("/totp", auth.totp_page, methods=["GET"]),
        Route("/totp", auth.totp_submit, methods=["POST"]),
        Route("/totp/qr.svg", auth.totp_qr, methods=["GET"]),
        Route("/account", auth.account_page, methods=["GET"]),
        Route("/registrations", registrations.inbox, methods=["GET"]),
        Route("/registrations/{registration_id:int}", registrations.detail, methods=["GET"]),
        Route(
            "/registrations/{registration_id:int}",
            registrations.detail_action,
            methods=["POST"],
        ),
        Route("/export.{file_format:str}", registrations.export, methods=["GET"]),
        Route("/handoffs", handoffs.handoff_list, methods=["GET"]),
        Route("/handoffs/{handoff_id:int}", handoffs.handoff_detail, methods=["GET"]),
        Route("/handoffs/{handoff_id:int}/events", handoffs.handoff_events, methods=["GET"]),
        Route("/handoffs/{handoff_id:int}/reply", handoffs.handoff_reply, methods=["POST"]),
        Route("/handoffs/{handoff_id:int}/end", handoffs.handoff_end, methods=["POST"]),
        Route("/notifications", handoffs.notifications, methods=["GET"]),
        Route("/notifications/read", handoffs.notifications_read, methods=["POST"]),
        Route("/dashboard", handoffs.dashboard, methods=["GET"]),
        Route("/charts/{key:str}.svg", handoffs.chart_image, methods=["GET"]),
        Route("/events", handoffs.events, methods=["GET"]),
        Route("/admin/accounts", admin.accounts_page, methods=["GET"]),
        Route("/admin/accounts", admin.create_account, methods=["POST"]),
        Route("/admin/accounts/{name:str}/{action:str}", admin.change_account, methods=["POST"]),
        Route("/admin/audit", admin.audit_page, methods=["GET"]),
        *static,
    ]


def build_office(
    settings: Settings, sessions: sessionmaker[Session], catalogs: Catalogs
) -> Starlette:
    """Build the console, to be mounted at ``/office`` of the web chat's app.

    KERN's files are served by the chat's ``/static/kern`` route.
    """
    app = Starlette(routes=office_routes())
    app.state.office = OfficeContext(
        settings=settings,
        sessions=sessions,
        catalogs=catalogs,
        store=SessionStore(settings.office_idle_minutes * 60.0),
        environment=build_environment(),
        login_failures_per_address=FailureCounter(ADDRESS_FAILURES, ADDRESS_WINDOW_SECONDS),
    )
    return app
