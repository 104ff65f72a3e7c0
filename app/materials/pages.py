"""Material pages: the course's materials tab, a curriculum's shared materials, one material, and "my materials"."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from app import i18n
from app.auth.models import Role
from app.auth.permissions import SignedIn, allow
from app.auth.principal import Principal
from app.config import get_settings
from app.courses import service as courses
from app.courses.present import course_tab
from app.db import DbSession, Route
from app.enrolment.rules import STATUS_LABELS
from app.error_handlers import wants_json
from app.errors import DomainError, Forbidden
from app.materials import present, rules, service, sniff
from app.materials.models import Material, MaterialVersion
from app.materials.upload import Received, size_label
from app.web import Refusal, flash, form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
StaffOrTrainer = Annotated[Principal, Depends(allow(Role.ADMIN, Role.ORGANISER, Role.TRAINER))]


def human_size(n: int) -> str:
    """2,4 MB in Vietnamese, 2.4 MB in English."""
    for unit, factor in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= factor * 1000 // 1024:  # 1,000 KB reads as 1 MB
            return f"{i18n.fmt_number(round(n / factor, 1))} {unit}"
    return f"{n} B"


def type_label(v: MaterialVersion) -> str:
    return next((t.label for t in sniff.TYPES.values() if t.mime == v.content_type), v.content_type)


DISPLAY = {"languages": rules.LANGUAGES, "size_label": human_size, "type_label": type_label}


def _form_context(error: DomainError | None = None, values: dict | None = None) -> dict:
    s = get_settings()
    return {**DISPLAY, "max_bytes": s.material_max_bytes, "max_files": s.material_max_files,
            "max_label": size_label(s.material_max_bytes), "allowed": sniff.ALLOWED_LABEL, "error": error,
            "values": values or {}}


def _course_page(request: Request, db: DbSession, who: Principal, course_id: int,
                 error: DomainError | None = None, values: dict | None = None) -> HTMLResponse:
    cm = service.course_materials(db, who, course_id)
    return render(request, "materials/course.html",
                  {**course_tab(db, who, cm.course), "tab": "materials", "cm": cm, **_form_context(error, values)},
                  status_code=error.status if error else 200)


@router.get("/courses/{course_id}/materials")
def course_materials(course_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    try:
        return _course_page(request, db, who, course_id)
    except Forbidden as err:  # the course is visible, its materials are not: say why inside the course's page
        course = courses.get_course(db, who, course_id)
        return render(request, "materials/course.html", {**course_tab(db, who, course), "tab": "materials",
                                                         "denied": err}, status_code=403)


def _done(request: Request, url: str, message: str) -> Response:
    """After an upload: JSON for our script (which then goes to `url`), a redirect for a plain form."""
    if wants_json(request):
        return flash(JSONResponse({"redirect": url, "message": message}), message)
    return redirect(url, message)


async def _upload(request: Request, save: Callable[[Received], str],
                  attempt: Callable[[Received], tuple[Refusal, str]],
                  again: Callable[[DomainError, dict[str, str]], HTMLResponse], url: str,
                  max_files: int | None = None) -> Response:
    """Every upload form (a course's, a curriculum's, "replace the file"): receive the files, `save` them (it returns
    the message to show), then go to `url`; a refusal is JSON for our script (raised: the request rolls back) and
    the form `again` for a plain form (`attempt` is `save` inside `form_action`, which rolls back what it wrote).

    It runs in the event loop and is never given the session: the endpoint binds the session into `save`, `attempt`
    and `again`, which run in the thread pool (tests/core/test_event_loop.py holds the endpoints to this).
    The staged files are removed whatever happens: `save` moves those it keeps into the store.
    """
    received = await present.receive(request, max_files=max_files)
    try:
        if wants_json(request):
            message = await run_in_threadpool(save, received)
        else:
            refused, message = await run_in_threadpool(attempt, received)
            if refused:
                return await run_in_threadpool(again, refused.error, received.fields)
    finally:
        received.discard()
    return _done(request, url, message)


def _attempt(db: DbSession, save: Callable[[Received], str], received: Received) -> tuple[Refusal, str]:
    message = ""
    with form_action(db) as refused:
        message = save(received)
    return refused, message


def _add(db: DbSession, who: Principal, home: dict[str, str], received: Received) -> str:
    """New materials at `home`: the course or curriculum of the URL, which wins over the form's fields."""
    fields = {**received.fields, **home}
    created = service.add_materials(db, who, present.home_from(fields), received.files, present.details_from(fields))
    return f"Đã tải lên {len(created)} tài liệu."


def _replace(db: DbSession, who: Principal, material_id: int, received: Received) -> str:
    if len(received.files) != 1:
        raise DomainError("no_files", "Hãy chọn một tệp để thay.", field="file", status=422)
    m = service.replace_file(db, who, material_id, received.files[0], received.fields.get("note", ""))
    return f"Đã thay tệp: phiên bản {m.current_version}."


@router.post("/courses/{course_id}/materials", dependencies=[Depends(present.upload_guard)])
async def upload_to_course(course_id: int, request: Request, db: DbSession, who: StaffOrTrainer) -> Response:
    save = partial(_add, db, who, {"course_id": str(course_id)})
    return await _upload(request, save, partial(_attempt, db, save), partial(_course_page, request, db, who, course_id),
                         f"/courses/{course_id}/materials")


def _curriculum_page(request: Request, db: DbSession, who: Principal, code: str,
                     error: DomainError | None = None, values: dict | None = None) -> HTMLResponse:
    mm = service.module_materials(db, who, code)
    return render(request, "materials/curriculum.html", {"mm": mm, **_form_context(error, values)},
                  status_code=error.status if error else 200)


@router.get("/curricula/{code}/materials")
def curriculum_materials(code: str, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return _curriculum_page(request, db, who, code)


@router.post("/curricula/{code}/materials", dependencies=[Depends(present.upload_guard)])
async def upload_to_curriculum(code: str, request: Request, db: DbSession, who: StaffOrTrainer) -> Response:
    save = partial(_add, db, who, {"curriculum": code})
    return await _upload(request, save, partial(_attempt, db, save), partial(_curriculum_page, request, db, who, code),
                         f"/curricula/{code.upper()}/materials")


def _back(m: Material) -> str:
    if m.course_id is not None:
        return f"/courses/{m.course_id}/materials"
    return f"/curricula/{m.curriculum_code}/materials#module-{m.module_code}"


def _detail_page(request: Request, db: DbSession, who: Principal, material_id: int,
                 error: DomainError | None = None, values: dict | None = None) -> HTMLResponse:
    m, versions, d = service.material_detail(db, who, material_id)
    return render(request, "materials/detail.html",
                  {"m": m, "versions": versions, "d": d, "back": _back(m), **_form_context(error, values)},
                  status_code=error.status if error else 200)


@router.get("/materials/{material_id}")
def material_page(material_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return _detail_page(request, db, who, material_id)


@router.post("/materials/{material_id}/replace", dependencies=[Depends(present.single_upload_guard)])
async def replace(material_id: int, request: Request, db: DbSession, who: StaffOrTrainer) -> Response:
    save = partial(_replace, db, who, material_id)
    return await _upload(request, save, partial(_attempt, db, save),
                         partial(_detail_page, request, db, who, material_id), f"/materials/{material_id}", max_files=1)


@router.post("/materials/{material_id}/edit")
def edit(material_id: int, request: Request, db: DbSession, who: StaffOrTrainer,
         title: Annotated[str, Form(max_length=300)] = "", description: Annotated[str, Form(max_length=5000)] = "",
         language: Annotated[str, Form(max_length=8)] = "vi") -> Response:
    with form_action(db) as refused:
        service.update_material(db, who, material_id, {"title": title, "description": description,
                                                       "language": language})
    if refused:
        return _detail_page(request, db, who, material_id, refused.error)
    return redirect(f"/materials/{material_id}", "Đã lưu thông tin tài liệu.")


@router.post("/materials/{material_id}/delete")
def delete(material_id: int, db: DbSession, who: StaffOrTrainer,
           reason: Annotated[str, Form(max_length=1000)] = "") -> Response:
    m = service.delete_material(db, who, material_id, reason)
    return redirect(_back(m), f"Đã xoá tài liệu “{m.title}”.")


@router.api_route("/materials/{material_id}/download", methods=["GET", "HEAD"])
def download(material_id: int, request: Request, db: DbSession, who: SignedIn,
             inline: Annotated[bool, Query(description="play or show in the browser")] = False) -> Response:
    return present.download(request, db, who, material_id, inline=inline)


@router.api_route("/materials/{material_id}/versions/{number}/download", methods=["GET", "HEAD"])
def download_version(material_id: int, number: int, request: Request, db: DbSession, who: SignedIn) -> Response:
    return present.download(request, db, who, material_id, number)


@router.get("/my-materials")
def my_materials(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return render(request, "materials/mine.html", {"mine": service.my_materials(db, who), "labels": STATUS_LABELS,
                                                   **DISPLAY})
