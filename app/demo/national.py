"""A nationwide dataset for the reports at scale: all 34 provinces and 3,321 communes, about 60,000 officials, 6,000
courses over five years (2022 to today, 4 to 7 days each), 300,000 enrolments, 3 million attendance marks, their
certificates, budget lines and media products. Every name is invented and every figure random (seeded: two runs
give the same data).

Rows go in by bulk: COPY on PostgreSQL (psycopg), executemany on SQLite, table by table, with the ids chosen here so
that child rows can point at them without reading anything back. ``fraction`` builds a proportional part (0.1 = a
tenth of the officials, courses and products, still spread over every province). Loading it twice changes nothing:
the courses carry ``ORGANISING_BODY`` and a second run finds them.
"""
from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from app.attendance.models import AttendanceMark
from app.certificates.models import Certificate
from app.core.text import fold
from app.courses import programmes
from app.courses.models import BudgetLine, Course, CourseSession
from app.curricula.models import Curriculum
from app.enrolment import results
from app.enrolment.facts import record_many
from app.enrolment.models import Enrolment
from app.media.models import MediaBudgetLine, MediaProduct, MediaTopic
from app.people import rules as people_rules
from app.people.models import Trainee
from app.places.models import AdminUnit, Era, Level

ORGANISING_BODY = "Dữ liệu mô phỏng toàn quốc (nangluc demo --scale national)"
TRAINEES, COURSES, MEDIA = 60_000, 6_000, 20_000
FIRST_DAY, REFORM = date(2022, 1, 3), date(2025, 7, 1)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Hà", "Lò", "Vi"]
MIDDLE = {"male": ["Văn", "Đức", "Minh", "Quang", "Hữu"], "female": ["Thị", "Thu", "Ngọc", "Hồng", "Thanh"]}
GIVEN = {"male": ["Hùng", "Dũng", "Tuấn", "Long", "Thắng", "Sơn", "Bình", "Phúc"],
         "female": ["Lan", "Hoa", "Nhung", "Hương", "Mai", "Thảo", "Yến", "Hạnh"]}
MINORITIES = ["tay", "thai", "muong", "khmer", "hmong", "nung", "dao", "gia_rai", "e_de", "ba_na"]
ROLES = [  # position, organisation, in charge of the radio, weight
    ("nhan_vien_dai_truyen_thanh", "trung_tam_vhtt_xa", False, 2), ("vien_chuc_trung_tam_vhtt", "trung_tam_vhtt_xa",
                                                                     False, 1),
    ("truong_thon", "thon_to_dan_pho", False, 6), ("can_bo_tuyen_giao", "dang_uy_xa", False, 2),
    ("can_bo_tuyen_truyen_doan_the", "hoi_phu_nu", False, 1), ("can_bo_tuyen_truyen_doan_the", "doan_thanh_nien",
                                                              False, 1),
    ("lanh_dao_doan_the", "mttq_xa", False, 1), ("lanh_dao_doan_the", "hoi_nong_dan", False, 1),
    ("pho_chu_tich_ubnd", "ubnd_xa", False, 1)]
CURRICULA = [("CT2", 60), ("CT3", 30), ("CT1", 5), ("CT4", 5)]
BUDGET = [("lecturer_fee", 12_000_000, "central"), ("hall", 6_000_000, "local"),
          ("meals_per_diem", 40_000_000, "central"), ("materials", 4_000_000, "local"),
          ("management", 2_000_000, "local")]
MEDIA_KINDS = ["radio_programme"] * 5 + ["news_article"] * 3 + ["report", "tv_segment", "bulletin", "other"]
TOPICS = ["exemplary_people", "good_initiatives", "poverty_models", "poverty_policy"]
CHANNELS = {"radio_programme": "commune_radio", "news_article": "online", "report": "print",
            "tv_segment": "provincial_radio_tv", "bulletin": "bulletin_board", "other": "social_media"}


@dataclass
class Units:
    communes: list[tuple[int, int, str]]  # current commune id, province id, unit type
    former_of: dict[int, list[int]]  # current commune -> former communes merged into it
    provinces: dict[int, str]  # current province id -> code
    former_provinces: dict[int, list[int]]  # current province -> former provinces now part of it


def _units(db: Session) -> Units:
    communes = [(i, p, t) for i, p, t in db.execute(
        select(AdminUnit.id, AdminUnit.current_province_id, AdminUnit.unit_type)
        .where(AdminUnit.era == Era.CURRENT, AdminUnit.level == Level.COMMUNE).order_by(AdminUnit.id))]
    former_of: dict[int, list[int]] = defaultdict(list)
    for fid, cid in db.execute(select(AdminUnit.id, AdminUnit.current_commune_id).where(
            AdminUnit.era == Era.FORMER, AdminUnit.level == Level.COMMUNE, AdminUnit.current_commune_id.is_not(None))):
        former_of[cid].append(fid)
    provinces = {i: c for i, c in db.execute(select(AdminUnit.id, AdminUnit.code).where(
        AdminUnit.era == Era.CURRENT, AdminUnit.level == Level.PROVINCE))}
    former_provinces: dict[int, list[int]] = defaultdict(list)
    for fid, pid in db.execute(select(AdminUnit.id, AdminUnit.current_province_id).where(
            AdminUnit.era == Era.FORMER, AdminUnit.level == Level.PROVINCE).order_by(AdminUnit.id)):
        former_provinces[pid].append(fid)
    return Units(communes, dict(former_of), provinces, dict(former_provinces))


class Writer:
    """Bulk writes: COPY on PostgreSQL, executemany through SQLAlchemy Core (which converts the types) on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table, columns: list[str], rows: Iterable[tuple]) -> int:  # noqa: ANN001
        n = 0
        if self.pg:
            raw = self.engine.raw_connection()
            try:
                with raw.driver_connection.cursor() as cur, cur.copy(
                        f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
                raw.driver_connection.commit()
            finally:
                raw.close()
        else:
            stmt = insert(table)
            with self.engine.begin() as conn:
                chunk: list[dict] = []
                for row in rows:
                    chunk.append(dict(zip(columns, row, strict=True)))
                    n += 1
                    if len(chunk) == 20_000:
                        conn.execute(stmt, chunk)
                        chunk = []
                if chunk:
                    conn.execute(stmt, chunk)
        self.counts[table.name] = self.counts.get(table.name, 0) + n
        return n

    def json(self, value: object) -> object:
        return json.dumps(value, ensure_ascii=False) if self.pg else value

    def finish(self, tables: list[str]) -> None:
        with self.engine.begin() as conn:
            if self.pg:
                for name in tables:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                                      f"(SELECT coalesce(max(id), 1) FROM {name}))"))  # our own table names
            conn.execute(text("ANALYZE"))


def _next_id(db: Session, model) -> int:  # noqa: ANN001
    return int(db.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


@dataclass
class Build:
    """What every step of the build shares: the seeded random source (the steps draw from it in a fixed order, so
    two runs give the same data), the writer, the units and the day the data ends."""

    engine: Engine
    w: Writer
    rng: random.Random
    units: Units
    versions: dict[str, int]
    fraction: float
    today: date
    now: datetime


@dataclass
class PlannedCourse:
    id: int
    province_id: int
    status: str
    capacity: int
    first_session: int
    session_count: int
    start: date
    end: date
    unit_id: int


def load_national(db: Session, engine: Engine, *, fraction: float = 1.0, seed: int = 2026,
                  today: date | None = None, log: Callable[[str], None] = print) -> list[str]:
    """Build the dataset unless it is there already; returns one line per table with its count and time."""
    if db.scalar(select(Course.id).where(Course.organising_body == ORGANISING_BODY).limit(1)) is not None:
        return ["exists  national dataset"]
    today = today or datetime.now(UTC).date()
    rng = random.Random(seed)
    units = _units(db)
    versions = {c: v for c, v in db.execute(select(Curriculum.code, Curriculum.latest_version_id))}
    if not all(code in versions for code, _ in CURRICULA):
        raise RuntimeError("load the curricula first (nangluc curricula sync)")
    db.close()
    b = Build(engine, Writer(engine), rng, units, versions, fraction, today, datetime.now(UTC))
    report: list[str] = []
    started = time.perf_counter()

    def step(label: str, t0: float) -> None:
        line = f"created {label} in {time.perf_counter() - t0:.1f} s"
        report.append(line)
        log(line)

    t0 = time.perf_counter()
    by_province, n_trainees = _officials(b)
    step(f"{n_trainees:,} officials", t0)
    t0 = time.perf_counter()
    courses, n_sessions, n_lines = _courses(b)
    step(f"{len(courses):,} courses, {n_sessions:,} sessions, {n_lines:,} budget lines", t0)
    t0 = time.perf_counter()
    enrolments = _enrolments(b, courses, by_province)
    step(f"{len(enrolments):,} enrolments", t0)
    t0 = time.perf_counter()
    step(f"{_marks(b, courses, enrolments):,} attendance marks", t0)
    t0 = time.perf_counter()
    step(f"{_certificates(b, courses, enrolments):,} certificates", t0)
    # Written by COPY, unseen by the ORM: each enrolment's results (marked present, certified) worked out once.
    t0 = time.perf_counter()
    with Session(b.engine) as session:
        results.refresh_all(session)
        session.commit()
    step("the enrolments' results", t0)
    t0 = time.perf_counter()
    step(f"{_media(b):,} media products", t0)
    t0 = time.perf_counter()
    b.w.finish(["trainee", "course", "course_session", "budget_line", "enrolment", "attendance_mark", "certificate",
                "media_product", "media_budget_line"])
    step("sequences and statistics (ANALYZE)", t0)
    report.append(f"national dataset (fraction {fraction:g}) in {time.perf_counter() - started:.0f} s")
    return report


def _officials(b: Build) -> tuple[dict[int, list[int]], int]:
    """The officials, spread over every commune (two culture-social civil servants each, then random roles); returns
    the trainee ids by current province and how many were written."""
    rng, units, now = b.rng, b.units, b.now
    n_trainees = max(int(TRAINEES * b.fraction), len(units.communes))
    per_commune = n_trainees / len(units.communes)
    minority_commune = {cid: rng.random() < (0.6 if units.provinces[pid] in MOUNTAIN else 0.1)
                        for cid, pid, _ in units.communes}
    categories_of = {}
    for cid, _, unit_type in units.communes:
        cats = (["dbkk"] if rng.random() < 0.15 else []) + (["bien_gioi"] if rng.random() < 0.05 else [])
        cats += ["hai_dao"] if unit_type == "Đặc khu" else []
        cats += ["dtts"] if minority_commune[cid] else []
        categories_of[cid] = cats
    placement: dict[tuple[str, str, bool], str | None] = {}
    by_province: dict[int, list[int]] = defaultdict(list)
    first_trainee = tid = _with_session(b.engine, Trainee)
    trainee_rows: list[tuple] = []
    carry = 0.0
    for cid, pid, _ in units.communes:
        carry += per_commune
        count, carry = int(carry), carry - int(carry)
        for k in range(count):
            if k < 2:  # two culture-social civil servants per commune, one in charge of the radio
                position, org, radio = "cong_chuc_vhxh", "ubnd_xa", k == 0
            else:
                position, org, radio, _w = rng.choices(ROLES, weights=[r[3] for r in ROLES])[0]
            key = (position, org, radio)
            if key not in placement:
                placement[key] = people_rules.place(people_rules.PersonFacts(position, org, radio)).target_group
            sex = "female" if rng.random() < 0.45 else "male"
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
            ethnicity = rng.choice(MINORITIES) if rng.random() < (0.7 if minority_commune[cid] else 0.03) else "kinh"
            formers = units.former_of.get(cid)
            unit = rng.choice(formers) if formers and rng.random() < 0.1 else cid  # registered before the reform
            birth = date(1965, 1, 1) + timedelta(days=rng.randrange(35 * 365))
            trainee_rows.append((tid, name, fold(name), sex, birth, ethnicity, f"9{tid:011d}", None, None, position,
                                 org, unit, radio, b.w.json(categories_of[cid]), placement[key], "active", None, now,
                                 now))
            by_province[pid].append(tid)
            tid += 1
    b.w.write(Trainee.__table__, ["id", "full_name", "search_name", "sex", "birth_date", "ethnicity", "citizen_id",
                                  "phone", "email", "position", "organisation_type", "unit_id", "in_charge_of_radio",
                                  "commune_categories", "target_group_code", "status", "user_id", "created_at",
                                  "updated_at"], trainee_rows)
    return by_province, tid - first_trainee


def _course_status(rng: random.Random, start: date, end: date, today: date) -> str:
    if start > today:
        return "open"
    if rng.random() < 0.02:
        return "cancelled"
    if end >= today:
        return "running"
    return "closed" if rng.random() < 0.7 else "finished"


def _courses(b: Build) -> tuple[list[PlannedCourse], int, int]:
    """The courses (weighted by each province's communes; a tenth are a commune's own), their sessions (a morning
    and an afternoon a day) and budget lines; returns the courses and how many sessions and lines were written."""
    rng, units, today, now = b.rng, b.units, b.today, b.now
    n_courses = max(int(COURSES * b.fraction), len(units.provinces))
    weights = defaultdict(int)
    for _, pid, _ in units.communes:
        weights[pid] += 1
    province_ids = sorted(weights)
    span = (today - FIRST_DAY).days + 60  # a few courses are still ahead
    course_rows, session_rows, budget_rows, courses = [], [], [], []
    course_id = _with_session(b.engine, Course)
    session_id = _with_session(b.engine, CourseSession)
    line_id = _with_session(b.engine, BudgetLine)
    seq: dict[tuple[str, int, str], int] = defaultdict(int)
    communes_of = defaultdict(list)
    for cid, pid, _ in units.communes:
        communes_of[pid].append(cid)
    for _ in range(n_courses):
        pid = rng.choices(province_ids, weights=[weights[p] for p in province_ids])[0]
        start = FIRST_DAY + timedelta(days=rng.randrange(span))
        start -= timedelta(days=start.weekday())  # courses start on a Monday
        days = rng.randint(4, 7)
        end = start + timedelta(days=days - 1)
        cc = rng.choices([c for c, _ in CURRICULA], weights=[wt for _, wt in CURRICULA])[0]
        if rng.random() < 0.1:  # a commune's own course
            cid = rng.choice(communes_of[pid])
            formers = units.former_of.get(cid)
            unit = rng.choice(formers) if start < REFORM and formers else cid
        else:
            formers = units.former_provinces.get(pid) or [pid]
            unit = rng.choice(formers) if start < REFORM else pid
        status = _course_status(rng, start, end, today)
        key = (cc, start.year, units.provinces[pid])
        seq[key] += 1
        n = 500 + seq[key]  # numbers from 501, clear of courses people create (and of the demo course)
        code = f"{cc}-{start.year}-{units.provinces[pid]}-{n:03d}"
        capacity = rng.randint(30, 70)
        course_rows.append((course_id, code, f"Bồi dưỡng {cc} năm {start.year} — lớp {n}",
                            b.versions[cc], unit, status, ORGANISING_BODY, "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "Người Ký",
                            "in_person", "Hội trường", capacity, start, end, 0.8, False, True, False, 15,
                            "first_come", now, now))
        first_session = session_id
        for d in range(days):
            for part, t_start, t_end in (("morning", clock(7, 30), clock(11, 30)),
                                         ("afternoon", clock(13, 30), clock(17))):
                session_rows.append((session_id, course_id, start + timedelta(days=d), part, t_start, t_end, 0, now))
                session_id += 1
        for category, amount, source in BUDGET:
            planned = int(amount * rng.uniform(0.7, 1.3) / 1000) * 1000
            actual = int(planned * rng.uniform(0.85, 1.02) / 1000) * 1000 if status in ("finished", "closed") else None
            budget_rows.append((line_id, course_id, category, "", planned, actual, source))
            line_id += 1
        courses.append(PlannedCourse(course_id, pid, status, capacity, first_session, session_id - first_session,
                                     start, end, unit))
        course_id += 1
    b.w.write(Course.__table__, ["id", "code", "title", "curriculum_version_id", "unit_id", "status",
                                 "organising_body", "signer_title", "signer_name", "form", "venue", "capacity",
                                 "start_date", "end_date", "min_attendance_share", "assessment_required",
                                 "late_counts_as_present", "excused_counts", "late_after_minutes", "allocation_mode",
                                 "created_at", "updated_at"], course_rows)
    b.w.write(CourseSession.__table__, ["id", "course_id", "session_date", "part_of_day", "start_time", "end_time",
                                        "sequence", "updated_at"], session_rows)
    b.w.write(BudgetLine.__table__, ["id", "course_id", "category", "description", "planned_amount",
                                     "actual_amount", "funding_source"], budget_rows)
    return courses, len(session_rows), len(budget_rows)


def _enrolment_status(rng: random.Random, course_status: str) -> str:
    if course_status == "open":
        return "confirmed" if rng.random() < 0.9 else "waitlisted"
    if course_status == "cancelled":
        return "withdrawn"
    r = rng.random()
    st = "completed" if r < 0.85 else "not_completed" if r < 0.95 else "withdrawn" if r < 0.98 else "rejected"
    if course_status == "running" and st in ("completed", "not_completed"):
        return "confirmed"
    return st


def _enrolments(b: Build, courses: list[PlannedCourse], by_province: dict[int, list[int]]
                ) -> list[tuple[int, int, int, str]]:
    """Each course filled from its province's officials, up to its capacity; returns (id, course index, trainee,
    status) per enrolment."""
    enrolment_id = _with_session(b.engine, Enrolment)
    enrolments: list[tuple[int, int, int, str]] = []  # id, course index, trainee, status
    enrolment_rows = []
    for index, course in enumerate(courses):
        pool = by_province[course.province_id]
        size = min(len(pool), course.capacity)
        registered = datetime.combine(course.start - timedelta(days=20), clock(8), tzinfo=UTC)
        for trainee in b.rng.sample(pool, size):
            st = _enrolment_status(b.rng, course.status)
            enrolments.append((enrolment_id, index, trainee, st))
            enrolment_rows.append((enrolment_id, course.id, trainee, st, 0, 0, b.w.json([]), registered, registered,
                                   b.now))
            enrolment_id += 1
    b.w.write(Enrolment.__table__, ["id", "course_id", "trainee_id", "status", "priority_rank", "priority_sub_rank",
                                    "reasons", "registered_at", "decided_at", "updated_at"], enrolment_rows)
    with Session(b.engine) as s:  # their facts as at training time, from the records just written: one statement
        record_many(s)
        programmes.assign_missing(s)  # and their courses' programme, by the year each starts
        s.commit()
    return enrolments


def _marks(b: Build, courses: list[PlannedCourse], enrolments: list[tuple[int, int, int, str]]) -> int:
    """A roll-call mark for every session of every course that has begun (those who completed were rarely absent)."""
    mark_id = _with_session(b.engine, AttendanceMark)

    def marks() -> Iterator[tuple]:
        nonlocal mark_id
        for eid, index, _, st in enrolments:
            if st not in ("completed", "not_completed", "confirmed"):
                continue
            course = courses[index]
            if course.status == "open":
                continue
            recorded = datetime.combine(course.start, clock(9), tzinfo=UTC)
            absent_rate = 0.03 if st == "completed" else 0.5
            for s in range(course.session_count):
                r = b.rng.random()
                mark = "absent" if r < absent_rate else "late" if r < absent_rate + 0.05 else "present"
                yield (mark_id, course.first_session + s, eid, mark, "roll_call", recorded)
                mark_id += 1

    return b.w.write(AttendanceMark.__table__, ["id", "session_id", "enrolment_id", "status", "method",
                                                "recorded_at"], marks())


def _certificates(b: Build, courses: list[PlannedCourse], enrolments: list[tuple[int, int, int, str]]) -> int:
    """A certificate for everyone who completed a finished course, numbered per issuing unit and year."""
    cert_id = _with_session(b.engine, Certificate)
    counters: dict[tuple[int, int], int] = defaultdict(int)

    def certificates() -> Iterator[tuple]:
        nonlocal cert_id
        for eid, index, _, st in enrolments:
            course = courses[index]
            if st != "completed" or course.status not in ("finished", "closed"):
                continue
            unit, end = course.unit_id, course.end
            counters[(unit, end.year)] += 1
            counters[(unit, 0)] += 1
            n = counters[(unit, end.year)]
            revoked = b.rng.random() < 0.005
            issued = datetime.combine(end, clock(16), tzinfo=UTC)
            yield (cert_id, eid, course.id, unit, end.year, n, f"{n}/{end.year}/GCN", counters[(unit, 0)],
                   f"{b.rng.getrandbits(104):026x}", "revoked" if revoked else "valid", b.w.json({}), b"", "0" * 64,
                   issued, issued if revoked else None)
            cert_id += 1

    return b.w.write(Certificate.__table__, ["id", "enrolment_id", "course_id", "issuer_unit_id", "year", "sequence",
                                             "number", "register_entry", "code", "status", "data", "qr",
                                             "pdf_sha256", "issued_at", "revoked_at"], certificates())


def _media(b: Build) -> int:
    """The media products of communes and press agencies, their topics and (for half) a production budget line."""
    rng, today, now = b.rng, b.today, b.now
    media_id = _with_session(b.engine, MediaProduct)
    mline_id = _with_session(b.engine, MediaBudgetLine)
    media_rows, topic_rows, mbudget_rows = [], [], []
    for _ in range(max(int(MEDIA * b.fraction), 1)):
        cid, pid, _ = rng.choice(b.units.communes)
        kind = rng.choice(MEDIA_KINDS)
        produced = FIRST_DAY + timedelta(days=rng.randrange((today - FIRST_DAY).days))
        press = kind in ("news_article", "report", "tv_segment")
        unit = pid if press and rng.random() < 0.5 else cid
        media_rows.append((media_id, kind, f"{'Gương sáng' if rng.random() < 0.5 else 'Mô hình hay'} số {media_id}",
                           "", "press_agency" if press else "commune_radio",
                           "Báo tỉnh" if press else "Đài truyền thanh xã", unit, produced,
                           produced + timedelta(days=rng.randint(0, 5)), CHANNELS[kind],
                           rng.randint(0, 6) if kind == "radio_programme" else 0, now, now))
        for topic in rng.sample(TOPICS, rng.randint(1, 2)):
            topic_rows.append((media_id, topic))
        if rng.random() < 0.5:
            planned = rng.randint(5, 40) * 100_000
            mbudget_rows.append((mline_id, media_id, "production", "", planned, planned, "local"))
            mline_id += 1
        media_id += 1
    b.w.write(MediaProduct.__table__, ["id", "kind", "title", "summary", "producer_kind", "producer_name", "unit_id",
                                       "produced_on", "published_on", "channel", "rebroadcast_count", "created_at",
                                       "updated_at"], media_rows)
    b.w.write(MediaTopic.__table__, ["media_id", "topic"], topic_rows)
    b.w.write(MediaBudgetLine.__table__, ["id", "media_id", "category", "description", "planned_amount",
                                          "actual_amount", "funding_source"], mbudget_rows)
    return len(media_rows)


def _with_session(engine: Engine, model) -> int:  # noqa: ANN001
    with Session(engine) as db:
        return _next_id(db, model)


# Provinces (codes of today) with large ethnic-minority populations: the northern mountains and the Central
# Highlands. Used only to make the invented data look like the country.
MOUNTAIN = {"04", "08", "11", "12", "14", "15", "19", "20", "66", "68", "51", "52", "64", "56"}
