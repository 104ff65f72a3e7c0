"""JSON API of the reports: the indicators of a scope with every breakdown, one course, and the same downloads as
the pages (.xlsx, .csv)."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.auth.permissions import Staff
from app.db import DbSession
from app.reports import present, service
from app.reports.pages import Code, Period, Place, csv_response, filters_from, xlsx_response

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
FILTERS_DOC = ("period: 2026, 2026-H1, 2026-H2, 2026-Q3 or empty for all time (or date_from/date_to); "
               "curriculum: CT1–CT4; target_group: a code of curricula/target-groups.yaml; place: a unit key inside "
               "the caller's scope (default: the caller's unit, the whole country for an admin)")


@router.get("/summary", description="Every indicator of the sub-project's six-monthly report for one scope. "
            + FILTERS_DOC)
def summary(db: DbSession, who: Staff, period: Period = "", date_from: date | None = None,
            date_to: date | None = None, curriculum: Code = "", target_group: Code = "",
            place: Place = "") -> dict[str, Any]:
    f = filters_from(period, date_from, date_to, curriculum, target_group, place)
    r = service.exported(db, who, f, "json")
    return present.report_data(r)


@router.get("/courses/{course_id}", description="One course: the caller's officials on it (all of them when the "
            "caller manages the course), attendance per session, results and budget.")
def course(course_id: int, db: DbSession, who: Staff,
           place: Annotated[str, Query(max_length=12)] = "") -> dict[str, Any]:
    return present.course_data(service.course_report(db, who, course_id, filters_from("", None, None, "", "", place)))


@router.get("/export.xlsx", response_class=Response, description="The report workbook to submit. " + FILTERS_DOC)
def export_xlsx(db: DbSession, who: Staff, period: Period = "", date_from: date | None = None,
                date_to: date | None = None, curriculum: Code = "", target_group: Code = "",
                place: Place = "") -> Response:
    return xlsx_response(db, who, filters_from(period, date_from, date_to, curriculum, target_group, place))


@router.get("/export.csv", response_class=Response, description="The figures as one tidy CSV. " + FILTERS_DOC)
def export_csv(db: DbSession, who: Staff, period: Period = "", date_from: date | None = None,
               date_to: date | None = None, curriculum: Code = "", target_group: Code = "",
               place: Place = "") -> Response:
    return csv_response(db, who, filters_from(period, date_from, date_to, curriculum, target_group, place))
