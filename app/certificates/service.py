"""Certificate use cases: issue (one or a whole course, idempotent, numbered under a lock), download, verify,
revoke and reissue, and the bulk PDF of a course."""
from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth.principal import Principal
from app.certificates import render, rules
from app.certificates.models import Certificate, CertificateCounter, VerifyThrottle
from app.config import get_settings
from app.core.text import fold
from app.courses import service as courses
from app.courses.models import Course
from app.curricula.models import CurriculumVersion
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.jobs import service as jobs
from app.jobs.models import Job
from app.notify.service import notify
from app.people import reference
from app.people import service as people
from app.people.models import Trainee
from app.places import service as places
from app.places.models import AdminUnit

VALID, REVOKED = "valid", "revoked"


class TooManyLookups(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__("too_many_lookups", "Tra cứu quá nhiều lần trong một phút. Vui lòng thử lại sau.")


def _pdf_dir() -> Path:
    d = get_settings().data_dir / "certificates"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _pdf_path(c: Certificate) -> Path:
    return _pdf_dir() / f"{c.code}.pdf"


def _next(db: Session, issuer_unit_id: int, year: int, count: int) -> int:
    """Reserve `count` numbers for an issuer and year; returns the first. The counter row is locked (PostgreSQL) or
    the whole database is (SQLite's write lock), so two requests never get the same numbers."""
    row = db.scalar(select(CertificateCounter).where(CertificateCounter.issuer_unit_id == issuer_unit_id,
                                                     CertificateCounter.year == year).with_for_update()
                    .execution_options(populate_existing=True))
    if row is None:
        try:
            with db.begin_nested():
                db.add(CertificateCounter(issuer_unit_id=issuer_unit_id, year=year, last=0))
                db.flush()
        except IntegrityError:
            pass  # another request created it first
        row = db.scalar(select(CertificateCounter).where(CertificateCounter.issuer_unit_id == issuer_unit_id,
                                                         CertificateCounter.year == year).with_for_update()
                        .execution_options(populate_existing=True))
    first = row.last + 1
    row.last += count
    db.flush()
    return first


def _province_name(unit: AdminUnit) -> str:
    node = unit
    while node.parent_id is not None and node.parent is not None:
        node = node.parent
    return node.short_name if getattr(node, "short_name", None) else node.name


def _snapshot(course: Course, unit: AdminUnit, cv: CurriculumVersion, t: Trainee, number: str, entry: int,
              code: str, today: date) -> dict:
    wording = (cv.document or {}).get("certificate", {})
    position = reference.by_code(reference.POSITIONS, t.position)
    return {
        "issuer_name": (course.organising_body or unit.name).upper(), "issuer_parent": "",
        "title": wording.get("title_vi", "GIẤY CHỨNG NHẬN"),
        "full_name": t.full_name, "birth_date": t.birth_date.isoformat() if t.birth_date else None,
        "unit": position.vi if position else "", "commune": places.path_label(t.unit),
        "course_title": course.title, "curriculum_title": cv.title_vi,
        "start_date": (course.start_date or today).isoformat(), "end_date": (course.end_date or today).isoformat(),
        "venue": course.venue or "", "hours": cv.total_hours, "result": "Hoàn thành", "number": number,
        "register_entry": f"Số vào sổ: {entry}", "issue_place": _province_name(unit),
        "issue_date": today.isoformat(),
        "signer_title": _title_lines(course.signer_title or ""),
        "signer_name": course.signer_name or "", "verify_url": f"{get_settings().public_url}/verify/{code}",
    }


def _title_lines(title: str) -> str:
    """ "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" is typed on one line and printed on two."""
    return "\n".join(part.strip() for part in title.replace("/", "\n").splitlines() if part.strip())


def certificate_data(c: Certificate) -> render.CertificateData:
    d = dict(c.data)
    for key in ("birth_date", "start_date", "end_date", "issue_date"):
        d[key] = date.fromisoformat(d[key]) if d.get(key) else None
    return render.CertificateData(**d, qr=render.QrMatrix.from_bytes(c.qr))


@dataclass(frozen=True)
class IssueReport:
    issued: list[Certificate]
    skipped: list[tuple[str, str]]  # (name, why not)


def _course_for_issue(db: Session, who: Principal, course_id: int) -> Course:
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    db.scalar(select(Course.id).where(Course.id == course.id).with_for_update())  # one issuing run at a time
    return course


def issue(db: Session, who: Principal, course_id: int, enrolment_ids: list[int] | None = None,
          replaces: Certificate | None = None) -> IssueReport:
    """Issue certificates to the course's completed enrolments (all, or those listed). Idempotent: a person who
    already holds a valid certificate is skipped, never given a second one."""
    course = _course_for_issue(db, who, course_id)
    not_ready = rules.course_ready(course.status)
    if not_ready:
        raise Conflict("course_not_finished", not_ready)
    if not (course.signer_name and course.signer_title and course.organising_body):
        raise Invalid("signer_missing", "Khoá học chưa có cơ quan tổ chức, chức danh và tên người ký: hãy điền ở "
                      "mục Thông tin trước khi cấp giấy chứng nhận.", field="signer_name")
    cv = db.get(CurriculumVersion, course.curriculum_version_id)
    unit = db.scalar(select(AdminUnit).where(AdminUnit.id == course.unit_id)
                     .options(selectinload(AdminUnit.parent)))
    stmt = (select(Enrolment, Trainee).join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(Enrolment.course_id == course.id)
            .options(selectinload(Trainee.unit).selectinload(AdminUnit.parent)).order_by(Trainee.search_name))
    if enrolment_ids is not None:
        stmt = stmt.where(Enrolment.id.in_(enrolment_ids))
    rows = list(db.execute(stmt))
    holding = set(db.scalars(select(Certificate.enrolment_id).where(Certificate.course_id == course.id,
                                                                    Certificate.status == VALID)))
    todo, skipped = [], []
    for e, t in rows:
        why = rules.may_issue(rules.Candidate(e.id, e.status, e.id in holding))
        (skipped.append((t.full_name, why)) if why else todo.append((e, t)))
    if not todo:
        return IssueReport([], skipped)
    today = utcnow().date()
    year = today.year
    first = _next(db, course.unit_id, year, len(todo))
    first_entry = _next(db, course.unit_id, 0, len(todo))
    pattern = get_settings().certificate_number_pattern
    issued = []
    for i, (e, t) in enumerate(todo):
        code = rules.new_code()
        number = rules.format_number(pattern, first + i, year, unit.code)
        data = _snapshot(course, unit, cv, t, number, first_entry + i, code, today)
        qr = render.qr_matrix(data["verify_url"])
        c = Certificate(enrolment_id=e.id, course_id=course.id, issuer_unit_id=course.unit_id, year=year,
                        sequence=first + i, number=number, register_entry=first_entry + i, code=code, status=VALID,
                        data=data, qr=qr.to_bytes(), pdf_sha256="", issued_by_id=who.user_id,
                        replaces_id=replaces.id if replaces else None)
        pdf = render.render_one(certificate_data(c))
        c.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        db.add(c)
        _pdf_path(c).write_bytes(pdf)
        issued.append((c, t))
    db.flush()
    for c, t in issued:
        audit.record(db, who, "certificate.issue", "certificate", c.id,
                     {"number": c.number, "enrolment": c.enrolment_id, "register_entry": c.register_entry})
        notify(db, t.user_id, f"{course.code}: Đã cấp giấy chứng nhận số {c.number}",
               f"{course.title}. Tải giấy chứng nhận trong mục Khoá học của tôi.", link="/my-certificates",
               email=t.email)
    return IssueReport([c for c, _ in issued], skipped)


def course_certificates(db: Session, who: Principal, course_id: int) -> list[tuple[Certificate, Trainee]]:
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    return list(db.execute(select(Certificate, Trainee).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
                           .join(Trainee, Trainee.id == Enrolment.trainee_id)
                           .where(Certificate.course_id == course.id)
                           .order_by(Certificate.status.desc(), Trainee.search_name, Certificate.id)))


def completed_without_certificate(db: Session, course_id: int) -> int:
    holding = select(Certificate.enrolment_id).where(Certificate.course_id == course_id, Certificate.status == VALID)
    return len(db.scalars(select(Enrolment.id).where(Enrolment.course_id == course_id,
                                                     Enrolment.status == "completed",
                                                     Enrolment.id.not_in(holding))).all())


def get_for(db: Session, who: Principal, certificate_id: int) -> Certificate:
    """A certificate its holder or the organisers of its course may download; anyone else gets 404."""
    c = db.get(Certificate, certificate_id)
    if c is None:
        raise NotFound("Không tìm thấy giấy chứng nhận.", code="certificate_not_found")
    mine = people.own_record(db, who, with_place=False)
    e = db.get(Enrolment, c.enrolment_id)
    if mine is not None and e.trainee_id == mine.id:
        return c
    try:
        courses.ensure_may_manage(db, who, courses.find_course(db, who, c.course_id))
    except DomainError:
        raise NotFound("Không tìm thấy giấy chứng nhận.", code="certificate_not_found") from None
    return c


def pdf_bytes(c: Certificate) -> bytes:
    """The file as issued (kept in the data folder); rendered again from the snapshot if the file is gone."""
    path = _pdf_path(c)
    if path.exists():
        return path.read_bytes()
    return render.render_one(certificate_data(c))


def file_name(c: Certificate) -> str:
    name = fold(c.data["full_name"]).replace(" ", "-")
    return f"GCN-{c.number.replace('/', '-')}-{name}.pdf"


def mine(db: Session, who: Principal) -> list[tuple[Certificate, Course]]:
    t = people.own_record(db, who, with_place=False)
    if t is None:
        return []
    return list(db.execute(select(Certificate, Course).join(Course, Course.id == Certificate.course_id)
                           .join(Enrolment, Enrolment.id == Certificate.enrolment_id)
                           .where(Enrolment.trainee_id == t.id).order_by(Certificate.issued_at.desc())))


def revoke(db: Session, who: Principal, certificate_id: int, reason: str, *, category: str = "other",
           public_note: str = "", reissue: bool = False) -> tuple[Certificate, Certificate | None]:
    """Revoke with an internal note (`reason`, for colleagues), a public category and optional public text (what
    the verify page shows); with `reissue`, issue a corrected one right away from the person's current record,
    which then names the old one as replaced."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise Invalid("reason_required", "Hãy ghi lý do thu hồi (ít nhất 5 ký tự).", field="reason")
    if category not in rules.REVOKE_CATEGORIES:
        raise Invalid("category_invalid", "Hãy chọn lý do thu hồi trong danh sách.", field="category")
    public_note = " ".join((public_note or "").split())
    if len(public_note) > rules.PUBLIC_NOTE_MAX:
        raise Invalid("public_note_too_long", f"Lời giải thích công khai dài quá {rules.PUBLIC_NOTE_MAX} ký tự.",
                      field="public_note")
    c = db.get(Certificate, certificate_id)
    if c is None:
        raise NotFound("Không tìm thấy giấy chứng nhận.", code="certificate_not_found")
    _course_for_issue(db, who, c.course_id)
    db.refresh(c, with_for_update=True)
    if c.status != VALID:
        raise Conflict("already_revoked", "Giấy chứng nhận này đã bị thu hồi.")
    c.status, c.revoked_at, c.revoked_by_id, c.revoke_reason = REVOKED, utcnow(), who.user_id, reason[:1000]
    c.revoke_category, c.revoke_public_note = category, public_note or None
    db.flush()
    audit.record(db, who, "certificate.revoke", "certificate", c.id, {
        "number": c.number, "reason": reason, "category": category, "public_note": public_note or None})
    new = None
    if reissue:
        report = issue(db, who, c.course_id, [c.enrolment_id], replaces=c)
        if not report.issued:
            raise Conflict("reissue_refused", "Không cấp lại được: người này chưa hoàn thành khoá học.")
        new = report.issued[0]
        c.replaced_by_id = new.id
        db.flush()
    return c, new


def bulk_pdf(db: Session, who: Principal, course_id: int, out: BinaryIO) -> int:
    """Every valid certificate of a course in one PDF, one per page in class-list order, written to `out`."""
    rows = [c for c, _ in course_certificates(db, who, course_id) if c.status == VALID]
    if not rows:
        raise NotFound("Khoá học chưa có giấy chứng nhận nào.", code="certificate_not_found")
    return render.render_many((certificate_data(c) for c in rows), out)


def iter_valid(db: Session, who: Principal, course_id: int) -> Iterator[Certificate]:
    for c, _ in course_certificates(db, who, course_id):
        if c.status == VALID:
            yield c


# --- public verification ------------------------------------------------------------------------------------------


def throttle(db: Session, client: str | None) -> None:
    """Count a look-up against the client's budget for this minute; 429 past it."""
    key = (client or "unknown")[:64]
    now = utcnow()
    row = db.get(VerifyThrottle, key, with_for_update=True)
    if row is None:
        try:
            with db.begin_nested():
                db.add(VerifyThrottle(client=key, window_started_at=now, count=1))
                db.flush()
            return
        except IntegrityError:
            row = db.get(VerifyThrottle, key, with_for_update=True, populate_existing=True)
    if now - row.window_started_at > timedelta(minutes=1):
        row.window_started_at, row.count = now, 1
    else:
        db.execute(update(VerifyThrottle).where(VerifyThrottle.client == key)
                   .values(count=VerifyThrottle.count + 1))
        db.refresh(row)
        if row.count > get_settings().verify_per_minute:
            raise TooManyLookups()


def verify(db: Session, code: str) -> Certificate:
    """The certificate behind a code, or 404 that says nothing more."""
    c = db.scalar(select(Certificate).where(Certificate.code == code.strip().upper())) \
        if rules.looks_like_code(code.strip().upper()) else None
    if c is None:
        raise NotFound("Không có giấy chứng nhận nào với mã này.", code="certificate_not_found")
    return c


def public_view(db: Session, c: Certificate) -> dict:
    """What the verify page may say: the certificate, never the person's other data."""
    d = c.data
    replaced_by = db.get(Certificate, c.replaced_by_id) if c.replaced_by_id else None
    return {"genuine": True, "status": c.status, "number": c.number, "register_entry": c.register_entry,
            "full_name": d["full_name"], "course_title": d["course_title"],
            "curriculum_title": d["curriculum_title"], "start_date": d["start_date"], "end_date": d["end_date"],
            "hours": d["hours"], "issuer": d["issuer_name"], "issue_date": d["issue_date"],
            "signer": f"{d['signer_title'].splitlines()[-1] if d['signer_title'] else ''} {d['signer_name']}".strip(),
            "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            # The public reason only: the chosen category and the public text; the internal note stays internal.
            "revoke_category": (c.revoke_category or "other") if c.status == REVOKED else None,
            "revoke_reason": rules.public_revoke_reason(c.revoke_category, c.revoke_public_note)
            if c.status == REVOKED else None,
            "replaced_by": replaced_by.code if replaced_by else None, "pdf_sha256": c.pdf_sha256}


def matches_file(c: Certificate, content: bytes) -> bool:
    return hashlib.sha256(content).hexdigest() == c.pdf_sha256


# --- long runs as background jobs ---------------------------------------------------------------------------------

ISSUE_INLINE_MAX = 50  # issuing renders and hashes each PDF (~10 ms): more than this goes to a background job
BATCH = 50


def waiting_ids(db: Session, course_id: int) -> list[int]:
    """Completed enrolments of the course without a valid certificate, in class-list order."""
    holding = select(Certificate.enrolment_id).where(Certificate.course_id == course_id, Certificate.status == VALID)
    return list(db.scalars(select(Enrolment.id).join(Trainee, Trainee.id == Enrolment.trainee_id)
                           .where(Enrolment.course_id == course_id, Enrolment.status == "completed",
                                  Enrolment.id.not_in(holding)).order_by(Trainee.search_name)))


@jobs.register("certificates.issue")
def _issue_job(db: Session, who: Principal, job: Job, progress) -> None:  # noqa: ANN001
    course_id = job.params["course_id"]
    todo = waiting_ids(db, course_id)
    issued = 0
    progress(0, len(todo))
    for i in range(0, len(todo), BATCH):
        issued += len(issue(db, who, course_id, todo[i:i + BATCH]).issued)
        progress(min(i + BATCH, len(todo)), len(todo))  # commits the batch: numbers and files are final
    job.result = {"issued": issued}


def start_issue(db: Session, who: Principal, course_id: int) -> Job | IssueReport:
    """Issue now when the course is small; otherwise start a background job and return it."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    todo = waiting_ids(db, course.id)
    if len(todo) <= ISSUE_INLINE_MAX:
        return issue(db, who, course.id)
    return jobs.start(db, who, "certificates.issue", {"course_id": course.id},
                      f"Cấp giấy chứng nhận: {course.code}", total=len(todo))


@dataclass(frozen=True)
class PrintRequest:
    unit_key: str
    date_from: date
    date_to: date
    fmt: str = "pdf"  # or "zip"


def _area_certificates(db: Session, who: Principal, req: PrintRequest) -> list[Certificate]:
    unit = places.get_by_key(db, req.unit_key)
    if unit is None:
        raise Invalid("unit_unknown", "Không tìm thấy địa bàn này.", field="unit")
    if not (who.is_admin or places.is_within(db, unit.id, who.unit_id)):
        raise Forbidden("Địa bàn này nằm ngoài đơn vị bạn phụ trách.")
    if req.date_to < req.date_from:
        raise Invalid("period_invalid", "Ngày kết thúc phải sau ngày bắt đầu.", field="date_to")
    return list(db.scalars(
        select(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
        .join(Trainee, Trainee.id == Enrolment.trainee_id).join(Course, Course.id == Certificate.course_id)
        .where(Certificate.status == VALID, Trainee.unit_id.in_(places.unit_ids_within(db, unit.id)),
               Course.end_date >= req.date_from, Course.end_date <= req.date_to)
        .order_by(Course.end_date, Course.id, Trainee.search_name)))


def start_print(db: Session, who: Principal, req: PrintRequest) -> Job:
    """Every valid certificate held by the officials of a commune or province for courses that ended in the
    period, in one PDF or a ZIP, as a background job."""
    found = _area_certificates(db, who, req)
    if not found:
        raise NotFound("Không có giấy chứng nhận nào của địa bàn này trong khoảng thời gian đã chọn.",
                       code="certificate_not_found")
    unit = places.get_by_key(db, req.unit_key)
    return jobs.start(db, who, "certificates.print", {"unit": req.unit_key, "from": req.date_from.isoformat(),
                                                      "to": req.date_to.isoformat(), "format": req.fmt},
                      f"In giấy chứng nhận: {unit.name}, {req.date_from:%d/%m/%Y}–{req.date_to:%d/%m/%Y}",
                      total=len(found))


@jobs.register("certificates.print")
def _print_job(db: Session, who: Principal, job: Job, progress) -> None:  # noqa: ANN001
    p = job.params
    req = PrintRequest(p["unit"], date.fromisoformat(p["from"]), date.fromisoformat(p["to"]), p["format"])
    found = _area_certificates(db, who, req)
    path = jobs.output_path(job)
    total = len(found)
    progress(0, total)
    with path.open("wb") as out:
        if req.fmt == "zip":
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
                for i, c in enumerate(found, start=1):
                    z.writestr(file_name(c), pdf_bytes(c))
                    if i % BATCH == 0:
                        progress(i, total)
        else:
            def counted() -> Iterator[render.CertificateData]:
                for i, c in enumerate(found, start=1):
                    if i % BATCH == 0:
                        progress(i, total)
                    yield certificate_data(c)
            render.render_many(counted(), out)
    job.file_name = f"giay-chung-nhan-{p['unit']}-{p['from']}-{p['to']}.{req.fmt}"
    job.media_type = "application/zip" if req.fmt == "zip" else "application/pdf"
    job.result = {"certificates": total}
    progress(total, total)
