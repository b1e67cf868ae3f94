"""The Telegram channel's application: built in a factory, one ``setup_handlers`` per feature.

Users are served in private chats only (bot.channels.telegram.users); a question can be
handed to the coordinators' group (handoff); coordinators get notifications, status
buttons and commands (coordinators). Every handler gets a
:class:`~bot.channels.telegram.context.PatenbotContext`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.channels.telegram import coordinators, handoff, users
from bot.channels.telegram.context import CHANNEL_KEY, CONTEXT_TYPES, TelegramChannel
from bot.channels.telegram.profile import register_profile
from bot.channels.telegram.webhook import WebhookReceiver
from bot.ops import metrics
from bot.settings import Settings

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(channel: TelegramChannel) -> AnyApplication:
    """Return the application for the channel's settings, with all handlers registered."""
    settings = channel.settings
    token = settings.telegram_bot_token
    if token is None:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set.")
    builder = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(True)
        .rate_limiter(AIORateLimiter())
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
    application = builder.build()
    setup_handlers(application, channel)
    return application


def setup_handlers(application: AnyApplication, channel: TelegramChannel) -> None:
    """Register every feature's handlers, in the order they must be tried.

    The application must be built with ``context_types(CONTEXT_TYPES)``. The
    coordinators' commands come before the users' handlers, which would otherwise take
    ``/stats`` in a private chat as a message.
    """
    application.bot_data[CHANNEL_KEY] = channel
    users.setup_middleware(application)
    coordinators.setup_handlers(application)
    users.setup_handlers(application)
    handoff.setup_handlers(application, channel.coordinators.chat_id)
    application.add_error_handler(on_error)


async def on_started(application: AnyApplication, channel: TelegramChannel) -> None:
    """Register the command menu and description, and start delivering the outbox."""
    try:
        await register_profile(application.bot, channel.catalogs, channel.facts)
    except TelegramError as error:
        # The menu is a convenience; the bot works without it and retries next start.
        logger.warning("The command menu could not be registered: %s", type(error).__name__)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            coordinators.deliver_outbox,
            interval=coordinators.OUTBOX_INTERVAL_SECONDS,
            first=0.5,
        )
        application.job_queue.run_repeating(
            handoff.deliver_office_replies,
            interval=handoff.OFFICE_REPLY_INTERVAL_SECONDS,
            first=1.0,
        )


async def on_error(_update: object, context: Any) -> None:
    """Log that handling an update failed, with only the kind of error."""
    # Only the kind: the error's message may quote what a user wrote.
    metrics.ERRORS.labels("handler").inc()
    logger.error(
        "Handling a Telegram update failed: %s",
        type(context.error).__name__ if context.error else "?",
    )


async def serve(channel: TelegramChannel, stop: asyncio.Event) -> None:
    """Run the bot by long polling, or by webhook if a webhook URL is set, until ``stop``.

    The caller sets ``stop`` (on a signal) instead of cancelling: polling then ends
    between two requests, with no "fetching updates was aborted" report.
    """
    settings = channel.settings
    application = build_application(channel)
    async with application:
        await application.start()
        await on_started(application, channel)
        receiver: WebhookReceiver | None = None
        updater = application.updater
        try:
            if settings.telegram_webhook_url:
                receiver = await _start_webhook(application, settings)
            else:
                if updater is None:
                    raise RuntimeError("The application has no updater.")
                await updater.start_polling(allowed_updates=Update.ALL_TYPES)
            await stop.wait()
        finally:
            if receiver is not None:
                with contextlib.suppress(TimeoutError):
                    await receiver.stop()
            if updater is not None and updater.running:
                await updater.stop()
            await application.stop()


async def _start_webhook(application: AnyApplication, settings: Settings) -> WebhookReceiver:
    """Listen for updates, then tell Telegram where to send them."""
    secret = settings.telegram_webhook_secret
    if secret is None or settings.telegram_webhook_url is None:
        raise RuntimeError(
            "Webhook mode needs PATENBOT_TELEGRAM_WEBHOOK_SECRET (Telegram sends it "
            "with every update, so that no one else can post updates)."
        )
    receiver = WebhookReceiver(application, secret.get_secret_value())
    receiver.listen(settings.telegram_webhook_listen, settings.telegram_webhook_port)
    await application.bot.set_webhook(
        url=settings.telegram_webhook_url,
        secret_token=secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
    )
    return receiver
