"""Materials through the JSON API, on both databases: upload, access, ranges, names, versions, deletion."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.config import get_settings
from app.materials.models import Material, MaterialVersion
from app.materials.storage import get_storage
from tests.materials import files


def _stored(sha: str) -> bool:
    return get_storage().exists(sha)


def _course_material(world, upload, data: bytes | None = None, name: str = "Bài giảng.pdf") -> dict:
    r = upload("org-bn", [(name, data or files.pdf())], course_id=world.course.id)
    assert r.status_code == 201, r.text
    return r.json()["items"][0]


def test_several_files_at_once_typed_by_their_content(client, db, world, upload, auth):
    r = upload("org-bn", [("Bài giảng số 1.pdf", files.pdf()), ("Mẫu bản tin.pdf", files.docx()),
                          ("Chương trình phát thanh mẫu.mp3", files.mp3())],
               course_id=world.course.id, description="Dùng cho buổi 1", language="vi")
    assert r.status_code == 201, r.text
    items = r.json()["items"]
    assert [(i["title"], i["file"]["file_name"], i["file"]["content_type"]) for i in items] == [
        ("Bài giảng số 1", "Bài giảng số 1.pdf", "application/pdf"),
        ("Mẫu bản tin", "Mẫu bản tin.docx",  # named .pdf, but it is a Word file
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("Chương trình phát thanh mẫu", "Chương trình phát thanh mẫu.mp3", "audio/mpeg")]
    assert all(_stored(i["file"]["sha256"]) for i in items)
    listed = client.get("/api/v1/materials", params={"course_id": world.course.id}, headers=auth("hv-confirmed"))
    assert listed.status_code == 200
    assert [i["title"] for i in listed.json()["items"]] == [i["title"] for i in items]
    assert all(i["download_count"] is None and not i["may_manage"] for i in listed.json()["items"])
    events = db.scalars(select(AuditEvent.action).where(AuditEvent.action == "material.upload")).all()
    assert len(events) == 3


def test_one_title_for_several_files_prefixes_each(world, upload):
    r = upload("org-bn", [("a.pdf", files.pdf()), ("b.pdf", files.pdf("Khác"))], course_id=world.course.id,
               title="Ngày 1")
    assert [i["title"] for i in r.json()["items"]] == ["Ngày 1 — a", "Ngày 1 — b"]


@pytest.mark.parametrize(("who", "status"), [
    ("org-bn", 200), ("quan-tri", 200), ("gv-bn", 200), ("hv-confirmed", 200),
    ("org-hn", 404),  # another province's organiser does not even see the course
    ("gv-hn", 403), ("hv-waitlisted", 403), ("hv-other_course", 403),
])
def test_who_may_download_a_course_material(client, world, upload, auth, who, status):
    m = _course_material(world, upload)
    r = client.get(f"/api/v1/materials/{m['id']}/download", headers=auth(who))
    assert r.status_code == status, r.text
    if status == 200:
        assert r.content == files.pdf()
    if who == "hv-waitlisted":
        assert r.json()["code"] == "not_confirmed"
    listed = client.get("/api/v1/materials", params={"course_id": world.course.id}, headers=auth(who))
    assert listed.status_code == status


def test_anonymous_gets_nothing(client, world, upload):
    m = _course_material(world, upload)
    assert client.get(f"/api/v1/materials/{m['id']}/download").status_code == 401
    page = client.get(f"/materials/{m['id']}/download", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_shared_module_material_reaches_every_course_of_the_curriculum(client, world, upload, auth):
    module_id, module_code = world.modules[0]
    r = upload("org-bn", [("Đề cương chuyên đề.pdf", files.pdf())], course_id=world.course.id,
               course_module_id=module_id, share="1")
    assert r.status_code == 201, r.text
    m = r.json()["items"][0]
    assert (m["course_id"], m["curriculum_code"], m["module_code"]) == (None, "CT2", module_code)
    other_list = client.get("/api/v1/materials", params={"course_id": world.other_course.id},
                            headers=auth("hv-other_course"))
    assert [i["id"] for i in other_list.json()["items"]] == [m["id"]]
    for who, status in (("hv-other_course", 200), ("hv-confirmed", 200), ("hv-waitlisted", 403),
                        ("gv-hn", 200), ("org-hn", 200)):
        got = client.get(f"/api/v1/materials/{m['id']}/download", headers=auth(who))
        assert got.status_code == status, (who, got.text)
    by_module = client.get("/api/v1/materials", params={"curriculum": "CT2", "module": module_code},
                           headers=auth("gv-hn"))
    assert [i["id"] for i in by_module.json()["items"]] == [m["id"]]


def test_a_local_module_cannot_be_shared(client, db, world, upload, auth):
    from app.courses import service as courses
    from tests.courses.factories import principal

    local = courses.add_local_module(db, principal(world.users["organiser"]), world.course.id,
                                     title="Thông tin về chuyển đổi số ở xã", theory_hours=2)
    r = upload("org-bn", [("a.pdf", files.pdf())], course_id=world.course.id, course_module_id=local.id, share="1")
    assert r.status_code == 422 and r.json()["code"] == "module_not_shared"
    r = upload("org-bn", [("a.pdf", files.pdf())], course_id=world.course.id, course_module_id=local.id)
    assert r.status_code == 201 and r.json()["items"][0]["course_module_id"] == local.id


def test_upload_needs_course_staff(world, upload):
    for who in ("gv-hn", "hv-confirmed"):
        r = upload(who, [("a.pdf", files.pdf())], course_id=world.course.id)
        assert r.status_code == 403, r.text
    assert upload("org-hn", [("a.pdf", files.pdf())], course_id=world.course.id).status_code == 404
    assert upload("gv-bn", [("a.pdf", files.pdf())], course_id=world.course.id).status_code == 201


@pytest.mark.parametrize(("name", "data", "code", "status"), [
    ("bao-cao.pdf", files.elf(), "type_not_allowed", 415),
    ("de-cuong.pdf", files.exe_with_pdf_header(), "type_not_allowed", 415),
    ("bang-diem.docx", files.docm(), "type_not_allowed", 415),
    ("trang.pdf", files.html(), "type_not_allowed", 415),
    ("rong.pdf", b"", "empty_file", 422),
    ("../../etc/passwd", files.pdf(), "bad_filename", 422),
    ("/etc/passwd", files.pdf(), "bad_filename", 422),
    ("..\\..\\boot.pdf", files.pdf(), "bad_filename", 422),
])
def test_refusals_store_nothing(db, world, upload, name, data, code, status):
    before = db.scalar(select(func.count()).select_from(Material))
    r = upload("org-bn", [("tốt.pdf", files.pdf("tốt")), (name, data)], course_id=world.course.id)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and body["field"] == "files"
    assert "Không tệp nào được lưu" in body["detail"]
    assert db.scalar(select(func.count()).select_from(Material)) == before  # the good file was not kept either
    staging = get_settings().data_dir / "materials" / "tmp"
    assert not list(staging.glob("upload-*")), "staged files are cleaned up"
    assert not (get_settings().data_dir.parent / "etc").exists()


def test_a_refusal_says_what_the_file_really_is(world, upload):
    r = upload("org-bn", [("Bài giảng.pdf", files.exe_with_pdf_header())], course_id=world.course.id)
    assert r.status_code == 415
    assert "chương trình chạy được (EXE/DLL, Windows)" in r.json()["detail"]
    assert "Bài giảng.pdf" in r.json()["detail"]


def test_size_limit_per_file(world, upload, monkeypatch):
    monkeypatch.setattr(get_settings(), "material_max_bytes", 2048)
    r = upload("org-bn", [("nho.pdf", files.pdf()[:2000]), ("lon.mp4", files.mp4(8192))], course_id=world.course.id)
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    assert "lon.mp4" in r.json()["detail"] and "2 KB" in r.json()["detail"]
    assert not list((get_settings().data_dir / "materials" / "tmp").glob("upload-*"))


def test_declared_length_over_the_limit_is_refused_before_reading(client, world, monkeypatch):
    monkeypatch.setattr(get_settings(), "material_max_bytes", 1024)
    monkeypatch.setattr(get_settings(), "material_max_files", 1)
    body = b"\0" * (2 * 1024 * 1024)
    # The bearer token is not even checked: the length is refused first.
    r = client.post("/api/v1/materials", content=body, headers={
        "Authorization": "Bearer not-checked-yet", "Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413 and r.json()["code"] == "request_too_large"


def test_range_requests_and_caching(client, db, world, upload, auth):
    data = files.mp3(frames=20)
    m = _course_material(world, upload, data, "Chương trình phát thanh.mp3")
    url, h = f"/api/v1/materials/{m['id']}/download", auth("hv-confirmed")
    full = client.get(url, headers=h)
    assert full.status_code == 200 and full.content == data
    assert full.headers["content-type"] == "audio/mpeg"
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["cache-control"] == "private, no-cache"
    etag = full.headers["etag"]
    assert etag == f'"{m["file"]["sha256"]}"'
    part = client.get(url, headers={**h, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert part.headers["content-length"] == "100"
    tail = client.get(url, headers={**h, "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    resume = client.get(url, headers={**h, "Range": f"bytes={len(data) - 5}-", "If-Range": etag})
    assert resume.status_code == 206 and resume.content == data[-5:]
    changed = client.get(url, headers={**h, "Range": "bytes=0-9", "If-Range": '"another-file"'})
    assert changed.status_code == 200 and changed.content == data
    beyond = client.get(url, headers={**h, "Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(data)}"
    assert client.get(url, headers={**h, "If-None-Match": etag}).status_code == 304
    head = client.head(url, headers=h)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data)) and head.content == b""
    # Counted: the two whole downloads and the two that started at byte 0 (If-Range mismatch); not the rest.
    db.expire_all()
    assert db.get(Material, m["id"]).download_count == 2
    seen = client.get(f"/api/v1/materials/{m['id']}", headers=auth("org-bn")).json()
    assert seen["download_count"] == 2


def test_vietnamese_names_round_trip(client, world, upload, auth):
    name = "Kỹ năng xử lý khủng hoảng truyền thông ở cơ sở — Đợt 1.pdf"
    decomposed = unicodedata.normalize("NFD", name)
    m = _course_material(world, upload, files.pdf(), decomposed)
    assert m["file"]["file_name"] == name  # stored NFC
    r = client.get(f"/api/v1/materials/{m['id']}/download", headers=auth("hv-confirmed"))
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Ky nang xu ly khung hoang truyen thong o co so _ Dot 1.pdf"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == name


def test_replace_keeps_the_old_version(client, db, world, upload, auth):
    m = _course_material(world, upload, files.pdf("Bản cũ"), "Bài giảng.pdf")
    new = files.pdf("Bản mới")
    r = client.post(f"/api/v1/materials/{m['id']}/versions", headers=auth("gv-bn"), data={"note": "Sửa lỗi chính tả"},
                    files={"file": ("Bài giảng (sửa).pdf", new, "application/pdf")})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["current_version"] == 2 and [v["number"] for v in body["versions"]] == [2, 1]
    assert body["versions"][0]["note"] == "Sửa lỗi chính tả"
    trainee = auth("hv-confirmed")
    assert client.get(f"/api/v1/materials/{m['id']}/download", headers=trainee).content == new
    old = f"/api/v1/materials/{m['id']}/versions/1/download"
    assert client.get(old, headers=auth("org-bn")).content == files.pdf("Bản cũ")
    assert client.get(old, headers=trainee).status_code == 403
    assert client.get(f"/api/v1/materials/{m['id']}", headers=trainee).json()["versions"] is None
    assert db.scalar(select(func.count()).select_from(MaterialVersion).where(
        MaterialVersion.material_id == m["id"])) == 2
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "material.replace")).one()
    assert event.changes["version"] == [1, 2] and event.note == "Sửa lỗi chính tả"
    refused = client.post(f"/api/v1/materials/{m['id']}/versions", headers=auth("gv-bn"),
                          files={"file": ("x.pdf", files.elf(), "application/pdf")})
    assert refused.status_code == 415
    assert client.get(f"/api/v1/materials/{m['id']}", headers=trainee).json()["current_version"] == 2


def test_soft_delete_hides_it_everywhere_and_is_recorded(client, db, world, upload, auth):
    m = _course_material(world, upload)
    assert client.delete(f"/api/v1/materials/{m['id']}", headers=auth("hv-confirmed")).status_code == 403
    r = client.delete(f"/api/v1/materials/{m['id']}", params={"reason": "Tài liệu trùng"}, headers=auth("org-bn"))
    assert r.status_code == 204
    for who in ("org-bn", "hv-confirmed"):
        assert client.get("/api/v1/materials", params={"course_id": world.course.id},
                          headers=auth(who)).json()["items"] == []
        assert client.get(f"/api/v1/materials/{m['id']}/download", headers=auth(who)).status_code == 404
        assert client.get(f"/api/v1/materials/{m['id']}", headers=auth(who)).status_code == 404
    row = db.get(Material, m["id"])
    assert row.deleted_at is not None and row.delete_reason == "Tài liệu trùng"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "material.delete")).one()
    assert event.note == "Tài liệu trùng" and event.actor_label == "org-bn"
    assert _stored(m["file"]["sha256"]), "the file is kept: deletion is soft"


def test_the_same_file_is_stored_once(client, world, upload, auth):
    data = files.pdf("Cùng một tệp")
    a = _course_material(world, upload, data, "a.pdf")
    b = upload("org-bn", [("b.pdf", data)], course_id=world.other_course.id).json()["items"][0]
    assert a["file"]["sha256"] == b["file"]["sha256"]
    root = get_settings().data_dir / "materials"
    assert len(list(root.rglob(a["file"]["sha256"]))) == 1
    assert client.get(f"/api/v1/materials/{b['id']}/download", headers=auth("hv-other_course")).content == data


def test_edit_details(client, world, upload, auth):
    m = _course_material(world, upload)
    r = client.patch(f"/api/v1/materials/{m['id']}", headers=auth("org-bn"),
                     json={"title": "Bài giảng chuyên đề 1", "language": "tyz"})
    assert r.status_code == 200 and (r.json()["title"], r.json()["language"]) == ("Bài giảng chuyên đề 1", "tyz")
    bad = client.patch(f"/api/v1/materials/{m['id']}", headers=auth("org-bn"), json={"language": "xx"})
    assert bad.status_code == 422 and bad.json()["code"] == "language_invalid"
    assert client.patch(f"/api/v1/materials/{m['id']}", headers=auth("gv-hn"), json={"title": "x"}
                        ).status_code == 403


def test_my_materials(client, world, upload, auth):
    own = _course_material(world, upload)
    shared = upload("org-bn", [("Chung.pdf", files.pdf("chung"))], course_id=world.course.id,
                    course_module_id=world.modules[1][0], share="1").json()["items"][0]
    mine = client.get("/api/v1/materials/mine", headers=auth("hv-confirmed")).json()["courses"]
    assert [(c["course_id"], c["enrolment_status"]) for c in mine] == [(world.course.id, "confirmed")]
    assert {i["id"] for i in mine[0]["items"]} == {own["id"], shared["id"]}
    waiting = client.get("/api/v1/materials/mine", headers=auth("hv-waitlisted")).json()["courses"]
    assert [(c["enrolment_status"], c["items"]) for c in waiting] == [("waitlisted", [])]
    other = client.get("/api/v1/materials/mine", headers=auth("hv-other_course")).json()["courses"]
    assert [i["id"] for i in other[0]["items"]] == [shared["id"]]
    assert client.get("/api/v1/materials/mine", headers=auth("org-bn")).json() == {"courses": []}
