"""Trainees as the API and pages show them: personal data masked for those who may not see it."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.people import rules, service
from app.people.models import Trainee
from app.people.schemas import PriorityOut, ReasonOut, TraineeDetail, TraineeOut
from app.places import service as places


def reason(r: rules.Reason) -> ReasonOut:
    return ReasonOut(code=r.code, vi=r.vi, en=r.en)


def trainee_out(db: Session, who: Principal, t: Trainee, may_see: Callable[[Trainee], bool] | None = None
                ) -> TraineeOut:
    visible = (may_see or service.personal_access(db, who))(t)
    return TraineeOut(
        id=t.id, full_name=t.full_name, sex=t.sex,
        birth_date=t.birth_date.strftime("%d/%m/%Y") if visible else "••/••/" + str(t.birth_date.year),
        ethnicity=t.ethnicity if visible else None,
        citizen_id=t.citizen_id if visible else service.mask_citizen_id(t.citizen_id),
        phone=t.phone if visible else service.mask_phone(t.phone), email=t.email if visible else None,
        position=t.position, organisation_type=t.organisation_type, unit=t.unit.key,
        unit_name=places.path_label(t.unit), in_charge_of_radio=t.in_charge_of_radio,
        commune_categories=list(t.commune_categories or []), target_group=t.target_group_code, status=t.status,
        masked=not visible, created_at=t.created_at, updated_at=t.updated_at)


def trainee_detail(db: Session, who: Principal, t: Trainee) -> TraineeDetail:
    return TraineeDetail(
        **trainee_out(db, who, t).model_dump(),
        placement_reasons=[reason(r) for r in service.placement(t).reasons],
        priorities=[PriorityOut(curriculum=v.curriculum_code, eligible=p.eligible, rank=p.rank,
                                reasons=[reason(r) for r in p.reasons]) for v, p in service.priorities(db, t)])
