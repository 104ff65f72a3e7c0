"""Issuing-body use cases the pages and the API share: list, create, edit, seal, which bodies a course may pick,
and the body behind a course's free-text organiser (for scripts written before bodies were records)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from PIL import Image, ImageChops, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth import scope
from app.auth.models import Role
from app.auth.principal import Principal
from app.certificates import render
from app.certificates.models import Certificate
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import N_
from app.issuers import book, rules
from app.issuers.models import IssuingBody, SealImage
from app.places import service as places
from app.places.models import AdminUnit

TEXT_FIELDS = {"name": 300, "parent_name": 300, "short_code": 30, "place_name": 100, "signer_title": 200,
               "signer_name": 120, "number_pattern": 60}
EDITABLE = (*TEXT_FIELDS, "active")


class BodyInvalid(Invalid):
    def __init__(self, reason: rules.Reason) -> None:
        super().__init__(reason.code, reason.vi, field=reason.field)


def _ensure_staff(who: Principal) -> None:
    if not (who.is_admin or who.role == Role.ORGANISER):
        raise Forbidden("Chỉ quản trị và cán bộ tổ chức quản lý được cơ quan cấp giấy chứng nhận.")


def may_manage(db: Session, who: Principal, body: IssuingBody) -> bool:
    """Admins manage every body; an organiser those of their own unit (and of the units inside it)."""
    return who.is_admin or (who.role == Role.ORGANISER and places.is_within(db, body.unit_id, who.unit_id))


def bodies(db: Session, who: Principal, *, unit_key: str | None = None, active: bool | None = None
           ) -> list[IssuingBody]:
    """The bodies the caller manages, newest last within each unit."""
    _ensure_staff(who)
    stmt = select(IssuingBody).options(selectinload(IssuingBody.unit)).order_by(IssuingBody.unit_id, IssuingBody.id)
    if not who.is_admin:
        stmt = stmt.where(IssuingBody.unit_id.in_(places.unit_ids_within(db, who.unit_id)))
    if unit_key:
        stmt = stmt.where(IssuingBody.unit_id.in_(places.unit_ids_within(db, places.get_by_key(db, unit_key).id)))
    if active is not None:
        stmt = stmt.where(IssuingBody.active.is_(active))
    return list(db.scalars(stmt))


def get_body(db: Session, who: Principal, body_id: int) -> IssuingBody:
    """One body the caller manages; 404 otherwise (its existence is not revealed)."""
    _ensure_staff(who)
    body = db.scalar(select(IssuingBody).where(IssuingBody.id == body_id).options(selectinload(IssuingBody.unit)))
    if body is None or not may_manage(db, who, body):
        raise NotFound("Không tìm thấy cơ quan cấp giấy chứng nhận.", code="issuing_body_not_found")
    return body


def province_id(db: Session, unit_id: int) -> int:
    """The province of today the unit counts under: where two bodies' numbers must not collide."""
    unit = db.get(AdminUnit, unit_id)
    return unit.current_province_id or unit.id


def place_name(db: Session, unit_id: int) -> str:
    """The date line's place: the unit's own province as it was (a former Bắc Giang body writes "Bắc Giang")."""
    node = db.get(AdminUnit, unit_id)
    while node.parent_id is not None:
        node = db.get(AdminUnit, node.parent_id)
    return node.short_name or node.name


def _numbers(body: IssuingBody) -> rules.BodyNumbers:
    return rules.BodyNumbers(body.id, body.name, rules.number_skeleton(body.number_pattern, body.short_code))


def numbering_clash(db: Session, body: IssuingBody) -> rules.Reason | None:
    """Another body of the same province (former bodies too) that would print the same numbers."""
    province = province_id(db, body.unit_id)
    others = db.scalars(select(IssuingBody).join(AdminUnit, AdminUnit.id == IssuingBody.unit_id).where(
        func.coalesce(AdminUnit.current_province_id, AdminUnit.id) == province, IssuingBody.id != (body.id or -1)))
    return rules.clash(_numbers(body), [_numbers(o) for o in others])


def _clean(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if key in TEXT_FIELDS:
            text = " ".join(str(value or "").split()) if key != "signer_title" else "\n".join(
                " ".join(line.split()) for line in str(value or "").replace("\r", "").split("\n") if line.strip())
            if len(text) > TEXT_FIELDS[key]:
                raise Invalid("too_long", f"Nội dung quá {TEXT_FIELDS[key]} ký tự.", field=key)
            out[key] = text
        elif key == "active":
            out[key] = bool(value)
    if "short_code" in out:
        out["short_code"] = out["short_code"].upper()
    return out


def _check(db: Session, body: IssuingBody) -> None:
    if not body.name:
        raise Invalid("name_required", "Cần nhập tên cơ quan cấp (ví dụ: Sở Văn hóa, Thể thao và Du lịch).",
                      field="name")
    problem = rules.pattern_problem(body.number_pattern)
    if problem:
        raise BodyInvalid(problem)
    if "{code}" in body.number_pattern and not body.short_code:
        raise Invalid("code_required", "Mẫu số có {code}: cần nhập ký hiệu viết tắt của cơ quan.", field="short_code")


def create_body(db: Session, who: Principal, values: dict, unit_key: str | None = None) -> IssuingBody:
    """A new issuing body in the caller's unit (or a unit inside it); its numbers may not collide with another
    body's in the province."""
    _ensure_staff(who)
    unit = scope.unit_to_create_in(db, who, unit_key, missing=N_("Cần chọn đơn vị quản lý cơ quan cấp."),
                                   outside=N_("Chỉ tạo được cơ quan cấp trong đơn vị bạn phụ trách."))
    data = {"number_pattern": rules.DEFAULT_PATTERN, "active": True, **_clean(values)}
    if not data.get("place_name"):
        data["place_name"] = place_name(db, unit.id)
    body = IssuingBody(unit_id=unit.id, **{k: data.get(k, "") for k in TEXT_FIELDS}, active=data["active"])
    _check(db, body)
    clash = numbering_clash(db, body)
    if clash:
        raise BodyInvalid(clash)
    db.add(body)
    db.flush()
    audit.record(db, who, "issuing_body.create", "issuing_body", body.id,
                 {"unit": unit.key, **{k: getattr(body, k) for k in EDITABLE}})
    return get_body(db, who, body.id)


def update_body(db: Session, who: Principal, body_id: int, changes: dict) -> IssuingBody:
    """Edit a body; every change is recorded. Certificates already issued keep what they printed."""
    body = get_body(db, who, body_id)
    db.refresh(body, with_for_update=True)
    changes = _clean({k: v for k, v in changes.items() if k in EDITABLE and not (k == "active" and v is None)})
    diff = {k: [getattr(body, k), v] for k, v in changes.items() if getattr(body, k) != v}
    # Checked on a detached copy first: a refused change leaves the body as it was.
    probe = IssuingBody(id=body.id, unit_id=body.unit_id, **{k: getattr(body, k) for k in EDITABLE})
    for k, (_, v) in diff.items():
        setattr(probe, k, v)
    _check(db, probe)
    if {"number_pattern", "short_code"} & diff.keys():
        clash = numbering_clash(db, probe)
        if clash:
            raise BodyInvalid(clash)
    for k, (_, v) in diff.items():
        setattr(body, k, v)
    if diff:
        db.flush()
        audit.record(db, who, "issuing_body.update", "issuing_body", body.id, diff)
    return body


@dataclass(frozen=True)
class Seal:
    png: bytes
    width: int
    height: int


def normalise_seal(content: bytes) -> Seal:
    """Check a PNG/JPEG seal and turn it into a PNG with a transparent background, at most 800 px a side: a
    scan on white paper would otherwise hide the signature it is printed over."""
    size = None
    try:
        with Image.open(BytesIO(content)) as probe:
            size = probe.size
            if rules.seal_type(content) is not None and max(size) <= rules.SEAL_MAX_SIDE:
                probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        size = None
    problem = rules.seal_problem(content, size)
    if problem:
        raise BodyInvalid(problem)
    try:
        image = Image.open(BytesIO(content))
        image.load()
    except (OSError, SyntaxError, ValueError) as err:
        raise BodyInvalid(rules.Reason("seal_unreadable", "Không đọc được ảnh con dấu (tệp hỏng).",
                                       "The seal image cannot be read.", "seal")) from err
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA")
    image.thumbnail((800, 800), Image.Resampling.LANCZOS)
    if not has_alpha:  # paper white becomes transparent; the ink keeps its colour
        r, g, b, _ = image.split()
        lightest = ImageChops.darker(ImageChops.darker(r, g), b)  # the darkest channel of each pixel
        image.putalpha(lightest.point(lambda v: 0 if v > 225 else 255))
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return Seal(out.getvalue(), image.width, image.height)


def keep_seal(db: Session, png: bytes) -> str:
    """Store a seal by its content (once) and return its SHA-256, which an issued certificate records."""
    digest = hashlib.sha256(png).hexdigest()
    if db.get(SealImage, digest) is None:
        db.add(SealImage(sha256=digest, media_type="image/png", data=png))
        db.flush()
    return digest


def seal_by_hash(db: Session, digest: str | None) -> bytes | None:
    row = db.get(SealImage, digest) if digest else None
    return row.data if row else None


def set_seal(db: Session, who: Principal, body_id: int, content: bytes) -> IssuingBody:
    body = get_body(db, who, body_id)
    seal = normalise_seal(content)
    digest = keep_seal(db, seal.png)
    old = hashlib.sha256(body.seal_image).hexdigest() if body.seal_image else None
    body.seal_image, body.seal_media_type = seal.png, "image/png"
    db.flush()
    audit.record(db, who, "issuing_body.seal", "issuing_body", body.id,
                 {"seal": [old, digest], "width": seal.width, "height": seal.height})
    return body


def remove_seal(db: Session, who: Principal, body_id: int) -> IssuingBody:
    body = get_body(db, who, body_id)
    if body.seal_image is None:
        raise Conflict("no_seal", "Cơ quan này chưa có ảnh con dấu.")
    old = hashlib.sha256(body.seal_image).hexdigest()
    body.seal_image, body.seal_media_type = None, None
    db.flush()
    audit.record(db, who, "issuing_body.seal", "issuing_body", body.id, {"seal": [old, None]})
    return body


# --- courses pick a body ---------------------------------------------------------------------------------------


def candidate_unit_ids(db: Session, unit_id: int) -> list[int]:
    """The course's unit, its parents, and the province it counts under today: whose bodies may sign for it."""
    ids, node = [], db.get(AdminUnit, unit_id)
    while node is not None:
        ids.append(node.id)
        node = db.get(AdminUnit, node.parent_id) if node.parent_id is not None else None
    first = db.get(AdminUnit, unit_id)
    if first.current_province_id and first.current_province_id not in ids:
        ids.append(first.current_province_id)
    return ids


def choices_for_course(db: Session, unit_id: int, current_id: int | None = None) -> list[IssuingBody]:
    """Active bodies of the course's unit or its parents (and the one it already has, even if no longer active)."""
    stmt = (select(IssuingBody).where(IssuingBody.unit_id.in_(candidate_unit_ids(db, unit_id)))
            .options(selectinload(IssuingBody.unit)).order_by(IssuingBody.name, IssuingBody.id))
    return [b for b in db.scalars(stmt) if b.active or b.id == current_id]


def pick_for_course(db: Session, unit_id: int, body_id: int, current_id: int | None = None) -> IssuingBody:
    body = next((b for b in choices_for_course(db, unit_id, current_id) if b.id == body_id), None)
    if body is None:
        raise Invalid("issuing_body_invalid", "Cơ quan cấp này không thuộc đơn vị tổ chức khoá học hoặc cấp trên của "
                      "nó (hoặc đã ngừng sử dụng).", field="issuing_body_id")
    return body


def body_for_text(db: Session, who: Principal, unit_id: int, name: str, signer_title: str = "",
                  signer_name: str = "") -> IssuingBody:
    """The body a course's free-text organiser names (scripts written before bodies were records): one of the
    course's unit or its parents with that name, or a new one in the course's unit, numbered apart from the
    province's other bodies."""
    name = " ".join(name.split())
    wanted = name.casefold()
    for body in choices_for_course(db, unit_id):
        if body.name.casefold() == wanted:
            return body
    body = IssuingBody(unit_id=unit_id, name=name, parent_name="", short_code="",
                       place_name=place_name(db, unit_id),
                       signer_title=signer_title, signer_name=signer_name, number_pattern=rules.DEFAULT_PATTERN,
                       active=True)
    if numbering_clash(db, body):
        base = rules.initials(name) or "CQ"
        body.number_pattern, body.short_code = rules.CODED_PATTERN, base
        k = 1
        while numbering_clash(db, body):
            k += 1
            body.short_code = f"{base}{k}"
    db.add(body)
    db.flush()
    audit.record(db, who, "issuing_body.create", "issuing_body", body.id,
                 {"unit": db.get(AdminUnit, unit_id).key, "name": name, "from": "course.organising_body",
                  "number_pattern": body.number_pattern, "short_code": body.short_code})
    return body


# --- the register book and a preview ---------------------------------------------------------------------------


def example_number(body: IssuingBody, year: int | None = None) -> str:
    year = year or rules.vn_date(utcnow()).year
    try:
        return rules.format_number(body.number_pattern, 1, year, body.short_code)
    except (ValueError, KeyError, IndexError):
        return ""


def register_years(db: Session, body_id: int) -> list[int]:
    return list(db.scalars(select(Certificate.year).where(Certificate.issuing_body_id == body_id)
                           .group_by(Certificate.year).order_by(Certificate.year.desc())))


def register_book(db: Session, who: Principal, body_id: int, year: int) -> book.Book:
    """Every certificate the body issued in the year (its Việt Nam year), in register order; revoked ones keep
    their line with a note."""
    body = get_body(db, who, body_id)
    if not 2000 <= year <= 2100:
        raise Invalid("year_invalid", "Năm không hợp lệ.", field="year")
    certs = list(db.scalars(select(Certificate).where(Certificate.issuing_body_id == body.id,
                                                      Certificate.year == year)
                            .order_by(Certificate.register_entry)))
    numbers = {c.id: c.number for c in certs}
    missing = [c.replaced_by_id for c in certs if c.replaced_by_id and c.replaced_by_id not in numbers]
    if missing:
        numbers.update(dict(db.execute(select(Certificate.id, Certificate.number)
                                       .where(Certificate.id.in_(missing))).all()))
    entries = []
    for c in certs:
        d = c.data
        note = ""
        if c.status == "revoked":
            when = rules.vn_date(c.revoked_at) if c.revoked_at else None
            note = "Đã thu hồi" + (f" ngày {when:%d/%m/%Y}" if when else "")
            if c.replaced_by_id:
                note += f"; cấp lại số {numbers.get(c.replaced_by_id, '')}"
        if c.replaces_id:
            note = (note + "; " if note else "") + "Cấp lại"
        entries.append(book.Entry(
            register_entry=c.register_entry, number=c.number, full_name=d["full_name"],
            birth_date=date.fromisoformat(d["birth_date"]) if d.get("birth_date") else None,
            course_title=d["course_title"], start_date=date.fromisoformat(d["start_date"]),
            end_date=date.fromisoformat(d["end_date"]), issue_date=date.fromisoformat(d["issue_date"]), note=note))
    return book.Book(issuer_parent=body.parent_name, issuer_name=body.name, year=year, entries=entries)


def record_register_download(db: Session, who: Principal, body_id: int, year: int, fmt: str) -> None:
    """Who took a copy of the book: it names people and their birth dates (personal data, Law 91/2025)."""
    audit.record(db, who, "issuing_body.register_export", "issuing_body", body_id, {"year": year, "format": fmt})


def preview_pdf(db: Session, who: Principal, body_id: int) -> bytes:
    """A specimen certificate as this body would print it now (name, parent line, place, signer, seal, number)."""
    body = get_body(db, who, body_id)
    today = rules.vn_date(utcnow())
    title_lines = "\n".join(p.strip() for p in body.signer_title.replace("/", "\n").splitlines() if p.strip())
    data = render.CertificateData(
        issuer_name=body.name.upper(), issuer_parent=body.parent_name.upper(), title="GIẤY CHỨNG NHẬN",
        full_name="Nguyễn Văn Mẫu", birth_date=date(1985, 3, 1), unit="UBND xã Tân Dĩnh, tỉnh Bắc Ninh",
        position="Công chức Văn hóa - Xã hội", course_title="Khoá bồi dưỡng mẫu (bản xem trước, không có giá trị)",
        start_date=today, end_date=today, venue="", hours=8, number=example_number(body, today.year),
        register_entry="Số vào sổ: 1", issue_place=body.place_name, issue_date=today,
        signer_title=title_lines or "CHỨC DANH NGƯỜI KÝ", signer_name=body.signer_name or "Họ và tên người ký",
        verify_url="http://127.0.0.1:8000/verify/XEMTRUOC", seal_png=body.seal_image)
    return render.render_one(data)
