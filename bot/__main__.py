"""Command line: ``python -m bot <command>``; ``python -m bot --help`` lists them."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path

from bot.cli.accounts import add_parser as add_coordinator_parser
from bot.logs import configure_logging
from bot.private_files import restrict_new_files
from bot.registrations import workflow
from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Patenbot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="start everything; without a token, chat in the terminal")
    chat = commands.add_parser("chat", help="chat in the terminal with servers already running")
    chat.add_argument("--sender", help="continue the conversation with this id")
    commands.add_parser("action-server", help="serve the custom actions and the NLG endpoint")
    commands.add_parser("evaluate", help="NLU accuracy per language on the held-out sets")
    commands.add_parser("migrate", help="bring the database schema up to date")
    export = commands.add_parser("export", help="export registrations (CSV for Excel, or XLSX)")
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    export.add_argument("--kind", choices=workflow.KINDS)
    export.add_argument("--status", nargs="+", choices=workflow.STATUSES)
    export.add_argument("--since", type=datetime.fromisoformat, help="e.g. 2026-11-01")
    export.add_argument("-o", "--output", type=Path, required=True)
    commands.add_parser("stats", help="counts by status, kind, municipality and language")
    outbox = commands.add_parser("outbox", help="show the coordinators' pending notifications")
    outbox.add_argument(
        "--mark-sent", action="store_true", help="mark the shown notifications as delivered"
    )
    status = commands.add_parser("status", help="move a registration in its workflow")
    status.add_argument("registration_id", type=int)
    status.add_argument("new_status", choices=workflow.TARGET_STATUSES)
    commands.add_parser("purge", help="erase data past the retention periods (district.yml)")
    handoff = commands.add_parser("handoff", help="answer people who asked for a person")
    steps = handoff.add_subparsers(dest="handoff_command", required=True)
    steps.add_parser("list", help="the open handoffs, with their numbers")
    reply = steps.add_parser("reply", help="answer a web chat's handoff by its number")
    reply.add_argument("handoff_id", type=int)
    reply.add_argument("text", help="the answer, shown in the person's open chat page")
    end = steps.add_parser("end", help="end a handoff: the assistant answers again")
    end.add_argument("handoff_id", type=int)
    qr = commands.add_parser("qr", help="QR code of a Telegram start link, for flyers")
    qr.add_argument("--payload", required=True, help="e.g. mentor_tr, family_ar, plain")
    qr.add_argument("-o", "--output", type=Path, required=True, help="a .png, .svg or .pdf file")
    qr.add_argument("--username", help="the bot's @username (default: PATENBOT_BOT_USERNAME)")
    add_coordinator_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command and return the process exit code."""
    args = _parser().parse_args(argv)
    # Before any file is written: the database, logs and exports hold personal data.
    restrict_new_files()
    settings = Settings()
    command = args.command or "run"
    if command == "action-server":
        from bot.action_server import serve

        # Its stderr is the action server's own log file (the supervisor redirects it).
        logging.basicConfig(
            level=getattr(logging, settings.log_level.upper(), logging.INFO),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("httpx").setLevel(logging.WARNING)
        serve(settings)
        return 0
    # The terminal belongs to the chat: only errors are shown there; the log file gets
    # warnings too (refused coordinator attempts, server restarts).
    configure_logging(settings, screen_level=logging.ERROR)
    if command in {"run", "chat", "evaluate"}:
        from bot.app import run_chat, run_evaluation, run_supervised

        if command == "evaluate":
            return asyncio.run(run_evaluation(settings))
        if command == "chat":
            return asyncio.run(run_chat(settings, sender_id=args.sender))
        try:
            return asyncio.run(run_supervised(settings))
        except KeyboardInterrupt:  # Ctrl-C before the stop signals were in place
            return 130
    if command == "qr":
        return _write_qr(settings, args)
    if command == "coordinator":
        from bot.cli.accounts import run_coordinator_command

        return run_coordinator_command(settings, args)
    from bot.cli.coordinators import run_coordinators_command

    return run_coordinators_command(settings, args)


def _write_qr(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.telegram.qr import write_start_qr

    username = args.username or settings.bot_username
    if not username:
        sys.stderr.write("Give the bot's username: --username or PATENBOT_BOT_USERNAME.\n")
        return 2
    try:
        link = write_start_qr(username, args.payload, args.output)
    except ValueError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    sys.stdout.write(f"QR code for {link} written to {args.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
