"""Course use cases that the pages and the API share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth import scope
from app.auth.principal import Principal
from app.core.text import clean_name
from app.courses import programmes, rules
from app.courses.models import (
    BudgetLine,
    Course,
    CourseLocalTopic,
    CourseModule,
    CoursePlace,
    CourseSession,
    Lecturer,
    programme_for_year,
)
from app.curricula import service as curricula
from app.curricula.models import CurriculumModule, CurriculumVersion
from app.db import utcnow
from app.enrolment.models import CourseQuota
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import N_
from app.issuers import rules as issuer_rules
from app.issuers import service as issuers
from app.places import service as places
from app.places.models import AdminUnit


def _options():  # noqa: ANN202
    return (selectinload(Course.curriculum_version),
            places.with_chain(selectinload(Course.unit)), selectinload(Course.issuing_body),
            selectinload(Course.modules).selectinload(CourseModule.local_topics),
            selectinload(Course.modules).selectinload(CourseModule.curriculum_module)
            .selectinload(CurriculumModule.topics),
            places.with_chain(selectinload(Course.places).selectinload(CoursePlace.unit)),
            selectinload(Course.sessions).selectinload(CourseSession.lecturer),
            # The same module rows are reached through the sessions: load them the same way, so that a refresh of
            # the course (populate_existing) never leaves one half-loaded.
            selectinload(Course.sessions).selectinload(CourseSession.modules).selectinload(CourseModule.local_topics),
            selectinload(Course.sessions).selectinload(CourseSession.modules)
            .selectinload(CourseModule.curriculum_module).selectinload(CurriculumModule.topics),
            selectinload(Course.budget_lines))


@dataclass
class CourseFilters:
    curriculum: str | None = None
    unit: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""


def visible_courses(db: Session, who: Principal, f: CourseFilters | None = None) -> list[Course]:
    """Courses the caller may see: an organiser those of their unit; trainers and trainees those not in draft."""
    f = f or CourseFilters()
    # A list shows code, title, dates, status and unit: it loads neither modules nor sessions nor budget lines.
    stmt = select(Course).order_by(Course.id.desc()).options(
        selectinload(Course.curriculum_version), places.with_chain(selectinload(Course.unit)))
    stmt = stmt.where(scope.visible_courses_for(db, who))
    if f.curriculum:
        stmt = stmt.join(CurriculumVersion, CurriculumVersion.id == Course.curriculum_version_id).where(
            CurriculumVersion.curriculum_code == f.curriculum.upper())
    if f.unit:
        stmt = stmt.where(Course.unit_id.in_(places.unit_ids_within(db, places.get_by_key(db, f.unit).id)))
    if f.status:
        stmt = stmt.where(Course.status == f.status)
    if f.date_from:
        stmt = stmt.where(Course.end_date >= f.date_from)
    if f.date_to:
        stmt = stmt.where(Course.start_date <= f.date_to)
    if f.q.strip():
        stmt = stmt.where(Course.title.ilike(f"%{f.q.strip()}%") | Course.code.ilike(f"%{f.q.strip()}%"))
    return list(db.scalars(stmt))


def get_course(db: Session, who: Principal, course_id: int) -> Course:
    """One course, or 404 when it does not exist or lies outside the caller's unit."""
    course = db.scalar(select(Course).where(Course.id == course_id).options(*_options()))
    if course is None or not scope.may_see_course(db, who, course):
        raise NotFound("Không tìm thấy khoá học.", code="course_not_found")
    return course


def find_course(db: Session, who: Principal, course_id: int) -> Course:
    """The course row alone (no modules, sessions…), or 404 outside the caller's scope: for hot paths."""
    course = db.get(Course, course_id)
    if course is None or not scope.may_see_course(db, who, course):
        raise NotFound("Không tìm thấy khoá học.", code="course_not_found")
    return course


def ensure_may_manage(db: Session, who: Principal, course: Course) -> None:
    if not scope.may_manage_course(db, who, course):
        raise Forbidden("Chỉ cán bộ tổ chức của đơn vị mới sửa được khoá học này.")


def create_course(db: Session, who: Principal, *, curriculum_code: str, title: str, unit_key: str | None = None,
                  version: int | None = None, year: int | None = None, programme: str | None = None) -> Course:
    """Create a draft course from the latest (or a chosen) curriculum version, pinning it and copying its modules."""
    title = clean_name(title)
    if not title:
        raise Invalid("title_required", "Cần nhập tên khoá học.", field="title")
    if len(title) > 300:
        raise Invalid("title_too_long", "Tên khoá học dài quá 300 ký tự.", field="title")
    unit = scope.unit_to_create_in(db, who, unit_key, missing=N_("Cần chọn đơn vị tổ chức khoá học."),
                                   outside=N_("Chỉ tạo được khoá học trong đơn vị của bạn."))
    cv: CurriculumVersion = curricula.get_version(db, curriculum_code, version)
    province = db.get(AdminUnit, unit.current_province_id) if unit.current_province_id else unit
    year = year or utcnow().year  # a course recorded after it took place is numbered in its own year
    # The programme: the one chosen, else the one of the course's year (models.programme_for_year, at insert).
    programme_id = programmes.by_code(db, programme).id if programme else db.scalar(programme_for_year(year))
    course = Course(title=title, curriculum_version_id=cv.id, unit_id=unit.id, created_by_id=who.user_id, code="",
                    min_attendance_share=cv.min_attendance_share, assessment_required=cv.assessment_required,
                    programme_id=programme_id)
    for position, m in enumerate(cv.modules, start=1):
        course.modules.append(CourseModule(curriculum_module_id=m.id, position=position, code=m.code,
                                           title=m.title_vi, theory_hours=m.theory_hours,
                                           practice_hours=m.practice_hours, required=m.required))
    # The readable code is unique; two organisers creating at once may pick the same number, so retry.
    for _attempt in range(5):
        existing = list(db.scalars(select(Course.code).where(
            Course.code.like(f"{cv.curriculum_code}-{year}-{province.code}-%"))))
        course.code = rules.course_code(cv.curriculum_code, year, province.code,
                                        rules.next_sequence(existing, cv.curriculum_code, year, province.code))
        try:
            with db.begin_nested():
                db.add(course)
                db.flush()
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("course_code_busy", "Không cấp được mã khoá học, vui lòng thử lại.")
    choices = issuers.choices_for_course(db, unit.id)
    if len(choices) == 1:  # the unit's only issuing body signs, unless the organiser picks another
        course.issuing_body_id, course.organising_body = choices[0].id, choices[0].name
        db.flush()
    audit.record(db, who, "course.create", "course", course.id,
                 {"code": course.code, "title": title, "curriculum": cv.curriculum_code, "version": cv.number,
                  "unit": unit.key, "issuing_body_id": course.issuing_body_id})
    return get_course(db, who, course.id)


def add_local_module(db: Session, who: Principal, course_id: int, *, title: str, theory_hours: float,
                     practice_hours: float = 0, required: bool = False) -> CourseModule:
    """A module the province adds for local conditions; marked local, the curriculum files are not touched."""
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    title = clean_name(title)
    if not title:
        raise Invalid("title_required", "Cần nhập tên chuyên đề.", field="title")
    if theory_hours <= 0:
        raise Invalid("hours_invalid", "Số giờ lý thuyết phải lớn hơn 0.", field="theory_hours")
    if practice_hours < 0:
        raise Invalid("hours_invalid", "Số giờ thực hành không được âm.", field="practice_hours")
    local_count = sum(1 for m in course.modules if m.is_local)
    module = CourseModule(course_id=course.id, position=len(course.modules) + 1, code=f"DP{local_count + 1}",
                          title=title, theory_hours=theory_hours, practice_hours=practice_hours,
                          required=required, is_local=True)
    course.modules.append(module)
    db.flush()
    audit.record(db, who, "course.add_local_module", "course", course.id,
                 {"module": module.code, "title": title, "theory_hours": theory_hours,
                  "practice_hours": practice_hours})
    return module


def add_local_topic(db: Session, who: Principal, course_id: int, module_id: int, *, title: str) -> CourseLocalTopic:
    """A topic added to one of the course's modules, shown as local next to the curriculum's own topics."""
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    module = next((m for m in course.modules if m.id == module_id), None)
    if module is None:
        raise NotFound("Không tìm thấy chuyên đề trong khoá học.", code="module_not_found")
    title = clean_name(title)
    if not title:
        raise Invalid("title_required", "Cần nhập tên nội dung.", field="title")
    topic = CourseLocalTopic(course_module_id=module.id, position=len(module.local_topics) + 1, title=title)
    db.add(topic)
    db.flush()
    audit.record(db, who, "course.add_local_topic", "course", course.id, {"module": module.code, "title": title})
    return topic


# --- planning: details, places, budget, life cycle, copy ---------------------------------------------------

EDITABLE_FIELDS = ("title", "allocation_mode", "organising_body", "signer_title", "signer_name", "issuing_body_id",
                   "hours_override", "form", "venue", "capacity",
                   "registration_opens", "registration_closes", "start_date", "end_date", "min_attendance_share",
                   "assessment_required", "retraining_gap_years", "programme_id")
FROZEN_STATUSES = (rules.Status.CLOSED, rules.Status.CANCELLED)


def _ensure_editable(course: Course) -> None:
    if course.status in FROZEN_STATUSES:
        label = rules.STATUS_LABELS[course.status][0]
        raise Conflict("course_frozen", f"Khoá học ở trạng thái “{label}” nên không sửa được nữa.")


def update_course(db: Session, who: Principal, course_id: int, changes: dict) -> Course:
    """Change the course's details; each value is checked, and the change is recorded."""
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    _ensure_editable(course)
    if changes.get("programme") is not None:  # a code; null leaves it
        changes["programme_id"] = programmes.by_code(db, changes["programme"]).id
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    for key in ("organising_body", "signer_title", "signer_name"):
        if key in changes and changes[key] is None:
            changes[key] = ""  # null clears the text
    if "assessment_required" in changes and changes["assessment_required"] is None:
        raise Invalid("assessment_invalid", "Hãy chọn có hoặc không yêu cầu đánh giá cuối khoá.",
                      field="assessment_required")
    if "min_attendance_share" in changes and changes["min_attendance_share"] is None:
        raise Invalid("share_invalid", "Tỷ lệ tham dự tối thiểu phải lớn hơn 0% và không quá 100%.",
                      field="min_attendance_share")
    if "retraining_gap_years" in changes:
        gap = changes["retraining_gap_years"] or 0
        if not 0 <= int(gap) <= 20:
            raise Invalid("retraining_invalid", "Số năm không nhận lại người đã học phải từ 0 đến 20 (0: nhận lại).",
                          field="retraining_gap_years")
        changes["retraining_gap_years"] = int(gap)
    if "title" in changes:
        changes["title"] = clean_name(str(changes["title"] or ""))
        if not changes["title"]:
            raise Invalid("title_required", "Cần nhập tên khoá học.", field="title")
    if "allocation_mode" in changes and changes["allocation_mode"] not in ("first_come", "review"):
        raise Invalid("mode_invalid", "Cách xét chọn không hợp lệ.", field="allocation_mode")
    if "form" in changes and changes["form"] not in set(rules.Form):
        raise Invalid("form_invalid", "Hình thức tổ chức không hợp lệ.", field="form")
    if changes.get("capacity") is not None and int(changes["capacity"]) <= 0:
        raise Invalid("capacity_invalid", "Số chỗ phải lớn hơn 0.", field="capacity")
    share = changes.get("min_attendance_share")
    if share is not None and not 0 < float(share) <= 1:
        raise Invalid("share_invalid", "Tỷ lệ tham dự tối thiểu phải lớn hơn 0% và không quá 100%.",
                      field="min_attendance_share")
    start = changes.get("start_date", course.start_date)
    end = changes.get("end_date", course.end_date)
    if start and end and end < start:
        raise Invalid("dates_invalid", "Ngày kết thúc phải cùng hoặc sau ngày bắt đầu.", field="end_date")
    opens = changes.get("registration_opens", course.registration_opens)
    closes = changes.get("registration_closes", course.registration_closes)
    if opens and closes and closes < opens:
        raise Invalid("registration_invalid", "Hạn đăng ký phải cùng hoặc sau ngày mở đăng ký.",
                      field="registration_closes")
    if "hours_override" in changes:
        problem = issuer_rules.hours_override_problem(changes["hours_override"])
        if problem:
            raise Invalid(problem.code, problem.vi, field=problem.field)
    _issuing_body_changes(db, who, course, changes)
    diff = {k: [getattr(course, k), v] for k, v in changes.items() if getattr(course, k) != v}
    for k, (_, v) in diff.items():
        setattr(course, k, v)
    if diff:
        db.flush()
        if "issuing_body_id" in diff:
            db.refresh(course, ["issuing_body"])
        audit.record(db, who, "course.update", "course", course.id, diff)
    old_seats, new_seats = diff.get("capacity", (None, None))
    if new_seats is not None and new_seats > (old_seats or 0):
        # More seats: the waitlist moves up into them now, in its order. Imported here because enrolment builds on
        # courses (a module-level import would be a cycle).
        from app.enrolment.service import fill_free_seats

        fill_free_seats(db, who, course.id)
    return course


def _issuing_body_changes(db: Session, who: Principal, course: Course, changes: dict) -> None:
    """A course picks an issuing body (of its unit or a parent); `organising_body` follows it. Scripts that still
    send only the organiser's name get the body of that name (made if needed), so their certificates are numbered
    per body too. An empty signer on the course means the body's own."""
    if "issuing_body_id" in changes:
        if changes["issuing_body_id"] is None:
            changes["organising_body"] = ""
        else:
            body = issuers.pick_for_course(db, course.unit_id, int(changes["issuing_body_id"]),
                                           course.issuing_body_id)
            changes["issuing_body_id"], changes["organising_body"] = body.id, body.name
    elif "organising_body" in changes:
        name = " ".join((changes["organising_body"] or "").split())
        if not name:
            changes["issuing_body_id"] = None
        elif course.issuing_body is None or course.issuing_body.name.casefold() != name.casefold():
            body = issuers.body_for_text(db, who, course.unit_id, name,
                                         changes.get("signer_title", course.signer_title) or "",
                                         changes.get("signer_name", course.signer_name) or "")
            changes["issuing_body_id"], changes["organising_body"] = body.id, body.name


def signer_of(course: Course) -> tuple[str, str]:
    """Who signs the course's certificates: the course's own signer, or its issuing body's."""
    body = course.issuing_body
    return (course.signer_title or (body.signer_title if body else ""),
            course.signer_name or (body.signer_name if body else ""))


def hours_of(course: Course) -> float:
    """The course's own hours (its sessions, or the organiser's figure): what its certificates print."""
    return issuer_rules.course_hours(course.hours_override,
                                     [issuer_rules.Slot(s.start_time, s.end_time) for s in course.sessions])


def set_places(db: Session, who: Principal, course_id: int, unit_keys: list[str]) -> Course:
    """The provinces or communes whose officials may enrol; each must lie inside the organiser's unit."""
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    _ensure_editable(course)
    units = []
    for key in dict.fromkeys(k.strip() for k in unit_keys if k.strip()):
        unit = places.get_by_key(db, key)
        if not who.is_admin and not places.is_within(db, unit.id, who.unit_id):
            raise Forbidden(f"{unit.name} nằm ngoài đơn vị bạn phụ trách.")
        units.append(unit)
    old = sorted(p.unit.key for p in course.places)
    course.places.clear()
    db.flush()
    for unit in units:
        course.places.append(CoursePlace(course_id=course.id, unit_id=unit.id))
    course.updated_at = utcnow()  # the course row changes with its places (enrolment.service._reference keys on it)
    db.flush()
    audit.record(db, who, "course.set_places", "course", course.id, {"places": [old, [u.key for u in units]]})
    return get_course(db, who, course.id)


def add_budget_line(db: Session, who: Principal, course_id: int, *, category: str, planned_amount: Decimal,
                    funding_source: str, description: str = "", actual_amount: Decimal | None = None) -> BudgetLine:
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    if category not in BUDGET_CATEGORIES:
        raise Invalid("category_invalid", "Khoản chi không có trong danh mục.", field="category")
    if funding_source not in FUNDING_SOURCES:
        raise Invalid("funding_invalid", "Nguồn kinh phí không có trong danh mục.", field="funding_source")
    if planned_amount < 0 or (actual_amount is not None and actual_amount < 0):
        raise Invalid("amount_invalid", "Số tiền không được âm.", field="planned_amount")
    line = BudgetLine(course_id=course.id, category=category, description=description.strip()[:300],
                      planned_amount=planned_amount, actual_amount=actual_amount, funding_source=funding_source)
    course.budget_lines.append(line)  # keep the loaded collection true to the database
    db.flush()
    audit.record(db, who, "course.add_budget_line", "course", course.id,
                 {"line": line.id, "category": category, "planned": planned_amount, "actual": actual_amount,
                  "funding_source": funding_source})
    return line


def remove_budget_line(db: Session, who: Principal, course_id: int, line_id: int) -> None:
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    line = next((b for b in course.budget_lines if b.id == line_id), None)
    if line is None:
        raise NotFound("Không tìm thấy khoản chi.", code="budget_line_not_found")
    course.budget_lines.remove(line)
    db.flush()
    audit.record(db, who, "course.remove_budget_line", "course", course.id,
                 {"line": line_id, "category": line.category, "planned": line.planned_amount})


def facts(course: Course) -> rules.CourseFacts:
    """What the pure rules need to know about a course (modules, sessions, dates…)."""
    return rules.CourseFacts(
        status=course.status, form=course.form, start_date=course.start_date, end_date=course.end_date,
        capacity=course.capacity, registration_opens=course.registration_opens,
        registration_closes=course.registration_closes, venue=course.venue, place_count=len(course.places),
        modules=tuple(rules.ModuleFacts(code=m.code, title=m.title, required=m.required, position=m.position)
                      for m in course.modules),
        sessions=tuple(session_facts(s) for s in course.sessions),
        min_attendance_share=course.min_attendance_share)


def session_facts(s: CourseSession) -> rules.SessionFacts:
    return rules.SessionFacts(id=s.id, on=s.session_date, start=s.start_time, end=s.end_time,
                              module_codes=frozenset(m.code for m in s.modules), lecturer_id=s.lecturer_id,
                              lecturer_name=s.lecturer.full_name if s.lecturer else None, room=s.room,
                              online_link=s.online_link)


@dataclass
class Checks:
    """Everything the system can warn about before trainees see the course."""

    coverage: list[rules.Problem]
    sessions: dict[int, list[rules.Problem]]
    conflicts: list[rules.Conflict]

    @property
    def count(self) -> int:
        return len(self.coverage) + sum(len(v) for v in self.sessions.values()) + len(self.conflicts)


def checks(db: Session, course: Course) -> Checks:
    f = facts(course)
    return Checks(coverage=rules.coverage_problems(f),
                  sessions={s.id: rules.session_problems(f, s) for s in f.sessions if s.id is not None},
                  conflicts=conflicts_for_course(db, course))


def conflicts_for_course(db: Session, course: Course) -> list[rules.Conflict]:
    """Lecturers or rooms booked twice at once, across every course that is not cancelled, on this course's days."""
    days = {s.session_date for s in course.sessions}
    if not days:
        return []
    rows = db.execute(
        select(CourseSession, Course.code, Course.venue, Lecturer.full_name)
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(Lecturer, Lecturer.id == CourseSession.lecturer_id)
        .where(CourseSession.session_date.in_(days), Course.status != rules.Status.CANCELLED))
    slots = [rules.Slot(session_id=s.id, course_id=s.course_id, course_code=code, on=s.session_date,
                        start=s.start_time, end=s.end_time, lecturer_id=s.lecturer_id, lecturer_name=lecturer,
                        venue=venue, room=s.room) for s, code, venue, lecturer in rows]
    return [c for c in rules.find_conflicts(slots) if course.id in (c.a.course_id, c.b.course_id)]


class TransitionRefused(Conflict):
    """A life-cycle step whose preconditions do not hold; `problems` lists every one of them."""

    def __init__(self, problems: list[rules.Problem]) -> None:
        super().__init__("transition_refused", "Chưa thể chuyển trạng thái: " + "; ".join(p.vi for p in problems))
        self.problems = problems

    def as_json(self) -> dict:
        return {**super().as_json(), "problems": [{"code": p.code, "vi": p.vi, "en": p.en} for p in self.problems]}


def transition(db: Session, who: Principal, course_id: int, target: str, reason: str | None = None) -> Course:
    """Move the course along its life cycle, checking the preconditions and saying what is missing."""
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    conflicts = conflicts_for_course(db, course)
    problems = rules.transition_problems(facts(course), target, utcnow().date(), conflicts, reason)
    if problems:
        raise TransitionRefused(problems)
    old = course.status
    course.status = target
    if target == rules.Status.CANCELLED:
        course.cancel_reason = (reason or "").strip()
    db.flush()
    audit.record(db, who, "course.transition", "course", course.id, {"status": [old, target]},
                 note=(reason or None))
    return course


def copy_course(db: Session, who: Principal, course_id: int, title: str | None = None) -> Course:
    """Start a new draft from a past course: same curriculum version, modules, places, venue and planned budget;
    no dates and no sessions, since those belong to the new run."""
    source = get_course(db, who, course_id)
    ensure_may_manage(db, who, source)
    new = create_course(db, who, curriculum_code=source.curriculum_version.curriculum_code,
                        title=title or f"{source.title} (bản sao)", unit_key=source.unit.key,
                        version=source.curriculum_version.number)
    course = db.get(Course, new.id)
    for field in ("organising_body", "signer_title", "signer_name", "issuing_body_id", "form", "venue", "capacity",
                  "min_attendance_share", "assessment_required", "retraining_gap_years"):
        setattr(course, field, getattr(source, field))
    course.copied_from_id = source.id
    existing = {m.code for m in new.modules}
    for m in source.modules:
        if m.is_local and m.code not in existing:
            db.add(CourseModule(course_id=course.id, position=m.position, code=m.code, title=m.title,
                                theory_hours=m.theory_hours, practice_hours=m.practice_hours, required=m.required,
                                is_local=True))
    db.flush()
    by_code = {m.code: m for m in db.scalars(select(CourseModule).where(CourseModule.course_id == course.id))}
    for m in source.modules:
        for t in m.local_topics:
            db.add(CourseLocalTopic(course_module_id=by_code[m.code].id, position=t.position, title=t.title))
    for p in source.places:
        db.add(CoursePlace(course_id=course.id, unit_id=p.unit_id))
    for b in source.budget_lines:
        db.add(BudgetLine(course_id=course.id, category=b.category, description=b.description,
                          planned_amount=b.planned_amount, actual_amount=None, funding_source=b.funding_source))
    db.flush()
    audit.record(db, who, "course.copy", "course", course.id, {"from": source.code})
    db.expire(course)
    return get_course(db, who, course.id)


BUDGET_CATEGORIES = {
    "lecturer_fee": ("Thù lao giảng viên", "Lecturer fees"),
    "lecturer_travel": ("Phương tiện, lưu trú giảng viên", "Lecturer travel and lodging"),
    "materials": ("Tài liệu", "Materials"),
    "hall": ("Thuê hội trường, thiết bị", "Hall and equipment"),
    "meals_per_diem": ("Tiền ăn, hỗ trợ học viên", "Trainee meals and per-diem"),
    "trainee_travel": ("Hỗ trợ đi lại học viên", "Trainee travel"),
    "certificates": ("In giấy chứng nhận", "Certificates"),
    "management": ("Chi phí quản lý", "Management"),
    "other": ("Chi khác", "Other"),
}
FUNDING_SOURCES = {
    "central": ("Ngân sách trung ương", "Central budget"),
    "local": ("Ngân sách địa phương", "Local budget"),
    "other": ("Nguồn khác", "Other sources"),
}


def set_quotas(db: Session, who: Principal, course_id: int, quotas: dict[str, int]) -> None:
    """Seats reserved for the officials of particular communes (multi-commune courses); they must fit the course."""
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    rows = []
    for key, seats in quotas.items():
        unit = places.get_by_key(db, key)
        if unit.level != "commune":
            raise Invalid("quota_unit", f"Chỗ dành riêng chỉ đặt cho xã/phường, không cho “{unit.name}”.",
                          field="quotas")
        if not isinstance(seats, int) or seats < 0:
            raise Invalid("quota_invalid", "Số chỗ dành riêng phải là số nguyên không âm.", field="quotas")
        if seats:
            rows.append(CourseQuota(course_id=course.id, unit_id=unit.id, seats=seats))
    if course.capacity is not None and sum(r.seats for r in rows) > course.capacity:
        raise Invalid("quota_too_many", f"Tổng số chỗ dành riêng vượt quá {course.capacity} chỗ của khoá học.",
                      field="quotas")
    db.execute(delete(CourseQuota).where(CourseQuota.course_id == course.id))
    db.add_all(rows)
    course.updated_at = utcnow()  # the course row changes with its quotas (enrolment.service._reference keys on it)
    db.flush()
    audit.record(db, who, "course.set_quotas", "course", course.id, {"quotas": quotas})


def quotas_of(db: Session, course_id: int) -> dict[str, int]:
    rows = db.execute(select(AdminUnit.code, CourseQuota.seats).join(AdminUnit, AdminUnit.id == CourseQuota.unit_id)
                      .where(CourseQuota.course_id == course_id))
    return {code: seats for code, seats in rows}
