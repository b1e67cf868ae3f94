"""The Telegram channel's small parts: splitting, deep links, guards, /export arguments."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
import segno

from bot.channels.telegram.coordinators import ExportRequestError, parse_export_arguments
from bot.channels.telegram.deeplinks import make_start_link, parse_start_payload
from bot.channels.telegram.guards import PerUserLocks, RecentUpdates, UserRateLimiter
from bot.channels.telegram.profile import commands_for, telegram_language_codes
from bot.channels.telegram.texts import MAX_MESSAGE_CHARS, escape, split_message
from bot.i18n.catalogs import Catalogs


def test_short_text_is_one_message() -> None:
    assert split_message("Hallo. Wie geht's?") == ["Hallo. Wie geht's?"]


def test_long_text_is_split_at_sentence_ends() -> None:
    sentence = "Das ist ein ganz normaler Satz mit einigen Wörtern darin. "
    text = sentence * 200
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(part) <= MAX_MESSAGE_CHARS for part in parts)
    assert all(part.endswith(".") for part in parts)
    assert " ".join(parts) == text.strip()


def test_a_sentence_longer_than_the_limit_is_cut_at_spaces_then_hard() -> None:
    assert split_message("aaaa bbbb cccc", limit=9) == ["aaaa bbbb", "cccc"]
    assert split_message("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_arabic_question_marks_end_sentences() -> None:
    assert split_message("ما هي الرعاية؟ كيف أسجل؟", limit=15) == ["ما هي الرعاية؟", "كيف أسجل؟"]


def test_user_text_is_escaped_for_html() -> None:
    assert escape("<b>Ali & Co</b>") == "&lt;b&gt;Ali &amp; Co&lt;/b&gt;"


@pytest.mark.parametrize(
    ("payload", "audience", "language"),
    [
        ("mentor_tr", "mentor", "tr"),
        ("family_ar", "family", "ar"),
        ("uk", None, "uk"),
        ("mentor_plain", "mentor", "de-plain"),
        ("flyer-sindelfingen", None, None),
    ],
)
def test_start_payloads_preset_audience_and_language(
    payload: str, audience: str | None, language: str | None
) -> None:
    link = parse_start_payload(payload)
    assert link is not None
    assert (link.source, link.audience, link.language) == (payload, audience, language)
    assert (link.topic_payload is not None) == (audience is not None)


@pytest.mark.parametrize("payload", ["", "mentor tr", "x" * 65, "<script>", "family_ar;drop"])
def test_malformed_start_payloads_are_ignored(payload: str) -> None:
    assert parse_start_payload(payload) is None


def test_start_link_for_flyers() -> None:
    assert make_start_link("@patenbot_bb_bot", "mentor_tr") == (
        "https://t.me/patenbot_bb_bot?start=mentor_tr"
    )
    with pytest.raises(ValueError, match="start payload"):
        make_start_link("patenbot_bb_bot", "mentor tr")


def test_repeated_update_ids_are_recognised() -> None:
    recent = RecentUpdates(size=2)
    assert recent.first_time(1) and recent.first_time(2)
    assert not recent.first_time(2)
    assert recent.first_time(3)
    assert recent.first_time(1)  # forgotten: only the last ``size`` ids are kept


def test_rate_limit_per_user_with_one_notice_per_flood() -> None:
    now = [0.0]
    limiter = UserRateLimiter(limit=3, window=60, clock=lambda: now[0])
    assert [limiter.allow(7) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow(8)  # other users are not affected
    assert limiter.should_warn(7) and not limiter.should_warn(7)
    now[0] = 61.0
    assert limiter.allow(7)


async def test_each_users_turns_run_one_at_a_time_first_come_first_served() -> None:
    locks = PerUserLocks()
    done: list[tuple[int, int]] = []
    running: set[int] = set()

    async def turn(user: int, number: int, seconds: float) -> None:
        async with locks.hold(user):
            assert user not in running  # one turn per user at a time
            running.add(user)
            await asyncio.sleep(seconds)
            running.discard(user)
            done.append((user, number))

    # Later turns are quicker, so any unfairness would show as overtaking.
    tasks = [
        asyncio.create_task(turn(user, number, 0.02 * (5 - number)))
        for number in range(5)
        for user in (1, 2, 3)
    ]
    await asyncio.sleep(0.01)
    newcomer = asyncio.create_task(turn(1, 5, 0))  # arrives while user 1 is queued
    await asyncio.gather(*tasks, newcomer)
    for user in (1, 2, 3):
        assert [number for who, number in done if who == user] == list(range(5 if user > 1 else 6))
    assert len(locks) == 0  # nothing is kept for users without a running turn


def test_export_arguments() -> None:
    request = parse_export_arguments(
        ["csv", "kind=family", "status=new,contacted", "since=2026-01-31"]
    )
    assert request.file_format == "csv"
    assert request.filters.kind == "family"
    assert request.filters.statuses == ("new", "contacted")
    assert request.filters.since == datetime(2026, 1, 31, tzinfo=UTC)
    assert parse_export_arguments([]).file_format == "xlsx"


@pytest.mark.parametrize(
    "arguments", [["pdf"], ["kind=cats"], ["status=lost"], ["since=yesterday"]]
)
def test_bad_export_arguments_are_refused(arguments: list[str]) -> None:
    with pytest.raises(ExportRequestError):
        parse_export_arguments(arguments)


def test_command_menu_is_translated_for_every_telegram_language(catalogs: Catalogs) -> None:
    codes = telegram_language_codes()
    assert codes[None] == "de" and "de-plain" not in codes.values()
    german = [command.description for command in commands_for(catalogs, "de")]
    for language in codes.values():
        commands = commands_for(catalogs, language)
        assert [c.command for c in commands] == [
            "start", "help", "language", "privacy", "mydata", "delete", "cancel",
        ]  # fmt: skip
        assert all(0 < len(c.description) <= 256 for c in commands)
        if language != "de":
            assert [c.description for c in commands] != german, language


def test_flyer_qr_code_holds_the_start_link(tmp_path: Path) -> None:
    from bot.__main__ import main

    target = tmp_path / "flyer.png"
    assert (
        main(["qr", "--payload", "family_ar", "--username", "patenbot_bb_bot", "-o", str(target)])
        == 0
    )
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    expected = tmp_path / "expected.png"
    segno.make("https://t.me/patenbot_bb_bot?start=family_ar", error="m").save(
        str(expected), scale=10, border=4
    )
    assert target.read_bytes() == expected.read_bytes()
    assert main(["qr", "--payload", "family ar", "--username", "x_bot", "-o", str(target)]) == 2
