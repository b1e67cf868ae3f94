"""What the tracker store reports about the turn the REST channel is handling."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class TurnRecord:
    """Filled in by the tracker store while one webhook request is handled.

    Attributes:
        retrieve_failed: The conversation could not be read.
        save_failed: The turn's events could not be stored.
        session_events: Events in the conversation's current session after the save.
        active_loop: The form that is active after the turn, if any.
    """

    retrieve_failed: bool = False
    save_failed: bool = False
    session_events: int = 0
    active_loop: str | None = None

    @property
    def lost(self) -> bool:
        """Return whether the turn was not stored."""
        return self.retrieve_failed or self.save_failed


# Set by the REST channel for the request it handles. The record is a mutable object,
# so the store's findings reach the channel even through a copied context.
CURRENT_TURN: ContextVar[TurnRecord | None] = ContextVar("patenbot_turn", default=None)
