"""Tests of a course taken by its trainees (saved answer by answer, scored at once) and the anonymous evaluation,
on both databases."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from app.assessment import rules, service
from app.assessment.models import Attempt, EvaluationResponse
from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.curricula import service as curricula
from app.db import utcnow
from app.enrolment import service as enrolment
from app.errors import Conflict, Forbidden, Invalid, NotFound
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.certificates.test_issue import finished  # noqa: F401 - a fixture, shared
from tests.courses.factories import add_trainee, open_course, principal

GIFT = """::Q1::Cơ quan nào quản lý thông tin cơ sở từ năm 2025?{
~Bộ Thông tin và Truyền thông
=Bộ Văn hóa, Thể thao và Du lịch
~Bộ Nội vụ}

Đài truyền thanh xã phát tin bằng tiếng dân tộc khi cần.{T}

Viết tắt của "thông tin cơ sở" trong văn bản là?{=TTCS =%50%TT cơ sở}

Những việc nào thuộc nhiệm vụ của đài truyền thanh xã?{
~%50%Phát tin của xã
~%50%Tiếp âm đài tỉnh
~%-100%Quảng cáo thương mại}
"""


@pytest.fixture
def klass(db, make_user):
    """An open CT2 course in Bắc Ninh with three confirmed officials, each with an account."""
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    who = principal(organiser)
    course = open_course(db, who, capacity=10, title="Lớp kiểm tra")
    trainees = []
    for i in range(1, 4):
        user = make_user("trainee")
        t = add_trainee(db, who, i, user_id=user.id)
        enrolment.register(db, who, course.id, t.id)
        trainees.append(principal(user))
    return {"who": who, "course": course, "trainees": trainees, "make_user": make_user}


def _bank(db, who, course):
    bank = service.create_bank(db, who, title="Câu hỏi CT2", curriculum_code="CT2")
    report = service.import_questions(db, who, bank.id, GIFT, "gift")
    assert report.errors == [] and len(report.added) == 4
    return bank, report.added


def test_a_trainee_takes_a_test_answer_by_answer_and_is_scored_at_once(db, klass):
    who, course, me = klass["who"], klass["course"], klass["trainees"][0]
    bank, qs = _bank(db, who, course)
    test = service.create_test(db, who, course.id, service.TestSpec(
        kind="post", question_ids=tuple(q.id for q in qs), time_limit_minutes=20, show_after="answers"))
    a = service.start_attempt(db, me, test.id)
    assert len(a.questions) == 4 and a.answers == [None] * 4
    service.save_answer(db, me, a.id, 0, 1)
    service.save_answer(db, me, a.id, 1, True)
    # a dropped connection: starting again resumes the same attempt with what was saved
    again = service.start_attempt(db, me, test.id)
    assert again.id == a.id and again.answers[:2] == [1, True]
    service.save_answer(db, me, a.id, 2, "  ttcs ")
    service.save_answer(db, me, a.id, 3, [0])
    done = service.submit_attempt(db, me, a.id)
    assert (done.points, done.total, done.percent) == (3.5, 4.0, 87.5)
    view = service.attempt_view(db, me, a.id)
    assert view.show_answers
    with pytest.raises(Conflict) as e:
        service.save_answer(db, me, a.id, 0, 0)
    assert e.value.code == "attempt_submitted"
    with pytest.raises(Conflict) as e:
        service.start_attempt(db, me, test.id)
    assert e.value.code == "no_attempts_left"
    assert service.course_scores(db, who, course.id).average_post == 87.5


def test_time_limit_submits_what_was_saved(db, klass):
    who, course, me = klass["who"], klass["course"], klass["trainees"][1]
    _, qs = _bank(db, who, course)
    test = service.create_test(db, who, course.id, service.TestSpec(
        kind="pre", question_ids=tuple(q.id for q in qs), time_limit_minutes=10))
    start = utcnow()
    a = service.start_attempt(db, me, test.id, now=start)
    service.save_answer(db, me, a.id, 0, 1, now=start + timedelta(minutes=2))
    with pytest.raises(Conflict) as e:
        service.save_answer(db, me, a.id, 1, True, now=start + timedelta(minutes=11))
    assert e.value.code == "attempt_time_up"
    db.refresh(a)
    assert a.submitted_at is not None and a.points == 1.0 and a.answers[1] is None


def test_random_draw_is_fixed_per_attempt_and_differs_between_people(db, klass):
    who, course = klass["who"], klass["course"]
    bank = service.create_bank(db, who, title="Ngân hàng lớn", curriculum_code="CT2")
    many = "\n\n".join(f"Câu số {i}?{{=đúng{i} ~sai}}" for i in range(40))
    service.import_questions(db, who, bank.id, many, "gift")
    test = service.create_test(db, who, course.id, service.TestSpec(kind="post", draw="random", draw_count=5,
                                                                    bank_ids=(bank.id,)))
    drawn = []
    for me in klass["trainees"]:
        a = service.start_attempt(db, me, test.id)
        assert service.start_attempt(db, me, test.id).questions == a.questions
        drawn.append(tuple(q["id"] for q in a.questions))
    assert all(len(set(d)) == 5 for d in drawn) and len(set(drawn)) > 1


def test_refusals_change_nothing_and_say_why(db, klass):
    who, course = klass["who"], klass["course"]
    bank = service.create_bank(db, who, title="B", curriculum_code="CT2")
    report = service.import_questions(db, who, bank.id, "Đúng?{T}\n\nGhép.{=a -> b =c -> d}", "gift")
    assert report.added == [] and report.errors[0].line == 3
    assert service.bank_questions(db, who, bank.id)[1] == []  # all or nothing
    with pytest.raises(Invalid) as e:
        service.create_test(db, who, course.id, service.TestSpec(kind="post", draw="random", draw_count=3,
                                                                 bank_ids=(bank.id,)))
    assert e.value.code == "not_enough_questions"
    outsider = principal(klass["make_user"]("trainee"))
    _, qs = _bank(db, who, course)
    test = service.create_test(db, who, course.id, service.TestSpec(kind="post", question_ids=(qs[0].id,)))
    with pytest.raises(Forbidden):
        service.start_attempt(db, outsider, test.id)
    a = service.start_attempt(db, klass["trainees"][0], test.id)
    with pytest.raises(NotFound):  # someone else's attempt does not exist for them
        service.save_answer(db, klass["trainees"][1], a.id, 0, 1)
    other_org = principal(klass["make_user"]("organiser", unit="01"))
    with pytest.raises(NotFound):
        service.get_bank(db, other_org, bank.id)


def test_editing_a_question_keeps_what_an_attempt_showed(db, klass):
    who, course, me = klass["who"], klass["course"], klass["trainees"][0]
    _, qs = _bank(db, who, course)
    test = service.create_test(db, who, course.id, service.TestSpec(kind="post", question_ids=(qs[1].id,)))
    a = service.start_attempt(db, me, test.id)
    new = service.edit_question(db, who, qs[1].id, rules.parse_gift("Câu đã sửa.{F}").questions[0])
    assert new.version == 2
    assert a.questions[0]["body"]["text"] == "Đài truyền thanh xã phát tin bằng tiếng dân tộc khi cần."
    service.save_answer(db, me, a.id, 0, True)
    assert service.submit_attempt(db, me, a.id).percent == 100.0


def test_evaluation_is_anonymous_and_small_groups_are_hidden(db, klass):
    who, course = klass["who"], klass["course"]
    form = service.evaluation_form(db, who, course.id)
    keys = [i["key"] for i in form.items]
    assert keys[0] == "content" and keys[-1] == "comments"
    people = list(klass["trainees"])
    for i in range(4, 7):  # six participants in all
        user = klass["make_user"]("trainee")
        t = add_trainee(db, who, i, user_id=user.id)
        enrolment.register(db, who, course.id, t.id)
        people.append(principal(user))
    for n, me in enumerate(people[:4]):
        service.submit_evaluation(db, me, course.id, {"content": 4 + n % 2, "usefulness": 5,
                                                      "comments": f"Góp ý số {n}"})
    with pytest.raises(Conflict) as e:
        service.submit_evaluation(db, people[0], course.id, {"content": 1})
    assert e.value.code == "evaluation_done"
    with pytest.raises(Invalid):
        service.submit_evaluation(db, people[4], course.id, {"content": 9})
    hidden = service.evaluation_results(db, who, course.id)
    assert hidden.responses == 4 and not hidden.shown and hidden.comments == []
    assert all(item.average is None for item in hidden.items)
    service.submit_evaluation(db, people[4], course.id, {"content": 5, "usefulness": 4})
    shown = service.evaluation_results(db, who, course.id)
    content = next(i for i in shown.items if i.key == "content")
    assert shown.shown and content.average == 4.6 and content.distribution == {1: 0, 2: 0, 3: 0, 4: 2, 5: 3}
    assert sorted(shown.comments) == [f"Góp ý số {n}" for n in range(4)]

    # No row anywhere links a response to a person: every column of every table that holds a response or an event
    # is searched for the participants' enrolment, trainee and user ids and names.
    responses = list(db.scalars(select(EvaluationResponse)))
    assert {c.name for c in inspect(EvaluationResponse).columns} == {"key", "form_id", "answers"}
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "evaluation.submit")))
    assert len(events) == 5
    for ev in events:
        assert ev.entity_type == "course" and not ev.changes
        blob = json.dumps([ev.changes, ev.note, ev.entity_id])
        assert all(r.key not in blob for r in responses)
    for r in responses:
        blob = json.dumps(r.answers, ensure_ascii=False)
        for me in people:
            assert me.username not in blob and me.full_name not in blob
    if db.bind.dialect.name == "sqlite":  # no rowid that would give the order of insertion
        with pytest.raises(Exception):  # noqa: B017, PT011
            db.execute(text("SELECT rowid FROM evaluation_response")).all()


def test_the_best_of_several_attempts_counts(db, klass):
    who, course, me = klass["who"], klass["course"], klass["trainees"][2]
    _, qs = _bank(db, who, course)
    test = service.create_test(db, who, course.id, service.TestSpec(kind="post", question_ids=(qs[0].id,),
                                                                    max_attempts=2))
    a = service.start_attempt(db, me, test.id)
    service.submit_attempt(db, me, a.id)
    b = service.start_attempt(db, me, test.id)
    service.save_answer(db, me, b.id, 0, 1)
    service.submit_attempt(db, me, b.id)
    e_id = db.scalar(select(Attempt.enrolment_id).where(Attempt.id == a.id))
    assert service.best_percent(db, [e_id], "post") == {e_id: 100.0}


def test_completion_can_require_a_post_test_score_and_says_so(db, klass):
    from app.attendance import service as attendance
    from app.courses import service as courses
    from app.courses import sessions
    from app.enrolment.models import Enrolment

    who, course = klass["who"], courses.get_course(db, klass["who"], klass["course"].id)
    sessions.add_session(db, who, course.id, sessions.SessionInput(
        session_date=course.start_date, part_of_day="morning", start_time=None, end_time=None,
        module_ids=[course.modules[0].id], lecturer_id=None, room="Phòng 1", online_link=None))
    session_id = attendance.grid(db, who, course.id).sessions[0].id
    enrolments = list(db.scalars(select(Enrolment).where(Enrolment.course_id == course.id).order_by(Enrolment.id)))
    attendance.record_marks(db, who, course.id, [{"session_id": session_id, "enrolment_id": e.id,
                                                   "status": "present"} for e in enrolments])
    with pytest.raises(Invalid):
        service.set_score_rule(db, who, course.id, 120)
    service.set_score_rule(db, who, course.id, 70)
    _, qs = _bank(db, who, course)
    test = service.create_test(db, who, course.id, service.TestSpec(kind="post", question_ids=(qs[0].id, qs[1].id)))
    first, second, third = klass["trainees"]
    a = service.start_attempt(db, first, test.id)  # both right: 100%
    service.save_answer(db, first, a.id, 0, 1)
    service.save_answer(db, first, a.id, 1, True)
    service.submit_attempt(db, first, a.id)
    b = service.start_attempt(db, second, test.id)  # one right: 50%
    service.save_answer(db, second, b.id, 0, 1)
    service.submit_attempt(db, second, b.id)
    # the third took no test
    results = {e.id: c for e, _, c in attendance.completion_list(db, who, course.id)}
    by_order = [results[e.id] for e in enrolments]
    assert [c.completed for c in by_order] == [True, False, False]
    assert by_order[1].reason_vi == "Điểm bài kiểm tra cuối khoá 50%, chưa đạt mức 70%."
    assert by_order[2].reason_vi.startswith("Chưa làm bài kiểm tra cuối khoá")
    service.set_score_rule(db, who, course.id, 50)
    assert [c.completed for _, _, c in attendance.completion_list(db, who, course.id)].count(True) == 2


def test_a_certificate_prints_the_post_test_result_when_the_course_requires_one(db, finished):  # noqa: F811
    import io

    from pypdf import PdfReader

    from app.assessment.models import Attempt, CourseTest
    from app.certificates import service as certificates

    course, who = finished["course"], finished["who"]
    test = CourseTest(course_id=course.id, kind="post", title="Kiểm tra cuối khoá", question_ids=[])
    db.add(test)
    db.flush()
    holder = finished["holder_enrolment"]
    db.add(Attempt(test_id=test.id, enrolment_id=holder.id, number=1, source="paper", points=90.0, total=100.0,
                   percent=90.0, submitted_at=utcnow(), questions=[], answers=[]))
    course.post_test_min_percent = 70.0
    db.flush()
    issued = certificates.issue(db, who, course.id).issued
    by_enrolment = {c.enrolment_id: c for c in issued}
    assert by_enrolment[holder.id].data["result"] == "Đạt (điểm kiểm tra cuối khoá 90%)"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(
        certificates.pdf_bytes(by_enrolment[holder.id], db))).pages)
    assert "Đạt (điểm kiểm tra cuối khoá 90%)" in text
    others = [c for c in issued if c.enrolment_id != holder.id]
    assert others and all(c.data["result"] == "Hoàn thành" for c in others)  # no score on record: as before
