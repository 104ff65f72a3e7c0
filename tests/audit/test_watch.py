"""The audit watch itself: it catches a request that changes a record without an audit event, and it knows a whole
run of the suite from a partial one."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.auth.permissions import SignedIn
from app.db import DbSession
from tests.audit.watch import AuditWatch, partial_run
from tests.helpers import api_token


def test_a_change_without_an_audit_event_is_caught(app, connection, make_user, audit_watch):
    user = make_user("admin")

    @app.post("/api/v1/_untraced")
    def untraced(db: DbSession, who: SignedIn) -> dict:
        db.execute(text("UPDATE user_account SET full_name = 'Đổi lén' WHERE id = :id"), {"id": who.user_id})
        return {}

    own = AuditWatch()  # a second watch on the same app, to look at what it saw
    own.install(app, connection)
    with TestClient(app) as client:
        token = api_token(client, user.username)
        assert client.post("/api/v1/_untraced", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert own.violations == ["POST /api/v1/_untraced wrote ['user_account']"]
    assert audit_watch.violations == own.violations  # the watch every test has saw it too
    audit_watch.violations.clear()  # expected here


def test_a_read_that_changes_a_record_is_caught(app, connection, make_user, audit_watch):
    user = make_user("admin")

    @app.get("/api/v1/_sneaky")
    def sneaky(db: DbSession, who: SignedIn) -> dict:
        db.execute(text("UPDATE user_account SET full_name = 'Đổi lén' WHERE id = :id"), {"id": who.user_id})
        return {}

    own = AuditWatch()
    own.install(app, connection)
    with TestClient(app) as client:
        token = api_token(client, user.username)
        assert client.get("/api/v1/_sneaky", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert own.violations == ["GET /api/v1/_sneaky (a read) wrote ['user_account']"]
    assert ("POST", "/api/v1/auth/token") in own.exercised  # signing in updates the account and says so
    audit_watch.violations.clear()  # expected here


def _config(root: Path, args: list[str], *, invocation: Path | None = None, **options) -> SimpleNamespace:  # noqa: ANN003
    option = SimpleNamespace(**{"keyword": "", "markexpr": "", "deselect": None, "ignore": None, "ignore_glob": None,
                                **options})
    return SimpleNamespace(option=option, rootpath=root, args=args, getini=lambda name: ["tests"],
                           invocation_params=SimpleNamespace(dir=invocation or root))


def test_only_the_whole_suite_counts_as_whole(tmp_path):
    (tmp_path / "tests" / "e2e").mkdir(parents=True)
    whole = [
        _config(tmp_path, ["tests"]),  # `make test`: no arguments, pytest takes the testpaths
        _config(tmp_path, [str(tmp_path / "tests")], invocation=tmp_path / "tests"),  # run from inside tests/
        _config(tmp_path, ["tests"], ignore=["tests/e2e"]),  # browser tests run their own server, unwatched
        _config(tmp_path, ["tests"], markexpr="not browser"),
    ]
    assert [partial_run(c) for c in whole] == [None] * len(whole)
    partial = {
        "-k audit": _config(tmp_path, ["tests"], keyword="audit"),
        "-m slow": _config(tmp_path, ["tests"], markexpr="slow"),
        "--deselect": _config(tmp_path, ["tests"], deselect=["tests/courses"]),
        "--ignore tests/courses": _config(tmp_path, ["tests"], ignore=["tests/courses"]),
        "chosen test paths: tests/audit": _config(tmp_path, ["tests/audit"]),
        "chosen test paths: tests/audit/test_every_route.py::test_x": _config(
            tmp_path, ["tests/audit/test_every_route.py::test_x"]),
    }
    assert {why: partial_run(c) for why, c in partial.items()} == {why: why for why in partial}
