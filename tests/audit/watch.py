"""The audit trail is complete: a request that writes to a table holding records must also write an audit event.

Installed on every test app (tests/conftest.py). It watches the SQL sent on the test's connection while a request
is being served, so ORM flushes and Core statements (bulk imports, waitlist shifts) count alike.
"""
from __future__ import annotations

import re

from sqlalchemy import event

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
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
}


class AuditWatch:
    def __init__(self) -> None:
        self.active = False
        self.written: set[str] = set()
        self.violations: list[str] = []
        self.exercised: set[tuple[str, str]] = set()

    def install(self, app, connection) -> None:  # noqa: ANN001
        @event.listens_for(connection, "before_cursor_execute")
        def _seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            if self.active:
                match = WRITE.match(statement)
                if match:
                    self.written.add(match.group(1).lower())

        @app.middleware("http")
        async def _watch(request, call_next):  # noqa: ANN001, ANN202
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return await call_next(request)
            self.active, self.written = True, set()
            try:
                response = await call_next(request)
            finally:
                self.active = False
            route = request.scope.get("route")
            key = (request.method, getattr(route, "path", request.url.path))
            changed = self.written - UNAUDITED_TABLES
            if changed and response.status_code < 400:
                self.exercised.add(key)
                if "audit_event" not in self.written and key not in NO_AUDIT:
                    self.violations.append(f"{key[0]} {key[1]} wrote {sorted(changed)}")
            return response


def state_changing_routes() -> set[tuple[str, str]]:
    from fastapi.routing import iter_route_contexts

    from app.main import create_app

    found = set()
    for context in iter_route_contexts(create_app().routes):
        for method in set(getattr(context, "methods", None) or ()) - {"GET", "HEAD", "OPTIONS"}:
            found.add((method, context.path))
    return found


def report_coverage(session, exercised: set[tuple[str, str]]) -> None:  # noqa: ANN001
    """Write which state-changing routes the run exercised (test-artifacts/audit-coverage.txt)."""
    from pathlib import Path

    if not exercised:
        return
    missing = sorted(state_changing_routes() - exercised - set(NO_AUDIT))
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    (out / "audit-coverage.txt").write_text(
        f"exercised with a change and its audit event: {len(exercised)}\nnever exercised with a change:\n"
        + "".join(f"  {m} {p}\n" for m, p in missing), encoding="utf-8")
