"""Tell a real answer from the bot's stand-ins: the slow-reply notice and the apologies.

Under load the Telegram bot first sends "one moment, please" after four seconds, and a
turn Rasa does not answer in time gets an apology ("please write again in a few
minutes"). Neither is an answer: the benchmarks time a turn until its first real answer
and count a turn that got only an apology as lost.
"""

from __future__ import annotations

import functools

from bot.channels.telegram.users import SLOW_REPLY
from bot.core.conversation import APOLOGIES
from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import LANGUAGES
from bot.settings import PROJECT_ROOT


class ReplyKinds:
    """The stand-in texts in every language, from the catalogs."""

    def __init__(self, catalogs: Catalogs | None = None) -> None:
        catalogs = catalogs or Catalogs(PROJECT_ROOT / "locale")
        codes = [language.code for language in LANGUAGES]
        self.notices = frozenset(catalogs.pgettext(code, *SLOW_REPLY) for code in codes)
        self.apologies = frozenset(
            catalogs.pgettext(code, *apology) for code in codes for apology in APOLOGIES
        )

    def is_answer(self, text: str | None) -> bool:
        """Return True unless the text is the slow-reply notice or an apology."""
        return text not in self.notices and text not in self.apologies

    def is_apology(self, text: str | None) -> bool:
        """Return True if the text says the turn got no answer."""
        return text in self.apologies


@functools.cache
def reply_kinds() -> ReplyKinds:
    """Return the stand-in texts, read from the catalogs once."""
    return ReplyKinds()
