"""`python -m bot handoff list|reply|end` against a real (SQLite) database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.storage import repository
from bot.storage.database import make_engine, make_session_factory, upgrade_database
from bot.telegram.handoffs import Handoffs


@pytest.fixture
def handoffs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Handoffs:
    monkeypatch.setenv("PATENBOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'patenbot.sqlite'}")
    upgrade_database(engine)
    return Handoffs(make_session_factory(engine))


def test_reply_end_and_refusals(
    handoffs: Handoffs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    web = handoffs.start("web:abc", "uk")
    telegram = handoffs.start("telegram-7", "tr")
    assert main(["handoff", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"#{web.id} Web, Ukrainisch" in listed and f"#{telegram.id} Telegram" in listed

    assert main(["handoff", "reply", str(web.id), "Guten Tag!\x1b[31m"]) == 0
    assert main(["handoff", "reply", str(telegram.id), "Hallo"]) == 1
    assert "coordinators' group" in capsys.readouterr().err
    assert main(["handoff", "reply", "999", "Hallo"]) == 1

    assert main(["handoff", "end", str(web.id)]) == 0
    assert main(["handoff", "reply", str(web.id), "zu spät"]) == 1
    sessions = make_session_factory(make_engine(f"sqlite:///{tmp_path / 'patenbot.sqlite'}"))
    with sessions() as session:
        rows = repository.web_messages(session=session, sender_id="web:abc")
        # The reply (terminal escapes removed), then the notice that the office has ended it.
        assert [(row.role, row.language) for row in rows] == [("office", "uk"), ("bot", "uk")]
        assert rows[0].text == "Guten Tag!"
