"""Database: declarative base with a constraint naming convention, the engine, and the per-request session."""
from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.config import get_settings
from app.errors import DomainError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases (SQLite stores no zone, so we restore it on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def _tune_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, foreign keys on, a busy timeout instead of instant 'database is locked'.

    pysqlite's own transaction handling is switched off so that SQLAlchemy emits BEGIN itself: this makes
    SAVEPOINTs work and lets writers take the lock up front (BEGIN IMMEDIATE) where a limit must hold.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        write = conn.get_execution_options().get("nangluc_write_lock")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def normalise_url(url: str) -> str:
    """Accept postgresql:// and postgres:// and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, *, pool_size: int | None = None, max_overflow: int | None = None,
                pool_timeout: float | None = None, pgbouncer: bool | None = None,
                ping_after: float | None = None) -> Engine:
    """The engine for `url`; the pool's budget comes from the settings unless given (see `Settings.db_pool_size`)."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _tune_sqlite(engine)
        return engine
    settings = get_settings()
    engine = create_engine(url,
                           pool_size=settings.db_pool_size if pool_size is None else pool_size,
                           max_overflow=settings.db_max_overflow if max_overflow is None else max_overflow,
                           pool_timeout=settings.db_pool_timeout if pool_timeout is None else pool_timeout)
    if settings.db_pgbouncer if pgbouncer is None else pgbouncer:
        _prepare_only_where_pgbouncer_keeps_it(engine)
    _ping_when_idle(engine, settings.db_ping_after_seconds if ping_after is None else ping_after)
    return engine


_PROBE = "SELECT 'nangluc: does PgBouncer keep prepared statements?'"


def _prepare_only_where_pgbouncer_keeps_it(engine: Engine) -> None:
    """Behind PgBouncer in transaction mode, each new connection asks whether PgBouncer keeps prepared statements,
    and psycopg stops preparing them on that connection if it does not.

    psycopg prepares a statement on the server once a connection has run it five times (`prepare_threshold`), and
    then only names it. PgBouncer 1.22 and later with `max_prepared_statements` above 0 keep track of such
    statements: they prepare them under names of their own (PGBOUNCER_…) on whichever server connection the next
    transaction gets. An older PgBouncer, or one with `max_prepared_statements = 0`, passes the client's name through
    to the one server connection it holds at that moment; the next transaction, on another server connection, would
    fail ("prepared statement "_pg3_0" does not exist"). So the probe prepares one statement and reads its name back
    in the same transaction (hence on the same server connection): psycopg's own name means nobody keeps it."""

    said: list[bool] = []  # what the log last said, so that it says it once per process (and again if it changes)

    @event.listens_for(engine, "connect")
    def _probe(dbapi_conn, _record):  # noqa: ANN001
        kept = _pgbouncer_keeps_prepared_statements(dbapi_conn)
        if not kept:
            dbapi_conn.prepare_threshold = None
        if said[-1:] != [kept]:
            said.append(kept)
            logging.getLogger("nangluc").info(
                "behind PgBouncer: prepared statements %s", "kept (PgBouncer keeps them)" if kept else
                "off (PgBouncer older than 1.22, or max_prepared_statements = 0)")


def _pgbouncer_keeps_prepared_statements(conn: Any) -> bool:  # a psycopg.Connection
    import psycopg  # only PostgreSQL's engines get here

    try:
        with conn.cursor() as cur:
            cur.execute(_PROBE, prepare=True)
            cur.execute("SELECT name FROM pg_prepared_statements WHERE statement = %s", (_PROBE,), prepare=False)
            names = [name for (name,) in cur.fetchall()]
            kept = bool(names) and not any(name.startswith("_pg3_") for name in names)
            if not kept:
                # Leave the server connection as we found it: the next client of PgBouncer gets it, and its own probe
                # would find "_pg3_0" already there. (psycopg forgets its own statements on DEALLOCATE ALL.)
                cur.execute("DEALLOCATE ALL", prepare=False)
    except psycopg.Error:  # e.g. "_pg3_0" left on this server connection by another client: nobody keeps them
        kept = False
    conn.rollback()
    return kept


def _ping_when_idle(engine: Engine, after: float) -> None:
    """SQLAlchemy's pre-ping, for a connection that has lain in the pool longer than `after` seconds only.

    `pool_pre_ping` pings at every checkout: a round trip per request (two with the sign-in's own read), paid most
    when the server is busiest. A connection back from a request a moment ago is alive unless PostgreSQL went away in
    that moment; then the statement fails as a lost connection, answered 503 (app.error_handlers), and SQLAlchemy
    drops the whole pool's connections, so the next request connects afresh. A failed ping is SQLAlchemy's
    DisconnectionError: the pool replaces the connection and the request never sees it."""

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_conn, record):  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _back(_dbapi_conn, record):  # noqa: ANN001
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _out(dbapi_conn, record, _proxy):  # noqa: ANN001
        if time.monotonic() - record.info.get("idle_since", 0.0) <= after:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as err:  # whatever the driver raises for a dead connection
            raise exc.DisconnectionError(str(err)) from err


def connection_budget() -> int:
    """How many connections one worker process may hold at once: the pool and its overflow."""
    settings = get_settings()
    return settings.db_pool_size + settings.db_max_overflow


def worker_threads() -> int:
    """How many requests' endpoints one worker process runs at once: `Settings.threads`, and never more than it has
    connections, so that a thread never waits for one."""
    return min(get_settings().threads, connection_budget())  # both at least 1 (the settings' bounds)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@lru_cache
def _reader_factory() -> sessionmaker[Session]:
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(bind=engine, expire_on_commit=False)


def reading_session(request: Request) -> Session:
    """A session for a short read beside the request's own transaction (who is calling). On PostgreSQL it reads in
    autocommit: one round trip per statement, with no BEGIN before it and no ROLLBACK when it goes back to the pool.
    Tests that swap the session maker get theirs."""
    factory = getattr(request.app.state, "session_factory", None)
    return factory() if factory is not None else _reader_factory()()


def new_session() -> Session:
    return _session_factory()()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose transaction takes the write lock up front on SQLite (BEGIN IMMEDIATE).

    SQLite has one writer at a time. A transaction that starts as a reader and later writes fails at once if
    another writer committed in between (WAL cannot upgrade a stale snapshot), so requests that change data start
    as writers and queue on the busy timeout instead. PostgreSQL needs nothing here: services lock the rows that
    guard a limit (SELECT … FOR UPDATE). The connection is taken lazily, at the first query.
    """
    engine = engine or get_engine()
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(nangluc_write_lock=True)
    with Session(bind=engine, expire_on_commit=False) as session:
        yield session


def session_factory(request: Request) -> Callable[[], Session]:
    """The app's session maker (tests swap in one bound to their transaction)."""
    return getattr(request.app.state, "session_factory", None) or _session_factory()


# A write to a closed reporting period's figures needs a reason (app.reports.late): the request gives it in one
# uniform way, the `X-Late-Reason` header (percent-encoded UTF-8, or plain) or a form's `late_reason` field, and the
# request's session carries it, with the request's state (whose `principal` says who wrote), for the flush to read.
LATE_REASON = "nangluc.late_reason"
LATE_ACTOR = "nangluc.late_actor"  # an object with the writer (`Principal`), or one whose `principal` it is
LATE_HEADER = "X-Late-Reason"
LATE_FIELD = "late_reason"
_FORM = "application/x-www-form-urlencoded"


async def _late_reason(request: Request) -> str | None:
    """The reason a request gives for a late change, if any (only a write can give one)."""
    raw = request.headers.get(LATE_HEADER)
    if raw:
        with suppress(UnicodeEncodeError, UnicodeDecodeError):  # Latin-1 text: raw UTF-8 bytes read back as such
            raw = raw.encode("latin-1").decode("utf-8")
        return unquote(raw)
    # Multipart bodies (uploads) may be streamed by their route: read only when already parsed (by FastAPI or CSRF).
    if request.headers.get("content-type", "").startswith(_FORM) or getattr(request, "_form", None) is not None:
        value = (await request.form()).get(LATE_FIELD)
        return value if isinstance(value, str) and value.strip() else None
    return None


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed at the boundary; services only flush.

    The dependency is async on purpose: the commit then runs as soon as the endpoint returns, without waiting for a
    free worker thread. A sync teardown would hold the transaction (and the row or SQLite write lock it took) while
    queueing for a thread behind requests that wait for that very lock, and under a rush that never resolves.
    The session connects lazily, so its transaction starts inside the endpoint.
    """
    factory = getattr(request.app.state, "session_factory", None)
    if factory is not None:
        context = nullcontext(factory())
    elif request.method not in SAFE_METHODS:
        context = write_session()
    else:
        context = nullcontext(_session_factory()())
    with context as session:
        if request.method not in SAFE_METHODS:
            reason = await _late_reason(request)
            if reason:
                session.info[LATE_REASON] = reason
            session.info[LATE_ACTOR] = request.state
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            # A refusal keeps nothing the request wrote, only the audit event it carries (a failed sign-in).
            event = exc.audit_event if isinstance(exc, DomainError) else None
            if event is not None:
                session.add(event)
                session.commit()
            raise
        finally:
            session.info.pop(LATE_REASON, None)  # (a test's session outlives the request)
            session.info.pop(LATE_ACTOR, None)
            session.close()


class Route(APIRoute):
    """Every route of the app (each router is made with ``route_class=Route``): a synchronous endpoint's session is
    committed in the endpoint's own worker thread, as it returns, and its answer checked and serialised there too.

    FastAPI serialises a synchronous endpoint's answer in a worker thread of its own and only then ends the
    endpoint's dependencies (`get_db`'s commit and close). A session still holding its pooled connection there
    waits for a free thread, while every thread may be waiting for a pooled connection (there are no more threads
    than connections, `worker_threads`): a burst of reads stopped dead until the pool's timeout answered 503
    (measured: 1,000 `GET /api/v1/me` at once on one server, 943 answered 503 after 10 s each). Committed here, the
    connection is back in the pool before the answer is checked. A refusal raises past this commit, as before
    (`get_db` rolls it back); what the serialisation reads afterwards runs in a transaction of its own that
    `get_db` ends.

    The answer is then checked against the route's response model and written as JSON in the same thread, exactly
    as FastAPI would (`_answer`), so that a request hands work to a thread once for its endpoint instead of twice
    (each hand-off costs the event loop and the thread a wake-up: bench/README.md)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.answers_in_thread = False  # known once FastAPI has made the response model (below)
        super().__init__(path, self._committed(endpoint), **kwargs)
        self.answers_in_thread = not inspect.iscoroutinefunction(endpoint) and _may_answer_in_thread(self)

    def get_route_handler(self) -> Callable[[Request], Any]:
        """FastAPI reads and parses a route's body (a form, its uploads, JSON) before it runs any dependency; a route
        that takes one runs its permission first, so that a caller who may not use it (anonymous, or the wrong role)
        is refused before the server receives and parses what it sent. The permission remembers its answer for the
        request (`app.auth.permissions.Permission`): FastAPI's own call of it is then free."""
        handler = super().get_route_handler()
        gate = _gate(self.dependant) if getattr(self, "body_field", None) is not None else None
        if gate is None:
            return handler

        async def permission_first(request: Request) -> Response:
            await gate(request)
            return await handler(request)

        return permission_first

    def _committed(self, endpoint: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(endpoint):
            return endpoint  # it runs on the event loop: its session ends with get_db, no thread in between

        @functools.wraps(endpoint)
        def call(*args: Any, **kwargs: Any) -> Any:
            answer = endpoint(*args, **kwargs)
            for value in kwargs.values():
                if isinstance(value, Session):
                    value.commit()
            return _answer(self, answer) if self.answers_in_thread and not isinstance(answer, Response) else answer

        return call


def _gate(dependant: Any) -> Callable[[Request], Any] | None:
    """The permission among a route's dependencies (the first found, depth first): a callable marked `before_body`."""
    for dependency in dependant.dependencies:
        if getattr(dependency.call, "before_body", False):
            return dependency.call
        found = _gate(dependency)
        if found is not None:
            return found
    return None


def _may_answer_in_thread(route: APIRoute) -> bool:
    """FastAPI's own serialisation does nothing more for this route than `_answer` does: a response model, the
    default response class, a status that carries a body, and no `Response` parameter whose headers or status
    FastAPI would copy onto the answer."""

    def takes_response(dependant: Any) -> bool:
        return dependant.response_param_name is not None or any(takes_response(d) for d in dependant.dependencies)

    return (route.response_field is not None and isinstance(route.response_class, DefaultPlaceholder)
            and is_body_allowed_for_status_code(route.status_code or 200) and not takes_response(route.dependant))


def _answer(route: APIRoute, content: Any) -> Response:
    """What FastAPI's `serialize_response` makes of an endpoint's answer (validated by the response model, dumped
    to JSON by pydantic), made in the endpoint's thread."""
    field = route.response_field
    assert field is not None
    value, errors = field.validate(content, {}, loc=("response",))
    if errors:
        raise ResponseValidationError(errors=errors, body=content)
    body = field.serialize_json(value, include=route.response_model_include, exclude=route.response_model_exclude,
                                by_alias=route.response_model_by_alias,
                                exclude_unset=route.response_model_exclude_unset,
                                exclude_defaults=route.response_model_exclude_defaults,
                                exclude_none=route.response_model_exclude_none)
    return Response(content=body, media_type="application/json", status_code=route.status_code or 200)


# scope="function": the commit happens when the endpoint returns and *before* the response is sent. FastAPI's default
# for a dependency with yield ("request") ends it after the response: a client was told "imported" (and could read
# nothing back yet), a failed commit could not change the answer, and a background job started by the request looked
# for its row before it was committed (tests/reliability/test_faults.py).
DbSession = Annotated[Session, Depends(get_db, scope="function")]
