"""Small guards around incoming updates: repeats, floods, one turn at a time per user."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field


class RecentUpdates:
    """Remembers recent ``update_id`` values so a repeated update is handled once."""

    def __init__(self, size: int = 10_000) -> None:
        """Remember at most ``size`` ids (the oldest are forgotten first)."""
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def first_time(self, update_id: int) -> bool:
        """Return True the first time an id is seen, False for a repeat."""
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class UserRateLimiter:
    """Allows each user ``limit`` messages per ``window`` seconds (a sliding window)."""

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Create the limiter; ``clock`` is replaceable for tests."""
        self._limit = limit
        self._window = window
        self._clock = clock
        self._times: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def allow(self, user_id: int) -> bool:
        """Count a message; return whether it is within the user's limit."""
        now = self._clock()
        times = self._times.setdefault(user_id, deque())
        while times and now - times[0] >= self._window:
            times.popleft()
        if len(times) >= self._limit:
            return False
        times.append(now)
        self._warned.discard(user_id)
        return True

    def should_warn(self, user_id: int) -> bool:
        """Return True once per flood, so the polite notice is not repeated."""
        if user_id in self._warned:
            return False
        self._warned.add(user_id)
        return True


@dataclass
class _Queue:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # the one holding the lock and those waiting for it


class PerUserLocks:
    """One queue per user: their updates are handled in order, others' concurrently.

    ``asyncio.Lock`` is fair: waiters are woken first come, first served, and a newcomer
    queues behind them even in the moment between a release and the next waiter's
    wake-up. A user's entry is dropped when nobody holds or waits for it, so the table
    does not grow with every user ever seen.
    """

    def __init__(self) -> None:
        """Create an empty table of queues."""
        self._queues: dict[int, _Queue] = {}

    @contextlib.asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        """Wait for the user's turn, hold it for the body, then let the next one in.

        The place in the queue is taken before the first suspension, so callers that
        enter in the order the updates arrived are served in that order.
        """
        queue = self._queues.get(user_id)
        if queue is None:
            queue = self._queues[user_id] = _Queue()
        queue.holders += 1
        try:
            async with queue.lock:
                yield
        finally:
            queue.holders -= 1
            if queue.holders == 0:
                del self._queues[user_id]

    def __len__(self) -> int:
        """Return how many users have a turn running or waiting."""
        return len(self._queues)
