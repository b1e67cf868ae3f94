"""How a stop signal ends the program: the front end first, within a grace period.

SIGINT (Ctrl-C), SIGTERM (systemd, ``docker stop``) and SIGHUP (a closed terminal) set
a stop event instead of tearing the program down. Each front end (Telegram, the
terminal chat) ends on that event by taking no new turn and finishing those in progress;
:func:`bound_shutdown` cuts them off after ``PATENBOT_SHUTDOWN_GRACE_SECONDS``. Only
then does the caller stop the servers, so a turn that was taken is answered.
"""

from __future__ import annotations

import asyncio
import logging
import signal

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def install_stop_signals(stop: asyncio.Event) -> list[signal.Signals]:
    """Let SIGINT, SIGTERM and SIGHUP set ``stop`` instead of tearing the program down.

    Returns:
        The signals received so far (filled in as they come).
    """
    loop = asyncio.get_running_loop()
    received: list[signal.Signals] = []

    def on_signal(signum: signal.Signals) -> None:
        received.append(signum)
        logger.info("Received %s; stopping.", signum.name)
        stop.set()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)
    return received


def exit_code(received: list[signal.Signals]) -> int:
    """Return the exit code after these signals: 130 after Ctrl-C, else 0 (a requested stop)."""
    return 130 if signal.SIGINT in received else 0


async def bound_shutdown(front_end: asyncio.Task[int], stop: asyncio.Event, grace: float) -> None:
    """After ``stop``, give the front end ``grace`` seconds to finish its turns, then end it.

    Telegram stops fetching updates at once and waits for the turns in progress; the
    terminal chat reads no further line and finishes the turn it is in. The servers are
    stopped only after that (the caller's ``finally``), so a turn that was taken is
    answered. A turn stuck longer than the grace period is cut off.
    """
    await stop.wait()
    try:
        await asyncio.wait_for(asyncio.shield(front_end), timeout=grace)
    except TimeoutError:
        logger.warning("Turns still running %.0f s after the stop signal; ending them.", grace)
        front_end.cancel()
    except Exception:  # noqa: S110 - the front end's own error is reported by its caller
        pass
