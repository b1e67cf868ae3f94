"""The conversation core's state between turns, kept in the database.

Nothing a conversation needs lives only in one process's memory: the language state, the
source of the link it came from, the issued button tokens and the "not sure" count are
rows (bot/storage/conversation_state.py), read at every turn, so a restarted front end or
a second front-end worker continues every conversation, old buttons included. The one
thing cached here is the last language seen per conversation, for texts that must be
chosen without a database read (a "one moment, please" while a turn runs); a cache miss
falls back to the client's hint.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from sqlalchemy.orm import Session, sessionmaker

from bot.i18n.decision import LanguageState
from bot.storage import conversation_state as repo
from bot.storage.conversation_state import StoredState

LANGUAGE_CACHE_SIZE = 10_000


class ConversationStore:
    """Reads and writes the conversation state; every call runs off the event loop."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        """Use ``sessions`` (each call is one short transaction)."""
        self._sessions = sessions
        self._languages: OrderedDict[str, LanguageState] = OrderedDict()

    def cached_language(self, sender_id: str) -> LanguageState | None:
        """Return the language last read or written for the conversation here, if any."""
        return self._languages.get(sender_id)

    def _remember(self, sender_id: str, state: LanguageState | None) -> None:
        if state is None:
            self._languages.pop(sender_id, None)
            return
        self._languages[sender_id] = state
        self._languages.move_to_end(sender_id)
        while len(self._languages) > LANGUAGE_CACHE_SIZE:
            self._languages.popitem(last=False)

    async def load(self, sender_id: str) -> StoredState | None:
        """Return the conversation's stored state."""

        def read() -> StoredState | None:
            with self._sessions() as session:
                return repo.get_state(session=session, sender_id=sender_id)

        stored = await asyncio.to_thread(read)
        if stored is not None and stored.language is not None:
            self._remember(sender_id, LanguageState(stored.language, stored.language_explicit))
        return stored

    async def save_turn(
        self,
        sender_id: str,
        state: LanguageState,
        *,
        source: str | None,
        buttons: dict[str, str],
    ) -> None:
        """Store what a turn changed, in one transaction: the language, the new buttons."""
        self._remember(sender_id, state)

        def write() -> None:
            with self._sessions.begin() as session:
                repo.save_language(
                    session=session,
                    sender_id=sender_id,
                    language=state.language,
                    explicit=state.explicit,
                    source=source,
                )
                repo.add_buttons(session=session, sender_id=sender_id, buttons=buttons)

        await asyncio.to_thread(write)

    async def save_source(self, sender_id: str, source: str) -> None:
        """Store the source of the link the conversation started from."""

        def write() -> None:
            with self._sessions.begin() as session:
                repo.save_source(session=session, sender_id=sender_id, source=source)

        await asyncio.to_thread(write)

    async def add_buttons(self, sender_id: str, buttons: dict[str, str]) -> None:
        """Store issued button tokens with their payloads."""
        if not buttons:
            return

        def write() -> None:
            with self._sessions.begin() as session:
                repo.add_buttons(session=session, sender_id=sender_id, buttons=buttons)

        await asyncio.to_thread(write)

    async def button_payload(self, sender_id: str, token: str) -> str | None:
        """Return the payload of a token issued to the conversation, if any."""

        def read() -> str | None:
            with self._sessions() as session:
                return repo.button_payload(session=session, sender_id=sender_id, token=token)

        return await asyncio.to_thread(read)

    async def count_unsure(self, sender_id: str, *, unsure: bool) -> int:
        """Count a "not sure" turn, or reset the count; return it."""

        def write() -> int:
            with self._sessions.begin() as session:
                return repo.count_unsure(session=session, sender_id=sender_id, unsure=unsure)

        return await asyncio.to_thread(write)

    async def reset_unsure(self, sender_id: str) -> None:
        """Set the "not sure" count back to zero."""

        def write() -> None:
            with self._sessions.begin() as session:
                repo.reset_unsure(session=session, sender_id=sender_id)

        await asyncio.to_thread(write)

    async def forget(self, sender_id: str) -> None:
        """Erase the conversation's state (after the person asked to delete their data)."""
        self._remember(sender_id, None)

        def write() -> None:
            with self._sessions.begin() as session:
                repo.delete_state(session=session, sender_id=sender_id)

        await asyncio.to_thread(write)

    async def first_delivery(self, update_id: int) -> bool:
        """Record a Telegram update id; return False for a repeat (even across restarts)."""

        def write() -> bool:
            with self._sessions.begin() as session:
                return repo.first_delivery(session=session, update_id=update_id)

        return await asyncio.to_thread(write)
