"""Use cases of tests and course evaluations: banks and their import, tests of a course, a trainee's attempt (saved
answer by answer, scored at once), paper scores, the anonymous evaluation and the figures both give.

Who may do what: the course's organisers (and admins) manage its tests and its evaluation; question banks of a
curriculum module belong to admins and to the organisers of the bank's unit; a trainee takes a test of a course they
are seated on and answers its evaluation once. Decisions come from `rules.py`.
"""
from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.assessment import rules, sheet
from app.assessment.models import (
    Attempt,
    CourseTest,
    EvaluationForm,
    EvaluationReceipt,
    EvaluationResponse,
    Question,
    QuestionBank,
)
from app.auth.models import Role
from app.auth.principal import Principal
from app.config import get_settings
from app.courses import service as courses
from app.courses.models import Course, CourseSession, Lecturer
from app.curricula.models import CurriculumVersion
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.enrolment.rules import SEATED  # who takes tests and answers the evaluation
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.people import service as people
from app.people.models import Trainee
from app.people.rules import Reason
from app.places import service as places

MAX_IMPORT_QUESTIONS = 500


# --------------------------------------------------------------------------------------------------------------------
# Question banks
# --------------------------------------------------------------------------------------------------------------------


def _may_manage_bank(db: Session, who: Principal, bank: QuestionBank) -> bool:
    if who.is_admin:
        return True
    if who.role != Role.ORGANISER:
        return False
    if bank.course_id is not None:
        course = db.get(Course, bank.course_id)
        return course is not None and places.is_within(db, course.unit_id, who.unit_id)
    return bank.unit_id is not None and places.is_within(db, bank.unit_id, who.unit_id)


def get_bank(db: Session, who: Principal, bank_id: int) -> QuestionBank:
    """A bank the caller manages, or 404 (its existence is not revealed)."""
    bank = db.get(QuestionBank, bank_id)
    if bank is None or not _may_manage_bank(db, who, bank):
        raise NotFound("Không tìm thấy ngân hàng câu hỏi.", code="bank_not_found")
    return bank


def create_bank(db: Session, who: Principal, *, title: str, curriculum_code: str | None = None,
                module_code: str | None = None, course_id: int | None = None) -> QuestionBank:
    """A bank for a curriculum module (every course of the curriculum may draw from it) or a course's own topics."""
    title = " ".join((title or "").split())
    if not title:
        raise Invalid("title_required", "Cần nhập tên ngân hàng câu hỏi.", field="title")
    if course_id is not None:
        course = courses.get_course(db, who, course_id)
        courses.ensure_may_manage(db, who, course)
        bank = QuestionBank(title=title[:300], course_id=course.id, unit_id=course.unit_id, created_by_id=who.user_id)
    else:
        if not curriculum_code:
            raise Invalid("home_required", "Hãy chọn chương trình (và học phần) hoặc khoá học của ngân hàng câu hỏi.",
                          field="curriculum_code")
        if not (who.is_admin or who.role == Role.ORGANISER):
            raise Forbidden()
        bank = QuestionBank(title=title[:300], curriculum_code=curriculum_code.upper(),
                            module_code=(module_code or None), unit_id=None if who.is_admin else who.unit_id,
                            created_by_id=who.user_id)
    db.add(bank)
    db.flush()
    audit.record(db, who, "question_bank.create", "question_bank", bank.id,
                 {"title": bank.title, "curriculum": bank.curriculum_code, "module": bank.module_code,
                  "course": bank.course_id})
    return bank


def bank_questions(db: Session, who: Principal, bank_id: int) -> tuple[QuestionBank, list[Question]]:
    bank = get_bank(db, who, bank_id)
    return bank, list(db.scalars(select(Question).where(Question.bank_id == bank.id, Question.active)
                                 .order_by(Question.id)))


@dataclass(frozen=True)
class ImportReport:
    added: list[Question]
    errors: list[rules.ParseError]


def import_questions(db: Session, who: Principal, bank_id: int, text: str, fmt: str) -> ImportReport:
    """Questions from a GIFT or Aiken text. All or nothing: one unreadable question imports none, and every problem
    is reported with its line."""
    bank = get_bank(db, who, bank_id)
    parser = {"gift": rules.parse_gift, "aiken": rules.parse_aiken}.get(fmt)
    if parser is None:
        raise Invalid("format_unknown", "Định dạng phải là GIFT hoặc Aiken.", field="format")
    result = parser(text)
    if result.errors:
        return ImportReport([], result.errors)
    if not result.questions:
        raise Invalid("no_questions", "Tệp không có câu hỏi nào.", field="file")
    if len(result.questions) > MAX_IMPORT_QUESTIONS:
        raise Invalid("too_many_questions", f"Mỗi lần nhập tối đa {MAX_IMPORT_QUESTIONS} câu hỏi.", field="file")
    added = [Question(bank_id=bank.id, kind=q.kind.value, body=q.as_dict()) for q in result.questions]
    db.add_all(added)
    db.flush()
    audit.record(db, who, "question_bank.import", "question_bank", bank.id, {"format": fmt, "added": len(added)})
    return ImportReport(added, [])


def import_sheet(db: Session, who: Principal, bank_id: int, content: bytes, filename: str = ""
                 ) -> tuple[list[Question], list]:
    """Questions from the spreadsheet template, all or nothing; the errors by row and column."""
    bank = get_bank(db, who, bank_id)
    questions, errors = sheet.read_questions(content, get_settings().import_max_bytes)
    if errors:
        return [], errors
    if len(questions) > MAX_IMPORT_QUESTIONS:
        raise Invalid("too_many_questions", f"Mỗi lần nhập tối đa {MAX_IMPORT_QUESTIONS} câu hỏi.", field="file")
    added = [Question(bank_id=bank.id, kind=q.kind.value, body=q.as_dict()) for q in questions]
    db.add_all(added)
    db.flush()
    audit.record(db, who, "question_bank.import", "question_bank", bank.id,
                 {"format": "xlsx", "file": filename[:200], "added": len(added)})
    return added, []


def write_question(db: Session, who: Principal, bank_id: int, built: rules.Question | Reason, mark: float = 1.0
                   ) -> Question:
    """A question written in the form (or sent as JSON), or the reason it cannot be one (422)."""
    if not isinstance(built, rules.Question):
        raise Invalid(built.code, built.vi, field="question")
    if not 0 < mark <= 100:
        raise Invalid("mark_invalid", "Điểm của câu hỏi từ trên 0 đến 100.", field="mark")
    return add_question(db, who, bank_id, built, mark)


def add_question(db: Session, who: Principal, bank_id: int, question: rules.Question, mark: float = 1.0) -> Question:
    bank = get_bank(db, who, bank_id)
    q = Question(bank_id=bank.id, kind=question.kind.value, body=question.as_dict(), mark=mark)
    db.add(q)
    db.flush()
    audit.record(db, who, "question.create", "question", q.id, {"bank": bank.id, "kind": q.kind})
    return q


def edit_question(db: Session, who: Principal, question_id: int, question: rules.Question,
                  mark: float | None = None) -> Question:
    """Editing makes a new version; the old one stays for the attempts and tests that used it."""
    old = db.get(Question, question_id)
    if old is None or not old.active:
        raise NotFound("Không tìm thấy câu hỏi.", code="question_not_found")
    get_bank(db, who, old.bank_id)
    old.active = False
    new = Question(bank_id=old.bank_id, kind=question.kind.value, body=question.as_dict(),
                   mark=old.mark if mark is None else mark, version=old.version + 1, previous_id=old.id)
    db.add(new)
    db.flush()
    audit.record(db, who, "question.edit", "question", new.id, {"previous": old.id, "version": new.version})
    return new


# --------------------------------------------------------------------------------------------------------------------
# Tests of a course
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestSpec:
    kind: str = "post"
    title: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_minutes: int | None = None
    max_attempts: int = 1
    draw: str = "fixed"
    draw_count: int | None = None
    question_ids: tuple[int, ...] = ()
    bank_ids: tuple[int, ...] = ()
    one_per_screen: bool = False
    show_after: str = "score"


def _usable_banks(db: Session, who: Principal, course: Course, bank_ids: tuple[int, ...]) -> list[QuestionBank]:
    """Banks a course may draw from: its own, and those of its curriculum's modules."""
    code = db.scalar(select(CurriculumVersion.curriculum_code).where(
        CurriculumVersion.id == course.curriculum_version_id))
    banks = []
    for bank_id in bank_ids:
        bank = db.get(QuestionBank, bank_id)
        ok = bank is not None and (bank.course_id == course.id or (
            bank.course_id is None and bank.curriculum_code == code))
        if not ok:
            raise Invalid("bank_not_usable", f"Ngân hàng câu hỏi {bank_id} không thuộc khoá học hay chương trình "
                          "của khoá học này.", field="bank_ids")
        banks.append(bank)
    return banks


def _check_spec(spec: TestSpec) -> None:
    if spec.kind not in ("pre", "post", "other"):
        raise Invalid("kind_unknown", "Loại bài kiểm tra phải là đầu khoá, cuối khoá hoặc khác.", field="kind")
    if spec.draw not in ("fixed", "random"):
        raise Invalid("draw_unknown", "Cách lấy câu hỏi phải là cố định hoặc ngẫu nhiên.", field="draw")
    if spec.show_after not in ("score", "answers"):
        raise Invalid("show_after_unknown", "Sau khi nộp, học viên xem điểm hoặc xem cả đáp án.", field="show_after")
    if spec.opens_at and spec.closes_at and spec.closes_at <= spec.opens_at:
        raise Invalid("window_invalid", "Thời điểm đóng phải sau thời điểm mở.", field="closes_at")
    if spec.max_attempts < 1 or spec.max_attempts > 20:
        raise Invalid("attempts_invalid", "Số lần làm bài từ 1 đến 20.", field="max_attempts")
    if spec.time_limit_minutes is not None and not 1 <= spec.time_limit_minutes <= 600:
        raise Invalid("time_limit_invalid", "Thời gian làm bài từ 1 đến 600 phút.", field="time_limit_minutes")
    if spec.draw == "random" and not (spec.bank_ids and spec.draw_count and spec.draw_count > 0):
        raise Invalid("draw_needs_banks", "Lấy ngẫu nhiên cần chọn ngân hàng câu hỏi và số câu.", field="draw_count")
    if spec.draw == "fixed" and not spec.question_ids:
        raise Invalid("questions_required", "Hãy chọn ít nhất một câu hỏi.", field="question_ids")


def create_test(db: Session, who: Principal, course_id: int, spec: TestSpec) -> CourseTest:
    """A test of the course, from fixed questions or drawn at random per person from banks."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    _check_spec(spec)
    banks = _usable_banks(db, who, course, spec.bank_ids)
    if spec.draw == "fixed":
        found = list(db.scalars(select(Question).where(Question.id.in_(spec.question_ids), Question.active)))
        _usable_banks(db, who, course, tuple({q.bank_id for q in found}))
        if len(found) != len(set(spec.question_ids)):
            raise Invalid("question_not_found", "Có câu hỏi không tồn tại hoặc đã được sửa thành phiên bản mới.",
                          field="question_ids")
    else:
        available = db.scalar(select(func.count()).select_from(Question).where(
            Question.bank_id.in_([b.id for b in banks]), Question.active)) or 0
        if available < (spec.draw_count or 0):
            raise Invalid("not_enough_questions", f"Các ngân hàng đã chọn chỉ có {available} câu hỏi.",
                          field="draw_count")
    title = " ".join(spec.title.split()) or {"pre": "Kiểm tra đầu khoá", "post": "Kiểm tra cuối khoá"}.get(
        spec.kind, "Bài kiểm tra")
    t = CourseTest(course_id=course.id, kind=spec.kind, title=title[:300], opens_at=spec.opens_at,
                   closes_at=spec.closes_at, time_limit_minutes=spec.time_limit_minutes,
                   max_attempts=spec.max_attempts, draw=spec.draw, draw_count=spec.draw_count,
                   question_ids=list(spec.question_ids), bank_ids=list(spec.bank_ids),
                   one_per_screen=spec.one_per_screen, show_after=spec.show_after, created_by_id=who.user_id)
    db.add(t)
    db.flush()
    audit.record(db, who, "test.create", "course_test", t.id, {"course": course.id, "kind": t.kind,
                                                                "draw": t.draw, "title": t.title})
    return t


def course_tests(db: Session, who: Principal, course_id: int) -> list[CourseTest]:
    course = courses.get_course(db, who, course_id)
    return list(db.scalars(select(CourseTest).where(CourseTest.course_id == course.id).order_by(CourseTest.id)))


def test_course_id(db: Session, test_id: int) -> int:
    return db.scalar(select(CourseTest.course_id).where(CourseTest.id == test_id))


def get_test(db: Session, who: Principal, test_id: int) -> tuple[CourseTest, Course]:
    """A test and its course, or 404 when either is missing or outside what the caller may see."""
    t = db.get(CourseTest, test_id)
    if t is None:
        raise NotFound("Không tìm thấy bài kiểm tra.", code="test_not_found")
    try:
        course = courses.get_course(db, who, t.course_id)
    except NotFound:
        raise NotFound("Không tìm thấy bài kiểm tra.", code="test_not_found") from None
    return t, course


def _seat(db: Session, who: Principal, course_id: int) -> Enrolment:
    t = people.own_record(db, who, with_place=False) if who.role == Role.TRAINEE else None
    e = None if t is None else db.scalar(select(Enrolment).where(Enrolment.course_id == course_id,
                                                                  Enrolment.trainee_id == t.id))
    if e is None or e.status not in SEATED:
        raise Forbidden("Chỉ học viên đã được xác nhận của khoá học mới làm được bài kiểm tra này.",
                        code="not_seated")
    return e


def _draw(db: Session, t: CourseTest, seed: str) -> list[dict]:
    if t.draw == "fixed":
        rows = {q.id: q for q in db.scalars(select(Question).where(Question.id.in_(t.question_ids)))}
        chosen = [rows[i] for i in t.question_ids if i in rows]
    else:
        pool = list(db.scalars(select(Question).where(Question.bank_id.in_(t.bank_ids), Question.active)
                               .order_by(Question.id)))
        chosen = random.Random(seed).sample(pool, min(t.draw_count or 0, len(pool)))  # noqa: S311 - not security
    return [{"id": q.id, "mark": q.mark, "body": q.body} for q in chosen]


def start_attempt(db: Session, who: Principal, test_id: int, now: datetime | None = None) -> Attempt:
    """Open (or resume) the trainee's attempt: the questions are fixed for it when it starts, so a dropped
    connection or a reload shows the same ones with the answers saved so far."""
    now = now or utcnow()
    t, course = get_test(db, who, test_id)
    e = _seat(db, who, course.id)
    open_one = db.scalar(select(Attempt).where(Attempt.test_id == t.id, Attempt.enrolment_id == e.id,
                                               Attempt.submitted_at.is_(None)))
    if open_one is not None:
        if open_one.deadline_at and now > open_one.deadline_at:
            _submit(db, open_one, open_one.deadline_at)
        else:
            return open_one
    if t.opens_at and now < t.opens_at:
        raise Conflict("test_not_open", "Bài kiểm tra chưa mở.")
    if t.closes_at and now >= t.closes_at:
        raise Conflict("test_closed", "Bài kiểm tra đã đóng.")
    done = db.scalar(select(func.count()).select_from(Attempt).where(Attempt.test_id == t.id,
                                                                     Attempt.enrolment_id == e.id)) or 0
    if done >= t.max_attempts:
        raise Conflict("no_attempts_left", f"Bạn đã làm đủ {t.max_attempts} lần cho phép.")
    questions = _draw(db, t, f"{t.id}:{e.id}:{done + 1}")
    deadline = now + timedelta(minutes=t.time_limit_minutes) if t.time_limit_minutes else None
    if t.closes_at and (deadline is None or deadline > t.closes_at):
        deadline = t.closes_at
    a = Attempt(test_id=t.id, enrolment_id=e.id, number=done + 1, questions=questions,
                answers=[None] * len(questions), started_at=now, deadline_at=deadline)
    db.add(a)
    db.flush()
    audit.record(db, who, "test.start", "test_attempt", a.id, {"test": t.id, "number": a.number})
    return a


def _own_attempt(db: Session, who: Principal, attempt_id: int) -> Attempt:
    a = db.get(Attempt, attempt_id)
    if a is None:
        raise NotFound("Không tìm thấy bài làm.", code="attempt_not_found")
    t = db.get(CourseTest, a.test_id)
    e = _seat(db, who, t.course_id) if who.role == Role.TRAINEE else None
    if e is None or e.id != a.enrolment_id:
        raise NotFound("Không tìm thấy bài làm.", code="attempt_not_found")
    return a


def save_answer(db: Session, who: Principal, attempt_id: int, index: int, answer: object,
                now: datetime | None = None) -> Attempt:
    """Save one answer as the trainee gives it (idempotent: the same answer twice changes nothing)."""
    now = now or utcnow()
    a = _own_attempt(db, who, attempt_id)
    if a.submitted_at is not None:
        raise Conflict("attempt_submitted", "Bài làm đã nộp, không sửa được nữa.")
    if a.deadline_at and now > a.deadline_at:
        _submit(db, a, a.deadline_at)
        raise Conflict("attempt_time_up", "Đã hết giờ làm bài; bài làm đã được nộp với các câu đã lưu.")
    if not 0 <= index < len(a.questions):
        raise Invalid("question_index", "Câu hỏi không có trong bài làm.", field="index")
    answers = list(a.answers)
    answers[index] = answer
    a.answers = answers
    db.flush()
    return a


def _submit(db: Session, a: Attempt, at: datetime) -> None:
    questions = [rules.Question.from_dict(q["body"]) for q in a.questions]
    marks = [float(q["mark"]) for q in a.questions]
    answers = [_as_response(q, r) for q, r in zip(questions, a.answers, strict=True)]
    a.points = rules.grade(questions, answers, marks)
    a.total = sum(marks)
    a.percent = rules.percent(a.points, a.total)
    a.submitted_at = at
    db.flush()


def _as_response(q: rules.Question, raw: object) -> object:
    """Answers arrive from forms and JSON: lists for multiple choice, indices for single choice, bools, text."""
    if q.kind is rules.Kind.MULTIPLE and isinstance(raw, list):
        return set(raw)
    return raw


def submit_attempt(db: Session, who: Principal, attempt_id: int, now: datetime | None = None) -> Attempt:
    """Hand in: scored at once."""
    now = now or utcnow()
    a = _own_attempt(db, who, attempt_id)
    if a.submitted_at is None:
        _submit(db, a, min(now, a.deadline_at) if a.deadline_at else now)
        audit.record(db, who, "test.submit", "test_attempt", a.id, {"percent": a.percent})
    return a


@dataclass(frozen=True)
class AttemptView:
    attempt: Attempt
    test: CourseTest
    questions: list[rules.Question]
    show_answers: bool
    fractions: list[float] | None  # each question's score once handed in


def attempt_view(db: Session, who: Principal, attempt_id: int) -> AttemptView:
    a = _own_attempt(db, who, attempt_id)
    t = db.get(CourseTest, a.test_id)
    questions = [rules.Question.from_dict(q["body"]) for q in a.questions]
    fractions = None if a.submitted_at is None else [
        rules.score(q, _as_response(q, r)) for q, r in zip(questions, a.answers, strict=True)]
    return AttemptView(a, t, questions, show_answers=a.submitted_at is not None and t.show_after == "answers",
                       fractions=fractions)


def set_score_rule(db: Session, who: Principal, course_id: int, percent: float | None) -> Course:
    """Completion may require a post-test score (Circular 03/2023/TT-BNV, Art. 6: attending and passing the
    course's tests); None removes the requirement. Results already recorded are recomputed by "Chốt kết quả"."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    if course.status in ("closed", "cancelled"):
        raise Conflict("course_frozen", "Khoá học đã đóng hoặc đã huỷ nên không sửa được nữa.")
    if percent is not None and not 0 < percent <= 100:
        raise Invalid("percent_invalid", "Điểm tối thiểu phải lớn hơn 0% và không quá 100%.",
                      field="post_test_min_percent")
    before = course.post_test_min_percent
    if before != percent:
        course.post_test_min_percent = percent
        course.assessment_required = percent is not None or course.assessment_required
        db.flush()
        audit.record(db, who, "course.score_rule", "course", course.id, {"post_test_min_percent": [before, percent]})
    return course


# --------------------------------------------------------------------------------------------------------------------
# Figures: scores per course
# --------------------------------------------------------------------------------------------------------------------


def best_percent(db: Session, enrolment_ids: list[int], kind: str) -> dict[int, float]:
    """Each enrolment's best submitted score on the course's tests of one kind (pre or post)."""
    if not enrolment_ids:
        return {}
    rows = db.execute(select(Attempt.enrolment_id, func.max(Attempt.percent))
                      .join(CourseTest, CourseTest.id == Attempt.test_id)
                      .where(Attempt.enrolment_id.in_(enrolment_ids), CourseTest.kind == kind,
                             Attempt.submitted_at.is_not(None)).group_by(Attempt.enrolment_id))
    return {e: float(p) for e, p in rows if p is not None}


@dataclass(frozen=True)
class PersonScores:
    name: str
    status: str
    pre: float | None
    post: float | None


def person_scores(db: Session, who: Principal, course_id: int) -> list[PersonScores]:
    """Each participant's best pre- and post-test score, for the course's organisers."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    rows = list(db.execute(select(Enrolment.id, Trainee.full_name, Enrolment.status)
                           .join(Trainee, Trainee.id == Enrolment.trainee_id)
                           .where(Enrolment.course_id == course.id, Enrolment.status.in_(SEATED))
                           .order_by(Trainee.search_name)))
    ids = [r[0] for r in rows]
    pre, post = best_percent(db, ids, "pre"), best_percent(db, ids, "post")
    return [PersonScores(name, status, pre.get(eid), post.get(eid)) for eid, name, status in rows]


@dataclass(frozen=True)
class ScoreSummary:
    takers_pre: int
    takers_post: int
    average_pre: float | None
    average_post: float | None
    average_gain: float | None  # over those who took both


def course_scores(db: Session, who: Principal, course_id: int) -> ScoreSummary:
    """Average pre- and post-test scores of a course and the average gain of those who took both."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    ids = list(db.scalars(select(Enrolment.id).where(Enrolment.course_id == course.id)))
    pre, post = best_percent(db, ids, "pre"), best_percent(db, ids, "post")
    both = [post[e] - pre[e] for e in pre.keys() & post.keys()]

    def avg(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return ScoreSummary(len(pre), len(post), avg(list(pre.values())), avg(list(post.values())), avg(both))


# --------------------------------------------------------------------------------------------------------------------
# The course evaluation (phiếu đánh giá khoá học): anonymous by construction
# --------------------------------------------------------------------------------------------------------------------

DEFAULT_ITEMS = (
    ("content", "Nội dung khoá học phù hợp với công việc", "The content suits my work"),
    ("organisation", "Công tác tổ chức lớp học", "How the course was organised"),
    ("materials", "Tài liệu học tập", "The training materials"),
    ("usefulness", "Mức độ áp dụng được vào công việc", "How much I can apply at work"),
)


def _lecturers(db: Session, course_id: int) -> list[Lecturer]:
    return list(db.scalars(select(Lecturer).join(CourseSession, CourseSession.lecturer_id == Lecturer.id)
                           .where(CourseSession.course_id == course_id).distinct().order_by(Lecturer.id)))


def default_items(db: Session, course_id: int) -> list[dict]:
    """The default questionnaire: content, each lecturer, organisation, materials, usefulness, open comments."""
    items = [{"key": k, "kind": "likert", "vi": vi, "en": en} for k, vi, en in DEFAULT_ITEMS[:1]]
    items += [{"key": f"lecturer-{lec.id}", "kind": "likert", "lecturer_id": lec.id,
               "vi": f"Giảng viên {lec.full_name}", "en": f"Lecturer {lec.full_name}"}
              for lec in _lecturers(db, course_id)]
    items += [{"key": k, "kind": "likert", "vi": vi, "en": en} for k, vi, en in DEFAULT_ITEMS[1:]]
    items.append({"key": "comments", "kind": "text", "vi": "Ý kiến khác", "en": "Other comments"})
    return items


def evaluation_form(db: Session, who: Principal, course_id: int) -> EvaluationForm:
    """The course's questionnaire, made from the default the first time it is asked for by its organiser."""
    course = courses.get_course(db, who, course_id)
    form = db.scalar(select(EvaluationForm).where(EvaluationForm.course_id == course.id))
    if form is None:
        courses.ensure_may_manage(db, who, course)
        form = EvaluationForm(course_id=course.id, items=default_items(db, course.id))
        db.add(form)
        db.flush()
        audit.record(db, who, "evaluation.create", "evaluation_form", form.id, {"course": course.id})
    return form


def set_evaluation_items(db: Session, who: Principal, course_id: int, items: list[dict]) -> EvaluationForm:
    """Adjust the questionnaire; refused once anyone has answered (the answers would no longer match)."""
    form = evaluation_form(db, who, course_id)
    courses.ensure_may_manage(db, who, courses.get_course(db, who, course_id))
    if db.scalar(select(func.count()).select_from(EvaluationReceipt).where(EvaluationReceipt.form_id == form.id)):
        raise Conflict("evaluation_answered", "Đã có học viên trả lời phiếu: không sửa được câu hỏi nữa.")
    clean, keys = [], set()
    for item in items:
        key, kind, vi = str(item.get("key", "")).strip(), item.get("kind"), " ".join(str(item.get("vi", "")).split())
        if not key or key in keys or kind not in ("likert", "text") or not vi:
            raise Invalid("item_invalid", "Mỗi câu hỏi cần mã riêng, loại (thang 1–5 hoặc ý kiến) và nội dung.",
                          field="items")
        keys.add(key)
        clean.append({k: v for k, v in {"key": key, "kind": kind, "vi": vi[:300],
                                         "en": str(item.get("en", ""))[:300],
                                         "lecturer_id": item.get("lecturer_id")}.items() if v is not None})
    if not clean:
        raise Invalid("items_required", "Phiếu cần ít nhất một câu hỏi.", field="items")
    form.items = clean
    db.flush()
    audit.record(db, who, "evaluation.edit", "evaluation_form", form.id, {"items": len(clean)})
    return form


def submit_evaluation(db: Session, who: Principal, course_id: int, answers: dict) -> None:
    """One anonymous response per participant. The receipt says only that this person answered; the response has
    a random key, no person, no time; the audit event names the course, never the response."""
    course = courses.get_course(db, who, course_id)
    e = _seat(db, who, course.id)
    form = _form_or_default(db, course.id)
    if form.id is None:  # nobody adjusted the questionnaire: the default one is kept from the first answer on
        db.add(form)
        db.flush()
    if form.closes_at and utcnow() >= form.closes_at:
        raise Conflict("evaluation_closed", "Phiếu đánh giá đã đóng.")
    clean = {}
    for item in form.items:
        value = answers.get(item["key"])
        if value in (None, ""):
            continue
        if item["kind"] == "likert":
            if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5):
                raise Invalid("likert_range", f"“{item['vi']}”: chọn mức từ 1 đến 5.", field=item["key"])
        else:
            value = " ".join(str(value).split())[:2000]
        clean[item["key"]] = value
    if not clean:
        raise Invalid("evaluation_empty", "Hãy trả lời ít nhất một câu.", field="answers")
    if db.get(EvaluationReceipt, (form.id, e.id)) is not None:
        raise Conflict("evaluation_done", "Bạn đã gửi phiếu đánh giá cho khoá học này.")
    db.add(EvaluationReceipt(form_id=form.id, enrolment_id=e.id))
    db.flush()  # the primary key refuses a second receipt from a concurrent request before the response is written
    db.add(EvaluationResponse(key=secrets.token_hex(16), form_id=form.id, answers=clean))
    db.flush()
    audit.record(db, who, "evaluation.submit", "course", course.id)


@dataclass(frozen=True)
class ItemResult:
    key: str
    vi: str
    en: str
    responses: int
    average: float | None  # hidden (None) below rules.MIN_GROUP responses
    distribution: dict[int, int] | None


@dataclass(frozen=True)
class EvaluationResults:
    course_id: int
    responses: int
    shown: bool  # False below rules.MIN_GROUP responses: nothing but the count is shown
    items: list[ItemResult]
    comments: list[str]


def evaluation_results(db: Session, who: Principal, course_id: int) -> EvaluationResults:
    """The course's results for its organisers: averages and distributions per item; nothing below five
    responses, and the comments in random order."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    form = db.scalar(select(EvaluationForm).where(EvaluationForm.course_id == course.id))
    rows = [] if form is None else list(db.scalars(select(EvaluationResponse.answers)
                                                   .where(EvaluationResponse.form_id == form.id)))
    shown = len(rows) >= rules.MIN_GROUP
    items, comments = [], []
    for item in (form.items if form else []):
        values = [r[item["key"]] for r in rows if item["key"] in r]
        if item["kind"] == "text":
            comments += values
            continue
        dist: dict[int, int] = defaultdict(int)
        for v in values:
            dist[int(v)] += 1
        ok = shown and len(values) >= rules.MIN_GROUP
        items.append(ItemResult(item["key"], item["vi"], item.get("en", ""), len(values),
                                round(sum(values) / len(values), 2) if ok else None,
                                {k: dist.get(k, 0) for k in range(1, 6)} if ok else None))
    random.SystemRandom().shuffle(comments)
    return EvaluationResults(course.id, len(rows), shown, items, comments if shown else [])


# --------------------------------------------------------------------------------------------------------------------
# Lists for the pages
# --------------------------------------------------------------------------------------------------------------------


def managed_banks(db: Session, who: Principal) -> list[tuple[QuestionBank, int]]:
    """The banks the caller manages, with their number of questions."""
    counts = dict(db.execute(select(Question.bank_id, func.count()).where(Question.active)
                             .group_by(Question.bank_id)).all())
    banks = [b for b in db.scalars(select(QuestionBank).order_by(QuestionBank.curriculum_code, QuestionBank.id))
             if _may_manage_bank(db, who, b)]
    return [(b, counts.get(b.id, 0)) for b in banks]


def banks_for_course(db: Session, who: Principal, course_id: int) -> list[tuple[QuestionBank, list[Question]]]:
    """The banks a course's test may draw from (its own, its curriculum's), with their questions."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    code = db.scalar(select(CurriculumVersion.curriculum_code).where(
        CurriculumVersion.id == course.curriculum_version_id))
    banks = list(db.scalars(select(QuestionBank).where(
        (QuestionBank.course_id == course.id) | ((QuestionBank.course_id.is_(None))
                                                 & (QuestionBank.curriculum_code == code))).order_by(QuestionBank.id)))
    questions: dict[int, list[Question]] = defaultdict(list)
    for q in db.scalars(select(Question).where(Question.bank_id.in_([b.id for b in banks]), Question.active)
                        .order_by(Question.id)):
        questions[q.bank_id].append(q)
    return [(b, questions[b.id]) for b in banks]


@dataclass(frozen=True)
class MyTest:
    test: CourseTest
    attempts: list[Attempt]
    open_attempt: Attempt | None
    may_start: bool
    why_not: str


def my_tests(db: Session, who: Principal, course_id: int, now: datetime | None = None) -> list[MyTest]:
    """The course's tests as the trainee sees them: scores so far, and whether (and why not) they may start."""
    now = now or utcnow()
    course = courses.get_course(db, who, course_id)
    e = _seat(db, who, course.id)
    out = []
    for t in db.scalars(select(CourseTest).where(CourseTest.course_id == course.id).order_by(CourseTest.id)):
        attempts = list(db.scalars(select(Attempt).where(Attempt.test_id == t.id, Attempt.enrolment_id == e.id)
                                   .order_by(Attempt.number)))
        open_one = next((a for a in attempts if a.submitted_at is None), None)
        why = ""
        if open_one is None:
            if t.opens_at and now < t.opens_at:
                why = "Bài kiểm tra chưa mở."
            elif t.closes_at and now >= t.closes_at:
                why = "Bài kiểm tra đã đóng."
            elif len(attempts) >= t.max_attempts:
                why = f"Bạn đã làm đủ {t.max_attempts} lần cho phép."
        out.append(MyTest(t, attempts, open_one, not why, why))
    return out


def evaluation_state(db: Session, who: Principal, course_id: int) -> tuple[EvaluationForm, bool]:
    """The course's questionnaire for a participant, and whether they have answered it."""
    course = courses.get_course(db, who, course_id)
    e = _seat(db, who, course.id)
    form = _form_or_default(db, course.id)
    done = form.id is not None and db.get(EvaluationReceipt, (form.id, e.id)) is not None
    return form, done


def _form_or_default(db: Session, course_id: int) -> EvaluationForm:
    form = db.scalar(select(EvaluationForm).where(EvaluationForm.course_id == course_id))
    return form if form is not None else EvaluationForm(course_id=course_id, items=default_items(db, course_id))


def read_answer(kind: str, values: list[str]) -> object:
    """An answer as a page form sends it (strings) in the shape scoring reads; unreadable parts count as no answer."""
    values = [v.strip() for v in values if v is not None and v.strip()]
    if not values:
        return None
    if kind == rules.Kind.SHORT:
        return values[0][:500]
    if kind == rules.Kind.TRUE_FALSE:
        return {"true": True, "false": False}.get(values[0].lower())
    numbers = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 4]
    if kind == rules.Kind.MULTIPLE:
        return sorted(set(numbers)) or None
    return numbers[0] if numbers else None


def submit_with_answers(db: Session, who: Principal, attempt_id: int, answers: dict[int, list[str]],
                        now: datetime | None = None) -> Attempt:
    """The page's plain form (no script): every answer given at once, then handed in."""
    a = _own_attempt(db, who, attempt_id)
    if a.submitted_at is None and answers:
        saved = list(a.answers)
        for index, values in answers.items():
            if 0 <= index < len(a.questions):
                value = read_answer(a.questions[index]["body"]["kind"], values)
                if value is not None:
                    saved[index] = value
        if not (a.deadline_at and (now or utcnow()) > a.deadline_at):
            a.answers = saved
            db.flush()
    return submit_attempt(db, who, attempt_id, now)
