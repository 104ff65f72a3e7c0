"""API fuzzing: Schemathesis sends every operation of the schema at /openapi.json data that fits it (positive) and
data that does not (negative), signed in as each role, on each database. No answer may be a 5xx, and every answer
must match the schema: a documented status, the documented content type, a body that validates.

Bounded for `make test`: a fixed number of examples per operation and mode (NANGLUC_FUZZ_EXAMPLES, default 6) and a
deterministic seed, so that a run takes minutes and a failure reproduces. Half of the examples aim at records that
exist (the class of tests/attendance, a material, the caller's own account), the others at any id at all. Run deeper
before a release with e.g. `NANGLUC_FUZZ_EXAMPLES=50 .venv/bin/python -m pytest tests/fuzz`.

What the first runs found, and the fixes: see docs/reliability.md.
"""
from __future__ import annotations

import os
import traceback

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import errors as hypothesis_errors
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.courses import service as courses
from app.enrolment import service as enrolment
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.courses.factories import add_trainee
from tests.helpers import PASSWORD
from tests.materials import files

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("NANGLUC_FUZZ_EXAMPLES", "6"))
ROLES = ["admin", "organiser", "trainer", "trainee"]


def _schema(app) -> schemathesis.BaseSchema:  # noqa: ANN001
    with asgi.get_client(app) as c:
        response = c.get("/openapi.json")  # the schema exactly as clients fetch it
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


@pytest.fixture
def world(app, db, course_with_class, make_user):  # noqa: ANN001, F811
    """Records for the fuzzer to aim at: the class, one material, a trainee account seated on the course."""
    c = course_with_class
    trainee = make_user("trainee", unit="07432")
    seated = add_trainee(db, c["who"], 40, user_id=trainee.id)
    e = enrolment.register(db, c["who"], c["course"].id, seated.id)
    course = courses.get_course(db, c["who"], c["course"].id)
    with asgi.get_client(app) as client:
        token = client.post("/api/v1/auth/token", data={"username": c["organiser"].username,
                                                        "password": PASSWORD}).json()["access_token"]
        r = client.post("/api/v1/materials", headers={"Authorization": f"Bearer {token}"},
                        data={"course_id": str(course.id)}, files=[("files", ("bai-1.pdf", files.pdf(),
                                                                              "application/pdf"))])
        assert r.status_code == 201, r.text
        material_id = r.json()["items"][0]["id"]
        sessions = client.get(f"/api/v1/courses/{course.id}/sessions",
                              headers={"Authorization": f"Bearer {token}"}).json()["items"]
    known = {"course_id": course.id, "enrolment_id": e.id, "trainee_id": seated.id, "material_id": material_id,
             "session_id": (sessions or [{"id": 1}])[0]["id"], "module_id": course.modules[0].id, "number": 1,
             "user_id": trainee.id, "code": "CT2", "key": "24", "line_id": 1, "job_id": 1,
             "certificate_id": 1, "body_id": _body(db, c["who"]), "year": 2026}
    return {**c, "trainee": trainee, "known": known}


def _body(db, who) -> int:  # noqa: ANN001
    from app.issuers import service as issuers
    return issuers.create_body(db, who, {"name": "Sở Văn hóa, Thể thao và Du lịch"}).id


def _user(make_user, role: str, world: dict):  # noqa: ANN001
    if role == "organiser":
        return world["organiser"]
    if role == "trainee":
        return world["trainee"]
    return make_user(role, unit=None if role == "admin" else "24")


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_and_every_answer_matches_the_schema(app, world, make_user, role):  # noqa: ANN001
    user = _user(make_user, role, world)
    schema = _schema(app)
    failures: list[str] = []
    with asgi.get_client(app) as client:
        token = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for result in schema.get_all_operations():
            op = result.ok()
            names = {p.name for p in op.path_parameters}
            aimed = {k: v for k, v in world["known"].items() if k in names}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                strategy = op.as_strategy(generation_mode=mode)
                if aimed:
                    strategy = st.one_of(op.as_strategy(generation_mode=mode, path_parameters=aimed), strategy)

                @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
                @given(case=strategy)
                def run(case) -> None:  # noqa: ANN001
                    response = case.call(session=client, headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)

                try:
                    run()
                except hypothesis_errors.Unsatisfiable:
                    continue  # no negative data exists for an operation without parameters
                except Exception as exc:  # noqa: BLE001 - every operation is tried; all failures are reported
                    failures.append(f"{op.label} [{mode.value}, {role}]:\n{exc}\n"
                                    + "".join(traceback.format_exception(exc))[-2000:])
    assert not failures, f"{len(failures)} operation(s) failed:\n\n" + "\n\n".join(failures)
