"""The coordinators' commands on the command line (``python -m bot export|stats|…``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.core.safe_text import clean_input, displayable
from bot.nlg.district import load_district
from bot.registrations import coordination, coordinator_texts
from bot.registrations.use_cases import StatusChangeError
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory, prepare_database
from bot.storage.repository import RegistrationFilter

logger = logging.getLogger(__name__)


def run_coordinators_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run one coordinators' command; return the exit code."""
    prepare_database(settings)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    actor = coordination.local_actor()
    if args.command == "export":
        filters = RegistrationFilter(
            kind=args.kind, statuses=tuple(args.status or ()), since=args.since
        )
        try:
            rows = coordination.run_export(
                sessions, file_format=args.format, filters=filters, path=args.output, actor=actor
            )
        except Exception as error:
            engine.dispose()
            return _export_failed(error, args.output)
        sys.stdout.write(f"{rows} registrations written to {args.output}\n")
    elif args.command == "stats":
        stats = coordination.format_stats(coordination.stats(sessions))
        sys.stdout.write(displayable(stats, keep_newlines=True) + "\n")
    elif args.command == "outbox":
        _outbox(sessions, mark_sent=args.mark_sent)
    elif args.command == "status":
        try:
            coordination.set_status(
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
        result = coordination.purge(sessions, load_district(settings.path(settings.district_file)))
        sys.stdout.write(
            f"Erased {result.registrations} registrations, {result.events} chat events "
            f"of {result.conversations} conversations and {result.handoffs} handoffs "
            "past their retention period.\n"
        )
    elif args.command == "handoff":
        code = _handoff(settings, sessions, args, actor)
        engine.dispose()
        return code
    # "migrate" needs nothing beyond prepare_database above.
    engine.dispose()
    return 0


def _export_failed(error: Exception, output: Path) -> int:
    """Say that an export failed, remove a half-written file, and log it without data."""
    # Only the kind of error: messages such as openpyxl's quote the offending value.
    logger.error("An export failed: %s", type(error).__name__)
    output.unlink(missing_ok=True)
    sys.stderr.write(
        f"The export failed ({type(error).__name__}); no file was written and the export "
        "was not recorded. Please try again; if it fails again, tell the technical support "
        "(the log has the details).\n"
    )
    return 1


def _outbox(sessions: sessionmaker[Session], *, mark_sent: bool) -> None:
    def show(delivery: coordination.Delivery) -> None:
        # Stored text could steer the terminal (escape sequences, bidi overrides).
        text = displayable(delivery.text, keep_newlines=True)
        sys.stdout.write(
            f"--- #{delivery.message_id} {delivery.created_at:%Y-%m-%d %H:%M}\n{text}\n"
        )

    async def deliver(delivery: coordination.Delivery) -> bool:
        show(delivery)
        return True

    catalogs = coordinator_texts.coordinator_catalogs()
    language = coordinator_texts.COORDINATOR_LANGUAGE
    if mark_sent:
        count = asyncio.run(coordination.deliver_outbox(sessions, deliver))
        footer = catalogs.npgettext(
            language,
            "coordinators",
            "{count} Benachrichtigung als zugestellt markiert.",
            "{count} Benachrichtigungen als zugestellt markiert.",
            count,
        )
        sys.stdout.write(footer.format(count=count) + "\n")
        return
    pending = coordination.pending_outbox(sessions)
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


def _handoff(
    settings: Settings, sessions: sessionmaker[Session], args: argparse.Namespace, actor: str
) -> int:
    """List, answer or end handoffs (a web chat's page shows the answer within a second)."""
    from bot.channels.web.chat import end_office_handoff, office_reply, open_handoffs
    from bot.i18n.catalogs import Catalogs

    catalogs = Catalogs(settings.path(settings.locale_dir))
    if args.handoff_command == "list":
        rows = open_handoffs(sessions)
        for row in rows:
            channel = "Web" if row.person_ref.startswith("web:") else "Telegram"
            sys.stdout.write(
                f"#{row.id} {channel}, {coordinator_texts.language_name(row.language)}, "
                f"seit {row.started_at:%Y-%m-%d %H:%M}\n"
            )
        sys.stdout.write(f"{len(rows)} offen\n")
        return 0
    if args.handoff_command == "reply":
        text = clean_input(args.text).strip()
        if not text:
            sys.stderr.write("The answer is empty.\n")
            return 2
        try:
            office_reply(sessions, catalogs, handoff_id=args.handoff_id, text=text)
        except LookupError:
            sys.stderr.write(f"There is no open handoff #{args.handoff_id}.\n")
            return 1
        except ValueError:
            sys.stderr.write(
                f"Handoff #{args.handoff_id} is a Telegram conversation: answer it in the "
                "coordinators' group by replying to its message.\n"
            )
            return 1
        sys.stdout.write(f"Answer to #{args.handoff_id} stored; the open chat page shows it.\n")
        return 0
    if not end_office_handoff(sessions, catalogs, handoff_id=args.handoff_id, actor=actor):
        sys.stderr.write(f"There is no open handoff #{args.handoff_id}.\n")
        return 1
    sys.stdout.write(f"Handoff #{args.handoff_id} ended.\n")
    return 0
