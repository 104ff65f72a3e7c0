"""The certificate prints what happened: the course's own hours, the person's workplace and position, the issuing
body's parent line, place and seal, the date in Việt Nam; a provisional curriculum is not named. Read back with
pypdf from the PDF as issued."""
from __future__ import annotations

import io
from datetime import UTC, datetime

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.certificates import service as certificates
from app.certificates.models import Certificate
from app.courses import service as courses
from app.curricula.models import CurriculumVersion
from app.issuers import service as issuers
from app.issuers.models import SealImage


def _text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def _seal_png() -> bytes:
    image = Image.new("RGB", (300, 300), "white")
    for x in range(40, 260):
        for y in (40, 41, 258, 259):
            image.putpixel((x, y), (200, 20, 20))
            image.putpixel((y, x), (200, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def _department(db, who):  # noqa: ANN001, ANN202
    body = issuers.create_body(db, who, {
        "name": "Sở Văn hóa, Thể thao và Du lịch", "parent_name": "UBND tỉnh Bắc Ninh", "short_code": "SVHTTDL",
        "place_name": "Bắc Ninh", "signer_title": "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "signer_name": "Trần Văn Dấu",
        "number_pattern": "{n}/{year}/GCN-{code}"})
    issuers.set_seal(db, who, body.id, _seal_png())
    return body


def test_the_certificate_prints_the_courses_hours_workplace_parent_body_and_vn_date(db, finished):
    who, course = finished["who"], finished["course"]
    body = _department(db, who)
    courses.update_course(db, who, course.id, {"issuing_body_id": body.id, "signer_title": "",
                                               "signer_name": ""})
    late_evening = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 1 January 2027 in Việt Nam
    report = certificates.issue(db, who, course.id, now=late_evening)
    c = next(c for c in report.issued if c.data["full_name"] == "Đặng Thị Ngọc Ánh")
    assert c.number == "1/2027/GCN-SVHTTDL" and c.year == 2027 and c.issuing_body_id == body.id
    text = _text(certificates.pdf_bytes(c, db))
    assert "UBND TỈNH BẮC NINH" in text and "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" in text
    assert "Bắc Ninh, ngày 01 tháng 01 năm 2027" in text
    assert "31 tháng 12" not in text
    # Two sessions, a morning (7:30–11:30) and an afternoon (13:30–17:00): 7.5 hours, not the curriculum's total.
    assert "Thời lượng: 7,5 giờ" in text
    cv = db.get(CurriculumVersion, course.curriculum_version_id)
    total = f"{cv.theory_hours + cv.practice_hours:g}".replace(".", ",")
    assert f"{total} giờ" not in text
    assert "Đơn vị công tác: UBND xã Tân Dĩnh, tỉnh Bắc Ninh" in text
    assert "Chức vụ: Công chức Văn hóa - Xã hội" in text
    assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text and "Trần Văn Dấu" in text  # the body's signer
    # The seal printed is the body's, kept by its hash so that a later change of seal leaves this one as issued.
    assert db.get(SealImage, c.data["seal_sha256"]) is not None
    images = PdfReader(io.BytesIO(certificates.pdf_bytes(c, db))).pages[0].images
    assert any(i.image.size == (300, 300) for i in images)  # the seal (the QR code is the other image)
    corner = Image.open(io.BytesIO(db.get(SealImage, c.data["seal_sha256"]).data)).getpixel((5, 5))
    assert corner[3] == 0  # the scan's white paper became transparent: the signature under it stays legible
    issuers.remove_seal(db, who, body.id)
    assert certificates.certificate_data(c, db).seal_png is not None


def test_the_organisers_hours_are_printed_and_shown_on_the_course(client, db, finished):
    who, course = finished["who"], finished["course"]
    courses.update_course(db, who, course.id, {"hours_override": 3})
    assert courses.hours_of(courses.get_course(db, who, course.id)) == 3
    report = certificates.issue(db, who, course.id)
    assert "Thời lượng: 3 giờ" in _text(certificates.pdf_bytes(report.issued[0], db))
    assert report.issued[0].data["hours"] == 3


def test_a_provisional_curriculum_is_not_named_on_the_certificate(db, finished):
    who, course = finished["who"], finished["course"]
    cv = db.get(CurriculumVersion, course.curriculum_version_id)
    report = certificates.issue(db, who, course.id)
    official = _text(certificates.pdf_bytes(report.issued[0], db))
    assert not cv.provisional and "Thuộc chương trình" in official
    cv.provisional = True  # as CT1 and CT4 are: proposals, not Decision 1288's text
    db.flush()
    db.scalar(select(Certificate).where(Certificate.id == report.issued[0].id))
    again = certificates.revoke(db, who, report.issued[0].id, "Sai tên chương trình", reissue=True)[1]
    text = _text(certificates.pdf_bytes(again, db))
    assert "Thuộc chương trình" not in text and cv.title_vi not in text
    assert again.data["curriculum_title"] == ""


def test_a_course_without_hours_is_refused_with_the_reason(client, db, finished):
    who, course = finished["who"], finished["course"]
    for s in list(courses.get_course(db, who, course.id).sessions):
        db.delete(s)
    db.flush()
    db.expire_all()
    from tests.certificates.test_issue import _h
    r = client.post(f"/api/v1/courses/{course.id}/certificates", headers=_h(client, finished["organiser"].username),
                    json={})
    assert r.status_code == 422 and r.json()["code"] == "hours_missing"
    assert db.scalar(select(Certificate.id).where(Certificate.course_id == course.id)) is None
