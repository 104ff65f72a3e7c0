"""JSON API of tests and course evaluations: banks and their import, a course's tests, a trainee's attempt, scores,
the evaluation's questionnaire, answers and results."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from app.assessment import paper, present, rules, service, sheet
from app.assessment.schemas import (
    AnswerIn,
    AttemptOut,
    BankCreate,
    BankOut,
    EvaluationAnswers,
    EvaluationFormOut,
    EvaluationItems,
    EvaluationResultsOut,
    ImportOut,
    QuestionCreate,
    QuestionImport,
    QuestionOut,
    ScoreRule,
    ScoresOut,
    TestCreate,
    TestOut,
)
from app.auth.models import Role
from app.auth.permissions import SignedIn, Staff, allow
from app.auth.principal import Principal
from app.config import get_settings
from app.core.files import XLSX
from app.db import DbSession, Route

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["tests and evaluation"])
Trainee = Annotated[Principal, Depends(allow(Role.TRAINEE))]


@router.post("/question-banks", response_model=BankOut, status_code=201)
def create_bank(body: BankCreate, db: DbSession, who: Staff) -> BankOut:
    bank = service.create_bank(db, who, title=body.title, curriculum_code=body.curriculum, module_code=body.module,
                               course_id=body.course_id)
    return present.bank_out(bank, [])


@router.get("/question-banks/template.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def questions_template(_: Staff) -> Response:
    """The spreadsheet template for questions (Loại, Câu hỏi, A–F, Đáp án), its example row marked."""
    return Response(sheet.template_xlsx(), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="mau-cau-hoi.xlsx"'})


@router.get("/question-banks/{bank_id}", response_model=BankOut)
def get_bank(bank_id: int, db: DbSession, who: Staff) -> BankOut:
    return present.bank_out(*service.bank_questions(db, who, bank_id))


@router.post("/question-banks/{bank_id}/import", response_model=ImportOut, status_code=201,
             responses={422: {"description": "no question imported: every problem with its line"}})
def import_questions(bank_id: int, body: QuestionImport, db: DbSession, who: Staff) -> ImportOut | JSONResponse:
    report = service.import_questions(db, who, bank_id, body.text, body.format)
    out = ImportOut(added=len(report.added), errors=[{"line": e.line, "message": e.vi, "message_en": e.en}
                                                     for e in report.errors])
    if report.errors:
        return JSONResponse({"detail": "Tệp có câu hỏi không đọc được; chưa nhập câu nào.", "code": "import_invalid",
                             "field": "text", "errors": out.model_dump()["errors"]}, status_code=422)
    return out


@router.post("/question-banks/{bank_id}/questions", response_model=QuestionOut, status_code=201)
def add_question(bank_id: int, body: QuestionCreate, db: DbSession, who: Staff) -> QuestionOut:
    built = rules.build_question(body.kind, body.text, [(o.text, o.right) for o in body.options], body.answer,
                                 body.accepted)
    return present.stored_question_out(service.write_question(db, who, bank_id, built, body.mark))


@router.post("/question-banks/{bank_id}/import-sheet", status_code=201,
             responses={422: {"description": "errors by row; nothing imported"}})
def import_sheet(bank_id: int, db: DbSession, who: Staff, file: Annotated[UploadFile, File()]) -> JSONResponse:
    content = file.file.read(get_settings().import_max_bytes + 1)
    added, errors = service.import_sheet(db, who, bank_id, content, file.filename or "")
    if errors:
        return JSONResponse({"detail": "Tệp có dòng không đọc được; chưa nhập câu nào.", "code": "import_invalid",
                             "field": "file", "errors": [e.as_dict() for e in errors]}, status_code=422)
    return JSONResponse({"added": len(added), "errors": []}, status_code=201)


@router.get("/courses/{course_id}/tests", response_model=list[TestOut])
def course_tests(course_id: int, db: DbSession, who: SignedIn) -> list[TestOut]:
    return [present.test_out(t) for t in service.course_tests(db, who, course_id)]


@router.post("/courses/{course_id}/tests", response_model=TestOut, status_code=201)
def create_test(course_id: int, body: TestCreate, db: DbSession, who: Staff) -> TestOut:
    spec = service.TestSpec(**{**body.model_dump(), "question_ids": tuple(body.question_ids),
                               "bank_ids": tuple(body.bank_ids)})
    return present.test_out(service.create_test(db, who, course_id, spec))


@router.get("/courses/{course_id}/scores", response_model=ScoresOut)
def course_scores(course_id: int, db: DbSession, who: Staff) -> ScoresOut:
    s = service.course_scores(db, who, course_id)
    return ScoresOut(**s.__dict__)


@router.put("/courses/{course_id}/score-rule", response_model=ScoreRule)
def set_score_rule(course_id: int, body: ScoreRule, db: DbSession, who: Staff) -> ScoreRule:
    course = service.set_score_rule(db, who, course_id, body.post_test_min_percent)
    return ScoreRule(post_test_min_percent=course.post_test_min_percent)


@router.get("/tests/{test_id}/paper-template.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def paper_template(test_id: int, db: DbSession, who: Staff) -> Response:
    """The course's participants with their paper scores so far, to fill in."""
    return Response(paper.template_xlsx(db, who, test_id), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="diem-kiem-tra-{test_id}.xlsx"'})


@router.post("/tests/{test_id}/paper-scores", responses={422: {"description": "errors by row; nothing recorded"}})
def paper_scores(test_id: int, db: DbSession, who: Staff, file: Annotated[UploadFile, File()],
                 dry_run: Annotated[bool, Query()] = True) -> JSONResponse:
    """Scores of a test taken on paper from an .xlsx/.csv (Số CCCD, Điểm (%), optional Họ và tên); all or nothing."""
    content = file.file.read(get_settings().import_max_bytes + 1)
    report = paper.import_scores(db, who, test_id, content, dry_run=dry_run, filename=file.filename or "")
    return JSONResponse(report.as_dict(), status_code=422 if report.errors else 200)


@router.post("/tests/{test_id}/attempts", response_model=AttemptOut, status_code=201)
def start_attempt(test_id: int, db: DbSession, who: Trainee) -> AttemptOut:
    """Start the trainee's attempt, or resume the open one (same questions, saved answers)."""
    a = service.start_attempt(db, who, test_id)
    return present.attempt_out(a, show_answers=False)


@router.get("/attempts/{attempt_id}", response_model=AttemptOut)
def get_attempt(attempt_id: int, db: DbSession, who: Trainee) -> AttemptOut:
    v = service.attempt_view(db, who, attempt_id)
    return present.attempt_out(v.attempt, v.show_answers)


@router.put("/attempts/{attempt_id}/answers/{index}", response_model=AttemptOut)
def save_answer(attempt_id: int, index: int, body: AnswerIn, db: DbSession, who: Trainee) -> AttemptOut:
    a = service.save_answer(db, who, attempt_id, index, body.answer)
    return present.attempt_out(a, show_answers=False)


@router.post("/attempts/{attempt_id}/submit", response_model=AttemptOut)
def submit_attempt(attempt_id: int, db: DbSession, who: Trainee) -> AttemptOut:
    service.submit_attempt(db, who, attempt_id)
    v = service.attempt_view(db, who, attempt_id)
    return present.attempt_out(v.attempt, v.show_answers)


@router.get("/courses/{course_id}/evaluation", response_model=EvaluationFormOut)
def evaluation_form(course_id: int, db: DbSession, who: SignedIn) -> EvaluationFormOut:
    form = service.evaluation_form(db, who, course_id)
    return EvaluationFormOut(course_id=form.course_id, items=form.items, closes_at=form.closes_at)


@router.put("/courses/{course_id}/evaluation", response_model=EvaluationFormOut)
def set_evaluation(course_id: int, body: EvaluationItems, db: DbSession, who: Staff) -> EvaluationFormOut:
    form = service.set_evaluation_items(db, who, course_id, [i.model_dump() for i in body.items])
    return EvaluationFormOut(course_id=form.course_id, items=form.items, closes_at=form.closes_at)


@router.post("/courses/{course_id}/evaluation/responses", status_code=204)
def answer_evaluation(course_id: int, body: EvaluationAnswers, db: DbSession, who: Trainee) -> None:
    service.submit_evaluation(db, who, course_id, body.answers)


@router.get("/courses/{course_id}/evaluation/results", response_model=EvaluationResultsOut)
def evaluation_results(course_id: int, db: DbSession, who: Staff) -> EvaluationResultsOut:
    r = service.evaluation_results(db, who, course_id)
    return EvaluationResultsOut(course_id=r.course_id, responses=r.responses, shown=r.shown,
                                items=[i.__dict__ for i in r.items], comments=r.comments)
