"""The benchmarks tell real answers from the slow-reply notice and the apologies."""

from __future__ import annotations

from bot.channels.telegram.users import SLOW_REPLY
from bot.core.conversation import RASA_UNAVAILABLE
from bot.i18n.catalogs import Catalogs
from bot.settings import PROJECT_ROOT
from tests.benchmarks.replies import ReplyKinds


def test_notices_and_apologies_are_not_answers_in_any_language() -> None:
    catalogs = Catalogs(PROJECT_ROOT / "locale")
    kinds = ReplyKinds(catalogs)
    for code in ("de", "ar", "uk"):
        notice = catalogs.pgettext(code, *SLOW_REPLY)
        apology = catalogs.pgettext(code, *RASA_UNAVAILABLE)
        assert not kinds.is_answer(notice) and not kinds.is_apology(notice)
        assert not kinds.is_answer(apology) and kinds.is_apology(apology)
    assert kinds.is_answer("Eine Patenschaft ist eine feste Begleitung für ein Kind.")
