"""Exports: every field, Excel-friendly CSV, XLSX, no formulas, audit without data."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.registrations.export import COLUMNS, cell_text, export_registrations, safe_cell
from bot.registrations.use_cases import RegistrationData, change_status, save_registration
from bot.storage.models import ExportAudit
from bot.storage.repository import RegistrationFilter

INJECTION = '=HYPERLINK("http://evil.example","click")'
# Stored before input was cleaned (or written by anything else): must not break a file.
# (PostgreSQL refuses NUL and lone surrogates outright; the unit test covers those.)
HOSTILE_NAME = "Zoe\x1b[H\x1b[J\u202eKontrolle\x07\x0b"


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


def test_cells_hold_no_control_bidi_nul_or_surrogate_characters() -> None:
    assert cell_text("a\x00b\x1bc\u202ed\u2067e\ud800f\x85g\uffffh") == (
        "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf g\ufffdh"
    )
    assert cell_text("line one\nline two\r\nthree\tfour") == "line one line two three four"
    assert safe_cell("\t=1+1") == " =1+1"  # a leading tab is a space, not a formula prefix
    assert cell_text("مرحبا \u200fשלום\u200e Ayşe 👩‍👧") == "مرحبا \u200fשלום\u200e Ayşe 👩‍👧"


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
    # As typed, no visible apostrophe: a typed text cell is never evaluated.
    assert name_cell.data_type == "s" and name_cell.value == INJECTION


_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"(?:[^>]*/>|[^>]*>.*?</c>)')


def sheet_cells(path: Path) -> dict[str, str]:
    """Return the raw XML of every cell of the first sheet, by reference (e.g. "H2")."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    return {match.group(1): match.group(0) for match in _CELL.finditer(xml)}


def test_xlsx_formula_like_values_are_inline_text_in_the_file(
    session: Session, tmp_path: Path
) -> None:
    add_people(session)
    path = tmp_path / "out.xlsx"
    export_registrations(
        session=session, filters=RegistrationFilter(), file_format="xlsx", path=path, actor="t"
    )
    cells = sheet_cells(path)
    assert not [cell for cell in cells.values() if "<f>" in cell or "<f " in cell]
    name = cells[f"{_column_letter('name')}2"]
    assert 't="inlineStr"' in name
    assert f"<t>{INJECTION}</t>" in name
    assert "'" not in name
    phone_or_email = [cell for cell in cells.values() if "ayse@example.org" in cell]
    assert phone_or_email and 't="inlineStr"' in phone_or_email[0]


def _column_letter(column: str) -> str:
    return get_column_letter(COLUMNS.index(column) + 1)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_row_with_control_characters_does_not_break_the_export(
    session: Session, tmp_path: Path, file_format: str
) -> None:
    add_people(session)
    save_registration(
        session=session,
        data=RegistrationData(
            person_ref="p3", kind="mentor", language="de", name=HOSTILE_NAME,
            contact_method="chat", municipality="Aidlingen",
            details={"heard_from": "Flyer\x1b]0;title\x07\u2066x\u2069"},
        ),
    )  # fmt: skip
    session.commit()
    path = tmp_path / f"out.{file_format}"
    rows = export_registrations(
        session=session,
        filters=RegistrationFilter(),
        file_format=file_format,
        path=path,
        actor="tester",
    )
    session.commit()
    assert rows == 3
    if file_format == "csv":
        content = path.read_text(encoding="utf-8-sig")
        names = [r["name"] for r in csv.DictReader(content.splitlines(), delimiter=";")]
    else:
        sheet = load_workbook(path).active
        assert sheet is not None
        content = "".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)
        header = [cell.value for cell in sheet[1]]
        names = [row[header.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Zoe\ufffd[H\ufffd[J\ufffdKontrolle\ufffd\ufffd" in names
    for unsafe in ("\x1b", "\x07", "\x0b", "\u202e", "\u2066", "\u2069"):
        assert unsafe not in content
    assert len(session.scalars(select(ExportAudit)).all()) == 1


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
