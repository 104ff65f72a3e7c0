"""The media-products register's use cases, shared by the pages and the API: list and filter within the caller's
scope, record, correct (every change in the audit trail), remove."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth.models import Role
from app.auth.principal import Principal
from app.core.text import clean_name
from app.db import utcnow
from app.errors import Forbidden, Invalid, NotFound
from app.media import rules
from app.media.models import MediaBudgetLine, MediaLink, MediaProduct, MediaTopic
from app.places import service as places
from app.places.models import AdminUnit

PAGE_SIZE = 50


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str
    message_en: str


class MediaInvalid(Invalid):
    """Every problem of a refused entry at once (the first one is the message), so a form can mark each field."""

    def __init__(self, found: list[rules.Problem]) -> None:
        super().__init__("media_invalid", found[0].vi, field=found[0].field)
        self.errors = [FieldProblem(p.field, p.vi, p.en) for p in found]

    def as_json(self) -> dict:
        body = super().as_json()
        body["errors"] = [{"field": e.field, "message": e.message, "message_en": e.message_en} for e in self.errors]
        return body


def _ensure_staff(who: Principal) -> None:
    if who.role not in (Role.ADMIN, Role.ORGANISER):
        raise Forbidden("Chỉ quản trị và cán bộ tổ chức mới dùng được sổ sản phẩm truyền thông.")


def _options():  # noqa: ANN202
    return (places.with_chain(selectinload(MediaProduct.unit)), selectinload(MediaProduct.topics),
            selectinload(MediaProduct.links), selectinload(MediaProduct.budget_lines))


@dataclass
class MediaFilters:
    q: str = ""
    kind: str | None = None
    topic: str | None = None
    producer_kind: str | None = None
    place: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _scoped(db: Session, who: Principal, stmt: Select) -> Select:
    _ensure_staff(who)
    stmt = stmt.where(MediaProduct.deleted_at.is_(None))
    if not who.is_admin:
        stmt = stmt.where(MediaProduct.unit_id.in_(places.unit_ids_within(db, who.unit_id)))
    return stmt


def list_media(db: Session, who: Principal, f: MediaFilters, *, limit: int = PAGE_SIZE, offset: int = 0
               ) -> tuple[list[MediaProduct], int]:
    """The register within the caller's scope, newest first, with the filters applied; and how many match."""
    stmt = _scoped(db, who, select(MediaProduct))
    if f.q.strip():
        pattern = f"%{f.q.strip()}%"
        stmt = stmt.where(MediaProduct.title.ilike(pattern) | MediaProduct.producer_name.ilike(pattern))
    if f.kind:
        stmt = stmt.where(MediaProduct.kind == f.kind)
    if f.producer_kind:
        stmt = stmt.where(MediaProduct.producer_kind == f.producer_kind)
    if f.topic:
        stmt = stmt.where(select(MediaTopic.media_id).where(MediaTopic.media_id == MediaProduct.id,
                                                            MediaTopic.topic == f.topic).exists())
    if f.place:
        unit = places.get_by_key(db, f.place)
        stmt = stmt.where(MediaProduct.unit_id.in_(places.unit_ids_within(db, unit.id)))
    if f.date_from:
        stmt = stmt.where(MediaProduct.produced_on >= f.date_from)
    if f.date_to:
        stmt = stmt.where(MediaProduct.produced_on <= f.date_to)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.scalars(stmt.order_by(MediaProduct.produced_on.desc(), MediaProduct.id.desc())
                      .limit(limit).offset(offset).options(*_options()))
    return list(rows), int(total)


def get_media(db: Session, who: Principal, media_id: int) -> MediaProduct:
    """One entry, or 404 when it does not exist, was removed or lies outside the caller's scope."""
    m = db.scalar(_scoped(db, who, select(MediaProduct).where(MediaProduct.id == media_id)).options(*_options()))
    if m is None:
        raise NotFound("Không tìm thấy sản phẩm truyền thông.", code="media_not_found")
    return m


def _place(db: Session, who: Principal, unit_key: str) -> AdminUnit:
    if not unit_key.strip():
        raise MediaInvalid([rules.Problem("unit", "Cần chọn địa bàn (xã/phường hoặc tỉnh) của sản phẩm.",
                                          "Choose the place the product belongs to.")])
    try:
        unit = places.get_by_key(db, unit_key)
    except NotFound:
        raise MediaInvalid([rules.Problem("unit", f"Không tìm thấy địa bàn “{unit_key}”.",
                                          f"No place “{unit_key}”.")]) from None
    if not who.is_admin and not places.is_within(db, unit.id, who.unit_id):
        raise Forbidden(f"{unit.name} nằm ngoài đơn vị bạn phụ trách.")
    return unit


def _check(data: rules.MediaIn) -> None:
    found = rules.problems(data, utcnow().date())
    if found:
        raise MediaInvalid(found)


def _snapshot(m: MediaProduct) -> dict[str, Any]:
    return {"kind": m.kind, "title": m.title, "summary": m.summary, "producer_kind": m.producer_kind,
            "producer_name": m.producer_name, "unit_id": m.unit_id, "produced_on": m.produced_on,
            "published_on": m.published_on, "channel": m.channel, "rebroadcast_count": m.rebroadcast_count,
            "topics": sorted(t.topic for t in m.topics), "links": [x.url for x in m.links],
            "budget_lines": [[b.category, str(b.planned_amount), None if b.actual_amount is None
                              else str(b.actual_amount), b.funding_source] for b in m.budget_lines]}


def _apply(m: MediaProduct, data: rules.MediaIn, unit: AdminUnit) -> None:
    m.kind, m.title = data.kind, clean_name(data.title)
    m.summary = data.summary.strip()[:5000]
    m.producer_kind, m.producer_name = data.producer_kind, " ".join(data.producer_name.split())
    m.unit_id, m.produced_on, m.published_on = unit.id, data.produced_on, data.published_on
    m.channel, m.rebroadcast_count = data.channel, data.rebroadcast_count
    m.topics = [MediaTopic(topic=t) for t in dict.fromkeys(data.topics)]
    m.links = [MediaLink(position=i, url=link.url.strip(), label=link.label.strip()[:200])
               for i, link in enumerate(data.links)]
    m.budget_lines = [MediaBudgetLine(category=b.category, description=b.description.strip()[:300],
                                      planned_amount=b.planned_amount, actual_amount=b.actual_amount,
                                      funding_source=b.funding_source) for b in data.budget_lines]


def create_media(db: Session, who: Principal, data: rules.MediaIn, unit_key: str) -> MediaProduct:
    """Record a product in the register, under a place inside the caller's unit."""
    _ensure_staff(who)
    unit = _place(db, who, unit_key)
    _check(data)
    m = MediaProduct(created_by_id=who.user_id, topics=[], links=[], budget_lines=[])
    _apply(m, data, unit)
    db.add(m)
    db.flush()
    audit.record(db, who, "media.create", "media_product", m.id, _snapshot(m))
    return get_media(db, who, m.id)


def update_media(db: Session, who: Principal, media_id: int, data: rules.MediaIn, unit_key: str) -> MediaProduct:
    """Correct an entry; the audit trail keeps each changed field as [before, after]."""
    m = get_media(db, who, media_id)
    unit = _place(db, who, unit_key)
    _check(data)
    before = _snapshot(m)
    _apply(m, data, unit)
    db.flush()
    after = _snapshot(m)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        m.updated_at = utcnow()
        audit.record(db, who, "media.update", "media_product", m.id, changed)
    return get_media(db, who, m.id)


def delete_media(db: Session, who: Principal, media_id: int) -> None:
    """Remove an entry from the register and the reports (kept in the database and the audit trail)."""
    m = get_media(db, who, media_id)
    m.deleted_at = utcnow()
    db.flush()
    audit.record(db, who, "media.delete", "media_product", m.id, {"title": m.title})


def history(db: Session, m: MediaProduct) -> list:
    return audit.history(db, "media_product", m.id)
