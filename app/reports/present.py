"""A report as plain data (for the JSON API and the CSV) and the labels its tables use."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from app import i18n
from app.courses.models import Programme
from app.courses.service import BUDGET_CATEGORIES, FUNDING_SOURCES
from app.media import rules as media_rules
from app.people.reference import COMMUNE_CATEGORIES, SEXES
from app.reports import rules
from app.reports.service import BudgetRow, CourseReport, PlaceRow, Report

SEX_LABELS = {c.code: (c.vi, c.en) for c in SEXES}
CATEGORY_LABELS = {**{c.code: (c.vi, c.en) for c in COMMUNE_CATEGORIES},
                   "none": ("Không thuộc địa bàn ưu tiên", "Not in a priority area")}
MINORITY_LABELS = {"minority": ("Dân tộc thiểu số", "Ethnic minority"), "kinh": ("Dân tộc Kinh", "Kinh")}
MEDIA_BUDGET_CATEGORIES = media_rules.BUDGET_CATEGORIES
LATE_ENTITIES = {  # what a late change to a closed period wrote (app.reports.late)
    "course": ("Khoá học", "Course"),
    "enrolment": ("Ghi danh", "Enrolment"),
    "enrolment_fact": ("Thông tin học viên khi học", "Facts as at training"),
    "attendance_mark": ("Điểm danh", "Attendance mark"),
    "certificate": ("Giấy chứng nhận", "Certificate"),
    "course_session": ("Buổi học", "Session"),
    "budget_line": ("Kinh phí", "Budget line"),
    "media_product": ("Sản phẩm truyền thông", "Media product"),
    "media_budget_line": ("Kinh phí truyền thông", "Media budget line"),
}
LATE_ACTIONS = {"insert": ("thêm", "added"), "update": ("sửa", "changed"), "delete": ("xoá", "deleted")}


def late_change_data(c: Any) -> dict[str, Any]:  # noqa: ANN401 - a LateChange
    """A late change as the API shows it."""
    return {"id": c.id, "changed_at": c.changed_at, "changed_by": c.changed_by_label, "course_id": c.course_id,
            "course": c.course_label, "entity": c.entity, "action": c.action, "count": c.count,
            "entity_ids": c.entity_ids, "fields": c.fields, "reason": c.reason, "amendment": c.amendment_id}


MEASURE_LABELS = {
    "courses_held": ("Khoá học đã tổ chức", "Courses held"),
    "attendances": ("Lượt học viên tham dự", "Trainee-attendances"),
    "officials": ("Số cán bộ được bồi dưỡng", "Officials trained"),
    "completions": ("Lượt hoàn thành khoá học", "Completions"),
    "certificates": ("Giấy chứng nhận đã cấp", "Certificates issued"),
    "enrolled": ("Lượt được nhận vào lớp", "Seats taken"),
}


def pick(pair: tuple[str, str] | None, fallback: str = "") -> str:
    if pair is None:
        return fallback
    return pair[1] if i18n.current_locale.get() == "en" else pair[0]


def difference_label(where: str, *figures: dict) -> str:
    """A changed figure's place in the page's language (`rules.describe`)."""
    return rules.describe(where, *figures, en=i18n.current_locale.get() == "en")


def budget_label(dim: str, key: str, media: bool = False) -> str:
    if dim == "source":
        return pick(FUNDING_SOURCES.get(key), key)
    return pick((MEDIA_BUDGET_CATEGORIES if media else BUDGET_CATEGORIES).get(key), key)


def percent(value: Decimal | None) -> str:
    """"12,5%" in Vietnamese, "12.5%" in English, always one decimal; "—" when there is nothing to divide by."""
    if value is None:
        return "—"
    return f"{format_decimal(value, format='#,##0.0', locale=i18n.current_locale.get())}%"


def _figures(fig: dict[str, int], courses_held: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"trainee_attendances": fig["attendances"], "officials_trained": fig["officials"],
                           "completions": fig["completions"], "certificates": fig["certificates"],
                           "seats": fig["enrolled"]}
    if courses_held is not None:
        out["courses_held"] = courses_held
    return out


def _budget(rows: dict[str, list[BudgetRow]]) -> dict[str, Any]:
    def row(r: BudgetRow) -> dict[str, Any]:
        return {"key": r.key, "planned": int(r.planned), "spent": int(r.spent),
                "rate_percent": float(r.rate) if r.rate is not None else None}

    return {dim: [row(r) for r in rs] if dim != "total" else row(rs[0]) for dim, rs in rows.items()}


def _place(p: PlaceRow) -> dict[str, Any]:
    out = {"key": p.key, "name": p.name, **_figures(p.figures, p.courses_held)}
    if p.communes:
        out["communes"] = p.communes
        out["communes_with_trained_cvh"] = p.figures["cvh_communes"]
    out["media_products"] = p.media
    return out


def report_data(r: Report) -> dict[str, Any]:
    """Everything in the report as JSON-ready values (amounts in VND, shares in percent)."""
    minority = r.by_minority
    return {
        "scope": {"key": r.scope.key, "name": r.scope.name, "rows": r.scope.child},
        "period": {"key": r.filters.period.key, "start": r.filters.period.start, "end": r.filters.period.end,
                   "label": r.filters.period.vi},
        "filters": {"curriculum": r.filters.curriculum, "target_group": r.filters.target_group,
                    "programme": r.filters.programme},
        "indicators": {**_figures(r.totals, r.courses_held), "communes": r.communes,
                       "communes_with_trained_cvh": r.totals["cvh_communes"],
                       "cvh_share_percent": float(r.cvh_share) if r.cvh_share is not None else None},
        "by_curriculum": [{"code": c, "title": t, **_figures(f, held)} for c, t, f, held in r.by_curriculum],
        "by_target_group": [{"code": g, "name": n, **_figures(f)} for g, n, f in r.by_group],
        "by_half_year": [{"key": rules.half_label(h, en=True), "label": rules.half_label(h), **_figures(f, held)}
                         for h, f, held in r.by_half],
        "by_sex": [{"sex": s, **_figures(f)} for s, f in r.by_sex],
        "by_ethnicity": {"suppressed": minority.hidden, "note": minority.reason_vi,
                         "rows": [{"group": g, "trainee_attendances": v.get("attendances"),
                                   "officials_trained": v.get("officials"), "completions": v.get("completions"),
                                   "certificates": v.get("certificates")} for g, v in minority.values.items()]},
        "by_commune_category": [{"category": c, **_figures(f)} for c, f in r.by_category],
        "by_programme": [{**programme_data(p), **_figures(f, held)} for p, f, held in r.by_programme],
        "places": [_place(p) for p in r.places],
        "organising_units": [{"key": k, "name": n, "courses_held": c} for k, n, c in r.organisers],
        "budget": _budget(r.budget),
        "media": {"products": r.media.products, "published": r.media.published,
                  "rebroadcasts": r.media.rebroadcasts, "by_kind": r.media.by_kind, "by_topic": r.media.by_topic,
                  "budget": _budget(r.media.budget)},
    }


def programme_data(p: Programme) -> dict[str, Any]:
    return {"code": p.code, "name": p.name_vi, "name_en": p.name_en, "sub_project": p.sub_project,
            "start_year": p.start_year, "end_year": p.end_year, "confirmed": p.confirmed}


def course_data(c: CourseReport) -> dict[str, Any]:
    minority = c.by_minority
    return {
        "course": {"id": c.course.id, "code": c.course.code, "title": c.course.title, "status": c.course.status,
                   "start_date": c.course.start_date, "end_date": c.course.end_date, "organiser": c.organiser,
                   "curriculum": c.curriculum},
        "whole_course": c.in_scope,
        "indicators": _figures(c.figures),
        "by_commune": [{"key": k, "name": n, **_figures(f)} for k, n, f in c.by_commune],
        "by_sex": [{"sex": s, **_figures(f)} for s, f in c.by_sex],
        "by_ethnicity": {"suppressed": minority.hidden, "note": minority.reason_vi,
                         "rows": [{"group": g, "officials_trained": v.get("officials"),
                                   "trainee_attendances": v.get("attendances")} for g, v in minority.values.items()]},
        "sessions": [{"id": s.id, "date": s.session_date, "part_of_day": s.part_of_day, "attended": n}
                     for s, n in c.sessions],
        "budget": _budget(c.budget) if c.budget is not None else None,
    }
