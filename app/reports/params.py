"""What the report routes share (issue #23): the one report-filter dependency of the pages and the API, and the
downloads both serve, so that app.reports.api and app.reports.pages do not import each other."""
from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.assessment import report as assessment_report
from app.auth.principal import Principal
from app.db import DbSession, utcnow
from app.reports import export, service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Period = Annotated[str, Query(max_length=24)]
Code = Annotated[str, Query(max_length=40)]
Place = Annotated[str, Query(max_length=12)]
ProgrammeCode = Annotated[str, Query(max_length=32, description="a programme code (GET /api/v1/reports/programmes); "
                                                                 "empty: every programme")]


def default_period() -> str:
    return str(utcnow().date().year)


def _filters(db: Session, period: str, date_from: date | None, date_to: date | None, curriculum: str,
             target_group: str, place: str, programme: str) -> service.Filters:
    return service.check(db, service.make_filters(period, date_from, date_to, curriculum, target_group, place,
                                                  programme))


def report_filters(db: DbSession, period: Period = "", date_from: date | None = None, date_to: date | None = None,
                   curriculum: Code = "", target_group: Code = "", place: Place = "",
                   programme: ProgrammeCode = "") -> service.Filters:
    """The filters of a report request (API, downloads): an empty period is all time; bad input is a 422."""
    return _filters(db, period, date_from, date_to, curriculum, target_group, place, programme)


def page_filters(db: DbSession, period: Period | None = None, date_from: date | None = None,
                 date_to: date | None = None, curriculum: Code = "", target_group: Code = "", place: Place = "",
                 programme: ProgrammeCode = "") -> service.Filters:
    """The same for a page opened without a period: this year's report."""
    return _filters(db, default_period() if period is None else period, date_from, date_to, curriculum,
                    target_group, place, programme)


ReportFilters = Annotated[service.Filters, Depends(report_filters)]
PageFilters = Annotated[service.Filters, Depends(page_filters)]


def attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"})


def export_name(r: service.Report, ext: str) -> str:
    return f"bao-cao-{r.scope.key.replace(':', '-') or 'toan-quoc'}-{r.filters.period.key or 'tat-ca'}.{ext}"


def xlsx_response(db: Session, who: Principal, f: service.Filters) -> Response:
    r = service.exported(db, who, f, "xlsx")
    learning = assessment_report.learning(db, who, f)
    content = export.report_xlsx(db, r, generated_at=utcnow(),
                                 learning=lambda wb: assessment_report.write_sheet(wb, learning))
    return attachment(content, XLSX, export_name(r, "xlsx"))


def csv_response(db: Session, who: Principal, f: service.Filters) -> Response:
    r = service.exported(db, who, f, "csv")
    return attachment(export.report_csv(r), "text/csv; charset=utf-8", export_name(r, "csv"))
