"""Test fixtures. Every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL tests run when NANGLUC_TEST_POSTGRES_URL points at a server (CI sets it); REQUIRE_POSTGRES=1 turns a
missing server into a failure instead of a skip. Each test runs inside a transaction that is rolled back.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="nangluc-test-"))
_ROOT = Path(__file__).resolve().parents[1]
os.environ.update({
    # `nangluc` started by a test imports `app` from this checkout, not from the one the (editable) virtualenv was
    # installed from: a git worktree sharing the virtualenv tests its own code.
    "PYTHONPATH": os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p),
    "NANGLUC_ENV": "test",
    "NANGLUC_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "NANGLUC_DATA_DIR": str(_TMP / "data"),
    "NANGLUC_DATABASE_URL": f"sqlite:///{_TMP}/unused.db",
    # Jobs and e-mail run in the process that asked for them, on both databases, unless a test starts `nangluc worker`
    # (tests/reliability/test_scale_jobs.py): nothing else would take them off the PostgreSQL queue.
    "NANGLUC_JOBS_RUNNER": "inline",
    # Argon2id stays, but cheap, so that a suite creating many accounts stays fast.
    "NANGLUC_ARGON2_TIME_COST": "1",
    "NANGLUC_ARGON2_MEMORY_KIB": "1024",
    "NANGLUC_ARGON2_PARALLELISM": "1",
})

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# Property tests judge behaviour, not speed: with several test runs on a two-core machine an example can take longer
# than Hypothesis' default 200 ms deadline, which failed a correct test in a loaded run.
hypothesis_settings.register_profile("nangluc", deadline=None)
hypothesis_settings.load_profile("nangluc")
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.auth import service as auth_service  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.auth.principal import Principal  # noqa: E402
from app.db import make_engine, normalise_url  # noqa: E402
from app.main import create_app  # noqa: E402
from app.ops.migrate import upgrade  # noqa: E402
from app.places import service as places  # noqa: E402

BACKENDS = ["sqlite", "postgresql"]
from tests.helpers import PASSWORD  # noqa: E402


def postgres_admin_url() -> str | None:
    url = os.environ.get("NANGLUC_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but NANGLUC_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured (set NANGLUC_TEST_POSTGRES_URL; REQUIRE_POSTGRES=1 makes this fail)")
    return normalise_url(url)


def fresh_database_url(backend: str) -> str:
    """An empty database of the given kind, private to the caller."""
    if backend == "sqlite":
        return f"sqlite:///{_TMP}/{uuid.uuid4().hex}.db"
    admin_url = make_url(postgres_admin_url())
    name = f"nangluc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc} (REQUIRE_POSTGRES=1 makes this fail)")
    finally:
        admin.dispose()
    _created_pg.append(name)
    return admin_url.set(database=name).render_as_string(hide_password=False)


_created_pg: list[str] = []


def pytest_sessionfinish(session, exitstatus):  # noqa: ANN001
    from tests.audit.watch import EXERCISED, report_coverage

    report_coverage(EXERCISED)
    if not _created_pg:
        return
    admin = create_engine(normalise_url(os.environ["NANGLUC_TEST_POSTGRES_URL"]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in _created_pg:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:  # noqa: ANN001
    return request.param


@pytest.fixture(scope="session")
def engine(backend: str) -> Iterator[Engine]:
    """A database at the head migration (built by Alembic, as in production), shared by the session."""
    url = fresh_database_url(backend)
    upgrade("head", url)
    eng = make_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine):
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def db(connection) -> Iterator[Session]:  # noqa: ANN001
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()


class AppSessions:
    """The test app's sessions (`app.state.session_factory`): each a SAVEPOINT of the test's one connection, so that
    the test's transaction rolls back everything they wrote.

    In production a session opened while the request's is in progress (the guess counters of `authenticate` and
    `change_password`, a download count) is a transaction of its own: what it commits stays, whatever the request
    does next. Savepoints of one connection nest instead: when the outer session rolls back, the inner one's commit
    goes with it, so a refused sign-in would lose its count here and keep it in production. A real second connection
    cannot stand in for it: it would not see the test's uncommitted rows (the accounts made by `make_user`), and on
    SQLite it would wait for the write lock the test's transaction holds. So this watches for the one case where
    savepoints and transactions differ, an outer session ending without a commit after an inner one committed a
    write, and the test fails on it (at teardown) rather than pass on a state production never has. Keep the inner
    transaction first: touch the request's session only after the counter committed (as `authenticate` does).
    """

    def __init__(self, connection) -> None:  # noqa: ANN001
        self.connection = connection
        self.open: list[Session] = []  # sessions with a transaction in progress, the outermost first
        self.problems: list[str] = []

    def __call__(self) -> Session:
        from sqlalchemy import event

        session = Session(bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        session.info.update(wrote=False, committed=False, inner_commits=0)
        event.listen(session, "after_begin", self._began)
        event.listen(session, "do_orm_execute", self._executed)
        event.listen(session, "after_flush", self._flushed)
        event.listen(session, "after_commit", self._committed)
        event.listen(session, "after_transaction_end", self._ended)
        return session

    def _began(self, session: Session, transaction, connection) -> None:  # noqa: ANN001
        if session not in self.open:
            self.open.append(session)

    @staticmethod
    def _executed(state) -> None:  # noqa: ANN001
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info["wrote"] = True

    @staticmethod
    def _flushed(session: Session, context) -> None:  # noqa: ANN001
        session.info["wrote"] = True

    @staticmethod
    def _committed(session: Session) -> None:
        session.info["committed"] = True

    def _ended(self, session: Session, transaction) -> None:  # noqa: ANN001
        if transaction.parent is not None or session not in self.open:
            return
        self.open.remove(session)
        info = session.info
        if info["committed"] and info["wrote"]:
            for outer in self.open:
                outer.info["inner_commits"] += 1
        elif not info["committed"] and info["inner_commits"]:
            self.problems.append(
                "a session rolled back after another one, opened inside it, committed a write: in production that "
                "write stays (two transactions), in this test's savepoints it was undone with the outer one")
        info.update(wrote=False, committed=False, inner_commits=0)


@pytest.fixture
def app(connection, audit_watch):  # noqa: ANN001
    application = create_app()
    application.state.session_factory = sessions = AppSessions(connection)
    audit_watch.install(application, connection)
    yield application
    assert not sessions.problems, "; ".join(dict.fromkeys(sessions.problems))


@pytest.fixture
def audit_watch(request):  # noqa: ANN001
    """Every request a test makes is watched: one that writes a record must also write its audit event
    (tests/audit/watch.py). A test fails when a request changed data without a trace."""
    from tests.audit.watch import EXERCISED, AuditWatch

    watch = AuditWatch()
    yield watch
    assert not watch.violations, "state changed without an audit event: " + "; ".join(watch.violations)
    EXERCISED.update(watch.exercised)


def pytest_collection_modifyitems(session, config, items):  # noqa: ANN001
    """The audit coverage check (tests/audit/test_coverage.py) reads what every other test exercised: it runs last.
    The browser tests run just before it: Playwright's sync API keeps an event loop running in the test process,
    and code that runs its own loop (pyHanko's signing) cannot start one inside it."""
    items.sort(key=lambda item: (item.path.name == "test_coverage.py" and item.path.parent.name == "audit",
                                 item.path.parent.name == "e2e"))


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def make_user(db: Session):
    """Create an account: make_user("organiser", unit="07432")."""

    def _make(role: str, unit: str | None = None, username: str | None = None, password: str = PASSWORD) -> User:
        unit_row = places.get_by_key(db, unit) if unit else None
        name = username or f"{role}-{uuid.uuid4().hex[:6]}"
        user = auth_service.create_user(db, Principal.system("test"), username=name, password=password, role=role,
                                        unit=unit_row, full_name=f"Người dùng {role}")
        db.flush()
        return user

    return _make
