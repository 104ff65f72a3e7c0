"""What the API and the pages show of banks, tests and attempts: one place, so both say the same thing. A trainee
never sees which option is right before the test shows answers."""
from __future__ import annotations

from app.assessment import rules
from app.assessment.models import Attempt, CourseTest, Question, QuestionBank
from app.assessment.schemas import AttemptOut, BankOut, OptionOut, QuestionOut, TestOut

KIND_LABELS = {"single": ("Một đáp án đúng", "Single choice"), "multiple": ("Nhiều đáp án đúng", "Multiple choice"),
               "true_false": ("Đúng/Sai", "True/false"), "short": ("Trả lời ngắn", "Short answer")}
TEST_KIND_LABELS = {"pre": ("Kiểm tra đầu khoá", "Pre-course test"), "post": ("Kiểm tra cuối khoá", "Post-course test"),
                    "other": ("Bài kiểm tra", "CourseTest")}


def question_out(q: rules.Question, *, id_: int, mark: float, version: int = 1, reveal: bool = True) -> QuestionOut:
    options = [] if q.kind is rules.Kind.SHORT and not reveal else [
        OptionOut(text=o.text, weight=o.weight if reveal else None, feedback=o.feedback if reveal else "")
        for o in q.options]
    return QuestionOut(id=id_, kind=q.kind.value, text=q.text, mark=mark, version=version, options=options,
                       answer=q.answer if reveal else None)


def stored_question_out(q: Question) -> QuestionOut:
    return question_out(rules.Question.from_dict(q.body), id_=q.id, mark=q.mark, version=q.version)


def bank_out(bank: QuestionBank, questions: list[Question]) -> BankOut:
    return BankOut(id=bank.id, title=bank.title, curriculum=bank.curriculum_code, module=bank.module_code,
                   course_id=bank.course_id, questions=[stored_question_out(q) for q in questions])


def test_out(t: CourseTest) -> TestOut:
    return TestOut(id=t.id, course_id=t.course_id, kind=t.kind, title=t.title, opens_at=t.opens_at,
                   closes_at=t.closes_at, time_limit_minutes=t.time_limit_minutes, max_attempts=t.max_attempts,
                   draw=t.draw, draw_count=t.draw_count,
                   questions=t.draw_count if t.draw == "random" else len(t.question_ids),
                   one_per_screen=t.one_per_screen, show_after=t.show_after)


def attempt_out(a: Attempt, show_answers: bool) -> AttemptOut:
    questions = [question_out(rules.Question.from_dict(q["body"]), id_=q["id"], mark=q["mark"], reveal=show_answers)
                 for q in a.questions]
    return AttemptOut(id=a.id, test_id=a.test_id, number=a.number, started_at=a.started_at,
                      deadline_at=a.deadline_at, submitted_at=a.submitted_at, questions=questions,
                      answers=list(a.answers), points=a.points, total=a.total, percent=a.percent)
