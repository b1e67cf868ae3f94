"""Prometheus metrics of the front end, in a registry of their own.

What is counted says nothing about a person: labels are the channel (``telegram``,
``web``, ``terminal``, ``other``), the server (``action``, ``rasa-1`` …), a kind of
error, a registration's kind and status. No conversation id, user id or text is ever a
label or a value. Counts that live in the database (handoffs waiting, outbox backlog,
registrations) are read at each scrape by :class:`DatabaseCollector`, so they are right
whichever process changed them (the action server saves registrations).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import Handoff, OutboxMessage, Registration

logger = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
CHANNELS = ("telegram", "web", "terminal")
TURN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)

TURNS = Counter("patenbot_turns", "Turns sent to Rasa, by channel", ["channel"], registry=REGISTRY)
TURN_SECONDS = Histogram(
    "patenbot_turn_seconds",
    "Time from a user's message to Rasa's answer, by channel",
    ["channel"],
    buckets=TURN_BUCKETS,
    registry=REGISTRY,
)
FALLBACKS = Counter(
    "patenbot_fallbacks",
    "Turns the assistant was not sure about (did-you-mean or rephrase), by channel",
    ["channel"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "patenbot_errors",
    "Errors by kind: rasa_unavailable, turn_not_saved, empty_answer, handler",
    ["kind"],
    registry=REGISTRY,
)
RESTARTS = Counter(
    "patenbot_server_restarts",
    "Restarts of a server after it stopped (action, rasa-1 …)",
    ["server"],
    registry=REGISTRY,
)
REPLICAS_AVAILABLE = Gauge(
    "patenbot_rasa_replicas_available",
    "Rasa replicas taking turns now",
    registry=REGISTRY,
)


def channel_of(sender_id: str) -> str:
    """Return the metrics label of a conversation's channel (never the id itself)."""
    prefix = sender_id.split("-", 1)[0]
    return prefix if prefix in CHANNELS else "other"


def server_of(label: str) -> str:
    """Return the metrics label of a supervised server ("Rasa server rasa-2" → "rasa-2")."""
    if label == "action server":
        return "action"
    if label == "Rasa server":
        return "rasa-1"
    return label.rsplit(" ", 1)[-1]


@contextmanager
def timed_turn(sender_id: str) -> Iterator[None]:
    """Count a turn and observe its duration under the conversation's channel."""
    channel = channel_of(sender_id)
    started = time.perf_counter()
    try:
        yield
    finally:
        TURNS.labels(channel).inc()
        TURN_SECONDS.labels(channel).observe(time.perf_counter() - started)


class DatabaseCollector(Collector):
    """Reads the counts that live in the database at each scrape."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        """Count with ``sessions``."""
        self._sessions = sessions

    def collect(self) -> Iterator[Metric]:
        """Yield handoffs waiting, outbox backlog and registrations by kind and status."""
        handoffs = GaugeMetricFamily(
            "patenbot_handoffs_waiting", "Conversations handed to the office and not ended"
        )
        backlog = GaugeMetricFamily(
            "patenbot_outbox_backlog", "Notifications for the coordinators not yet delivered"
        )
        registrations = GaugeMetricFamily(
            "patenbot_registrations",
            "Registrations stored, by kind and status",
            labels=["kind", "status"],
        )
        try:
            with self._sessions() as session:
                waiting = select(func.count()).where(Handoff.ended_at.is_(None))
                handoffs.add_metric([], float(session.scalar(waiting) or 0))
                unsent = select(func.count()).where(OutboxMessage.sent_at.is_(None))
                backlog.add_metric([], float(session.scalar(unsent) or 0))
                by_status = select(Registration.kind, Registration.status, func.count()).group_by(
                    Registration.kind, Registration.status
                )
                for kind, status, count in session.execute(by_status):
                    registrations.add_metric([kind, status], float(count))
        except Exception as error:  # a scrape must answer even when the database does not
            logger.warning("Metrics could not read the database (%s).", type(error).__name__)
            ERRORS.labels("metrics_database").inc()
            return
        yield handoffs
        yield backlog
        yield registrations


_collectors: dict[int, Collector] = {}


def watch_database(sessions: sessionmaker[Session]) -> None:
    """Add the database's counts to :data:`REGISTRY` (once per session factory)."""
    if id(sessions) in _collectors:
        return
    collector = DatabaseCollector(sessions)
    REGISTRY.register(collector)
    _collectors[id(sessions)] = collector


def watch_replicas(count: Callable[[], int]) -> None:
    """Let :data:`REPLICAS_AVAILABLE` report ``count()`` at each scrape."""
    REPLICAS_AVAILABLE.set_function(count)
