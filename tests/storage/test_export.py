"""Exports: every field, Excel-friendly CSV, XLSX, no formulas, audit without data."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.export import COLUMNS, export_registrations, safe_cell
from bot.registrations import RegistrationData, change_status, save_registration
from bot.storage.models import ExportAudit
from bot.storage.repository import RegistrationFilter

INJECTION = '=HYPERLINK("http://evil.example","click")'


def add_people(session: Session) -> None:
    save_registration(
        session=session,
        data=RegistrationData(
            person_ref="p1", kind="mentor", language="tr", name=INJECTION, contact_method="email",
            email="ayse@example.org", municipality="Böblingen",
            details={"interests": ["children", "families"], "languages": ["tr", "de"],
                     "adult_confirmed": True, "hours_per_week": "2"},
        ),
    )  # fmt: skip
    saved = save_registration(
        session=session,
        data=RegistrationData(
            person_ref="p2", kind="family", language="ar", name="فاطمة", contact_method="chat",
            municipality="Leonberg", details={"child_age_band": "6-10", "home_languages": ["ar"]},
        ),
    )  # fmt: skip
    change_status(
        session=session,
        registration_id=saved.registration_id,
        new_status="contacted",
        changed_by="c1",
    )
    session.commit()


def test_cells_that_look_like_formulas_are_neutralised() -> None:
    assert safe_cell(INJECTION) == "'" + INJECTION
    assert safe_cell("+49 170") == "'+49 170"
    assert safe_cell("-1") == "'-1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Ayşe") == "Ayşe"
    assert safe_cell(["tr", "de"]) == "tr, de"


def test_csv_has_bom_all_fields_and_safe_cells(session: Session, tmp_path: Path) -> None:
    add_people(session)
    path = tmp_path / "out.csv"
    rows = export_registrations(
        session=session, filters=RegistrationFilter(), file_format="csv", path=path, actor="tester"
    )
    session.commit()
    assert rows == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(
        csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";")
    )
    assert list(records[0]) == list(COLUMNS)
    assert records[0]["name"] == "'" + INJECTION
    assert records[0]["interests"] == "children, families"
    assert records[0]["consent_notice_version"]
    assert records[1]["name"] == "فاطمة" and records[1]["status"] == "contacted"


def test_xlsx_holds_text_not_formulas_and_filters_apply(session: Session, tmp_path: Path) -> None:
    add_people(session)
    path = tmp_path / "out.xlsx"
    rows = export_registrations(
        session=session,
        filters=RegistrationFilter(kind="mentor", statuses=("new",)),
        file_format="xlsx",
        path=path,
        actor="tester",
    )
    session.commit()
    assert rows == 1
    sheet = load_workbook(path).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLUMNS
    name_cell = sheet.cell(row=2, column=COLUMNS.index("name") + 1)
    assert name_cell.data_type == "s" and name_cell.value == "'" + INJECTION


def test_every_export_is_audited_without_data(session: Session, tmp_path: Path) -> None:
    add_people(session)
    export_registrations(
        session=session,
        filters=RegistrationFilter(kind="family"),
        file_format="csv",
        path=tmp_path / "f.csv",
        actor="coordinator-3",
    )
    session.commit()
    audit = session.scalars(select(ExportAudit)).one()
    assert (audit.actor, audit.file_format, audit.row_count) == ("coordinator-3", "csv", 1)
    assert audit.filters == {"kind": "family"}
    assert "فاطمة" not in str(audit.filters)
