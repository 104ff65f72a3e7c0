"""Enrol from a spreadsheet: found by citizen ID, all or nothing, preview shows seats and waitlist."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.auth.principal import Principal
from app.curricula import service as curricula
from app.enrolment.models import Enrolment
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import api_token, sign_in


@pytest.fixture
def world(db, make_user):
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    who = principal(organiser)
    course = open_course(db, who, capacity=2)
    officials = [add_trainee(db, who, i) for i in range(1, 5)]
    return {"who": who, "organiser": organiser, "course": course, "officials": officials}


def xlsx(rows: list[tuple]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Số CCCD", "Họ và tên"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def enrolled(db, course) -> int:  # noqa: ANN001
    return db.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id))


def post(client, world, content: bytes, dry_run: bool, name: str = "ds.xlsx"):  # noqa: ANN001
    h = {"Authorization": f"Bearer {api_token(client, world['organiser'].username)}"}
    return client.post(f"/api/v1/courses/{world['course'].id}/enrolments/import?dry_run={str(dry_run).lower()}",
                       headers=h, files={"file": (name, content)})


def test_preview_shows_who_gets_a_seat_and_writes_nothing(client, db, world):
    people = world["officials"]
    body = post(client, world, xlsx([(t.citizen_id, t.full_name) for t in people[:3]]), dry_run=True)
    assert body.status_code == 200, body.text
    result = body.json()
    assert [r["status"] for r in result["enrolled"]] == ["confirmed", "confirmed", "waitlisted"]
    assert result["enrolled"][2]["waitlist_position"] == 1 and result["imported"] is False
    assert enrolled(db, world["course"]) == 0


def test_import_enrols_everyone_listed(client, db, world):
    people = world["officials"]
    csv_body = "Số CCCD;Họ và tên\n" + "\n".join(f"{t.citizen_id};{t.full_name}" for t in people[:2])
    done = post(client, world, csv_body.encode(), dry_run=False, name="ds.csv")
    assert done.status_code == 200 and done.json()["imported"] is True
    assert enrolled(db, world["course"]) == 2


def test_one_bad_row_enrols_no_one_and_names_row_and_column(client, db, world):
    a, b, *_ = world["officials"]
    rows = [(a.citizen_id, a.full_name), ("024199999999", "Người Lạ"), (b.citizen_id, "Trần Văn Khác"),
            (a.citizen_id, a.full_name), (int(b.citizen_id), "")]
    refused = post(client, world, xlsx(rows), dry_run=False)
    assert refused.status_code == 422
    errors = {(e["row"], e["column"]): e["message"] for e in refused.json()["errors"]}
    assert "Không có học viên với số CCCD này" in errors[(3, "Số CCCD")]
    assert "khác tên trong hồ sơ" in errors[(4, "Họ và tên")]
    assert "trùng với dòng 2" in errors[(5, "Số CCCD")]
    assert "mất số 0" in errors[(6, "Số CCCD")]
    assert enrolled(db, world["course"]) == 0


def test_an_ineligible_person_stops_the_whole_list(client, db, world):
    journalist = add_trainee(db, world["who"], 40, **{"Chức danh": "Phóng viên", "Loại tổ chức": "Cơ quan báo chí",
                                                     "Phụ trách đài truyền thanh": "Không"})
    ok = world["officials"][0]
    refused = post(client, world, xlsx([(ok.citizen_id, ""), (journalist.citizen_id, "")]), dry_run=False)
    assert refused.status_code == 422
    assert [e["row"] for e in refused.json()["errors"]] == [3]
    assert journalist.full_name in refused.json()["errors"][0]["message"]
    assert enrolled(db, world["course"]) == 0


def test_people_outside_the_organisers_province_are_not_found(client, db, world, make_user):
    other = make_user("organiser", unit="01")  # Hà Nội
    who = principal(other)
    stranger = add_trainee(db, who, 50, **{"Xã/phường": "Ba Đình", "Tỉnh/thành phố": "Hà Nội"})
    refused = post(client, world, xlsx([(stranger.citizen_id, "")]), dry_run=False)
    assert refused.status_code == 422 and "trong đơn vị bạn phụ trách" in refused.json()["errors"][0]["message"]


def test_not_a_spreadsheet_is_refused_in_plain_words(client, db, world):
    refused = post(client, world, b"%PDF-1.4 not a list", dry_run=True, name="ds.xlsx")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"] and enrolled(db, world["course"]) == 0


def test_page_preview_then_confirm(client, db, world):
    assert sign_in(client, world["organiser"].username).status_code == 303
    course = world["course"]
    template = client.get(f"/courses/{course.id}/enrolments/import/template.xlsx")
    header = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
    assert header[0].startswith("Số CCCD")
    csrf = client.cookies.get("nangluc_csrf")
    people = world["officials"]
    preview = client.post(f"/courses/{course.id}/enrolments/import", data={"csrf_token": csrf},
                          files={"file": ("ds.xlsx", xlsx([(t.citizen_id, t.full_name) for t in people[:3]]))})
    assert preview.status_code == 200 and "Sẵn sàng ghi danh 3 người" in preview.text
    assert enrolled(db, course) == 0
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    done = client.post(f"/courses/{course.id}/enrolments/import", follow_redirects=False,
                       data={"csrf_token": csrf, "token": token, "filename": "ds.xlsx"})
    assert done.status_code == 303 and enrolled(db, course) == 3
    forged = client.post(f"/courses/{course.id}/enrolments/import", follow_redirects=False,
                         data={"csrf_token": csrf, "token": "../../etc/passwd", "filename": "x"})
    assert forged.status_code == 303 and enrolled(db, course) == 3
