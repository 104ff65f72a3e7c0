"""Trainee use cases: create, edit, list, see (with privacy), sign up, confirm, import, export."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth.models import Role
from app.auth.principal import Principal
from app.config import get_settings
from app.core.spreadsheet import to_bytes
from app.core.text import fold
from app.curricula import service as curricula
from app.curricula.models import CurriculumVersion, TargetGroup
from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.people import reference, rules
from app.people.fields import COLUMN_BY_KEY, COLUMNS, EMAIL_RE, FieldError, TraineeData, UnitResolver, parse
from app.people.importer import RowError, read_table, safe_cell
from app.people.models import Trainee, TraineeStatus
from app.places import service as places

PERSONAL_FIELDS = ("citizen_id", "phone", "birth_date", "ethnicity", "email")
DATA_FIELDS = ("full_name", "sex", "birth_date", "ethnicity", "citizen_id", "phone", "email", "position",
               "organisation_type", "unit_id", "in_charge_of_radio", "commune_categories")


@dataclass
class Filters:
    q: str = ""
    unit: str | None = None
    target_group: str | None = None
    curriculum: str | None = None
    status: str | None = None


def today() -> date:
    return utcnow().date()


def placement(t: Trainee | TraineeData) -> rules.Placement:
    return rules.place(rules.PersonFacts(position=t.position, organisation_type=t.organisation_type,
                                         in_charge_of_radio=t.in_charge_of_radio,
                                         commune_categories=frozenset(t.commune_categories or ())))


def eligible_group_codes(db: Session, curriculum_code: str) -> list[str]:
    """Target groups whose members a curriculum takes, counting a group's broader groups (a culture-social
    official in charge of the radio is also a grassroots information official)."""
    wanted = {g.target_group_code for g in curricula.get_version(db, curriculum_code).target_groups}
    return [code for code in db.scalars(select(TargetGroup.code)) if wanted & set(rules.groups_of(code))]


def priorities(db: Session, t: Trainee) -> list[tuple[CurriculumVersion, rules.Priority]]:
    """For every curriculum, whether the person is eligible and how they rank, with the reasons."""
    facts = rules.PersonFacts(position=t.position, organisation_type=t.organisation_type,
                              in_charge_of_radio=t.in_charge_of_radio,
                              commune_categories=frozenset(t.commune_categories or ()))
    names = {g.code: g.name_vi for g in db.scalars(select(TargetGroup))}
    out = []
    for v in curricula.catalogue(db):
        groups = [g.target_group_code for g in v.target_groups]
        out.append((v, rules.priority(facts, v.curriculum_code, groups, names, rules.DEFAULT_CATEGORY_ORDER)))
    return out


# --- who may see what -------------------------------------------------------------------------------------------


def personal_access(db: Session, who: Principal) -> Callable[[Trainee], bool]:
    """Who may see a record's citizen ID, phone, birth date and ethnicity: the person, organisers whose unit holds
    them, and admins. The organiser's scope is read once, so a list of 500 people costs one query, not 500."""
    if who.is_admin:
        return lambda t: True
    scope = set(db.scalars(places.unit_ids_within(db, who.unit_id))) if who.role == Role.ORGANISER else set()
    return lambda t: (who.user_id is not None and t.user_id == who.user_id) or t.unit_id in scope


def may_see_personal(db: Session, who: Principal, t: Trainee) -> bool:
    return personal_access(db, who)(t)


def _scoped(db: Session, who: Principal, stmt: Select) -> Select:
    if who.is_admin:
        return stmt
    if who.role in (Role.ORGANISER, Role.TRAINER):
        return stmt.where(Trainee.unit_id.in_(places.unit_ids_within(db, who.unit_id)))
    return stmt.where(Trainee.user_id == who.user_id)


def by_citizen_ids(db: Session, who: Principal, citizen_ids: list[str]) -> dict[str, Trainee]:
    """The trainees with these citizen IDs that the caller may see (others are simply absent)."""
    found: dict[str, Trainee] = {}
    for i in range(0, len(citizen_ids), 900):
        for t in db.scalars(_scoped(db, who, select(Trainee).where(Trainee.citizen_id.in_(citizen_ids[i:i + 900])))):
            found[t.citizen_id] = t
    return found


def get_trainee(db: Session, who: Principal, trainee_id: int) -> Trainee:
    """One trainee, or 404 when it does not exist or lies outside the caller's scope."""
    stmt = _scoped(db, who, select(Trainee).where(Trainee.id == trainee_id)).options(
        places.with_chain(selectinload(Trainee.unit)))
    t = db.scalar(stmt)
    if t is None:
        raise NotFound("Không tìm thấy học viên.", code="trainee_not_found")
    return t


def _reload(db: Session, trainee_id: int) -> Trainee:
    """The trainee with what presenting it needs (its commune and province) loaded up front."""
    return db.scalar(select(Trainee).where(Trainee.id == trainee_id).execution_options(populate_existing=True)
                     .options(places.with_chain(selectinload(Trainee.unit))))


def own_record(db: Session, who: Principal, with_place: bool = True) -> Trainee | None:
    """The signed-in person's own trainee record (with its commune and province unless `with_place` is False)."""
    if who.user_id is None:
        return None
    stmt = select(Trainee).where(Trainee.user_id == who.user_id)
    if with_place:
        stmt = stmt.options(places.with_chain(selectinload(Trainee.unit)))
    return db.scalar(stmt)


def list_trainees(db: Session, who: Principal, filters: Filters, page: int = 1,
                  per_page: int = 50) -> tuple[list[Trainee], int]:
    stmt = _scoped(db, who, select(Trainee))
    if filters.q.strip():
        folded = fold(filters.q)
        stmt = stmt.where(Trainee.search_name.like(f"%{folded.replace('%', '').replace('_', ' ')}%"))
    if filters.unit:
        stmt = stmt.where(Trainee.unit_id.in_(places.unit_ids_within(db, places.get_by_key(db, filters.unit).id)))
    if filters.target_group:
        stmt = stmt.where(Trainee.target_group_code == filters.target_group)
    if filters.curriculum:
        stmt = stmt.where(Trainee.target_group_code.in_(eligible_group_codes(db, filters.curriculum)))
    if filters.status:
        stmt = stmt.where(Trainee.status == filters.status)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = (stmt.order_by(Trainee.search_name, Trainee.id).limit(per_page).offset((page - 1) * per_page)
            .options(places.with_chain(selectinload(Trainee.unit))))
    return list(db.scalars(stmt)), total


# --- writing ----------------------------------------------------------------------------------------------------


def _ensure_unit_in_scope(db: Session, who: Principal, unit_id: int, field_name: str = "commune") -> None:
    if not who.is_admin and not places.is_within(db, unit_id, who.unit_id):
        raise Forbidden("Xã/phường này nằm ngoài đơn vị bạn phụ trách.")


def _values(data: TraineeData) -> dict:
    values = {k: getattr(data, k) for k in DATA_FIELDS}
    values["search_name"] = fold(data.full_name)
    values["target_group_code"] = placement(data).target_group
    return values


def _invalid(errors: list[FieldError]) -> Invalid:
    first = errors[0]
    err = Invalid("invalid_trainee", "; ".join(e.message for e in errors), field=first.field)
    err.errors = errors  # type: ignore[attr-defined]
    return err


def parse_or_raise(db: Session, raw: dict) -> TraineeData:
    data, errors = parse(raw, UnitResolver(db), today())
    if errors:
        raise _invalid(errors)
    return data  # type: ignore[return-value]


def create_trainee(db: Session, who: Principal, data: TraineeData, *, status: str = TraineeStatus.ACTIVE,
                   user_id: int | None = None) -> Trainee:
    """Add one official; the citizen ID identifies a person, so a second record for it is a conflict."""
    if who.role not in (Role.ADMIN, Role.ORGANISER) and user_id is None:
        raise Forbidden()
    if user_id is None:
        _ensure_unit_in_scope(db, who, data.unit_id)
    if db.scalar(select(Trainee.id).where(Trainee.citizen_id == data.citizen_id)) is not None:
        raise Conflict("duplicate_citizen_id", "Số CCCD này đã có trong hệ thống.", field="citizen_id")
    t = Trainee(**_values(data), status=status, user_id=user_id)
    db.add(t)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:  # a concurrent request added the same person first
        raise Conflict("duplicate_citizen_id", "Số CCCD này đã có trong hệ thống.", field="citizen_id") from None
    audit.record(db, who, "trainee.create", "trainee", t.id, _audit_view(_values(data)) | {"status": status})
    return _reload(db, t.id)


def _audit_view(values: dict) -> dict:
    """Audit entries name which personal fields changed, never their values."""
    return {k: ("(đã thay đổi)" if k in PERSONAL_FIELDS else v) for k, v in values.items()
            if k in DATA_FIELDS or k == "target_group_code"}


def update_trainee(db: Session, who: Principal, trainee_id: int, data: TraineeData) -> Trainee:
    t = get_trainee(db, who, trainee_id)
    if not (who.is_admin or who.role == Role.ORGANISER):
        raise Forbidden()
    _ensure_unit_in_scope(db, who, data.unit_id)
    if data.citizen_id != t.citizen_id and db.scalar(
            select(Trainee.id).where(Trainee.citizen_id == data.citizen_id)) is not None:
        raise Conflict("duplicate_citizen_id", "Số CCCD này đã thuộc một học viên khác.", field="citizen_id")
    values = _values(data)
    changed = {k: v for k, v in values.items() if getattr(t, k) != v}
    for k, v in changed.items():
        setattr(t, k, v)
    if changed:
        db.flush()
        audit.record(db, who, "trainee.update", "trainee", t.id, _audit_view(changed))
    return _reload(db, t.id)


def update_own_contact(db: Session, who: Principal, phone: str, email: str) -> Trainee:
    """A person corrects their own phone and e-mail; other corrections go through an organiser."""
    t = own_record(db, who)
    if t is None:
        raise NotFound("Bạn chưa có hồ sơ học viên.", code="trainee_not_found")
    errors: list[FieldError] = []
    new_phone = None
    if phone.strip():
        try:
            new_phone = rules.normalise_phone(phone)
        except ValueError as err:
            errors.append(FieldError("phone", str(err)))
    new_email = email.strip().lower() or None
    if new_email and not EMAIL_RE.fullmatch(new_email):
        errors.append(FieldError("email", f"Email “{new_email}” không hợp lệ."))
    if errors:
        raise _invalid(errors)
    if (t.phone, t.email) != (new_phone, new_email):
        t.phone, t.email = new_phone, new_email
        audit.record(db, who, "trainee.update_own_contact", "trainee", t.id, {"phone": "(đã thay đổi)",
                                                                             "email": "(đã thay đổi)"})
    return t


def confirm(db: Session, who: Principal, trainee_id: int) -> Trainee:
    """An organiser confirms a person who signed up themselves."""
    t = get_trainee(db, who, trainee_id)
    if not (who.is_admin or who.role == Role.ORGANISER):
        raise Forbidden()
    if t.status != TraineeStatus.PENDING:
        raise Conflict("not_pending", "Học viên này đã được xác nhận.")
    t.status = TraineeStatus.ACTIVE
    audit.record(db, who, "trainee.confirm", "trainee", t.id, {"status": [TraineeStatus.PENDING, t.status]})
    return t


# --- import -----------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": [e.as_dict() for e in self.errors], "dry_run": self.dry_run,
                "imported": not self.dry_run and not self.errors}


def import_trainees(db: Session, who: Principal, content: bytes, *, dry_run: bool,
                    lawful_basis_confirmed: bool = False, filename: str = "") -> ImportReport:
    """All or nothing: any error anywhere imports no one. The citizen ID is the key, so importing the same file
    twice changes nothing."""
    report = ImportReport(dry_run=dry_run)
    table = read_table(content, get_settings().import_max_bytes)
    if table.errors:
        report.errors = table.errors
        return report
    resolver = UnitResolver(db)
    now = today()
    report.errors = list(table.formulas)
    formula_cells = {(e.row, e.column) for e in table.formulas}
    parsed: list[tuple[int, TraineeData]] = []
    seen: dict[str, int] = {}
    scope_ids = None if who.is_admin else set(db.scalars(places.unit_ids_within(db, who.unit_id)))
    for row, raw in table.rows:
        data, errors = parse(raw, resolver, now)
        report.errors += [RowError(row, COLUMN_BY_KEY[e.field].header, e.message) for e in errors
                          if (row, COLUMN_BY_KEY[e.field].header) not in formula_cells]
        if data is None:
            continue
        if data.citizen_id in seen:
            report.errors.append(RowError(row, COLUMN_BY_KEY["citizen_id"].header,
                                          f"Số CCCD trùng với dòng {seen[data.citizen_id]} trong tệp."))
            continue
        seen[data.citizen_id] = row
        if scope_ids is not None and data.unit_id not in scope_ids:
            report.errors.append(RowError(row, COLUMN_BY_KEY["commune"].header,
                                          "Xã/phường này nằm ngoài đơn vị bạn phụ trách."))
            continue
        parsed.append((row, data))
    existing: dict[str, Trainee] = {}
    ids = list(seen)
    for i in range(0, len(ids), 900):
        for t in db.scalars(select(Trainee).where(Trainee.citizen_id.in_(ids[i:i + 900]))):
            existing[t.citizen_id] = t
    to_insert, to_update = [], []
    for row, data in parsed:
        values = _values(data)
        current = existing.get(data.citizen_id)
        if current is None:
            to_insert.append(values)
        elif scope_ids is not None and current.unit_id not in scope_ids:
            report.errors.append(RowError(row, COLUMN_BY_KEY["citizen_id"].header,
                                          "Số CCCD này đã thuộc học viên của đơn vị khác; liên hệ tỉnh để chuyển."))
        elif any(getattr(current, k) != v for k, v in values.items()):
            to_update.append((current, values))
        else:
            report.unchanged += 1
    report.errors.sort(key=lambda e: (e.row, [c.header for c in COLUMNS].index(e.column)
                                      if e.column in {c.header for c in COLUMNS} else -1))
    report.created, report.updated = len(to_insert), len(to_update)
    if report.errors or dry_run:
        return report
    if not lawful_basis_confirmed:
        raise Invalid("lawful_basis_required", "Cần xác nhận căn cứ hợp pháp để xử lý dữ liệu cá nhân trước khi "
                      "nhập.", field="lawful_basis_confirmed")
    stamp = utcnow()
    for i in range(0, len(to_insert), 1000):
        db.execute(insert(Trainee), [{**v, "status": TraineeStatus.ACTIVE, "created_at": stamp, "updated_at": stamp,
                                      "commune_categories": v["commune_categories"]} for v in to_insert[i:i + 1000]])
    for current, values in to_update:
        db.execute(update(Trainee).where(Trainee.id == current.id).values(**values, updated_at=stamp))
    audit.record(db, who, "trainee.import", "trainee", None,
                 {"file": filename[:200], "created": report.created, "updated": report.updated,
                  "unchanged": report.unchanged, "lawful_basis_confirmed": True})
    return report


# --- export -----------------------------------------------------------------------------------------------------


MASK_SHOWN_DIGITS = 2


def mask_citizen_id(value: str) -> str:
    """The citizen ID as those who may not see it are shown it: its last two digits only.

    A CCCD is province of birth (3 digits), century and sex (1), year of birth (2), then 6 serial digits. Birth year
    and sex are shown beside the masked number and the province is often the commune's, so the first six digits are
    as good as known; showing four more digits left 100 candidates to try, two leave 10,000 (docs/security.md)."""
    return "•" * (len(value) - MASK_SHOWN_DIGITS) + value[-MASK_SHOWN_DIGITS:]


def mask_phone(value: str | None) -> str | None:
    return None if not value else value[:3] + "•" * (len(value) - 5) + value[-2:]


def export_xlsx(db: Session, who: Principal, filters: Filters) -> bytes:
    """The filtered list as .xlsx. Personal data appears only for people the caller may see; cells are safe."""
    rows, _ = list_trainees(db, who, filters, page=1, per_page=100_000)
    groups = {g.code: g.name_vi for g in db.scalars(select(TargetGroup))}
    wb = Workbook()
    ws = wb.active
    ws.title = "Học viên"
    headers = [c.header for c in COLUMNS if c.key != "province"] + ["Nhóm đối tượng", "Trạng thái"]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    shown_sensitive = 0
    may_see = personal_access(db, who)
    for t in rows:
        visible = may_see(t)
        shown_sensitive += visible
        choice = lambda options, code: (reference.by_code(options, code).vi if code else "")  # noqa: E731
        ws.append([safe_cell(v) for v in [
            t.full_name, choice(reference.SEXES, t.sex),
            t.birth_date.strftime("%d/%m/%Y") if visible else "••/••/" + str(t.birth_date.year),
            choice(reference.ETHNICITIES, t.ethnicity) if visible else "••",
            t.citizen_id if visible else mask_citizen_id(t.citizen_id),
            (t.phone if visible else mask_phone(t.phone)) or "", (t.email or "") if visible else "",
            choice(reference.POSITIONS, t.position), choice(reference.ORGANISATION_TYPES, t.organisation_type),
            places.path_label(t.unit), "Có" if t.in_charge_of_radio else "Không",
            ", ".join(reference.by_code(reference.COMMUNE_CATEGORIES, c).vi for c in t.commune_categories or []),
            groups.get(t.target_group_code or "", ""),
            "Chờ xác nhận" if t.status == TraineeStatus.PENDING else "Đã xác nhận"]])
    audit.record(db, who, "trainee.export", "trainee", None,
                 {"rows": len(rows), "with_personal_data": shown_sensitive, "filters": filters.__dict__})
    return to_bytes(wb)


def record_sensitive_view(db: Session, who: Principal, t: Trainee) -> None:
    """Ethnicity is sensitive: keep a trace whenever staff open a record that shows it."""
    if who.user_id is not None and t.user_id != who.user_id:
        audit.record(db, who, "trainee.view_personal", "trainee", t.id)


def field_errors(err: DomainError) -> list[dict]:
    """Every field problem of a refused trainee, for forms that mark each field."""
    errors = getattr(err, "errors", None)
    if errors:
        return [{"field": e.field, "message": e.message} for e in errors]
    return [{"field": err.field, "message": err.message}]
