"""Drives the shared conversation core like a person at the terminal."""

from __future__ import annotations

from bot.core.conversation import ConversationService, Reply


class ChatDriver:
    """Types messages and presses buttons by their shown title."""

    def __init__(self, service: ConversationService, sender_id: str) -> None:
        self.service = service
        self.sender_id = sender_id
        self.last: list[Reply] = []

    async def say(self, text: str) -> str:
        self.last = await self.service.handle_text(self.sender_id, text)
        return self.text

    async def press(self, title: str) -> str:
        for reply in self.last:
            for choice in reply.choices:
                if choice.title == title:
                    self.last = await self.service.handle_button(self.sender_id, choice.token)
                    return self.text
        shown = [choice.title for reply in self.last for choice in reply.choices]
        raise AssertionError(f"no button {title!r}; shown: {shown}")

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.last)
