"""Command line: ``python -m bot run | chat | action-server``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Patenbot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser(
        "run", help="start the Rasa and action servers and chat (terminal without a token)"
    )
    chat = commands.add_parser("chat", help="chat in the terminal with servers already running")
    chat.add_argument("--sender", help="continue the conversation with this id")
    commands.add_parser("action-server", help="serve the custom actions and the NLG endpoint")
    commands.add_parser("evaluate", help="NLU accuracy per language on the held-out sets")
    return parser


def _configure_logging(settings: Settings, *, to_stderr: bool) -> None:
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    if to_stderr:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    else:
        # The terminal belongs to the chat: only problems are shown there.
        logging.basicConfig(level=logging.ERROR, format="%(levelname)s: %(message)s")
    # httpx logs request URLs at INFO, which for Telegram contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Run a command and return the process exit code."""
    args = _parser().parse_args(argv)
    settings = Settings()
    command = args.command or "run"
    if command == "action-server":
        from bot.action_server import serve

        _configure_logging(settings, to_stderr=True)
        serve(settings)
        return 0
    from bot.app import run_chat, run_evaluation, run_supervised

    _configure_logging(settings, to_stderr=False)
    if command == "evaluate":
        return asyncio.run(run_evaluation(settings))
    if command == "chat":
        return asyncio.run(run_chat(settings, sender_id=args.sender))
    return asyncio.run(run_supervised(settings))


if __name__ == "__main__":
    sys.exit(main())
