"""A small, hand-built programme whose report figures are known by counting on paper.

Bắc Ninh (24) today includes the former Bắc Giang province. Five officials, five courses:

course  organiser (start, status)                       seats; marks over its 2 sessions (P present, L late, A absent)
C1      Tỉnh Bắc Ninh "24", CT2 (2026-03-10, finished)     T1 completed P P + cert; T2 not_completed P A;
                                                           T3 completed L P + cert *revoked*; T4 waitlisted
C2      Tỉnh Bắc Giang "old:24", CT3 (2024-05-06, closed)  T3 completed P P + cert; T2 completed P P + cert
C3      Thành phố Hà Nội "01", CT2 (2026-04-01, finished)  T5 completed P P + cert; T1 confirmed A A (no show)
C4      Tỉnh Bắc Ninh, CT2 (2026-05-01, open)              T4 confirmed
C5      Tỉnh Bắc Ninh, CT2 (2026-02-01, cancelled)         T1 confirmed P

Officials: T1 Xã Tân Dĩnh, culture-social civil servant in charge of the radio, female, Kinh. T2 Xã Tân Dĩnh, village
head, male, Tày (ethnic minority), commune in the DTTS and ĐBKK categories. T3 registered before the reform at Xã Đại
Lâm (old:07435, now part of Tân Dĩnh), culture-social civil servant, female, Kinh. T4 Phường Bắc Giang, Party
propaganda official, male, Kinh. T5 Phường Ba Đình, Hà Nội, culture-social civil servant, female, Kinh.
"""
from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from app.attendance.models import AttendanceMark
from app.auth.principal import Principal
from app.certificates.models import Certificate
from app.courses.models import BudgetLine, Course, CourseSession
from app.curricula import service as curricula
from app.enrolment import facts
from app.enrolment.models import Enrolment
from app.media import rules as media_rules
from app.media import service as media
from app.people import service as people
from app.places import service as places
from tests.people.factories import cccd


def _trainee(db, who, i, *, name, sex, ethnicity, position, organisation, commune, radio=False, categories=()):  # noqa: ANN001
    birth = date(1985, 1 + i, 10)
    data = people.parse_or_raise(db, {
        "full_name": name, "sex": sex, "birth_date": birth.strftime("%d/%m/%Y"), "ethnicity": ethnicity,
        "citizen_id": cccd(birth, sex, 500 + i), "position": position, "organisation_type": organisation,
        "commune": commune, "in_charge_of_radio": radio, "commune_categories": list(categories)})
    return people.create_trainee(db, who, data)


def _course(db, code, curriculum, unit, start, status):  # noqa: ANN001
    c = Course(code=code, title=f"Lớp {code}", curriculum_version_id=curricula.get_version(db, curriculum).id,
               unit_id=places.get_by_key(db, unit).id, status=status, start_date=start, end_date=start)
    db.add(c)
    db.flush()
    sessions = [CourseSession(course_id=c.id, session_date=start, part_of_day=part, start_time=t0, end_time=t1)
                for part, t0, t1 in (("morning", time(8), time(11)), ("afternoon", time(14), time(17)))]
    db.add_all(sessions)
    db.flush()
    return c, sessions


_serial = iter(range(1, 1000))


def _seat(db, course, sessions, trainee, status, marks=(), cert=None):  # noqa: ANN001
    e = Enrolment(course_id=course.id, trainee_id=trainee.id, status=status, reasons=[])
    db.add(e)
    db.flush()
    facts.record_many(db, enrolment_ids=[e.id])  # as a loader does: the facts as at training time
    for s, m in zip(sessions, marks, strict=False):
        db.add(AttendanceMark(session_id=s.id, enrolment_id=e.id, status=m, method="roll_call"))
    if cert:
        n = next(_serial)
        db.add(Certificate(enrolment_id=e.id, course_id=course.id, issuer_unit_id=course.unit_id, year=2026,
                           sequence=n, number=f"{n}/2026/GCN", register_entry=n, code=f"code-{course.id}-{n}",
                           status=cert, data={}, qr=b"", pdf_sha256="0" * 64))
    db.flush()
    return e


@pytest.fixture
def programme(db):
    admin = Principal.system("test")
    curricula.sync(db, admin)
    t1 = _trainee(db, admin, 1, name="Nguyễn Thị Một", sex="female", ethnicity="kinh", position="cong_chuc_vhxh",
                  organisation="ubnd_xa", commune="07432", radio=True)
    t2 = _trainee(db, admin, 2, name="Hoàng Văn Hai", sex="male", ethnicity="tay", position="truong_thon",
                  organisation="thon_to_dan_pho", commune="07432", categories=("dtts", "dbkk"))
    t3 = _trainee(db, admin, 3, name="Lê Thị Ba", sex="female", ethnicity="kinh", position="cong_chuc_vhxh",
                  organisation="ubnd_xa", commune="old:07435")
    t4 = _trainee(db, admin, 4, name="Trần Văn Bốn", sex="male", ethnicity="kinh", position="can_bo_tuyen_giao",
                  organisation="dang_uy_xa", commune="07210")
    t5 = _trainee(db, admin, 5, name="Phạm Thị Năm", sex="female", ethnicity="kinh", position="cong_chuc_vhxh",
                  organisation="ubnd_xa", commune="00004")
    c1, s1 = _course(db, "C1", "CT2", "24", date(2026, 3, 10), "finished")
    c2, s2 = _course(db, "C2", "CT3", "old:24", date(2024, 5, 6), "closed")
    c3, s3 = _course(db, "C3", "CT2", "01", date(2026, 4, 1), "finished")
    c4, s4 = _course(db, "C4", "CT2", "24", date(2026, 5, 1), "open")
    c5, s5 = _course(db, "C5", "CT2", "24", date(2026, 2, 1), "cancelled")
    _seat(db, c1, s1, t1, "completed", ("present", "present"), cert="valid")
    _seat(db, c1, s1, t2, "not_completed", ("present", "absent"))
    _seat(db, c1, s1, t3, "completed", ("late", "present"), cert="revoked")
    _seat(db, c1, s1, t4, "waitlisted")
    _seat(db, c2, s2, t3, "completed", ("present", "present"), cert="valid")
    _seat(db, c2, s2, t2, "completed", ("present", "present"), cert="valid")
    _seat(db, c3, s3, t5, "completed", ("present", "present"), cert="valid")
    _seat(db, c3, s3, t1, "confirmed", ("absent", "absent"))
    _seat(db, c4, s4, t4, "confirmed")
    _seat(db, c5, s5, t1, "confirmed", ("present",))
    for course, category, planned, actual, source in (
            (c1, "lecturer_fee", 10_000_000, 9_500_000, "central"), (c1, "hall", 5_000_000, None, "local"),
            (c2, "materials", 2_000_000, 2_000_000, "local"), (c3, "hall", 7_000_000, 7_000_000, "local"),
            (c4, "hall", 1_000_000, None, "local")):
        db.add(BudgetLine(course_id=course.id, category=category, planned_amount=Decimal(planned),
                          actual_amount=None if actual is None else Decimal(actual), funding_source=source))
    db.flush()
    m1 = media.create_media(db, admin, media_rules.MediaIn(
        kind="radio_programme", title="Gương sáng giảm nghèo ở Tân Dĩnh", producer_kind="commune_radio",
        producer_name="Đài truyền thanh xã Tân Dĩnh", produced_on=date(2026, 2, 1), published_on=date(2026, 2, 3),
        channel="commune_radio", topics=("exemplary_people", "poverty_models"), rebroadcast_count=3,
        budget_lines=(media_rules.BudgetIn("production", Decimal(1_500_000), "local", Decimal(1_200_000)),)),
        "07432")
    m2 = media.create_media(db, admin, media_rules.MediaIn(
        kind="news_article", title="Mô hình nuôi bò ở Ba Đình", producer_kind="press_agency",
        producer_name="Báo Hà Nội mới", produced_on=date(2026, 3, 1), channel="online",
        topics=("poverty_models",)), "00004")
    return {"t": [t1, t2, t3, t4, t5], "c": [c1, c2, c3, c4, c5], "media": [m1, m2]}
