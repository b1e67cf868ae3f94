"""``/start`` deep-link payloads such as ``mentor_tr``: audience and language of a link."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core import payloads
from bot.i18n.languages import is_supported

# What the start of a conversation shows for each audience: the payload of the
# matching greeting button (see utter_greet in domain.yml).
AUDIENCE_TOPICS = {
    "mentor": payloads.faq("how_to_apply"),
    "family": payloads.faq("parent_get_mentor"),
}
# Telegram allows A-Z, a-z, 0-9, _ and - in start payloads, up to 64 characters.
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class StartLink:
    """What a deep link presets."""

    source: str
    audience: str | None = None
    language: str | None = None

    @property
    def topic_payload(self) -> str | None:
        """Return the payload answered after the greeting, if the link names an audience."""
        return AUDIENCE_TOPICS.get(self.audience or "")


def parse_start_payload(payload: str) -> StartLink | None:
    """Read ``<audience>_<language>`` (either part optional, e.g. ``family_ar``, ``tr``).

    Unknown parts are ignored; the payload is still recorded as the source, so flyers
    with other names can be counted too. Returns None for malformed payloads.
    """
    if not _PAYLOAD.match(payload):
        return None
    audience = language = None
    for part in re.split(r"[_-]", payload.lower()):
        if part in AUDIENCE_TOPICS:
            audience = part
        elif part == "plain":
            language = "de-plain"
        elif is_supported(part) and language is None:
            language = part
    return StartLink(source=payload[:64], audience=audience, language=language)


def make_start_link(bot_username: str, payload: str) -> str:
    """Return the ``t.me`` link that starts the bot with ``payload``.

    Raises:
        ValueError: If the payload has characters Telegram does not allow.
    """
    if not _PAYLOAD.match(payload):
        raise ValueError("A start payload has 1-64 characters: A-Z, a-z, 0-9, _ and -.")
    return f"https://t.me/{bot_username.lstrip('@')}?start={payload}"
