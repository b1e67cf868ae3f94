"""Rendezvous hashing of conversations to Rasa replicas, and the client's failover."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.core.rasa_client import RasaClient, RasaUnavailableError
from bot.core.routing import Replica, hash_order, replica_names
from tests.helpers import free_port

CONVERSATIONS = [f"telegram-{number}" for number in range(10_000)]


def replicas(count: int) -> list[Replica]:
    return [
        Replica(name, f"http://127.0.0.1:{9000 + i}")
        for i, name in enumerate(replica_names(count))
    ]


def first(conversation: str, among: list[Replica]) -> str:
    return hash_order(conversation, among)[0].name


def test_the_order_is_stable_and_does_not_depend_on_addresses_or_list_order() -> None:
    three = replicas(3)
    moved = [Replica(r.name, r.url.replace("9000", "7000")) for r in reversed(three)]
    for conversation in CONVERSATIONS[:500]:
        order = [r.name for r in hash_order(conversation, three)]
        assert order == [r.name for r in hash_order(conversation, three)]
        assert order == [r.name for r in hash_order(conversation, moved)]
        assert sorted(order) == ["rasa-1", "rasa-2", "rasa-3"]


@pytest.mark.parametrize("count", [2, 3, 4])
def test_conversations_spread_evenly(count: int) -> None:
    shares = Counter(first(c, replicas(count)) for c in CONVERSATIONS)
    assert set(shares) == set(replica_names(count))
    expected = len(CONVERSATIONS) / count
    # 10,000 draws: a fair split stays within a few per cent of its share.
    assert all(abs(n - expected) < 0.08 * expected for n in shares.values()), shares


def test_only_the_leaving_replicas_conversations_move_and_they_go_to_their_next() -> None:
    four = replicas(4)
    without_two = [r for r in four if r.name != "rasa-2"]
    moved = 0
    for conversation in CONVERSATIONS:
        order = [r.name for r in hash_order(conversation, four)]
        after = first(conversation, without_two)
        if order[0] == "rasa-2":
            moved += 1
            assert after == order[1]  # its next replica in the hash order
        else:
            assert after == order[0]  # everybody else stays where they were
    assert 0.2 < moved / len(CONVERSATIONS) < 0.3  # about a quarter


def test_a_new_replica_takes_only_its_share() -> None:
    stayed = sum(first(c, replicas(3)) == first(c, replicas(4)) for c in CONVERSATIONS)
    assert 0.7 < stayed / len(CONVERSATIONS) < 0.8


async def _read_request(reader: asyncio.StreamReader) -> None:
    """Read one HTTP request: its head and its body."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n")
         if line.lower().startswith(b"content-length")),
        0,
    )  # fmt: skip
    await reader.readexactly(length)


async def _write_answer(writer: asyncio.StreamWriter, text: str) -> None:
    """Answer with the REST channel's shape: ``[{"text": text}]``."""
    body = json.dumps([{"text": text}]).encode()
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()


async def _http_server(name: str) -> tuple[asyncio.Server, int]:
    """A one-route HTTP server answering every request with ``[{"text": name}]``."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await _write_answer(writer, name)
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.fixture
async def two_servers() -> AsyncIterator[list[Replica]]:
    one, port_one = await _http_server("rasa-1")
    two, port_two = await _http_server("rasa-2")
    try:
        yield [
            Replica("rasa-1", f"http://127.0.0.1:{port_one}"),
            Replica("rasa-2", f"http://127.0.0.1:{port_two}"),
        ]
    finally:
        one.close()
        two.close()


def _conversation_of(replica: str, among: list[Replica]) -> str:
    return next(c for c in CONVERSATIONS if first(c, among) == replica)


async def test_each_conversation_goes_to_its_replica(two_servers: list[Replica]) -> None:
    client = RasaClient(two_servers, timeout=5, token="t")
    try:
        for name in ("rasa-1", "rasa-2"):
            for _ in range(3):
                answer = await client.send(_conversation_of(name, two_servers), "hi", {})
                assert answer == [{"text": name}]
    finally:
        await client.aclose()


async def test_a_replica_that_is_down_or_refuses_hands_over_to_the_next(
    two_servers: list[Replica],
) -> None:
    down: set[str] = set()
    # rasa-1 at an address where nothing listens: the connection is refused.
    refusing = [Replica("rasa-1", f"http://127.0.0.1:{free_port()}"), two_servers[1]]
    conversation = _conversation_of("rasa-1", refusing)
    client = RasaClient(refusing, timeout=5, token="t", available=lambda n: n not in down)
    try:
        assert await client.send(conversation, "hi", {}) == [{"text": "rasa-2"}]
        down.add("rasa-1")  # the supervisor knows it is down: not even tried
        assert [r.name for r in client.route(conversation)] == ["rasa-2"]
        assert await client.send(conversation, "hi", {}) == [{"text": "rasa-2"}]
        down.add("rasa-2")
        with pytest.raises(RasaUnavailableError, match="no Rasa replica is up"):
            await client.send(conversation, "hi", {})
    finally:
        await client.aclose()


async def test_requests_beyond_the_concurrency_wait_in_the_client_not_in_rasa() -> None:
    """Like Rasa, this server works one turn after the other (0.2 s each).

    Eight conversations send at once to a client that may have two requests in flight
    and waits 0.5 s for an answer. Queued in the server, the later ones would time out
    (the eighth is answered after 1.6 s); queued in the client, every one is answered.
    """
    one_at_a_time = asyncio.Lock()
    in_flight = 0
    most_in_flight = 0

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        try:
            await _read_request(reader)
            async with one_at_a_time:
                await asyncio.sleep(0.2)
            await _write_answer(writer, "ok")
        finally:
            in_flight -= 1
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    client = RasaClient([Replica("rasa-1", url)], timeout=0.5, token="t", concurrency=2)
    try:
        answers = await asyncio.gather(*(client.send(f"telegram-{n}", "hi", {}) for n in range(8)))
        assert answers == [[{"text": "ok"}]] * 8
        assert most_in_flight <= 2
    finally:
        await client.aclose()
        server.close()


def test_the_concurrency_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RasaClient("http://127.0.0.1:1", timeout=1, token="t", concurrency=0)


async def test_a_turn_that_waits_too_long_for_its_replica_is_given_up_unsent() -> None:
    """One request holds the only slot for a second; the next may wait 0.2 s only."""
    received = 0

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        await _read_request(reader)
        received += 1
        await asyncio.sleep(1.0)
        await _write_answer(writer, "ok")
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    client = RasaClient(
        [Replica("rasa-1", url)], timeout=5, token="t", concurrency=1, queue_timeout=0.2
    )
    try:
        first = asyncio.create_task(client.send("telegram-1", "hi", {}))
        await asyncio.sleep(0.05)
        with pytest.raises(RasaUnavailableError, match="overloaded"):
            await client.send("telegram-2", "hi", {})
        assert await first == [{"text": "ok"}]
        assert received == 1  # the second turn was never sent
        # The slot is free again: the next turn goes through.
        assert await client.send("telegram-2", "hi", {}) == [{"text": "ok"}]
    finally:
        await client.aclose()
        server.close()
