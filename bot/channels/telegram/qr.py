"""QR codes for flyers: a ``t.me`` link that starts the bot with a deep-link payload."""

from __future__ import annotations

from pathlib import Path

import segno

from bot.channels.telegram.deeplinks import make_start_link


def write_start_qr(bot_username: str, payload: str, path: Path, *, scale: int = 10) -> str:
    """Write a QR code of the bot's start link to ``path`` (PNG, SVG or PDF by suffix).

    Returns:
        The link the code holds.

    Raises:
        ValueError: If the payload has characters Telegram does not allow.
    """
    link = make_start_link(bot_username, payload)
    segno.make(link, error="m", micro=False).save(str(path), scale=scale, border=4)
    return link
