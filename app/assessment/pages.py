"""Pages of tests and course evaluations: the course's "Kiểm tra" tab (organisers manage tests and read scores,
trainees take them), question banks and their import, the attempt page, the evaluation form and its results."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.assessment import paper, present, rules, service, sheet
from app.auth.models import Role
from app.auth.permissions import SignedIn, Staff, allow
from app.auth.principal import Principal
from app.config import get_settings
from app.core.files import XLSX
from app.courses import service as courses
from app.courses.present import course_tab
from app.db import DbSession, Route
from app.errors import DomainError, Forbidden, Invalid
from app.web import NOT_JSON, PostedForm, PostedJson, form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
Trainee = Annotated[Principal, Depends(allow(Role.TRAINEE))]
CONTEXT = {"kind_labels": present.KIND_LABELS, "test_kind_labels": present.TEST_KIND_LABELS}


def _int(raw: str | None, field: str, *, required: bool = False) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise Invalid("required", "Cần nhập số.", field=field)
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise Invalid("not_a_number", "Hãy nhập một số nguyên (chữ số 0–9).", field=field)
    return int(raw)


# --- the course's tab ------------------------------------------------------------------------------------------------


def _tab(request: Request, db: DbSession, who: Principal, course_id: int, *, error: DomainError | None = None,
         values: dict | None = None, **extra: object) -> HTMLResponse:
    course = courses.get_course(db, who, course_id)
    ctx = {**course_tab(db, who, course), **CONTEXT, "tab": "tests", "error": error, "values": values or {}, **extra}
    status = error.status if error else (422 if extra.get("paper_report") else 200)
    if ctx["may_manage"]:
        ctx |= {"tests": service.course_tests(db, who, course_id),
                "banks": service.banks_for_course(db, who, course_id),
                "scores": service.course_scores(db, who, course_id),
                "people": service.person_scores(db, who, course_id),
                "evaluation": service.evaluation_results(db, who, course_id)}
    elif who.role == Role.TRAINEE:
        try:
            ctx |= {"mine": service.my_tests(db, who, course_id),
                    "evaluated": service.evaluation_state(db, who, course_id)[1]}
        except Forbidden as err:  # the course is visible, its tests are not: say why inside the course's page
            ctx |= {"denied": err}
    else:
        ctx |= {"tests": service.course_tests(db, who, course_id)}
    return render(request, "assessment/course.html", ctx, status_code=status)


@router.get("/courses/{course_id}/tests")
def course_tests(course_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return _tab(request, db, who, course_id)


@router.post("/courses/{course_id}/tests")
def create_test(course_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    values = {k: form.get(k) for k in form}
    with form_action(db) as refused:
        spec = service.TestSpec(
            kind=str(form.get("kind") or "post"), title=str(form.get("title") or ""),
            time_limit_minutes=_int(form.get("time_limit_minutes"), "time_limit_minutes"),
            max_attempts=_int(form.get("max_attempts"), "max_attempts") or 1,
            draw=str(form.get("draw") or "fixed"), draw_count=_int(form.get("draw_count"), "draw_count"),
            question_ids=tuple(_int(v, "question_ids", required=True) for v in form.getlist("question_ids")),
            bank_ids=tuple(_int(v, "bank_ids", required=True) for v in form.getlist("bank_ids")),
            one_per_screen=form.get("one_per_screen") == "on", show_after=str(form.get("show_after") or "score"))
        service.create_test(db, who, course_id, spec)
    if refused:
        err = refused.error
        return _tab(request, db, who, course_id, error=err, values=values)
    return redirect(f"/courses/{course_id}/tests", "Đã tạo bài kiểm tra.")


@router.post("/courses/{course_id}/score-rule")
def set_score_rule(course_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    raw = str(form.get("percent") or "").strip().replace(",", ".").rstrip("%").strip()
    with form_action(db) as refused:
        if raw and not (raw.replace(".", "", 1).isascii() and raw.replace(".", "", 1).isdigit()):
            raise Invalid("percent_invalid", "Điểm tối thiểu phải là một số từ 1 đến 100.",
                          field="post_test_min_percent")
        service.set_score_rule(db, who, course_id, float(raw) if raw else None)
    if refused:
        err = refused.error
        return _tab(request, db, who, course_id, error=err)
    return redirect(f"/courses/{course_id}/tests", "Đã lưu điều kiện hoàn thành.")


@router.get("/tests/{test_id}/paper-template.xlsx")
def paper_template(test_id: int, db: DbSession, who: Staff) -> Response:
    return Response(paper.template_xlsx(db, who, test_id), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="diem-kiem-tra-{test_id}.xlsx"'})


@router.post("/tests/{test_id}/paper")
def paper_upload(test_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    """Scores of a paper test: imported at once when every row is right, otherwise nothing and the errors by row."""
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise Invalid("file_required", "Hãy chọn tệp điểm (.xlsx hoặc .csv).", field="file")
    content = upload.file.read(get_settings().import_max_bytes + 1)
    report = paper.import_scores(db, who, test_id, content, dry_run=False, filename=upload.filename)
    course_id = service.test_course_id(db, test_id)
    if report.errors:
        return _tab(request, db, who, course_id, paper_report=report, paper_test=test_id)
    return redirect(f"/courses/{course_id}/tests", f"Đã nhập điểm giấy của {report.scores} người.")


# --- question banks --------------------------------------------------------------------------------------------------


@router.get("/question-banks")
def banks_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return render(request, "assessment/banks.html", {"banks": service.managed_banks(db, who), "values": {}})


@router.post("/question-banks")
def create_bank(request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    with form_action(db) as refused:
        bank = service.create_bank(db, who, title=str(form.get("title") or ""),
                                   curriculum_code=str(form.get("curriculum") or "") or None,
                                   module_code=str(form.get("module") or "") or None,
                                   course_id=_int(form.get("course_id"), "course_id"))
    if refused:
        err = refused.error
        return render(request, "assessment/banks.html", {"banks": service.managed_banks(db, who), "error": err,
                                                         "values": dict(form)}, status_code=err.status)
    return redirect(f"/question-banks/{bank.id}", "Đã tạo ngân hàng câu hỏi.")


def _bank_page(request: Request, db: DbSession, who: Principal, bank_id: int, **extra: object) -> HTMLResponse:
    bank, questions = service.bank_questions(db, who, bank_id)
    error = extra.get("error")
    return render(request, "assessment/bank.html",
                  {**CONTEXT, "bank": bank, "questions": [present.stored_question_out(q) for q in questions],
                   "values": {}, "question": {}, "max_options": rules.MAX_OPTIONS, **extra},
                  status_code=error.status if isinstance(error, DomainError) else 200)


@router.get("/question-banks/template.xlsx")
def questions_template(_: Staff) -> Response:
    return Response(sheet.template_xlsx(), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="mau-cau-hoi.xlsx"'})


@router.get("/question-banks/{bank_id}")
def bank_page(bank_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return _bank_page(request, db, who, bank_id)


@router.post("/question-banks/{bank_id}/import")
def import_questions(bank_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    fmt = str(form.get("format") or "gift")
    text = str(form.get("text") or "")
    upload = form.get("file")
    if fmt == "xlsx":
        if upload is None or isinstance(upload, str) or not upload.filename:
            err = Invalid("file_required", "Hãy chọn tệp câu hỏi theo mẫu (.xlsx hoặc .csv).", field="file")
            return _bank_page(request, db, who, bank_id, error=err, values={"format": fmt})
        content = upload.file.read(get_settings().import_max_bytes + 1)
        return _import_sheet(bank_id, request, db, who, content, upload.filename)
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = upload.file.read(1_000_001)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            err = Invalid("not_utf8", "Tệp phải là văn bản UTF-8 (Moodle xuất GIFT và Aiken dạng này).", field="file")
            return _bank_page(request, db, who, bank_id, error=err, values={"format": fmt})
    return _import(bank_id, request, db, who, fmt, text)


def _import_sheet(bank_id: int, request: Request, db: DbSession, who: Principal, content: bytes, name: str
                  ) -> Response:
    added, errors = service.import_sheet(db, who, bank_id, content, name)
    if errors:
        err = Invalid("import_invalid", "Tệp có dòng không đọc được; chưa nhập câu nào.", field="file")
        return _bank_page(request, db, who, bank_id, error=err, row_errors=errors, values={"format": "xlsx"})
    return redirect(f"/question-banks/{bank_id}", f"Đã nhập {len(added)} câu hỏi.")


@router.post("/question-banks/{bank_id}/questions")
def add_question(bank_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    kind = str(form.get("kind") or "")
    rights = set(form.getlist("right"))
    options = [(str(form.get(f"option_{i}") or ""), str(i) in rights) for i in range(rules.MAX_OPTIONS)]
    tf = {"true": True, "false": False}.get(str(form.get("answer") or ""))
    accepted = str(form.get("accepted") or "").splitlines()
    built = rules.build_question(kind, str(form.get("text") or ""), options, tf, accepted)
    with form_action(db) as refused:
        service.write_question(db, who, bank_id, built)
    if refused:
        err = refused.error
        return _bank_page(request, db, who, bank_id, error=err, question=dict(form), open_form=True)
    return redirect(f"/question-banks/{bank_id}#questions", "Đã thêm câu hỏi.")


def _import(bank_id: int, request: Request, db: DbSession, who: Principal, fmt: str, text: str) -> Response:
    with form_action(db) as refused:
        report = service.import_questions(db, who, bank_id, text, fmt)
    if refused:
        err = refused.error
        return _bank_page(request, db, who, bank_id, error=err, values={"format": fmt, "text": text})
    if report.errors:
        err = Invalid("import_invalid", "Tệp có câu hỏi không đọc được; chưa nhập câu nào.", field="text")
        return _bank_page(request, db, who, bank_id, error=err, parse_errors=report.errors,
                          values={"format": fmt, "text": text})
    return redirect(f"/question-banks/{bank_id}", f"Đã nhập {len(report.added)} câu hỏi.")


# --- taking a test ---------------------------------------------------------------------------------------------------


@router.post("/tests/{test_id}/start")
def start_test(test_id: int, db: DbSession, who: Trainee) -> Response:
    a = service.start_attempt(db, who, test_id)
    return redirect(f"/attempts/{a.id}")


@router.get("/attempts/{attempt_id}")
def attempt_page(attempt_id: int, request: Request, db: DbSession, who: Trainee) -> HTMLResponse:
    v = service.attempt_view(db, who, attempt_id)
    course = courses.find_course(db, who, v.test.course_id)
    return render(request, "assessment/attempt.html",
                  {**CONTEXT, "v": v, "course": course, "a": v.attempt, "test": v.test,
                   "questions": list(zip(v.questions, v.attempt.questions, v.attempt.answers, strict=True))})


@router.post("/attempts/{attempt_id}/answers/{index}")
def save_answer(attempt_id: int, index: int, db: DbSession, who: Trainee, body: PostedJson) -> Response:
    """Our script saves each answer as it is given (JSON); the reply says it is safe on the server."""
    if body is NOT_JSON:
        raise Invalid("json_required", "Câu trả lời phải gửi dạng JSON.")
    answer = body.get("answer") if isinstance(body, dict) else None
    if not (answer is None or isinstance(answer, (bool, int, str))
            or (isinstance(answer, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in answer))):
        raise Invalid("answer_invalid", "Câu trả lời không hợp lệ.", field="answer")
    a = service.save_answer(db, who, attempt_id, index, answer)
    return JSONResponse({"saved": index, "answers": sum(x is not None for x in a.answers)})


@router.post("/attempts/{attempt_id}/submit")
def submit_attempt(attempt_id: int, db: DbSession, who: Trainee, form: PostedForm) -> Response:
    answers: dict[int, list[str]] = {}
    for key in form:
        if key.startswith("q") and key[1:].isascii() and key[1:].isdigit():
            answers[int(key[1:])] = [str(v) for v in form.getlist(key)]
    a = service.submit_with_answers(db, who, attempt_id, answers)
    return redirect(f"/attempts/{a.id}", f"Đã nộp bài: {a.percent:g}%.")


# --- the course evaluation -------------------------------------------------------------------------------------------


@router.get("/courses/{course_id}/evaluation")
def evaluation_page(course_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    course = courses.get_course(db, who, course_id)
    ctx = {**course_tab(db, who, course), "tab": "tests"}
    if ctx["may_manage"]:
        ctx |= {"results": service.evaluation_results(db, who, course_id)}
    else:
        form, done = service.evaluation_state(db, who, course_id)
        ctx |= {"form": form, "done": done}
    return render(request, "assessment/evaluation.html", ctx)


@router.post("/courses/{course_id}/evaluation")
def answer_evaluation(course_id: int, db: DbSession, who: Trainee, form: PostedForm) -> Response:
    answers: dict[str, int | str] = {}
    for key in form:
        value = str(form.get(key) or "").strip()
        if key == "csrf_token" or not value:
            continue
        answers[key] = int(value) if value in ("1", "2", "3", "4", "5") else value
    service.submit_evaluation(db, who, course_id, answers)
    return redirect(f"/courses/{course_id}/tests",
                    "Cảm ơn bạn đã gửi phiếu đánh giá. Phiếu không ghi tên người trả lời.")
