"""The web chat's HTTP side: the app factory, its routes (all listed in :func:`routes`).

The page works without JavaScript (forms post and the server redirects back); the
script adds sending without reload and server-sent events for the office's replies.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.district import District
from bot.facts import district_facts
from bot.i18n import Catalogs
from bot.languages import LANGUAGES, get_language, is_supported, match_client_language
from bot.nlg import ResponseRenderer
from bot.settings import PROJECT_ROOT, Settings
from bot.telegram.deeplinks import AUDIENCE_TOPICS

from .chat import ShownMessage, TurnResult, WebChat
from .security import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    RateLimiter,
    SecurityHeadersMiddleware,
    SenderCookie,
    new_sender_id,
)
from .texts import (
    INVALID_CONVERSATION,
    TOO_FAST,
    TOO_MANY_CONVERSATIONS,
    UNAVAILABLE,
    page_texts,
)

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
KERN_DIST = PROJECT_ROOT / "node_modules" / "@kern-ux" / "native" / "dist"
AXE_DIST = PROJECT_ROOT / "node_modules" / "axe-core"
EVENT_POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
# Open event streams per client address (each polls the database once a second).
MAX_STREAMS_PER_ADDRESS = 20
# A message of PATENBOT_MAX_MESSAGE_CHARS characters, percent-encoded, fits easily.
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True)
class WebContext:
    """What the routes share; kept in ``app.state.web``."""

    settings: Settings
    chat: WebChat
    catalogs: Catalogs
    district: District
    renderer: ResponseRenderer
    cookie: SenderCookie
    templates: Jinja2Templates
    per_conversation: RateLimiter
    per_address: RateLimiter
    new_conversations: RateLimiter
    open_streams: dict[str, int]


def html_lang(language: str) -> str:
    """Return the HTML ``lang`` value of a language (plain German is German)."""
    return get_language(language).locale.split("@")[0] if is_supported(language) else "de"


def text_direction(language: str) -> str:
    """Return ``rtl`` or ``ltr``."""
    return "rtl" if is_supported(language) and get_language(language).is_rtl else "ltr"


def accept_language(header: str | None) -> str | None:
    """Return the first supported language of an ``Accept-Language`` header (a hint only)."""
    if not header:
        return None
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                weight = 0.0
        weighted.append((-weight, position, tag.strip()))
    for _weight, _position, tag in sorted(weighted):
        language = match_client_language(tag)
        if language:
            return language
    return None


def _preset_language(value: str | None) -> str | None:
    if value in {"plain", "de-plain", "de_plain"}:
        return "de-plain"
    return value if value and is_supported(value) else None


def _preset_audience(value: str | None) -> str | None:
    return value if value in AUDIENCE_TOPICS else None


def _web(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _same_origin(request: Request) -> bool:
    """Refuse cross-site form posts (the SameSite cookie is the first defence)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def _read_form(request: Request) -> dict[str, str] | None:
    """Read a small URL-encoded form (our forms only; no files, no multipart)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    if not body:
        return {}
    try:
        pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    except ValueError:
        return None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)  # the first value counts, like a browser's form
    return form


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _set_cookie(context: WebContext, response: Response, sender_id: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        context.cookie.dump(sender_id),
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=context.settings.web_secure_cookies,
    )


def _facts(context: WebContext, language: str) -> dict[str, str]:
    return district_facts(context.district, context.catalogs, language, now=datetime.now(UTC))


def _message_view(message: ShownMessage) -> dict[str, Any]:
    view = message.as_json()
    view["lang"] = html_lang(message.language)
    return view


def _page_language(request: Request, messages: list[ShownMessage]) -> str:
    for message in reversed(messages):
        if message.role in {"bot", "office"}:
            return message.language
    preset = _preset_language(request.query_params.get("lang"))
    return preset or accept_language(request.headers.get("accept-language")) or "de"


def _render_page(
    request: Request,
    sender_id: str | None,
    *,
    messages: list[ShownMessage] | None = None,
    language: str | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = _web(request)
    if messages is None:
        messages = context.chat.transcript(sender_id) if sender_id else []
    language = language or _page_language(request, messages)
    last_user = max((m.id for m in messages if m.role == "user"), default=0)
    views = []
    for message in messages:
        view = _message_view(message)
        if message.id < last_user:
            view["choices"] = []  # only the latest turn's buttons can be pressed
        views.append(view)
    texts = page_texts(context.catalogs, language, _facts(context, language))
    response = context.templates.TemplateResponse(
        request,
        "chat.html",
        {
            "t": texts,
            "language": language,
            "html_lang": html_lang(language),
            "dir": text_direction(language),
            "messages": views,
            "last_id": max((m.id for m in messages), default=0),
            "has_conversation": bool(sender_id and messages),
            "audience": _preset_audience(request.query_params.get("audience")) or "",
            # Only a link's language counts as the user's choice (Accept-Language is a hint).
            "preset_lang": _preset_language(request.query_params.get("lang")) or "",
            "languages": [
                {
                    "code": item.code,
                    "name": item.native_name,
                    "lang": html_lang(item.code),
                    "dir": text_direction(item.code),
                }
                for item in LANGUAGES
            ],
            "max_chars": context.chat.max_message_chars,
            "alert": alert,
        },
        status_code=status_code,
    )
    return response


async def chat_page(request: Request) -> Response:
    """Show the chat: the first screen, or the conversation so far."""
    context = _web(request)
    sender_id = context.cookie.load(request.cookies.get(COOKIE_NAME))
    return await asyncio.to_thread(_render_page, request, sender_id)


async def privacy_page(request: Request) -> Response:
    """Show the privacy notice in the chosen language."""
    context = _web(request)
    language = (
        _preset_language(request.query_params.get("lang"))
        or accept_language(request.headers.get("accept-language"))
        or "de"
    )
    notice = context.renderer.render(
        "utter_faq/privacy", {"slots": {"language": language}, "events": [{"event": "bot"}]}
    )["text"]
    texts = page_texts(context.catalogs, language, _facts(context, language))
    return context.templates.TemplateResponse(
        request,
        "privacy.html",
        {
            "t": texts,
            "language": language,
            "html_lang": html_lang(language),
            "dir": text_direction(language),
            "notice": notice,
        },
    )


Action = Callable[[WebContext, str, bool, Any], Awaitable[TurnResult]]


async def _post(request: Request, action: Action) -> Response:
    """Run one user action: checks, rate limits, the turn, then JSON or a redirect."""
    context = _web(request)
    form = await _read_form(request)
    if form is None:
        return PlainTextResponse("Request too large or not a form", status_code=413)
    raw_cookie = request.cookies.get(COOKIE_NAME)
    sender_id = context.cookie.load(raw_cookie)
    hint = accept_language(request.headers.get("accept-language"))
    language = _preset_language(str(form.get("page_lang") or "")) or hint or "de"
    if not _same_origin(request) or (raw_cookie and sender_id is None):
        logger.warning("A web request with a forged cookie or from another site was refused.")
        return _refuse(request, context, language, INVALID_CONVERSATION, 403, sender_id)
    address = _client_address(request)
    if not context.per_address.allow(address):
        return _refuse(request, context, language, TOO_FAST, 429, sender_id)
    new = sender_id is None
    if sender_id is None:
        if not context.new_conversations.allow(address):
            logger.warning("Too many new web conversations from one address; refused.")
            return _refuse(request, context, language, TOO_MANY_CONVERSATIONS, 429, None)
        sender_id = new_sender_id()
    if not context.per_conversation.allow(sender_id):
        return _refuse(request, context, language, TOO_FAST, 429, sender_id)
    try:
        result = await action(context, sender_id, new, form)
    except Exception as error:
        # Only the kind of error: its message may quote what the user wrote.
        logger.error("A web turn failed: %s", type(error).__name__)
        return _refuse(request, context, language, UNAVAILABLE, 503, sender_id)
    if _wants_json(request):
        response: Response = JSONResponse(
            {
                "messages": [_message_view(m) for m in result.messages],
                "language": result.language,
                "erased": result.erased,
            }
        )
    elif result.erased:
        response = await asyncio.to_thread(
            _render_page, request, None, messages=result.messages, language=result.language
        )
    else:
        response = RedirectResponse("/#composer", status_code=303)
    if result.erased:
        response.delete_cookie(COOKIE_NAME, path="/")
    else:
        _set_cookie(context, response, sender_id)
    return response


def _refuse(
    request: Request,
    context: WebContext,
    language: str,
    message: tuple[str, str],
    status_code: int,
    sender_id: str | None,
) -> Response:
    text = context.catalogs.pgettext(language, *message)
    response: Response
    if _wants_json(request):
        response = JSONResponse(
            {"error": text, "lang": html_lang(language), "dir": text_direction(language)},
            status_code=status_code,
        )
    else:
        response = _render_page(
            request, sender_id if status_code != 403 else None, alert=text, status_code=status_code
        )
    if status_code == 403:
        # A cookie that is not ours is dropped, so a reload starts a new conversation.
        response.delete_cookie(COOKIE_NAME, path="/")
    return response


def _client_hint(request: Request) -> str | None:
    return accept_language(request.headers.get("accept-language"))


async def _start_if_new(
    context: WebContext, request: Request, sender_id: str, new: bool, form: Any
) -> TurnResult | None:
    """Greet a new conversation first, with the link's presets (stored as its source)."""
    if not new:
        return None
    language = _preset_language(str(form.get("lang") or ""))
    audience = _preset_audience(str(form.get("audience") or ""))
    parts = [part for part in (audience, form.get("lang") if language else None) if part]
    return await context.chat.start(
        sender_id,
        client_language=_client_hint(request),
        language=language,
        audience=audience,
        source="_".join(["web", *map(str, parts)])[:64],
    )


def _merge(first: TurnResult | None, second: TurnResult) -> TurnResult:
    if first is None:
        return second
    return TurnResult(
        first.messages + second.messages,
        erased=second.erased,
        language=second.language or first.language,
    )


async def start(request: Request) -> Response:
    """Begin the chat, or pick another language (the language picker)."""

    async def action(context: WebContext, sender_id: str, new: bool, form: Any) -> TurnResult:
        if new:
            started = await _start_if_new(context, request, sender_id, new, form)
            assert started is not None
            return started
        language = _preset_language(str(form.get("lang") or ""))
        return await context.chat.start(
            sender_id,
            client_language=_client_hint(request),
            language=language,
            audience=None,
            source="web",
        )

    return await _post(request, action)


async def send(request: Request) -> Response:
    """Handle a typed message."""

    async def action(context: WebContext, sender_id: str, new: bool, form: Any) -> TurnResult:
        started = await _start_if_new(context, request, sender_id, new, form)
        text = str(form.get("text") or "")
        result = await context.chat.text(sender_id, text, client_language=_client_hint(request))
        return _merge(started, result)

    return await _post(request, action)


async def button(request: Request) -> Response:
    """Handle a pressed button (only tokens the core issued mean anything)."""

    async def action(context: WebContext, sender_id: str, new: bool, form: Any) -> TurnResult:
        started = await _start_if_new(context, request, sender_id, new, form)
        token = str(form.get("token") or "")[:64]
        result = await context.chat.button(sender_id, token, client_language=_client_hint(request))
        return _merge(started, result)

    return await _post(request, action)


async def command(request: Request) -> Response:
    """Handle a menu entry: help, my data, delete my data."""

    async def action(context: WebContext, sender_id: str, new: bool, form: Any) -> TurnResult:
        started = await _start_if_new(context, request, sender_id, new, form)
        name = str(form.get("command") or "help")
        result = await context.chat.command(sender_id, name, client_language=_client_hint(request))
        return _merge(started, result)

    return await _post(request, action)


async def new_conversation(request: Request) -> Response:
    """Forget the cookie: the next message starts a new conversation."""
    context = _web(request)
    sender_id = context.cookie.load(request.cookies.get(COOKIE_NAME))
    if not _same_origin(request):
        return PlainTextResponse("Forbidden", status_code=403)
    if sender_id:
        await asyncio.to_thread(context.chat.end_handoff, sender_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


async def events(request: Request) -> Response:
    """Stream the conversation's new messages (server-sent events), read from the database.

    Polling the database (about once a second) lets a reply written by another process,
    such as a coordinator's ``python -m bot handoff reply``, reach the open page.
    """
    context = _web(request)
    sender_id = context.cookie.load(request.cookies.get(COOKIE_NAME))
    if sender_id is None:
        return PlainTextResponse("Forbidden", status_code=403)
    try:
        after = int(request.headers.get("last-event-id") or request.query_params.get("after") or 0)
    except ValueError:
        after = 0

    address = _client_address(request)
    if context.open_streams.get(address, 0) >= MAX_STREAMS_PER_ADDRESS:
        return PlainTextResponse("Too many open streams", status_code=429)
    context.open_streams[address] = context.open_streams.get(address, 0) + 1

    async def stream() -> AsyncIterator[str]:
        try:
            async for chunk in _stream(last=after):
                yield chunk
        finally:
            left = context.open_streams.get(address, 1) - 1
            if left > 0:
                context.open_streams[address] = left
            else:
                context.open_streams.pop(address, None)

    async def _stream(last: int) -> AsyncIterator[str]:
        quiet = 0.0
        yield "retry: 2000\n\n"
        while True:
            messages = await asyncio.to_thread(context.chat.transcript, sender_id, after=last)
            for message in messages:
                last = message.id
                data = json.dumps(_message_view(message), ensure_ascii=False)
                yield f"id: {message.id}\nevent: message\ndata: {data}\n\n"
            quiet = 0.0 if messages else quiet + EVENT_POLL_SECONDS
            if quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield ": keep-alive\n\n"
            await asyncio.sleep(EVENT_POLL_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def health(_request: Request) -> Response:
    """Answer a load balancer."""
    return PlainTextResponse("ok")


def routes(settings: Settings) -> list[BaseRoute]:
    """Return every route of the web server (the office's console mounts here too)."""
    static: list[BaseRoute] = [
        Mount("/static/kern", StaticFiles(directory=KERN_DIST, check_dir=False), name="kern"),
        Mount("/static/chat", StaticFiles(directory=HERE / "static"), name="chat-static"),
    ]
    if settings.web_test_assets:
        static.append(
            Mount("/static/test", StaticFiles(directory=AXE_DIST, check_dir=False), name="test")
        )
    return [
        Route("/", chat_page, methods=["GET"]),
        Route("/privacy", privacy_page, methods=["GET"]),
        Route("/start", start, methods=["POST"]),
        Route("/send", send, methods=["POST"]),
        Route("/button", button, methods=["POST"]),
        Route("/command", command, methods=["POST"]),
        Route("/new", new_conversation, methods=["POST"]),
        Route("/events", events, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        *static,
    ]


def build_templates() -> Jinja2Templates:
    """Return the templates, HTML-escaped by default (nothing a user wrote becomes markup)."""
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    return Jinja2Templates(env=environment)


def build_web_app(
    settings: Settings,
    chat: WebChat,
    *,
    catalogs: Catalogs,
    district: District,
    renderer: ResponseRenderer,
    secret: str,
) -> Starlette:
    """Build the web chat's ASGI app.

    Args:
        settings: The settings (limits, cookie flags, frame ancestors).
        chat: The web channel over the conversation core.
        catalogs: The message catalogs.
        district: The district's facts (names on the page).
        renderer: Renders the privacy notice as the chat does.
        secret: Signs the conversation cookie.
    """
    app = Starlette(
        routes=routes(settings),
        middleware=[
            Middleware(SecurityHeadersMiddleware, frame_ancestors=settings.web_frame_ancestors)
        ],
    )
    app.state.web = WebContext(
        settings=settings,
        chat=chat,
        catalogs=catalogs,
        district=district,
        renderer=renderer,
        cookie=SenderCookie(secret),
        templates=build_templates(),
        per_conversation=RateLimiter(settings.user_messages_per_minute, 60.0),
        per_address=RateLimiter(settings.web_address_messages_per_minute, 60.0),
        new_conversations=RateLimiter(settings.web_new_conversations_per_hour, 3600.0),
        open_streams={},
    )
    return app
