"""Certificate use cases: issue (one or a whole course, idempotent, numbered under a lock), download, verify,
revoke and reissue, and the bulk PDF of a course."""
from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.assessment import service as assessment
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
from app.enrolment.rules import EnrolmentStatus
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.issuers import rules as issuer_rules
from app.issuers import service as issuers
from app.issuers.models import IssuingBody
from app.jobs import service as jobs
from app.jobs.models import Job
from app.notify.service import notify
from app.people import reference
from app.people import service as people
from app.people.models import Trainee
from app.places import service as places
from app.places.models import AdminUnit
from app.signing import service as signing

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


def _next(db: Session, issuing_body_id: int, year: int, count: int) -> int:
    """Reserve `count` numbers of an issuing body for a year (year 0: its register book); returns the first. The
    counter row is locked (PostgreSQL) or the whole database is (SQLite's write lock), so two requests never get
    the same numbers; two bodies have two rows and never wait for each other."""
    def locked() -> CertificateCounter | None:
        return db.scalar(select(CertificateCounter).where(CertificateCounter.issuing_body_id == issuing_body_id,
                                                          CertificateCounter.year == year).with_for_update()
                         .execution_options(populate_existing=True))

    row = locked()
    if row is None:
        try:
            with db.begin_nested():
                db.add(CertificateCounter(issuing_body_id=issuing_body_id, year=year, last=0))
                db.flush()
        except IntegrityError:
            pass  # another request created it first
        row = locked()
    first = row.last + 1
    row.last += count
    db.flush()
    return first


def _chain(db: Session, unit_id: int) -> list[AdminUnit]:
    """The unit and its parents, read by id (a former commune's district and province are never lazy-loaded)."""
    out, node = [], db.get(AdminUnit, unit_id)
    while node is not None:
        out.append(node)
        node = db.get(AdminUnit, node.parent_id) if node.parent_id is not None else None
    return out


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if name else name


# Organisation types whose name ends with the commune ("UBND xã/phường/đặc khu" → "UBND xã Tân Dĩnh").
_OF_THE_COMMUNE = " xã/phường/đặc khu"
_NO_ORGANISATION = {"khac", "thon_to_dan_pho"}


def workplace(db: Session, t: Trainee) -> str:
    """Đơn vị công tác as offices write it: "UBND xã Tân Dĩnh, tỉnh Bắc Ninh", "Hội Nông dân xã Tân Dĩnh, tỉnh Bắc
    Ninh"; a former commune keeps its district and former province as they were."""
    chain = _chain(db, t.unit_id)
    places_text = [_lower_first(u.name) for u in chain]
    org = reference.by_code(reference.ORGANISATION_TYPES, t.organisation_type)
    if org is None or org.code in _NO_ORGANISATION:
        return ", ".join(places_text)
    label = org.vi.removesuffix(_OF_THE_COMMUNE)
    if chain[0].level == "province":
        return ", ".join([label, *places_text])
    return ", ".join([f"{label} {places_text[0]}", *places_text[1:]])


def _snapshot(course: Course, body: IssuingBody, cv: CurriculumVersion, t: Trainee, work: str, number: str,
              entry: int, code: str, today: date, hours: float, seal_sha256: str | None) -> dict:
    """What the certificate says, kept as issued: the course's own hours, the person's workplace and position, the
    issuing body's parent line, place and seal; a provisional curriculum is not named as if it were official."""
    wording = (cv.document or {}).get("certificate", {})
    position = reference.by_code(reference.POSITIONS, t.position)
    signer_title, signer_name = courses.signer_of(course)
    return {
        "issuer_name": body.name.upper(), "issuer_parent": body.parent_name.upper(),
        "title": wording.get("title_vi", "GIẤY CHỨNG NHẬN"),
        "full_name": t.full_name, "birth_date": t.birth_date.isoformat() if t.birth_date else None,
        "unit": work, "commune": "", "position": position.vi if position else "",
        "course_title": course.title, "curriculum_title": "" if cv.provisional else cv.title_vi,
        "start_date": (course.start_date or today).isoformat(), "end_date": (course.end_date or today).isoformat(),
        "venue": course.venue or "", "hours": hours, "result": "Hoàn thành", "number": number,
        "register_entry": f"Số vào sổ: {entry}", "issue_place": body.place_name,
        "issue_date": today.isoformat(),
        "signer_title": _title_lines(signer_title),
        "signer_name": signer_name, "verify_url": f"{get_settings().public_url}/verify/{code}",
        "seal_sha256": seal_sha256,
    }


def _title_lines(title: str) -> str:
    """ "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" is typed on one line and printed on two."""
    return "\n".join(part.strip() for part in title.replace("/", "\n").splitlines() if part.strip())


def certificate_data(c: Certificate, db: Session | None = None, seal: bytes | None = None, *,
                     signed: bool = False) -> render.CertificateData:
    """The snapshot as the renderer's data; the seal it was issued with comes from the seal store (by hash). The
    note about the digital signature only goes on the file that carries the signature (`signed`), never on a merged
    print or a file rendered again."""
    d = dict(c.data)
    if not signed:
        d.pop("signature_note", None)
    for key in ("birth_date", "start_date", "end_date", "issue_date"):
        d[key] = date.fromisoformat(d[key]) if d.get(key) else None
    digest = d.pop("seal_sha256", None)
    if seal is None and digest and db is not None:
        seal = issuers.seal_by_hash(db, digest)
    return render.CertificateData(**d, qr=render.QrMatrix.from_bytes(c.qr), seal_png=seal)


@dataclass(frozen=True)
class IssueReport:
    issued: list[Certificate]
    skipped: list[tuple[str, str]]  # (name, why not)


def _course_for_issue(db: Session, who: Principal, course_id: int) -> Course:
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    db.scalar(select(Course.id).where(Course.id == course.id).with_for_update())  # one issuing run at a time
    return course


def _issuing_body(db: Session, who: Principal, course: Course) -> IssuingBody:
    body = db.get(IssuingBody, course.issuing_body_id) if course.issuing_body_id else None
    if body is None and course.organising_body:  # set before bodies were records: the body of that name
        body = issuers.body_for_text(db, who, course.unit_id, course.organising_body, course.signer_title,
                                     course.signer_name)
        course.issuing_body_id = body.id
        db.flush()
    if body is None:
        raise Invalid("issuing_body_missing", "Khoá học chưa chọn cơ quan cấp giấy chứng nhận: hãy chọn ở mục Thông "
                      "tin trước khi cấp.", field="issuing_body_id")
    return body


def issue(db: Session, who: Principal, course_id: int, enrolment_ids: list[int] | None = None,
          replaces: Certificate | None = None, *, now: datetime | None = None) -> IssueReport:
    """Issue certificates to the course's completed enrolments (all, or those listed). Idempotent: a person who
    already holds a valid certificate is skipped, never given a second one. Numbered per issuing body and Việt Nam
    year, register entries per body; dated in Việt Nam (`now`, the clock, is passed in by tests)."""
    course = _course_for_issue(db, who, course_id)
    not_ready = rules.course_ready(course.status)
    if not_ready:
        raise Conflict("course_not_finished", not_ready)
    body = _issuing_body(db, who, course)
    signer_title, signer_name = courses.signer_of(course)
    if not (signer_name and signer_title):
        raise Invalid("signer_missing", "Chưa có chức danh và tên người ký (của khoá học hoặc của cơ quan cấp): hãy "
                      "điền ở mục Thông tin trước khi cấp giấy chứng nhận.", field="signer_name")
    hours = courses.hours_of(course)
    problem = issuer_rules.hours_problem(hours) or issuers.numbering_clash(db, body)
    if problem:
        raise (Conflict if problem.code == "number_clash" else Invalid)(problem.code, problem.vi,
                                                                         field=problem.field)
    cv = db.get(CurriculumVersion, course.curriculum_version_id)
    stmt = (select(Enrolment, Trainee).join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(Enrolment.course_id == course.id).order_by(Trainee.search_name))
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
    today = issuer_rules.vn_date(now or utcnow())
    year = today.year
    first = _next(db, body.id, year, len(todo))
    first_entry = _next(db, body.id, 0, len(todo))
    seal = body.seal_image
    seal_sha256 = issuers.keep_seal(db, seal) if seal else None
    sealer = signing.sealer_for(db, body.id)  # None: the body has no key, certificates go unsigned
    # A course that requires a post-test score prints the result with the score (Circular 03/2023/TT-BNV, Art. 6).
    scores = assessment.best_percent(db, [e.id for e, _ in todo], "post") \
        if course.post_test_min_percent is not None else {}
    issued = []
    for i, (e, t) in enumerate(todo):
        code = rules.new_code()
        number = issuer_rules.format_number(body.number_pattern, first + i, year, body.short_code)
        data = _snapshot(course, body, cv, t, workplace(db, t), number, first_entry + i, code, today, hours,
                         seal_sha256)
        if e.id in scores:
            data["result"] = f"Đạt (điểm kiểm tra cuối khoá {scores[e.id]:g}%)"
        if sealer:
            data["signature_note"] = signing.appearance(sealer[0], now or utcnow())
        qr = render.qr_matrix(data["verify_url"])
        c = Certificate(enrolment_id=e.id, course_id=course.id, issuer_unit_id=course.unit_id,
                        issuing_body_id=body.id, year=year, sequence=first + i, number=number,
                        register_entry=first_entry + i, code=code, status=VALID, data=data, qr=qr.to_bytes(),
                        pdf_sha256="", issued_by_id=who.user_id, replaces_id=replaces.id if replaces else None,
                        issued_at=now or utcnow())
        # the signed file is the one stored, hashed and downloaded
        pdf = signing.sign_certificate(sealer, render.render_one(certificate_data(c, seal=seal, signed=True)))
        c.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        db.add(c)
        _pdf_path(c).write_bytes(pdf)
        issued.append((c, t))
    db.flush()
    for c, t in issued:
        audit.record(db, who, "certificate.issue", "certificate", c.id,
                     {"number": c.number, "enrolment": c.enrolment_id, "register_entry": c.register_entry,
                      "issuing_body": body.id})
        notify(db, t.user_id, f"{course.code}: Đã cấp giấy chứng nhận số {c.number}",
               f"{course.title}. Tải giấy chứng nhận ở mục “Chứng nhận” hoặc ngay trên trang chủ.",
               link="/my-certificates",
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
                                                     Enrolment.status == EnrolmentStatus.COMPLETED,
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


def pdf_bytes(c: Certificate, db: Session | None = None) -> bytes:
    """The file as issued (kept in the data folder); rendered again from the snapshot if the file is gone."""
    path = _pdf_path(c)
    if path.exists():
        return path.read_bytes()
    return render.render_one(certificate_data(c, db))


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
    return render.render_many((certificate_data(c, db) for c in rows), out)


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
            "replaced_by": replaced_by.code if replaced_by else None, "pdf_sha256": c.pdf_sha256,
            "digitally_signed": bool(d.get("signature_note")),
            "signature_note": " · ".join(d.get("signature_note", "").splitlines()[1:])}


def matches_file(c: Certificate, content: bytes) -> bool:
    return hashlib.sha256(content).hexdigest() == c.pdf_sha256


# --- long runs as background jobs ---------------------------------------------------------------------------------

ISSUE_INLINE_MAX = 50  # issuing renders and hashes each PDF (~10 ms): more than this goes to a background job
BATCH = 50


def waiting_ids(db: Session, course_id: int) -> list[int]:
    """Completed enrolments of the course without a valid certificate, in class-list order."""
    holding = select(Certificate.enrolment_id).where(Certificate.course_id == course_id, Certificate.status == VALID)
    return list(db.scalars(select(Enrolment.id).join(Trainee, Trainee.id == Enrolment.trainee_id)
                           .where(Enrolment.course_id == course_id, Enrolment.status == EnrolmentStatus.COMPLETED,
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
                    z.writestr(file_name(c), pdf_bytes(c, db))
                    if i % BATCH == 0:
                        progress(i, total)
        else:
            def counted() -> Iterator[render.CertificateData]:
                for i, c in enumerate(found, start=1):
                    if i % BATCH == 0:
                        progress(i, total)
                    yield certificate_data(c, db)
            render.render_many(counted(), out)
    job.file_name = f"giay-chung-nhan-{p['unit']}-{p['from']}-{p['to']}.{req.fmt}"
    job.media_type = "application/zip" if req.fmt == "zip" else "application/pdf"
    job.result = {"certificates": total}
    progress(total, total)
