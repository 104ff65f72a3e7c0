"""Each document generated through the API from a finished course, read back: the right people, numbers, dates,
totals and words, NFC; registration, regeneration from the recorded data, summons sent with the file."""
from __future__ import annotations

import json
import unicodedata
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.config import get_settings
from app.notify.models import Notification
from app.paperwork.models import CourseDocument
from tests.helpers import api_token
from tests.paperwork.conftest import docx_fonts, docx_text


def _h(client, user) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, user.username)}"}


def _make(client, h, course_id, kind, **options) -> dict:  # noqa: ANN001
    r = client.post(f"/api/v1/courses/{course_id}/documents", headers=h, json={"kind": kind, **options})
    assert r.status_code == 201, r.text
    return r.json()


def _file(client, h, doc_id, fmt="docx") -> bytes:  # noqa: ANN001
    r = client.get(f"/api/v1/documents/{doc_id}/file.{fmt}", headers=h)
    assert r.status_code == 200, r.text
    return r.content


def _names(paper) -> list[str]:  # noqa: ANN001
    return [t.full_name for t in paper["trainees"]] + [paper["holder"].full_name]


def test_opening_decision_in_decree_30_form_with_annexes(client, db, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "opening_decision")
    text = docx_text(_file(client, h, doc["id"]))
    assert unicodedata.is_normalized("NFC", text)
    lines = text.splitlines()
    # Top left: parent body then body; top right: national heading and motto.
    assert lines.index("ỦY BAN NHÂN DÂN TỈNH BẮC NINH") < lines.index("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines and "Độc lập - Tự do - Hạnh phúc" in lines
    # Not registered yet: the number and the day and month are blank for hand filling.
    assert "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/QĐ-SVHTTDL" in lines
    assert "Bắc Ninh, ngày\u00a0" in text
    assert "QUYẾT ĐỊNH" in lines and f"Về việc mở lớp {course.title}" in lines
    assert "GIÁM ĐỐC SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" in lines
    assert any(line.startswith("Căn cứ") for line in lines)
    assert "Điều 1. Mở lớp" in text and "Điều 3." in text
    assert "Nơi nhận:" in lines and "KT. GIÁM ĐỐC" in lines and "PHÓ GIÁM ĐỐC" in lines and "Trần Thị Ký" in lines
    # Article 2: the planned budget in figures and words (2.000.000 + 1.000.000 + 3.000.000).
    assert "6.000.000 đồng (Bằng chữ: Sáu triệu đồng)" in text
    # Annexes: programme, timetable with the lecturer (typed NFD, printed NFC), participants.
    assert "CHƯƠNG TRÌNH BỒI DƯỠNG" in lines and course.modules[0].title in text
    assert "LỊCH HỌC VÀ GIẢNG VIÊN" in lines and "Lê Văn Giảng" in text
    assert "DANH SÁCH HỌC VIÊN" in lines
    for name in _names(paper):
        assert name in text
    assert "Times New Roman" in docx_fonts(_file(client, h, doc["id"]))

    # The office registers it: the number and the Decree 30 date (leading zeros) are printed from then on.
    r = client.put(f"/api/v1/documents/{doc['id']}/registration", headers=h,
                   json={"number": "15", "signed_on": "2026-02-05"})
    assert r.status_code == 200, r.text
    text = docx_text(_file(client, h, doc["id"]))
    assert "Số: 15/QĐ-SVHTTDL" in text.splitlines()
    assert "Bắc Ninh, ngày 05 tháng 02 năm 2026" in text
    assert "(Kèm theo Quyết định số 15/QĐ-SVHTTDL ngày 05/02/2026 của Sở Văn hóa, Thể thao và Du lịch)" in text
    events = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "course_document",
                                                                    AuditEvent.entity_id == str(doc["id"])))]
    assert events == ["paperwork.generate", "paperwork.register"]


def test_registration_refuses_bad_input_and_lists_cannot_be_numbered(client, db, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "opening_decision")
    r = client.put(f"/api/v1/documents/{doc['id']}/registration", headers=h,
                   json={"number": "abc", "signed_on": "2099-01-01"})
    assert r.status_code == 422 and r.json()["code"] == "number_invalid" and r.json()["field"] == "number"
    assert "Ngày ký không thể sau hôm nay" in r.json()["detail"]
    assert db.get(CourseDocument, doc["id"]).number is None
    lst = _make(client, h, course.id, "class_list")
    r = client.put(f"/api/v1/documents/{lst['id']}/registration", headers=h,
                   json={"number": "3", "signed_on": "2026-01-05"})
    assert r.status_code == 409 and r.json()["code"] == "not_numbered"


def test_class_list_with_signature_column_as_docx_xlsx_and_pdf(client, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "class_list")
    assert doc["formats"] == ["docx", "xlsx", "pdf"]
    content = _file(client, h, doc["id"])
    from docx import Document
    table = Document(BytesIO(content)).tables[-2]  # the list (the last table is the signatures)
    assert [c.text for c in table.rows[0].cells] == ["TT", "Họ và tên", "Ngày sinh", "Chức danh", "Xã/phường",
                                                     "Ký tên"]
    body_rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert sorted(r[1] for r in body_rows) == sorted(_names(paper))
    assert all(r[5] == "" for r in body_rows)  # room to sign
    assert [r[0] for r in body_rows] == ["1", "2", "3", "4"][:len(body_rows)]
    ws = load_workbook(BytesIO(_file(client, h, doc["id"], "xlsx"))).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "DANH SÁCH HỌC VIÊN" in cells and set(_names(paper)) <= set(cells)
    pdf_text = "".join(p.extract_text() for p in PdfReader(BytesIO(_file(client, h, doc["id"], "pdf"))).pages)
    for name in _names(paper):
        assert name in unicodedata.normalize("NFC", pdf_text)


def test_completion_list_names_who_completed_with_results(client, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "completion_list")
    text = docx_text(_file(client, h, doc["id"]))
    done = [paper["trainees"][0].full_name, paper["trainees"][1].full_name,
            paper["holder"].full_name]
    for name in done:
        assert name in text
    assert paper["trainees"][2].full_name not in text  # attended nothing
    assert "Hoàn thành; dự 100% số buổi" in text and "2/2" in text
    assert "Hoàn thành: 3 học viên; không hoàn thành: 1." in text


def test_certificate_decision_lists_numbers_and_register_entries(client, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "certificate_decision")
    content = _file(client, h, doc["id"])
    text = docx_text(content)
    assert "Về việc cấp giấy chứng nhận hoàn thành lớp" in text and "cho 3 học viên" in text
    for c in paper["certificates"]:
        assert c.number in text and c.data["full_name"] in text
    ws = load_workbook(BytesIO(_file(client, h, doc["id"], "xlsx"))).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert {c.number for c in paper["certificates"]} <= set(values)
    assert {c.register_entry for c in paper["certificates"]} <= set(values)


def test_trainee_payments_amounts_totals_and_words(client, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "trainee_payments")
    text = docx_text(_file(client, h, doc["id"]))
    # Three attended (one day each): 150.000 + 100.000 + 300.000 = 550.000 each; 1.650.000 in all.
    assert text.count("550.000") == 3
    assert "1.650.000" in text
    assert "Tổng số tiền bằng chữ: Một triệu sáu trăm năm mươi nghìn đồng." in text
    assert paper["trainees"][2].full_name not in text  # paid nothing: not on the list
    assert "tiền ăn, phụ cấp 150.000 đồng/ngày" in text
    ws = load_workbook(BytesIO(_file(client, h, doc["id"], "xlsx"))).active
    rows = [row for row in ws.iter_rows(values_only=True)]
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[7] == 1_650_000 and total[3] == 3
    pdf_text = unicodedata.normalize("NFC", "".join(
        p.extract_text() for p in PdfReader(BytesIO(_file(client, h, doc["id"], "pdf"))).pages))
    assert "1.650.000" in pdf_text and "Một triệu sáu trăm năm mươi nghìn đồng" in pdf_text


def test_lecturer_fees_per_session(client, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "lecturer_fees")
    text = docx_text(_file(client, h, doc["id"]))
    assert "Lê Văn Giảng" in text and unicodedata.is_normalized("NFC", text)
    assert "ThS., Trường Chính trị tỉnh" in text
    assert "2.500.000" in text and "Hai triệu năm trăm nghìn đồng" in text
    assert "7,5" in text  # hours taught, decimal comma


def test_result_report_figures(client, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "result_report")
    text = docx_text(_file(client, h, doc["id"]))
    assert "Số: \u00a0" in text and "/BC-SVHTTDL" in text
    lines = text.splitlines()
    assert lines[lines.index("Số học viên hoàn thành") + 1] == "3"
    assert lines[lines.index("Số học viên không hoàn thành") + 1] == "1"
    assert lines[lines.index("Số giấy chứng nhận đã cấp") + 1] == "3"


def test_summons_per_person_and_per_commune_and_sending(client, db, paper, make_user):
    course, h = paper["course"], _h(client, paper["organiser"])
    per_person = _make(client, h, course.id, "summons", contact="Chị Lan, 0204 3855 123")
    text = docx_text(_file(client, h, per_person["id"]))
    assert text.count("GIẤY TRIỆU TẬP") == 4  # one letter per confirmed participant
    assert "Chị Lan, 0204 3855 123" in text and "Căn cước công dân" in text
    assert "khai mạc lúc 07 giờ 30" in text
    per_commune = _make(client, h, course.id, "summons", mode="commune")
    text = docx_text(_file(client, h, per_commune["id"]))
    assert text.count("GIẤY TRIỆU TẬP") == 1  # everyone here is from Xã Tân Dĩnh
    assert "Kính gửi: Ủy ban nhân dân xã Tân Dĩnh." in text
    for name in _names(paper):
        assert name in text

    outbox = get_settings().data_dir / "outbox.log"
    before = outbox.read_text(encoding="utf-8").count("\n") if outbox.exists() else 0
    r = client.post(f"/api/v1/documents/{per_person['id']}/send", headers=h)
    assert r.status_code == 200 and r.json() == {"reached": 1}  # only the holder has an account and an e-mail
    note = db.scalar(select(Notification).where(Notification.user_id == paper["holder_user"].id,
                                                Notification.link == f"/my-summons/{per_person['id']}"))
    assert note is not None and "Giấy triệu tập" in note.subject
    sent = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()[before:]]
    mail = next(m for m in sent if m["to"] == "anh@example.org")
    assert mail["attachments"][0]["name"].endswith(".docx") and mail["attachments"][0]["bytes"] > 5000

    # The participant downloads their own letter, and only theirs; someone else gets 404.
    client.cookies.clear()
    from tests.helpers import sign_in
    sign_in(client, paper["holder_user"].username)
    r = client.get(f"/my-summons/{per_person['id']}")
    assert r.status_code == 200
    own = docx_text(r.content)
    assert own.count("GIẤY TRIỆU TẬP") == 1 and paper["holder"].full_name in own
    stranger = make_user("trainee", unit="07432")
    client.cookies.clear()
    sign_in(client, stranger.username)
    assert client.get(f"/my-summons/{per_person['id']}").status_code == 404


def test_regenerated_from_recorded_data_after_the_course_changes(client, db, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "class_list")
    first = docx_text(_file(client, h, doc["id"]))
    row = db.get(CourseDocument, doc["id"])
    assert row.generated_by_id == paper["organiser"].id and len(row.data_sha256) == 64
    paper["trainees"][0].full_name = "Tên Đã Đổi"
    db.flush()
    assert docx_text(_file(client, h, doc["id"])) == first  # the recorded data, not today's
    again = _make(client, h, course.id, "class_list")
    assert "Tên Đã Đổi" in docx_text(_file(client, h, again["id"]))
    assert again["data_sha256"] != doc["data_sha256"]
    listed = client.get(f"/api/v1/courses/{course.id}/documents", headers=h).json()
    assert [d["id"] for d in listed[:2]] == [again["id"], doc["id"]]


def test_refusals_say_why_and_change_nothing(client, db, paper, make_user):
    course, h = paper["course"], _h(client, paper["organiser"])
    course.status = "running"
    db.flush()
    r = client.post(f"/api/v1/courses/{course.id}/documents", headers=h, json={"kind": "completion_list"})
    assert r.status_code == 409 and r.json()["code"] == "course_not_finished"
    r = client.post(f"/api/v1/courses/{course.id}/documents", headers=h, json={"kind": "nonsense"})
    assert r.status_code == 422
    r = client.post(f"/api/v1/courses/{course.id}/documents", headers=h,
                    json={"kind": "summons", "bases": ["x" * 501]})
    assert r.status_code == 422 and r.json()["field"] == "bases"
    assert db.scalar(select(CourseDocument.id).where(CourseDocument.course_id == course.id)) is None
    # Organisers of another province and trainees see nothing.
    other = make_user("organiser", unit="01")
    oh = _h(client, other)
    assert client.post(f"/api/v1/courses/{course.id}/documents", headers=oh,
                       json={"kind": "class_list"}).status_code == 404
    mine = _make(client, h, course.id, "class_list")
    assert client.get(f"/api/v1/documents/{mine['id']}/file.docx", headers=oh).status_code == 404
    trainee = make_user("trainee", unit="07432")
    assert client.get(f"/api/v1/documents/{mine['id']}", headers=_h(client, trainee)).status_code == 403


def test_rates_from_budget_lines_only(client, db, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    line = paper["lines"]["trainee_travel"]
    r = client.put(f"/api/v1/courses/{course.id}/payment-rates/per_diem", headers=h,
                   json={"per": "day", "amount": 200000, "budget_line_id": line.id})
    assert r.status_code == 422 and r.json()["code"] == "budget_line_category"
    r = client.put(f"/api/v1/courses/{course.id}/payment-rates/lecturer_fee", headers=h,
                   json={"per": "hour", "amount": 400000, "budget_line_id": paper["lines"]["lecturer_fee"].id})
    assert r.status_code == 200 and r.json()["amount_text"] == "400.000"
    doc = _make(client, h, course.id, "lecturer_fees")
    text = docx_text(_file(client, h, doc["id"]))
    assert "3.000.000" in text and "Ba triệu đồng" in text  # 7,5 hours × 400.000
    assert client.delete(f"/api/v1/courses/{course.id}/payment-rates/travel", headers=h).status_code == 204
    rates = client.get(f"/api/v1/courses/{course.id}/payment-rates", headers=h).json()
    assert {r["kind"] for r in rates} == {"per_diem", "accommodation", "lecturer_fee"}


def test_a_course_without_issuing_body_falls_back_to_its_own_fields(client, db, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    course.issuing_body_id = None
    db.flush()
    doc = _make(client, h, course.id, "opening_decision")
    text = docx_text(_file(client, h, doc["id"]))
    assert "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH TỈNH BẮC NINH" in text  # course.organising_body
    assert "Nguyễn Văn Ký" in text and "Số: \u00a0" in text and "/QĐ" in text


@pytest.mark.parametrize("kind", ["opening_decision", "summons", "certificate_decision", "result_report"])
def test_documents_of_a_course_record_who_made_them(client, db, paper, kind):
    h = _h(client, paper["organiser"])
    doc = _make(client, h, paper["course"].id, kind)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "paperwork.generate",
                                               AuditEvent.entity_id == str(doc["id"])))
    assert event.actor_id == paper["organiser"].id and event.changes["data_sha256"] == doc["data_sha256"]
    assert date.fromisoformat(doc["generated_at"][:10])


def test_many_letters_are_sent_by_a_background_job(client, db, paper, monkeypatch):
    from app.paperwork import service
    monkeypatch.setattr(service, "SEND_INLINE_MAX", 2)
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "summons")
    started = client.post(f"/api/v1/documents/{doc['id']}/send", headers=h)
    assert started.status_code == 202, started.text
    job = client.get(f"/api/v1/jobs/{started.json()['id']}", headers=h).json()  # ran after the response
    assert (job["status"], job["total"], job["result"]) == ("done", 4, {"reached": 1})
    assert db.scalar(select(Notification).where(Notification.link == f"/my-summons/{doc['id']}")) is not None
    assert db.get(CourseDocument, doc["id"]).sent_at is not None


def test_a_participant_copy_of_a_commune_letter_lists_only_them(client, db, paper):
    course, h = paper["course"], _h(client, paper["organiser"])
    doc = _make(client, h, course.id, "summons", mode="commune")
    assert client.post(f"/api/v1/documents/{doc['id']}/send", headers=h).json() == {"reached": 1}
    from tests.helpers import sign_in
    client.cookies.clear()
    sign_in(client, paper["holder_user"].username)
    own = docx_text(client.get(f"/my-summons/{doc['id']}").content)
    assert paper["holder"].full_name in own
    assert not any(t.full_name in own for t in paper["trainees"])  # the others' birth dates are not theirs
