"""The dashboard's figures: per week, by municipality, language and source; the funnel.

The funnel counts the registrations that reached new → contacted → matched.

Each query groups in the database (one query per figure, whatever the number of rows).
Weeks start on Monday, in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, distinct, func, select
from sqlalchemy.orm import Session

from bot.office.inbox import InboxFilter, apply_filters
from bot.storage.models import Registration, StatusChange

GROUPABLE = ("municipality", "language", "source", "kind", "status")
FUNNEL_STAGES = ("new", "contacted", "matched")
NO_SOURCE = ""


@dataclass(frozen=True)
class Period:
    """The dashboard's period: whole days (UTC), both included; ``None`` is open."""

    start: date | None = None
    end: date | None = None

    def as_filter(self) -> InboxFilter:
        """Return the period as inbox filters on the creation date."""
        return InboxFilter(created_from=self.start, created_to=self.end)


def _week_start(session: Session) -> ColumnElement[Any]:
    """Return the Monday of each registration's week, as an SQL expression (UTC)."""
    if session.get_bind().dialect.name == "sqlite":
        # Forward to Sunday (or stay on it), then back six days: that week's Monday.
        return func.date(Registration.created_at, "weekday 0", "-6 days")
    return cast(func.date_trunc("week", func.timezone("UTC", Registration.created_at)), Date)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def per_week(*, session: Session, period: Period) -> list[tuple[date, int]]:
    """Return registrations per week (its Monday), oldest first; weeks without any count 0."""
    week = _week_start(session)
    statement = apply_filters(
        select(week.label("week"), func.count(Registration.id)), period.as_filter()
    )
    counted = {
        _as_date(monday): int(count)
        for monday, count in session.execute(statement.group_by(week).order_by(week))
    }
    if not counted:
        return []
    first = min(counted)
    last = max(counted)
    if period.start is not None:
        first = min(first, period.start - timedelta(days=period.start.weekday()))
    if period.end is not None:
        last = max(last, period.end - timedelta(days=period.end.weekday()))
    weeks = []
    monday = first
    while monday <= last:
        weeks.append((monday, counted.get(monday, 0)))
        monday += timedelta(days=7)
    return weeks


def by_column(*, session: Session, column: str, period: Period) -> list[tuple[str, int]]:
    """Return registrations per value of one column, most first (ties by value).

    A registration without a source (it did not come through a flyer link) counts
    under ``""`` (:data:`NO_SOURCE`).
    """
    if column not in GROUPABLE:
        raise ValueError(f"cannot group registrations by {column!r}")
    field = getattr(Registration, column)
    statement = apply_filters(select(field, func.count(Registration.id)), period.as_filter())
    rows = [
        (NO_SOURCE if value is None else str(value), int(count))
        for value, count in session.execute(statement.group_by(field))
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def funnel(*, session: Session, period: Period) -> list[tuple[str, int]]:
    """Return how many registrations of the period reached new, contacted and matched.

    A stage counts every registration that ever reached it (its status history), also
    those that went on or were withdrawn since.
    """
    created = apply_filters(select(Registration.id), period.as_filter())
    total = session.scalar(apply_filters(select(func.count(Registration.id)), period.as_filter()))
    statement = (
        select(StatusChange.new_status, func.count(distinct(StatusChange.registration_id)))
        .where(
            StatusChange.new_status.in_(FUNNEL_STAGES[1:]),
            StatusChange.registration_id.in_(created),
        )
        .group_by(StatusChange.new_status)
    )
    reached = {str(stage): int(count) for stage, count in session.execute(statement)}
    return [("new", int(total or 0))] + [
        (stage, reached.get(stage, 0)) for stage in FUNNEL_STAGES[1:]
    ]
