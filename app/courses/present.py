from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth import scope
from app.auth.principal import Principal
from app.courses import rules, service
from app.courses.models import Course, CourseModule, CourseSession
from app.courses.schemas import (
    BudgetLineOut,
    ChecksOut,
    ConflictOut,
    CourseDetail,
    CourseModuleOut,
    CourseOut,
    CoursePlan,
    CurriculumPin,
    IssuingBodyBrief,
    PlaceOut,
    ProblemOut,
    SessionOut,
    TopicOut,
)
from app.courses.service import Checks, hours_of, signer_of
from app.enrolment.rules import retraining_setting
from app.places import service as places


def topics(m: CourseModule) -> list[TopicOut]:
    """The curriculum's own topics, then the course's local additions."""
    own = [TopicOut(code=t.code, title=t.title_vi, is_local=False)
           for t in (m.curriculum_module.topics if m.curriculum_module else [])]
    return own + [TopicOut(code=None, title=t.title, is_local=True) for t in m.local_topics]


def course_out(c: Course) -> CourseOut:
    v = c.curriculum_version
    return CourseOut(id=c.id, code=c.code, title=c.title, status=c.status, unit=c.unit.key, unit_name=c.unit.name,
                     curriculum=CurriculumPin(code=v.curriculum_code, version=v.number, label=v.label,
                                              title=v.title_vi),
                     created_at=c.created_at)


def course_detail(c: Course) -> CourseDetail:
    return CourseDetail(**course_out(c).model_dump(), modules=[
        CourseModuleOut(id=m.id, code=m.code, title=m.title, theory_hours=m.theory_hours,
                        practice_hours=m.practice_hours, required=m.required, is_local=m.is_local, topics=topics(m))
        for m in c.modules])


def course_plan(c: Course, quotas: dict[str, int] | None = None, *, with_budget: bool = True) -> CoursePlan:
    """The whole plan; budget lines only `with_budget` (for those who manage the course: `may_see_budget`)."""
    body = c.issuing_body
    signer_title, signer_name = signer_of(c)
    return CoursePlan(
        **course_detail(c).model_dump(), organising_body=body.name if body else c.organising_body,
        signer_title=signer_title, signer_name=signer_name, issuing_body_id=c.issuing_body_id,
        issuing_body=IssuingBodyBrief(id=body.id, name=body.name, parent_name=body.parent_name) if body else None,
        hours=hours_of(c), hours_override=c.hours_override, form=c.form, venue=c.venue, capacity=c.capacity,
        registration_opens=c.registration_opens, registration_closes=c.registration_closes,
        start_date=c.start_date, end_date=c.end_date, min_attendance_share=c.min_attendance_share,
        assessment_required=c.assessment_required, cancel_reason=c.cancel_reason,
        allocation_mode=c.allocation_mode, quotas=quotas or {},
        retraining_gap_years=c.retraining_gap_years, recorded_after=c.recorded_after,
        programme=c.programme.code if c.programme else None,
        retraining=ProblemOut(**vars(retraining_setting(c.curriculum_version.curriculum_code,
                                                        c.retraining_gap_years))),
        places=[PlaceOut(key=p.unit.key, name=places.path_label(p.unit)) for p in c.places],
        budget=[BudgetLineOut(id=b.id, category=b.category, description=b.description,
                              planned_amount=b.planned_amount, actual_amount=b.actual_amount,
                              funding_source=b.funding_source) for b in c.budget_lines] if with_budget else [])


def session_out(s: CourseSession) -> SessionOut:
    return SessionOut(id=s.id, session_date=s.session_date, part_of_day=s.part_of_day, start_time=s.start_time,
                      end_time=s.end_time, modules=[m.code for m in s.modules], lecturer_id=s.lecturer_id,
                      lecturer_name=s.lecturer.full_name if s.lecturer else None, room=s.room,
                      online_link=s.online_link, topics_note=s.topics_note)


def problem(p: rules.Problem) -> ProblemOut:
    return ProblemOut(code=p.code, vi=p.vi, en=p.en)


def checks_out(ch: Checks, ready: list[rules.Problem]) -> ChecksOut:
    return ChecksOut(coverage=[problem(p) for p in ch.coverage],
                     sessions={k: [problem(p) for p in v] for k, v in ch.sessions.items() if v},
                     conflicts=[ConflictOut(kind=c.kind, session_ids=[c.a.session_id, c.b.session_id], vi=c.vi,
                                            en=c.en) for c in ch.conflicts],
                     ready_to_open=[problem(p) for p in ready])


def course_tab(db: Session, who: Principal, course: Course) -> dict:
    """What every tab of a course's page shows around its own content (the header, the tabs, the labels); the
    enrolment, attendance, certificates, tests, materials and paperwork tabs render it too."""
    return {"course": course, "topics": topics, "rules": rules,
            "may_manage": scope.may_manage_course(db, who, course),
            "status_label": lambda s: rules.STATUS_LABELS[s], "path_label": places.path_label,
            "budget_categories": service.BUDGET_CATEGORIES, "funding_sources": service.FUNDING_SOURCES,
            "signer_of": signer_of, "hours_of": hours_of,
            "retraining": retraining_setting(course.curriculum_version.curriculum_code, course.retraining_gap_years)}
