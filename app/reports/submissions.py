"""Closing a period: the report of a scope and period is submitted once and kept exactly as sent (figures, workbook,
CSV, their checksums, who and when), downloadable unchanged years later. A late change is an amendment, made with a
reason and shown beside the submitted figures, never a silent edit.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.assessment import report as assessment_report
from app.auth.principal import Principal
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import DEFAULT_TZ
from app.places import service as places
from app.reports import export, late, present, rules, service
from app.reports.models import LateChange, ReportSubmission

MIN_REASON = rules.MIN_REASON  # characters: an amendment says why, in words


def _today() -> datetime:
    return utcnow().astimezone(ZoneInfo(DEFAULT_TZ))


@dataclass(frozen=True)
class Snapshot:
    figures: dict
    workbook: bytes
    csv: bytes
    scope: service.Scope


def _plain(data: dict) -> dict:
    """The report's data as stored JSON (dates as ISO text, amounts as decimal text), the same for both sides of
    a comparison."""
    return json.loads(json.dumps(data, default=str))


def _snapshot(db: Session, who: Principal, f: service.Filters) -> Snapshot:
    r = service.dashboard(db, who, f)
    learning = assessment_report.learning(db, who, f)
    book = export.report_xlsx(db, r, generated_at=utcnow(),
                              learning=lambda wb: assessment_report.write_sheet(wb, learning))
    return Snapshot(_plain(present.report_data(r)), book, export.report_csv(r), r.scope)


def _store(db: Session, who: Principal, s: Snapshot, period_key: str, kind: str, amends: ReportSubmission | None,
           reason: str | None) -> ReportSubmission:
    row = ReportSubmission(scope_key=s.scope.key, scope_name=s.scope.name,
                           unit_id=s.scope.unit.id if s.scope.unit else None, period_key=period_key, kind=kind,
                           amends_id=amends.id if amends else None, reason=reason, figures=s.figures,
                           workbook=s.workbook, csv=s.csv, workbook_sha256=hashlib.sha256(s.workbook).hexdigest(),
                           csv_sha256=hashlib.sha256(s.csv).hexdigest(), submitted_by_id=who.user_id,
                           submitted_by_label=who.full_name or who.username)
    db.add(row)
    return row


def close_period(db: Session, who: Principal, period_key: str, place: str = "") -> ReportSubmission:
    """Submit the report of the caller's unit (or a place inside it) for an ended period; once per scope and
    period."""
    f = service.make_filters(period=period_key, place=place)
    why = rules.may_close(f.period, _today().date())
    if why:
        raise Invalid("period_not_closable", why[0], field="period")
    scope = service.resolve_scope(db, who, f.place)
    if _original(db, scope.key, f.period.key) is not None:
        raise Conflict("period_closed", f"Kỳ {f.period.key} của {scope.name} đã được chốt và nộp; nếu số liệu "
                       "thay đổi, hãy lập báo cáo điều chỉnh kèm lý do.")
    s = _snapshot(db, who, f)
    try:
        with db.begin_nested():
            row = _store(db, who, s, f.period.key, "submitted", None, None)
            db.flush()
    except IntegrityError:  # two organisers closed the same period at the same moment
        raise Conflict("period_closed", f"Kỳ {f.period.key} của {scope.name} vừa được chốt.") from None
    late.forget(db)  # this session's next writes see the period closed
    audit.record(db, who, "report.submit", "report_submission", row.id,
                 {"scope": scope.key or "VN", "period": f.period.key, "workbook_sha256": row.workbook_sha256})
    return row


def _original(db: Session, scope_key: str, period_key: str) -> ReportSubmission | None:
    return db.scalar(select(ReportSubmission).where(ReportSubmission.scope_key == scope_key,
                                                    ReportSubmission.period_key == period_key,
                                                    ReportSubmission.kind == "submitted"))


def _visible(db: Session, who: Principal, row: ReportSubmission) -> bool:
    if who.is_admin:
        return True
    return who.unit_id is not None and row.unit_id is not None and places.is_within(db, row.unit_id, who.unit_id)


def get(db: Session, who: Principal, submission_id: int) -> ReportSubmission:
    """A submission of the caller's unit or a unit inside it, or 404."""
    service.resolve_scope(db, who, None)  # admins and organisers only
    row = db.get(ReportSubmission, submission_id)
    if row is None or not _visible(db, who, row):
        raise NotFound("Không tìm thấy báo cáo đã nộp.", code="submission_not_found")
    return row


def amend(db: Session, who: Principal, submission_id: int, reason: str) -> ReportSubmission:
    """Record the report as it stands now beside the submitted one, with the reason for the change."""
    original = get(db, who, submission_id)
    if original.kind != "submitted":
        original = db.get(ReportSubmission, original.amends_id)
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise Invalid("reason_required", f"Hãy ghi lý do điều chỉnh (ít nhất {MIN_REASON} ký tự).", field="reason")
    f = service.make_filters(period=original.period_key, place=original.scope_key)
    s = _snapshot(db, who, f)
    latest = _latest(db, original)
    changed = rules.differences(latest.figures, s.figures)
    covered = list(db.scalars(select(LateChange).where(LateChange.submission_id == original.id,
                                                        LateChange.amendment_id.is_(None))))
    # Late changes that left the figures as they were (a status from finished to closed) are still answered by an
    # amendment: it says they were seen.
    if not changed and not covered:
        raise Conflict("nothing_changed", "Số liệu hiện tại giống hệt báo cáo đã nộp gần nhất: không có gì để "
                       "điều chỉnh.")
    row = _store(db, who, s, original.period_key, "amendment", original, reason[:2000])
    db.flush()
    for change in covered:  # the late changes made so far are in this amendment's figures
        change.amendment_id = row.id
    audit.record(db, who, "report.amend", "report_submission", row.id,
                 {"amends": original.id, "period": original.period_key, "changes": len(changed),
                  "late_changes": [c.id for c in covered]}, note=reason[:500])
    return row


def _latest(db: Session, original: ReportSubmission) -> ReportSubmission:
    return db.scalar(select(ReportSubmission).where(
        (ReportSubmission.id == original.id) | (ReportSubmission.amends_id == original.id))
        .order_by(ReportSubmission.id.desc()).limit(1))


def listing(db: Session, who: Principal) -> list[ReportSubmission]:
    """Every submission the caller may see, newest period first."""
    service.resolve_scope(db, who, None)
    rows = db.scalars(select(ReportSubmission).order_by(ReportSubmission.period_key.desc(), ReportSubmission.id))
    return [r for r in rows if _visible(db, who, r)]


@dataclass(frozen=True)
class Detail:
    original: ReportSubmission
    amendments: list[ReportSubmission]
    pending: list[tuple[str, object, object]]  # what differs now from the latest submission
    late_changes: list[LateChange]  # writes made after closing, with their reasons (amendment_id: covered by it)

    @property
    def uncovered(self) -> list[LateChange]:
        """The late changes no amendment covers yet: they show beside the latest figures."""
        return [c for c in self.late_changes if c.amendment_id is None]

    def covered_by(self, amendment_id: int) -> list[LateChange]:
        return [c for c in self.late_changes if c.amendment_id == amendment_id]


def detail(db: Session, who: Principal, submission_id: int) -> Detail:
    """The submitted report, its amendments, and what the same report says today if it differs."""
    row = get(db, who, submission_id)
    original = row if row.kind == "submitted" else db.get(ReportSubmission, row.amends_id)
    amendments = list(db.scalars(select(ReportSubmission).where(ReportSubmission.amends_id == original.id)
                                 .order_by(ReportSubmission.id)))
    latest = amendments[-1] if amendments else original
    now = _plain(present.report_data(service.dashboard(db, who, service.make_filters(
        period=original.period_key, place=original.scope_key))))
    now = {k: v for k, v in now.items() if k in latest.figures}  # sections added since it was submitted
    changes = list(db.scalars(select(LateChange).where(LateChange.submission_id == original.id)
                              .order_by(LateChange.id)))
    return Detail(original, amendments, rules.differences(latest.figures, now), changes)


def download(db: Session, who: Principal, submission_id: int, kind: str) -> tuple[bytes, str]:
    """The file exactly as submitted (its bytes match the recorded checksum), and its name."""
    row = get(db, who, submission_id)
    content = row.workbook if kind == "xlsx" else row.csv
    suffix = "" if row.kind == "submitted" else f"-dieu-chinh-{row.id}"
    audit.record(db, who, "report.download", "report_submission", row.id, {"format": kind})
    return content, f"bao-cao-{row.scope_key or 'VN'}-{row.period_key}{suffix}.{kind}"
