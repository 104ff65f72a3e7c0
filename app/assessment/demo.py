"""The demo's tests and evaluations: a question bank per demo curriculum, a pre- and post-test on each demo course,
and on the finished course the scores and evaluations a province would see in its report."""
from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessment import rules, service
from app.assessment.models import (
    Attempt,
    CourseTest,
    EvaluationForm,
    EvaluationReceipt,
    EvaluationResponse,
    Question,
    QuestionBank,
)
from app.courses.models import Course
from app.curricula.models import CurriculumVersion
from app.enrolment.models import Enrolment

QUESTIONS = """::Cơ quan quản lý::Từ năm 2025, cơ quan nào quản lý nhà nước về thông tin cơ sở?{
~Bộ Thông tin và Truyền thông
=Bộ Văn hóa, Thể thao và Du lịch
~Bộ Nội vụ}

::Đài truyền thanh::Đài truyền thanh cấp xã được phát bằng tiếng dân tộc thiểu số khi cần thiết.{T}

::Nhiệm vụ::Những việc nào là nhiệm vụ của đài truyền thanh cấp xã?{
~%50%Phát tin, bài của xã
~%50%Tiếp âm chương trình của đài cấp trên
~%-100%Phát quảng cáo thương mại}

::Viết tắt::Trong văn bản, "thông tin cơ sở" thường viết tắt là gì?{=TTCS =T.T.C.S}

::Bảng tin::Bảng tin công cộng là một kênh thông tin cơ sở.{T}

::Tin giả::Khi phát hiện tin giả trên mạng xã hội, cán bộ thông tin cơ sở nên làm gì trước tiên?{
~Chia sẻ ngay để mọi người cảnh giác
=Kiểm chứng nguồn tin và báo cáo cơ quan có thẩm quyền
~Im lặng}
"""


def load_demo_tests(db: Session) -> bool:
    """Create the demo's banks and tests once; returns False when they exist."""
    if db.scalar(select(QuestionBank.id).limit(1)) is not None:
        return False
    rng = random.Random(2026)  # noqa: S311 - demo figures, not security
    parsed = rules.parse_gift(QUESTIONS).questions
    courses = list(db.execute(select(Course, CurriculumVersion.curriculum_code)
                              .join(CurriculumVersion, CurriculumVersion.id == Course.curriculum_version_id)
                              .order_by(Course.id)))
    banks: dict[str, list[Question]] = {}
    for course, code in courses:
        if code not in banks:
            bank = QuestionBank(title=f"{code} – câu hỏi mẫu", curriculum_code=code, unit_id=course.unit_id)
            db.add(bank)
            db.flush()
            banks[code] = [Question(bank_id=bank.id, kind=q.kind.value, body=q.as_dict()) for q in parsed]
            db.add_all(banks[code])
            db.flush()
        ids = [q.id for q in banks[code]]
        tests = {kind: CourseTest(course_id=course.id, kind=kind, title=title, question_ids=ids, time_limit_minutes=15,
                                  show_after="answers" if kind == "post" else "score")
                 for kind, title in (("pre", "Kiểm tra đầu khoá"), ("post", "Kiểm tra cuối khoá"))}
        db.add_all(tests.values())
        db.flush()
        if course.status != "finished":
            continue
        seated = list(db.scalars(select(Enrolment).where(Enrolment.course_id == course.id)))
        for e in seated:  # as if the class took both tests on paper
            for kind, low, high in (("pre", 30, 70), ("post", 65, 100)):
                score = float(rng.randrange(low, high, 5))
                db.add(Attempt(test_id=tests[kind].id, enrolment_id=e.id, number=1, source="paper", points=score,
                               total=100.0, percent=score, submitted_at=course.updated_at,
                               started_at=course.updated_at))
        form = EvaluationForm(course_id=course.id, items=service.default_items(db, course.id))
        db.add(form)
        db.flush()
        for e in seated[:9]:
            db.add(EvaluationReceipt(form_id=form.id, enrolment_id=e.id))
            answers = {i["key"]: rng.choice((3, 4, 4, 5, 5)) for i in form.items if i["kind"] == "likert"}
            if rng.random() < 0.4:
                answers["comments"] = rng.choice(("Cần thêm thời gian thực hành.", "Tài liệu dễ hiểu.",
                                                  "Nên tổ chức thêm lớp ở xã."))
            db.add(EvaluationResponse(key=f"{rng.getrandbits(128):032x}", form_id=form.id, answers=answers))
    db.flush()
    return True
