"""A small Telegram Bot API emulator on loopback, for the end-to-end tests.

It speaks real HTTP with the JSON shapes of https://core.telegram.org/bots/api for
exactly the methods Patenbot uses, serves updates by long polling (``getUpdates``)
like Telegram, and records every call for assertions. Tests play the users: they
post messages, button presses, stickers … as updates.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "123456:TEST-TOKEN"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Patenbot",
    "username": "patenbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters python-telegram-bot sends JSON-encoded; all others are plain strings.
JSON_PARAMETERS = frozenset(
    {
        "chat_id",
        "message_id",
        "reply_markup",
        "commands",
        "scope",
        "offset",
        "limit",
        "timeout",
        "allowed_updates",
        "show_alert",
        "reaction",
        "is_big",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "reply_parameters",
        "link_preview_options",
        "max_connections",
    }
)


class _Server(ThreadingHTTPServer):
    # Telegram takes many connections at once; http.server's default backlog is 5.
    request_queue_size = 512


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, Any]
    at: float


@dataclass(frozen=True)
class User:
    """A Telegram user the test plays."""

    id: int
    first_name: str
    language_code: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the User object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def private_chat(self) -> dict[str, Any]:
        """Return the private Chat object with this user."""
        return {"id": self.id, "type": "private", "first_name": self.first_name}


def group_chat(chat_id: int, title: str = "Koordination Patenschaften") -> dict[str, Any]:
    """Return a supergroup Chat object."""
    return {"id": chat_id, "type": "supergroup", "title": title}


@dataclass
class _State:
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    redeliveries: list[dict[str, Any]] = field(default_factory=list)
    sent_texts: defaultdict[int, list[str | None]] = field(
        default_factory=lambda: defaultdict(list)
    )


_UPDATE_ID_BASES = itertools.count(1000, 1_000_000)


class BotApiEmulator:
    """The emulator: start it, point the bot at :attr:`base_url`, play users."""

    def __init__(self, token: str = TOKEN) -> None:
        """Create a stopped emulator for one bot token."""
        self.token = token
        self._state = _State()
        self._changed = threading.Condition()
        # Telegram's ids grow per bot; a new emulator (the same bot token) in the same test
        # process continues above the earlier ones, as the bot stores the ids it saw.
        self._update_ids = itertools.count(next(_UPDATE_ID_BASES))
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Return the value for ``TELEGRAM_API_BASE_URL``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        with self._changed:
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # --- the users' side ---------------------------------------------------------

    def user_sends(
        self,
        user: User,
        text: str,
        *,
        chat: dict[str, Any] | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Post a text message from ``user`` (a command gets its ``bot_command`` entity)."""
        message = self._user_message(user, chat)
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self._store_message(message)
        self.push_update({"message": message})
        return message

    def user_sends_content(self, user: User, kind: str) -> None:
        """Post a sticker, photo, voice, document or location from ``user``."""
        file = {"file_id": f"file-{kind}", "file_unique_id": f"u-{kind}"}
        contents: dict[str, Any] = {
            "sticker": {
                **file,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
            "photo": [{**file, "width": 640, "height": 480}],
            "voice": {**file, "duration": 3},
            "document": {**file, "file_name": "scan.pdf"},
            "location": {"latitude": 48.68, "longitude": 9.01},
        }
        message = self._user_message(user, None)
        message[kind] = contents[kind]
        self.push_update({"message": message})

    def user_edits(self, user: User, original: dict[str, Any], text: str) -> None:
        """Post an edit of a message the user sent earlier."""
        edited = {**original, "text": text, "edit_date": int(time.time())}
        self.push_update({"edited_message": edited})

    def user_presses(self, user: User, message: dict[str, Any], button_text: str) -> None:
        """Press the inline button with this text under a message the bot sent."""
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == button_text:
                    self.press_callback(user, message, button["callback_data"])
                    return
        raise AssertionError(f"No button {button_text!r} under message {message.get('text')!r}")

    def press_callback(self, user: User, message: dict[str, Any], data: str) -> None:
        """Post a callback query with any data (also data the bot never issued)."""
        self.push_update(
            {
                "callback_query": {
                    "id": str(next(self._callback_ids)),
                    "from": user.as_json(),
                    "chat_instance": "ci-1",
                    "data": data,
                    "message": message,
                }
            }
        )

    def push_update(self, update: dict[str, Any], *, redeliver_of: int | None = None) -> int:
        """Queue a raw update for ``getUpdates``; return its ``update_id``.

        ``redeliver_of`` sends an update again with the id it had, as Telegram does when it
        did not get a confirmation (the bot must handle it only once).
        """
        update_id = redeliver_of if redeliver_of is not None else next(self._update_ids)
        entry = {"update_id": update_id, **update}
        with self._changed:
            self._state.updates.append(entry)
            if redeliver_of is not None:
                self._state.redeliveries.append(entry)
            self._changed.notify_all()
        return update_id

    # --- what the bot did --------------------------------------------------------

    def redeliveries_pending(self) -> int:
        """Return how many redelivered updates the bot has not fetched yet."""
        with self._changed:
            return len(self._state.redeliveries)

    def calls(self, method: str | None = None) -> list[Call]:
        """Return the calls so far (of one method, if given)."""
        with self._changed:
            return [c for c in self._state.calls if method is None or c.method == method]

    def count_to(self, chat_id: int) -> int:
        """Return how many messages the bot has sent to a chat (cheap, for long runs)."""
        with self._changed:
            return len(self._state.sent_texts[chat_id])

    def texts_to(self, chat_id: int, start: int = 0) -> list[str | None]:
        """Return the texts of the bot's messages to a chat as sent, from ``start`` on."""
        with self._changed:
            return self._state.sent_texts[chat_id][start:]

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Return the current state of every message the bot sent to a chat, in order."""
        with self._changed:
            return [
                m
                for (chat, _), m in sorted(
                    self._state.messages.items(), key=lambda item: item[1]["message_id"]
                )
                if chat == chat_id and m.get("from", {}).get("is_bot")
            ]

    def file(self, file_id: str) -> bytes:
        """Return the bytes of a document the bot sent."""
        with self._changed:
            return self._state.files[file_id]

    async def wait_for(
        self, predicate: Callable[[BotApiEmulator], Any], within: float = 60.0
    ) -> Any:
        """Wait until ``predicate(self)`` is truthy and return its value."""
        deadline = time.monotonic() + within
        while True:
            value = predicate(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"Timed out after {within} s waiting for {predicate}")
            await asyncio.sleep(0.05)

    async def wait_for_text(
        self, chat_id: int, fragment: str, *, after: int = 0, within: float = 60.0
    ) -> dict[str, Any]:
        """Wait for a bot message to ``chat_id`` containing ``fragment`` (after message no.)."""

        def found(emulator: BotApiEmulator) -> dict[str, Any] | None:
            for message in emulator.messages_to(chat_id)[after:]:
                if fragment in (message.get("text") or message.get("caption") or ""):
                    return message
            return None

        return await self.wait_for(found, within)  # type: ignore[no-any-return]

    # --- the Bot API -------------------------------------------------------------

    def _user_message(self, user: User, chat: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or user.private_chat(),
            "from": user.as_json(),
        }

    def _store_message(self, message: dict[str, Any]) -> None:
        key = (message["chat"]["id"], message["message_id"])
        if key not in self._state.messages and message.get("from", {}).get("is_bot"):
            self._state.sent_texts[key[0]].append(message.get("text"))
        self._state.messages[key] = message

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return group_chat(chat_id)
        return {"id": chat_id, "type": "private", "first_name": "User"}

    def _bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(int(params["chat_id"])),
            "from": BOT_USER,
            **content,
        }
        markup = params.get("reply_markup")
        if markup:
            message["reply_markup"] = markup
        self._store_message(message)
        return message

    def _edit(self, params: dict[str, Any], **changes: Any) -> dict[str, Any] | None:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self._state.messages.get(key)
        if message is None:
            return None
        message.update(changes)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        return message

    def _call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call (the lock is held)."""
        result: Any = True
        if method == "getMe":
            result = BOT_USER
        elif method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(params)}
        elif method in {
            "deleteWebhook",
            "setWebhook",
            "setMyCommands",
            "setMyDescription",
            "setMyShortDescription",
            "answerCallbackQuery",
            "sendChatAction",
            "setMessageReaction",
            "close",
            "logOut",
        }:
            result = True
        elif method == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        elif method == "sendMessage":
            content: dict[str, Any] = {"text": params["text"]}
            if params.get("parse_mode"):
                content["parse_mode_used"] = params["parse_mode"]
            result = self._bot_message(params, **content)
        elif method == "editMessageText":
            result = self._edit(params, text=params["text"])
        elif method == "editMessageReplyMarkup":
            result = self._edit(params)
        elif method == "sendDocument":
            document = params["document"]
            file_id = f"doc-{len(self._state.files) + 1}"
            self._state.files[file_id] = document["content"]
            result = self._bot_message(
                params,
                document={
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "file_name": document["filename"],
                },
                caption=params.get("caption", ""),
            )
        else:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method"}
        if result is None:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message to edit not found",
            }
        return 200, {"ok": True, "result": result}

    def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        state = self._state

        def pending() -> list[dict[str, Any]]:
            # Confirmed updates (below the offset) go, except a redelivery not yet sent.
            return [
                u
                for u in state.updates
                if u["update_id"] >= offset or any(u is r for r in state.redeliveries)
            ]

        state.updates = pending()
        while not state.updates and time.monotonic() < deadline:
            self._changed.wait(timeout=deadline - time.monotonic())
            state.updates = pending()
        batch = state.updates[: int(params.get("limit") or 100)]
        state.redeliveries = [r for r in state.redeliveries if not any(r is u for u in batch)]
        return list(batch)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test output quiet."""

            def do_POST(self) -> None:
                prefix = f"/bot{emulator.token}/"
                if not self.path.startswith(prefix):
                    self._answer(
                        401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                    )
                    return
                method = self.path[len(prefix) :]
                params = _read_params(self)
                with emulator._changed:
                    if method != "getUpdates":
                        emulator._state.calls.append(Call(method, params, time.monotonic()))
                    status, body = emulator._call(method, params)
                    emulator._changed.notify_all()
                self._answer(status, body)

            do_GET = do_POST  # noqa: N815

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _read_params(request: BaseHTTPRequestHandler) -> dict[str, Any]:
    length = int(request.headers.get("Content-Length") or 0)
    body = request.rfile.read(length) if length else b""
    content_type = request.headers.get("Content-Type") or ""
    raw: dict[str, Any] = {}
    if content_type.startswith("application/json"):
        raw = json.loads(body or b"{}")
        return raw
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename:
                raw[str(name)] = {"filename": filename, "content": payload}
            else:
                raw[str(name)] = payload.decode("utf-8")
    else:
        raw = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8")).items()}
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_PARAMETERS and isinstance(value, str):
            params[key] = json.loads(value)
        else:
            params[key] = value
    return params
