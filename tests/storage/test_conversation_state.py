"""The state between turns on both databases: upserts, counters, buttons, update ids."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage import conversation_state as repo
from bot.storage import repository
from bot.storage.models import ConversationState, IssuedButton, utcnow

SENDER = "telegram-7"


def test_language_source_and_unsure_count_are_one_row_per_conversation(
    session: Session,
) -> None:
    assert repo.get_state(session=session, sender_id=SENDER) is None
    repo.save_source(session=session, sender_id=SENDER, source="mentor_tr")
    repo.save_language(
        session=session, sender_id=SENDER, language="tr", explicit=True, source=None
    )
    assert repo.count_unsure(session=session, sender_id=SENDER, unsure=True) == 1
    assert repo.count_unsure(session=session, sender_id=SENDER, unsure=True) == 2
    session.commit()
    assert repo.get_state(session=session, sender_id=SENDER) == repo.StoredState(
        "tr", True, "mentor_tr", 2
    )
    assert repo.count_unsure(session=session, sender_id=SENDER, unsure=False) == 0
    assert repo.count_unsure(session=session, sender_id="telegram-8", unsure=True) == 1
    assert session.scalar(select(func.count()).select_from(ConversationState)) == 2


def test_buttons_belong_to_their_conversation_and_only_the_newest_are_kept(
    session: Session,
) -> None:
    for batch in range(repo.MAX_ISSUED_BUTTONS // 2 + 1):
        buttons = {f"t{batch}a": "/affirm", f"t{batch}b": "/deny"}
        repo.add_buttons(session=session, sender_id=SENDER, buttons=buttons)
    session.commit()
    assert repo.button_payload(session=session, sender_id=SENDER, token="t0a") is None  # expired
    last = repo.MAX_ISSUED_BUTTONS // 2
    assert repo.button_payload(session=session, sender_id=SENDER, token=f"t{last}b") == "/deny"
    assert repo.button_payload(session=session, sender_id="other", token=f"t{last}b") is None
    count = select(func.count()).select_from(IssuedButton)
    assert session.scalar(count) == repo.MAX_ISSUED_BUTTONS
    repository.delete_conversation(session=session, sender_id=SENDER)  # what /delete does
    assert session.scalar(count) == 0
    assert repo.get_state(session=session, sender_id=SENDER) is None


def test_an_update_id_is_taken_once(session: Session) -> None:
    assert repo.first_delivery(session=session, update_id=10**12)
    session.commit()
    assert not repo.first_delivery(session=session, update_id=10**12)
    assert repo.first_delivery(session=session, update_id=10**12 + 1)


def test_retention_erases_old_state(session: Session) -> None:
    repo.save_language(
        session=session, sender_id=SENDER, language="de", explicit=False, source=None
    )
    repo.add_buttons(session=session, sender_id=SENDER, buttons={"tok": "/greet"})
    repo.first_delivery(session=session, update_id=1)
    session.commit()
    assert repo.delete_states_before(session=session, cutoff=utcnow() - timedelta(days=1)) == 0
    assert repo.delete_states_before(session=session, cutoff=utcnow() + timedelta(seconds=1)) == 1
    assert repo.button_payload(session=session, sender_id=SENDER, token="tok") is None
    assert not repo.first_delivery(session=session, update_id=1)  # kept for 2 days only
    repo.delete_received_updates_before(session=session, cutoff=utcnow() + timedelta(seconds=1))
    assert repo.first_delivery(session=session, update_id=1)
