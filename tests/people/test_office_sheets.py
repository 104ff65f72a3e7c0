"""Imports as offices make them, with real .xlsx files built by openpyxl: title rows above the header, an "STT"
column, the template's example row, a commune written once in a merged cell for the rows below it, and communes
named as they were before the 2025 reform."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.auth.principal import Principal
from app.core.spreadsheet import EXAMPLE_MARK
from app.people import service
from app.people.importer import template_xlsx
from app.people.models import Trainee
from app.places import service as places
from tests.people.factories import HEADERS, person


@pytest.fixture
def organiser(make_user):
    u = make_user("organiser", unit="24")
    return Principal(u.id, u.username, u.full_name, "organiser", u.unit_id, "127.0.0.1")


def _save(wb: Workbook) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _office_sheet(rows: list[dict], merge_commune: bool = True) -> bytes:
    """As a commune office types it: its name and the list's title above the table, a number column in front,
    the commune written once and merged down over its officials."""
    wb = Workbook()
    ws = wb.active
    ws.append(["ỦY BAN NHÂN DÂN XÃ TÂN DĨNH"])
    ws.merge_cells("A1:F1")
    ws.append(["DANH SÁCH CÁN BỘ ĐĂNG KÝ BỒI DƯỠNG NĂM 2026"])
    ws.merge_cells("A2:F2")
    ws.append([])
    ws.append(["STT", *HEADERS])  # the header is row 4
    for i, r in enumerate(rows, start=1):
        ws.append([i, *(r.get(h) for h in HEADERS)])
    if merge_commune and len(rows) > 1:
        col = "ABCDEFGHIJKLMNOP"[1 + HEADERS.index("Xã/phường")]
        for r in range(6, 5 + len(rows)):
            ws[f"{col}{r}"] = None
        ws.merge_cells(f"{col}5:{col}{4 + len(rows)}")
    return _save(wb)


def _count(db) -> int:  # noqa: ANN001
    return db.scalar(select(func.count()).select_from(Trainee))


def test_title_rows_stt_and_a_merged_commune_cell(synced, organiser):
    rows = [person(1), person(2), person(3, **{"Xã/phường": None})]
    content = _office_sheet(rows)
    ws = load_workbook(BytesIO(content)).active
    assert ws["K6"].value is None and ws["K7"].value is None  # the file really holds the commune once
    report = service.import_trainees(synced, organiser, content, dry_run=False, lawful_basis_confirmed=True)
    assert report.errors == [] and report.created == 3
    tan_dinh = places.get_by_key(synced, "07432").id
    assert {t.unit_id for t in synced.scalars(select(Trainee))} == {tan_dinh}


def test_errors_name_the_rows_as_the_sheet_numbers_them(synced, organiser):
    content = _office_sheet([person(1), person(2, **{"Ngày sinh": "31/02/1990"})], merge_commune=False)
    report = service.import_trainees(synced, organiser, content, dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(6, "Ngày sinh")]  # title 1–3, header 4, people 5–6


def test_the_templates_example_row_is_marked_and_never_imported(synced, organiser):
    wb = load_workbook(BytesIO(template_xlsx()))
    ws = wb["Danh sách"]
    assert any(EXAMPLE_MARK in str(c.value or "") for c in ws[2])
    for i, r in enumerate([person(1), person(2)], start=3):
        for j, h in enumerate(HEADERS, start=1):
            ws.cell(row=i, column=j, value=r[h])
    report = service.import_trainees(synced, organiser, _save(wb), dry_run=False, lawful_basis_confirmed=True)
    assert report.errors == [] and report.created == 2
    assert "Nguyễn Thị Hồng Nhung" not in {t.full_name for t in synced.scalars(select(Trainee))}
    # The mark deleted, the row still holds the template's own example values: skipped all the same.
    ws.cell(row=2, column=len(HEADERS) + 1, value=None)
    again = service.import_trainees(synced, organiser, _save(wb), dry_run=True)
    assert again.errors == [] and (again.created, again.unchanged) == (0, 2)


def test_a_commune_named_as_before_the_reform_says_what_it_became(synced, organiser):
    rows = [person(1), person(2, **{"Xã/phường": "Đại Lâm", "Tỉnh/thành phố": "Bắc Giang"})]
    report = service.import_trainees(synced, organiser, _office_sheet(rows, merge_commune=False), dry_run=False,
                                     lawful_basis_confirmed=True)
    assert _count(synced) == 0
    [error] = report.errors
    assert (error.row, error.column) == (6, "Xã/phường")
    assert "Xã Đại Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang" in error.message
    assert "nay thuộc Xã Tân Dĩnh, Tỉnh Bắc Ninh" in error.message
    assert "“Tân Dĩnh” với Tỉnh/thành phố “Bắc Ninh”" in error.message and "old:07435" in error.message
    # Written as the message says, it imports.
    rows[1].update({"Xã/phường": "Tân Dĩnh", "Tỉnh/thành phố": "Bắc Ninh"})
    fixed = service.import_trainees(synced, organiser, _office_sheet(rows, merge_commune=False), dry_run=False,
                                    lawful_basis_confirmed=True)
    assert fixed.errors == [] and fixed.created == 2
