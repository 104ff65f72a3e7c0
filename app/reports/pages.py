"""Report pages: the dashboard of a scope (the country, a province, a commune) with its charts and tables, the
drill-down to a place and to a course, and the downloads (.xlsx to submit, .csv for analysts)."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.assessment import report as assessment_report
from app.auth.permissions import Staff
from app.auth.principal import Principal
from app.courses import programmes
from app.curricula import service as curricula
from app.curricula.models import TargetGroup
from app.db import DbSession, Route, utcnow
from app.errors import DomainError
from app.media import rules as media_rules
from app.places.models import AdminUnit
from app.reports import charts, present, rules, service, submissions
from app.reports.params import XLSX, PageFilters, ReportFilters, attachment, csv_response, xlsx_response
from app.web import form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
CHART_PLACES = 12  # the place chart shows the top places; the table below it lists them all


def _crumbs(db: Session, who: Principal, scope: service.Scope) -> list[tuple[str, str]]:
    """The way back up from the scope: (place key, name), the top being what the caller may see."""
    chain: list[tuple[str, str]] = []
    unit = scope.unit
    while unit is not None:
        chain.append((unit.key, unit.name))
        if not who.is_admin and unit.id == who.unit_id:
            break
        unit = db.get(AdminUnit, unit.parent_id) if unit.parent_id else None
    if who.is_admin:
        chain.append(("", "Toàn quốc"))
    return list(reversed(chain))


def _fmt(value: float | int | None) -> str:
    return "—" if value is None else i18n.fmt_number(value)


def _charts(r: service.Report) -> dict:
    pick = present.pick
    by_curriculum = charts.bar_chart(
        [charts.Bar(code, f["officials"]) for code, _, f, _ in r.by_curriculum],
        title=i18n.gettext("Cán bộ được bồi dưỡng theo chương trình"), fmt=_fmt, chart_id="chart-curriculum")
    by_half = charts.column_chart(
        [charts.Bar(rules.half_label(h, en=True).replace(" ", "|", 1), f["attendances"]) for h, f, _ in r.by_half],
        title=i18n.gettext("Lượt học viên tham dự theo kỳ 6 tháng"), fmt=_fmt, chart_id="chart-half")
    top = sorted(r.places, key=lambda p: (-p.figures["officials"], p.name))[:CHART_PLACES]
    by_place = charts.bar_chart(
        [charts.Bar(p.name, p.figures["officials"]) for p in top if p.figures["officials"]],
        title=i18n.gettext("Cán bộ được bồi dưỡng theo địa bàn (nhiều nhất)") if r.scope.child != "course"
        else i18n.gettext("Cán bộ của đơn vị theo khoá học"), fmt=_fmt, chart_id="chart-places",
        empty=i18n.gettext("Chưa có số liệu"))
    budget = charts.bar_chart(
        [charts.Bar(present.budget_label("category", b.key), int(b.planned), int(b.spent))
         for b in r.budget["category"]],
        title=i18n.gettext("Kinh phí khoá học: dự kiến và thực chi (đồng)"), fmt=_fmt, chart_id="chart-budget",
        series=(i18n.gettext("Dự kiến"), i18n.gettext("Thực chi")), empty=i18n.gettext("Chưa có số liệu"))
    by_sex = charts.bar_chart(
        [charts.Bar(pick(present.SEX_LABELS[s]), f["officials"]) for s, f in r.by_sex],
        title=i18n.gettext("Cán bộ được bồi dưỡng theo giới tính"), fmt=_fmt, chart_id="chart-sex")
    return {"by_curriculum": by_curriculum, "by_half": by_half, "by_place": by_place, "budget": budget,
            "by_sex": by_sex}


def _context(db: Session, who: Principal, r: service.Report) -> dict:
    f = r.filters

    def link(**changes: str) -> str:
        return "/reports?" + urlencode(f.query(**changes))

    def download(kind: str) -> str:
        return f"/reports/export.{kind}?" + urlencode(f.query())

    return {"r": r, "f": f, "charts": _charts(r), "crumbs": _crumbs(db, who, r.scope), "link": link,
            "download": download, "pick": present.pick, "percent": present.percent,
            "periods": rules.period_choices(utcnow().date()), "curricula": curricula.catalogue(db),
            "groups": list(db.scalars(select(TargetGroup).order_by(TargetGroup.code))),
            "programmes": programmes.listing(db),
            "sex_labels": present.SEX_LABELS, "minority_labels": present.MINORITY_LABELS,
            "category_labels": present.CATEGORY_LABELS, "media_kinds": media_rules.KINDS,
            "media_topics": media_rules.TOPICS, "budget_label": present.budget_label, "half_label": rules.half_label,
            "measure_labels": present.MEASURE_LABELS, "course_query": urlencode(f.query(place=""))}


@router.get("/reports")
def reports_page(request: Request, db: DbSession, who: Staff, f: PageFilters) -> HTMLResponse:
    r = service.dashboard(db, who, f)
    return render(request, "reports/dashboard.html", _context(db, who, r), block="report")


@router.get("/reports/export.xlsx")
def report_xlsx(db: DbSession, who: Staff, f: ReportFilters) -> Response:
    """Every export leaves a trace in the audit trail: the figures include the ethnicity breakdown."""
    return xlsx_response(db, who, f)


@router.get("/reports/export.csv")
def report_csv(db: DbSession, who: Staff, f: ReportFilters) -> Response:
    return csv_response(db, who, f)


@router.get("/reports/learning")
def learning_page(request: Request, db: DbSession, who: Staff, f: PageFilters) -> HTMLResponse:
    """How much officials learned (pre/post scores) and how they rated the courses, in the report's scope."""
    return render(request, "reports/learning.html", {"lr": assessment_report.learning(db, who, f), "f": f,
                                                      "back": "/reports?" + urlencode(f.query())})


@router.get("/reports/courses/{course_id}")
def course_report_page(course_id: int, request: Request, db: DbSession, who: Staff, f: ReportFilters) -> HTMLResponse:
    c = service.course_report(db, who, course_id, f)
    sessions = charts.column_chart(
        [charts.Bar(f"{s.session_date:%d/%m}|{'S' if s.part_of_day == 'morning' else 'C'}", n)
         for s, n in c.sessions], title=i18n.gettext("Số học viên có mặt theo buổi"), fmt=_fmt,
        chart_id="chart-sessions")
    return render(request, "reports/course.html", {
        "c": c, "f": f, "sessions_chart": sessions, "pick": present.pick, "percent": present.percent,
        "sex_labels": present.SEX_LABELS, "minority_labels": present.MINORITY_LABELS,
        "budget_label": present.budget_label, "back": "/reports?" + urlencode(f.query()),
        "attendance_rate": rules.share(sum(n for _, n in c.sessions),
                                       len(c.sessions) * c.figures["enrolled"])})


# --- closed periods: reports as submitted -------------------------------------------------------------------------


def _submissions_page(request: Request, db: Session, who: Principal, error: DomainError | None = None,
                      values: dict | None = None) -> HTMLResponse:
    today = utcnow().date()
    closable = [p for p in rules.period_choices(today) if rules.may_close(p, today) is None]
    return render(request, "reports/submissions.html",
                  {"rows": submissions.listing(db, who), "closable": closable, "error": error,
                   "values": values or {}}, status_code=error.status if error else 200)


@router.get("/reports/submissions")
def submissions_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return _submissions_page(request, db, who)


@router.post("/reports/submissions")
def close_period(request: Request, db: DbSession, who: Staff, period: Annotated[str, Form(max_length=10)] = "",
                 place: Annotated[str, Form(max_length=12)] = "") -> Response:
    with form_action(db) as refused:
        row = submissions.close_period(db, who, period, place)
    if refused:
        err = refused.error
        return _submissions_page(request, db, who, err, {"period": period, "place": place})
    return redirect(f"/reports/submissions/{row.id}", f"Đã chốt kỳ {row.period_key} và lưu báo cáo đã nộp.")


def _detail_page(request: Request, db: Session, who: Principal, submission_id: int,
                 error: DomainError | None = None, reason: str = "") -> HTMLResponse:
    d = submissions.detail(db, who, submission_id)
    return render(request, "reports/submission.html", {"d": d, "error": error, "reason": reason,
                                                       "measures": present.MEASURE_LABELS,
                                                       "late_labels": present.LATE_ENTITIES,
                                                       "late_actions": present.LATE_ACTIONS,
                                                       "pick": present.pick,
                                                       "difference_label": present.difference_label},
                  status_code=error.status if error else 200)


@router.get("/reports/submissions/{submission_id}")
def submission_page(submission_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return _detail_page(request, db, who, submission_id)


@router.post("/reports/submissions/{submission_id}/amendments")
def amend(submission_id: int, request: Request, db: DbSession, who: Staff,
          reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with form_action(db) as refused:
        row = submissions.amend(db, who, submission_id, reason)
    if refused:
        err = refused.error
        return _detail_page(request, db, who, submission_id, err, reason)
    return redirect(f"/reports/submissions/{row.amends_id}", "Đã lưu báo cáo điều chỉnh bên cạnh báo cáo đã nộp.")


@router.get("/reports/submissions/{submission_id}/report.{fmt}")
def submission_file(submission_id: int, fmt: str, db: DbSession, who: Staff) -> Response:
    if fmt not in ("xlsx", "csv"):
        return Response(status_code=404)
    content, name = submissions.download(db, who, submission_id, fmt)
    return attachment(content, XLSX if fmt == "xlsx" else "text/csv; charset=utf-8", name)
