"""A person's data in the generated paperwork: their own copy lists the documents that name them; when their record
is anonymised, the drafts drop their name and birth date while registered (signed) documents stay as signed."""
from __future__ import annotations

from app.auth.principal import Principal
from app.paperwork.models import CourseDocument
from app.privacy import service as privacy
from tests.helpers import api_token
from tests.paperwork.conftest import docx_text

KINDS = ("summons", "class_list", "completion_list", "certificate_decision", "trainee_payments")


def _h(client, user) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, user.username)}"}


def _make(client, h, course_id, kind) -> dict:  # noqa: ANN001
    r = client.post(f"/api/v1/courses/{course_id}/documents", headers=h, json={"kind": kind})
    assert r.status_code == 201, r.text
    return r.json()


def _text(client, h, doc_id) -> str:  # noqa: ANN001
    r = client.get(f"/api/v1/documents/{doc_id}/file.docx", headers=h)
    assert r.status_code == 200, r.text
    return docx_text(r.content)


def test_anonymising_a_person_redacts_the_drafts_that_name_them_and_keeps_signed_ones(client, db, paper):
    course, holder, h = paper["course"], paper["holder"], _h(client, paper["organiser"])
    name, born = holder.full_name, holder.birth_date.strftime("%d/%m/%Y")
    others = [t.full_name for t in paper["trainees"] if t.id != holder.id]
    drafts = {kind: _make(client, h, course.id, kind) for kind in KINDS}
    signed = _make(client, h, course.id, "certificate_decision")
    r = client.put(f"/api/v1/documents/{signed['id']}/registration", headers=h,
                   json={"number": "12/QĐ-SVHTTDL", "signed_on": "2026-01-05"})
    assert r.status_code == 200, r.text
    listed = {}  # who else each draft lists (a completion list only those who completed, …)
    for kind, doc in drafts.items():
        text = _text(client, h, doc["id"])
        assert name in text, kind
        listed[kind] = [other for other in others if other in text]
    assert name in _text(client, h, signed["id"])

    mine = client.get("/api/v1/me/data", headers=_h(client, paper["holder_user"])).json()
    assert len(mine["documents"]) == len(KINDS) + 1
    assert {"12/QĐ-SVHTTDL"} == {d["number"] for d in mine["documents"] if d["number"]}

    privacy.anonymise(db, Principal.system("test"), holder.id, "yêu cầu xoá")
    db.commit()
    anonymous = f"(Đã xoá dữ liệu) #{holder.id}"
    for kind, doc in drafts.items():
        text = _text(client, h, doc["id"])
        assert name not in text and born not in text, kind
        assert anonymous in text, kind
        assert listed[kind] and all(other in text for other in listed[kind]), kind  # the rest: untouched
    assert name in _text(client, h, signed["id"])  # the signed decision is the office's record
    row = db.get(CourseDocument, drafts["summons"]["id"], populate_existing=True)
    assert name not in str(row.data)
