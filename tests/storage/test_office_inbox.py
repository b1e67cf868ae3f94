"""The inbox's filters, search, counts and keyset pages; the dashboard's figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from bot.i18n.catalogs import Catalogs
from bot.office import figures
from bot.office.dashboard import dashboard_charts
from bot.office.export import inbox_rows, record_export
from bot.office.figures import Period
from bot.office.inbox import InboxFilter, audit_filters, encode_cursor, inbox_page
from bot.office.work import set_status
from bot.registrations.export import COLUMNS, write_rows
from bot.storage.database import make_session_factory
from bot.storage.models import Registration
from tests.helpers import ROOT

# Monday, 2026-11-02 10:00 UTC; rows are one day apart, several share a moment.
START = datetime(2026, 11, 2, 10, tzinfo=UTC)
ROWS = [
    # (name, kind, status, municipality, language, source, day)
    ("Ayşe Kaya", "mentor", "new", "Leonberg", "tr", "flyer_tr", 0),
    ("Olena Petrenko", "family", "new", "Böblingen", "uk", None, 0),
    ("Jonas Weber", "mentor", "contacted", "Leonberg", "de", None, 0),
    ("Maria Weber", "mentor", "matched", "Sindelfingen", "de", "flyer_de", 1),
    ("Omar Haddad", "family", "new", "Leonberg", "ar", "flyer_ar", 8),
    ("Lea 100%_Weber", "mentor", "new", "Herrenberg", "de", None, 15),
]


@pytest.fixture
def filled(session: Session) -> list[int]:
    session.execute(
        insert(Registration),
        [
            {"person_ref": f"p{index}", "kind": kind, "status": status, "language": language,
             "source": source, "name": name, "contact_method": "chat",
             "municipality": municipality, "details": {},
             "created_at": START + timedelta(days=day), "updated_at": START}
            for index, (name, kind, status, municipality, language, source, day) in enumerate(ROWS)
        ],
    )  # fmt: skip
    session.commit()
    return list(range(1, len(ROWS) + 1))


def names(page: object) -> list[str]:
    return [row.name for row in page.rows]  # type: ignore[attr-defined]


def test_newest_first_and_every_page_once_even_with_equal_times(
    session: Session, filled: list[int]
) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = inbox_page(session=session, filters=InboxFilter(), cursor=cursor, page_size=2)
        seen += names(page)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == [
        "Lea 100%_Weber", "Omar Haddad", "Maria Weber",
        "Jonas Weber", "Olena Petrenko", "Ayşe Kaya",
    ]  # fmt: skip


def test_filters_search_and_counts(session: Session, filled: list[int]) -> None:
    def shown(**filters: object) -> list[str]:
        return names(inbox_page(session=session, filters=InboxFilter(**filters)))  # type: ignore[arg-type]

    assert shown(kind="family") == ["Omar Haddad", "Olena Petrenko"]
    assert shown(municipality="Leonberg", status="new") == ["Omar Haddad", "Ayşe Kaya"]
    assert shown(language="de", source="flyer_de") == ["Maria Weber"]
    assert shown(created_from=date(2026, 11, 3), created_to=date(2026, 11, 10)) == [
        "Omar Haddad", "Maria Weber",
    ]  # fmt: skip
    assert shown(name="weber") == ["Lea 100%_Weber", "Maria Weber", "Jonas Weber"]
    # LIKE's wildcards are searched as they are.
    assert shown(name="100%_") == ["Lea 100%_Weber"] and shown(name="%") == ["Lea 100%_Weber"]
    page = inbox_page(session=session, filters=InboxFilter(municipality="Leonberg", status="new"))
    assert dict(page.counts) == {
        "new": 2,
        "contacted": 1,
        "matched": 0,
        "declined": 0,
        "withdrawn": 0,
    }
    assert page.total == 2


def test_a_forged_cursor_gives_the_first_page(session: Session, filled: list[int]) -> None:
    first = names(inbox_page(session=session, filters=InboxFilter(), page_size=2))
    for cursor in ("not-a-cursor", "%%%", encode_cursor(START, 0)[:-3]):
        assert (
            names(inbox_page(session=session, filters=InboxFilter(), cursor=cursor, page_size=2))
            == first
        )


def test_a_name_search_is_audited_only_as_a_flag() -> None:
    filters = InboxFilter(kind="mentor", name="Kaya", created_from=date(2026, 11, 1))
    assert audit_filters(filters) == {
        "kind": "mentor",
        "created_from": "2026-11-01",
        "name_search": True,
    }


def test_figures_per_week_by_column_and_funnel(session: Session, filled: list[int]) -> None:
    set_status(session=session, registration_id=1, new_status="contacted", actor="office:anna")
    set_status(session=session, registration_id=1, new_status="matched", actor="office:anna")
    set_status(session=session, registration_id=2, new_status="contacted", actor="office:anna")
    session.commit()
    everything = Period()

    assert figures.per_week(session=session, period=everything) == [
        (date(2026, 11, 2), 4), (date(2026, 11, 9), 1), (date(2026, 11, 16), 1),
    ]  # fmt: skip
    assert figures.per_week(
        session=session, period=Period(date(2026, 10, 20), date(2026, 11, 8))
    ) == [(date(2026, 10, 19), 0), (date(2026, 10, 26), 0), (date(2026, 11, 2), 4)]
    assert figures.by_column(session=session, column="municipality", period=everything) == [
        ("Leonberg", 3), ("Böblingen", 1), ("Herrenberg", 1), ("Sindelfingen", 1),
    ]  # fmt: skip
    assert figures.by_column(session=session, column="source", period=everything)[0] == ("", 3)
    assert figures.funnel(session=session, period=everything) == [
        ("new", 6), ("contacted", 2), ("matched", 1),
    ]  # fmt: skip
    assert figures.funnel(session=session, period=Period(start=date(2026, 11, 3))) == [
        ("new", 3), ("contacted", 0), ("matched", 0),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="cannot group"):
        figures.by_column(session=session, column="name", period=everything)


def test_dashboard_charts_name_values_for_the_reader(session: Session, filled: list[int]) -> None:
    set_status(session=session, registration_id=1, new_status="contacted", actor="office:anna")
    session.commit()
    charts = dashboard_charts(session=session, period=Period())
    assert list(charts) == ["per_week", "funnel", "municipality", "language", "source"]
    assert charts["funnel"].rows == (("neu", "6"), ("in Kontakt", "1"), ("vermittelt", "0"))
    assert charts["per_week"].rows[0] == ("Woche ab 02.11.26", "4")
    assert ("Türkisch", "1") in charts["language"].rows
    assert charts["source"].rows[0] == ("ohne Flyer-Link", "3")
    assert charts["municipality"].title == "Anmeldungen nach Gemeinde"
    english = dashboard_charts(
        session=session, period=Period(), catalogs=Catalogs(ROOT / "locale"), language="en"
    )
    assert english["funnel"].rows[1] == ("in contact", "1")
    assert ("Turkish", "1") in english["language"].rows
    assert 'id="chart-per-week-title">Registrations per week<' in english["per_week"].svg


def test_a_console_export_follows_the_filters_and_is_audited_without_data(
    session: Session, filled: list[int], engine: Engine, tmp_path: Path
) -> None:
    sessions = make_session_factory(engine)
    filters = InboxFilter(municipality="Leonberg", name="a")
    rows = list(inbox_rows(sessions, filters, batch_size=1))
    names_exported = [row[COLUMNS.index("name")] for row in rows]
    assert names_exported == ["Ayşe Kaya", "Jonas Weber", "Omar Haddad"]
    count = write_rows(iter(rows), file_format="csv", path=tmp_path / "out.csv")
    event = record_export(
        session=session, actor="office:anna", filters=filters, file_format="csv", row_count=count
    )
    session.commit()
    assert (event.action, event.detail, event.row_count) == ("export", "csv", 3)
    assert event.filters == {"municipality": "Leonberg", "name_search": True}
    with pytest.raises(ValueError, match="unknown format"):
        record_export(session=session, actor="x", filters=filters, file_format="pdf", row_count=0)
