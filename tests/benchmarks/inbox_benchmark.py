"""Benchmark: the coordinators' inbox with 100,000 registrations (issue 13).

Run: ``.venv/bin/python -m tests.benchmarks.inbox_benchmark [--rows 100000] [--url URL]``
(``make benchmark-inbox``). Fills a temporary SQLite database (or the empty database at
``--url``, e.g. a PostgreSQL one), then loads each page 20 times, each time in a new
session as a request would, and prints the median and p95 time and the number of SQL
statements per page (counted on the engine).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, insert
from sqlalchemy.orm import Session

from bot.office.dashboard import dashboard_charts
from bot.office.figures import Period
from bot.office.inbox import InboxFilter, InboxPage, inbox_page
from bot.storage.database import make_engine, upgrade_database
from bot.storage.models import Registration

MUNICIPALITIES = ("Böblingen", "Sindelfingen", "Leonberg", "Herrenberg", "Weil der Stadt",
                  "Holzgerlingen", "Gärtringen", "Ehningen", "other")  # fmt: skip
LANGUAGES = ("de", "tr", "ar", "uk", "ru", "en", "de-plain")
STATUSES = ("new", "new", "contacted", "contacted", "matched", "declined", "withdrawn")
SOURCES = (None, None, "flyer_tr", "flyer_ar", "flyer_uk", "plain")
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
RUNS = 20


def fill(engine: Engine, rows: int) -> None:
    """Insert ``rows`` registrations spread over two years, in batches."""
    upgrade_database(engine)
    spacing = timedelta(days=730) / rows
    with engine.begin() as connection:
        for start in range(0, rows, 10_000):
            connection.execute(
                insert(Registration),
                [
                    {"person_ref": f"p{i}", "kind": "mentor" if i % 3 else "family",
                     "status": STATUSES[i % 7], "language": LANGUAGES[i % 7],
                     "source": SOURCES[i % 6], "name": f"Person {i} Nachname{i % 997}",
                     "contact_method": "phone", "phone": "+49 170 1234567",
                     "municipality": MUNICIPALITIES[i % 9], "details": {},
                     "created_at": FIRST + spacing * i, "updated_at": FIRST + spacing * i}
                    for i in range(start, min(start + 10_000, rows))
                ],
            )  # fmt: skip


def measure(engine: Engine, load: Callable[[Session], Any]) -> dict[str, float]:
    """Run ``load`` RUNS times in fresh sessions; return timings (ms) and statements per run."""
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    timings = []
    try:
        for _ in range(RUNS):
            started = time.perf_counter()
            with Session(engine) as session:
                load(session)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * RUNS) - 1], 1),
        "queries": statements / RUNS,
    }


def main() -> None:
    """Fill a database and time the inbox's pages."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", help="an empty database to fill (default: temporary SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(args.url or f"sqlite:///{folder}/bench.sqlite")
        started = time.perf_counter()
        fill(engine, args.rows)
        print(f"{engine.dialect.name}: filled {args.rows} rows in "
              f"{time.perf_counter() - started:.1f} s; {RUNS} runs each")  # fmt: skip
        with Session(engine) as session:
            deep = inbox_page(session=session, filters=InboxFilter(), page_size=200)
            for _ in range(args.rows // 400):  # about half-way down
                if deep.next_cursor is None:
                    break
                deep = inbox_page(
                    session=session, filters=InboxFilter(), cursor=deep.next_cursor, page_size=200
                )
        cursor = deep.next_cursor
        filtered = InboxFilter(status="new", municipality="Leonberg", language="tr")
        in_range = InboxFilter(created_from=date(2025, 6, 1), created_to=date(2025, 6, 30),
                               kind="family")  # fmt: skip
        pages: dict[str, Callable[[Session], InboxPage | object]] = {
            "first page (50, no filter)": lambda s: inbox_page(session=s, filters=InboxFilter()),
            "page half-way down (cursor)": lambda s: inbox_page(
                session=s, filters=InboxFilter(), cursor=cursor
            ),
            "filtered: status+municipality+language": lambda s: inbox_page(
                session=s, filters=filtered
            ),
            "filtered: kind+one month": lambda s: inbox_page(session=s, filters=in_range),
            "search by name": lambda s: inbox_page(
                session=s, filters=InboxFilter(name="nachname42")
            ),
            "dashboard (5 charts, all rows)": lambda s: dashboard_charts(
                session=s, period=Period()
            ),
        }
        print("| page | median ms | p95 ms | SQL statements |")
        print("| --- | ---: | ---: | ---: |")
        for name, load in pages.items():
            result = measure(engine, load)
            print(f"| {name} | {result['median_ms']} | {result['p95_ms']} | "
                  f"{result['queries']:g} |")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
