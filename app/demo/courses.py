"""A demo course of Bắc Ninh, planned end to end and open for registration (dates relative to today), and the
demo issuing body that signs its certificates."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.service import principal_for
from app.courses import rules, service, sessions
from app.courses.models import Course, Lecturer
from app.db import utcnow
from app.issuers import service as issuers
from app.issuers.models import IssuingBody

DEMO_TITLE = "Bồi dưỡng kỹ năng thông tin cơ sở năm 2026"


DEMO_BODY = "Sở Văn hóa, Thể thao và Du lịch"


def _specimen_seal() -> bytes:
    """A red round seal that says it is a specimen (MẪU), for the demo only."""
    import fontpkg
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (196, 30, 36, 235)
    draw.ellipse((12, 12, 388, 388), outline=red, width=14)
    draw.ellipse((52, 52, 348, 348), outline=red, width=5)
    star = [(200, 120), (219, 176), (278, 176), (230, 210), (248, 266), (200, 232), (152, 266), (170, 210),
            (122, 176), (181, 176)]
    draw.polygon(star, fill=red)
    font = ImageFont.truetype(str(fontpkg.path("Be Vietnam Pro", 700)), 46)
    draw.text((200, 305), "MẪU", font=font, fill=red, anchor="mm")
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def demo_issuing_body(db: Session, who) -> IssuingBody:  # noqa: ANN001
    """The demo department of Bắc Ninh, under "UBND TỈNH BẮC NINH", with a specimen seal; made once."""
    found = db.scalar(select(IssuingBody).where(IssuingBody.name == DEMO_BODY,
                                                IssuingBody.unit_id == who.unit_id))
    if found is not None:
        return found
    body = issuers.create_body(db, who, {
        "name": DEMO_BODY, "parent_name": "UBND TỈNH BẮC NINH", "short_code": "SVHTTDL", "place_name": "Bắc Ninh",
        "signer_title": "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "signer_name": "Ngô Văn Ký",
        "number_pattern": "{n}/{year}/GCN-{code}"})
    return issuers.set_seal(db, who, body.id, _specimen_seal())


def load_demo_course(db: Session) -> bool:
    """Create the demo course once (found again by its title); returns whether it was created."""
    if db.scalar(select(Course.id).where(Course.title == DEMO_TITLE)) is not None:
        return False
    organiser = db.scalar(select(User).where(User.username == "organiser"))
    trainer = db.scalar(select(User).where(User.username == "trainer"))
    if organiser is None:
        return False
    who = principal_for(organiser, None)
    body = demo_issuing_body(db, who)
    course = service.create_course(db, who, curriculum_code="CT2", title=DEMO_TITLE)
    start = utcnow().date() + timedelta(days=21)
    start -= timedelta(days=start.weekday())  # a Monday
    service.update_course(db, who, course.id, {
        "issuing_body_id": body.id, "form": rules.Form.IN_PERSON,
        "venue": "Hội trường Trường Chính trị tỉnh Bắc Ninh", "capacity": 80, "start_date": start,
        "end_date": start + timedelta(days=3), "registration_opens": utcnow().date(),
        "registration_closes": start - timedelta(days=3)})
    service.set_places(db, who, course.id, ["24"])
    lecturer = db.scalar(select(Lecturer).where(Lecturer.user_id == trainer.id)) if trainer else None
    if lecturer is None:
        lecturer = sessions.create_lecturer(db, who, full_name="Trần Thị Giảng", title="ThS.",
                                            organisation="Trường Chính trị tỉnh Bắc Ninh",
                                            username=trainer.username if trainer else None)
    second = sessions.create_lecturer(db, who, full_name="Phạm Quang Huấn", title="Phó Trưởng phòng",
                                      organisation="Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh")
    course = service.get_course(db, who, course.id)
    modules = [m.id for m in course.modules]
    parts = [rules.PartOfDay.MORNING, rules.PartOfDay.AFTERNOON]
    for i, module_id in enumerate(modules):
        sessions.add_session(db, who, course.id, sessions.SessionInput(
            session_date=start + timedelta(days=i // 2), part_of_day=parts[i % 2], start_time=None, end_time=None,
            module_ids=[module_id], lecturer_id=(lecturer if i % 2 == 0 else second).id, room="Hội trường A",
            online_link=None))
    for category, amount, source in (("lecturer_fee", 12_000_000, "central"), ("hall", 6_000_000, "local"),
                                     ("meals_per_diem", 48_000_000, "central"), ("materials", 4_000_000, "local")):
        service.add_budget_line(db, who, course.id, category=category, planned_amount=amount, funding_source=source)
    service.transition(db, who, course.id, rules.Status.OPEN)
    return True


FINISHED_TITLE = "Bồi dưỡng công tác thông tin, tuyên truyền ở cơ sở, đợt 1 năm 2026"


def load_finished_course(db: Session) -> bool:
    """A course of Bắc Ninh that ran five weeks ago: 12 officials (the demo trainee among them) took part, the
    attendance was taken and the results recorded, so the organiser can issue its certificates. Created once."""
    from app.attendance import service as attendance
    from app.enrolment.facts import record_many
    from app.enrolment.models import Enrolment
    from app.enrolment.rules import EnrolmentStatus
    from app.people.models import Trainee

    if db.scalar(select(Course.id).where(Course.title == FINISHED_TITLE)) is not None:
        return False
    organiser = db.scalar(select(User).where(User.username == "organiser"))
    if organiser is None:
        return False
    who = principal_for(organiser, None)
    body = demo_issuing_body(db, who)
    course = service.create_course(db, who, curriculum_code="CT3", title=FINISHED_TITLE)
    start = utcnow().date() - timedelta(days=35)
    start -= timedelta(days=start.weekday())  # a Monday
    service.update_course(db, who, course.id, {
        "issuing_body_id": body.id, "form": rules.Form.IN_PERSON,
        "venue": "Trung tâm Chính trị huyện Lạng Giang cũ, tỉnh Bắc Ninh", "capacity": 40, "start_date": start,
        "end_date": start + timedelta(days=1), "registration_opens": start - timedelta(days=30),
        "registration_closes": start - timedelta(days=3)})
    service.set_places(db, who, course.id, ["24"])
    course = service.get_course(db, who, course.id)
    parts = [rules.PartOfDay.MORNING, rules.PartOfDay.AFTERNOON]
    modules = [m.id for m in course.modules]
    for i in range(4):
        sessions.add_session(db, who, course.id, sessions.SessionInput(
            session_date=start + timedelta(days=i // 2), part_of_day=parts[i % 2], start_time=None, end_time=None,
            module_ids=modules[i::4], lecturer_id=None, room="Hội trường", online_link=None))
    people = db.scalars(select(Trainee).order_by(Trainee.id).limit(12)).all()
    now = utcnow()
    enrolments = [Enrolment(course_id=course.id, trainee_id=t.id, status=EnrolmentStatus.CONFIRMED,
                            registered_at=now, decided_at=now, nominated_by_id=organiser.id,
                            reasons=[{"code": "nominated", "vi": "Được cơ quan cử đi học", "en": "Nominated"}])
                  for t in people]
    db.add_all(enrolments)
    db.flush()
    record_many(db, enrolment_ids=[e.id for e in enrolments])
    course = service.get_course(db, who, course.id)
    marks = []
    for n, e in enumerate(enrolments):
        for k, s in enumerate(course.sessions):
            status = "absent" if n >= 10 and k >= 1 else ("late" if (n + k) % 7 == 0 else "present")
            marks.append({"session_id": s.id, "enrolment_id": e.id, "status": status})
    attendance.record_marks(db, who, course.id, marks)
    attendance.record_results(db, who, course.id)
    course.status = rules.Status.FINISHED  # it ran in the past: the life cycle's date checks are for real courses
    db.flush()
    return True
