"""Trainee records through the API and pages: scoping, masking, reasons, self sign-up, export."""
from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.people import service
from tests.helpers import api_token, sign_in
from tests.people.factories import as_csv, person


def _body(i: int, **overrides) -> dict:
    row = person(i)
    body = {"full_name": row["Họ và tên"], "sex": row["Giới tính"],
            "birth_date": "-".join(reversed(row["Ngày sinh"].split("/"))), "ethnicity": "Tày",
            "citizen_id": row["Số CCCD"], "phone": "+84 912 345 678", "position": "cong_chuc_vhxh",
            "organisation_type": "ubnd_xa", "commune": "07432", "in_charge_of_radio": True,
            "commune_categories": ["dtts"]}
    body.update(overrides)
    return body


def _headers(client, user) -> dict:
    return {"Authorization": f"Bearer {api_token(client, user.username)}"}


def test_create_shows_target_group_and_priority_reasons(client, synced, make_user):
    h = _headers(client, make_user("organiser", unit="24"))
    created = client.post("/api/v1/trainees", headers=h, json=_body(1))
    assert created.status_code == 201, created.text
    t = created.json()
    assert t["target_group"] == "cvh_radio" and t["phone"] == "0912345678"
    ct2 = next(p for p in t["priorities"] if p["curriculum"] == "CT2")
    assert ct2["eligible"] and ct2["rank"] == 1
    assert ct2["reasons"][0]["vi"].startswith("Ưu tiên 1: ")
    ct1 = next(p for p in t["priorities"] if p["curriculum"] == "CT1")
    assert not ct1["eligible"]
    dup = client.post("/api/v1/trainees", headers=h, json=_body(1))
    assert dup.status_code == 409 and dup.json()["field"] == "citizen_id"


def test_bad_record_names_the_field(client, synced, make_user):
    h = _headers(client, make_user("organiser", unit="24"))
    bad = client.post("/api/v1/trainees", headers=h, json=_body(2, citizen_id="12345"))
    assert bad.status_code == 422 and bad.json()["field"] == "citizen_id"
    assert "12 chữ số" in bad.json()["detail"]


def test_personal_data_is_masked_outside_the_scope(client, synced, make_user):
    province = make_user("organiser", unit="24")
    client.post("/api/v1/trainees", headers=_headers(client, province), json=_body(3))
    trainer = make_user("trainer", unit="24")
    listed = client.get("/api/v1/trainees", headers=_headers(client, trainer)).json()["items"][0]
    assert listed["masked"] is True
    assert listed["citizen_id"].startswith("••••") and listed["ethnicity"] is None
    assert listed["birth_date"].startswith("••/••/")
    own = client.get("/api/v1/trainees", headers=_headers(client, province)).json()["items"][0]
    assert own["masked"] is False and own["ethnicity"] == "tay"
    other_commune = make_user("organiser", unit="07210")
    assert client.get(f"/api/v1/trainees/{own['id']}", headers=_headers(client, other_commune)).status_code == 404
    trainee = make_user("trainee", unit="07432")
    assert client.get(f"/api/v1/trainees/{own['id']}", headers=_headers(client, trainee)).status_code == 404


def test_search_without_diacritics_and_filters(client, synced, make_user):
    h = _headers(client, make_user("organiser", unit="24"))
    client.post("/api/v1/trainees", headers=h, json=_body(4, full_name="Hoàng Thị Đào"))
    client.post("/api/v1/trainees", headers=h, json=_body(5, full_name="Lý Văn Mạnh", position="can_bo_tuyen_giao",
                                                          organisation_type="dang_uy_xa", in_charge_of_radio=False))
    assert [t["full_name"] for t in client.get("/api/v1/trainees?q=hoang thi dao", headers=h).json()["items"]] == [
        "Hoàng Thị Đào"]
    ct1 = client.get("/api/v1/trainees?curriculum=CT3", headers=h).json()
    assert {t["full_name"] for t in ct1["items"]} == {"Lý Văn Mạnh", "Hoàng Thị Đào"}
    group = client.get("/api/v1/trainees?target_group=party_mass_propaganda", headers=h).json()
    assert [t["full_name"] for t in group["items"]] == ["Lý Văn Mạnh"]
    paged = client.get("/api/v1/trainees?per_page=1&page=2", headers=h).json()
    assert paged["total"] == 2 and len(paged["items"]) == 1


def test_export_masks_for_others_neutralises_formulas_and_is_audited(client, synced, db, make_user):
    organiser = make_user("organiser", unit="24")
    client.post("/api/v1/trainees", headers=_headers(client, organiser), json=_body(6, full_name="-Trần Văn Cộng"))
    admin_view = load_workbook(BytesIO(client.get("/api/v1/trainees/export.xlsx",
                                                  headers=_headers(client, organiser)).content)).active
    row = [c.value for c in admin_view[2]]
    assert row[0] == "'-Trần Văn Cộng"  # a leading minus must not become a formula
    assert row[4] == _body(6)["citizen_id"]
    other = make_user("organiser", unit="24")
    other_view = load_workbook(BytesIO(client.get("/api/v1/trainees/export.xlsx",
                                                  headers=_headers(client, other)).content)).active
    assert [c.value for c in other_view[2]][4] == _body(6)["citizen_id"]  # same province: allowed to see
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "trainee.export")))
    assert len(events) == 2 and events[0].changes["rows"] == 1


def test_trainee_sees_eligibility_in_the_catalogue(client, synced, db, make_user):
    user = make_user("trainee", unit="07432")
    who = Principal(user.id, user.username, user.full_name, "trainee", user.unit_id, None)
    data = service.parse_or_raise(db, {**{k: v for k, v in _body(7).items()}, "commune": "07432"})
    service.create_trainee(db, who, data, user_id=user.id)
    sign_in(client, user.username)
    page = client.get("/curricula").text
    assert 'id="my-priority-CT2"' in page and "Bạn thuộc đối tượng" in page
    assert "Bạn không thuộc đối tượng" in page  # CT1 is for the press


def test_import_page_preview_then_import(client, synced, make_user):
    user = make_user("organiser", unit="24")
    sign_in(client, user.username)
    csrf = client.cookies.get("nangluc_csrf")
    bad = client.post("/trainees/import", data={"csrf_token": csrf},
                      files={"file": ("ds.csv", as_csv([person(1, **{"Dân tộc": "X"})]), "text/csv")})
    assert bad.status_code == 422 and "Dân tộc “X” không có trong danh mục." in bad.text
    good = client.post("/trainees/import", data={"csrf_token": csrf},
                       files={"file": ("ds.csv", as_csv([person(1)]), "text/csv")})
    assert good.status_code == 200 and "Sẵn sàng nhập: 1 người mới" in good.text
    token = good.text.split('name="token" value="')[1].split('"')[0]
    done = client.post("/trainees/import", data={"csrf_token": csrf, "token": token, "filename": "ds.csv",
                                                 "lawful_basis_confirmed": "on"}, follow_redirects=False)
    assert done.status_code == 303
    assert "Nguyễn Văn Thử 1" in client.get("/trainees").text
