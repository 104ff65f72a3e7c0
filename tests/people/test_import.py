"""Importing a commune's list: every problem by row and column, all or nothing, re-import changes nothing."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.auth.principal import Principal
from app.people import service
from app.people.models import Trainee
from tests.helpers import api_token
from tests.people.factories import as_csv, as_xlsx, person


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Trainee))


@pytest.fixture
def organiser(make_user):
    u = make_user("organiser", unit="24")
    return Principal(u.id, u.username, u.full_name, "organiser", u.unit_id, "127.0.0.1")


def test_good_xlsx_imports_and_places_everyone(synced, organiser):
    rows = [person(1), person(2, **{"Chức danh": "Cán bộ tuyên giáo Đảng ủy", "Loại tổ chức": "Đảng ủy xã",
                                    "Phụ trách đài truyền thanh": "Không"})]
    report = service.import_trainees(synced, organiser, as_xlsx(rows), dry_run=False, lawful_basis_confirmed=True)
    assert report.as_dict() | {"errors": []} == {"created": 2, "updated": 0, "unchanged": 0, "errors": [],
                                                  "dry_run": False, "imported": True}
    people = {t.full_name: t for t in synced.scalars(select(Trainee))}
    assert people["Nguyễn Văn Thử 1"].target_group_code == "cvh_radio"
    assert people["Nguyễn Văn Thử 2"].target_group_code == "party_mass_propaganda"
    assert people["Nguyễn Văn Thử 1"].phone == "0912000001"


def test_same_file_twice_changes_nothing_and_an_edit_updates(synced, organiser):
    content = as_csv([person(i) for i in range(1, 4)])
    service.import_trainees(synced, organiser, content, dry_run=False, lawful_basis_confirmed=True)
    again = service.import_trainees(synced, organiser, content, dry_run=False, lawful_basis_confirmed=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    edited = as_csv([person(1, **{"Số điện thoại": "0987 654 321"}), person(2), person(3)], bom=False)
    third = service.import_trainees(synced, organiser, edited, dry_run=False, lawful_basis_confirmed=True)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert _count(synced) == 3


def test_a_file_mixing_good_and_bad_rows_imports_nobody(synced, organiser):
    rows = [person(1), person(2, **{"Ngày sinh": "31/02/1990"}), person(3, **{"Xã/phường": "Xã Không Có"}),
            person(1, **{"Họ và tên": "Người Trùng Số"}), person(5, **{"Dân tộc": "Sao Hoả"}),
            person(6, **{"Họ và tên": "=HYPERLINK(\"http://x\")"}), person(7, **{"Số điện thoại": "12345"})]
    report = service.import_trainees(synced, organiser, as_csv(rows), dry_run=False, lawful_basis_confirmed=True)
    found = {(e.row, e.column) for e in report.errors}
    assert (3, "Ngày sinh") in found and any("không có thật" in e.message for e in report.errors)
    assert (4, "Xã/phường") in found
    assert (5, "Số CCCD") in found and any("trùng với dòng 2" in e.message for e in report.errors)
    assert (6, "Dân tộc") in found
    assert (7, "Họ và tên") in found and any("công thức" in e.message for e in report.errors)
    assert (8, "Số điện thoại") in found
    assert not report.as_dict()["imported"]
    assert _count(synced) == 0


def test_file_level_problems_are_named(synced, organiser):
    def errors(content: bytes) -> list[str]:
        return [e.message for e in service.import_trainees(synced, organiser, content, dry_run=True).errors]

    assert errors(b"") == ["Tệp rỗng."]
    assert "không phải bảng tính" in errors(b"\x00\x01binary\x00" * 10)[0]
    assert "UTF-8" in errors(b"H\xe1 v\xe0 t\xean,Gi\xf5i t\xednh\nA,Nam\n")[0]  # a Windows-1258 file
    missing = service.import_trainees(synced, organiser, "Họ và tên\nA\n".encode(), dry_run=True).errors
    assert {e.column for e in missing} >= {"Số CCCD", "Ngày sinh", "Xã/phường"}
    assert all(e.message == "Thiếu cột bắt buộc." for e in missing)


def test_oversized_file_is_refused(synced, organiser, monkeypatch):
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "import_max_bytes", 2048)
    big = as_csv([person(i) for i in range(1, 40)])
    report = service.import_trainees(synced, organiser, big, dry_run=True)
    assert report.errors[0].message.startswith("Tệp lớn hơn giới hạn")


def test_excel_number_that_lost_its_leading_zero_is_explained(synced, organiser):
    row = person(1)
    row["Số CCCD"] = int(row["Số CCCD"])  # Excel turned "024…" into a number
    report = service.import_trainees(synced, organiser, as_xlsx([row]), dry_run=True)
    assert "mất số 0 ở đầu" in report.errors[0].message


def test_rows_outside_the_organisers_unit_are_refused(synced, make_user):
    u = make_user("organiser", unit="07432")  # one commune only
    who = Principal(u.id, u.username, u.full_name, "organiser", u.unit_id, None)
    report = service.import_trainees(synced, who, as_csv([person(1, **{"Xã/phường": "07210"})]), dry_run=True)
    assert report.errors[0].message == "Xã/phường này nằm ngoài đơn vị bạn phụ trách."


def test_import_needs_the_lawful_basis_confirmed(synced, organiser):
    from app.errors import Invalid

    with pytest.raises(Invalid) as err:
        service.import_trainees(synced, organiser, as_csv([person(1)]), dry_run=False)
    assert err.value.field == "lawful_basis_confirmed"
    assert _count(synced) == 0


def test_api_dry_run_then_import_and_template(client, synced, make_user):
    u = make_user("organiser", unit="24")
    headers = {"Authorization": f"Bearer {api_token(client, u.username)}"}
    template = client.get("/api/v1/trainees/import/template.xlsx", headers=headers)
    assert template.status_code == 200
    ws = load_workbook(BytesIO(template.content)).active
    assert [c.value for c in ws[1]][:3] == ["Họ và tên *", "Giới tính *", "Ngày sinh *"]
    files = {"file": ("ds.csv", as_csv([person(1), person(2)]), "text/csv")}
    preview = client.post("/api/v1/trainees/import", headers=headers, files=files, data={"dry_run": "true"})
    assert preview.status_code == 200 and preview.json()["created"] == 2 and not preview.json()["imported"]
    assert client.get("/api/v1/trainees", headers=headers).json()["total"] == 0
    done = client.post("/api/v1/trainees/import", headers=headers, files=files,
                       data={"dry_run": "false", "lawful_basis_confirmed": "true"})
    assert done.status_code == 200 and done.json()["imported"] is True
    bad = client.post("/api/v1/trainees/import", headers=headers, data={"dry_run": "false"},
                      files={"file": ("ds.csv", as_csv([person(3, **{"Giới tính": "?"})]), "text/csv")})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"row": 2, "column": "Giới tính",
                                     "message": "Giới tính “?” không có trong danh mục."}]


def test_communes_are_found_as_people_write_them(synced):
    from app.people.fields import UnitResolver

    r = UnitResolver(synced)
    assert r.resolve("Xã Đa Mai", "Bắc Ninh").name == "Phường Đa Mai"  # the wrong unit type still finds it
    assert r.resolve("tan dinh", "bac ninh").name == "Xã Tân Dĩnh"
    assert r.resolve("old:07435").name == "Xã Đại Lâm"  # a commune from before the 2025 reform
    assert "ghi thêm cột Tỉnh/thành phố" in r.resolve("tan dinh")  # Tân Dĩnh and Tân Định: which one?
    assert r.resolve("Xã Không Có", "Bắc Ninh") == "Không tìm thấy xã/phường “Xã Không Có” thuộc “Bắc Ninh”."
