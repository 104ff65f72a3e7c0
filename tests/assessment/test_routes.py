"""The pages and the API of tests and evaluations, called as people call them (signed in through the sign-in page
with the CSRF token; the API with a bearer token), each state change leaving its audit event (tests/audit)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.assessment.models import Attempt, CourseTest, EvaluationResponse, Question
from app.enrolment import service as enrolment
from tests.assessment.test_service import GIFT, klass  # noqa: F401 - a fixture, shared
from tests.audit.test_every_route import trail  # noqa: F401 - a fixture, shared
from tests.courses.factories import add_trainee, principal


def _organiser_builds_a_test(org, course_id: int) -> tuple[int, list[int]]:  # noqa: ANN001
    made = org.page("/question-banks", action="question_bank.create", entity="question_bank",
                    data={"title": "Câu hỏi CT2 – học phần 1", "curriculum": "ct2"})
    bank_id = int(made.event.entity_id)
    org.page("/question-banks/{bank_id}/import", bank_id=bank_id, action="question_bank.import",
             entity="question_bank", entity_id=bank_id, data={"format": "gift", "text": GIFT})
    page = org.get(f"/question-banks/{bank_id}")
    assert page.status_code == 200 and "Bộ Văn hóa, Thể thao và Du lịch" in page.text
    ids = [int(x) for x in __import__("re").findall(r'name="question_ids" value="(\d+)"',
                                                   org.get(f"/courses/{course_id}/tests").text)]
    org.page("/courses/{course_id}/tests", course_id=course_id, action="test.create", entity="course_test",
             data={"kind": "post", "question_ids": [str(i) for i in ids], "time_limit_minutes": "15",
                   "max_attempts": "1", "show_after": "answers"})
    return bank_id, ids


def test_a_course_test_through_the_pages(trail, db, klass):  # noqa: F811
    org = trail.person(klass["who"].username)
    course_id = klass["course"].id
    _, ids = _organiser_builds_a_test(org, course_id)
    assert len(ids) == 4
    test_id = db.scalar(select(CourseTest.id).where(CourseTest.course_id == course_id))
    me = trail.person(klass["trainees"][0].username)
    tab = me.get(f"/courses/{course_id}/tests")
    assert tab.status_code == 200 and "Làm bài" in tab.text
    started = me.page("/tests/{test_id}/start", test_id=test_id, action="test.start", entity="test_attempt")
    attempt_id = int(started.event.entity_id)
    assert started.response.headers["location"] == f"/attempts/{attempt_id}"
    page = me.get(f"/attempts/{attempt_id}")
    assert page.status_code == 200 and 'name="q0"' in page.text
    assert "✓" not in page.text  # the right answers are not in the page before handing in
    # the script saves one answer (JSON with the CSRF header), then the plain form hands in the rest
    saved = me.client.post(f"/attempts/{attempt_id}/answers/0", json={"answer": 1},
                           headers={"X-CSRF-Token": me.client.cookies.get("nangluc_csrf")})
    assert saved.status_code == 200 and saved.json() == {"saved": 0, "answers": 1}

    def not_json(person) -> tuple[int, dict]:  # noqa: ANN001
        r = person.client.post(f"/attempts/{attempt_id}/answers/0", content=b"{not json", headers={
            "X-CSRF-Token": person.client.cookies.get("nangluc_csrf"), "Accept": "application/json"})
        return r.status_code, r.json()
    assert not_json(me) == (422, {"detail": "Câu trả lời phải gửi dạng JSON.", "code": "json_required"})
    assert not_json(org) == (403, {"detail": "Bạn không có quyền thực hiện thao tác này.", "code": "forbidden"})
    me.page("/attempts/{attempt_id}/submit", attempt_id=attempt_id, action="test.submit", entity="test_attempt",
            data={"q1": "true", "q2": "TTCS", "q3": ["0", "1"]})
    a = db.get(Attempt, attempt_id)
    db.refresh(a)
    assert a.percent == 100.0 and a.answers == [1, True, "TTCS", [0, 1]]
    done = me.get(f"/attempts/{attempt_id}")
    assert "Điểm: 100%" in done.text and "Đáp án được chấp nhận" in done.text
    assert "100%" in org.get(f"/courses/{course_id}/tests").text


def test_the_api_hides_right_answers_from_the_trainee_until_shown(trail, db, klass):  # noqa: F811
    org = trail.person(klass["who"].username)
    course_id = klass["course"].id
    bank = org.api("POST", "/api/v1/question-banks", action="question_bank.create", entity="question_bank",
                   json={"title": "Ngân hàng API", "curriculum": "CT2"}, status=201).response.json()
    bad = org.get  # a refused import names each line and imports nothing
    r = org.client.post(f"/api/v1/question-banks/{bank['id']}/import", headers=org.bearer,
                        json={"format": "aiken", "text": "Câu?\nA. Có\nANSWER: B\n"})
    assert r.status_code == 422 and r.json()["code"] == "import_invalid" and r.json()["errors"][0]["line"] == 1
    assert db.scalar(select(func.count()).select_from(Question).where(Question.bank_id == bank["id"])) == 0
    org.api("POST", "/api/v1/question-banks/{bank_id}/import", bank_id=bank["id"], action="question_bank.import",
            entity="question_bank", json={"format": "gift", "text": GIFT}, status=201)
    qids = [q["id"] for q in bad(f"/api/v1/question-banks/{bank['id']}", api=True).json()["questions"]]
    test = org.api("POST", "/api/v1/courses/{course_id}/tests", course_id=course_id, action="test.create",
                   entity="course_test", json={"kind": "pre", "question_ids": qids}, status=201).response.json()
    me = trail.person(klass["trainees"][1].username)
    a = me.api("POST", "/api/v1/tests/{test_id}/attempts", test_id=test["id"], action="test.start",
               entity="test_attempt", status=201).response.json()
    assert all(o["weight"] is None for q in a["questions"] for o in q["options"])
    assert a["questions"][1]["answer"] is None and a["questions"][2]["options"] == []
    r = me.client.put(f"/api/v1/attempts/{a['id']}/answers/1", json={"answer": False}, headers=me.bearer)
    assert r.status_code == 200 and r.json()["answers"][1] is False
    r = me.client.put(f"/api/v1/attempts/{a['id']}/answers/9", json={"answer": False}, headers=me.bearer)
    assert r.status_code == 422 and r.json()["code"] == "question_index"
    out = me.api("POST", "/api/v1/attempts/{attempt_id}/submit", attempt_id=a["id"], action="test.submit",
                 entity="test_attempt").response.json()
    assert out["percent"] == 0.0 and all(o["weight"] is None for q in out["questions"] for o in q["options"])
    scores = org.get(f"/api/v1/courses/{course_id}/scores", api=True).json()
    assert scores == {"takers_pre": 1, "takers_post": 0, "average_pre": 0.0, "average_post": None,
                      "average_gain": None}
    # another organiser's province: the bank does not exist for them
    assert trail.person(klass["make_user"]("organiser", unit="01").username).get(
        f"/api/v1/question-banks/{bank['id']}", api=True).status_code == 404


def test_the_evaluation_through_the_pages_and_the_api(trail, db, klass):  # noqa: F811
    org = trail.person(klass["who"].username)
    course_id = klass["course"].id
    items = org.get(f"/api/v1/courses/{course_id}/evaluation", api=True).json()["items"]
    items.insert(1, {"key": "venue", "kind": "likert", "vi": "Hội trường, chỗ ở", "en": "Venue"})
    org.api("PUT", "/api/v1/courses/{course_id}/evaluation", course_id=course_id, action="evaluation.edit",
            entity="evaluation_form", json={"items": items})
    people = list(klass["trainees"])
    for i in range(4, 6):
        user = klass["make_user"]("trainee")
        t = add_trainee(db, klass["who"], i, user_id=user.id)
        enrolment.register(db, klass["who"], course_id, t.id)
        people.append(principal(user))
    for n, p in enumerate(people):
        me = trail.person(p.username)
        if n % 2:
            me.api("POST", "/api/v1/courses/{course_id}/evaluation/responses", course_id=course_id,
                   action="evaluation.submit", entity="course", json={"answers": {"content": 5, "venue": 3}},
                   status=204)
        else:
            form = me.get(f"/courses/{course_id}/evaluation")
            assert "Hội trường, chỗ ở" in form.text
            me.page("/courses/{course_id}/evaluation", course_id=course_id, action="evaluation.submit",
                    entity="course", data={"content": "4", "venue": "2", "comments": "Nên có thêm thực hành"})
        if n == 3:
            hidden = org.get(f"/courses/{course_id}/evaluation")
            assert "từ 5 phiếu trở lên" in hidden.text and "Nên có thêm" not in hidden.text
    again = trail.person(people[0].username).client.post(
        f"/api/v1/courses/{course_id}/evaluation/responses", json={"answers": {"content": 1}},
        headers=trail.person(people[0].username).bearer)
    assert again.status_code == 409
    assert db.scalar(select(func.count()).select_from(EvaluationResponse)) == 5
    results = org.get(f"/api/v1/courses/{course_id}/evaluation/results", api=True).json()
    content = next(i for i in results["items"] if i["key"] == "content")
    assert results["shown"] and content["average"] == 4.4 and results["comments"] == ["Nên có thêm thực hành"] * 3
    page = org.get(f"/courses/{course_id}/evaluation")
    assert "4.40" in page.text and "Nên có thêm thực hành" in page.text


def test_paper_scores_and_the_score_rule(trail, db, klass):  # noqa: F811
    import io

    from openpyxl import Workbook, load_workbook

    org = trail.person(klass["who"].username)
    course_id = klass["course"].id
    org.page("/courses/{course_id}/score-rule", course_id=course_id, action="course.score_rule", entity="course",
             entity_id=course_id, data={"percent": "60"})
    csrf = org.client.cookies.get("nangluc_csrf")
    bad = org.client.post(f"/courses/{course_id}/score-rule", data={"percent": "²0", "csrf_token": csrf})
    assert bad.status_code == 422 and "từ 1 đến 100" in bad.text
    org.api("PUT", "/api/v1/courses/{course_id}/score-rule", course_id=course_id, action="course.score_rule",
            entity="course", json={"post_test_min_percent": 70})
    _, ids = _organiser_builds_a_test(org, course_id)
    test_id = db.scalar(select(CourseTest.id).where(CourseTest.course_id == course_id))
    template = org.get(f"/tests/{test_id}/paper-template.xlsx")
    sheet = load_workbook(io.BytesIO(template.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert len(rows) == 3 and all(r[2] is None for r in rows)

    def xlsx(scores: list) -> bytes:  # noqa: ANN001
        wb = Workbook()
        wb.active.append(["Số CCCD", "Họ và tên", "Điểm (%)"])
        for row, score in zip(rows, scores, strict=True):
            wb.active.append([row[0], row[1], score])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    csrf = org.client.cookies.get("nangluc_csrf")
    refused = org.client.post(f"/tests/{test_id}/paper", data={"csrf_token": csrf},
                              files={"file": ("diem.xlsx", xlsx(["85", "110", "7,5"]), "application/octet-stream")})
    assert refused.status_code == 422 and "Dòng 3" in refused.text and "ngoài khoảng 0–100" in refused.text
    assert db.scalar(select(func.count()).select_from(Attempt)) == 0  # all or nothing
    org.page("/tests/{test_id}/paper", test_id=test_id, action="test.paper_import", entity="course_test",
             entity_id=test_id, files={"file": ("diem.xlsx", xlsx(["85", "65,5", None]), "application/octet-stream")})
    r = org.client.post(f"/api/v1/tests/{test_id}/paper-scores?dry_run=false", headers=org.bearer,
                        files={"file": ("diem.xlsx", xlsx(["90", None, None]), "application/octet-stream")})
    assert r.status_code == 200 and r.json()["scores"] == 1
    assert db.scalar(select(func.count()).select_from(Attempt)) == 2  # the re-import corrected, not duplicated
    from app.assessment import service
    from app.enrolment.models import Enrolment
    ids = list(db.scalars(select(Enrolment.id).where(Enrolment.course_id == course_id)))
    assert sorted(service.best_percent(db, ids, "post").values()) == [65.5, 90.0]


def test_questions_written_in_the_page_and_from_a_sheet(trail, db, klass):  # noqa: F811
    import io

    from openpyxl import load_workbook

    org = trail.person(klass["who"].username)
    bank_id = int(org.page("/question-banks", action="question_bank.create", entity="question_bank",
                           data={"title": "Viết tay", "curriculum": "CT2"}).event.entity_id)
    refused = org.client.post(f"/question-banks/{bank_id}/questions", data={
        "csrf_token": org.client.cookies.get("nangluc_csrf"), "kind": "single", "text": "Thủ đô?",
        "option_0": "Hà Nội", "option_1": "Huế"})
    assert refused.status_code == 422 and "đánh dấu phương án đúng" in refused.text
    assert 'value="Hà Nội"' in refused.text  # what was typed is kept
    org.page("/question-banks/{bank_id}/questions", bank_id=bank_id, action="question.create", entity="question",
             data={"kind": "single", "text": "Thủ đô?", "option_0": "Hà Nội", "option_1": "Huế", "right": "0"})
    org.api("POST", "/api/v1/question-banks/{bank_id}/questions", bank_id=bank_id, action="question.create",
            entity="question", status=201, json={"kind": "true_false", "text": "Đúng không?", "answer": True})
    template = org.get("/question-banks/template.xlsx")
    wb = load_workbook(io.BytesIO(template.content))
    wb.active.append(["Một đáp án", "Tỉnh nào sáp nhập với Bắc Giang?", "Bắc Ninh", "Lạng Sơn", None, None, None,
                      None, "A"])
    out = io.BytesIO()
    wb.save(out)
    org.page("/question-banks/{bank_id}/import", bank_id=bank_id, action="question_bank.import",
             entity="question_bank", data={"format": "xlsx"},
             files={"file": ("cau-hoi.xlsx", out.getvalue(), "application/octet-stream")})
    r = org.client.post(f"/api/v1/question-banks/{bank_id}/import-sheet", headers=org.bearer,
                        files={"file": ("cau-hoi.xlsx", out.getvalue(), "application/octet-stream")})
    assert r.status_code == 201 and r.json()["added"] == 1
    org.trail.check("POST", "/api/v1/question-banks/{bank_id}/import-sheet", lambda: org.client.post(
        f"/api/v1/question-banks/{bank_id}/import-sheet", headers=org.bearer,
        files={"file": ("cau-hoi.xlsx", out.getvalue(), "application/octet-stream")}),
        action="question_bank.import", entity="question_bank", status=201)
    texts = [q["text"] for q in org.get(f"/api/v1/question-banks/{bank_id}", api=True).json()["questions"]]
    assert texts[:3] == ["Thủ đô?", "Đúng không?", "Tỉnh nào sáp nhập với Bắc Giang?"] and len(texts) == 5
