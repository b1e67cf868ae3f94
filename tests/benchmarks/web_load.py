"""Benchmark: the web chat's page weight and time to interactive, and 50 web clients at once
next to the same 50 clients posting straight to Rasa's REST channel.

Run: ``.venv/bin/python -m tests.benchmarks.web_load [--clients 50] [--questions 3]``
(``make benchmark-web``). It starts the real Rasa and action servers and the web chat
(``bot.app.run_web``, as ``python -m bot run`` serves it) in a process of its own, all on
loopback; the clients run in this process. Each client asks ``--questions`` questions one after
the other, all clients at once; first every client through the web chat (``POST /send``,
its own cookie), then every client straight to Rasa (``POST /webhooks/rest/webhook``),
in the same run against the same servers. A reply is lost when the request fails or
brings no bot message. All clients share one address, so the benchmark raises the
per-address limits (they would otherwise refuse them, as they should).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from bot.app import prepare_database
from bot.core.rasa_client import TOKEN_HEADER
from bot.settings import PROJECT_ROOT, Settings
from bot.supervision.supervisor import Supervisor
from tests.benchmarks.replies import ReplyKinds, reply_kinds
from tests.e2e.web_server import WEB_SECRET, web_settings
from tests.helpers import make_settings

QUESTIONS = (
    "Wie viel Zeit muss ich als Pate mitbringen?",
    "Do I need a police certificate?",
    "Patenlik için Almancam yeterli mi?",
    "هل أحتاج إلى تأمين؟",
    "Скільки часу це займає?",
    "Где проходят информационные встречи?",
)
TIMEOUT_SECONDS = 120.0


@contextmanager
def web_process(settings: Settings) -> Iterator[str]:
    """Run the web chat in its own process, as in production; yield its address."""
    env = {
        **os.environ,
        "PATENBOT_RASA_PORT": str(settings.rasa_port),
        "PATENBOT_ACTION_PORT": str(settings.action_port),
        "PATENBOT_DATA_DIR": str(settings.path(settings.data_dir)),
        "PATENBOT_RASA_TOKEN": settings.rasa_token.get_secret_value(),
        "PATENBOT_WEB_PORT": str(settings.web_port),
        "PATENBOT_WEB_SECRET": WEB_SECRET,
        "PATENBOT_WEB_ADDRESS_MESSAGES_PER_MINUTE": "100000",
        "PATENBOT_WEB_NEW_CONVERSATIONS_PER_HOUR": "100000",
        "PATENBOT_USER_MESSAGES_PER_MINUTE": "100000",
    }
    code = (
        "import asyncio\n"
        "from bot.app import run_web\n"
        "from bot.settings import Settings\n"
        "asyncio.run(run_web(Settings(_env_file=None), asyncio.Event()))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{settings.web_port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def page_weight(url: str) -> dict[str, object]:
    """Load the page in Chromium; sum what it fetched (raw and gzip) and time it."""
    fetched: dict[str, bytes] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = browser.new_page(locale="de")
        page.on("response", lambda response: fetched.__setitem__(response.url, response.body()))
        page.goto(url + "/", wait_until="load")
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {interactive: n.domInteractive, content_loaded: n.domContentLoadedEventEnd,"
            " load: n.loadEventEnd}; })()"
        )
        browser.close()
    kinds: dict[str, list[int]] = {}
    for address, body in fetched.items():
        kind = (
            "font"
            if address.endswith(".woff2")
            else "js"
            if address.endswith(".js")
            else "css"
            if address.endswith(".css")
            else "html"
        )
        raw, packed = kinds.setdefault(kind, [0, 0])
        kinds[kind] = [raw + len(body), packed + len(gzip.compress(body, 6))]
    code = [kinds.get(kind, [0, 0]) for kind in ("html", "css", "js")]
    return {
        "html_css_js_bytes": sum(raw for raw, _ in code),
        "html_css_js_gzip_bytes": sum(packed for _, packed in code),
        "by_kind_raw_gzip": kinds,
        "fonts_bytes": kinds.get("font", [0, 0])[0],
        "dom_interactive_ms": round(timing["interactive"], 1),
        "dom_content_loaded_ms": round(timing["content_loaded"], 1),
        "load_ms": round(timing["load"], 1),
    }


async def web_turn(
    client: httpx.AsyncClient, text: str, kinds: ReplyKinds | None = None
) -> float | None:
    """Send one message through the web chat; return the reply time, or None if lost.

    A reply that is only an apology (Rasa did not answer) counts as lost.
    """
    kinds = kinds or reply_kinds()
    started = time.monotonic()
    try:
        answer = await client.post(
            "/send", data={"text": text}, headers={"Accept": "application/json"}
        )
        ok = answer.status_code == 200 and any(
            m["role"] == "bot" and kinds.is_answer(m.get("text"))
            for m in answer.json()["messages"]
        )
    except httpx.HTTPError:
        ok = False
    return time.monotonic() - started if ok else None


async def web_client(url: str, number: int, questions: int) -> list[float | None]:
    """Ask questions through the web chat, each after the previous answer."""
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_SECONDS) as client:
        return [
            await web_turn(client, QUESTIONS[(number + turn) % len(QUESTIONS)])
            for turn in range(questions)
        ]


async def rest_client(settings: Settings, number: int, questions: int) -> list[float | None]:
    """Ask the same questions straight through Rasa's REST channel."""
    times: list[float | None] = []
    headers = {TOKEN_HEADER: settings.rasa_token.get_secret_value()}
    async with httpx.AsyncClient(
        base_url=settings.rasa_url, timeout=TIMEOUT_SECONDS, headers=headers
    ) as client:
        for turn in range(questions):
            started = time.monotonic()
            try:
                answer = await client.post(
                    "/webhooks/rest/webhook",
                    json={
                        "sender": f"bench-rest-{number}",
                        "message": QUESTIONS[(number + turn) % len(QUESTIONS)],
                        "metadata": {"language": "de", "language_explicit": False},
                    },
                )
                ok = answer.status_code == 200 and bool(answer.json())
            except httpx.HTTPError:
                ok = False
            times.append(time.monotonic() - started if ok else None)
    return times


def summary(results: list[list[float | None]]) -> dict[str, object]:
    """Return p50/p95 (seconds) and the lost replies."""
    times = sorted(t for client in results for t in client if t is not None)
    lost = sum(1 for client in results for t in client if t is None)
    quantiles = statistics.quantiles(times, n=20) if len(times) >= 2 else [0.0] * 19
    return {
        "replies": len(times),
        "lost": lost,
        "p50_s": round(statistics.median(times), 3) if times else None,
        "p95_s": round(quantiles[18], 3),
        "max_s": round(times[-1], 3) if times else None,
    }


async def load(url: str, settings: Settings, clients: int, questions: int) -> dict[str, object]:
    """Run the web clients, then the REST clients, all at once each."""
    started = time.monotonic()
    web = await asyncio.gather(*(web_client(url, n, questions) for n in range(clients)))
    web_seconds = time.monotonic() - started
    started = time.monotonic()
    rest = await asyncio.gather(*(rest_client(settings, n, questions) for n in range(clients)))
    rest_seconds = time.monotonic() - started
    web_summary, rest_summary = summary(web), summary(rest)
    ratio = (
        round(float(web_summary["p95_s"]) / float(rest_summary["p95_s"]), 2)  # type: ignore[arg-type]
        if rest_summary["p95_s"]
        else None
    )
    return {
        "web": {**web_summary, "wall_s": round(web_seconds, 1)},
        "rest": {**rest_summary, "wall_s": round(rest_seconds, 1)},
        "p95_ratio_web_to_rest": ratio,
    }


def main() -> int:
    """Start the servers, measure, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = make_settings(Path(folder))
        prepare_database(base)
        supervisor = Supervisor(base, progress=io.StringIO())
        supervisor.start()
        try:
            asyncio.run(supervisor.wait_until_ready())
            settings = web_settings(
                base,
                web_address_messages_per_minute=100_000,
                web_new_conversations_per_hour=100_000,
                user_messages_per_minute=100_000,
            )
            with web_process(settings) as url:
                weight = page_weight(url)
                figures = asyncio.run(load(url, settings, args.clients, args.questions))
        finally:
            supervisor.stop()
    result = {"clients": args.clients, "questions": args.questions, "page": weight, **figures}
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
