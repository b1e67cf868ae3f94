"""Small guards around incoming updates: repeats, floods, one turn at a time per user."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable


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


class PerUserLocks:
    """One lock per user: their messages are handled in order, others' concurrently."""

    def __init__(self) -> None:
        """Create an empty set of locks."""
        self._locks: dict[int, asyncio.Lock] = {}

    def of(self, user_id: int) -> asyncio.Lock:
        """Return the user's lock (asyncio locks are fair: first come, first served)."""
        return self._locks.setdefault(user_id, asyncio.Lock())
