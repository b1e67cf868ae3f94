"""Logging: our warnings and errors always reach a log file; the screen shows what fits."""

from __future__ import annotations

import logging
from logging.handlers import WatchedFileHandler
from pathlib import Path

from bot.private_files import private_folder
from bot.settings import Settings

LOG_FILE_NAME = "patenbot.log"
FILE_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def log_folder(settings: Settings) -> Path:
    """Return the folder of every log file (created for the owner only)."""
    return private_folder(settings.path(settings.data_dir)) / "logs"


def configure_logging(settings: Settings, *, screen_level: int | None) -> Path:
    """Send log records to ``data/logs/patenbot.log`` and, from ``screen_level`` on, to stderr.

    Args:
        settings: Where the data folder is, and the file's level (``PATENBOT_LOG_LEVEL``).
        screen_level: The lowest level shown on stderr; in the terminal chat only errors,
            because the screen belongs to the conversation. ``None`` keeps stderr silent.

    Returns:
        The log file.
    """
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    folder = private_folder(log_folder(settings))
    path = folder / LOG_FILE_NAME
    # Several of our processes append to the same file (the bot, admin commands); each
    # record is one write in append mode. WatchedFileHandler reopens it after logrotate.
    file_handler = WatchedFileHandler(path, encoding="utf-8")
    file_handler.setLevel(level)
    file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
    handlers: list[logging.Handler] = [file_handler]
    if screen_level is not None:
        screen = logging.StreamHandler()
        screen.setLevel(screen_level)
        screen.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handlers.append(screen)
    logging.basicConfig(level=level, handlers=handlers, force=True)
    # httpx logs request URLs at INFO, which for Telegram contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path
