"""Course use cases that the pages and the API share."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth.models import Role
from app.auth.principal import Principal
from app.courses import rules
from app.courses.models import Course, CourseLocalTopic, CourseModule
from app.curricula import service as curricula
from app.curricula.models import CurriculumModule, CurriculumVersion
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.places import service as places
from app.places.models import AdminUnit


def _options():  # noqa: ANN202
    return (selectinload(Course.curriculum_version),
            selectinload(Course.unit).selectinload(AdminUnit.parent),
            selectinload(Course.modules).selectinload(CourseModule.local_topics),
            selectinload(Course.modules).selectinload(CourseModule.curriculum_module)
            .selectinload(CurriculumModule.topics))


def visible_courses(db: Session, who: Principal) -> list[Course]:
    """Courses the caller may see: an organiser those of their unit; trainers and trainees those not in draft."""
    stmt = select(Course).order_by(Course.created_at.desc(), Course.id.desc()).options(*_options())
    if who.role == Role.ORGANISER:
        stmt = stmt.where(Course.unit_id.in_(places.unit_ids_within(db, who.unit_id)))
    elif not who.is_admin:
        stmt = stmt.where(Course.status != "draft")
    return list(db.scalars(stmt))


def get_course(db: Session, who: Principal, course_id: int) -> Course:
    """One course, or 404 when it does not exist or lies outside the caller's unit."""
    course = db.scalar(select(Course).where(Course.id == course_id).options(*_options()))
    if course is None or not _may_see(db, who, course):
        raise NotFound("Không tìm thấy khoá học.", code="course_not_found")
    return course


def _may_see(db: Session, who: Principal, course: Course) -> bool:
    if who.is_admin:
        return True
    if who.role == Role.ORGANISER:
        return places.is_within(db, course.unit_id, who.unit_id)
    return course.status != "draft"


def _ensure_may_manage(db: Session, who: Principal, course: Course) -> None:
    if not (who.is_admin or (who.role == Role.ORGANISER and places.is_within(db, course.unit_id, who.unit_id))):
        raise Forbidden("Chỉ cán bộ tổ chức của đơn vị mới sửa được khoá học này.")


def create_course(db: Session, who: Principal, *, curriculum_code: str, title: str, unit_key: str | None = None,
                  version: int | None = None) -> Course:
    """Create a draft course from the latest (or a chosen) curriculum version, pinning it and copying its modules."""
    title = " ".join(title.split())
    if not title:
        raise Invalid("title_required", "Cần nhập tên khoá học.", field="title")
    if len(title) > 300:
        raise Invalid("title_too_long", "Tên khoá học dài quá 300 ký tự.", field="title")
    if unit_key:
        unit = places.get_by_key(db, unit_key)
    elif who.unit_id is not None:
        unit = db.get(AdminUnit, who.unit_id)
    else:
        raise Invalid("unit_required", "Cần chọn đơn vị tổ chức khoá học.", field="unit")
    if not who.is_admin and not places.is_within(db, unit.id, who.unit_id):
        raise Forbidden("Chỉ tạo được khoá học trong đơn vị của bạn.")
    cv: CurriculumVersion = curricula.get_version(db, curriculum_code, version)
    province = db.get(AdminUnit, unit.current_province_id) if unit.current_province_id else unit
    year = utcnow().year
    course = Course(title=title, curriculum_version_id=cv.id, unit_id=unit.id, created_by_id=who.user_id, code="")
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
    audit.record(db, who, "course.create", "course", course.id,
                 {"code": course.code, "title": title, "curriculum": cv.curriculum_code, "version": cv.number,
                  "unit": unit.key})
    return get_course(db, who, course.id)


def add_local_module(db: Session, who: Principal, course_id: int, *, title: str, theory_hours: float,
                     practice_hours: float = 0, required: bool = False) -> CourseModule:
    """A module the province adds for local conditions; marked local, the curriculum files are not touched."""
    course = get_course(db, who, course_id)
    _ensure_may_manage(db, who, course)
    title = " ".join(title.split())
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
    db.add(module)
    db.flush()
    audit.record(db, who, "course.add_local_module", "course", course.id,
                 {"module": module.code, "title": title, "theory_hours": theory_hours,
                  "practice_hours": practice_hours})
    return module


def add_local_topic(db: Session, who: Principal, course_id: int, module_id: int, *, title: str) -> CourseLocalTopic:
    """A topic added to one of the course's modules, shown as local next to the curriculum's own topics."""
    course = get_course(db, who, course_id)
    _ensure_may_manage(db, who, course)
    module = next((m for m in course.modules if m.id == module_id), None)
    if module is None:
        raise NotFound("Không tìm thấy chuyên đề trong khoá học.", code="module_not_found")
    title = " ".join(title.split())
    if not title:
        raise Invalid("title_required", "Cần nhập tên nội dung.", field="title")
    topic = CourseLocalTopic(course_module_id=module.id, position=len(module.local_topics) + 1, title=title)
    db.add(topic)
    db.flush()
    audit.record(db, who, "course.add_local_topic", "course", course.id, {"module": module.code, "title": title})
    return topic
