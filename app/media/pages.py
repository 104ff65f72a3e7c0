"""Pages of the media-products register: the list with its filters, the form to record or correct a product,
one product with its history."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app import i18n
from app.auth.permissions import Staff
from app.core.text import foreign_digits, is_digits
from app.db import DbSession, Route
from app.errors import DomainError
from app.media import rules, service
from app.media.models import MediaProduct
from app.web import PostedForm, form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
BUDGET_ROWS = 3


def pick(pair: tuple[str, str]) -> str:
    """The label of a controlled-list entry in the page's language."""
    return pair[1] if i18n.current_locale.get() == "en" else pair[0]


def _lists() -> dict:
    return {"kinds": rules.KINDS, "producers": rules.PRODUCERS, "channels": rules.CHANNELS, "topics": rules.TOPICS,
            "budget_categories": rules.BUDGET_CATEGORIES, "funding_sources": rules.FUNDING_SOURCES, "pick": pick}


def _date(raw: str | None, field: str, label: str, found: list[rules.Problem]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        found.append(rules.Problem(field, f"{label} không hợp lệ: “{raw}”.", f"Invalid date: “{raw}”."))
        return None


def _amount(raw: str | None) -> Decimal | None:
    raw = (raw or "").strip().replace(".", "").replace(",", "").replace(" ", "")
    if not raw:
        return None
    try:
        if foreign_digits(raw):
            raise InvalidOperation
        return Decimal(raw)
    except InvalidOperation:
        return Decimal(-1)  # reported by the rules as an invalid amount


def _from_form(form) -> tuple[rules.MediaIn, str, dict]:  # noqa: ANN001
    """The entry as typed (kept to refill the form) and the problems only the page can see (dates, numbers)."""
    found: list[rules.Problem] = []
    values = {k: (form.get(k) or "") for k in ("kind", "title", "summary", "producer_kind", "producer_name", "unit",
                                               "produced_on", "published_on", "channel", "rebroadcast_count",
                                               "links")}
    values["topics"] = form.getlist("topics")
    rebroadcasts = values["rebroadcast_count"].strip() or "0"
    if not is_digits(rebroadcasts):
        found.append(rules.Problem("rebroadcast_count", "Số lần phát lại phải là số nguyên không âm.",
                                   "The rebroadcast count must be a whole number."))
    links = []
    for line in values["links"].splitlines():
        if line.strip():
            label, sep, url = line.rpartition(" | ")
            links.append(rules.LinkIn(url.strip() if sep else line.strip(), label.strip() if sep else ""))
    budget, rows = [], []
    for i in range(BUDGET_ROWS):
        row = {k: (form.get(f"{k}_{i}") or "") for k in ("category", "planned_amount", "actual_amount",
                                                          "funding_source", "description")}
        rows.append(row)
        planned = _amount(row["planned_amount"])
        if planned is None:
            continue
        budget.append(rules.BudgetIn(row["category"], planned, row["funding_source"],
                                     _amount(row["actual_amount"]), row["description"]))
    values["budget"] = rows
    data = rules.MediaIn(
        kind=values["kind"], title=values["title"], summary=values["summary"], producer_kind=values["producer_kind"],
        producer_name=values["producer_name"],
        produced_on=_date(values["produced_on"], "produced_on", "Ngày sản xuất", found),
        published_on=_date(values["published_on"], "published_on", "Ngày phát sóng/đăng tải", found),
        channel=values["channel"], topics=tuple(values["topics"]),
        rebroadcast_count=int(rebroadcasts) if is_digits(rebroadcasts) else 0, links=tuple(links),
        budget_lines=tuple(budget))
    if found:
        seen = {p.field for p in found}
        raise service.MediaInvalid(found + [p for p in rules.problems(data, date.max) if p.field not in seen])
    return data, values["unit"], values


def _values(m: MediaProduct | None) -> dict:
    if m is None:
        return {"topics": [], "budget": [{} for _ in range(BUDGET_ROWS)], "rebroadcast_count": "0"}
    budget = [{"category": b.category, "planned_amount": str(b.planned_amount), "funding_source": b.funding_source,
               "actual_amount": "" if b.actual_amount is None else str(b.actual_amount),
               "description": b.description} for b in m.budget_lines]
    budget += [{} for _ in range(max(BUDGET_ROWS - len(budget), 0))]
    return {"kind": m.kind, "title": m.title, "summary": m.summary, "producer_kind": m.producer_kind,
            "producer_name": m.producer_name, "unit": m.unit.key, "produced_on": m.produced_on.isoformat(),
            "published_on": m.published_on.isoformat() if m.published_on else "", "channel": m.channel,
            "rebroadcast_count": str(m.rebroadcast_count), "topics": [t.topic for t in m.topics],
            "links": "\n".join(f"{x.label} | {x.url}" if x.label else x.url for x in m.links), "budget": budget}


def _form(request: Request, values: dict, action: str, media: MediaProduct | None = None,
          error: DomainError | None = None) -> HTMLResponse:
    errors = {}
    if error is not None:
        for e in getattr(error, "errors", None) or [service.FieldProblem(error.field or "", error.message, "")]:
            errors.setdefault(e.field, []).append(e.message)
    return render(request, "media/form.html", {**_lists(), "values": values, "action": action, "media": media,
                                               "errors": errors, "error": error},
                  status_code=error.status if error else 200)


@router.get("/media")
def media_list(request: Request, db: DbSession, who: Staff, q: Annotated[str, Query(max_length=100)] = "",
               kind: Annotated[str, Query(max_length=20)] = "", topic: Annotated[str, Query(max_length=30)] = "",
               producer_kind: Annotated[str, Query(max_length=20)] = "",
               place: Annotated[str, Query(max_length=12)] = "", date_from: date | None = None,
               date_to: date | None = None, page: Annotated[int, Query(ge=1, le=10000)] = 1) -> HTMLResponse:
    f = service.MediaFilters(q=q, kind=kind or None, topic=topic or None, producer_kind=producer_kind or None,
                             place=place or None, date_from=date_from, date_to=date_to)
    items, total = service.list_media(db, who, f, offset=(page - 1) * service.PAGE_SIZE)
    pages = max((total + service.PAGE_SIZE - 1) // service.PAGE_SIZE, 1)
    query = {k: v for k, v in request.query_params.items() if k != "page"}

    def page_url(n: int) -> str:
        return "/media?" + urlencode({**query, "page": n})

    return render(request, "media/list.html", {**_lists(), "items": items, "total": total, "f": f, "page": page,
                                               "pages": pages, "page_url": page_url}, block="results")


@router.get("/media/new")
def new_media(request: Request, _: Staff) -> HTMLResponse:
    return _form(request, _values(None), "/media")


@router.post("/media")
def create_media(request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    values: dict = {}
    with form_action(db) as refused:
        data, unit, values = _from_form(form)
        m = service.create_media(db, who, data, unit)
    if refused:
        return _form(request, values or _raw(form), "/media", error=refused.error)
    return redirect(f"/media/{m.id}", f"Đã ghi sản phẩm “{m.title}” vào sổ.")


def _raw(form) -> dict:  # noqa: ANN001
    values = {k: form.get(k) or "" for k in form}
    values["topics"] = form.getlist("topics")
    values["budget"] = [{k: form.get(f"{k}_{i}") or "" for k in ("category", "planned_amount", "actual_amount",
                                                                 "funding_source", "description")}
                        for i in range(BUDGET_ROWS)]
    return values


@router.get("/media/{media_id}")
def media_detail(media_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    m = service.get_media(db, who, media_id)
    return render(request, "media/detail.html", {**_lists(), "m": m, "history": service.history(db, m)})


@router.get("/media/{media_id}/edit")
def edit_media(media_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    m = service.get_media(db, who, media_id)
    return _form(request, _values(m), f"/media/{m.id}", media=m)


@router.post("/media/{media_id}")
def update_media(media_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    m = service.get_media(db, who, media_id)
    values: dict = {}
    with form_action(db) as refused:
        data, unit, values = _from_form(form)
        m = service.update_media(db, who, media_id, data, unit)
    if refused:
        m = service.get_media(db, who, media_id)
        return _form(request, values or _raw(form), f"/media/{media_id}", media=m, error=refused.error)
    return redirect(f"/media/{m.id}", "Đã lưu thay đổi.")


@router.post("/media/{media_id}/delete")
def delete_media(media_id: int, db: DbSession, who: Staff) -> Response:
    service.delete_media(db, who, media_id)
    return redirect("/media", "Đã xoá sản phẩm khỏi sổ.")
