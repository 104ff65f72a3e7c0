"""The learning and satisfaction figures of the reports: right averages, small groups hidden, on both databases,
in the API, the page and the workbook."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from app.assessment import report, service
from app.enrolment import service as enrolment
from app.reports import service as reports
from tests.assessment.test_service import _bank, klass  # noqa: F401 - a fixture, shared
from tests.courses.factories import add_trainee, principal
from tests.helpers import api_token, sign_in


def _answer(db, me, test_id: int, answers: dict[int, object]) -> float:
    a = service.start_attempt(db, me, test_id)
    for i, value in answers.items():
        service.save_answer(db, me, a.id, i, value)
    return service.submit_attempt(db, me, a.id).percent


def test_scores_and_satisfaction_by_group(db, klass, client):  # noqa: F811
    who, course = klass["who"], klass["course"]
    people = list(klass["trainees"])
    for i in range(4, 7):  # six participants
        user = klass["make_user"]("trainee")
        enrolment.register(db, who, course.id, add_trainee(db, who, i, user_id=user.id).id)
        people.append(principal(user))
    _, qs = _bank(db, who, course)
    two = tuple(q.id for q in qs[:2])
    pre = service.create_test(db, who, course.id, service.TestSpec(kind="pre", question_ids=two))
    post = service.create_test(db, who, course.id, service.TestSpec(kind="post", question_ids=two))
    for n, me in enumerate(people):
        _answer(db, me, pre.id, {0: 1} if n % 2 else {})  # 50% or 0%
        _answer(db, me, post.id, {0: 1, 1: True})  # 100%
        if n < 5:
            service.submit_evaluation(db, me, course.id, {"content": 4 if n % 2 else 5, "usefulness": 5})
    course.status = "finished"
    db.flush()
    f = reports.make_filters(period="")
    lr = report.learning(db, who, f)
    assert (lr.total.people, lr.total.average_pre, lr.total.average_post, lr.total.average_gain) == (6, 25.0, 100.0,
                                                                                                   75.0)
    assert [(r.key, r.average_post) for r in lr.by_curriculum] == [("CT2", 100.0)]
    assert [r.label for r in lr.by_province] == ["Tỉnh Bắc Ninh"]
    assert lr.satisfaction.responses == 5 and lr.satisfaction.average == 4.8
    # one more group below five is hidden: the pre-test of the only commune of another province would be
    outside = report.learning(db, principal(klass["make_user"]("organiser", unit="01")), f)
    assert outside.total.people == 0 and outside.satisfaction.responses == 0
    # fewer than five: no figures
    small = report._score_row("x", "x", [(10.0, 90.0)] * 4)
    assert (small.people, small.average_pre, small.average_post) == (4, None, None)

    token = api_token(client, klass["who"].username)
    data = client.get("/api/v1/reports/learning?period=", headers={"Authorization": f"Bearer {token}"}).json()
    assert data["scores"]["total"]["average_gain"] == 75.0 and data["satisfaction"]["total"]["average"] == 4.8
    sign_in(client, klass["who"].username)
    page = client.get("/reports/learning?period=")
    assert page.status_code == 200 and "+75" in page.text and "4.80" in page.text
    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx?period=").content))
    sheet = book["Kiểm tra, đánh giá"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Tổng", 6, 25, 100, 75] in values or ["Tổng", 6, 25.0, 100.0, 75.0] in values
