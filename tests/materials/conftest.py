"""A CT2 course in Bắc Ninh with one seat, the people around it, and helpers to upload and sign in."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.auth.principal import Principal
from app.courses import service as courses
from app.curricula import service as curricula
from app.enrolment import service as enrolment
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import api_token


@dataclass
class World:
    course: object
    other_course: object
    users: dict  # role label -> User
    modules: list  # the course's modules (id, code), in order


@pytest.fixture
def world(db, make_user) -> World:
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24", username="org-bn")
    who = principal(organiser)
    course = open_course(db, who, capacity=1)
    other = open_course(db, who, capacity=5, title="Lớp khác")
    users = {"organiser": organiser, "admin": make_user("admin", username="quan-tri"),
             "organiser_elsewhere": make_user("organiser", unit="01", username="org-hn"),
             "trainer": make_user("trainer", unit="24", username="gv-bn"),
             "trainer_elsewhere": make_user("trainer", unit="01", username="gv-hn")}
    for i, (label, course_id) in enumerate((("confirmed", course.id), ("waitlisted", course.id),
                                            ("other_course", other.id)), start=1):
        user = make_user("trainee", unit="07432", username=f"hv-{label}")
        add_trainee(db, who, i, user_id=user.id)
        e = enrolment.register(db, principal(user), course_id)
        assert e.status == ("waitlisted" if label == "waitlisted" else "confirmed")
        users[label] = user
    db.flush()
    modules = [(m.id, m.code) for m in courses.get_course(db, who, course.id).modules]
    return World(course, other, users, modules)


@pytest.fixture
def auth(client):
    """Bearer headers for a username, fetched once per test."""
    cache: dict[str, dict] = {}

    def _auth(username: str) -> dict:
        if username not in cache:
            cache[username] = {"Authorization": f"Bearer {api_token(client, username)}"}
        return cache[username]

    return _auth


MIME = "application/octet-stream"


@pytest.fixture
def upload(client, auth):
    """POST /api/v1/materials as `username` with (name, bytes) files and form fields."""

    def _upload(username: str, files: list[tuple[str, bytes]], **fields):
        return client.post("/api/v1/materials", headers=auth(username),
                           data={k: str(v) for k, v in fields.items()},
                           files=[("files", (name, data, MIME)) for name, data in files])

    return _upload
