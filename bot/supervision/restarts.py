"""When a stopped server is started again: a growing pause, and a limit within a window."""

from __future__ import annotations

import logging
import time

from bot.supervision.children import Child, ChildFailedError

logger = logging.getLogger(__name__)

RESTART_PAUSE_SECONDS = 1.0
MAX_RESTART_PAUSE_SECONDS = 30.0


class RestartPolicy:
    """Counts each server's stops within the window and decides what follows.

    A stop is followed by a restart after 1 s, then 2, 4 … up to 30 s. The ``limit``-th
    stop within ``window`` seconds retires a Rasa replica while another one runs, and
    otherwise (the action server, the last replica) makes Patenbot give up.
    """

    def __init__(self, limit: int, window: float) -> None:
        """Count from now on; ``limit`` stops within ``window`` seconds are too many."""
        self._limit = limit
        self._window = window
        self._crashes: dict[str, list[float]] = {}

    def stops(self, label: str) -> int:
        """Return how many stops of the server ``label`` were counted within the window."""
        return len(self._crashes.get(label, []))

    def record(
        self, child: Child, code: int, *, others_running: bool, log_hint: str
    ) -> float | None:
        """Record a stop; return the pause before the restart, or None to retire a replica.

        Args:
            child: The server that stopped.
            code: Its exit code.
            others_running: Whether another Rasa replica, not retired, runs besides it.
            log_hint: Where its log is, for the message of giving up.

        Raises:
            ChildFailedError: If the action server or the last replica keeps failing.
        """
        now = time.monotonic()
        window = self._window
        crashes = [
            moment for moment in self._crashes.get(child.label, []) if now - moment < window
        ]
        crashes.append(now)
        self._crashes[child.label] = crashes
        if len(crashes) >= self._limit:
            if child.replica is not None and others_running:
                return None
            logger.error(
                "The %s stopped (exit code %s) %d times within %.0f s; giving up.",
                child.label,
                code,
                len(crashes),
                window,
            )
            raise ChildFailedError(
                f"The {child.label} stopped {len(crashes)} times within "
                f"{window:.0f} s (last exit code {code}); Patenbot stops. {log_hint}"
            )
        pause = min(RESTART_PAUSE_SECONDS * 2.0 ** (len(crashes) - 1), MAX_RESTART_PAUSE_SECONDS)
        logger.warning(
            "The %s stopped (exit code %s); restarting it in %.0f s (%d stops within %.0f s; "
            "Patenbot gives up at %d).",
            child.label,
            code,
            pause,
            len(crashes),
            window,
            self._limit,
        )
        return pause
