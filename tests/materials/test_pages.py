"""Material pages as people use them, on both databases: the course tab, the curriculum's modules, one material,
"my materials"; uploads sent by our script (CSRF header, JSON answer) and by a plain form (no JavaScript)."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.assets import asset
from app.materials.models import Material
from tests.helpers import sign_in
from tests.materials import files

PDF = "application/pdf"


def _csrf(client) -> str:  # noqa: ANN001
    return client.cookies.get("nangluc_csrf")


def _script_upload(client, url: str, parts: list[tuple[str, bytes]], **fields):  # noqa: ANN001, ANN202
    """What static/materials.js sends: the token in a header, JSON asked for."""
    return client.post(url, data=fields, files=[("files", (n, d, PDF)) for n, d in parts],
                       headers={"X-CSRF-Token": _csrf(client), "Accept": "application/json"})


def test_organiser_uploads_from_the_course_tab_with_the_script(client, db, world):
    sign_in(client, "org-bn")
    page = client.get(f"/courses/{world.course.id}/materials")
    assert page.status_code == 200
    assert 'id="tab-materials"' in page.text and 'aria-current="page" id="tab-materials"' in page.text
    assert "data-upload" in page.text and 'name="course_module_id"' in page.text
    assert asset("materials.js") in page.text
    r = _script_upload(client, f"/courses/{world.course.id}/materials",
                       [("Bài giảng 1.pdf", files.pdf()), ("Bài giảng 2.pdf", files.pdf("2"))],
                       course_module_id=str(world.modules[0][0]), description="Ngày thứ nhất")
    assert r.status_code == 200, r.text
    assert r.json()["redirect"] == f"/courses/{world.course.id}/materials"
    listed = client.get(r.json()["redirect"])
    assert "Đã tải lên 2 tài liệu." in listed.text
    group = re.search(r'id="group-' + re.escape(world.modules[0][1]) + r'".*?</section>', listed.text, re.S)
    assert group and "Bài giảng 1" in group.group(0) and "Bài giảng 2" in group.group(0)
    assert "0 lượt tải" in listed.text


def test_script_upload_refusal_is_json_with_the_reason(client, world):
    sign_in(client, "org-bn")
    r = _script_upload(client, f"/courses/{world.course.id}/materials", [("bao-cao.pdf", files.elf())])
    assert r.status_code == 415
    assert r.json()["code"] == "type_not_allowed" and "ELF" in r.json()["detail"]


def test_plain_form_upload_without_javascript(client, db, world):
    sign_in(client, "org-bn")
    client.get(f"/courses/{world.course.id}/materials")
    r = client.post(f"/courses/{world.course.id}/materials", data={"csrf_token": _csrf(client), "title": "Tờ gấp"},
                    files=[("files", ("to-gap.pdf", files.pdf(), PDF))], follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/courses/{world.course.id}/materials"
    assert db.scalar(select(Material.title).where(Material.course_id == world.course.id)) == "Tờ gấp"
    refused = client.post(f"/courses/{world.course.id}/materials",
                          data={"csrf_token": _csrf(client), "title": "Giữ lại tên này"},
                          files=[("files", ("../../etc/passwd", files.pdf(), PDF))])
    assert refused.status_code == 422
    assert "không hợp lệ" in refused.text and 'value="Giữ lại tên này"' in refused.text
    assert 'id="upload" open' in refused.text
    without_token = client.post(f"/courses/{world.course.id}/materials",
                                files=[("files", ("a.pdf", files.pdf(), PDF))])
    assert without_token.status_code == 403


def test_confirmed_trainee_sees_and_downloads_others_do_not(client, world, upload):
    m = upload("org-bn", [("Kỹ năng phát thanh.mp3", files.mp3())], course_id=world.course.id).json()["items"][0]
    sign_in(client, "hv-confirmed")
    page = client.get(f"/courses/{world.course.id}/materials")
    assert page.status_code == 200
    assert f'href="/materials/{m["id"]}/download"' in page.text and "<audio controls" in page.text
    assert "data-upload" not in page.text and "lượt tải" not in page.text
    got = client.get(f"/materials/{m['id']}/download")
    assert got.status_code == 200 and got.content == files.mp3()
    inline = client.get(f"/materials/{m['id']}/download?inline=1")
    assert inline.headers["content-disposition"].startswith("inline;")
    assert "sandbox" in inline.headers["content-security-policy"]
    mine = client.get("/my-materials")
    assert mine.status_code == 200 and 'href="/my-materials" aria-current="page"' in mine.text
    assert f'id="my-course-{world.course.id}"' in mine.text and "Kỹ năng phát thanh" in mine.text
    client.post("/logout", data={"csrf_token": _csrf(client)})
    sign_in(client, "hv-waitlisted")
    refused = client.get(f"/courses/{world.course.id}/materials")
    assert refused.status_code == 403 and 'id="materials-closed"' in refused.text
    assert "mở khi bạn được xác nhận" in refused.text and "Kỹ năng phát thanh" not in refused.text
    assert client.get(f"/materials/{m['id']}/download").status_code == 403
    assert "Tài liệu sẽ mở khi bạn được xác nhận vào khoá học." in client.get("/my-materials").text


def test_pdf_is_never_shown_inline(client, world, upload):
    m = upload("org-bn", [("a.pdf", files.pdf())], course_id=world.course.id).json()["items"][0]
    sign_in(client, "hv-confirmed")
    assert client.get(f"/materials/{m['id']}/download?inline=1").headers["content-disposition"].startswith(
        "attachment;")


def test_curriculum_module_materials_page(client, world):
    sign_in(client, "gv-hn")  # a trainer of another province adds to the shared pool
    assert 'id="module-materials"' in client.get("/curricula/CT2").text
    page = client.get("/curricula/CT2/materials")
    assert page.status_code == 200 and 'name="module"' in page.text
    r = _script_upload(client, "/curricula/CT2/materials", [("Tình huống mẫu.pdf", files.pdf())],
                       module=world.modules[2][1], language="vi")
    assert r.status_code == 200, r.text
    assert f'id="group-{world.modules[2][1]}"' in client.get("/curricula/CT2/materials").text
    no_module = _script_upload(client, "/curricula/CT2/materials", [("a.pdf", files.pdf())])
    assert no_module.status_code == 422 and no_module.json()["code"] == "module_required"
    client.post("/logout", data={"csrf_token": _csrf(client)})
    sign_in(client, "hv-other_course")  # seated on another CT2 course: sees the shared material there
    other = client.get(f"/courses/{world.other_course.id}/materials")
    assert "Tình huống mẫu" in other.text
    client.post("/logout", data={"csrf_token": _csrf(client)})
    sign_in(client, "hv-waitlisted")
    assert client.get("/curricula/CT2/materials").status_code == 403


def test_manage_one_material_replace_edit_delete(client, db, world, upload):
    m = upload("org-bn", [("Bài 1.pdf", files.pdf("v1"))], course_id=world.course.id).json()["items"][0]
    sign_in(client, "org-bn")
    page = client.get(f"/materials/{m['id']}")
    assert page.status_code == 200 and 'id="versions"' in page.text
    r = client.post(f"/materials/{m['id']}/replace", data={"note": "Bản cập nhật"},
                    files={"file": ("Bài 1 (mới).pdf", files.pdf("v2"), PDF)},
                    headers={"X-CSRF-Token": _csrf(client), "Accept": "application/json"})
    assert r.status_code == 200, r.text
    page = client.get(r.json()["redirect"])
    assert "Bài 1 (mới).pdf" in page.text and "Bản cập nhật" in page.text
    assert f'/materials/{m["id"]}/versions/1/download' in page.text
    edited = client.post(f"/materials/{m['id']}/edit", data={"csrf_token": _csrf(client), "title": "Bài 1 — sửa",
                                                            "description": "", "language": "vi"})
    assert edited.status_code == 200 and "Bài 1 — sửa" in edited.text
    gone = client.post(f"/materials/{m['id']}/delete", data={"csrf_token": _csrf(client), "reason": "Nhầm lớp"},
                       follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == f"/courses/{world.course.id}/materials"
    after = client.get(gone.headers["location"]).text
    assert "Đã xoá tài liệu “Bài 1 — sửa”." in after and f'id="material-{m["id"]}"' not in after
    assert client.get(f"/materials/{m['id']}").status_code == 404


def test_trainee_cannot_reach_management(client, world, upload):
    m = upload("org-bn", [("a.pdf", files.pdf())], course_id=world.course.id).json()["items"][0]
    sign_in(client, "hv-confirmed")
    page = client.get(f"/materials/{m['id']}")
    assert page.status_code == 200 and 'id="versions"' not in page.text and "/replace" not in page.text
    r = client.post(f"/materials/{m['id']}/delete", data={"csrf_token": _csrf(client)})
    assert r.status_code == 403


def test_english_page(client, world, upload):
    upload("org-bn", [("a.pdf", files.pdf())], course_id=world.course.id)
    sign_in(client, "hv-confirmed")
    client.post("/lang", data={"locale": "en", "next": "/my-materials", "csrf_token": _csrf(client)})
    page = client.get("/my-materials")
    assert "My materials" in page.text and "Download" in page.text
