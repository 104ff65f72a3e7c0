"""JSON API of the reports: the indicators of a scope with every breakdown, one course, and the same downloads as
the pages (.xlsx, .csv)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.assessment import report as assessment_report
from app.auth.permissions import Staff
from app.courses import programmes
from app.db import DbSession, Route
from app.reports import present, service, submissions
from app.reports.params import XLSX, ReportFilters, csv_response, xlsx_response
from app.reports.schemas import AmendIn, CloseIn

router = APIRouter(route_class=Route, prefix="/api/v1/reports", tags=["reports"])
FILTERS_DOC = ("period: 2026, 2026-H1, 2026-H2, 2026-Q3 or empty for all time (or date_from/date_to); "
               "curriculum: CT1–CT4; target_group: a code of curricula/target-groups.yaml; place: a unit key inside "
               "the caller's scope (default: the caller's unit, the whole country for an admin); programme: a "
               "programme code (GET /api/v1/reports/programmes), empty for every programme")


@router.get("/summary", description="Every indicator of the sub-project's six-monthly report for one scope. "
            + FILTERS_DOC)
def summary(db: DbSession, who: Staff, f: ReportFilters) -> dict[str, Any]:
    r = service.exported(db, who, f, "json")
    return present.report_data(r)


@router.get("/learning", description="Tests and evaluations in the scope: average pre/post scores and the gain per "
            "curriculum, province, target group and course; satisfaction per course, curriculum, province and "
            "lecturer; groups of fewer than five show null. " + FILTERS_DOC)
def learning(db: DbSession, who: Staff, f: ReportFilters) -> dict[str, Any]:
    return assessment_report.as_data(assessment_report.learning(db, who, f))


@router.get("/courses/{course_id}", description="One course: the caller's officials on it (all of them when the "
            "caller manages the course), attendance per session, results and budget.")
def course(course_id: int, db: DbSession, who: Staff,
           place: Annotated[str, Query(max_length=12)] = "") -> dict[str, Any]:
    return present.course_data(service.course_report(db, who, course_id, service.make_filters(place=place)))


@router.get("/export.xlsx", response_class=Response, description="The report workbook to submit. " + FILTERS_DOC)
def export_xlsx(db: DbSession, who: Staff, f: ReportFilters) -> Response:
    return xlsx_response(db, who, f)


@router.get("/export.csv", response_class=Response, description="The figures as one tidy CSV. " + FILTERS_DOC)
def export_csv(db: DbSession, who: Staff, f: ReportFilters) -> Response:
    return csv_response(db, who, f)


@router.get("/programmes", description="The programmes and periods courses belong to (the `programme` filter's "
            "codes); `confirmed` false: the programme's content is not confirmed by a source yet.")
def programme_list(db: DbSession, who: Staff) -> list[dict[str, Any]]:
    return [present.programme_data(p) for p in programmes.listing(db)]


def _submission(row) -> dict[str, Any]:  # noqa: ANN001
    return {"id": row.id, "scope": {"key": row.scope_key, "name": row.scope_name}, "period": row.period_key,
            "kind": row.kind, "amends": row.amends_id, "reason": row.reason, "submitted_at": row.submitted_at,
            "submitted_by": row.submitted_by_label, "workbook_sha256": row.workbook_sha256,
            "csv_sha256": row.csv_sha256, "figures": row.figures}


@router.get("/submissions", description="Reports submitted for closed periods in the caller's scope.")
def list_submissions(db: DbSession, who: Staff) -> list[dict[str, Any]]:
    return [{k: v for k, v in _submission(r).items() if k != "figures"} for r in submissions.listing(db, who)]


@router.post("/submissions", status_code=201, description="Close an ended period: the report is kept as submitted.")
def close_period(body: CloseIn, db: DbSession, who: Staff) -> dict[str, Any]:
    return _submission(submissions.close_period(db, who, body.period, body.place))


@router.get("/submissions/{submission_id}", description="A submitted report, its amendments and what differs now; "
            "`late_changes`: every write to the closed period made afterwards with its reason (`amendment`: the "
            "amendment that covers it, null while none does; each amendment lists the ids it covers).")
def get_submission(submission_id: int, db: DbSession, who: Staff) -> dict[str, Any]:
    d = submissions.detail(db, who, submission_id)
    return {**_submission(d.original),
            "amendments": [{**_submission(a), "late_changes": [c.id for c in d.covered_by(a.id)]}
                           for a in d.amendments],
            "differs_now": [{"where": w, "submitted": a, "now": b} for w, a, b in d.pending],
            "late_changes": [present.late_change_data(c) for c in d.late_changes]}


@router.post("/submissions/{submission_id}/amendments", status_code=201,
             description="Record the report as it stands now beside the submitted one, with the reason.")
def amend(submission_id: int, body: AmendIn, db: DbSession, who: Staff) -> dict[str, Any]:
    return _submission(submissions.amend(db, who, submission_id, body.reason))


@router.get("/submissions/{submission_id}/report.{fmt}", response_class=Response,
            description="The workbook (xlsx) or CSV exactly as submitted.")
def submission_file(submission_id: int, fmt: Literal["xlsx", "csv"], db: DbSession, who: Staff) -> Response:
    content, name = submissions.download(db, who, submission_id, fmt)
    media = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
