"""The registrations' workflow: kinds, statuses and the steps allowed between them.

Defined once here; the use cases enforce it, the command line and Telegram offer it.
"""

from __future__ import annotations

KINDS = ("mentor", "family")
"""What a registration is: a prospective mentor or a family's request."""
STATUSES = ("new", "contacted", "matched", "declined", "withdrawn")
"""Every status, in workflow order."""
OPEN_STATUSES = ("new", "contacted")
"""Statuses of a registration that registering again updates instead of adding one."""
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("contacted", "declined", "withdrawn"),
    "contacted": ("matched", "declined", "withdrawn"),
    "matched": ("withdrawn",),
    "declined": (),
    "withdrawn": (),
}
"""The statuses each status may move to."""
TARGET_STATUSES = tuple(
    status for status in STATUSES if any(status in steps for steps in ALLOWED_TRANSITIONS.values())
)
"""The statuses a coordinator can move a registration to (every one but ``new``)."""


def can_move(current: str, new: str) -> bool:
    """Return whether a registration in status ``current`` may move to ``new``."""
    return new in ALLOWED_TRANSITIONS.get(current, ())
