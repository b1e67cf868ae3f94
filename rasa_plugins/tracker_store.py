"""Rasa's SQL tracker store, made loud: a turn that cannot be stored is reported.

Rasa wraps every tracker store in ``FailSafeTrackerStore``, which logs a failed save
and keeps the turn in memory only, while the user gets the bot's answer as if all was
well. This store records the failure for the REST channel
(:mod:`rasa_plugins.rest_channel`), which then answers with an error so the user is
asked to send the message again. Errors are re-raised without their text, because
SQLAlchemy's messages contain the statement's parameters (the user's message).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_plugins.turns import CURRENT_TURN

logger = logging.getLogger(__name__)


class TurnNotStoredError(RuntimeError):
    """The tracker store could not read or write a conversation (no details: privacy)."""


def session_length(tracker: DialogueStateTracker) -> int:
    """Return the number of events since the tracker's latest session start."""
    count = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        count += 1
    return count


class PatenbotTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that reports failed reads and saves of the current turn."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Connect as Rasa does, with connections tested before use.

        Rasa's engine has no ``pool_pre_ping``: after a restart of PostgreSQL every
        pooled connection is dead, and the next turn of each would fail. The pool's
        pre-ping (SQLAlchemy 1.4 keeps it in ``Pool._pre_ping``) replaces a dead
        connection before the turn uses it.
        """
        super().__init__(*args, **kwargs)
        self.engine.pool._pre_ping = True

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Read the conversation's latest session; report a failure to the channel."""
        try:
            return await super().retrieve(sender_id)
        except Exception as error:
            turn = CURRENT_TURN.get()
            if turn is not None:
                turn.retrieve_failed = True
            logger.error("Reading a conversation failed (%s).", type(error).__name__)
            raise TurnNotStoredError(type(error).__name__) from None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the turn's new events; report a failure to the channel."""
        turn = CURRENT_TURN.get()
        if turn is not None and turn.retrieve_failed:
            # The turn ran on an empty tracker (Rasa's fallback after the failed read):
            # storing its events would append a wrong history to the conversation.
            raise TurnNotStoredError("the conversation could not be read")
        try:
            await super().save(tracker)
        except Exception as error:
            if turn is not None:
                turn.save_failed = True
            logger.error("Storing a turn failed (%s).", type(error).__name__)
            raise TurnNotStoredError(type(error).__name__) from None
        if turn is not None:
            turn.session_events = session_length(tracker)
            turn.active_loop = tracker.active_loop_name
