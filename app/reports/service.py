"""The indicators the province reports every six months, computed by the database.

Every figure is an aggregate query (SQLAlchemy Core): the rows never come to Python. The people figures come from
one statement: a materialised set of the enrolments that count (one row each, with the facts a breakdown needs)
and one GROUP BY over it per breakdown, joined with UNION ALL, so that the expensive part (which enrolments
attended, which hold a certificate) is worked out once per page.

Two kinds of figures, and the place each counts under:
- **courses held and their budget** count under the unit that *organised* the course;
- **people figures** (trainee-attendances, distinct officials, completions, certificates, the culture-social
  official share, the breakdowns) count under the commune where the *official* is registered.
Units from before the 1 July 2025 reform count under today's province and commune (``AdminUnit.current_province_id``
and ``current_commune_id``) and keep their old names where they are listed (the organising units).
Scoping goes through ``app.places.service.unit_ids_within``, the one choke point of "who may see what".
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    distinct,
    extract,
    func,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app import audit
from app.attendance.models import AttendanceMark
from app.auth.models import Role
from app.auth.principal import Principal
from app.auth.scope import may_manage_course
from app.courses import programmes
from app.courses.models import BudgetLine, Course, CourseSession, Programme
from app.curricula.models import Curriculum, CurriculumVersion, TargetGroup
from app.enrolment import results
from app.enrolment.models import Enrolment
from app.enrolment.models import EnrolmentFact as Fact
from app.errors import Forbidden, Invalid, NotFound
from app.i18n import N_
from app.media.models import MediaBudgetLine, MediaProduct, MediaTopic
from app.people.reference import COMMUNE_CATEGORIES
from app.places import service as places
from app.places.models import AdminUnit, Era, Level
from app.reports import rules

CVH_POSITION = "cong_chuc_vhxh"
CATEGORY_CODES = tuple(c.code for c in COMMUNE_CATEGORIES)
NATIONAL = N_("Toàn quốc")
MEASURES = ("enrolled", "attendances", "officials", "completions", "certificates", "cvh_communes")


@dataclass(frozen=True)
class Filters:
    """What the caller asked for: the period, and optionally a curriculum, a target group, a place (a unit key
    inside their own scope) and a programme (its code)."""

    period: rules.Period
    curriculum: str | None = None
    target_group: str | None = None
    place: str | None = None
    programme: str | None = None

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters as URL parameters (for links that keep them, such as the drill-down)."""
        values = {"period": self.period.key, "curriculum": self.curriculum or "",
                  "target_group": self.target_group or "", "place": self.place or "",
                  "programme": self.programme or ""}
        values.update({k: v or "" for k, v in changes.items()})
        # The period stays even when empty: "" is "all time", while a link without it gets the default year.
        return {k: v for k, v in values.items() if v or k == "period"}


def make_filters(period: str = "", date_from: date | None = None, date_to: date | None = None,
                 curriculum: str = "", target_group: str = "", place: str = "", programme: str = "") -> Filters:
    """Filters from request parameters; bad input is a 422 naming the field (an unknown programme: `check`)."""
    try:
        p = rules.period_between(date_from, date_to) if (date_from or date_to) else rules.parse_period(period)
    except ValueError as err:
        raise Invalid("period_invalid", str(err), field="period") from None
    return Filters(p, (curriculum or "").strip().upper() or None, (target_group or "").strip() or None,
                   (place or "").strip() or None, (programme or "").strip().upper() or None)


def check(db: Session, f: Filters) -> Filters:
    """The filters that need the database to be checked: an unknown programme is a 422 naming the field."""
    if f.programme:
        programmes.by_code(db, f.programme)
    return f


@dataclass(frozen=True)
class Scope:
    """Where the report looks: a unit (None = the whole country), what its rows are, and the unit ids inside."""

    unit: AdminUnit | None
    child: str  # "province", "commune" or "course": what the place table lists
    ids: list[int] | None  # unit ids within the scope; None = everywhere

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else NATIONAL

    @property
    def key(self) -> str:
        return self.unit.key if self.unit else ""


def resolve_scope(db: Session, who: Principal, place: str | None) -> Scope:
    """The caller's own unit (the whole country for an admin) or a place inside it; a place outside it is 404,
    like any record out of scope."""
    if who.role not in (Role.ADMIN, Role.ORGANISER):
        raise Forbidden("Chỉ quản trị và cán bộ tổ chức mới xem được báo cáo.")
    if place:
        unit = places.get_by_key(db, place)
        if not who.is_admin and not places.is_within(db, unit.id, who.unit_id):
            raise NotFound(f"Không tìm thấy đơn vị hành chính “{place}”.", code="unit_not_found")
    elif who.is_admin:
        return Scope(None, "province", None)
    else:
        unit = db.get(AdminUnit, who.unit_id) if who.unit_id is not None else None
        if unit is None:
            raise Forbidden("Tài khoản chưa được gắn với đơn vị nào nên chưa xem được báo cáo.")
    if unit.level == Level.COMMUNE:
        child = "course"
    elif unit.era == Era.CURRENT or unit.level in (Level.PROVINCE, Level.DISTRICT):
        child = "commune"
    else:
        child = "course"
    return Scope(unit, child, _ids_within(db, unit.id))


def _ids_within(db: Session, unit_id: int | None) -> list[int]:
    """The scope's unit ids as values, read once: PostgreSQL then sees how few officials a commune has (with the
    subquery it guessed half the country, and read every attendance mark to answer for 85 enrolments)."""
    return list(db.scalars(places.unit_ids_within(db, unit_id)))


# --- the people figures --------------------------------------------------------------------------------------------


def _half(col: ColumnElement) -> ColumnElement:
    return cast(extract("year", col), Integer) * 10 + case((cast(extract("month", col), Integer) <= 6, 1), else_=2)


def _in_period(col: ColumnElement, period: rules.Period) -> list[ColumnElement]:
    out = []
    if period.start:
        out.append(col >= period.start)
    if period.end:
        out.append(col <= period.end)
    return out


def _seats(stmt, scope: Scope, f: Filters, course_id: int | None, trainee_scope: list[int] | None):  # noqa: ANN001, ANN202
    """The conditions of a counted seat: on a course held in the period, of an official in the scope *when they were
    trained* (the enrolment's facts, app.enrolment.facts: a later move or change does not move past figures)."""
    stmt = (stmt.join(Course, Course.id == Enrolment.course_id)
            .join(CurriculumVersion, CurriculumVersion.id == Course.curriculum_version_id)
            .join(Fact, Fact.enrolment_id == Enrolment.id)
            .where(Course.status.in_(rules.HELD_STATUSES), *_in_period(Course.start_date, f.period)))
    if course_id is not None:
        stmt = stmt.where(Enrolment.course_id == course_id)
    if scope.ids is not None:
        stmt = stmt.where(Fact.unit_id.in_(scope.ids))
    if trainee_scope is not None:
        stmt = stmt.where(Fact.unit_id.in_(trainee_scope))
    if f.curriculum:
        stmt = stmt.where(CurriculumVersion.curriculum_code == f.curriculum)
    if f.target_group:
        stmt = stmt.where(Fact.target_group_code == f.target_group)
    if f.programme:
        stmt = stmt.where(Course.programme_id == select(Programme.id).where(Programme.code == f.programme)
                          .scalar_subquery())
    return stmt


def _facts() -> list[ColumnElement]:
    """The facts of a counted seat a breakdown groups by, as recorded with the enrolment: target group, sex, ethnic
    minority or not, the commune programme categories, culture-social civil servant or not, and the unit."""
    return [Fact.target_group_code.label("target_group"), Fact.sex.label("sex"),
            case((Fact.ethnic_minority, 1), else_=0).label("minority"),
            cast(Fact.commune_categories, String).label("categories"),  # read per official, not per seat
            case((Fact.position == CVH_POSITION, 1), else_=0).label("cvh"), Fact.unit_id.label("unit_id")]


def people_base(scope: Scope, f: Filters, course_id: int | None = None,  # noqa: ANN201
                trainee_scope: list[int] | None = None):
    """One row per enrolment that held a seat on a course held in the period: the official, the course, its
    curriculum and half year, and whether the seat attended, completed and holds a valid certificate."""
    # The results come from the enrolment itself (app.enrolment.results keeps them as marks and certificates are
    # written): a completion is an attendance, and so is a present or late mark at one session.
    stmt = (select(Enrolment.id.label("enrolment_id"), Enrolment.trainee_id, Enrolment.course_id,
                   CurriculumVersion.curriculum_code.label("curriculum"), _half(Course.start_date).label("half"),
                   Course.programme_id.label("programme"), *_facts(),
                   case((Enrolment.status == "completed", 1), (Enrolment.marked_present, 1), else_=0).label("attended"),
                   case((Enrolment.status == "completed", 1), else_=0).label("completed"),
                   case((Enrolment.certified, 1), else_=0).label("certified"))
            .select_from(Enrolment)
            .where(Enrolment.status.in_(rules.SEAT_STATUSES)))
    return _seats(stmt, scope, f, course_id, trainee_scope).cte("base").prefix_with("MATERIALIZED")


def _dim(name: str) -> ColumnElement:
    return literal_column(f"'{name}'", String).label("dim")  # constants of this module, never input


PER_ENROLMENT = frozenset({"curriculum", "half", "course_id", "programme"})
"""Breakdowns by a fact of the course (its curriculum, half year, programme); the others group by facts of the
official recorded with each enrolment, which can also differ between two enrolments of one official (a move)."""
FACT_KEYS = ("target_group", "sex", "minority", "categories", "cvh", "unit_id")


def _per_official(base, *keys: ColumnElement, masks: dict[str, ColumnElement] | None = None):  # noqa: ANN001, ANN202
    """The counted enrolments added up per official (and per key): seats, attendances, completions, certificates,
    and whether the official attended anything (1/0), which is what a count of distinct officials adds up; and
    `masks`, aggregates named (``_masks``)."""
    c = base.c
    marks = [agg.label(name) for name, agg in (masks or {}).items()]
    return (select(c.trainee_id, *keys, func.count().label("enrolled"), func.sum(c.attended).label("attendances"),
                   func.max(c.attended).label("attended"), func.sum(c.completed).label("completions"),
                   func.sum(c.certified).label("certificates"), *marks)
            .group_by(c.trainee_id, *keys).subquery())


def _per_course(base):  # noqa: ANN001, ANN202
    """The counted enrolments added up per course, with the course's curriculum, half year and programme: a few
    thousand rows, from which the breakdowns by a key of the course add up their seats, attendances, completions and
    certificates without sorting the seats. An official holds one seat per course at most, so a course's attended
    seats are its distinct officials."""
    c = base.c
    return (select(c.course_id, c.curriculum, c.half, c.programme, func.count().label("enrolled"),
                   func.sum(c.attended).label("attendances"), func.sum(c.completed).label("completions"),
                   func.sum(c.certified).label("certificates"))
            .group_by(c.course_id, c.curriculum, c.half, c.programme)
            .cte("per_course").prefix_with("MATERIALIZED"))


def _is(col: ColumnElement, value: Any) -> ColumnElement:  # noqa: ANN401
    return col.is_(None) if value is None else col == value


BITS = 60  # values per mask, within a bigint's 63 bits


@dataclass(frozen=True)
class Bit:
    """Value `value` of the key `column` of a seat is bit `bit` of the officials' mask `mask`."""

    column: str
    value: Any
    mask: str
    bit: int


def _bits(values: dict[str, list]) -> list[Bit]:
    return [Bit(col, v, f"m_{col}_{i // BITS}", i % BITS) for col, vs in values.items() for i, v in enumerate(vs)]


def _masks(base, bits: list[Bit], dialect: str) -> dict[str, ColumnElement]:  # noqa: ANN001
    """Per official, which values of the keys of the course they attended a seat with, as bits of an integer: one
    aggregate per key (PostgreSQL's bit_or) rather than one per value, which would cost the per-official sums as
    much again nationwide. SQLite has no bit_or: there, one max per value, added up into the same integer."""
    c = base.c
    out: dict[str, ColumnElement] = {}
    for mask in dict.fromkeys(b.mask for b in bits):
        mine = [b for b in bits if b.mask == mask]
        col = getattr(c, mine[0].column)
        if dialect == "postgresql":
            seat = case(*[(_is(col, b.value), literal_column(str(1 << b.bit), BigInteger)) for b in mine],
                        else_=literal_column("0", BigInteger))
            out[mask] = func.bit_or(seat * c.attended)
        else:
            out[mask] = sum((func.max(case((_is(col, b.value), c.attended), else_=0)) * (1 << b.bit) for b in mine),
                            start=literal_column("0", BigInteger))
    return out


def _has(mask: ColumnElement, bit: int) -> ColumnElement:
    return mask.op(">>")(bit).op("&")(1)


def _per_key(base, name: str, key: ColumnElement, per_course, flags):  # noqa: ANN001, ANN202
    """A breakdown by a key of the enrolment (curriculum, half year, programme, course) without a distinct count
    over the seats: the seats and results added up from the per-course rows, and the officials who attended a seat
    with a key's value counted once, earlier, from their flags (`flags`: {value: a scalar subquery of that count});
    per course, the attended seats are the officials."""
    pc = per_course.c
    col = getattr(pc, key.key)
    if flags is None:
        officials = func.coalesce(func.sum(pc.attendances), 0)
    else:
        officials = case(*[(_is(col, v), n) for v, n in flags.items()], else_=0) if flags else literal_column("0")
    return (select(_dim(name), cast(col, String).label("key"), func.coalesce(func.sum(pc.enrolled), 0)
                   .label("enrolled"), func.coalesce(func.sum(pc.attendances), 0).label("attendances"),
                   officials.label("officials"), func.coalesce(func.sum(pc.completions), 0).label("completions"),
                   func.coalesce(func.sum(pc.certificates), 0).label("certificates"),
                   literal_column("0", Integer).label("cvh_communes"))
            .group_by(col))


def _officials(base, masks: dict[str, ColumnElement]):  # noqa: ANN001, ANN202
    """One row per official and set of facts in the counted set (one row per official unless their facts changed
    between two courses), with their sums, their `masks` and the facts a breakdown groups by, and today's province
    and commune of the unit they were registered at when trained."""
    sums = _per_official(base, *[getattr(base.c, k) for k in FACT_KEYS], masks=masks)
    unit = aliased(AdminUnit)
    stmt = (select(sums, *[case((sums.c.categories.like(f'%"{c}"%'), 1), else_=0).label(f"cat_{c}")
                           for c in CATEGORY_CODES],
                   unit.current_province_id.label("province_id"), unit.current_commune_id.label("commune_id"))
            .join(unit, unit.id == sums.c.unit_id))
    return stmt.cte("officials").prefix_with("MATERIALIZED")


def _split(officials):  # noqa: ANN001, ANN202
    """The officials' rows in two sets: of the officials with one row, which add up as they are, and of the few
    with more (their facts changed between two courses), which are added up per official again. Two sets rather
    than a count of rows per official (a window, which sorts the rows) tested by every breakdown."""
    o = officials.c
    moved_ids = select(o.trainee_id).group_by(o.trainee_id).having(func.count() > 1)
    moved = select(officials).where(o.trainee_id.in_(moved_ids)).cte("moved").prefix_with("MATERIALIZED")
    single = (select(officials).where(o.trainee_id.not_in(select(moved.c.trainee_id))).cte("single")
              .prefix_with("MATERIALIZED"))
    return single, moved


def _per_official_again(officials, key: ColumnElement | None, where: ColumnElement | None = None):  # noqa: ANN001, ANN202
    """The officials' rows (of `_split`'s moved set) added up once more per official (and key): an official whose
    facts changed between two courses has two rows, and counts once under a key they share."""
    o = officials.c
    keys = [] if key is None else [key.label("k")]
    stmt = select(o.trainee_id, *keys, func.sum(o.enrolled).label("enrolled"),
                  func.sum(o.attendances).label("attendances"), func.max(o.attended).label("attended"),
                  func.sum(o.completions).label("completions"), func.sum(o.certificates).label("certificates"))
    if where is not None:
        stmt = stmt.where(where)
    return stmt.group_by(o.trainee_id, *([] if key is None else [key])).subquery()


def course_keys(db: Session, f: Filters) -> dict[str, list]:
    """Every value the people figures can break down by, read first so that the statement that counts the
    officials can name them: the curricula (the one asked for), the programmes (the one asked for; none, for a
    course without one) and the half years from the first to the last start of a course held in the period. More
    values than occur cost nothing but a bit each; one missing would count its officials as none."""
    held = [Course.status.in_(rules.HELD_STATUSES), *_in_period(Course.start_date, f.period)]
    first, last, undated = db.execute(select(func.min(Course.start_date), func.max(Course.start_date),
                                             func.count() - func.count(Course.start_date)).where(*held)).one()
    curricula = select(CurriculumVersion.curriculum_code).distinct()
    if f.curriculum:
        curricula = curricula.where(CurriculumVersion.curriculum_code == f.curriculum)
    programme_ids = select(Programme.id)
    if f.programme:
        programme_ids = programme_ids.where(Programme.code == f.programme)
    return {"curriculum": sorted(db.scalars(curricula)),
            "half": [*rules.halves_between(first, last), *([None] if undated else [])],
            "programme": [*sorted(db.scalars(programme_ids)), *([] if f.programme else [None])]}


def _bit_counts(single, moved, bits: list[Bit]):  # noqa: ANN001, ANN202
    """How many officials attended a seat with each value (one row, a column per bit): an official whose facts
    changed between two courses has two rows (`moved`), and counts once."""
    s, m = single.c, moved.c
    names = [f"b{i}" for i in range(len(bits))]
    rows = union_all(
        select(*[_has(getattr(s, b.mask), b.bit).label(n) for b, n in zip(bits, names, strict=True)]),
        select(*[func.max(_has(getattr(m, b.mask), b.bit)).label(n) for b, n in zip(bits, names, strict=True)])
        .group_by(m.trainee_id)).subquery()
    return select(*[func.coalesce(func.sum(getattr(rows.c, n)), 0).label(n) for n in names]).cte("bit_counts")


def _people_figures(db: Session, base, dims: dict[str, str | None],
                    values: dict[str, list] | None = None) -> dict[str, dict[Any, dict]]:
    """{dim: {key: {measure: n}}} for the breakdowns asked for, each named by what it groups by (None: the total;
    "category": the commune programme categories, one branch each), in one statement over the materialised set.

    No breakdown sorts the country's enrolments for a distinct count. The enrolments are first added up per
    official (a hash aggregate); a breakdown by a fact of the official (target group, sex, ethnicity, category,
    place) then adds up those rows, where "officials" is the sum of the attended flags. A breakdown whose key can
    change between enrolments (curriculum, half, programme) adds up the per-course rows, and its distinct officials
    are the officials flagged for each of its `values` (the values the key may take in the period, read before):
    ``_per_key``.
    """
    values = values or {}
    per_key = [c for c in dims.values() if c in PER_ENROLMENT]
    if missing := [c for c in per_key if c != "course_id" and c not in values]:
        raise ValueError(f"the values of {missing} are needed to count their officials (course_keys)")
    bits = _bits({c: values.get(c, []) for c in per_key if c != "course_id"})
    officials = _officials(base, _masks(base, bits, db.get_bind().dialect.name))
    single, moved = _split(officials)
    per_course = _per_course(base) if per_key else None
    counts = _bit_counts(single, moved, bits) if bits else None

    def measures(rows, cvh: bool) -> list[ColumnElement]:  # noqa: ANN001
        r = rows.c
        communes = (func.count(distinct(case((and_(r.attended == 1, r.cvh == 1), r.commune_id)))) if cvh
                    else literal_column("0", Integer))
        return [func.coalesce(func.sum(r.enrolled), 0).label("enrolled"),
                func.coalesce(func.sum(r.attendances), 0).label("attendances"),
                func.coalesce(func.sum(r.attended), 0).label("officials"),
                func.coalesce(func.sum(r.completions), 0).label("completions"),
                func.coalesce(func.sum(r.certificates), 0).label("certificates"), communes.label("cvh_communes")]

    def communes_only(name: str, key: ColumnElement | None) -> Any:  # noqa: ANN401
        """The culture-social share's communes (a distinct count: the officials' rows as they are)."""
        zero = [literal_column("0", Integer).label(m) for m in MEASURES[:-1]]
        key_col = literal_column("''", String) if key is None else cast(key, String)
        stmt = select(_dim(name), key_col.label("key"), *zero, measures(officials, cvh=True)[-1])
        return stmt if key is None else stmt.group_by(key)

    o, s = officials.c, single.c

    def by_fact(name: str, key: str | None, where: Callable[[Any], ColumnElement] | None = None,
                code: str = "") -> list:
        """A breakdown by a fact of the official (`key`, a column of the officials' rows; `where` picks rows by
        their columns): the officials with one row add up as they are; the few whose facts changed between two
        courses are added up per official first, so that each counts once per key."""
        # `code`: a constant of this module (a category code, or "" for the total), never input
        one = select(_dim(name), (literal_column(f"'{code}'", String) if key is None else cast(getattr(s, key), String))
                     .label("key"), *measures(single, cvh=False))
        if where is not None:
            one = one.where(where(s))
        pairs = _per_official_again(moved, None if key is None else getattr(moved.c, key),
                                    None if where is None else where(moved.c))
        again = select(_dim(name), (literal_column(f"'{code}'", String) if key is None else cast(pairs.c.k, String))
                       .label("key"), *measures(pairs, cvh=False))
        if key is not None:
            one, again = one.group_by(getattr(s, key)), again.group_by(pairs.c.k)
        return [one, again]

    branches = []
    for name, column in dims.items():
        if name == "category":
            for code in (*CATEGORY_CODES, "none"):
                def where(r, code: str = code) -> ColumnElement:  # noqa: ANN001
                    return (and_(*[getattr(r, f"cat_{c}") == 0 for c in CATEGORY_CODES]) if code == "none"
                            else getattr(r, f"cat_{code}") == 1)
                branches += by_fact(name, None, where, code)
        elif column is None:
            branches += [*by_fact(name, None), communes_only(name, None)]
        elif column in PER_ENROLMENT:
            flags = None if column == "course_id" else {
                b.value: select(getattr(counts.c, f"b{i}")).scalar_subquery()
                for i, b in enumerate(bits) if b.column == column}
            branches.append(_per_key(base, name, getattr(base.c, column), per_course, flags))
        else:
            branches += by_fact(name, column)
            if column in ("province_id", "commune_id"):
                branches.append(communes_only(name, getattr(o, column)))
    out: dict[str, dict[Any, dict]] = {name: {} for name in dims}
    with _gathering_seats(db):
        rows = db.execute(union_all(*branches)).mappings().all()
    for row in rows:
        # a place's culture-social communes come in a row of their own: added to its other figures
        into = out[row["dim"]].setdefault(row["key"], dict.fromkeys(MEASURES, 0))
        for m in MEASURES:
            into[m] += int(row[m] or 0)
    return out


# --- courses, budget, media ----------------------------------------------------------------------------------------


def courses_base(scope: Scope, f: Filters):  # noqa: ANN202
    unit = aliased(AdminUnit)
    stmt = (select(Course.id.label("course_id"), Course.unit_id, CurriculumVersion.curriculum_code.label("curriculum"),
                   _half(Course.start_date).label("half"), Course.programme_id.label("programme"),
                   unit.current_province_id.label("province_id"),
                   unit.current_commune_id.label("commune_id"))
            .select_from(Course)
            .join(CurriculumVersion, CurriculumVersion.id == Course.curriculum_version_id)
            .join(unit, unit.id == Course.unit_id)
            .where(Course.status.in_(rules.HELD_STATUSES), *_in_period(Course.start_date, f.period)))
    if scope.ids is not None:
        stmt = stmt.where(Course.unit_id.in_(scope.ids))
    if f.curriculum:
        stmt = stmt.where(CurriculumVersion.curriculum_code == f.curriculum)
    if f.programme:
        stmt = stmt.where(Course.programme_id == select(Programme.id).where(Programme.code == f.programme)
                          .scalar_subquery())
    if f.target_group:
        # A course counts for a target group when an official of that group (when trained) attended it.
        stmt = stmt.where(select(Enrolment.id).join(Fact, Fact.enrolment_id == Enrolment.id).where(
            Enrolment.course_id == Course.id, Enrolment.status.in_(rules.SEAT_STATUSES),
            Fact.target_group_code == f.target_group).exists())
    return stmt.cte("courses").prefix_with("MATERIALIZED")


def _course_figures(db: Session, base, dims: dict[str, ColumnElement | None]) -> dict[str, dict[Any, int]]:
    branches = []
    for name, col in dims.items():
        if col is None:
            branches.append(select(_dim(name), literal_column("''", String).label("key"),
                                   func.count().label("n")).select_from(base))
        else:
            branches.append(select(_dim(name), cast(col, String).label("key"), func.count().label("n"))
                            .group_by(col))
    out: dict[str, dict[Any, int]] = {name: {} for name in dims}
    for row in db.execute(union_all(*branches)).mappings():
        out[row["dim"]][row["key"]] = int(row["n"])
    return out


@dataclass
class BudgetRow:
    key: str
    planned: Decimal
    spent: Decimal
    rate: Decimal | None


def _budget(db: Session, line, owner_ids) -> dict[str, list[BudgetRow]]:  # noqa: ANN001
    """Planned against spent by category and by funding source (spent: the actual amounts recorded so far), and in
    all: one statement, so that the lines in scope (and the courses they belong to) are found once."""
    lines = (select(line.category.label("category"), line.funding_source.label("source"),
                    line.planned_amount.label("planned"), line.actual_amount.label("spent"))
             .where(owner_ids).cte("lines"))
    c = lines.c

    def sums(dim: str, key: ColumnElement):  # noqa: ANN202
        return select(_dim(dim), key.label("key"), func.coalesce(func.sum(c.planned), 0).label("planned"),
                      func.coalesce(func.sum(c.spent), 0).label("spent"))

    stmt = union_all(sums("category", c.category).group_by(c.category),
                     sums("source", c.source).group_by(c.source),
                     sums("total", literal_column("''", String)))
    out: dict[str, list[BudgetRow]] = {"category": [], "source": [], "total": []}
    for r in db.execute(stmt.order_by(text("dim"), text("key"))):
        out[r.dim].append(BudgetRow(r.key, Decimal(r.planned), Decimal(r.spent), rules.rate(r.spent, r.planned)))
    return out


def _media_filter(scope: Scope, f: Filters) -> list[ColumnElement]:
    cond = [MediaProduct.deleted_at.is_(None), *_in_period(MediaProduct.produced_on, f.period)]
    if scope.ids is not None:
        cond.append(MediaProduct.unit_id.in_(scope.ids))
    return cond


@dataclass
class MediaFigures:
    products: int = 0
    published: int = 0
    rebroadcasts: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_topic: dict[str, int] = field(default_factory=dict)
    by_place: dict[str, int] = field(default_factory=dict)
    budget: dict[str, list[BudgetRow]] = field(default_factory=dict)


def _media(db: Session, scope: Scope, f: Filters) -> MediaFigures:
    cond = _media_filter(scope, f)
    m = MediaFigures()
    total = db.execute(select(func.count(), func.count(MediaProduct.published_on),
                              func.coalesce(func.sum(MediaProduct.rebroadcast_count), 0)).where(*cond)).one()
    m.products, m.published, m.rebroadcasts = int(total[0]), int(total[1]), int(total[2])
    m.by_kind = {k: int(n) for k, n in db.execute(select(MediaProduct.kind, func.count()).where(*cond)
                                                  .group_by(MediaProduct.kind))}
    m.by_topic = {k: int(n) for k, n in db.execute(
        select(MediaTopic.topic, func.count()).join(MediaProduct, MediaProduct.id == MediaTopic.media_id)
        .where(*cond).group_by(MediaTopic.topic))}
    child = {"province": AdminUnit.current_province_id, "commune": AdminUnit.current_commune_id}.get(scope.child)
    if child is not None:
        m.by_place = {str(k): int(n) for k, n in db.execute(
            select(child, func.count()).select_from(MediaProduct).join(AdminUnit, AdminUnit.id == MediaProduct.unit_id)
            .where(*cond)
            .group_by(child))}
    ids = select(MediaProduct.id).where(*cond)
    m.budget = _budget(db, MediaBudgetLine, MediaBudgetLine.media_id.in_(ids))
    return m


# --- the report ------------------------------------------------------------------------------------------------


@dataclass
class PlaceRow:
    key: str  # unit key for a place (link to its report), course id for a course
    name: str
    figures: dict[str, int]
    courses_held: int = 0
    communes: int = 0  # for a province: its communes (denominator of the culture-social share)
    media: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cvh_share(self) -> Decimal | None:
        return rules.share(self.figures.get("cvh_communes", 0), self.communes)


@dataclass
class Report:
    scope: Scope
    filters: Filters
    totals: dict[str, int]
    courses_held: int
    communes: int
    by_curriculum: list[tuple[str, str, dict[str, int], int]]  # code, title, people figures, courses held
    by_group: list[tuple[str, str, dict[str, int]]]
    by_half: list[tuple[int, dict[str, int], int]]
    by_sex: list[tuple[str, dict[str, int]]]
    by_minority: rules.Suppressed
    by_category: list[tuple[str, dict[str, int]]]
    places: list[PlaceRow]
    by_programme: list[tuple[Programme, dict[str, int], int]]  # programme, people figures, courses held
    organisers: list[tuple[str, str, int]]  # unit key, name as it was (and today's province), courses held
    budget: dict[str, list[BudgetRow]]
    media: MediaFigures

    @property
    def cvh_share(self) -> Decimal | None:
        return rules.share(self.totals.get("cvh_communes", 0), self.communes)


def _zero() -> dict[str, int]:
    return dict.fromkeys(MEASURES, 0)


def _communes_in(db: Session, scope: Scope) -> int:
    """How many of today's communes the scope covers (the denominator of the culture-social official share)."""
    if scope.ids is None:
        return int(db.scalar(select(func.count()).select_from(AdminUnit).where(
            AdminUnit.era == Era.CURRENT, AdminUnit.level == Level.COMMUNE)) or 0)
    return int(db.scalar(select(func.count(distinct(AdminUnit.current_commune_id))).where(
        AdminUnit.id.in_(scope.ids))) or 0)


def _labels(db: Session) -> tuple[dict[str, str], dict[str, str]]:
    curricula = {k: v for k, v in db.execute(select(Curriculum.code, CurriculumVersion.title_vi).join(
        CurriculumVersion, CurriculumVersion.id == Curriculum.latest_version_id))}
    groups = {k: v for k, v in db.execute(select(TargetGroup.code, TargetGroup.name_vi))}
    return curricula, groups


def unit_label(unit: AdminUnit, province: AdminUnit | None) -> str:
    """A unit under the name it had, with today's province when it is a unit from before the reform."""
    if unit.era == Era.FORMER and province is not None:
        return f"{unit.name} (trước 1/7/2025; nay thuộc {province.name})"
    return unit.name


def _place_rows(db: Session, scope: Scope, people: dict[Any, dict], held: dict[Any, int],
                media: dict[str, int]) -> list[PlaceRow]:
    if scope.child == "province":
        units = db.execute(select(AdminUnit.id, AdminUnit.code, AdminUnit.name).where(
            AdminUnit.era == Era.CURRENT, AdminUnit.level == Level.PROVINCE).order_by(AdminUnit.code)).all()
        communes = {k: v for k, v in db.execute(select(AdminUnit.current_province_id, func.count()).where(
            AdminUnit.era == Era.CURRENT, AdminUnit.level == Level.COMMUNE).group_by(AdminUnit.current_province_id))}
        return [PlaceRow(code, name, people.get(str(uid), _zero()), held.get(str(uid), 0), int(communes.get(uid, 0)),
                         media.get(str(uid), 0)) for uid, code, name in units]
    if scope.child == "commune":
        ids = select(AdminUnit.current_commune_id).where(AdminUnit.id.in_(scope.ids))
        units = db.execute(select(AdminUnit.id, AdminUnit.code, AdminUnit.name).where(AdminUnit.id.in_(ids))
                           .order_by(AdminUnit.search_name)).all()
        return [PlaceRow(code, name, people.get(str(uid), _zero()), held.get(str(uid), 0), 1, media.get(str(uid), 0))
                for uid, code, name in units]
    # A commune's report lists the courses its officials attended, wherever they were organised.
    ids = [int(k) for k in people if k is not None]
    if not ids:
        return []
    rows = db.execute(select(Course.id, Course.code, Course.title, Course.start_date, AdminUnit.name)
                      .join(AdminUnit, AdminUnit.id == Course.unit_id).where(Course.id.in_(ids))
                      .order_by(Course.start_date.desc(), Course.id)).all()
    return [PlaceRow(str(cid), f"{code} — {title}", people[str(cid)], extra={"start_date": start, "organiser": uname})
            for cid, code, title, start, uname in rows]


def _organisers(db: Session, counts: dict[Any, int]) -> list[tuple[str, str, int]]:
    ids = [int(k) for k in counts if k is not None]
    if not ids:
        return []
    province = aliased(AdminUnit)
    rows = db.execute(select(AdminUnit, province).outerjoin(province, province.id == AdminUnit.current_province_id)
                      .where(AdminUnit.id.in_(ids))).all()
    out = [(u.key, unit_label(u, p), counts[str(u.id)]) for u, p in rows]
    return sorted(out, key=lambda r: (-r[2], r[1]))


@contextmanager
def _gathering_seats(db: Session) -> Iterator[None]:
    """PostgreSQL may read and join the counted seats with two workers, for this statement only.

    By default the planner prices passing each seat back from a worker at 0.1 and keeps the join of the nation's
    270,000 seats with their facts to one process; at 0.01 it takes two workers for it (the statement alone on the
    national dataset, all time, 9 calls in turn: 2,109 -> 1,547 ms median at load ~3). It takes them for a year's
    or a province's tens of thousands of seats too, where no gain or loss showed through the noise; a commune's or
    a course's stay in one process. The setting returns to what it was after the statement, within the
    transaction (no session setting: PgBouncer's transaction mode). The price: the workers' CPU, taken from
    whatever else the server runs at that moment."""
    if db.get_bind().dialect.name != "postgresql":
        yield
        return
    before = db.scalar(text("SELECT current_setting('parallel_tuple_cost')"))
    db.execute(text("SET LOCAL parallel_tuple_cost = 0.01"))
    yield
    db.execute(text("SELECT set_config('parallel_tuple_cost', :v, true)"), {"v": before})


def tune(db: Session) -> None:
    """PostgreSQL's JIT compiles these plans for about a second (their cost estimates pass its threshold) and wins
    back far less: off for the rest of this transaction."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL jit = off"))
        # The distinct counts sort the counted enrolments (a few hundred thousand rows nationwide): in memory, not
        # in temporary files, for this transaction only.
        db.execute(text("SET LOCAL work_mem = '64MB'"))


def dashboard(db: Session, who: Principal, f: Filters) -> Report:
    """Everything a dashboard, an export or the API shows for one scope and set of filters."""
    check(db, f)
    scope = resolve_scope(db, who, f.place)
    results.settle(db)  # this transaction's own marks and certificates count
    tune(db)
    base = people_base(scope, f)
    child = {"province": "province_id", "commune": "commune_id", "course": "course_id"}[scope.child]
    people = _people_figures(db, base, {
        "total": None, "curriculum": "curriculum", "group": "target_group", "half": "half", "sex": "sex",
        "minority": "minority", "category": None, "place": child, "programme": "programme"}, course_keys(db, f))
    cbase = courses_base(scope, f)
    course_dims: dict[str, ColumnElement | None] = {
        "total": None, "curriculum": cbase.c.curriculum, "half": cbase.c.half, "organiser": cbase.c.unit_id,
        "programme": cbase.c.programme}
    if scope.child in ("province", "commune"):
        course_dims["place"] = cbase.c.province_id if scope.child == "province" else cbase.c.commune_id
    held = _course_figures(db, cbase, course_dims)
    curricula, groups = _labels(db)
    media = _media(db, scope, f)
    halves = sorted({int(k) for k in people["half"]} | {int(k) for k in held["half"]})
    minority = rules.suppress_pair({"minority": people["minority"].get("1", _zero()),
                                    "kinh": people["minority"].get("0", _zero())})
    budget = _budget(db, BudgetLine, BudgetLine.course_id.in_(select(cbase.c.course_id)))
    codes = sorted(set(curricula) | set(people["curriculum"]) | set(held["curriculum"]), key=lambda c: (len(c), c))
    return Report(
        scope=scope, filters=f, totals=people["total"].get("", _zero()), courses_held=held["total"].get("", 0),
        communes=_communes_in(db, scope),
        by_curriculum=[(c, curricula.get(c, c), people["curriculum"].get(c, _zero()), held["curriculum"].get(c, 0))
                       for c in codes],
        by_group=[(g, groups.get(g, g) if g else "Chưa xếp nhóm", v)
                  for g, v in sorted(people["group"].items(), key=lambda kv: kv[0] or "~")],
        by_half=[(h, people["half"].get(str(h), _zero()), held["half"].get(str(h), 0)) for h in halves],
        by_sex=[(s, people["sex"].get(s, _zero())) for s in ("female", "male")],
        by_minority=minority,
        by_category=[(c, people["category"].get(c, _zero())) for c in (*CATEGORY_CODES, "none")],
        places=_place_rows(db, scope, people["place"], held.get("place", {}), media.by_place),
        organisers=_organisers(db, held["organiser"]),
        by_programme=[(p, people["programme"].get(str(p.id), _zero()), held["programme"].get(str(p.id), 0))
                      for p in programmes.listing(db) if not f.programme or p.code == f.programme],
        budget=budget, media=media)


# --- one course ------------------------------------------------------------------------------------------------


@dataclass
class CourseReport:
    course: Course
    organiser: str
    curriculum: str
    in_scope: bool  # the caller manages the course: every official counts and the budget shows
    figures: dict[str, int]
    by_commune: list[tuple[str, str, dict[str, int]]]
    by_sex: list[tuple[str, dict[str, int]]]
    by_minority: rules.Suppressed
    sessions: list[tuple[CourseSession, int]]
    budget: dict[str, list[BudgetRow]] | None


def exported(db: Session, who: Principal, f: Filters, fmt: str) -> Report:
    """The report for a download (JSON, .xlsx, .csv), with the audit event every export leaves: the figures include
    the ethnicity breakdown, personal data in the sense of Decree 13/2023. Decided here once; the dashboard on screen
    leaves none."""
    r = dashboard(db, who, f)
    audit.record(db, who, "report.export", "report", r.scope.key or "VN",
                 {"format": fmt, **f.query(), "ethnicity_hidden": r.by_minority.hidden})
    return r


def course_report(db: Session, who: Principal, course_id: int, f: Filters) -> CourseReport:
    """One course: the caller's officials on it (every official when the caller manages the course), attendance per
    session, results and budget. 404 when the course neither lies in the caller's scope nor took any of their
    officials."""
    if who.role not in (Role.ADMIN, Role.ORGANISER):
        raise Forbidden("Chỉ quản trị và cán bộ tổ chức mới xem được báo cáo.")
    check(db, f)
    course = db.get(Course, course_id)
    if course is None:
        raise NotFound("Không tìm thấy khoá học.", code="course_not_found")
    in_scope = may_manage_course(db, who, course)
    results.settle(db)
    tune(db)
    scope = resolve_scope(db, who, f.place) if f.place else Scope(None, "commune", None)
    trainee_scope = None if in_scope else _ids_within(db, who.unit_id)
    everything = Filters(rules.parse_period(""))  # a course is shown whole, whatever the dashboard's period
    base = people_base(scope, everything, course_id=course.id, trainee_scope=trainee_scope)
    people = _people_figures(db, base, {"total": None, "commune": "commune_id", "sex": "sex", "minority": "minority"})
    totals = people["total"].get("", _zero())
    if not in_scope and totals["enrolled"] == 0:
        raise NotFound("Không tìm thấy khoá học.", code="course_not_found")
    unit = db.get(AdminUnit, course.unit_id)
    province = db.get(AdminUnit, unit.current_province_id) if unit and unit.current_province_id else None
    version = db.get(CurriculumVersion, course.curriculum_version_id)
    communes = [int(k) for k in people["commune"] if k is not None]
    names = {k: v for k, v in db.execute(select(AdminUnit.id, AdminUnit.name).where(AdminUnit.id.in_(communes)))}
    marks = (select(AttendanceMark.session_id, func.count().label("n"))
             .where(AttendanceMark.status.in_(rules.ATTENDED_MARKS),
                    AttendanceMark.enrolment_id.in_(select(base.c.enrolment_id)))
             .group_by(AttendanceMark.session_id).subquery())
    sessions = db.execute(select(CourseSession, func.coalesce(marks.c.n, 0))
                          .outerjoin(marks, marks.c.session_id == CourseSession.id)
                          .where(CourseSession.course_id == course.id)
                          .order_by(CourseSession.session_date, CourseSession.start_time)).all()
    commune_keys = {k: v for k, v in db.execute(select(AdminUnit.id, AdminUnit.code)
                                                .where(AdminUnit.id.in_(communes)))}
    return CourseReport(
        course=course, organiser=unit_label(unit, province) if unit else "",
        curriculum=f"{version.curriculum_code} — {version.title_vi}" if version else "",
        in_scope=in_scope, figures=totals,
        by_commune=sorted([(commune_keys.get(int(k), ""), names.get(int(k), "—"), v)
                           for k, v in people["commune"].items() if k is not None], key=lambda r: r[1]),
        by_sex=[(s, people["sex"].get(s, _zero())) for s in ("female", "male")],
        by_minority=rules.suppress_pair({"minority": people["minority"].get("1", _zero()),
                                         "kinh": people["minority"].get("0", _zero())}),
        sessions=[(s, int(n)) for s, n in sessions],
        budget=_budget(db, BudgetLine, BudgetLine.course_id == course.id) if in_scope else None)
