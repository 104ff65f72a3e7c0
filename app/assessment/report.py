"""How much officials learned and how they rated the training, for a report's scope and period: average pre- and
post-test scores and the gain per course, curriculum, province and target group; satisfaction per course,
lecturer, curriculum and province. Groups of fewer than five (people or responses) show no figures.

Scores are counted per official seated on a course held in the period (the reports' rule), at their best attempt
of each kind. Evaluations are anonymous: they are counted by the course's place, never by the person's.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.assessment import rules
from app.assessment.models import Attempt, CourseTest, EvaluationForm, EvaluationResponse
from app.auth.principal import Principal
from app.courses.models import Course, Lecturer
from app.curricula.models import CurriculumVersion, TargetGroup
from app.enrolment.models import Enrolment
from app.people.models import Trainee
from app.places.models import AdminUnit
from app.reports import rules as report_rules
from app.reports import service as reports


@dataclass(frozen=True)
class ScoreRow:
    key: str
    label: str
    people: int  # officials with a pre- or post-test score
    average_pre: float | None  # None: fewer than rules.MIN_GROUP scores
    average_post: float | None
    average_gain: float | None  # over those with both


@dataclass(frozen=True)
class SatisfactionRow:
    key: str
    label: str
    responses: int
    average: float | None  # the mean of every 1–5 answer; None below rules.MIN_GROUP responses


@dataclass(frozen=True)
class LearningReport:
    scope: reports.Scope
    filters: reports.Filters
    total: ScoreRow
    by_curriculum: list[ScoreRow]
    by_province: list[ScoreRow]
    by_target_group: list[ScoreRow]
    by_course: list[ScoreRow]
    satisfaction: SatisfactionRow
    satisfaction_by_course: list[SatisfactionRow]
    satisfaction_by_curriculum: list[SatisfactionRow]
    satisfaction_by_province: list[SatisfactionRow]
    satisfaction_by_lecturer: list[SatisfactionRow]


def _avg(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if len(values) >= rules.MIN_GROUP else None


def _score_row(key: str, label: str, people: Iterable[tuple[float | None, float | None]]) -> ScoreRow:
    people = list(people)
    pre = [p for p, _ in people if p is not None]
    post = [q for _, q in people if q is not None]
    gain = [q - p for p, q in people if p is not None and q is not None]
    return ScoreRow(key, label, len(people), _avg(pre), _avg(post), _avg(gain))


def _held(f: reports.Filters):  # noqa: ANN202
    conditions = [Course.status.in_(report_rules.HELD_STATUSES)]
    if f.period.start:
        conditions.append(Course.start_date >= f.period.start)
    if f.period.end:
        conditions.append(Course.start_date <= f.period.end)
    return conditions


def _group(rows: list[dict], key: Callable[[dict], tuple[str, str] | None]) -> list[ScoreRow]:
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows:
        k = key(r)
        if k is not None:
            groups[k].append((r["pre"], r["post"]))
    return [_score_row(k, label, people) for (k, label), people in sorted(groups.items())]


def learning(db: Session, who: Principal, f: reports.Filters) -> LearningReport:
    """The report's learning and satisfaction figures for the caller's scope (or a place inside it)."""
    scope = reports.resolve_scope(db, who, f.place)
    stmt = (select(Enrolment.id, Enrolment.course_id, Course.title, CurriculumVersion.curriculum_code,
                   Trainee.target_group_code, AdminUnit.current_province_id, CourseTest.kind,
                   func.max(Attempt.percent))
            .select_from(Attempt).join(CourseTest, CourseTest.id == Attempt.test_id)
            .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
            .join(Course, Course.id == Enrolment.course_id)
            .join(CurriculumVersion, CurriculumVersion.id == Course.curriculum_version_id)
            .join(Trainee, Trainee.id == Enrolment.trainee_id).join(AdminUnit, AdminUnit.id == Trainee.unit_id)
            .where(*_held(f), Attempt.submitted_at.is_not(None), CourseTest.kind.in_(("pre", "post")),
                   Enrolment.status.in_(report_rules.SEAT_STATUSES))
            .group_by(Enrolment.id, Enrolment.course_id, Course.title, CurriculumVersion.curriculum_code,
                      Trainee.target_group_code, AdminUnit.current_province_id, CourseTest.kind))
    if scope.ids is not None:
        stmt = stmt.where(Trainee.unit_id.in_(scope.ids))
    if f.curriculum:
        stmt = stmt.where(CurriculumVersion.curriculum_code == f.curriculum)
    if f.target_group:
        stmt = stmt.where(Trainee.target_group_code == f.target_group)
    seats: dict[int, dict] = {}
    for eid, cid, title, code, group, province, kind, best in db.execute(stmt):
        row = seats.setdefault(eid, {"course": (str(cid), title), "curriculum": code, "group": group,
                                     "province": province, "pre": None, "post": None})
        row[kind] = float(best) if best is not None else None
    rows = list(seats.values())
    provinces = dict(db.execute(select(AdminUnit.id, AdminUnit.name).where(
        AdminUnit.id.in_({r["province"] for r in rows} | {0}))).all())
    groups = dict(db.execute(select(TargetGroup.code, TargetGroup.name_vi)).all()) if rows else {}
    sat = _satisfaction(db, scope, f)
    return LearningReport(
        scope, f, _score_row("", "Tổng", ((r["pre"], r["post"]) for r in rows)),
        _group(rows, lambda r: (r["curriculum"], r["curriculum"])),
        _group(rows, lambda r: (str(r["province"]), provinces.get(r["province"], "")) if r["province"] else None),
        _group(rows, lambda r: (r["group"], groups.get(r["group"], r["group"])) if r["group"] else None),
        _group(rows, lambda r: r["course"]), *sat)


def _sat_row(key: str, label: str, values: list[int]) -> SatisfactionRow:
    return SatisfactionRow(key, label, len(values), round(sum(values) / len(values), 2)
                           if len(values) >= rules.MIN_GROUP else None)


def _satisfaction(db: Session, scope: reports.Scope, f: reports.Filters) -> tuple:
    """Every 1–5 answer of the scope's courses, counted per course, curriculum and the course's province; a
    lecturer's items per lecturer. A group's count is its number of responses (answers, for a lecturer)."""
    stmt = (select(Course.id, Course.title, CurriculumVersion.curriculum_code, AdminUnit.current_province_id,
                   EvaluationForm.items, EvaluationResponse.answers)
            .select_from(EvaluationResponse).join(EvaluationForm, EvaluationForm.id == EvaluationResponse.form_id)
            .join(Course, Course.id == EvaluationForm.course_id)
            .join(CurriculumVersion, CurriculumVersion.id == Course.curriculum_version_id)
            .join(AdminUnit, AdminUnit.id == Course.unit_id).where(*_held(f)))
    if scope.ids is not None:
        stmt = stmt.where(Course.unit_id.in_(scope.ids))
    if f.curriculum:
        stmt = stmt.where(CurriculumVersion.curriculum_code == f.curriculum)
    every: list[int] = []
    by: dict[str, dict[tuple[str, str], list[int]]] = {k: defaultdict(list) for k in ("course", "cur", "prov", "lec")}
    lecturer_ids: set[int] = set()
    province_ids: set[int] = set()
    for cid, title, code, province, items, answers in db.execute(stmt):
        likert = {i["key"]: i for i in items if i.get("kind") == "likert"}
        values = [v for k, v in answers.items() if k in likert and isinstance(v, int)]
        mean = sum(values) / len(values) if values else None
        if mean is None:
            continue
        # one value per response for the course, curriculum and province: its mean over the items it answered
        every.append(mean)
        by["course"][(str(cid), title)].append(mean)
        by["cur"][(code, code)].append(mean)
        if province:
            province_ids.add(province)
            by["prov"][(str(province), "")].append(mean)
        for k, v in answers.items():
            lecturer = likert.get(k, {}).get("lecturer_id")
            if lecturer and isinstance(v, int):
                lecturer_ids.add(lecturer)
                by["lec"][(str(lecturer), "")].append(v)
    names = dict(db.execute(select(Lecturer.id, Lecturer.full_name).where(Lecturer.id.in_(lecturer_ids | {0}))).all())
    places = dict(db.execute(select(AdminUnit.id, AdminUnit.name).where(AdminUnit.id.in_(province_ids | {0}))).all())

    def rows(groups: dict, label: Callable[[str, str], str] = lambda k, name: name) -> list[SatisfactionRow]:
        return [_sat_row(k, label(k, name), v) for (k, name), v in sorted(groups.items())]

    return (_sat_row("", "Tổng", every), rows(by["course"]), rows(by["cur"]),
            rows(by["prov"], lambda k, _: places.get(int(k), k)),
            rows(by["lec"], lambda k, _: names.get(int(k), k)))


def write_sheet(wb, r: LearningReport) -> None:  # noqa: ANN001 - an openpyxl Workbook
    """The workbook's sheet "Kiểm tra, đánh giá": scores and satisfaction by group ("—" where a group is too small)."""
    from openpyxl.styles import Font

    ws = wb.create_sheet("Kiểm tra, đánh giá")
    bold = Font(bold=True)

    def n(value: float | None) -> float | str:
        return "—" if value is None else value

    ws.append(["KẾT QUẢ KIỂM TRA VÀ ĐÁNH GIÁ KHOÁ HỌC", r.scope.name, r.filters.period.key or "toàn bộ"])
    ws["A1"].font = bold
    ws.append([f"Nhóm dưới {rules.MIN_GROUP} người hoặc phiếu không hiện số liệu (—)."])
    for title, rows in (("Theo chương trình", r.by_curriculum), ("Theo tỉnh", r.by_province),
                        ("Theo nhóm đối tượng", r.by_target_group), ("Theo khoá học", r.by_course)):
        ws.append([])
        ws.append([title, "Số người có điểm", "Điểm đầu khoá (%)", "Điểm cuối khoá (%)", "Mức tăng"])
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in [r.total, *rows] if title == "Theo chương trình" else rows:
            ws.append([row.label, row.people, n(row.average_pre), n(row.average_post), n(row.average_gain)])
    for title, rows in (("Mức hài lòng theo khoá học", r.satisfaction_by_course),
                        ("Mức hài lòng theo chương trình", r.satisfaction_by_curriculum),
                        ("Mức hài lòng theo tỉnh", r.satisfaction_by_province),
                        ("Đánh giá giảng viên", r.satisfaction_by_lecturer)):
        ws.append([])
        ws.append([title, "Số phiếu", "Trung bình (1–5)"])
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in [r.satisfaction, *rows] if title.endswith("khoá học") else rows:
            ws.append([row.label, row.responses, n(row.average)])
    ws.column_dimensions["A"].width = 48
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 18


def as_data(r: LearningReport) -> dict:
    """The report as JSON (the API)."""
    def scores(rows: list[ScoreRow]) -> list[dict]:
        return [row.__dict__ for row in rows]

    return {"scope": {"key": r.scope.key, "name": r.scope.name}, "period": r.filters.period.key,
            "min_group": rules.MIN_GROUP,
            "scores": {"total": r.total.__dict__, "by_curriculum": scores(r.by_curriculum),
                       "by_province": scores(r.by_province), "by_target_group": scores(r.by_target_group),
                       "by_course": scores(r.by_course)},
            "satisfaction": {"total": r.satisfaction.__dict__,
                             "by_course": scores(r.satisfaction_by_course),
                             "by_curriculum": scores(r.satisfaction_by_curriculum),
                             "by_province": scores(r.satisfaction_by_province),
                             "by_lecturer": scores(r.satisfaction_by_lecturer)}}
