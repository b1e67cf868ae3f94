"""Nobody else on the machine may use the servers (issue 9, item 12): real servers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.settings import Settings

pytestmark = pytest.mark.e2e

WRONG = {"none": None, "wrong": "not-the-token"}


def _headers(token: str | None) -> dict[str, str]:
    return {} if token is None else {"X-Patenbot-Token": token}


def _params(token: str | None) -> dict[str, str]:
    return {} if token is None else {"token": token}


@pytest.mark.parametrize("token", WRONG.values(), ids=WRONG.keys())
def test_rasa_http_api_refuses_requests_without_its_token(
    servers: Settings, token: str | None
) -> None:
    answer = httpx.get(
        f"{servers.rasa_url}/conversations/someone/tracker", params=_params(token), timeout=10
    )
    assert answer.status_code == 401
    assert "slots" not in answer.text


@pytest.mark.parametrize("token", WRONG.values(), ids=WRONG.keys())
def test_rest_webhook_refuses_messages_without_the_token(
    servers: Settings, token: str | None
) -> None:
    answer = httpx.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        json={"sender": "someone-else", "message": "/show_my_data"},
        headers=_headers(token),
        timeout=30,
    )
    assert answer.status_code == 401


def test_with_the_token_rasa_answers(servers: Settings) -> None:
    token = servers.rasa_token.get_secret_value()
    tracker = httpx.get(
        f"{servers.rasa_url}/conversations/e2e-sec/tracker", params=_params(token), timeout=10
    )
    assert tracker.status_code == 200
    reply = httpx.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        json={"sender": "e2e-sec", "message": "Hallo", "metadata": {"language": "de"}},
        headers=_headers(token),
        timeout=60,
    )
    assert reply.status_code == 200 and reply.json()


def _action_call(sender: str) -> dict[str, object]:
    """What Rasa sends to run ``action_show_my_data`` for a conversation."""
    return {
        "next_action": "action_show_my_data",
        "sender_id": sender,
        "tracker": {
            "sender_id": sender, "slots": {"language": "de"}, "latest_message": {},
            "events": [], "paused": False, "followup_action": None, "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.21",
    }  # fmt: skip


NLG_CALL = {"response": "utter_greet", "tracker": {"slots": {"language": "de"}, "events": []}}


@pytest.mark.parametrize("token", WRONG.values(), ids=WRONG.keys())
def test_action_server_and_nlg_refuse_calls_without_the_action_token(
    servers: Settings, token: str | None
) -> None:
    forged = httpx.post(
        f"{servers.action_url}/webhook",
        json=_action_call("e2e-sec"),
        headers=_headers(token),
        timeout=30,
    )
    assert forged.status_code == 401
    nlg = httpx.post(f"{servers.action_url}/nlg", json=NLG_CALL, headers=_headers(token))
    assert nlg.status_code == 401
    # The Rasa token is not the action token either.
    other = httpx.post(
        f"{servers.action_url}/nlg",
        json=NLG_CALL,
        headers=_headers(servers.rasa_token.get_secret_value()),
    )
    assert other.status_code == 401


def test_with_the_action_token_the_action_server_answers(servers: Settings) -> None:
    headers = _headers(servers.action_token.get_secret_value())
    action = httpx.post(
        f"{servers.action_url}/webhook", json=_action_call("e2e-sec"), headers=headers, timeout=30
    )
    assert action.status_code == 200, action.text
    nlg = httpx.post(f"{servers.action_url}/nlg", json=NLG_CALL, headers=headers, timeout=30)
    assert nlg.status_code == 200 and nlg.json()["text"]
    assert httpx.get(f"{servers.action_url}/health", timeout=10).status_code == 200


def _listening_addresses(port: int) -> set[str]:
    """Return the IPv4/IPv6 addresses listening on ``port``, from the kernel's tables."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                addresses.add(address)
    return addresses


def test_servers_listen_on_loopback_only(servers: Settings) -> None:
    loopback = "0100007F"  # 127.0.0.1, little-endian hex as the kernel prints it
    assert _listening_addresses(servers.rasa_port) == {loopback}
    assert _listening_addresses(servers.action_port) == {loopback}


def test_tokens_are_in_no_command_line_and_no_log(servers: Settings) -> None:
    secrets = [servers.rasa_token.get_secret_value(), servers.action_token.get_secret_value()]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        assert not any(secret in text for secret in secrets), cmdline
    logs = servers.path(servers.data_dir) / "logs"
    for log in logs.glob("*.log"):
        content = log.read_text(encoding="utf-8", errors="replace")
        assert not any(secret in content for secret in secrets), log
