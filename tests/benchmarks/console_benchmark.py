"""Benchmark: the console over HTTP with 100,000 registrations (issue 13).

Run: ``.venv/bin/python -m tests.benchmarks.console_benchmark [--rows 100000]``
(``make benchmark-console``). Fills a temporary SQLite database, serves the real web app
(Uvicorn, the console mounted at /office) on a free port, logs in, and loads the inbox's
first page and a filtered page 20 times each over HTTP (p95, and SQL statements per page
counted on the engine). Then downloads the CSV and XLSX exports of all rows over HTTP,
reading the stream in chunks, and reports the server's peak of Python memory
(tracemalloc) during each download next to the file's size: a streamed export's peak
stays near one batch of rows, not the file.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import statistics
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import httpx
import uvicorn
from pydantic import SecretStr
from sqlalchemy import event

from bot.app import build_service
from bot.channels.web.server import build_web
from bot.core.rasa_client import RasaClient
from bot.i18n.catalogs import Catalogs
from bot.office import accounts, login
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory
from tests.benchmarks.inbox_benchmark import fill

RUNS = 20
PASSWORD = "ein langes Passwort zum Messen"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return round(ordered[int(0.95 * len(ordered)) - 1], 1)


def _download(client: httpx.Client, file_format: str) -> int:
    """Download an export in chunks (nothing kept); return its size in bytes."""
    size = 0
    with client.stream("GET", f"/office/export.{file_format}") as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            size += len(chunk)
    return size


def main() -> None:
    """Fill, serve, measure, print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=Path(folder),
            rasa_port=_free_port(),
            web_port=_free_port(),
            web_secret=SecretStr("a-benchmark-secret-long-enough-to-sign"),
            telegram_bot_token=None,
        )
        engine = make_engine(settings.database_url)
        started = time.perf_counter()
        fill(engine, args.rows)
        print(f"filled {args.rows} rows in {time.perf_counter() - started:.1f} s")
        sessions = make_session_factory(engine)
        with sessions.begin() as db:
            created = accounts.create_account(
                session=db, name="bench", role="coordinator", actor="cli:bench"
            )
            assert created.account and created.one_time_password
            login.change_password(
                session=db,
                account_id=created.account.id,
                current=created.one_time_password,
                new=PASSWORD,
            )
        catalogs = Catalogs(settings.path(settings.locale_dir))
        service = build_service(
            settings, RasaClient.for_settings(settings), catalogs=catalogs, sessions=sessions
        )
        app = build_web(settings, service, sessions, catalogs, set())
        config = uvicorn.Config(
            app, host="127.0.0.1", port=settings.web_port, log_config=None, lifespan="off"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{settings.web_port}"
        while True:
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        statements = 0

        def count(*_args: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        with httpx.Client(base_url=base, timeout=None) as client:
            page = client.get("/office/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token
            client.post(
                "/office/login",
                data={"csrf": token.group(1), "name": "bench", "password": PASSWORD},
            )
            print("| console page over HTTP | median ms | p95 ms | SQL statements |")
            print("| --- | ---: | ---: | ---: |")
            for name, url in (
                ("inbox, first page (50)", "/office/registrations"),
                (
                    "inbox, filtered (status+municipality+language)",
                    "/office/registrations?status=new&municipality=Leonberg&language=tr",
                ),
                ("inbox, search by name", "/office/registrations?name=nachname42"),
                ("dashboard (5 charts)", "/office/dashboard"),
            ):
                timings = []
                statements = 0
                for _ in range(RUNS):
                    begun = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - begun) * 1000)
                    assert response.status_code == 200, response.status_code
                print(
                    f"| {name} | {statistics.median(timings):.1f} | {_p95(timings)} | "
                    f"{statements / RUNS:g} |"
                )
            print()
            print("| export over HTTP | rows | file MB | seconds | server peak MB (tracemalloc) |")
            print("| --- | ---: | ---: | ---: | ---: |")
            for file_format in ("csv", "xlsx"):
                # Once for the time, once under tracemalloc (which slows allocations).
                begun = time.perf_counter()
                size = _download(client, file_format)
                seconds = time.perf_counter() - begun
                tracemalloc.start()
                _download(client, file_format)
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(
                    f"| {file_format.upper()} | {args.rows} | {size / 1e6:.1f} | {seconds:.1f} | "
                    f"{peak / 1e6:.1f} |"
                )
        server.should_exit = True
        thread.join(10)
        engine.dispose()


if __name__ == "__main__":
    main()
