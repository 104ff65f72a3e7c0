"""Demo data: a Bắc Ninh province set-up with one account per role. Loading it twice changes nothing."""
from __future__ import annotations

from sqlalchemy import select

from app.assessment.demo import load_demo_tests
from app.auth import service as auth_service
from app.auth.models import Role, User
from app.auth.principal import Principal
from app.curricula import service as curricula
from app.db import new_session
from app.demo.courses import load_demo_course, load_finished_course
from app.demo.people import load_demo_people
from app.places import service as places
from app.signing.demo import load_demo_signing

DEMO_PROVINCE = "24"  # Tỉnh Bắc Ninh since 1 July 2025 (Bắc Giang and Bắc Ninh merged)
DEMO_COMMUNE = "07432"  # Xã Tân Dĩnh

DEMO_ACCOUNTS = [
    # username, role, full name, unit key
    ("admin", Role.ADMIN, "Quản trị hệ thống", None),
    ("organiser", Role.ORGANISER, "Nguyễn Văn Tổ Chức — Sở Văn hóa, Thể thao và Du lịch Bắc Ninh", DEMO_PROVINCE),
    ("trainer", Role.TRAINER, "Trần Thị Giảng", DEMO_PROVINCE),
    ("trainee", Role.TRAINEE, "Nguyễn Thị Hồng Nhung", DEMO_COMMUNE),
]


def load_demo(password: str) -> list[str]:
    """Create what is missing and leave what exists alone; returns one line per account."""
    report: list[str] = []
    actor = Principal.system("demo")
    with new_session() as db:
        for username, role, full_name, unit_key in DEMO_ACCOUNTS:
            if db.scalar(select(User.id).where(User.username == username)) is not None:
                report.append(f"exists  {username}")
                continue
            unit = places.get_by_key(db, unit_key) if unit_key else None
            auth_service.create_user(db, actor, username=username, password=password, role=role,
                                     full_name=full_name, unit=unit, is_demo=True)
            report.append(f"created {username} ({role}{', unit ' + unit_key if unit_key else ''})")
        db.flush()
        if not curricula.catalogue(db):  # the demo course needs the curricula; load them if nobody has yet
            curricula.sync(db, actor)
            report.append("loaded curricula")
        people = load_demo_people(db, actor)
        report.append(f"created {people} trainees" if people else "exists  trainees")
        report.append("created course" if load_demo_course(db) else "exists  course")
        report.append("created finished course" if load_finished_course(db) else "exists  finished course")
        report.append("created tests" if load_demo_tests(db) else "exists  tests")
        report.append(load_demo_signing(db, DEMO_PROVINCE))
        db.commit()
    return report
