"""The coordinators' commands on the command line (``python -m bot export|stats|…``)."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.orm import Session, sessionmaker

from bot import admin, coordinator_texts
from bot.district import load_district
from bot.registrations import StatusChangeError
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory, upgrade_database
from bot.storage.repository import RegistrationFilter


def run_admin_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run one coordinators' command; return the exit code."""
    settings.path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    sessions = make_session_factory(engine)
    actor = admin.local_actor()
    if args.command == "export":
        filters = RegistrationFilter(
            kind=args.kind, statuses=tuple(args.status or ()), since=args.since
        )
        rows = admin.run_export(
            sessions, file_format=args.format, filters=filters, path=args.output, actor=actor
        )
        sys.stdout.write(f"{rows} registrations written to {args.output}\n")
    elif args.command == "stats":
        sys.stdout.write(admin.format_stats(admin.stats(sessions)) + "\n")
    elif args.command == "outbox":
        _outbox(sessions, mark_sent=args.mark_sent)
    elif args.command == "status":
        try:
            admin.set_status(
                sessions, registration_id=args.registration_id, status=args.new_status, actor=actor
            )
        except LookupError:
            sys.stderr.write(f"There is no registration {args.registration_id}.\n")
            return 1
        except StatusChangeError as error:
            sys.stderr.write(f"This step is not allowed: {error}.\n")
            return 1
        sys.stdout.write(f"Registration {args.registration_id} is now {args.new_status}.\n")
    elif args.command == "purge":
        result = admin.purge(sessions, load_district(settings.path(settings.district_file)))
        sys.stdout.write(
            f"Erased {result.registrations} registrations and "
            f"{result.conversations} conversations past their retention period.\n"
        )
    # "migrate" needs nothing beyond the upgrade above.
    engine.dispose()
    return 0


def _outbox(sessions: sessionmaker[Session], *, mark_sent: bool) -> None:
    def show(delivery: admin.Delivery) -> bool:
        sys.stdout.write(
            f"--- #{delivery.message_id} {delivery.created_at:%Y-%m-%d %H:%M}\n{delivery.text}\n"
        )
        return True

    catalogs = coordinator_texts.coordinator_catalogs()
    language = coordinator_texts.COORDINATOR_LANGUAGE
    if mark_sent:
        count = admin.deliver_outbox(sessions, show)
        footer = catalogs.npgettext(
            language,
            "coordinators",
            "{count} Benachrichtigung als zugestellt markiert.",
            "{count} Benachrichtigungen als zugestellt markiert.",
            count,
        )
        sys.stdout.write(footer.format(count=count) + "\n")
        return
    pending = admin.pending_outbox(sessions)
    for delivery in pending:
        show(delivery)
    footer = catalogs.npgettext(
        language,
        "coordinators",
        "{count} offene Benachrichtigung",
        "{count} offene Benachrichtigungen",
        len(pending),
    )
    sys.stdout.write(footer.format(count=len(pending)) + "\n")
