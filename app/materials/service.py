"""Material use cases shared by the pages and the API: add, replace, edit, delete, list, and open for download."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth.models import Role
from app.auth.principal import Principal
from app.core.text import clean_name
from app.courses import service as courses
from app.courses.models import Course, CourseModule, CourseSession, Lecturer
from app.curricula import service as curricula
from app.curricula.models import CurriculumModule, CurriculumVersion
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.errors import DomainError, Forbidden, Invalid, NotFound
from app.materials import rules, sniff
from app.materials.models import Material, MaterialVersion
from app.materials.storage import get_storage
from app.materials.upload import StagedFile
from app.people import service as people
from app.places import service as places

log = logging.getLogger("nangluc.materials")
STAFF_ROLES = (Role.ADMIN, Role.ORGANISER, Role.TRAINER)
MAX_DESCRIPTION = 5000


# --------------------------------------------------------------------------------------------------------------------
# Who may do what (facts from the database, decisions from rules.py)
# --------------------------------------------------------------------------------------------------------------------


def _seat(db: Session, who: Principal, course_id: int) -> str | None:
    t = people.own_record(db, who) if who.role == Role.TRAINEE else None
    if t is None:
        return None
    return db.scalar(select(Enrolment.status).where(Enrolment.course_id == course_id, Enrolment.trainee_id == t.id))


def _teaches(db: Session, who: Principal, course_id: int) -> bool:
    if who.role != Role.TRAINER or who.user_id is None:
        return False
    return bool(db.scalar(select(exists().where(
        CourseSession.course_id == course_id, CourseSession.lecturer_id == Lecturer.id,
        Lecturer.user_id == who.user_id))))


def course_decision(db: Session, who: Principal, course: Course) -> rules.Decision:
    in_scope = who.role in (Role.ORGANISER, Role.TRAINER) and places.is_within(db, course.unit_id, who.unit_id)
    return rules.course_access(who.role, course_in_scope=in_scope, teaches=_teaches(db, who, course.id),
                               seat=_seat(db, who, course.id))


def _seated_on_curriculum(db: Session, who: Principal, curriculum_code: str) -> bool:
    t = people.own_record(db, who) if who.role == Role.TRAINEE else None
    if t is None:
        return False
    return bool(db.scalar(select(exists().where(
        Enrolment.trainee_id == t.id, Enrolment.status.in_(rules.SEATED), Enrolment.course_id == Course.id,
        Course.curriculum_version_id == CurriculumVersion.id,
        CurriculumVersion.curriculum_code == curriculum_code))))


def _owns(db: Session, who: Principal, m: Material) -> bool:
    if who.role == Role.ORGANISER:
        return places.is_within(db, m.owner_unit_id, who.unit_id)
    return who.role == Role.TRAINER and who.user_id is not None and m.created_by_id == who.user_id


def module_decision(db: Session, who: Principal, curriculum_code: str, m: Material | None = None) -> rules.Decision:
    owns = m is not None and _owns(db, who, m)
    seated = who.role == Role.TRAINEE and _seated_on_curriculum(db, who, curriculum_code)
    return rules.module_access(who.role, owns=owns, seated_on_curriculum=seated)


def _refuse(d: rules.Decision) -> Forbidden:
    return Forbidden(d.vi or "Bạn không có quyền thực hiện thao tác này.", code=d.code or "forbidden")


def _decision_for(db: Session, who: Principal, m: Material) -> rules.Decision:
    if m.course_id is not None:
        return course_decision(db, who, courses.find_course(db, who, m.course_id))
    return module_decision(db, who, m.curriculum_code or "", m)


def _get(db: Session, material_id: int, *, lock: bool = False) -> Material:
    stmt = select(Material).where(Material.id == material_id, Material.deleted_at.is_(None))
    m = db.scalar(stmt.with_for_update() if lock else stmt)
    if m is None:
        raise NotFound("Không tìm thấy tài liệu.", code="material_not_found")
    return m


def _version(db: Session, m: Material, number: int | None = None) -> MaterialVersion:
    v = db.scalar(select(MaterialVersion).where(MaterialVersion.material_id == m.id,
                                                MaterialVersion.number == (number or m.current_version)))
    if v is None:
        raise NotFound("Không tìm thấy phiên bản này của tài liệu.", code="version_not_found")
    return v


# --------------------------------------------------------------------------------------------------------------------
# Checking files
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    staged: StagedFile
    name: str
    type: sniff.FileType


@dataclass(frozen=True)
class Problem:
    code: str
    status: int
    message: str


def _check(f: StagedFile) -> Checked | Problem:
    """One file: a name that stays in the folder, some bytes, and an accepted type read from the bytes."""
    try:
        name = rules.clean_filename(f.raw_name)
    except rules.BadName:
        return Problem("bad_filename", 422, f"Tên tệp “{rules.printable(f.raw_name)}” không hợp lệ: tên tệp không "
                                            "được chứa đường dẫn (/, \\, ..), ổ đĩa hay ký tự điều khiển.")
    if f.size == 0:
        return Problem("empty_file", 422, f"Tệp “{name}” rỗng (0 byte).")
    verdict = sniff.detect(f.path)
    if isinstance(verdict, sniff.Refused):
        return Problem("type_not_allowed", 415, f"Tệp “{name}” không được nhận vì nội dung là {verdict.what}. "
                                                f"Chỉ nhận {sniff.ALLOWED_LABEL}.")
    return Checked(f, rules.with_extension(name, verdict.extensions, sniff.KNOWN_EXTENSIONS), verdict)


def check_files(files: list[StagedFile]) -> list[Checked]:
    """Every file, or one refusal that names each bad file: an upload is kept whole or not at all."""
    if not files:
        raise Invalid("no_files", "Hãy chọn ít nhất một tệp.", field="files")
    results = [_check(f) for f in files]
    problems = [r for r in results if isinstance(r, Problem)]
    if problems:
        message = " ".join(p.message for p in problems) + (" Không tệp nào được lưu." if len(files) > 1 else "")
        raise DomainError(problems[0].code, message, field="files", status=problems[0].status)
    return [r for r in results if isinstance(r, Checked)]


def _store(db: Session, who: Principal, m: Material, c: Checked, number: int, note: str = "") -> MaterialVersion:
    get_storage().put(c.staged.sha256, c.staged.path)
    v = MaterialVersion(material_id=m.id, number=number, sha256=c.staged.sha256, original_name=c.name,
                        content_type=c.type.mime, kind=c.type.kind, size=c.staged.size, note=note,
                        uploaded_by_id=who.user_id)
    db.add(v)
    db.flush()
    return v


# --------------------------------------------------------------------------------------------------------------------
# Adding, replacing, editing, deleting
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    """Where new materials go: a course (optionally under one of its modules, optionally shared with every course
    of the curriculum through that module), or a curriculum module directly."""

    course_id: int | None = None
    course_module_id: int | None = None
    share: bool = False
    curriculum_code: str | None = None
    module_code: str | None = None


@dataclass(frozen=True)
class Details:
    title: str = ""
    description: str = ""
    language: str = "vi"


def _details(d: Details) -> Details:
    title = clean_name(d.title)
    if len(title) > 300:
        raise Invalid("title_too_long", "Tên tài liệu dài quá 300 ký tự.", field="title")
    description = d.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise Invalid("description_too_long", "Mô tả dài quá 5.000 ký tự.", field="description")
    if d.language not in rules.LANGUAGES:
        raise Invalid("language_invalid", "Ngôn ngữ không hợp lệ.", field="language")
    return Details(title, description, d.language)


def resolve_home(db: Session, who: Principal, home: Home) -> Home:
    """Check the place and the caller's right to add there; a course module must be the course's own."""
    if home.course_id is not None:
        course = courses.get_course(db, who, home.course_id)
        if not course_decision(db, who, course).may_manage:
            raise Forbidden("Chỉ cán bộ tổ chức và giảng viên của khoá học mới tải tài liệu lên.",
                            code="not_course_staff")
        module = None
        if home.course_module_id is not None:
            module = next((m for m in course.modules if m.id == home.course_module_id), None)
            if module is None:
                raise Invalid("module_invalid", "Chuyên đề không thuộc khoá học này.", field="module")
        if not home.share:
            return Home(course_id=course.id, course_module_id=module.id if module else None)
        if module is None:
            raise Invalid("module_required", "Hãy chọn chuyên đề để dùng chung tài liệu.", field="module")
        if module.curriculum_module_id is None:
            raise Invalid("module_not_shared", "Chuyên đề địa phương chỉ gắn với khoá học này, không dùng chung "
                          "được.", field="scope")
        return _module_home(db, who, course.curriculum_version.curriculum_code, module.code)
    return _module_home(db, who, (home.curriculum_code or "").upper(), home.module_code or "")


def _module_home(db: Session, who: Principal, code: str, module_code: str) -> Home:
    if who.role not in STAFF_ROLES:
        raise Forbidden("Chỉ cán bộ tổ chức và giảng viên mới tải tài liệu lên.", code="not_staff")
    if not code or not module_code:
        raise Invalid("module_required", "Hãy chọn chuyên đề cho tài liệu.", field="module")
    found = db.scalar(select(CurriculumModule.id).join(CurriculumVersion).where(
        CurriculumVersion.curriculum_code == code, CurriculumModule.code == module_code).limit(1))
    if found is None:
        raise Invalid("module_invalid", f"Chương trình {code} không có chuyên đề “{module_code[:20]}”.",
                      field="module")
    return Home(curriculum_code=code, module_code=module_code)


def add_materials(db: Session, who: Principal, home: Home, files: list[StagedFile],
                  details: Details = Details()) -> list[Material]:  # noqa: B008
    """Several files at once, each becoming a material; all are checked before any is kept (all or nothing)."""
    home = resolve_home(db, who, home)
    details = _details(details)
    checked = check_files(files)
    out = []
    for c in checked:
        own = rules.title_from_filename(c.name)
        title = details.title if len(checked) == 1 and details.title else (
            f"{details.title} — {own}"[:300] if details.title else own)
        m = Material(course_id=home.course_id, course_module_id=home.course_module_id,
                     curriculum_code=home.curriculum_code, module_code=home.module_code, title=title,
                     description=details.description, language=details.language, current_version=1,
                     owner_unit_id=who.unit_id, created_by_id=who.user_id)
        db.add(m)
        db.flush()
        v = _store(db, who, m, c, 1)
        audit.record(db, who, "material.upload", "material", m.id, {
            "title": title, "file": c.name, "type": c.type.code, "size": c.staged.size, "sha256": c.staged.sha256,
            "course": home.course_id, "curriculum": home.curriculum_code, "module": home.module_code,
            "version": v.number})
        out.append(m)
    return out


def replace_file(db: Session, who: Principal, material_id: int, staged: StagedFile, note: str = "") -> Material:
    """A new file for the same material; the earlier files stay as older versions (staff can still fetch them)."""
    m = _get(db, material_id, lock=True)  # two replacements at once must not pick the same version number
    d = _decision_for(db, who, m)
    if not d.may_manage:
        raise Forbidden("Bạn không được thay tệp của tài liệu này.", code="not_material_manager")
    note = " ".join(note.split())[:500]
    (c,) = check_files([staged])
    before = m.current_version
    _store(db, who, m, c, before + 1, note)
    m.current_version = before + 1
    m.updated_at = utcnow()
    db.flush()
    audit.record(db, who, "material.replace", "material", m.id, {
        "version": [before, m.current_version], "file": c.name, "type": c.type.code, "size": c.staged.size,
        "sha256": c.staged.sha256}, note=note or None)
    return m


def update_material(db: Session, who: Principal, material_id: int, changes: dict) -> Material:
    m = _get(db, material_id)
    if not _decision_for(db, who, m).may_manage:
        raise Forbidden("Bạn không được sửa tài liệu này.", code="not_material_manager")
    merged = _details(Details(changes.get("title", m.title), changes.get("description", m.description),
                              changes.get("language", m.language)))
    if not merged.title:
        raise Invalid("title_required", "Cần nhập tên tài liệu.", field="title")
    diff = {k: [getattr(m, k), getattr(merged, k)] for k in ("title", "description", "language")
            if getattr(m, k) != getattr(merged, k)}
    for k, (_, v) in diff.items():
        setattr(m, k, v)
    if diff:
        db.flush()
        audit.record(db, who, "material.update", "material", m.id, diff)
    return m


def delete_material(db: Session, who: Principal, material_id: int, reason: str = "") -> Material:
    """Hidden from every list and download at once; the row, its files and the trail stay (soft delete)."""
    m = _get(db, material_id, lock=True)
    if not _decision_for(db, who, m).may_manage:
        raise Forbidden("Bạn không được xoá tài liệu này.", code="not_material_manager")
    reason = " ".join(reason.split())[:1000]
    m.deleted_at, m.deleted_by_id, m.delete_reason = utcnow(), who.user_id, reason or None
    db.flush()
    audit.record(db, who, "material.delete", "material", m.id, {"title": m.title, "course": m.course_id,
                                                                 "curriculum": m.curriculum_code,
                                                                 "module": m.module_code}, note=reason or None)
    return m


# --------------------------------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class Item:
    material: Material
    version: MaterialVersion
    may_manage: bool


@dataclass
class Group:
    key: str  # "course", or the module code
    title: str
    shared: bool  # shared materials of a curriculum module
    items: list[Item] = field(default_factory=list)
    title_en: str = ""


@dataclass
class CourseMaterials:
    course: Course
    decision: rules.Decision
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def _current(stmt):  # noqa: ANN001, ANN202
    return stmt.join(MaterialVersion, and_(MaterialVersion.material_id == Material.id,
                                           MaterialVersion.number == Material.current_version)).where(
        Material.deleted_at.is_(None)).order_by(Material.created_at, Material.id)


def _course_groups(db: Session, who: Principal, course: Course, modules: list[CourseModule],
                   decision: rules.Decision) -> list[Group]:
    """The course's own materials first, then module by module its modules' shared and own materials."""
    code = course.curriculum_version.curriculum_code
    shared_codes = [m.code for m in modules if m.curriculum_module_id is not None]
    rows = db.execute(_current(select(Material, MaterialVersion).where(or_(
        Material.course_id == course.id,
        and_(Material.curriculum_code == code, Material.module_code.in_(shared_codes))))))
    groups = [Group("course", "Tài liệu chung của khoá học", False)]
    by_module = {}
    for m in modules:
        by_module[m.id] = Group(m.code, f"{m.code}. {m.title}", False)
    by_code = {m.code: by_module[m.id] for m in modules if m.curriculum_module_id is not None}
    for material, version in rows:
        if material.course_id is not None:
            group = by_module.get(material.course_module_id or -1, groups[0])
            manage = decision.may_manage
        else:
            group = by_code[material.module_code or ""]
            manage = who.is_admin or (who.role in STAFF_ROLES and _owns(db, who, material))
        group.items.append(Item(material, version, manage))
    return groups + [by_module[m.id] for m in modules]


def course_materials(db: Session, who: Principal, course_id: int) -> CourseMaterials:
    """What the course page's materials tab shows: 404 outside the caller's area, 403 with the reason for a
    trainee who is not (yet) seated."""
    course = courses.get_course(db, who, course_id)
    d = course_decision(db, who, course)
    if not d.may_read:
        raise _refuse(d)
    return CourseMaterials(course, d, _course_groups(db, who, course, list(course.modules), d))


@dataclass
class ModuleMaterials:
    version: CurriculumVersion
    decision: rules.Decision
    groups: list[Group]


def module_materials(db: Session, who: Principal, curriculum_code: str) -> ModuleMaterials:
    """A curriculum's shared materials, module by module (modules of the latest version, then earlier codes)."""
    v = curricula.get_version(db, curriculum_code)
    d = module_decision(db, who, v.curriculum_code)
    if not d.may_read:
        raise _refuse(d)
    groups = {m.code: Group(m.code, f"{m.code}. {m.title_vi}", True, title_en=f"{m.code}. {m.title_en}")
              for m in v.modules}
    rows = db.execute(_current(select(Material, MaterialVersion).where(
        Material.curriculum_code == v.curriculum_code)))
    for material, version in rows:
        code = material.module_code or ""
        group = groups.setdefault(code, Group(code, f"{code} (phiên bản trước)", True))
        manage = who.is_admin or (who.role in STAFF_ROLES and _owns(db, who, material))
        group.items.append(Item(material, version, manage))
    return ModuleMaterials(v, d, list(groups.values()))


@dataclass
class MyCourse:
    course: Course
    status: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def my_materials(db: Session, who: Principal) -> list[MyCourse]:
    """A trainee's courses, newest first, each with its materials once seated (and empty while waiting)."""
    t = people.own_record(db, who)
    if t is None:
        return []
    rows = list(db.execute(
        select(Enrolment.status, Course).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.trainee_id == t.id, Enrolment.status.in_(rules.SEATED | rules.WAITING))
        .options(selectinload(Course.curriculum_version))
        .order_by(Course.start_date.desc(), Course.id.desc())))
    seated_ids = [c.id for s, c in rows if s in rules.SEATED]
    modules: dict[int, list[CourseModule]] = {i: [] for i in seated_ids}
    if seated_ids:
        for m in db.scalars(select(CourseModule).where(CourseModule.course_id.in_(seated_ids))
                            .order_by(CourseModule.position)):
            modules[m.course_id].append(m)
    out = []
    for status, course in rows:
        groups: list[Group] = []
        if status in rules.SEATED:
            groups = [g for g in _course_groups(db, who, course, modules[course.id], rules.READ) if g.items]
        out.append(MyCourse(course, status, groups))
    return out


def material_detail(db: Session, who: Principal, material_id: int) -> tuple[Material, list[MaterialVersion],
                                                                           rules.Decision]:
    """One material and its versions: every version for those who manage it, the current one for readers."""
    m = _get(db, material_id)
    d = _decision_for(db, who, m)
    if not d.may_read:
        raise _refuse(d)
    stmt = select(MaterialVersion).where(MaterialVersion.material_id == m.id).order_by(MaterialVersion.number.desc())
    if not d.may_manage:
        stmt = stmt.where(MaterialVersion.number == m.current_version)
    return m, list(db.scalars(stmt)), d


# --------------------------------------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------------------------------------


def open_for_download(db: Session, who: Principal, material_id: int, number: int | None = None
                      ) -> tuple[Material, MaterialVersion]:
    """The file a caller may fetch: the current one for readers; older versions only for those who manage it."""
    m = _get(db, material_id)
    d = _decision_for(db, who, m)
    if not d.may_read:
        raise _refuse(d)
    if number is not None and number != m.current_version and not d.may_manage:
        raise Forbidden("Chỉ cán bộ quản lý tài liệu mới tải được các phiên bản cũ.", code="old_version")
    return m, _version(db, m, number)


def count_download(factory: Callable[[], Session], material_id: int) -> None:
    """One more download, in a short transaction of its own whose first statement is the write.

    A download is a GET, whose session only reads; on SQLite a reader that later writes fails at once if another
    writer committed in between, and a hundred trainees fetching the same handout are exactly that. Starting a
    fresh transaction with the UPDATE lets it wait its turn instead. A failed count never fails the download.
    """
    try:
        with factory() as s:
            s.execute(update(Material).where(Material.id == material_id).values(
                download_count=Material.download_count + 1, last_downloaded_at=utcnow()))
            s.commit()
    except Exception:  # noqa: BLE001
        log.warning("download of material %s not counted", material_id, exc_info=True)
