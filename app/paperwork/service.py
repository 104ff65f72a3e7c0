"""The paperwork use cases: gather a course's facts, generate and record a document, register its number and
signing date, produce its files again, send summons, replace templates, set payment rates. Services flush, never
commit; only a course's organisers (and admins) reach any of it."""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.attendance.models import AttendanceMark
from app.auth.principal import Principal
from app.certificates.models import Certificate
from app.core.files import DOCX, XLSX
from app.core.text import fold
from app.courses import rules as course_rules
from app.courses import service as courses
from app.courses.models import Course, CourseSession
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.enrolment.rules import SEATED
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.issuers.models import IssuingBody
from app.jobs import service as jobs
from app.jobs.models import Job
from app.notify.service import notify
from app.paperwork import present, render, rules
from app.paperwork.models import CourseDocument, DocumentTemplate, PaymentRate
from app.people import reference
from app.people import service as people
from app.people.models import Trainee
from app.places.models import AdminUnit

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn_today() -> date:
    """Papers are dated in Việt Nam time (a document made at 06:00 there is still the previous day in UTC)."""
    return utcnow().astimezone(VN).date()


def _reasons_error(reasons: list, status: int = 409) -> Conflict:
    err = Conflict(reasons[0].code, " ".join(r.vi for r in reasons))
    err.status = status
    return err


def managed_course(db: Session, who: Principal, course_id: int) -> Course:
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    return course


# --- facts ------------------------------------------------------------------------------------------------------------


def _province(unit: AdminUnit) -> AdminUnit:
    node = unit
    while node.parent_id is not None and node.parent is not None:
        node = node.parent
    return node


def body_of(db: Session, course: Course) -> present.Body:
    """The course's issuing body; a course without one falls back to its organising body and signer fields."""
    b = db.get(IssuingBody, course.issuing_body_id) if course.issuing_body_id else None
    if b is not None:
        return present.Body(b.name, b.parent_name, b.short_code, b.place_name, b.signer_title, b.signer_name)
    province = _province(course.unit)
    place = getattr(province, "short_name", None) or province.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    return present.Body(course.organising_body or course.unit.name, "", "", place, course.signer_title,
                        course.signer_name)


def _position(code: str) -> str:
    try:
        return reference.by_code(reference.POSITIONS, code).vi
    except KeyError:
        return code


def _hours(s: CourseSession) -> Decimal:
    minutes = (s.end_time.hour * 60 + s.end_time.minute) - (s.start_time.hour * 60 + s.start_time.minute)
    return Decimal(max(minutes, 0)) / 60


PARTS = {"morning": "Sáng", "afternoon": "Chiều", "evening": "Tối"}


def facts(db: Session, course: Course) -> present.Facts:
    """Everything the documents say, read once: people with their attendance, programme, timetable, lecturers,
    certificates, budget and rates."""
    rows = list(db.execute(
        select(Enrolment, Trainee).join(Trainee, Trainee.id == Enrolment.trainee_id)
        .where(Enrolment.course_id == course.id)
        .options(selectinload(Trainee.unit).selectinload(AdminUnit.parent)).order_by(Trainee.search_name)))
    sessions = {s.id: s for s in course.sessions}
    counted = {"present", "late"} if course.late_counts_as_present else {"present"}
    attended: dict[int, set[int]] = defaultdict(set)
    for m in db.scalars(select(AttendanceMark).join(Enrolment, Enrolment.id == AttendanceMark.enrolment_id)
                        .where(Enrolment.course_id == course.id)):
        if m.status in counted and m.session_id in sessions:
            attended[m.enrolment_id].add(m.session_id)
    persons = []
    for e, t in rows:
        seen = attended.get(e.id, set())
        persons.append(present.Person(
            t.id, t.full_name, t.sex, t.birth_date, _position(t.position), t.unit.name, t.unit.key, e.status,
            len(seen), len({sessions[s].session_date for s in seen}), e.attendance_share, e.assessment_passed))
    lecturers: dict[int, list[CourseSession]] = defaultdict(list)
    for s in course.sessions:
        if s.lecturer is not None:
            lecturers[s.lecturer.id].append(s)
    certs = db.execute(select(Certificate, Trainee).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
                       .join(Trainee, Trainee.id == Enrolment.trainee_id)
                       .where(Certificate.course_id == course.id, Certificate.status == "valid")
                       .options(selectinload(Trainee.unit)).order_by(Certificate.register_entry))
    rates = {r.kind: r for r in db.scalars(select(PaymentRate).where(PaymentRate.course_id == course.id))}
    lines = {b.id: b for b in course.budget_lines}
    cv = course.curriculum_version
    modules = [present.Module(m.code, m.title, m.theory_hours, m.practice_hours,
                              [t.title_vi for t in (m.curriculum_module.topics if m.curriculum_module else [])]
                              + [t.title for t in m.local_topics]) for m in course.modules]
    rule = f"dự ít nhất {round(course.min_attendance_share * 100)}% số buổi học" + (
        " và đạt bài kiểm tra cuối khoá" if course.assessment_required else "")
    return present.Facts(
        body=body_of(db, course),
        course=present.CourseFacts(course.code, course.title, cv.title_vi, course.start_date, course.end_date,
                                   course.venue or "", course_rules.FORM_LABELS.get(course.form, (course.form,))[0],
                                   sum(m.theory_hours for m in course.modules),
                                   sum(m.practice_hours for m in course.modules), rule),
        people=persons, modules=modules,
        sessions=[present.Session(s.session_date, s.start_time, s.end_time, PARTS.get(s.part_of_day, ""),
                                  "; ".join(f"{m.code}. {m.title}" for m in s.modules),
                                  s.lecturer.full_name if s.lecturer else "", s.room or s.online_link or "")
                  for s in course.sessions],
        lecturers=[present.LecturerFacts(ss[0].lecturer.full_name, ss[0].lecturer.title,
                                         ss[0].lecturer.organisation, len(ss), sum((_hours(s) for s in ss),
                                                                                   Decimal(0)))
                   for ss in lecturers.values()],
        certificates=[present.Cert(t.full_name, t.birth_date, t.unit.name, c.number, c.register_entry)
                      for c, t in certs],
        planned_total=int(sum((b.planned_amount for b in course.budget_lines), Decimal(0))),
        actual_total=int(sum((b.actual_amount or 0 for b in course.budget_lines), Decimal(0))),
        sources=sorted({courses.FUNDING_SOURCES.get(b.funding_source, (b.funding_source,))[0].lower()
                        for b in course.budget_lines}),
        rates={k: rules.Rate(k, r.per, int(r.amount)) for k, r in rates.items()},
        planned_by_rate={k: int(lines[r.budget_line_id].planned_amount) for k, r in rates.items()
                         if r.budget_line_id in lines},
        total_sessions=len(course.sessions), today=vn_today())


def counts(db: Session, course: Course, f: present.Facts) -> dict[str, int]:
    return {"confirmed": sum(1 for p in f.people if p.status in SEATED),
            "certificates": len(f.certificates),
            "trainee_rates": sum(1 for k in rules.TRAINEE_RATES if k in f.rates),
            "lecturer_rates": 1 if "lecturer_fee" in f.rates else 0}


# --- options ----------------------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """One line of text a Word file can hold: control characters dropped (XML refuses them), spaces collapsed."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _lines(value: object, field: str, limit: int = 12) -> list[str]:
    if value is None:
        return []
    items = value.splitlines() if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise Invalid("option_invalid", "Mỗi dòng phải là một đoạn chữ.", field=field)
    out = [_clean(x) for x in items if _clean(x)]
    if len(out) > limit or any(len(x) > 500 for x in out):
        raise Invalid("option_too_long", f"Tối đa {limit} dòng, mỗi dòng tối đa 500 ký tự.", field=field)
    return out


def clean_options(kind: str, raw: dict) -> dict:
    """The organiser's choices for one generation, checked; what is not given takes the kind's default."""
    base = present.defaults(kind)
    out = {"bases": _lines(raw["bases"], "bases") if raw.get("bases") is not None else base["bases"],
           "recipients": _lines(raw["recipients"], "recipients") if raw.get("recipients") is not None
           else base["recipients"]}
    if kind == "summons":
        mode = raw.get("mode") or "person"
        if mode not in rules.SUMMONS_MODES:
            raise Invalid("mode_invalid", "Chọn mỗi học viên một giấy hoặc mỗi xã một giấy.", field="mode")
        out |= {"mode": mode}
        for key, limit in (("bring", 300), ("contact", 300)):
            value = _clean(str(raw.get(key) or ""))
            if len(value) > limit:
                raise Invalid("option_too_long", f"Tối đa {limit} ký tự.", field=key)
            out[key] = value or base.get(key, "")
    responsible = _clean(str(raw.get("responsible") or ""))
    if responsible:
        out["responsible"] = responsible[:300]
    return out


# --- documents --------------------------------------------------------------------------------------------------------


def _sha(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def template_for(db: Session, kind: str) -> bytes:
    row = db.get(DocumentTemplate, kind)
    return row.content if row else render.shipped(kind)


def generate(db: Session, who: Principal, course_id: int, kind: str, raw_options: dict | None = None
             ) -> CourseDocument:
    """Make a document from the course's data now and record it (who, when, the data it was made from)."""
    course = managed_course(db, who, course_id)
    if kind not in rules.KINDS:
        raise Invalid("kind_unknown", "Không có loại giấy tờ này.", field="kind")
    f = facts(db, course)
    refused = rules.may_generate(kind, course.status, counts(db, course, f))
    if refused:
        raise _reasons_error(refused)
    options = clean_options(kind, raw_options or {})
    data = present.build(kind, f, options)
    template = template_for(db, kind)
    doc = CourseDocument(course_id=course.id, kind=kind, options=options, data=data, data_sha256=_sha(data),
                         template_sha256=hashlib.sha256(template).hexdigest(), generated_by_id=who.user_id)
    db.add(doc)
    db.flush()
    _render(template, present.with_registration(kind, data, None, None))  # fails now, not at download
    audit.record(db, who, "paperwork.generate", "course_document", doc.id,
                 {"course": course.id, "kind": kind, "data_sha256": doc.data_sha256, "options": options})
    return doc


def _render(template: bytes, fields: dict) -> bytes:
    """A province's template that passed the check on sample data may still fail on real data: say so, as a
    conflict the admin can fix, never as a server error."""
    try:
        return render.render_docx(template, fields)
    except render.TemplateError as err:
        message = (f"Mẫu văn bản không dựng được với dữ liệu của khoá học: {err} Quản trị viên hãy sửa mẫu hoặc "
                   "dùng lại mẫu mặc định.")
        raise Conflict("template_failed", message) from err


def documents(db: Session, who: Principal, course_id: int) -> list[CourseDocument]:
    course = managed_course(db, who, course_id)
    return list(db.scalars(select(CourseDocument).where(CourseDocument.course_id == course.id)
                           .order_by(CourseDocument.id.desc())))


def get_document(db: Session, who: Principal, document_id: int) -> CourseDocument:
    """A document its course's organisers (and admins) may reach; 404 for anyone else."""
    doc = db.get(CourseDocument, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy giấy tờ.", code="document_not_found")
    try:
        managed_course(db, who, doc.course_id)
    except DomainError as err:
        if err.status in (403, 404):
            raise NotFound("Không tìm thấy giấy tờ.", code="document_not_found") from err
        raise
    return doc


def register(db: Session, who: Principal, document_id: int, number: str, signed_on: date | None) -> CourseDocument:
    """Record the number and signing date the office gave the signed paper; the files then print them."""
    doc = get_document(db, who, document_id)
    kind = rules.KINDS[doc.kind]
    if not kind.symbol:
        raise Conflict("not_numbered", "Danh sách không có số văn bản: chỉ quyết định, giấy triệu tập và báo cáo "
                                       "được vào sổ.")
    number = _clean(number)
    refused = rules.check_registration(number, signed_on, vn_today())
    if refused:
        err = Invalid(refused[0].code, " ".join(r.vi for r in refused),
                      field="number" if refused[0].code.startswith("number") else "signed_on")
        raise err
    before = {"number": doc.number, "signed_on": doc.signed_on}
    doc.number, doc.signed_on = number.strip(), signed_on
    doc.registered_by_id, doc.registered_at = who.user_id, utcnow()
    db.flush()
    audit.record(db, who, "paperwork.register", "course_document", doc.id,
                 {"before": before, "number": doc.number, "signed_on": signed_on})
    return doc


def fields_of(doc: CourseDocument) -> dict:
    return present.with_registration(doc.kind, doc.data, doc.number, doc.signed_on)


def file_name(db: Session, doc: CourseDocument, ext: str) -> str:
    course = db.get(Course, doc.course_id)
    label = fold(rules.KINDS[doc.kind].vi).replace(" ", "-")
    return f"{course.code}-{label}-{doc.id}.{ext}"


@dataclass(frozen=True)
class File:
    content: bytes
    media_type: str
    name: str


def produce(db: Session, doc: CourseDocument, fmt: str) -> File:
    """The document's file, made again from its recorded data (the .docx with the current template of its kind)."""
    fields = fields_of(doc)
    if fmt == "docx":
        return File(_render(template_for(db, doc.kind), fields), DOCX, file_name(db, doc, "docx"))
    table = present.list_table(doc.kind, fields)
    if table is None or fmt not in ("xlsx", "pdf"):
        raise NotFound("Giấy tờ này chỉ có bản Word (.docx).", code="format_not_available")
    if fmt == "xlsx":
        return File(render.xlsx(table), XLSX, file_name(db, doc, "xlsx"))
    return File(render.pdf(table), "application/pdf", file_name(db, doc, "pdf"))


# --- summons ----------------------------------------------------------------------------------------------------------


def _own(letter: dict, trainee_id: int) -> dict:
    """A participant's copy of a commune's letter lists only them: the others' birth dates are not theirs to see."""
    if not letter.get("commune_letter"):
        return letter
    return {**letter, "people": [{**p, "no": 1} for p in letter["people"] if p["trainee_id"] == trainee_id]}


def _letter_for(doc: CourseDocument, trainee_id: int) -> dict | None:
    for letter in doc.data.get("letters", []):
        if any(p.get("trainee_id") == trainee_id for p in letter["people"]):
            return _own(letter, trainee_id)
    return None


def letter_file(db: Session, doc: CourseDocument, letter: dict) -> File:
    fields = fields_of(doc) | {"letters": [letter]}
    return File(_render(template_for(db, doc.kind), fields), DOCX,
                file_name(db, doc, "docx").replace(".docx", f"-{fold(letter['people'][0]['full_name'])}.docx"
                                                   .replace(" ", "-")))


def _summons_doc(db: Session, who: Principal, document_id: int) -> CourseDocument:
    doc = get_document(db, who, document_id)
    if doc.kind != "summons":
        raise Conflict("not_summons", "Chỉ gửi được giấy triệu tập.")
    return doc


SEND_INLINE_MAX = 20  # a letter renders in ~0.1 s: a larger class is sent by a background job


def start_send(db: Session, who: Principal, document_id: int) -> Job | int:
    """Send now when the letters are few; otherwise start a background job and return it."""
    doc = _summons_doc(db, who, document_id)
    letters = len(doc.data["letters"])
    if letters <= SEND_INLINE_MAX:
        return send_summons(db, who, document_id)
    course = db.get(Course, doc.course_id)
    return jobs.start(db, who, "paperwork.send_summons", {"document_id": doc.id},
                      f"Gửi giấy triệu tập: {course.code}", total=letters)


@jobs.register("paperwork.send_summons")
def _send_job(db: Session, who: Principal, job: Job, progress) -> None:  # noqa: ANN001
    job.result = {"reached": send_summons(db, who, job.params["document_id"], progress)}


def send_summons(db: Session, who: Principal, document_id: int, progress=None) -> int:  # noqa: ANN001
    """Send each participant their letter (their own, or their commune's) as a notification, and by e-mail with
    the .docx attached where they have an address. Returns how many people were reached."""
    doc = _summons_doc(db, who, document_id)
    course = db.get(Course, doc.course_id)
    ids = [p["trainee_id"] for letter in doc.data["letters"] for p in letter["people"]]
    trainees = {t.id: t for t in db.scalars(select(Trainee).where(Trainee.id.in_(ids)))}
    sent = 0
    total = len(doc.data["letters"])
    for i, letter in enumerate(doc.data["letters"], start=1):
        if progress is not None and i % 10 == 0:
            progress(i, total)
        for p in letter["people"]:
            t = trainees.get(p["trainee_id"])
            if t is None or (t.user_id is None and not t.email):
                continue
            file = letter_file(db, doc, _own(letter, p["trainee_id"]))
            notify(db, t.user_id, f"{course.code}: Giấy triệu tập lớp {course.title}",
                   f"{fields_of(doc)['body']['name_title']} triệu tập {p['salutation']} {p['full_name']} tham dự "
                   f"lớp {course.title}, {doc.data['course']['period']}, tại {doc.data['course']['venue']}. "
                   "Giấy triệu tập kèm theo.", link=f"/my-summons/{doc.id}", email=t.email,
                   attachments=[(file.name, file.media_type, file.content)])
            sent += 1
    doc.sent_at = utcnow()
    db.flush()
    audit.record(db, who, "paperwork.send_summons", "course_document", doc.id, {"reached": sent})
    return sent


def my_letter(db: Session, who: Principal, document_id: int) -> File:
    """A participant's own summons letter; anyone else (or a document that is not a summons) gets 404."""
    mine = people.own_record(db, who, with_place=False)
    doc = db.get(CourseDocument, document_id)
    letter = _letter_for(doc, mine.id) if (doc is not None and mine is not None and doc.kind == "summons") else None
    if letter is None:
        raise NotFound("Không tìm thấy giấy triệu tập.", code="document_not_found")
    return letter_file(db, doc, letter)


# --- templates --------------------------------------------------------------------------------------------------------


def check_template(kind: str, content: bytes) -> None:
    """An uploaded template must render with the documented fields of its kind (docs/paperwork.md), no others."""
    if len(content) > render.MAX_TEMPLATE_BYTES:
        raise Invalid("template_too_large", "Mẫu quá lớn (tối đa 5 MB).", field="file")
    modes = ("person", "commune") if kind == "summons" else ("person",)
    try:
        for mode in modes:
            render.render_docx(content, present.sample(kind, mode), strict=True)
    except render.TemplateError as err:
        raise Invalid("template_invalid", str(err), field="file") from err


def upload_template(db: Session, who: Principal, kind: str, file_name: str, content: bytes) -> DocumentTemplate:
    """Replace the shipped template of a kind for the whole installation (admins only, checked by the route)."""
    if kind not in rules.KINDS:
        raise NotFound("Không có loại giấy tờ này.", code="kind_unknown")
    check_template(kind, content)
    sha = hashlib.sha256(content).hexdigest()
    row = db.get(DocumentTemplate, kind)
    before = row.sha256 if row else None
    if row is None:
        row = DocumentTemplate(kind=kind, content=content, sha256=sha, file_name=file_name[:200],
                               uploaded_by_id=who.user_id)
        db.add(row)
    else:
        row.content, row.sha256, row.file_name = content, sha, file_name[:200]
        row.uploaded_by_id, row.uploaded_at = who.user_id, utcnow()
    db.flush()
    audit.record(db, who, "paperwork.upload_template", "document_template", kind,
                 {"sha256": sha, "before": before, "file_name": file_name[:200]})
    return row


def reset_template(db: Session, who: Principal, kind: str) -> None:
    row = db.get(DocumentTemplate, kind)
    if row is None:
        raise NotFound("Loại giấy tờ này đang dùng mẫu mặc định.", code="template_not_found")
    db.delete(row)
    db.flush()
    audit.record(db, who, "paperwork.reset_template", "document_template", kind, {"before": row.sha256})


def templates(db: Session) -> dict[str, DocumentTemplate | None]:
    rows = {r.kind: r for r in db.scalars(select(DocumentTemplate))}
    return {k: rows.get(k) for k in rules.KINDS}


# --- rates ------------------------------------------------------------------------------------------------------------


def rates(db: Session, course_id: int) -> dict[str, PaymentRate]:
    return {r.kind: r for r in db.scalars(select(PaymentRate).where(PaymentRate.course_id == course_id))}


def set_rate(db: Session, who: Principal, course_id: int, kind: str, per: str, amount: Decimal,
             budget_line_id: int) -> PaymentRate:
    """Set what one person is paid per unit, from one of the course's budget lines."""
    course = managed_course(db, who, course_id)
    line = next((b for b in course.budget_lines if b.id == budget_line_id), None)
    refused = rules.check_rate(kind, per, amount, line.category if line else None)
    if refused:
        field = {"rate_per_invalid": "per", "rate_amount_invalid": "amount"}.get(refused[0].code, "budget_line_id")
        raise Invalid(refused[0].code, " ".join(r.vi for r in refused), field=field)
    row = db.scalar(select(PaymentRate).where(PaymentRate.course_id == course.id, PaymentRate.kind == kind))
    before = {"per": row.per, "amount": row.amount, "line": row.budget_line_id} if row else None
    if row is None:
        row = PaymentRate(course_id=course.id, kind=kind, per=per, amount=Decimal(amount),
                          budget_line_id=budget_line_id)
        db.add(row)
    else:
        row.per, row.amount, row.budget_line_id = per, Decimal(amount), budget_line_id
    db.flush()
    audit.record(db, who, "paperwork.set_rate", "course", course.id,
                 {"kind": kind, "per": per, "amount": amount, "line": budget_line_id, "before": before})
    return row


def remove_rate(db: Session, who: Principal, course_id: int, kind: str) -> None:
    course = managed_course(db, who, course_id)
    row = db.scalar(select(PaymentRate).where(PaymentRate.course_id == course.id, PaymentRate.kind == kind))
    if row is None:
        raise NotFound("Chưa có định mức này.", code="rate_not_found")
    db.delete(row)
    db.flush()
    audit.record(db, who, "paperwork.remove_rate", "course", course.id, {"kind": kind})


def when(dt: datetime) -> str:
    """A moment as people there read it: Việt Nam time."""
    return dt.astimezone(VN).strftime("%d/%m/%Y %H:%M")


# --- personal-data rights ---------------------------------------------------------------------------------------------


def _about(db: Session, t: Trainee) -> tuple[present.Who, list[CourseDocument]]:
    unit = db.get(AdminUnit, t.unit_id) if t.unit_id is not None else None
    who = present.Who(t.id, t.full_name, present.d(t.birth_date), unit.name if unit else "")
    courses_ = select(Enrolment.course_id).where(Enrolment.trainee_id == t.id)
    docs = db.scalars(select(CourseDocument).where(CourseDocument.course_id.in_(courses_))
                      .order_by(CourseDocument.id))
    return who, [doc for doc in docs if present.names(doc.data, who)]


def documents_naming(db: Session, t: Trainee) -> list[CourseDocument]:
    """The generated documents that list the person (for their own copy of their data)."""
    return _about(db, t)[1]


def redact_person(db: Session, t: Trainee, name: str, birth_year: str) -> dict[str, int]:
    """Before a person's record is anonymised: the drafts that list them (documents not yet registered with a
    number) take the anonymous name and only the year of birth; registered documents are the office's signed
    records and stay as signed, as issued certificates do. Returns how many of each."""
    who, docs = _about(db, t)
    redacted = kept = 0
    for doc in docs:
        if doc.number is not None:
            kept += 1
            continue
        doc.data = present.redact(doc.data, who, name, birth_year)
        doc.data_sha256 = _sha(doc.data)
        redacted += 1
    return {"redacted": redacted, "kept_registered": kept}
