"""The audit trail is complete: a request that writes to a table holding records must also write an audit event.

Installed on every test app (tests/conftest.py). It watches the SQL sent on the test's connection while a request
is being served, so ORM flushes and Core statements (bulk imports, waitlist shifts) count alike. Each request
collects its own writes (a context variable the request's tasks and worker threads inherit), so requests served at
once never mix theirs up, and the test's own set-up writes between requests are not counted.

A state-changing request (POST, PUT, PATCH, DELETE) that changed a record without an audit event fails its test,
unless `NO_AUDIT` names its route with the reason. A read (GET, HEAD) must not change records either: one that does
needs an audit event too, unless `QUIET_READS` names it. Every state-changing route seen to change data (or to write
its audit event) is remembered in `exercised`; tests/audit/test_coverage.py checks at the end of the whole suite
that no state-changing route was left out. See docs/audit.md.
"""
from __future__ import annotations

import re
from contextvars import ContextVar

from sqlalchemy import event

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Tables that hold no record of anyone's work: counters, throttles, caches, progress, reading marks. Writing them
# alone is not a change the audit trail must show.
UNAUDITED_TABLES = frozenset({
    "audit_event", "notification", "sign_in_throttle", "verify_throttle", "auth_session", "job",
    "certificate_counter",
})
# Routes that change something on purpose without an audit event, each with its reason.
NO_AUDIT = {
    ("POST", "/lang"): "the language cookie (and the account's display language)",
    ("POST", "/verify/{code}"): "a public look-up: it only counts against the caller's per-minute budget",
    ("POST", "/notifications/read"): "reading marks on one's own notifications, not a record of anyone's work",
    **{(method, path): "one answer saved while a test is taken (many per attempt); starting the attempt and handing "
       "it in are audited" for method, path in (("POST", "/attempts/{attempt_id}/answers/{index}"),
                                                ("PUT", "/api/v1/attempts/{attempt_id}/answers/{index}"))},
}
# Reads that write on purpose without an audit event, each with its reason.
QUIET_READS = {
    (method, path): "counts a download on the material (download_count, last_downloaded_at)"
    for method in ("GET",)
    for path in ("/materials/{material_id}/download", "/materials/{material_id}/versions/{number}/download",
                 "/api/v1/materials/{material_id}/download",
                 "/api/v1/materials/{material_id}/versions/{number}/download")
}


class AuditWatch:
    def __init__(self) -> None:
        # One variable per watch, so that two watches on one app (tests/audit/test_watch.py) each see everything.
        self._writes: ContextVar[set[str] | None] = ContextVar(f"audit_watch_{id(self)}", default=None)
        self.violations: list[str] = []
        self.exercised: set[tuple[str, str]] = set()
        self.last: tuple[tuple[str, str], frozenset[str]] | None = None  # the latest request: route, tables written

    def install(self, app, connection) -> None:  # noqa: ANN001
        @event.listens_for(connection, "before_cursor_execute")
        def _seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            written = self._writes.get()
            if written is not None:
                match = WRITE.match(statement)
                if match:
                    written.add(match.group(1).lower())

        @app.middleware("http")
        async def _watch(request, call_next):  # noqa: ANN001, ANN202
            written: set[str] = set()
            token = self._writes.set(written)
            try:
                response = await call_next(request)
            finally:
                self._writes.reset(token)
            route = request.scope.get("route")
            self.judge((request.method, getattr(route, "path", request.url.path)), response.status_code,
                       set(written))
            return response

    def judge(self, key: tuple[str, str], status: int, written: set[str]) -> None:
        self.last = (key, frozenset(written))
        if status >= 400:  # refused: an error rolls the request back, and a refusal a page catches writes nothing
            return
        changed = written - UNAUDITED_TABLES
        audited = "audit_event" in written
        if key[0] in READS:
            if changed and not audited and key not in QUIET_READS:
                self.violations.append(f"{key[0]} {key[1]} (a read) wrote {sorted(changed)}")
            return
        if changed or audited:
            # A route that only ends a session or starts a job writes nothing but its audit event and a row in an
            # unaudited table: it was exercised all the same.
            self.exercised.add(key)
        if changed and not audited and key not in NO_AUDIT:
            self.violations.append(f"{key[0]} {key[1]} wrote {sorted(changed)}")


EXERCISED: set[tuple[str, str]] = set()  # (method, route) changed with its audit event somewhere in this run
# Browser tests drive a server of their own, outside the watch: leaving them out does not change what was exercised.
OUTSIDE_THE_WATCH = ("tests/e2e",)


def state_changing_routes() -> set[tuple[str, str]]:
    from fastapi.routing import iter_route_contexts

    from app.main import create_app

    found = set()
    for context in iter_route_contexts(create_app().routes):
        for method in set(getattr(context, "methods", None) or ()) - {"GET", "HEAD", "OPTIONS"}:
            found.add((method, context.path))
    return found


def missing_routes(exercised: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """State-changing routes that no request of the run changed data through, less those in NO_AUDIT."""
    return sorted(state_changing_routes() - exercised - set(NO_AUDIT))


def partial_run(config) -> str | None:  # noqa: ANN001
    """Why this run is not the whole suite (None when it is): only the whole suite can exercise every route.

    Whole means: the default test paths (no arguments, or exactly the `testpaths`), no `-k`, no `--deselect`, no
    `-m` other than "not browser", nothing ignored but the browser tests.
    """
    opt = config.option
    if getattr(opt, "keyword", ""):
        return f"-k {opt.keyword}"
    if getattr(opt, "markexpr", "") not in ("", "not browser"):
        return f"-m {opt.markexpr}"
    if getattr(opt, "deselect", None):
        return "--deselect"
    if getattr(opt, "lf", False) or getattr(opt, "failedfirst", False):
        return "--last-failed"
    root = config.rootpath
    outside = [root / p for p in OUTSIDE_THE_WATCH]
    for ignored in (getattr(opt, "ignore", None) or []) + (getattr(opt, "ignore_glob", None) or []):
        path = (config.invocation_params.dir / ignored).resolve()
        if not any(path == o or o in path.parents for o in outside):
            return f"--ignore {ignored}"
    wanted = {(root / p).resolve() for p in config.getini("testpaths")} or {root.resolve()}
    given = {(config.invocation_params.dir / str(a).split("::")[0]).resolve() for a in config.args}
    if given != wanted:
        return "chosen test paths: " + " ".join(str(a) for a in config.args)
    return None


def report_coverage(exercised: set[tuple[str, str]]) -> None:
    """Write which state-changing routes the run exercised (test-artifacts/audit-coverage.txt)."""
    from pathlib import Path

    if not exercised:
        return
    missing = missing_routes(exercised)
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    (out / "audit-coverage.txt").write_text(
        f"exercised with a change and its audit event: {len(exercised)}\nnever exercised with a change:\n"
        + "".join(f"  {m} {p}\n" for m, p in missing), encoding="utf-8")
