"""Curricula in the database: sync is idempotent, a changed file is a new version, courses keep theirs."""
from __future__ import annotations

import shutil
import subprocess
import sys
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.auth.principal import Principal
from app.courses import service as courses
from app.curricula import service
from app.curricula.loader import DEFAULT_DIRECTORY
from app.curricula.models import CurriculumVersion
from tests.helpers import api_token, sign_in

SYSTEM = Principal.system("test")


@pytest.fixture
def synced(db):
    service.sync(db, SYSTEM)
    return db


@pytest.fixture
def curricula_copy(tmp_path) -> Path:
    target = tmp_path / "curricula"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _versions(db) -> int:
    return db.scalar(select(func.count()).select_from(CurriculumVersion))


def test_sync_loads_four_curricula_and_twice_changes_nothing(db):
    first = service.sync(db, SYSTEM)
    assert first.created == ["CT1 v1", "CT2 v1", "CT3 v1", "CT4 v1"]
    count = _versions(db)
    second = service.sync(db, SYSTEM)
    assert second.created == [] and second.unchanged == ["CT1 v1", "CT2 v1", "CT3 v1", "CT4 v1"]
    assert _versions(db) == count
    assert [v.curriculum_code for v in service.catalogue(db)] == ["CT1", "CT2", "CT3", "CT4"]


def test_changed_file_becomes_version_2_and_an_earlier_course_keeps_version_1(db, curricula_copy, make_user):
    service.sync(db, SYSTEM, curricula_copy)
    organiser = make_user("organiser", unit="24")
    who = Principal(organiser.id, organiser.username, organiser.full_name, "organiser", organiser.unit_id, None)
    course = courses.create_course(db, who, curriculum_code="CT2", title="Lớp bồi dưỡng 2026")
    ct2 = curricula_copy / "ct2.yaml"
    text = ct2.read_text(encoding="utf-8")
    ct2.write_text(text.replace("Vị trí, vai trò, nhiệm vụ của hệ thống thông tin cơ sở",
                                "Vị trí, vai trò và nhiệm vụ của hệ thống thông tin cơ sở", 1), encoding="utf-8")
    report = service.sync(db, SYSTEM, curricula_copy)
    assert report.created == ["CT2 v2"]
    assert service.get_version(db, "CT2").number == 2
    again = courses.get_course(db, who, course.id)
    assert again.curriculum_version.number == 1
    old_topics = [t.title_vi for m in again.curriculum_version.modules for t in m.topics]
    assert "Vị trí, vai trò, nhiệm vụ của hệ thống thông tin cơ sở" in old_topics
    assert service.get_version(db, "CT2", 1).id == again.curriculum_version_id  # old version still readable


def test_broken_files_write_nothing(db, curricula_copy):
    (curricula_copy / "ct3.yaml").write_text("code: CT3\nunknown_key: 1\n", encoding="utf-8")
    with pytest.raises(service.CurriculaInvalid) as err:
        service.sync(db, SYSTEM, curricula_copy)
    assert any(line.startswith("ct3.yaml: ") for line in err.value.errors)
    assert _versions(db) == 0


def test_api_lists_four_and_reads_a_version(client, synced, make_user):
    user = make_user("trainee", unit="07432")
    headers = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    listing = client.get("/api/v1/curricula", headers=headers).json()
    assert listing["total"] == 4
    ct2 = next(c for c in listing["items"] if c["code"] == "CT2")
    assert [g["code"] for g in ct2["target_groups"]][0] == "cvh_radio"
    detail = client.get("/api/v1/curricula/ct2", headers=headers).json()
    assert detail["modules"][0]["code"] == "CHUNG" and detail["modules"][0]["shared"] is True
    assert detail["version"]["number"] == 1
    assert client.get("/api/v1/curricula/CT2?version=1", headers=headers).status_code == 200
    missing = client.get("/api/v1/curricula/CT2?version=9", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "curriculum_not_found"


def test_outline_pdf_contains_the_vietnamese_title_exactly(client, synced, make_user):
    user = make_user("organiser", unit="24")
    headers = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    title = client.get("/api/v1/curricula/CT3", headers=headers).json()["title"]["vi"]
    response = client.get("/api/v1/curricula/CT3/outline.pdf", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert unicodedata.normalize("NFC", text) == text
    assert title in " ".join(text.split())
    assert "Kỹ năng lập kế hoạch thông tin tuyên truyền" in " ".join(text.split())
    fonts = {str(f.get("/BaseFont")) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert all("BeVietnamPro" in f for f in fonts), fonts  # embedded Vietnamese font, never a base-14 font


def test_catalogue_and_curriculum_pages(client, synced, make_user):
    user = make_user("trainee", unit="07432")
    sign_in(client, user.username)
    page = client.get("/curricula")
    assert page.status_code == 200
    for code in ("CT1", "CT2", "CT3", "CT4"):
        assert f'id="card-{code}"' in page.text
    detail = client.get("/curricula/CT2")
    assert "Kỹ năng sản xuất chương trình cho Đài Truyền thanh cấp xã" in detail.text
    assert client.get("/curricula/CT9").status_code == 404


def test_local_modules_and_topics_are_marked_local(client, synced, make_user):
    organiser = make_user("organiser", unit="07432")
    headers = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    created = client.post("/api/v1/courses", headers=headers, json={"curriculum": "CT2", "title": "Lớp Tân Dĩnh"})
    assert created.status_code == 201, created.text
    course = created.json()
    assert course["code"].startswith("CT2-") and course["code"].endswith("-24-001")
    assert {k: course["curriculum"][k] for k in ("code", "version", "label")} == {"code": "CT2", "version": 1,
                                                                              "label": "2023.1"}
    added = client.post(f"/api/v1/courses/{course['id']}/modules", headers=headers,
                        json={"title": "Tuyên truyền về mô hình giảm nghèo của xã", "theory_hours": 2})
    assert added.status_code == 201 and added.json()["is_local"] is True
    first = course["modules"][0]
    topic = client.post(f"/api/v1/courses/{course['id']}/modules/{first['id']}/topics", headers=headers,
                        json={"title": "Kế hoạch giảm nghèo của tỉnh Bắc Ninh năm 2026"})
    assert topic.status_code == 201
    assert topic.json()["topics"][-1] == {"code": None, "title": "Kế hoạch giảm nghèo của tỉnh Bắc Ninh năm 2026",
                                          "is_local": True}
    bad = client.post(f"/api/v1/courses/{course['id']}/modules", headers=headers,
                      json={"title": "Chuyên đề rỗng", "theory_hours": 0})
    assert bad.status_code == 422 and bad.json()["field"] == "theory_hours"
    # The curriculum itself is untouched by the course's additions.
    detail = client.get("/api/v1/curricula/CT2", headers=headers).json()
    assert all(m["title"]["vi"] != "Tuyên truyền về mô hình giảm nghèo của xã" for m in detail["modules"])


def test_course_of_another_commune_is_hidden(client, synced, make_user):
    mine = make_user("organiser", unit="07432")
    other = make_user("organiser", unit="07210")
    h_mine = {"Authorization": f"Bearer {api_token(client, mine.username)}"}
    h_other = {"Authorization": f"Bearer {api_token(client, other.username)}"}
    course = client.post("/api/v1/courses", headers=h_mine, json={"curriculum": "CT3", "title": "Lớp CT3"}).json()
    assert client.get(f"/api/v1/courses/{course['id']}", headers=h_other).status_code == 404
    assert client.post("/api/v1/courses", headers=h_other,
                       json={"curriculum": "CT3", "title": "Lớp khác", "unit": "07432"}).status_code == 403


def test_cli_check_names_file_and_field(curricula_copy):
    nangluc = str(Path(sys.executable).parent / "nangluc")
    ok = subprocess.run([nangluc, "curricula", "check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ct2 = curricula_copy / "ct2.yaml"
    text = ct2.read_text(encoding="utf-8")
    ct2.write_text(text.replace("theory: ", "theory: 0 #", 4), encoding="utf-8")
    broken = subprocess.run([nangluc, "curricula", "check", str(curricula_copy)], capture_output=True, text=True)
    assert broken.returncode == 1
    assert "ct2.yaml: modules[" in broken.stdout and ".hours.theory: must be greater than 0" in broken.stdout
